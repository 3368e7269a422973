//===- Passes.h - Quern graph passes ----------------------------*- C++ -*-===//

#ifndef QUERN_PASSES_PASSES_H
#define QUERN_PASSES_PASSES_H

#include "dialects/quern/QuernDialect.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassManager.h"

namespace quern {

#define GEN_PASS_DECL
#include "passes/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "passes/Passes.h.inc"

/// The graph passes that rewrite @forward before anything else runs: expert
/// fusion (when `fuseExperts`).
struct GraphOptions {
  bool fuseExperts = true;
  FuseExpertsPassOptions experts;
};

/// The passes of `options` on @forward, for forward and training compiles.
void buildGraphPipeline(mlir::OpPassManager &pm, const GraphOptions &options);

/// The graph passes that turn @forward into @forward and @train_step.
struct TrainStepOptions {
  GraphOptions graph;
  /// quern-mark-trainable's globs (its options struct only refers to them).
  std::vector<std::string> trainable, freeze;
  /// quern-lora, when adapters are to be added, and its `targets` globs.
  std::optional<LoraPassOptions> lora;
  std::vector<std::string> loraTargets;
  /// quern-quantize, when frozen weights are to be quantized, and its
  /// `only` globs.
  std::optional<QuantizePassOptions> quantize;
  std::vector<std::string> quantizeOnly;
  MakeTrainStepPassOptions step;
};

/// The graph pipeline, then quern-mark-trainable, quern-lora and
/// quern-quantize (when asked) and quern-make-train-step.
void buildTrainStepPipeline(mlir::OpPassManager &pm,
                            const TrainStepOptions &options);

/// Registers `quern-train-pipeline` (buildTrainStepPipeline) for quern-opt.
void registerTrainStepPipeline();

} // namespace quern

#endif // QUERN_PASSES_PASSES_H
