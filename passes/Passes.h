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

/// The graph passes that turn @forward into @forward and @train_step.
struct TrainStepOptions {
  /// quern-mark-trainable's globs (its options struct only refers to them).
  std::vector<std::string> trainable, freeze;
  MakeTrainStepPassOptions step;
};

/// quern-mark-trainable, then quern-make-train-step.
void buildTrainStepPipeline(mlir::OpPassManager &pm,
                            const TrainStepOptions &options);

/// Registers `quern-train-pipeline` (buildTrainStepPipeline) for quern-opt.
void registerTrainStepPipeline();

} // namespace quern

#endif // QUERN_PASSES_PASSES_H
