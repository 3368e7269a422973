//===- Indexing.cpp - ONNX gathers, scatters, TopK, Trilu -------*- C++ -*-===//

#include "OpTable.h"

#include "dialects/quern/QuernOps.h"

using namespace mlir;
using namespace quern;
using namespace quern::onnx_import;

static LogicalResult importGather(NodeImporter &node) {
  FailureOr<RankedTensorType> type = node.resultType(0);
  FailureOr<int64_t> axis = node.normalizeAxis(node.intAttribute("axis", 0),
                                               node.inputType(0).getRank());
  if (failed(type) || failed(axis))
    return failure();
  node.setResult(
      0, node.build<GatherOp>(*type, node.input(0), node.input(1), *axis));
  return success();
}

static LogicalResult importGatherElements(NodeImporter &node) {
  FailureOr<int64_t> axis = node.normalizeAxis(node.intAttribute("axis", 0),
                                               node.inputType(0).getRank());
  if (failed(axis))
    return failure();
  auto type = node.inputType(1).clone(node.inputType(0).getElementType());
  node.setResult(0, node.build<GatherElementsOp>(type, node.input(0),
                                                 node.input(1), *axis));
  return success();
}

static FailureOr<ScatterReduction> scatterReduction(NodeImporter &node) {
  const onnx::AttributeProto *attribute = node.attribute("reduction");
  std::string name = attribute ? attribute->s() : "none";
  std::optional<ScatterReduction> reduction = symbolizeScatterReduction(name);
  if (!reduction)
    return node.emitError() << "reduction '" << name << "' is not supported";
  return *reduction;
}

static LogicalResult importScatterElements(NodeImporter &node) {
  FailureOr<int64_t> axis = node.normalizeAxis(node.intAttribute("axis", 0),
                                               node.inputType(0).getRank());
  FailureOr<ScatterReduction> reduction = scatterReduction(node);
  if (failed(axis) || failed(reduction))
    return failure();
  node.setResult(0, node.build<ScatterElementsOp>(
                        node.inputType(0), node.input(0), node.input(1),
                        node.input(2), *axis, *reduction));
  return success();
}

static LogicalResult importScatterND(NodeImporter &node) {
  FailureOr<ScatterReduction> reduction = scatterReduction(node);
  if (failed(reduction))
    return failure();
  node.setResult(0, node.build<ScatterNDOp>(node.inputType(0), node.input(0),
                                            node.input(1), node.input(2),
                                            *reduction));
  return success();
}

/// TopK's outputs always have a known shape once k is known, so it is
/// computed here rather than asked of shape inference (which cannot see k
/// when an exporter computes it).
static LogicalResult importTopK(NodeImporter &node) {
  RankedTensorType inputType = node.inputType(0);
  FailureOr<SmallVector<int64_t>> k = node.constantIntsInput(1);
  FailureOr<int64_t> axis =
      node.normalizeAxis(node.intAttribute("axis", -1), inputType.getRank());
  if (failed(k) || failed(axis))
    return failure();
  if (k->size() != 1)
    return node.emitError() << "K must hold one value";
  if (failed(node.requireElementType(
          inputType, [](Type t) { return !t.isInteger(1); }, "numeric")))
    return failure();
  SmallVector<int64_t> shape(inputType.getShape());
  if ((*k)[0] < 0 || (*k)[0] > shape[*axis])
    return node.emitError()
           << "K = " << (*k)[0] << " is out of range for an axis of size "
           << shape[*axis];
  shape[*axis] = (*k)[0];
  bool smallest = node.intAttribute("largest", 1) == 0;
  auto topK = node.builder.create<TopKOp>(
      node.loc, inputType.clone(shape),
      RankedTensorType::get(shape, node.builder.getI64Type()), node.input(0),
      (*k)[0], *axis, smallest);
  node.setResult(0, topK.getValues());
  node.setResult(1, topK.getIndices());
  return success();
}

static LogicalResult importTrilu(NodeImporter &node) {
  int64_t k = 0;
  if (node.hasInput(1)) {
    FailureOr<SmallVector<int64_t>> given =
        node.constantIntsInput(1, "quern.trilu takes k as an attribute");
    if (failed(given))
      return failure();
    k = given->front();
  }
  if (node.inputType(0).getRank() < 2)
    return node.emitError() << "expects a tensor of rank at least 2";
  node.setResult(0, node.build<TriluOp>(node.inputType(0), node.input(0), k,
                                        node.intAttribute("upper", 1) != 0));
  return success();
}

/// OneHot: `values[1]` where an index (negative ones counted from `depth`)
/// equals the position along the new axis, else `values[0]`. An index out
/// of range gives a row of `values[0]`, as ONNX says.
static LogicalResult importOneHot(NodeImporter &node) {
  RankedTensorType indicesType = node.inputType(0);
  if (failed(node.requireElementType(
          indicesType, [](Type t) { return !t.isInteger(1); }, "numeric")))
    return failure();
  // depth: one number, cast to int64 (truncated) when it is a float.
  FailureOr<DenseElementsAttr> given = node.constantInput(1);
  if (failed(given))
    return failure();
  if (given->getNumElements() != 1)
    return node.emitError() << "depth must be one positive value";
  int64_t depthValue =
      isa<FloatType>(given->getElementType())
          ? static_cast<int64_t>(
                (*given->getValues<APFloat>().begin()).convertToDouble())
      : given->getElementType().isUnsignedInteger()
          ? static_cast<int64_t>(
                (*given->getValues<APInt>().begin()).getZExtValue())
          : (*given->getValues<APInt>().begin()).getSExtValue();
  if (depthValue < 1)
    return node.emitError() << "depth must be one positive value";
  // ONNX's shape inference has checked that values holds two elements.
  RankedTensorType valuesType = node.inputType(2);
  int64_t rank = indicesType.getRank() + 1;
  FailureOr<int64_t> axis =
      node.normalizeAxis(node.intAttribute("axis", -1), rank);
  if (failed(axis))
    return failure();
  int64_t size = depthValue;
  OpBuilder &b = node.builder;
  Type i64 = b.getI64Type();
  SmallVector<int64_t> shape(indicesType.getShape());
  shape.insert(shape.begin() + *axis, size);
  auto resultType = RankedTensorType::get(shape, valuesType.getElementType());
  // The indices, counted from the end when negative (unsigned ones never
  // are: 2^63 and above stay out of range), along the new axis.
  Value indices = node.castTo(node.input(0), i64);
  auto indices64 = cast<RankedTensorType>(indices.getType());
  if (!indicesType.getElementType().isUnsignedInteger()) {
    Value negative = node.build<CompareOp>(indices64.clone(b.getI1Type()),
                                           ComparePredicate::lt, indices,
                                           node.splatConstant(indices64, 0));
    indices = node.build<SelectOp>(
        indices64, negative,
        node.build<AddOp>(indices64, indices,
                          node.splatConstant(indices64, size)),
        indices);
  }
  SmallVector<int64_t> unitShape(indicesType.getShape());
  unitShape.insert(unitShape.begin() + *axis, 1);
  indices = node.broadcastTo(
      node.reshapeTo(indices, RankedTensorType::get(unitShape, i64)), shape);
  // The positions along it.
  SmallVector<int64_t> positionShape(rank, 1);
  positionShape[*axis] = size;
  auto positionType = RankedTensorType::get(positionShape, i64);
  Value positions = node.broadcastTo(
      b.create<ConstantOp>(
          node.loc, DenseElementsAttr::get(positionType,
                                           ArrayRef(llvm::to_vector(
                                               llvm::seq<int64_t>(0, size))))),
      shape);
  Value hot = node.build<CompareOp>(resultType.clone(b.getI1Type()),
                                    ComparePredicate::eq, indices, positions);
  auto pick = [&](int64_t which) {
    Value flat = node.reshapeTo(node.input(2), valuesType.clone({2}));
    return node.broadcastTo(node.build<SliceOp>(valuesType.clone({1}), flat,
                                                ArrayRef<int64_t>{which},
                                                ArrayRef<int64_t>{1}),
                            shape);
  };
  node.setResult(0, node.build<SelectOp>(resultType, hot, pick(1), pick(0)));
  return success();
}

void quern::onnx_import::registerIndexingOps(OpTable &table) {
  table.add("OneHot", {11}, importOneHot);
  table.add("Gather", {13}, importGather);
  table.add("GatherElements", {13}, importGatherElements);
  table.add("ScatterElements", {13, 16, 18}, importScatterElements);
  table.add("ScatterND", {13, 16, 18}, importScatterND);
  table.add("TopK", {11}, importTopK);
  table.add("Trilu", {14}, importTrilu);
}
