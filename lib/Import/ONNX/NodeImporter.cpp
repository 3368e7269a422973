//===- NodeImporter.cpp - what an op importer sees of its node --*- C++ -*-===//

#include "NodeImporter.h"

#include "Checks.h"
#include "Tensor.h"
#include "dialects/quern/QuernOps.h"
#include "mlir/Dialect/Traits.h"
#include "mlir/IR/TypeUtilities.h"

using namespace mlir;
using namespace quern;
using namespace quern::onnx_import;

Value NodeImporter::input(int index) const {
  assert(hasInput(index) && "optional input not given");
  Value value = graph.values.lookup(node.input(index));
  assert(value && "inputs are defined before use in a checked model");
  return value;
}

RankedTensorType NodeImporter::inputType(int index) const {
  return cast<RankedTensorType>(input(index).getType());
}

FailureOr<DenseElementsAttr> NodeImporter::constantInput(int index,
                                                         StringRef reason) {
  auto constant = input(index).getDefiningOp<ConstantOp>();
  auto dense =
      constant ? dyn_cast<DenseElementsAttr>(constant.getValue()) : nullptr;
  if (!dense)
    return emitError() << "input " << index << " ('" << node.input(index)
                       << "') must be a constant: " << reason
                       << " (a graph input can be fixed with --input-value "
                          "NAME=FILE.pb)";
  return dense;
}

FailureOr<SmallVector<int64_t>>
NodeImporter::constantIntsInput(int index, StringRef reason) {
  FailureOr<DenseElementsAttr> dense = constantInput(index, reason);
  if (failed(dense))
    return failure();
  if (!dense->getElementType().isSignlessInteger())
    return emitError() << "input " << index << " ('" << node.input(index)
                       << "') must hold integers";
  // Shapes, axes and counts are short lists; a huge tensor here is a broken
  // model, and reading it element by element would take minutes.
  constexpr int64_t kMaxListLength = 1 << 16;
  if (dense->getNumElements() > kMaxListLength)
    return emitError() << "input " << index << " ('" << node.input(index)
                       << "') holds " << dense->getNumElements()
                       << " values, more than a shape or list of axes can";
  SmallVector<int64_t> values;
  for (const APInt &value : dense->getValues<APInt>())
    values.push_back(value.getSExtValue());
  return values;
}

/// Whether ONNX gave `type` a static shape.
static bool isStatic(const onnx::TypeProto *type) {
  if (!type || !type->has_tensor_type() || !type->tensor_type().has_shape())
    return false;
  return llvm::all_of(type->tensor_type().shape().dim(),
                      [](const auto &dim) { return dim.has_dim_value(); });
}

FailureOr<RankedTensorType> NodeImporter::resultType(int index) {
  const std::string &name = node.output(index);
  const onnx::TypeProto *type = graph.types.lookup(name);
  if (isStatic(type))
    return convertTensorType(*type, "output '" + name + "'", loc);
  return inferAlone(index);
}

FailureOr<RankedTensorType> NodeImporter::inferAlone(int index) {
  SmallVector<KnownInput> inputs;
  for (int i = 0; i < node.input_size(); ++i) {
    if (!hasInput(i))
      continue;
    Value value = input(i);
    KnownInput known{
        node.input(i), cast<RankedTensorType>(value.getType()), {}};
    if (auto constant = value.getDefiningOp<ConstantOp>())
      known.value = dyn_cast<DenseElementsAttr>(constant.getValue());
    inputs.push_back(known);
  }
  FailureOr<std::vector<onnx::TypeProto>> types =
      inferNodeOutputTypes(node, inputs, opset, loc);
  if (failed(types))
    return failure();
  const std::string &name = node.output(index);
  if (!isStatic(&(*types)[index]))
    return emitError() << "ONNX shape inference cannot tell the shape of "
                          "output '"
                       << name << "'";
  return convertTensorType((*types)[index], "output '" + name + "'", loc);
}

void NodeImporter::setResult(int index, Value value) {
  graph.values[node.output(index)] = value;
}

const onnx::AttributeProto *
NodeImporter::attribute(llvm::StringRef name) const {
  for (const onnx::AttributeProto &attribute : node.attribute())
    if (attribute.name() == name)
      return &attribute;
  return nullptr;
}

int64_t NodeImporter::intAttribute(llvm::StringRef name,
                                   int64_t defaultValue) const {
  const onnx::AttributeProto *found = attribute(name);
  return found ? found->i() : defaultValue;
}

float NodeImporter::floatAttribute(llvm::StringRef name,
                                   float defaultValue) const {
  const onnx::AttributeProto *found = attribute(name);
  return found ? found->f() : defaultValue;
}

std::optional<SmallVector<int64_t>>
NodeImporter::intsAttribute(llvm::StringRef name) const {
  const onnx::AttributeProto *found = attribute(name);
  if (!found)
    return std::nullopt;
  return SmallVector<int64_t>(found->ints().begin(), found->ints().end());
}

FailureOr<int64_t> NodeImporter::normalizeAxis(int64_t axis, int64_t rank) {
  if (axis < -rank || axis >= rank)
    return emitError() << "axis " << axis << " is out of range for rank "
                       << rank;
  return axis < 0 ? axis + rank : axis;
}

FailureOr<SmallVector<int64_t>>
NodeImporter::normalizeAxes(ArrayRef<int64_t> axes, int64_t rank) {
  SmallVector<int64_t> normalized;
  for (int64_t axis : axes) {
    FailureOr<int64_t> one = normalizeAxis(axis, rank);
    if (failed(one))
      return failure();
    normalized.push_back(*one);
  }
  llvm::sort(normalized);
  if (std::adjacent_find(normalized.begin(), normalized.end()) !=
      normalized.end())
    return emitError() << "axes name one dimension twice";
  return normalized;
}

Value NodeImporter::broadcastTo(Value value, ArrayRef<int64_t> shape) {
  auto valueType = cast<RankedTensorType>(value.getType());
  if (valueType.getShape() == shape)
    return value;
  return build<BroadcastOp>(
      RankedTensorType::get(shape, valueType.getElementType()), value);
}

FailureOr<SmallVector<Value>>
NodeImporter::broadcastAll(ValueRange operands, RankedTensorType &type) {
  SmallVector<int64_t> shape;
  for (Value operand : operands) {
    SmallVector<int64_t> combined;
    if (!OpTrait::util::getBroadcastedShape(
            shape, cast<RankedTensorType>(operand.getType()).getShape(),
            combined))
      return emitError() << "operand shapes do not broadcast";
    shape = combined;
  }
  SmallVector<Value> broadcast;
  for (Value operand : operands)
    broadcast.push_back(broadcastTo(operand, shape));
  type = RankedTensorType::get(
      shape, cast<RankedTensorType>(operands[0].getType()).getElementType());
  return broadcast;
}

Value NodeImporter::window(Value value, int64_t axis, int64_t offset,
                           int64_t extent, int64_t stride) {
  auto type = cast<RankedTensorType>(value.getType());
  int64_t rank = type.getRank();
  if (axis < 0)
    axis += rank;
  SmallVector<int64_t> shape(type.getShape()), offsets(rank, 0),
      strides(rank, 1);
  shape[axis] = extent;
  offsets[axis] = offset;
  strides[axis] = stride;
  return build<SliceOp>(type.clone(shape), value, offsets, strides);
}

Value NodeImporter::repeatEach(Value value, int64_t axis, int64_t times) {
  if (times == 1)
    return value;
  auto type = cast<RankedTensorType>(value.getType());
  // [.., n, ..] -> [.., n, 1, ..] -> [.., n, times, ..] -> [.., n * times, ..]
  SmallVector<int64_t> expanded(type.getShape());
  expanded.insert(expanded.begin() + axis + 1, 1);
  value = reshapeTo(value, type.clone(expanded));
  expanded[axis + 1] = times;
  value = broadcastTo(value, expanded);
  SmallVector<int64_t> repeated(type.getShape());
  repeated[axis] *= times;
  return reshapeTo(value, type.clone(repeated));
}

Value NodeImporter::gelu(Value x, bool tanh) {
  auto type = cast<RankedTensorType>(x.getType());
  Value inner;
  if (!tanh) {
    inner = build<ErfOp>(type, withConstant<MulOp>(x, M_SQRT1_2));
  } else {
    Value cube = build<MulOp>(type, build<MulOp>(type, x, x), x);
    Value sum = build<AddOp>(type, x, withConstant<MulOp>(cube, 0.044715));
    inner =
        build<TanhOp>(type, withConstant<MulOp>(sum, std::sqrt(2.0 / M_PI)));
  }
  return build<MulOp>(type, withConstant<MulOp>(x, 0.5),
                      withConstant<AddOp>(inner, 1));
}

Value NodeImporter::castTo(Value value, Type elementType) {
  auto valueType = cast<RankedTensorType>(value.getType());
  if (valueType.getElementType() == elementType)
    return value;
  return build<CastOp>(valueType.clone(elementType), value);
}

Value NodeImporter::reshapeTo(Value value, RankedTensorType type) {
  // A reshape of a reshape is one of the first's input (which may already
  // have `type`: Unsqueeze then Squeeze).
  if (auto producer = value.getDefiningOp<ReshapeOp>())
    value = producer.getInput();
  if (value.getType() == type)
    return value;
  return build<ReshapeOp>(type, value);
}

Value NodeImporter::splatConstant(RankedTensorType type, double value) {
  return builder.create<ConstantOp>(loc, type, value);
}

LogicalResult NodeImporter::requireElementType(Type type,
                                               function_ref<bool(Type)> accepts,
                                               StringRef what) {
  Type elementType = getElementTypeOrSelf(type);
  if (accepts(elementType))
    return success();
  return emitError() << "supports " << what << " tensors only, got "
                     << elementType;
}

Location quern::onnx_import::nodeLocation(const onnx::NodeProto &node,
                                          int index, Location fileLoc) {
  MLIRContext *context = fileLoc.getContext();
  std::string name =
      node.name().empty() ? "#" + std::to_string(index) : node.name();
  return FusedLoc::get({NameLoc::get(StringAttr::get(context, name)), fileLoc},
                       StringAttr::get(context, node.op_type()), context);
}
