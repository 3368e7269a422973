//===- ActivationBudget.cpp - a training step under a memory budget -*- C++
//-*-//

#include "ActivationBudget.h"

#include "quern/Bytes.h"

#include "dialects/quern/QuernAttributes.h"
#include "passes/Passes.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/FormatVariadic.h"

#include <cmath>

using namespace mlir;
using namespace quern;

namespace {

/// The grid of estimated budgets planned between the least and the most
/// memory (points 1 to kGridPoints - 1), and the refinements of the best.
constexpr int kGridPoints = 10;
constexpr int kRefinements = 2;

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

/// What one quern-recompute choice comes to: its estimated peak and the
/// workspace its plan needs.
struct Probe {
  int64_t estimatedPeak;
  uint64_t planned;
};

/// quern-recompute with `estimate` (0: the least) on a copy of `module`,
/// planned; failure when the estimate cannot be met.
FailureOr<Probe> probe(ModuleOp module, int64_t estimate,
                       const CPUCodegenOptions &codegen) {
  OwningOpRef<ModuleOp> copy = module.clone();
  if (failed(recompute(*copy, estimate, /*quiet=*/true)))
    return failure();
  auto step = copy->lookupSymbol<func::FuncOp>("train_step");
  auto record = step->getAttrOfType<DictionaryAttr>(kRecomputeAttrName);
  FailureOr<uint64_t> planned = plannedWorkspace(*copy, codegen);
  if (failed(planned))
    return failure();
  return Probe{record.getAs<IntegerAttr>("estimated_peak").getInt(), *planned};
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
  fit.workspaceWithout = *without;
  fit.budget =
      options.percent
          ? static_cast<uint64_t>(std::floor(*without * *options.percent / 100))
          : options.bytes;
  if (fit.budget >= *without)
    return fit;

  // The estimate is not the plan, and the plan does not even grow with it
  // everywhere. So the estimated budgets between the least the estimate
  // reaches and keeping everything are planned on a fixed grid, denser
  // towards the least, the same whatever the budget: the smallest plan
  // quernc reports for a budget it cannot meet is one a compile with that
  // budget finds again. The largest grid point whose plan fits (the fewest
  // FLOPs recomputed) is then refined towards the next one.
  FailureOr<Probe> least = probe(module, 0, codegen);
  FailureOr<Probe> keepingAll =
      probe(module, std::numeric_limits<int64_t>::max(), codegen);
  if (failed(least) || failed(keepingAll))
    return failure();
  uint64_t smallest = std::min(*without, least->planned);
  double low = static_cast<double>(least->estimatedPeak),
         high = static_cast<double>(keepingAll->estimatedPeak);
  // The estimate that fits with the fewest FLOPs (0: the least choice),
  // and the smallest estimate above it known not to fit.
  std::optional<double> fitting;
  if (least->planned <= fit.budget)
    fitting = 0;
  double above = high;
  auto tryEstimate = [&](double estimate) {
    FailureOr<Probe> tried =
        probe(module, static_cast<int64_t>(estimate), codegen);
    if (failed(tried))
      return false;
    smallest = std::min(smallest, tried->planned);
    return tried->planned <= fit.budget;
  };
  for (int point = 1; point < kGridPoints; ++point) {
    double step = static_cast<double>(point) / kGridPoints;
    double estimate = low + (high - low) * step * step;
    if (tryEstimate(estimate)) {
      fitting = estimate;
      above = high;
    } else if (fitting) {
      above = std::min(above, estimate);
    }
  }
  for (int refine = 0; fitting && refine < kRefinements; ++refine) {
    double estimate = (std::max(*fitting, low) + above) / 2;
    if (tryEstimate(estimate))
      fitting = estimate;
    else
      above = estimate;
  }
  if (!fitting)
    return emitError(loc) << llvm::formatv(
               "--activation-budget: the step's workspace cannot be made "
               "{0} ({1} bytes); the smallest budget recomputation can "
               "meet is {2} bytes ({3}; {4} without recomputation)",
               formatBytes(fit.budget), fit.budget, smallest,
               formatBytes(smallest), formatBytes(*without));
  if (failed(recompute(module, static_cast<int64_t>(*fitting),
                       /*quiet=*/false)))
    return failure();
  FailureOr<uint64_t> with = plannedWorkspace(module, codegen);
  if (failed(with))
    return failure();
  if (*with > fit.budget)
    return emitError(loc) << llvm::formatv(
               "--activation-budget: internal error: the choice planned to "
               "{0} bytes fits in {1} no longer",
               *with, fit.budget);
  return fit;
}
