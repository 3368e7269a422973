//===- NodeImporter.cpp - what an op importer sees of its node --*- C++ -*-===//

#include "NodeImporter.h"

#include "Tensor.h"
#include "dialects/quern/QuernOps.h"

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

FailureOr<DenseElementsAttr> NodeImporter::constantInput(int index) {
  auto constant = input(index).getDefiningOp<ConstantOp>();
  auto dense =
      constant ? dyn_cast<DenseElementsAttr>(constant.getValue()) : nullptr;
  if (!dense)
    return emitError() << "input " << index << " ('" << node.input(index)
                       << "') must be a constant";
  return dense;
}

FailureOr<SmallVector<int64_t>> NodeImporter::constantIntsInput(int index) {
  FailureOr<DenseElementsAttr> dense = constantInput(index);
  if (failed(dense))
    return failure();
  if (!dense->getElementType().isSignlessInteger())
    return emitError() << "input " << index << " ('" << node.input(index)
                       << "') must hold integers";
  SmallVector<int64_t> values;
  for (const APInt &value : dense->getValues<APInt>())
    values.push_back(value.getSExtValue());
  return values;
}

FailureOr<RankedTensorType> NodeImporter::resultType(int index) {
  const std::string &name = node.output(index);
  const onnx::TypeProto *type = graph.types.lookup(name);
  if (!type)
    return emitError() << "ONNX shape inference found no type for output '"
                       << name << "'";
  return convertTensorType(*type, "output '" + name + "'", loc);
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

Value NodeImporter::broadcastTo(Value value, RankedTensorType type) {
  auto valueType = cast<RankedTensorType>(value.getType());
  if (valueType.getShape() == type.getShape())
    return value;
  auto resultType =
      RankedTensorType::get(type.getShape(), valueType.getElementType());
  return builder.create<BroadcastOp>(loc, resultType, value);
}

Value NodeImporter::reshapeTo(Value value, RankedTensorType type) {
  if (value.getType() == type)
    return value;
  return builder.create<ReshapeOp>(loc, type, value);
}

Value NodeImporter::splatConstant(RankedTensorType type, double value) {
  auto attr = DenseElementsAttr::get(
      type, builder.getFloatAttr(type.getElementType(), value));
  return builder.create<ConstantOp>(loc, attr);
}
