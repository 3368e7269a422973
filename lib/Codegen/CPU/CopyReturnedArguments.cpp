//===- CopyReturnedArguments.cpp - one buffer per result --------*- C++ -*-===//
//
// buffer-results-to-out-params writes each result into the caller's buffer
// by replacing the result's allocation with the out-parameter. A result
// without an allocation of its own (a function argument, or a buffer
// returned twice) would have nothing to replace, so it gets a copy first.
// A result that is a collapsed view of an allocation (a product computed
// in panels of rows, [M, N/32, 32], returned as [M, N]) would be copied
// too: its allocation becomes the expanded view of one of the result's
// shape, which is then returned itself.
//
//===----------------------------------------------------------------------===//

#include "quern/Codegen/CPU/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "llvm/ADT/SmallPtrSet.h"

namespace quern {
#define GEN_PASS_DEF_COPYRETURNEDARGUMENTSPASS
#include "quern/Codegen/CPU/Passes.h.inc"
} // namespace quern

using namespace mlir;

namespace {

/// The allocation of the result's shape that `value` (a collapsed view of
/// a static allocation with the identity layout) becomes, the allocation
/// replaced by the expanded view of it; or `value` itself.
Value allocateCollapsed(Value value) {
  auto collapse = value.getDefiningOp<memref::CollapseShapeOp>();
  auto alloc =
      collapse ? collapse.getSrc().getDefiningOp<memref::AllocOp>() : nullptr;
  if (!alloc || !alloc.getType().hasStaticShape() ||
      !alloc.getType().getLayout().isIdentity() ||
      !collapse.getType().getLayout().isIdentity())
    return value;
  OpBuilder builder(alloc);
  auto whole = builder.create<memref::AllocOp>(
      alloc.getLoc(), collapse.getType(), alloc.getAlignmentAttr());
  auto view = builder.create<memref::ExpandShapeOp>(
      alloc.getLoc(), alloc.getType(), whole,
      collapse.getReassociationIndices());
  alloc.replaceAllUsesWith(view.getResult());
  alloc.erase();
  return whole;
}

struct CopyReturnedArgumentsPass
    : quern::impl::CopyReturnedArgumentsPassBase<CopyReturnedArgumentsPass> {
  void runOnOperation() override {
    getOperation().walk([](func::ReturnOp ret) {
      llvm::SmallPtrSet<Value, 8> seen;
      OpBuilder builder(ret);
      for (OpOperand &operand : ret->getOpOperands()) {
        operand.set(allocateCollapsed(operand.get()));
        Value value = operand.get();
        auto type = dyn_cast<MemRefType>(value.getType());
        bool isOwnBuffer =
            !isa<BlockArgument>(value) && seen.insert(value).second;
        if (!type || isOwnBuffer)
          continue;
        auto copyType = MemRefType::get(type.getShape(), type.getElementType());
        Value copy = builder.create<memref::AllocOp>(
            ret.getLoc(), copyType, builder.getI64IntegerAttr(64));
        builder.create<linalg::CopyOp>(ret.getLoc(), value, copy);
        operand.set(copy);
      }
    });
  }
};

} // namespace
