//===- CopyReturnedArguments.cpp - one buffer per result --------*- C++ -*-===//
//
// buffer-results-to-out-params writes each result into the caller's buffer
// by replacing the result's allocation with the out-parameter. A result
// without an allocation of its own (a function argument, or a buffer
// returned twice) would have nothing to replace, so it gets a copy first.
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

struct CopyReturnedArgumentsPass
    : quern::impl::CopyReturnedArgumentsPassBase<CopyReturnedArgumentsPass> {
  void runOnOperation() override {
    getOperation().walk([](func::ReturnOp ret) {
      llvm::SmallPtrSet<Value, 8> seen;
      OpBuilder builder(ret);
      for (OpOperand &operand : ret->getOpOperands()) {
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
