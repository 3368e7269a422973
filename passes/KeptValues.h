//===- KeptValues.h - what a training step keeps for its backward -*- C++ -*-//
//
// The forward values of a training step that its backward pass reads, as
// quern-make-train-step leaves them and quern-recompute changes them,
// recorded on the step for quernc's memory report
// (quern.kept_for_backward).
//
//===----------------------------------------------------------------------===//

#ifndef QUERN_PASSES_KEPTVALUES_H
#define QUERN_PASSES_KEPTVALUES_H

#include "mlir/Dialect/Func/IR/FuncOps.h"

#include <optional>

namespace quern {

/// A value as the memory report names it: its bytes, the ONNX node of the
/// op that computes it, and (for a recomputed one) that op's FLOPs.
struct NodeRecord {
  int64_t bytes;
  mlir::Location loc;
  std::optional<int64_t> flops = std::nullopt;
};

/// `[{bytes, name, op[, flops]}, ...]` of `records`, largest first (ties by
/// node name).
mlir::ArrayAttr describeByNode(mlir::MLIRContext *context,
                               llvm::ArrayRef<NodeRecord> records);

/// Records on `step` the results of the ops before `marker` that ops after
/// it read (other than the block's terminator), largest first, each with
/// its bytes and ONNX node.
void recordKeptValues(mlir::func::FuncOp step, mlir::Operation *marker);

} // namespace quern

#endif // QUERN_PASSES_KEPTVALUES_H
