//===- Reduction.cpp - ONNX reductions and softmax --------------*- C++ -*-===//

#include "OpTable.h"

#include "Tensor.h"
#include "dialects/quern/QuernOps.h"

using namespace mlir;
using namespace quern;
using namespace quern::onnx_import;

/// The axes a Reduce* node reduces over: from its `axes` input (ReduceSum
/// since 13, the others since 18) or attribute (the others until 18). No
/// axes means all of them, or none with noop_with_empty_axes.
static FailureOr<SmallVector<int64_t>> reductionAxes(NodeImporter &node,
                                                     int64_t rank) {
  bool axesAreInput = node.version >= 18 || node.node.op_type() == "ReduceSum";
  SmallVector<int64_t> axes;
  if (axesAreInput && node.hasInput(1)) {
    FailureOr<SmallVector<int64_t>> constant = node.constantIntsInput(1);
    if (failed(constant))
      return failure();
    axes = *constant;
  } else if (!axesAreInput) {
    axes = node.intsAttribute("axes").value_or(SmallVector<int64_t>());
  }
  if (axes.empty() && !node.intAttribute("noop_with_empty_axes", 0))
    for (int64_t dim = 0; dim < rank; ++dim)
      axes.push_back(dim);
  return node.normalizeAxes(axes, rank);
}

static bool isNumeric(Type type) { return !type.isInteger(1); }
static bool isFloat(Type type) { return isa<FloatType>(type); }

/// A Reduce* node's axes and result type, once its input is checked.
/// Empty axes: the node reduces nothing, and its result is set already.
struct Reduction {
  SmallVector<int64_t> axes;
  RankedTensorType type;
};

static FailureOr<Reduction> reduction(NodeImporter &node,
                                      bool (*accepts)(Type)) {
  RankedTensorType inputType = node.inputType(0);
  if (failed(node.requireElementType(inputType, accepts,
                                     accepts == isFloat ? "float" : "numeric")))
    return failure();
  // Axes first: when they are not constant, shape inference cannot type the
  // result either, and the axes are the cause to report.
  FailureOr<SmallVector<int64_t>> axes =
      reductionAxes(node, inputType.getRank());
  if (failed(axes))
    return failure();
  if (axes->empty()) {
    node.setResult(0, node.input(0));
    return Reduction{};
  }
  FailureOr<RankedTensorType> type = node.resultType(0);
  if (failed(type))
    return failure();
  return Reduction{std::move(*axes), *type};
}

template <typename Op, bool (*Accepts)(Type) = isNumeric>
static LogicalResult importReduction(NodeImporter &node) {
  FailureOr<Reduction> reduced = reduction(node, Accepts);
  if (failed(reduced) || reduced->axes.empty())
    return reduced;
  bool keepDims = node.intAttribute("keepdims", 1) != 0;
  node.setResult(
      0, node.build<Op>(reduced->type, node.input(0), reduced->axes, keepDims));
  return success();
}

/// `value` reduced by `Op` over `axes`, keeping them as extents of 1.
template <typename Op>
static Value reduceKeepingDims(NodeImporter &node, Value value,
                               ArrayRef<int64_t> axes) {
  auto type = cast<RankedTensorType>(value.getType());
  SmallVector<int64_t> shape(type.getShape());
  for (int64_t axis : axes)
    shape[axis] = 1;
  return node.build<Op>(type.clone(shape), value, axes, /*keepDims=*/true);
}

/// The reductions ONNX defines in terms of a sum: L1 (of |x|), L2 (the
/// square root of the sum of squares), LogSum, LogSumExp (shifted by the
/// maximum, so it does not overflow) and SumSquare.
enum class SumOf { Abs, L2, LogSum, LogSumExp, Squares };

template <SumOf Kind> static LogicalResult importSumOf(NodeImporter &node) {
  FailureOr<Reduction> reduced = reduction(node, isFloat);
  if (failed(reduced) || reduced->axes.empty())
    return reduced;
  RankedTensorType inputType = node.inputType(0);
  ArrayRef<int64_t> axes = reduced->axes;
  Value x = node.input(0), shift;
  switch (Kind) {
  case SumOf::Abs:
    x = node.build<AbsOp>(inputType, x);
    break;
  case SumOf::L2:
  case SumOf::Squares:
    x = node.build<MulOp>(inputType, x, x);
    break;
  case SumOf::LogSum:
    break;
  case SumOf::LogSumExp: {
    // The maximum where it is finite, else 0 (ONNX's reference): a slice
    // of -inf (masked logits) gives -inf, not NaN.
    shift = reduceKeepingDims<ReduceMaxOp>(node, x, axes);
    auto shiftType = cast<RankedTensorType>(shift.getType());
    Value finite = node.build<CompareOp>(
        shiftType.clone(node.builder.getI1Type()), ComparePredicate::lt,
        node.build<AbsOp>(shiftType, shift),
        node.splatConstant(shiftType, INFINITY));
    shift = node.build<SelectOp>(shiftType, finite, shift,
                                 node.splatConstant(shiftType, 0));
    x = node.build<ExpOp>(inputType, node.combine<SubOp>(x, shift));
    break;
  }
  }
  Value sum = reduceKeepingDims<ReduceSumOp>(node, x, axes);
  auto sumType = cast<RankedTensorType>(sum.getType());
  if (Kind == SumOf::L2)
    sum = node.build<SqrtOp>(sumType, sum);
  if (Kind == SumOf::LogSum || Kind == SumOf::LogSumExp)
    sum = node.build<LogOp>(sumType, sum);
  if (Kind == SumOf::LogSumExp)
    sum = node.build<AddOp>(sumType, sum, shift);
  node.setResult(0, node.reshapeTo(sum, reduced->type));
  return success();
}

template <typename Op> static LogicalResult importSoftmax(NodeImporter &node) {
  FailureOr<RankedTensorType> type = node.resultType(0);
  if (failed(type))
    return failure();
  if (failed(node.requireFloat(*type)))
    return failure();
  FailureOr<int64_t> axis =
      node.normalizeAxis(node.intAttribute("axis", -1), type->getRank());
  if (failed(axis))
    return failure();
  node.setResult(0, node.build<Op>(*type, node.input(0), *axis));
  return success();
}

/// Scale or bias (input `index`) as a tensor of the normalized dimensions.
/// ONNX broadcasts it against the whole input, so it may have leading
/// dimensions of extent 1 beyond those and extents of 1 within them.
static FailureOr<Value> normalizedParameter(NodeImporter &node, int index,
                                            ArrayRef<int64_t> normalized) {
  RankedTensorType type = node.inputType(index);
  ArrayRef<int64_t> shape = type.getShape();
  size_t leading =
      shape.size() > normalized.size() ? shape.size() - normalized.size() : 0;
  ArrayRef<int64_t> kept = shape.drop_front(leading);
  bool broadcasts =
      llvm::all_of(shape.take_front(leading),
                   [](int64_t extent) { return extent == 1; }) &&
      llvm::all_of(llvm::zip(llvm::reverse(kept), llvm::reverse(normalized)),
                   [](auto extents) {
                     auto [from, to] = extents;
                     return from == 1 || from == to;
                   });
  if (!broadcasts)
    return node.emitError() << "input " << index << " ('"
                            << node.node.input(index) << "') of type " << type
                            << " does not broadcast to the normalized "
                               "dimensions of the input";
  Value value = node.reshapeTo(node.input(index), type.clone(kept));
  return node.broadcastTo(value, normalized);
}

/// The type normalizations compute in: stash_type, float by default.
static FailureOr<Type> stashType(NodeImporter &node) {
  int64_t code = node.intAttribute("stash_type", onnx::TensorProto::FLOAT);
  Type type = convertElementType(code, node.builder.getContext());
  if (!isa_and_nonnull<FloatType>(type))
    return node.emitError() << "stash_type " << code << " is not a float type";
  return type;
}

/// ONNX normalizes in the stash type and casts Y back to the input's type;
/// Mean and InvStdDev stay in the stash type.
static LogicalResult importLayerNorm(NodeImporter &node) {
  RankedTensorType type = node.inputType(0);
  if (failed(node.requireFloat(type)))
    return failure();
  FailureOr<int64_t> axis =
      node.normalizeAxis(node.intAttribute("axis", -1), type.getRank());
  FailureOr<Type> stash = stashType(node);
  if (failed(axis) || failed(stash))
    return failure();
  Type stashType = *stash;
  ArrayRef<int64_t> normalized = type.getShape().drop_front(*axis);
  FailureOr<Value> scale = normalizedParameter(node, 1, normalized);
  if (failed(scale))
    return failure();
  Value bias;
  if (node.hasInput(2)) {
    FailureOr<Value> given = normalizedParameter(node, 2, normalized);
    if (failed(given))
      return failure();
    bias = node.castTo(*given, stashType);
  }
  auto computeType = type.clone(stashType);
  SmallVector<int64_t> statsShape(type.getShape().take_front(*axis));
  statsShape.append(type.getRank() - *axis, 1);
  auto statsType = computeType.clone(statsShape);
  auto layerNorm = node.builder.create<LayerNormOp>(
      node.loc, TypeRange{computeType, statsType, statsType},
      node.castTo(node.input(0), stashType), node.castTo(*scale, stashType),
      bias, node.builder.getI64IntegerAttr(*axis),
      node.builder.getF64FloatAttr(node.floatAttribute("epsilon", 1e-5f)));
  for (int output = 0; output < node.node.output_size(); ++output) {
    if (node.node.output(output).empty())
      continue;
    Value result = layerNorm->getResult(output);
    if (output == 0)
      result = node.castTo(result, type.getElementType());
    node.setResult(output, result);
  }
  return success();
}

/// RMSNormalization (23): x / sqrt(mean(x^2) + epsilon) over the dimensions
/// from `axis` on, in the stash type, then in the scale's type times the
/// scale.
static LogicalResult importRmsNorm(NodeImporter &node) {
  RankedTensorType type = node.inputType(0);
  if (failed(node.requireFloat(type)) ||
      failed(node.requireFloat(node.inputType(1))))
    return failure();
  FailureOr<int64_t> axis =
      node.normalizeAxis(node.intAttribute("axis", -1), type.getRank());
  FailureOr<Type> stash = stashType(node);
  if (failed(axis) || failed(stash))
    return failure();
  FailureOr<Value> scale =
      normalizedParameter(node, 1, type.getShape().drop_front(*axis));
  if (failed(scale))
    return failure();
  Value x = node.castTo(node.input(0), *stash);
  auto computeType = type.clone(*stash);
  Value square = node.build<MulOp>(computeType, x, x);
  auto axes = llvm::to_vector(llvm::seq<int64_t>(*axis, type.getRank()));
  Value meanSquare = reduceKeepingDims<ReduceMeanOp>(node, square, axes);
  Value rms = node.withConstant<AddOp>(meanSquare,
                                       node.floatAttribute("epsilon", 1e-5f));
  rms = node.build<SqrtOp>(rms.getType(), rms);
  Type scaleType = node.inputType(1).getElementType();
  Value normalizedX = node.castTo(node.combine<DivOp>(x, rms), scaleType);
  node.setResult(0, node.combine<MulOp>(normalizedX, *scale));
  return success();
}

/// GroupNormalization: the channels (dimension 1) in num_groups groups, each
/// normalized over its channels and the spatial dimensions, then scaled and
/// shifted per group (18) or per channel (21, which also has stash_type).
static LogicalResult importGroupNorm(NodeImporter &node) {
  RankedTensorType type = node.inputType(0);
  if (failed(node.requireFloat(type)))
    return failure();
  if (type.getRank() < 2)
    return node.emitError() << "expects X of shape [N, C, ...], got " << type;
  int64_t groups = node.intAttribute("num_groups", 0);
  int64_t channels = type.getDimSize(1);
  if (groups <= 0 || channels % groups)
    return node.emitError()
           << "num_groups = " << groups << " does not divide the " << channels
           << " channels";
  Type stash = type.getElementType();
  if (node.version >= 21) {
    FailureOr<Type> given = stashType(node);
    if (failed(given))
      return failure();
    stash = *given;
  }
  int64_t parameterExtent = node.version >= 21 ? channels : groups;
  for (int index : {1, 2})
    if (node.inputType(index).getShape() != ArrayRef<int64_t>{parameterExtent})
      return node.emitError()
             << "input " << index << " ('" << node.node.input(index)
             << "') has type " << node.inputType(index)
             << "; GroupNormalization-" << node.version << " takes ["
             << parameterExtent << "]";

  int64_t perGroup = channels / groups;
  for (int64_t extent : type.getShape().drop_front(2))
    perGroup *= extent;
  auto groupedType =
      RankedTensorType::get({type.getDimSize(0), groups, perGroup}, stash);
  auto statsType = groupedType.clone({type.getDimSize(0), groups, 1});
  Value grouped =
      node.reshapeTo(node.castTo(node.input(0), stash), groupedType);
  Value ones =
      node.splatConstant(RankedTensorType::get({perGroup}, stash), 1.0);
  Value normalized =
      node.builder
          .create<LayerNormOp>(
              node.loc, TypeRange{groupedType, statsType, statsType}, grouped,
              ones, Value(), node.builder.getI64IntegerAttr(2),
              node.builder.getF64FloatAttr(
                  node.floatAttribute("epsilon", 1e-5f)))
          .getResult();
  normalized = node.reshapeTo(normalized, type.clone(stash));

  // Scale and bias as [C, 1, ...]: a group's value repeated for each of its
  // channels at 18.
  SmallVector<int64_t> channelShape(type.getRank() - 1, 1);
  channelShape[0] = channels;
  auto perChannel = [&](int index) {
    Value value = node.castTo(node.input(index), stash);
    if (node.version < 21)
      value = node.repeatEach(value, 0, channels / groups);
    return node.reshapeTo(value, RankedTensorType::get(channelShape, stash));
  };
  Value y = node.combine<AddOp>(node.combine<MulOp>(normalized, perChannel(1)),
                                perChannel(2));
  node.setResult(0, node.castTo(y, type.getElementType()));
  return success();
}

static FailureOr<LossReduction> lossReduction(NodeImporter &node) {
  const onnx::AttributeProto *attribute = node.attribute("reduction");
  std::string name = attribute ? attribute->s() : "mean";
  std::optional<LossReduction> reduction = symbolizeLossReduction(name);
  if (!reduction)
    return node.emitError() << "reduction '" << name << "' is not supported";
  return *reduction;
}

/// The loss of NegativeLogLikelihoodLoss on `logProbabilities`.
static LogicalResult importNllLossOf(NodeImporter &node,
                                     Value logProbabilities) {
  FailureOr<LossReduction> reduction = lossReduction(node);
  FailureOr<RankedTensorType> type = node.resultType(0);
  if (failed(reduction) || failed(type))
    return failure();
  IntegerAttr ignoreIndex;
  if (node.attribute("ignore_index"))
    ignoreIndex =
        node.builder.getI64IntegerAttr(node.intAttribute("ignore_index", 0));
  Value weight = node.hasInput(2) ? node.input(2) : Value();
  node.setResult(0,
                 node.build<NllLossOp>(*type, logProbabilities, node.input(1),
                                       weight, *reduction, ignoreIndex));
  return success();
}

static LogicalResult importNllLoss(NodeImporter &node) {
  if (failed(node.requireFloat(node.inputType(0))))
    return failure();
  return importNllLossOf(node, node.input(0));
}

/// log_softmax over the class axis, then the NLL loss; the optional second
/// output is the log-probabilities.
static LogicalResult importSoftmaxCrossEntropy(NodeImporter &node) {
  RankedTensorType type = node.inputType(0);
  if (failed(node.requireFloat(type)))
    return failure();
  if (type.getRank() < 2)
    return node.emitError() << "expects scores of shape [N, C, d...]";
  Value logProbabilities = node.build<LogSoftmaxOp>(
      type, node.input(0), node.builder.getI64IntegerAttr(1));
  if (node.node.output_size() > 1 && !node.node.output(1).empty())
    node.setResult(1, logProbabilities);
  return importNllLossOf(node, logProbabilities);
}

void quern::onnx_import::registerReductionOps(OpTable &table) {
  table.add("ReduceSum", {13}, importReduction<ReduceSumOp>);
  table.add("ReduceMean", {13, 18}, importReduction<ReduceMeanOp, isFloat>);
  table.add("ReduceMax", {13, 18, 20}, importReduction<ReduceMaxOp>);
  table.add("ReduceMin", {13, 18, 20}, importReduction<ReduceMinOp>);
  table.add("ReduceL1", {13, 18}, importSumOf<SumOf::Abs>);
  table.add("ReduceL2", {13, 18}, importSumOf<SumOf::L2>);
  table.add("ReduceLogSum", {13, 18}, importSumOf<SumOf::LogSum>);
  table.add("ReduceLogSumExp", {13, 18}, importSumOf<SumOf::LogSumExp>);
  table.add("ReduceSumSquare", {13, 18}, importSumOf<SumOf::Squares>);
  table.add("LayerNormalization", {17}, importLayerNorm);
  table.add("RMSNormalization", {23}, importRmsNorm);
  table.add("GroupNormalization", {18, 21}, importGroupNorm);
  table.add("NegativeLogLikelihoodLoss", {13, 22}, importNllLoss);
  table.add("SoftmaxCrossEntropyLoss", {13}, importSoftmaxCrossEntropy);
  table.add("Softmax", {13}, importSoftmax<SoftmaxOp>);
  table.add("LogSoftmax", {13}, importSoftmax<LogSoftmaxOp>);
}
