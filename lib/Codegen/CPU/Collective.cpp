//===- Collective.cpp - bufferizing the buckets' collectives ---*- C++ -*-===//
//
// quern.collective_start and quern.collective_wait work in place on their
// bucket's buffer: bufferization makes each a call of the host's
// communicator on it,
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

template <typename Op>
struct CollectiveModel
    : BufferizableOpInterface::ExternalModel<CollectiveModel<Op>, Op> {
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
    FailureOr<Value> buffer = getBuffer(rewriter, op->getOperand(0), options);
    if (failed(buffer))
      return failure();
    StringRef callee = std::is_same_v<Op, quern::CollectiveStartOp>
                           ? "quern_collective_start"
                           : "quern_collective_wait";
    auto type = cast<MemRefType>(buffer->getType());
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
        loc, first, *buffer, /*offset=*/0, /*sizes=*/ArrayRef<int64_t>{1},
        /*strides=*/ArrayRef<int64_t>{1});
    auto kind = static_cast<int64_t>(cast<Op>(op).getKind());
    Value arguments[] = {
        rewriter.create<arith::ConstantIntOp>(
            loc, op->getAttrOfType<IntegerAttr>("bucket").getInt(), 64),
        rewriter.create<arith::ConstantIntOp>(loc, kind, 64), view,
        rewriter.create<arith::ConstantIntOp>(loc, type.getNumElements(), 64)};
    rewriter.create<func::CallOp>(loc, callee, TypeRange{}, arguments);
    replaceOpWithBufferizedValues(rewriter, op, *buffer);
    return success();
  }
};

} // namespace

void quern::registerCollectiveBufferization(DialectRegistry &registry) {
  registry.addExtension(+[](MLIRContext *context, QuernDialect *) {
    CollectiveStartOp::attachInterface<CollectiveModel<CollectiveStartOp>>(
        *context);
    CollectiveWaitOp::attachInterface<CollectiveModel<CollectiveWaitOp>>(
        *context);
  });
}
