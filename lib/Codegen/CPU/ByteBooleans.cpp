//===- ByteBooleans.cpp - booleans between ops as bytes ---------*- C++ -*-===//
//
// An i1 tensor that one elementwise op writes and others read (an attention
// mask, a ReLU's positive part) becomes a buffer of bytes. In memory each
// boolean takes a byte either way, but a vector of i1 is stored as packed
// bits, so ops touching i1 buffers cannot be vectorized; an i8 buffer can,
// and the conversions (extui when written, trunci when read) are free.
//
//===----------------------------------------------------------------------===//

#include "quern/Codegen/CPU/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

namespace quern {
#define GEN_PASS_DEF_BYTEBOOLEANSPASS
#include "quern/Codegen/CPU/Passes.h.inc"
} // namespace quern

using namespace mlir;

namespace {

/// Whether result `index` of `producer` can be written as bytes: its init
/// is a tensor.empty whose value the body never reads, and every use reads
/// it as an input of a linalg.generic.
bool canWriteBytes(linalg::GenericOp producer, unsigned index) {
  OpOperand *init = producer.getDpsInitOperand(index);
  if (!init->get().getDefiningOp<tensor::EmptyOp>() ||
      producer.payloadUsesValueFromOperand(init))
    return false;
  Value result = producer->getResult(index);
  return !result.use_empty() &&
         llvm::all_of(result.getUses(), [](OpOperand &use) {
           auto consumer = dyn_cast<linalg::GenericOp>(use.getOwner());
           return consumer && consumer.isDpsInput(&use);
         });
}

struct ByteBooleansPass : quern::impl::ByteBooleansPassBase<ByteBooleansPass> {
  void runOnOperation() override {
    SmallVector<std::pair<linalg::GenericOp, unsigned>> results;
    getOperation().walk([&](linalg::GenericOp producer) {
      for (OpResult result : producer->getResults())
        if (getElementTypeOrSelf(result.getType()).isInteger(1) &&
            canWriteBytes(producer, result.getResultNumber()))
          results.push_back({producer, result.getResultNumber()});
    });
    for (auto [producer, index] : results)
      writeBytes(producer, index);
  }

  /// Makes result `index` of `producer` an i8 tensor, and its readers read
  /// bytes.
  void writeBytes(linalg::GenericOp producer, unsigned index) {
    OpBuilder builder(producer);
    Type i8 = builder.getI8Type();
    Location loc = producer.getLoc();
    OpOperand *init = producer.getDpsInitOperand(index);
    auto empty = init->get().getDefiningOp<tensor::EmptyOp>();
    auto bytesType = empty.getType().clone(i8);
    init->set(builder.create<tensor::EmptyOp>(loc, bytesType.getShape(), i8,
                                              empty.getDynamicSizes()));
    OpResult result = producer->getResult(index);
    result.setType(bytesType);
    producer.getMatchingBlockArgument(init).setType(i8);
    Operation *yield = producer.getBody()->getTerminator();
    builder.setInsertionPoint(yield);
    yield->setOperand(index, builder.create<arith::ExtUIOp>(
                                 loc, i8, yield->getOperand(index)));

    for (OpOperand &use : result.getUses()) {
      auto consumer = cast<linalg::GenericOp>(use.getOwner());
      BlockArgument argument = consumer.getMatchingBlockArgument(&use);
      argument.setType(i8);
      builder.setInsertionPointToStart(consumer.getBody());
      auto boolean =
          builder.create<arith::TruncIOp>(loc, builder.getI1Type(), argument);
      argument.replaceAllUsesExcept(boolean, boolean);
    }
  }
};

} // namespace
