//===- Collective.cpp - bufferizing the buckets' collectives ---*- C++ -*-===//
//
// quern.collective_start packs its values into the bucket's buffer (one
// value that fills it is the buffer), and quern.collective_wait works in
// place on it: bufferization makes each a call of the host's communicator
// on it,
//
//   void quern_collective_start(int64_t bucket, int64_t kind, float *values,
//                               int64_t count);
//   void quern_collective_wait(int64_t bucket, int64_t kind, float *values,
//                              int64_t count);
//
// (kind: the quern::CollectiveKind value, as docs/ABI.md numbers them),
// which the library defines around the functions NAME_set_communicator is
// given (lib/Driver/EntryPoints.cpp). The wait names the buffer too: the
// workspace plan keeps it alive, and no other value in it, from the start
// to the wait, while the host writes it.
//
//===----------------------------------------------------------------------===//

#include "quern/Codegen/CPU/Passes.h"

#include "dialects/quern/QuernOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/BufferizableOpInterface.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"

using namespace mlir;
using namespace mlir::bufferization;

namespace {

/// Calls the communicator's `callee` on `bucket`, a buffer of its own.
LogicalResult callCommunicator(RewriterBase &rewriter, Operation *op,
                               StringRef callee, Value bucket,
                               quern::CollectiveKind kind, int64_t number) {
  auto type = cast<MemRefType>(bucket.getType());
  if (!type.getLayout().isIdentity())
    return op->emitOpError("expects its bucket in a buffer of its own");
  Location loc = op->getLoc();
  Type i64 = rewriter.getI64Type();
  // Both calls take the bucket as a memref<1xf32> view (a bare pointer to
  // its first element): one callee type for every bucket, and the view is
  // a use of the buffer, so the workspace plan keeps it alive until the
  // wait.
  auto first = MemRefType::get({1}, rewriter.getF32Type());
  auto module = op->getParentOfType<ModuleOp>();
  if (!module.lookupSymbol(callee)) {
    OpBuilder::InsertionGuard guard(rewriter);
    rewriter.setInsertionPointToStart(module.getBody());
    auto declaration = rewriter.create<func::FuncOp>(
        loc, callee, rewriter.getFunctionType({i64, i64, first, i64}, {}));
    declaration.setPrivate();
  }
  Value view = rewriter.create<memref::ReinterpretCastOp>(
      loc, first, bucket, /*offset=*/0, /*sizes=*/ArrayRef<int64_t>{1},
      /*strides=*/ArrayRef<int64_t>{1});
  Value arguments[] = {
      rewriter.create<arith::ConstantIntOp>(loc, number, 64),
      rewriter.create<arith::ConstantIntOp>(loc, static_cast<int64_t>(kind),
                                            64),
      view,
      rewriter.create<arith::ConstantIntOp>(loc, type.getNumElements(), 64)};
  rewriter.create<func::CallOp>(loc, callee, TypeRange{}, arguments);
  return success();
}

/// Whether a start packs its values into a buffer of its own: unless one
/// value fills the bucket, which is then the bucket itself.
bool packs(quern::CollectiveStartOp start) {
  return start.getValues().size() != 1 ||
         start.getValues()[0].getType() != start.getPending().getType();
}

struct StartModel
    : BufferizableOpInterface::ExternalModel<StartModel,
                                             quern::CollectiveStartOp> {
  bool bufferizesToMemoryRead(Operation *, OpOperand &,
                              const AnalysisState &) const {
    return true;
  }
  bool bufferizesToMemoryWrite(Operation *op, OpOperand &,
                               const AnalysisState &) const {
    return !packs(cast<quern::CollectiveStartOp>(op));
  }
  AliasingValueList getAliasingValues(Operation *op, OpOperand &,
                                      const AnalysisState &) const {
    if (packs(cast<quern::CollectiveStartOp>(op)))
      return {};
    return {{op->getResult(0), BufferRelation::Equivalent}};
  }
  bool bufferizesToAllocation(Operation *op, Value) const {
    return packs(cast<quern::CollectiveStartOp>(op));
  }
  LogicalResult bufferize(Operation *op, RewriterBase &rewriter,
                          const BufferizationOptions &options) const {
    auto start = cast<quern::CollectiveStartOp>(op);
    Location loc = op->getLoc();
    Value bucket;
    if (!packs(start)) {
      FailureOr<Value> buffer =
          getBuffer(rewriter, start.getValues()[0], options);
      if (failed(buffer))
        return failure();
      bucket = *buffer;
    } else {
      FailureOr<Value> alloc = options.createAlloc(
          rewriter, loc,
          MemRefType::get(start.getPending().getType().getShape(),
                          rewriter.getF32Type()),
          ValueRange{});
      if (failed(alloc))
        return failure();
      bucket = *alloc;
      int64_t offset = 0;
      for (Value value : start.getValues()) {
        FailureOr<Value> buffer = getBuffer(rewriter, value, options);
        if (failed(buffer))
          return failure();
        int64_t size = cast<RankedTensorType>(value.getType()).getNumElements();
        Value slot = rewriter.create<memref::SubViewOp>(
            loc, bucket, ArrayRef<int64_t>{offset}, ArrayRef<int64_t>{size},
            ArrayRef<int64_t>{1});
        if (failed(options.createMemCpy(rewriter, loc, *buffer, slot)))
          return failure();
        offset += size;
      }
    }
    if (failed(callCommunicator(rewriter, op, "quern_collective_start", bucket,
                                start.getKind(), start.getBucket())))
      return failure();
    replaceOpWithBufferizedValues(rewriter, op, bucket);
    return success();
  }
};

struct WaitModel
    : BufferizableOpInterface::ExternalModel<WaitModel,
                                             quern::CollectiveWaitOp> {
  bool bufferizesToMemoryRead(Operation *, OpOperand &,
                              const AnalysisState &) const {
    return true;
  }
  bool bufferizesToMemoryWrite(Operation *, OpOperand &,
                               const AnalysisState &) const {
    return true;
  }
  AliasingValueList getAliasingValues(Operation *op, OpOperand &,
                                      const AnalysisState &) const {
    return {{op->getResult(0), BufferRelation::Equivalent}};
  }
  LogicalResult bufferize(Operation *op, RewriterBase &rewriter,
                          const BufferizationOptions &options) const {
    auto wait = cast<quern::CollectiveWaitOp>(op);
    FailureOr<Value> bucket = getBuffer(rewriter, wait.getPending(), options);
    if (failed(bucket) ||
        failed(callCommunicator(rewriter, op, "quern_collective_wait", *bucket,
                                wait.getKind(), wait.getBucket())))
      return failure();
    replaceOpWithBufferizedValues(rewriter, op, *bucket);
    return success();
  }
};

} // namespace

void quern::registerCollectiveBufferization(DialectRegistry &registry) {
  registry.addExtension(+[](MLIRContext *context, QuernDialect *) {
    CollectiveStartOp::attachInterface<StartModel>(*context);
    CollectiveWaitOp::attachInterface<WaitModel>(*context);
  });
}
