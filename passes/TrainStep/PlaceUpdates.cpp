//===- PlaceUpdates.cpp - update each parameter once its gradient is final -*-
// C++ -*-//
//
// quern-place-updates: quern-make-train-step builds the optimizer's updates
// after every gradient, so every parameter's gradient lives until the end
// of the step. Each op computing a state update (a result of @train_step
// with quern.updates) moves to just after the last op it must follow: the
// ops defining its operands, and every other reader of the argument it
// overwrites, which must see the old value. A parameter is then updated as
// soon as its gradient is final and its last reader has run, and the
// gradient's buffer is free for the rest of the backward pass. An update of
// a clipped gradient stays after the global norm it reads, an update after
// a micro-batch loop after the loop. The updates compute what they did.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "dialects/quern/QuernAttributes.h"

namespace quern {
#define GEN_PASS_DEF_PLACEUPDATESPASS
#include "passes/Passes.h.inc"
} // namespace quern

using namespace mlir;
using namespace quern;

namespace {

struct PlaceUpdatesPass : quern::impl::PlaceUpdatesPassBase<PlaceUpdatesPass> {
  void runOnOperation() override {
    auto step = getOperation().lookupSymbol<func::FuncOp>("train_step");
    if (!step || step.isExternal())
      return;
    Block &body = step.getBody().front();
    Operation *terminator = body.getTerminator();
    // The update ops, in program order, each with the arguments it
    // overwrites.
    llvm::MapVector<Operation *, SmallVector<unsigned>> overwrites;
    SmallVector<std::pair<Operation *, unsigned>> found;
    for (unsigned index = 0; index < step.getNumResults(); ++index)
      if (auto target =
              step.getResultAttrOfType<IntegerAttr>(index, kUpdatesAttrName))
        if (Operation *op = terminator->getOperand(index).getDefiningOp())
          if (op->getBlock() == &body)
            found.push_back({op, static_cast<unsigned>(target.getInt())});
    llvm::sort(found, [](auto a, auto b) {
      return a.first != b.first ? a.first->isBeforeInBlock(b.first)
                                : a.second < b.second;
    });
    for (auto [op, argument] : found)
      overwrites[op].push_back(argument);

    for (auto &[op, arguments] : overwrites) {
      Operation *after = nullptr;
      auto follow = [&, op = op](Operation *other) {
        Operation *ancestor =
            other ? body.findAncestorOpInBlock(*other) : nullptr;
        if (ancestor && ancestor != op && ancestor != terminator &&
            (!after || after->isBeforeInBlock(ancestor)))
          after = ancestor;
      };
      for (Value operand : op->getOperands())
        follow(operand.getDefiningOp());
      for (unsigned argument : arguments)
        for (Operation *reader : step.getArgument(argument).getUsers())
          follow(reader);
      // Only ever earlier: a reader after the op keeps it where it is.
      if (after && after->isBeforeInBlock(op))
        op->moveAfter(after);
    }
  }
};

} // namespace
