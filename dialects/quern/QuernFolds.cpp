//===- QuernFolds.cpp - quern op folders ------------------------*- C++ -*-===//
//
// Folds that remove no-op shape manipulation, so that the importer can emit
// ONNX's ops one for one and leave the clean-up to canonicalization.
//
//===----------------------------------------------------------------------===//

#include "dialects/quern/QuernOps.h"

#include "mlir/IR/BuiltinAttributes.h"

using namespace mlir;
using namespace quern;

OpFoldResult ConstantOp::fold(FoldAdaptor) { return getValue(); }

OpFoldResult ReshapeOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getType())
    return getInput();
  // A chain of reshapes is one reshape of the first input.
  if (auto producer = getInput().getDefiningOp<ReshapeOp>()) {
    setOperand(producer.getInput());
    return getResult();
  }
  if (auto dense = dyn_cast_if_present<DenseElementsAttr>(adaptor.getInput()))
    return dense.reshape(getType());
  return {};
}

OpFoldResult TransposeOp::fold(FoldAdaptor) {
  for (auto [dim, source] : llvm::enumerate(getPerm()))
    if (source != static_cast<int64_t>(dim))
      return {};
  return getInput();
}

OpFoldResult BroadcastOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getType())
    return getInput();
  if (auto dense = dyn_cast_if_present<DenseElementsAttr>(adaptor.getInput()))
    if (dense.isSplat())
      return DenseElementsAttr::get(getType(), dense.getSplatValue<Attribute>());
  return {};
}
