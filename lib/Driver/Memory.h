//===- Memory.h - what a compiled step keeps in memory ----------*- C++ -*-===//
//
// The manifest's `memory` and `quernc --print-memory-report`: the workspace
// (every scratch buffer of a call, planned at compile time) and, for a
// training step built by Quern, the activations it keeps for backward. Their
// bytes come from the workspace plan: the buffers written before the
// backward pass begins and read after it (quern.kept_for_backward_bytes,
// after fusion, which recomputes some cheap values, and with views sharing
// memory). Which values they are, by ONNX node, comes from the graph as the
// step was built (quern.kept_for_backward), the only place that still knows.
//
//===----------------------------------------------------------------------===//

#ifndef QUERN_LIB_DRIVER_MEMORY_H
#define QUERN_LIB_DRIVER_MEMORY_H

#include "ActivationBudget.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/JSON.h"

#include <optional>

namespace quern {

struct KeptValue {
  int64_t bytes;
  /// The ONNX node that computes it, and its op type.
  std::string name, opType;
  /// For a recomputed value, the FLOPs of recomputing it.
  int64_t flops = 0;
};

/// What quern-recompute chose (quern.recompute on @train_step).
struct RecomputeReport {
  int64_t flops = 0;
  double gap = 0, solveSeconds = 0;
  /// Its model's estimates of the peak, with and without recomputation.
  int64_t estimatedPeak = 0, estimatedPeakKeepingAll = 0;
  /// The values recomputed, largest first.
  std::vector<KeptValue> values;
};

/// The moment of the plan when its buffers hold the most bytes
/// (quern.peak): those bytes and the node then running (`at`), the largest
/// buffers then (by the node that first writes each) and how many there
/// are.
struct PeakReport {
  KeptValue at;
  std::vector<KeptValue> buffers;
  int64_t count = 0;
};

struct MemoryReport {
  uint64_t workspaceBytes = 0;
  /// From the plan; none when the step was not built from a forward graph
  /// (a TrainingInfoProto's, or one with its own backward) or there is no
  /// step.
  std::optional<int64_t> keptBytes;
  /// The forward's values the backward reads, largest first, as the graph
  /// has them (before fusion); none as for keptBytes.
  std::optional<std::vector<KeptValue>> keptValues;
  /// With --activation-budget: the budget and the planned workspaces, and
  /// what was recomputed (none when the budget needed no recomputation).
  std::optional<BudgetFit> budget;
  std::optional<RecomputeReport> recompute;
  /// Of the entry point whose buffers hold the most at once.
  std::optional<PeakReport> peak;
};

/// The kept values recorded on @train_step of `module` (quern IR), if any.
std::optional<std::vector<KeptValue>> readKeptValues(mlir::ModuleOp module);

/// What quern-recompute recorded on @train_step of `module`, if it ran.
std::optional<RecomputeReport> readRecompute(mlir::ModuleOp module);

/// The planned kept bytes recorded on the lowered train_step of `module`,
/// if any.
std::optional<int64_t> readKeptBytes(mlir::ModuleOp module);

/// The peak recorded on the lowered functions of `module` whose buffers
/// hold the most at once, if any.
std::optional<PeakReport> readPeak(mlir::ModuleOp module);

/// The manifest's `memory` object.
llvm::json::Object memoryJson(const MemoryReport &report);

/// `quernc --print-memory-report`: both sizes and the `top` largest kept
/// values.
void printMemoryReport(llvm::raw_ostream &os, const MemoryReport &report,
                       size_t top = 10);

} // namespace quern

#endif // QUERN_LIB_DRIVER_MEMORY_H
