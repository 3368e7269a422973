//===- RecomputeInput.cpp - bufferizing quern.recompute_input ---*- C++ -*-===//
//
// quern.recompute_input is its input: bufferization gives its result the
// input's buffer, without a copy, and removes it.
//
//===----------------------------------------------------------------------===//

#include "quern/Codegen/CPU/Passes.h"

#include "dialects/quern/QuernOps.h"

#include "mlir/Dialect/Bufferization/IR/BufferizableOpInterface.h"

using namespace mlir;
using namespace mlir::bufferization;

namespace {

struct RecomputeInputModel
    : BufferizableOpInterface::ExternalModel<RecomputeInputModel,
                                             quern::RecomputeInputOp> {
  bool bufferizesToMemoryRead(Operation *, OpOperand &,
                              const AnalysisState &) const {
    return false;
  }
  bool bufferizesToMemoryWrite(Operation *, OpOperand &,
                               const AnalysisState &) const {
    return false;
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
    replaceOpWithBufferizedValues(rewriter, op, *buffer);
    return success();
  }
};

} // namespace

void quern::registerRecomputeInputBufferization(DialectRegistry &registry) {
  registry.addExtension(+[](MLIRContext *context, QuernDialect *) {
    RecomputeInputOp::attachInterface<RecomputeInputModel>(*context);
  });
}
