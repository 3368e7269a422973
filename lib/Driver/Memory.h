//===- Memory.h - what a compiled step keeps in memory ----------*- C++ -*-===//
//
// The manifest's `memory` and `quernc --print-memory-report`: the workspace
// (every scratch buffer of a call, planned at compile time) and, for a
// training step built by Quern, the activations it keeps for backward (the
// forward's values its backward reads, quern.kept_for_backward). Those are
// counted in the graph as the training step is built, before fusion, which
// recomputes some cheap ones (and views share memory): an upper bound on
// what the workspace holds across the forward/backward boundary.
//
//===----------------------------------------------------------------------===//

#ifndef QUERN_LIB_DRIVER_MEMORY_H
#define QUERN_LIB_DRIVER_MEMORY_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/JSON.h"

#include <optional>

namespace quern {

struct KeptValue {
  int64_t bytes;
  /// The ONNX node that computes it, and its op type.
  std::string name, opType;
};

struct MemoryReport {
  uint64_t workspaceBytes = 0;
  /// Largest first; none when the step was not built from a forward graph
  /// (a TrainingInfoProto's, or one with its own backward) or there is no
  /// step.
  std::optional<std::vector<KeptValue>> kept;

  int64_t keptBytes() const;
};

/// The kept values recorded on @train_step of `module` (quern IR), if any.
std::optional<std::vector<KeptValue>> readKeptValues(mlir::ModuleOp module);

/// The manifest's `memory` object.
llvm::json::Object memoryJson(const MemoryReport &report);

/// `quernc --print-memory-report`: both sizes and the `top` largest kept
/// values.
void printMemoryReport(llvm::raw_ostream &os, const MemoryReport &report,
                       size_t top = 10);

} // namespace quern

#endif // QUERN_LIB_DRIVER_MEMORY_H
