//===- ActivationBudget.h - a training step under a memory budget -*- C++ -*-//
//
// quernc --activation-budget: quern-recompute chooses what to recompute
// against its own estimate of the step's memory; the budget is on the real
// peak, the workspace the CPU pipeline plans. So choices for a few estimated
// budgets are planned (the code generation pipeline up to the workspace
// plan, on a copy of the module): one aimed at the budget, or the least
// choice when the budget is near it or the aimed one does not fit, then
// estimates interpolated between the nearest that fit and do not; the one
// with the largest estimated budget whose plan fits is taken, and code
// generation goes on from its plan.
//
//===----------------------------------------------------------------------===//

#ifndef QUERN_LIB_DRIVER_ACTIVATIONBUDGET_H
#define QUERN_LIB_DRIVER_ACTIVATIONBUDGET_H

#include "quern/Codegen/CPU/Passes.h"
#include "quern/Driver/Driver.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Support/Timing.h"

namespace quern {

struct BudgetFit {
  /// The planned workspace without quern-recompute.
  uint64_t workspaceWithout = 0;
  /// The budget in bytes the percentage (if any) came to.
  uint64_t budget = 0;
};

/// Runs quern-recompute on the training step of `module` (quern IR) so that
/// its planned workspace, with `codegen`, is at most the budget of
/// `options`. Fails with a diagnostic at `loc` naming the smallest
/// workspace it can reach when the budget is below it. On success,
/// `planned` is the result of `module` through the pipeline up to the plan
/// (CPUCodegenOptions::Stage::UntilPlanned), made while fitting: code
/// generation goes on from it instead of planning the same module again.
/// Each choice and plan is timed under `timer`.
mlir::FailureOr<BudgetFit>
fitActivationBudget(mlir::ModuleOp module, const RecomputeOptions &options,
                    const CPUCodegenOptions &codegen, mlir::Location loc,
                    mlir::OwningOpRef<mlir::ModuleOp> &planned,
                    mlir::TimingScope &timer);

} // namespace quern

#endif // QUERN_LIB_DRIVER_ACTIVATIONBUDGET_H
