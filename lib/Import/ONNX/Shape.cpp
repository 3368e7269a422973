//===- Shape.cpp - ONNX shape ops and constants -----------------*- C++ -*-===//
//
// Reshape-like ops take their result shape from ONNX shape inference, which
// has already evaluated the shape operand (with data propagation), so the
// shape input is only checked to be a constant, not read.
//
//===----------------------------------------------------------------------===//

#include "OpTable.h"

#include "Tensor.h"
#include "dialects/quern/QuernOps.h"

using namespace mlir;
using namespace quern;
using namespace quern::onnx_import;

static LogicalResult importReshapeLike(NodeImporter &node) {
  FailureOr<RankedTensorType> type = node.resultType(0);
  if (failed(type))
    return failure();
  node.setResult(0, node.reshapeTo(node.input(0), *type));
  return success();
}

/// Reshape's shape operand must be a constant: any other source (a graph
/// input) makes the shape a runtime value, which static shapes cannot honour
/// even when the output's declared type happens to be static.
static LogicalResult importReshape(NodeImporter &node) {
  if (failed(node.constantIntsInput(1)))
    return failure();
  return importReshapeLike(node);
}

static LogicalResult importIdentity(NodeImporter &node) {
  node.setResult(0, node.input(0));
  return success();
}

static LogicalResult importTranspose(NodeImporter &node) {
  FailureOr<RankedTensorType> type = node.resultType(0);
  if (failed(type))
    return failure();
  int64_t rank = type->getRank();
  SmallVector<int64_t> perm;
  if (std::optional<SmallVector<int64_t>> given = node.intsAttribute("perm")) {
    perm = *given;
  } else {
    for (int64_t dim = rank - 1; dim >= 0; --dim)
      perm.push_back(dim);
  }
  node.setResult(
      0, node.builder.create<TransposeOp>(node.loc, *type, node.input(0), perm));
  return success();
}

/// A float or int attribute as a rank-0 or rank-1 dense constant.
template <typename T>
static DenseElementsAttr scalarsAttribute(Type elementType,
                                          ArrayRef<T> values, bool isList) {
  SmallVector<int64_t> shape;
  if (isList)
    shape.push_back(values.size());
  return DenseElementsAttr::get(RankedTensorType::get(shape, elementType),
                                values);
}

static LogicalResult importConstant(NodeImporter &node) {
  const onnx::AttributeProto &attribute = node.node.attribute(0);
  Builder &b = node.builder;
  DenseElementsAttr value;
  if (attribute.name() == "value") {
    FailureOr<DenseElementsAttr> tensor =
        tensorAttribute(attribute.t(), node.loc);
    if (failed(tensor))
      return failure();
    value = *tensor;
  } else if (attribute.name() == "value_float") {
    float scalar = attribute.f();
    value = scalarsAttribute<float>(b.getF32Type(), scalar, false);
  } else if (attribute.name() == "value_floats") {
    SmallVector<float> values(attribute.floats().begin(),
                              attribute.floats().end());
    value = scalarsAttribute<float>(b.getF32Type(), values, true);
  } else if (attribute.name() == "value_int") {
    int64_t scalar = attribute.i();
    value = scalarsAttribute<int64_t>(b.getI64Type(), scalar, false);
  } else if (attribute.name() == "value_ints") {
    SmallVector<int64_t> values(attribute.ints().begin(),
                                attribute.ints().end());
    value = scalarsAttribute<int64_t>(b.getI64Type(), values, true);
  } else {
    return node.emitError() << "attribute '" << attribute.name()
                            << "' is not supported";
  }
  node.setResult(0, node.builder.create<ConstantOp>(node.loc, value));
  return success();
}

void quern::onnx_import::registerShapeOps(OpTable &table) {
  table.add("Constant", {13}, importConstant);
  table.add("Flatten", {13}, importReshapeLike);
  table.add("Identity", {13, 14, 16}, importIdentity);
  table.add("Reshape", {13, 14}, importReshape);
  table.add("Transpose", {13}, importTranspose);
}
