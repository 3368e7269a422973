//===- Elementwise.cpp - ONNX elementwise ops -------------------*- C++ -*-===//
//
// ONNX broadcasts implicitly (numpy rules); quern broadcasts explicitly, so
// each operand is broadcast to the inferred result shape first.
//
//===----------------------------------------------------------------------===//

#include "OpTable.h"

#include "dialects/quern/QuernOps.h"

using namespace mlir;
using namespace quern;
using namespace quern::onnx_import;

/// Float-only ops reject other element types with a message, not a
/// verifier failure.
static LogicalResult requireFloat(NodeImporter &node, RankedTensorType type) {
  if (isa<FloatType>(type.getElementType()))
    return success();
  return node.emitError() << "supports float tensors only, got " << type;
}

template <typename Op>
static LogicalResult importUnary(NodeImporter &node) {
  FailureOr<RankedTensorType> type = node.resultType(0);
  if (failed(type) || failed(requireFloat(node, *type)))
    return failure();
  node.setResult(0, node.builder.create<Op>(node.loc, *type, node.input(0)));
  return success();
}

template <typename Op>
static LogicalResult importBinary(NodeImporter &node) {
  FailureOr<RankedTensorType> type = node.resultType(0);
  if (failed(type) || failed(requireFloat(node, *type)))
    return failure();
  Value lhs = node.broadcastTo(node.input(0), *type);
  Value rhs = node.broadcastTo(node.input(1), *type);
  node.setResult(0, node.builder.create<Op>(node.loc, *type, lhs, rhs));
  return success();
}

void quern::onnx_import::registerElementwiseOps(OpTable &table) {
  table.add("Add", {13, 14}, importBinary<AddOp>);
  table.add("Sub", {13, 14}, importBinary<SubOp>);
  table.add("Mul", {13, 14}, importBinary<MulOp>);
  table.add("Div", {13, 14}, importBinary<DivOp>);
  table.add("Neg", {13}, importUnary<NegOp>);
  table.add("Relu", {13, 14}, importUnary<ReluOp>);
  table.add("Exp", {13}, importUnary<ExpOp>);
  table.add("Log", {13}, importUnary<LogOp>);
  table.add("Tanh", {13}, importUnary<TanhOp>);
  table.add("Sigmoid", {13}, importUnary<SigmoidOp>);
  table.add("Sqrt", {13}, importUnary<SqrtOp>);
}
