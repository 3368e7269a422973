//===- Elementwise.cpp - ONNX elementwise ops -------------------*- C++ -*-===//
//
// ONNX broadcasts implicitly (numpy rules); quern broadcasts explicitly, so
// each operand is broadcast to the result shape first. Ops are built with
// NodeImporter::build, so on constant operands they fold at once.
//
//===----------------------------------------------------------------------===//

#include "OpTable.h"

#include "Tensor.h"

#include "dialects/quern/QuernOps.h"

using namespace mlir;
using namespace quern;
using namespace quern::onnx_import;

static bool isFloat(Type type) { return isa<FloatType>(type); }
static bool isNumeric(Type type) {
  return isa<FloatType>(type) || (isa<IntegerType>(type) && !type.isInteger(1));
}
static bool isBool(Type type) { return type.isInteger(1); }

template <typename Op, bool (*Accepts)(Type)>
static LogicalResult importUnary(NodeImporter &node) {
  RankedTensorType type = node.inputType(0);
  if (failed(node.requireElementType(type, Accepts,
                                     Accepts == isBool      ? "bool"
                                     : Accepts == isNumeric ? "numeric"
                                                            : "float")))
    return failure();
  node.setResult(0, node.build<Op>(type, node.input(0)));
  return success();
}

template <typename Op, bool (*Accepts)(Type)>
static LogicalResult importBinary(NodeImporter &node) {
  if (failed(node.requireElementType(node.inputType(0), Accepts,
                                     Accepts == isBool ? "bool" : "numeric")))
    return failure();
  RankedTensorType type;
  FailureOr<SmallVector<Value>> operands =
      node.broadcastAll({node.input(0), node.input(1)}, type);
  if (failed(operands))
    return failure();
  node.setResult(0, node.build<Op>(type, (*operands)[0], (*operands)[1]));
  return success();
}

/// Max and Min take any number of operands.
template <typename Op> static LogicalResult importVariadic(NodeImporter &node) {
  SmallVector<Value> inputs;
  for (int i = 0; i < node.node.input_size(); ++i)
    if (node.hasInput(i))
      inputs.push_back(node.input(i));
  if (failed(node.requireElementType(node.inputType(0), isNumeric, "numeric")))
    return failure();
  RankedTensorType type;
  FailureOr<SmallVector<Value>> operands = node.broadcastAll(inputs, type);
  if (failed(operands))
    return failure();
  Value result = operands->front();
  for (Value operand : llvm::drop_begin(*operands))
    result = node.build<Op>(type, result, operand);
  node.setResult(0, result);
  return success();
}

/// Pow's exponent may have another type than its base: it is converted to
/// the base's type; integer bases are raised in double precision.
static LogicalResult importPow(NodeImporter &node) {
  Type baseType = node.inputType(0).getElementType();
  if (failed(node.requireElementType(baseType, isNumeric, "numeric")))
    return failure();
  Type computeType = isFloat(baseType) ? baseType : node.builder.getF64Type();
  RankedTensorType type;
  FailureOr<SmallVector<Value>> operands =
      node.broadcastAll({node.castTo(node.input(0), computeType),
                         node.castTo(node.input(1), computeType)},
                        type);
  if (failed(operands))
    return failure();
  Value power = node.build<PowOp>(type, (*operands)[0], (*operands)[1]);
  node.setResult(0, node.castTo(power, baseType));
  return success();
}

/// Equal also compares bools; the orderings need numbers.
template <ComparePredicate Predicate>
static LogicalResult importCompare(NodeImporter &node) {
  bool acceptsBool = Predicate == ComparePredicate::eq;
  if (failed(node.requireElementType(
          node.inputType(0),
          [&](Type t) { return isNumeric(t) || (acceptsBool && isBool(t)); },
          acceptsBool ? "numeric or bool" : "numeric")))
    return failure();
  RankedTensorType type;
  FailureOr<SmallVector<Value>> operands =
      node.broadcastAll({node.input(0), node.input(1)}, type);
  if (failed(operands))
    return failure();
  node.setResult(0, node.build<CompareOp>(type.clone(node.builder.getI1Type()),
                                          Predicate, (*operands)[0],
                                          (*operands)[1]));
  return success();
}

static LogicalResult importWhere(NodeImporter &node) {
  RankedTensorType type;
  FailureOr<SmallVector<Value>> operands =
      node.broadcastAll({node.input(0), node.input(1), node.input(2)}, type);
  if (failed(operands))
    return failure();
  node.setResult(
      0, node.build<SelectOp>(type.clone(node.inputType(1).getElementType()),
                              (*operands)[0], (*operands)[1], (*operands)[2]));
  return success();
}

static LogicalResult importLeakyRelu(NodeImporter &node) {
  RankedTensorType type = node.inputType(0);
  if (failed(node.requireFloat(type)))
    return failure();
  node.setResult(
      0, node.build<LeakyReluOp>(type, node.input(0),
                                 node.builder.getF64FloatAttr(
                                     node.floatAttribute("alpha", 0.01f))));
  return success();
}

/// Clip(x, min, max) = min(max(x, min), max); a bound not given is no bound.
static LogicalResult importClip(NodeImporter &node) {
  RankedTensorType type = node.inputType(0);
  if (failed(node.requireElementType(type, isNumeric, "numeric")))
    return failure();
  Value result = node.input(0);
  if (node.hasInput(1))
    result =
        node.build<MaxOp>(type, result, node.broadcastTo(node.input(1), type));
  if (node.hasInput(2))
    result =
        node.build<MinOp>(type, result, node.broadcastTo(node.input(2), type));
  node.setResult(0, result);
  return success();
}

static LogicalResult importCastTo(NodeImporter &node, Type elementType) {
  if (!elementType)
    return node.emitError() << "casts to an unsupported element type";
  node.setResult(0, node.castTo(node.input(0), elementType));
  return success();
}

static LogicalResult importCast(NodeImporter &node) {
  return importCastTo(node, convertElementType(node.intAttribute("to", 0),
                                               node.builder.getContext()));
}

static LogicalResult importCastLike(NodeImporter &node) {
  return importCastTo(node, node.inputType(1).getElementType());
}

/// Gelu (20): 0.5 x (1 + erf(x / sqrt 2)), or with approximate = "tanh"
/// 0.5 x (1 + tanh(sqrt(2 / pi) (x + 0.044715 x^3))).
static LogicalResult importGelu(NodeImporter &node) {
  RankedTensorType type = node.inputType(0);
  if (failed(node.requireFloat(type)))
    return failure();
  const onnx::AttributeProto *attribute = node.attribute("approximate");
  std::string approximate = attribute ? attribute->s() : "none";
  if (approximate != "none" && approximate != "tanh")
    return node.emitError() << "approximate '" << approximate
                            << "' is neither 'none' nor 'tanh'";
  node.setResult(0, node.gelu(node.input(0), approximate == "tanh"));
  return success();
}

/// `parameter` (a scale or zero point of DequantizeLinear) in the shape of
/// x, `type`: a scalar as it is, a vector along `axis`, or blocks of
/// `blockSize` along `axis` (21), the last block possibly partial.
static FailureOr<Value> quantizationParameter(NodeImporter &node, int index,
                                              RankedTensorType type,
                                              int64_t axis, int64_t blockSize) {
  Value value = node.input(index);
  RankedTensorType given = node.inputType(index);
  int64_t extent = type.getDimSize(axis);
  if (given.getNumElements() == 1 && blockSize == 0)
    return node.reshapeTo(value, given.clone(ArrayRef<int64_t>{}));
  SmallVector<int64_t> expected(type.getShape());
  int64_t blocks = blockSize ? (extent + blockSize - 1) / blockSize : extent;
  expected[axis] = blocks;
  if (blockSize == 0 && given.getShape() == ArrayRef<int64_t>{extent}) {
    SmallVector<int64_t> shape(type.getRank(), 1);
    shape[axis] = extent;
    return node.reshapeTo(value, given.clone(shape));
  }
  if (blockSize == 0 || given.getShape() != ArrayRef<int64_t>(expected))
    return node.emitError()
           << "input " << index << " ('" << node.node.input(index)
           << "') has type " << given << "; for x of type " << type
           << (blockSize ? " and block_size " + std::to_string(blockSize)
                         : std::string())
           << " it must be a scalar, of shape [" << extent << "]"
           << " or of x's shape with " << blocks << " blocks along axis "
           << axis << " (block_size)";
  value = node.repeatEach(value, axis, blockSize);
  // The last block may be partial.
  return blocks * blockSize == extent ? value
                                      : node.window(value, axis, 0, extent);
}

/// The scale and zero point of a QuantizeLinear or DequantizeLinear node in
/// the shape of x (`type`, rank 0 made rank 1): per tensor, per axis, or
/// per block (block_size, 21). The zero point is null when not given.
struct QuantizationOperands {
  RankedTensorType type;
  Value scale, zeroPoint;
};

static FailureOr<QuantizationOperands>
quantizationOperands(NodeImporter &node) {
  RankedTensorType type = node.inputType(0);
  int64_t blockSize =
      node.version >= 21 ? node.intAttribute("block_size", 0) : 0;
  if (blockSize < 0)
    return node.emitError() << "block_size " << blockSize << " is negative";
  // A single scale (and zero point) is per tensor: the axis is not read.
  bool perTensor =
      node.inputType(1).getNumElements() == 1 && blockSize == 0 &&
      (!node.hasInput(2) || node.inputType(2).getNumElements() == 1);
  FailureOr<int64_t> axis =
      perTensor ? 0
                : node.normalizeAxis(node.intAttribute("axis", 1),
                                     std::max<int64_t>(type.getRank(), 1));
  if (failed(axis))
    return failure();
  if (type.getRank() == 0)
    type = type.clone({1});
  QuantizationOperands operands{type, Value(), Value()};
  FailureOr<Value> scale =
      quantizationParameter(node, 1, type, *axis, blockSize);
  if (failed(scale))
    return failure();
  operands.scale = *scale;
  if (node.hasInput(2)) {
    FailureOr<Value> zeroPoint =
        quantizationParameter(node, 2, type, *axis, blockSize);
    if (failed(zeroPoint))
      return failure();
    operands.zeroPoint = *zeroPoint;
  }
  return operands;
}

static bool isIntegerCode(Type type) {
  return isa<IntegerType>(type) && !type.isInteger(1);
}

/// DequantizeLinear: (x - zero_point) * scale in the scale's type (or
/// output_dtype's, 23), per tensor, per axis, or per block (21).
static LogicalResult importDequantizeLinear(NodeImporter &node) {
  if (failed(node.requireElementType(node.inputType(0), isIntegerCode,
                                     "integer")) ||
      failed(node.requireFloat(node.inputType(1))))
    return failure();
  Type outputType = node.inputType(1).getElementType();
  if (int64_t dtype =
          node.version >= 23 ? node.intAttribute("output_dtype", 0) : 0) {
    outputType = convertElementType(dtype, node.builder.getContext());
    if (!isa_and_nonnull<FloatType>(outputType))
      return node.emitError()
             << "output_dtype " << dtype << " is not a float type";
  }
  FailureOr<QuantizationOperands> operands = quantizationOperands(node);
  if (failed(operands))
    return failure();
  Value x =
      node.castTo(node.reshapeTo(node.input(0), operands->type), outputType);
  if (operands->zeroPoint)
    x = node.combine<SubOp>(x, node.castTo(operands->zeroPoint, outputType));
  Value y = node.combine<MulOp>(x, node.castTo(operands->scale, outputType));
  node.setResult(0, node.reshapeTo(y, node.inputType(0).clone(outputType)));
  return success();
}

/// `value` (float) rounded to the nearest integer, halves to even, as
/// QuantizeLinear rounds: the truncation toward zero, then one step away
/// from zero where the rest is over a half, or a half and the truncation
/// is odd. `value` must be within int32's range.
static Value roundHalfToEven(NodeImporter &node, Value value) {
  auto type = cast<RankedTensorType>(value.getType());
  auto boolType = type.clone(node.builder.getI1Type());
  auto intType = type.clone(node.builder.getI32Type());
  auto truncated = [&](Value v) {
    return node.castTo(node.build<CastOp>(intType, v), type.getElementType());
  };
  auto compare = [&](ComparePredicate predicate, Value lhs, Value rhs) {
    return node.build<CompareOp>(boolType, predicate, lhs, rhs);
  };
  Value whole = truncated(value);
  Value rest = node.build<SubOp>(type, value, whole);
  Value distance = node.build<AbsOp>(type, rest);
  Value half = node.splatConstant(type, 0.5);
  Value halfWhole = node.withConstant<MulOp>(whole, 0.5);
  Value odd = node.build<NotOp>(
      boolType, compare(ComparePredicate::eq, truncated(halfWhole), halfWhole));
  Value away = node.build<OrOp>(
      boolType, compare(ComparePredicate::gt, distance, half),
      node.build<AndOp>(boolType, compare(ComparePredicate::eq, distance, half),
                        odd));
  Value step = node.build<SelectOp>(
      type, compare(ComparePredicate::gt, rest, node.splatConstant(type, 0)),
      node.splatConstant(type, 1), node.splatConstant(type, -1));
  return node.build<AddOp>(
      type, whole,
      node.build<SelectOp>(type, away, step, node.splatConstant(type, 0)));
}

/// QuantizeLinear: saturate(round(x / scale) + zero_point) in the zero
/// point's type (or output_dtype's, 21; uint8 without either), rounding
/// halves to even; per tensor, per axis, or per block (21).
static LogicalResult importQuantizeLinear(NodeImporter &node) {
  if (failed(node.requireFloat(node.inputType(0))) ||
      failed(node.requireFloat(node.inputType(1))))
    return failure();
  Type codeType = node.builder.getIntegerType(8, /*isSigned=*/false);
  if (node.hasInput(2))
    codeType = node.inputType(2).getElementType();
  else if (int64_t dtype =
               node.version >= 21 ? node.intAttribute("output_dtype", 0) : 0)
    codeType = convertElementType(dtype, node.builder.getContext());
  auto code = dyn_cast_or_null<IntegerType>(codeType);
  if (!code || code.getWidth() > 16 || code.getWidth() == 1)
    return node.emitError() << "quantizes to " << codeType
                            << "; Quern quantizes to 8- and 16-bit integers";
  FailureOr<QuantizationOperands> operands = quantizationOperands(node);
  if (failed(operands))
    return failure();
  Type floatType = node.builder.getF32Type();
  Value x =
      node.castTo(node.reshapeTo(node.input(0), operands->type), floatType);
  Value scaled =
      node.combine<DivOp>(x, node.castTo(operands->scale, floatType));
  // Clamped first, so that the rounding's int32 step cannot overflow; the
  // bounds are far outside any 16-bit code.
  auto scaledType = cast<RankedTensorType>(scaled.getType());
  scaled = node.build<MinOp>(
      scaledType,
      node.build<MaxOp>(scaledType, scaled,
                        node.splatConstant(scaledType, -(1 << 20))),
      node.splatConstant(scaledType, 1 << 20));
  Value y = roundHalfToEven(node, scaled);
  if (operands->zeroPoint)
    y = node.combine<AddOp>(y, node.castTo(operands->zeroPoint, floatType));
  bool isSigned = !code.isUnsigned();
  double low = isSigned ? -std::ldexp(1.0, code.getWidth() - 1) : 0;
  double high = isSigned ? std::ldexp(1.0, code.getWidth() - 1) - 1
                         : std::ldexp(1.0, code.getWidth()) - 1;
  auto yType = cast<RankedTensorType>(y.getType());
  y = node.build<MinOp>(
      yType, node.build<MaxOp>(yType, y, node.splatConstant(yType, low)),
      node.splatConstant(yType, high));
  node.setResult(0, node.reshapeTo(node.castTo(y, codeType),
                                   node.inputType(0).clone(codeType)));
  return success();
}

/// Dropout is the identity unless training_mode is a true constant; then a
/// seeded quern.dropout (the mask output is all true otherwise).
static LogicalResult importDropout(NodeImporter &node) {
  RankedTensorType type = node.inputType(0);
  bool training = false;
  if (node.hasInput(2)) {
    FailureOr<DenseElementsAttr> mode =
        node.constantInput(2, "it decides whether Dropout drops");
    if (failed(mode))
      return failure();
    training = mode->getSplatValue<bool>();
  }
  // Only training reads the ratio, which may then be a runtime value.
  double ratio = 0.5;
  if (training && node.hasInput(1)) {
    FailureOr<DenseElementsAttr> given =
        node.constantInput(1, "quern.dropout takes the ratio as an attribute");
    if (failed(given))
      return failure();
    ratio = given->getSplatValue<APFloat>().convertToDouble();
  }
  bool wantsMask = node.node.output_size() > 1 && !node.node.output(1).empty();
  auto maskType = type.clone(node.builder.getI1Type());
  if (!training || ratio == 0.0) {
    node.setResult(0, node.input(0));
    if (wantsMask)
      node.setResult(1, node.splatConstant(maskType, 1));
    return success();
  }
  if (failed(node.requireFloat(type)))
    return failure();
  if (!(ratio > 0.0 && ratio < 1.0))
    return node.emitError() << "ratio " << ratio << " is not in [0, 1)";
  auto dropout = node.builder.create<DropoutOp>(
      node.loc, type, maskType, node.input(0), Value(),
      node.builder.getF64FloatAttr(ratio),
      node.builder.getI64IntegerAttr(node.intAttribute("seed", 0)),
      /*training_only=*/nullptr);
  node.setResult(0, dropout.getResult());
  if (wantsMask)
    node.setResult(1, dropout.getMask());
  return success();
}

void quern::onnx_import::registerElementwiseOps(OpTable &table) {
  table.add("Add", {13, 14}, importBinary<AddOp, isNumeric>);
  table.add("Sub", {13, 14}, importBinary<SubOp, isNumeric>);
  table.add("Mul", {13, 14}, importBinary<MulOp, isNumeric>);
  table.add("Div", {13, 14}, importBinary<DivOp, isNumeric>);
  table.add("Pow", {13, 15}, importPow);
  table.add("Max", {13}, importVariadic<MaxOp>);
  table.add("Min", {13}, importVariadic<MinOp>);
  table.add("And", {7}, importBinary<AndOp, isBool>);
  table.add("Or", {7}, importBinary<OrOp, isBool>);
  table.add("Not", {1}, importUnary<NotOp, isBool>);
  table.add("Equal", {13, 19}, importCompare<ComparePredicate::eq>);
  table.add("Less", {13}, importCompare<ComparePredicate::lt>);
  table.add("LessOrEqual", {12, 16}, importCompare<ComparePredicate::le>);
  table.add("Greater", {13}, importCompare<ComparePredicate::gt>);
  table.add("GreaterOrEqual", {12, 16}, importCompare<ComparePredicate::ge>);
  table.add("Where", {9, 16}, importWhere);
  table.add("Neg", {13}, importUnary<NegOp, isNumeric>);
  table.add("Abs", {13}, importUnary<AbsOp, isNumeric>);
  table.add("Relu", {13, 14}, importUnary<ReluOp, isNumeric>);
  table.add("LeakyRelu", {6, 16}, importLeakyRelu);
  table.add("Exp", {13}, importUnary<ExpOp, isFloat>);
  table.add("Log", {13}, importUnary<LogOp, isFloat>);
  table.add("Tanh", {13}, importUnary<TanhOp, isFloat>);
  table.add("Sigmoid", {13}, importUnary<SigmoidOp, isFloat>);
  table.add("Sqrt", {13}, importUnary<SqrtOp, isFloat>);
  table.add("Reciprocal", {13}, importUnary<ReciprocalOp, isFloat>);
  table.add("Erf", {13}, importUnary<ErfOp, isFloat>);
  table.add("Sin", {7, 22}, importUnary<SinOp, isFloat>);
  table.add("Cos", {7, 22}, importUnary<CosOp, isFloat>);
  table.add("Gelu", {20}, importGelu);
  table.add("Clip", {13}, importClip);
  // Cast's saturate (19) is about float8 targets, which Quern refuses.
  table.add("Cast", {13, 19, 21, 23}, importCast);
  table.add("CastLike", {15, 19, 21, 23}, importCastLike);
  table.add("DequantizeLinear", {13, 19, 21, 23}, importDequantizeLinear);
  table.add("QuantizeLinear", {13, 19, 21, 23}, importQuantizeLinear);
  table.add("Dropout", {13, 22}, importDropout);
}
