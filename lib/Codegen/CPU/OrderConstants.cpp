//===- OrderConstants.cpp - constant globals in first-use order -*- C++ -*-===//
//
// Bufferization creates the constant globals in an order that depends on
// addresses (see Passes.td); renaming and ordering them by first use makes
// the generated library the same bytes on every run.
//
//===----------------------------------------------------------------------===//

#include "quern/Codegen/CPU/Passes.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/SymbolTable.h"
#include "llvm/ADT/MapVector.h"

namespace quern {
#define GEN_PASS_DEF_ORDERCONSTANTSPASS
#include "quern/Codegen/CPU/Passes.h.inc"
} // namespace quern

using namespace mlir;

namespace {

struct OrderConstantsPass
    : quern::impl::OrderConstantsPassBase<OrderConstantsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SymbolTable symbols(module);
    // The constant globals, in the order of their first use.
    llvm::MapVector<memref::GlobalOp, std::string> order;
    module.walk([&](memref::GetGlobalOp use) {
      auto global = symbols.lookup<memref::GlobalOp>(use.getName());
      if (global && global.getConstant() && !order.contains(global))
        order.insert({global, ""});
    });
    // New names in two steps, so that no new name meets an old one.
    for (auto [index, entry] : llvm::enumerate(order)) {
      entry.second = "__constant_" + std::to_string(index);
      if (failed(symbols.rename(entry.first, entry.second + "_renamed")))
        return signalPassFailure();
    }
    Block &body = module.getBodyRegion().front();
    Operation *first = nullptr;
    for (auto &[global, name] : order) {
      if (failed(symbols.rename(global, name)))
        return signalPassFailure();
      if (first)
        global->moveAfter(first);
      else
        global->moveBefore(&body, body.begin());
      first = global;
    }
  }
};

} // namespace
