//===- ActivationBudget.cpp - a training step under a memory budget -*- C++
//-*-//

#include "ActivationBudget.h"

#include "Memory.h"

#include "dialects/quern/QuernAttributes.h"
#include "passes/Passes.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/FormatVariadic.h"

#include <cmath>

using namespace mlir;
using namespace quern;

namespace {

/// Choices planned before the least-memory one is tried.
constexpr int kMaxAttempts = 8;

/// The workspace the CPU pipeline plans for a copy of `module`.
FailureOr<uint64_t> plannedWorkspace(ModuleOp module,
                                     CPUCodegenOptions codegen) {
  OwningOpRef<ModuleOp> copy = module.clone();
  codegen.stopAfterPlanning = true;
  PassManager pm(module.getContext());
  buildCPUCodegenPipeline(pm, codegen);
  if (failed(pm.run(*copy)))
    return failure();
  uint64_t bytes = 0;
  copy->walk([&](func::FuncOp func) {
    if (auto planned =
            func->getAttrOfType<IntegerAttr>(kWorkspaceBytesAttrName))
      bytes = std::max<uint64_t>(bytes, planned.getInt());
  });
  return bytes;
}

/// Runs quern-recompute with `estimate` (0: the least) on `module`;
/// `quiet` keeps a budget it cannot meet from being reported.
LogicalResult recompute(ModuleOp module, int64_t estimate, bool quiet) {
  std::optional<ScopedDiagnosticHandler> silence;
  if (quiet)
    silence.emplace(module.getContext(),
                    [](Diagnostic &) { return success(); });
  RecomputePassOptions options;
  options.budget = estimate;
  PassManager pm(module.getContext());
  pm.addPass(createRecomputePass(options));
  return pm.run(module);
}

/// The workspace of a copy of `module` after quern-recompute with
/// `estimate`; failure when the estimate cannot be met.
FailureOr<uint64_t> plannedWithRecompute(ModuleOp module, int64_t estimate,
                                         const CPUCodegenOptions &codegen) {
  OwningOpRef<ModuleOp> copy = module.clone();
  if (failed(recompute(*copy, estimate, /*quiet=*/true)))
    return failure();
  return plannedWorkspace(*copy, codegen);
}

/// The estimated peak of keeping everything, as quern-recompute records it.
FailureOr<int64_t> estimateKeepingAll(ModuleOp module) {
  OwningOpRef<ModuleOp> copy = module.clone();
  if (failed(recompute(*copy, std::numeric_limits<int64_t>::max(),
                       /*quiet=*/false)))
    return failure();
  auto step = copy->lookupSymbol<func::FuncOp>("train_step");
  auto record = step->getAttrOfType<DictionaryAttr>(kRecomputeAttrName);
  return record.getAs<IntegerAttr>("estimated_peak_keeping_all").getInt();
}

} // namespace

bool quern::parseActivationBudget(StringRef text, RecomputeOptions &options,
                                  std::string &error) {
  StringRef number = text.trim();
  if (number.consume_back("%")) {
    double percent = 0;
    if (number.getAsDouble(percent) || !(percent > 0 && percent <= 100)) {
      error = "'" + text.str() + "' is not a percentage in (0, 100]";
      return false;
    }
    options.percent = percent;
    return true;
  }
  uint64_t unit = 1;
  for (auto [suffix, size] : {std::pair<StringRef, uint64_t>{"KiB", 1ull << 10},
                              {"MiB", 1ull << 20},
                              {"GiB", 1ull << 30}})
    if (number.consume_back(suffix)) {
      unit = size;
      break;
    }
  uint64_t count = 0;
  if (number.trim().getAsInteger(10, count) || count == 0 ||
      count > std::numeric_limits<uint64_t>::max() / unit) {
    error = "'" + text.str() +
            "' is neither a number of bytes (optionally with KiB, MiB or "
            "GiB) nor a percentage N%";
    return false;
  }
  options.bytes = count * unit;
  return true;
}

FailureOr<BudgetFit>
quern::fitActivationBudget(ModuleOp module, const RecomputeOptions &options,
                           const CPUCodegenOptions &codegen, Location loc) {
  BudgetFit fit;
  FailureOr<uint64_t> without = plannedWorkspace(module, codegen);
  if (failed(without))
    return failure();
  fit.workspaceWithout = fit.workspaceWith = *without;
  fit.budget =
      options.percent
          ? static_cast<uint64_t>(std::floor(*without * *options.percent / 100))
          : options.bytes;
  if (fit.budget >= *without)
    return fit;

  // The estimate scales with the plan: start from the estimate of keeping
  // everything, scaled as the budget is to the plan, and shrink it by each
  // plan's excess.
  FailureOr<int64_t> keepingAll = estimateKeepingAll(module);
  if (failed(keepingAll))
    return failure();
  double estimate = static_cast<double>(*keepingAll) * fit.budget / *without;
  std::optional<int64_t> fitting;
  // The smallest workspace any choice was planned to: the estimate is not
  // the plan, so the least estimated peak need not be the least planned.
  uint64_t smallest = *without;
  for (int attempt = 0; attempt < kMaxAttempts && estimate >= 1; ++attempt) {
    ++fit.attempts;
    FailureOr<uint64_t> planned =
        plannedWithRecompute(module, static_cast<int64_t>(estimate), codegen);
    if (failed(planned))
      break;
    smallest = std::min(smallest, *planned);
    if (*planned <= fit.budget) {
      fitting = static_cast<int64_t>(estimate);
      break;
    }
    estimate = std::min(estimate - 1, estimate * fit.budget / *planned);
  }
  if (!fitting) {
    // The least memory quern-recompute can reach: it may still fit.
    ++fit.attempts;
    FailureOr<uint64_t> least = plannedWithRecompute(module, 0, codegen);
    if (failed(least))
      return failure();
    smallest = std::min(smallest, *least);
    if (*least > fit.budget)
      return emitError(loc) << llvm::formatv(
                 "--activation-budget: the step's workspace cannot be made "
                 "{0} ({1} bytes); the smallest budget recomputation can "
                 "meet is {2} bytes ({3}; {4} without recomputation)",
                 formatBytes(fit.budget), fit.budget, smallest,
                 formatBytes(smallest), formatBytes(*without));
    fitting = 0;
  }
  if (failed(recompute(module, *fitting, /*quiet=*/false)))
    return failure();
  FailureOr<uint64_t> with = plannedWorkspace(module, codegen);
  if (failed(with))
    return failure();
  fit.workspaceWith = *with;
  return fit;
}
