//===- WriteBackUpdates.cpp - which arguments bufferization may write -*- C++
//-*-===//

#include "quern/Codegen/CPU/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "llvm/ADT/BitVector.h"

namespace quern {
#define GEN_PASS_DEF_READONLYARGUMENTSPASS
#define GEN_PASS_DEF_WRITEBACKUPDATESPASS
#include "quern/Codegen/CPU/Passes.h.inc"
} // namespace quern

using namespace mlir;

namespace {

struct ReadOnlyArgumentsPass
    : quern::impl::ReadOnlyArgumentsPassBase<ReadOnlyArgumentsPass> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    Builder builder(func.getContext());
    for (unsigned index = 0; index < func.getNumArguments(); ++index)
      if (!func.getArgAttr(index, "bufferization.writable"))
        func.setArgAttr(index, "bufferization.writable",
                        builder.getBoolAttr(false));
  }
};

struct WriteBackUpdatesPass
    : quern::impl::WriteBackUpdatesPassBase<WriteBackUpdatesPass> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (func.isExternal())
      return;
    llvm::BitVector erase(func.getNumResults());
    SmallVector<std::pair<unsigned, unsigned>> copies; // result, argument
    for (unsigned index = 0; index < func.getNumResults(); ++index)
      if (std::optional<unsigned> target =
              quern::getUpdatedArgument(func, index)) {
        copies.emplace_back(index, *target);
        erase.set(index);
      }
    if (copies.empty())
      return;
    func.walk([&](func::ReturnOp ret) {
      OpBuilder builder(ret);
      for (auto [result, argument] : copies) {
        Value value = ret.getOperand(result);
        if (value != func.getArgument(argument))
          builder.create<linalg::CopyOp>(ret.getLoc(), value,
                                         func.getArgument(argument));
      }
      ret->eraseOperands(erase);
    });
    func.eraseResults(erase);
  }
};

} // namespace
