//===- UnshareInits.cpp - an init of its own for every output --*- C++ -*-===//
//
// CSE merges identical fills (every product of a training step starts from
// zeros) and identical empty tensors (every elementwise op of a shape writes
// into one). Bufferization then keeps one zero buffer and copies it into each
// product's output; and all the ops writing into one empty tensor are
// aliases of one value, whose in-place analysis compares every read with
// every write of them: quadratic, minutes for a recomputed training step. An
// init of its own per op writes the output in place, with small alias sets.
//
//===----------------------------------------------------------------------===//

#include "quern/Codegen/CPU/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

namespace quern {
#define GEN_PASS_DEF_UNSHAREINITSPASS
#include "quern/Codegen/CPU/Passes.h.inc"
} // namespace quern

using namespace mlir;

namespace {

/// Gives every op that writes into the result of `chain` (the ops that make
/// it, in order, each reading the one before) a clone of the chain just
/// before it, and erases the chain if nothing reads it any more.
void unshare(ArrayRef<Operation *> chain) {
  Value shared = chain.back()->getResult(0);
  if (shared.hasOneUse())
    return;
  SmallVector<OpOperand *> inits;
  for (OpOperand &use : shared.getUses())
    if (auto user = dyn_cast<DestinationStyleOpInterface>(use.getOwner());
        user && user.isDpsInit(&use))
      inits.push_back(&use);
  for (OpOperand *init : inits) {
    OpBuilder builder(init->getOwner());
    IRMapping mapping;
    for (Operation *op : chain)
      builder.clone(*op, mapping);
    init->set(mapping.lookup(shared));
  }
  for (Operation *op : llvm::reverse(chain))
    if (op->use_empty())
      op->erase();
}

struct UnshareInitsPass : quern::impl::UnshareInitsPassBase<UnshareInitsPass> {
  void runOnOperation() override {
    // Fills first: their clones bring empty tensors of their own.
    SmallVector<linalg::FillOp> fills;
    getOperation().walk([&](linalg::FillOp fill) {
      if (fill.hasPureTensorSemantics() &&
          fill.getDpsInitOperand(0)->get().getDefiningOp<tensor::EmptyOp>())
        fills.push_back(fill);
    });
    for (linalg::FillOp fill : fills)
      unshare({fill.getDpsInitOperand(0)->get().getDefiningOp(), fill});
    SmallVector<tensor::EmptyOp> empties;
    getOperation().walk(
        [&](tensor::EmptyOp empty) { empties.push_back(empty); });
    for (tensor::EmptyOp empty : empties)
      unshare({empty});
  }
};

} // namespace
