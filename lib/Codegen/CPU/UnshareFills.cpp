//===- UnshareFills.cpp - a fill of its own for every accumulator -*- C++ -*-=//
//
// CSE merges identical fills (every product of a training step starts from
// zeros), and bufferization then keeps one zero buffer and copies it into
// each product's output. With a fill per product the output is filled in
// place: half the memory traffic, and no zero buffer.
//
//===----------------------------------------------------------------------===//

#include "quern/Codegen/CPU/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

namespace quern {
#define GEN_PASS_DEF_UNSHAREFILLSPASS
#include "quern/Codegen/CPU/Passes.h.inc"
} // namespace quern

using namespace mlir;

namespace {

struct UnshareFillsPass : quern::impl::UnshareFillsPassBase<UnshareFillsPass> {
  void runOnOperation() override {
    SmallVector<linalg::FillOp> fills;
    getOperation().walk([&](linalg::FillOp fill) {
      if (fill.hasPureTensorSemantics() &&
          fill.getDpsInitOperand(0)->get().getDefiningOp<tensor::EmptyOp>())
        fills.push_back(fill);
    });
    for (linalg::FillOp fill : fills) {
      // Every op that writes into the fill gets a copy of it (and of its
      // empty tensor) just before it; ops that read it keep the original.
      SmallVector<OpOperand *> inits;
      for (OpOperand &use : fill->getResult(0).getUses())
        if (auto user = dyn_cast<DestinationStyleOpInterface>(use.getOwner());
            user && user.isDpsInit(&use))
          inits.push_back(&use);
      Value empty = fill.getDpsInitOperand(0)->get();
      for (OpOperand *init : inits) {
        OpBuilder builder(init->getOwner());
        IRMapping mapping;
        mapping.map(empty, builder.clone(*empty.getDefiningOp())->getResult(0));
        init->set(builder.clone(*fill, mapping)->getResult(0));
      }
      if (fill->use_empty())
        fill->erase();
      if (empty.use_empty())
        empty.getDefiningOp()->erase();
    }
  }
};

} // namespace
