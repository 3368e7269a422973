//===- Reduction.cpp - ONNX reductions and softmax --------------*- C++ -*-===//

#include "OpTable.h"

#include "dialects/quern/QuernOps.h"

using namespace mlir;
using namespace quern;
using namespace quern::onnx_import;

/// The axes a Reduce* node reduces over: from its `axes` input (ReduceSum
/// since 13) or attribute (the others until 18). No axes means all of them,
/// or none with noop_with_empty_axes.
static FailureOr<SmallVector<int64_t>> reductionAxes(NodeImporter &node,
                                                     bool axesAreInput,
                                                     int64_t rank) {
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

template <typename Op, bool AxesAreInput>
static LogicalResult importReduction(NodeImporter &node) {
  RankedTensorType inputType = node.inputType(0);
  if (!isa<FloatType>(inputType.getElementType()))
    return node.emitError() << "supports float tensors only";
  // Axes first: when they are not constant, shape inference cannot type the
  // result either, and the axes are the cause to report.
  FailureOr<SmallVector<int64_t>> axes =
      reductionAxes(node, AxesAreInput, inputType.getRank());
  if (failed(axes))
    return failure();
  if (axes->empty()) {
    node.setResult(0, node.input(0));
    return success();
  }
  FailureOr<RankedTensorType> type = node.resultType(0);
  if (failed(type))
    return failure();
  bool keepDims = node.intAttribute("keepdims", 1) != 0;
  node.setResult(0, node.builder.create<Op>(node.loc, *type, node.input(0),
                                            *axes, keepDims));
  return success();
}

template <typename Op>
static LogicalResult importSoftmax(NodeImporter &node) {
  FailureOr<RankedTensorType> type = node.resultType(0);
  if (failed(type))
    return failure();
  if (!isa<FloatType>(type->getElementType()))
    return node.emitError() << "supports float tensors only";
  FailureOr<int64_t> axis =
      node.normalizeAxis(node.intAttribute("axis", -1), type->getRank());
  if (failed(axis))
    return failure();
  node.setResult(0,
                 node.builder.create<Op>(node.loc, *type, node.input(0), *axis));
  return success();
}

void quern::onnx_import::registerReductionOps(OpTable &table) {
  table.add("ReduceSum", {13}, importReduction<ReduceSumOp, true>);
  table.add("ReduceMean", {13}, importReduction<ReduceMeanOp, false>);
  table.add("ReduceMax", {13}, importReduction<ReduceMaxOp, false>);
  table.add("Softmax", {13}, importSoftmax<SoftmaxOp>);
  table.add("LogSoftmax", {13}, importSoftmax<LogSoftmaxOp>);
}
