//===- ActivationBudget.cpp - a training step under a memory budget -*- C++
//-*-//

#include "ActivationBudget.h"

#include "quern/Bytes.h"

#include "dialects/quern/QuernAttributes.h"
#include "passes/Passes.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/FormatVariadic.h"

#include <algorithm>
#include <cmath>
#include <optional>

using namespace mlir;
using namespace quern;

namespace {

/// The most choices planned after the first that fits; the search stops earlier
/// once a plan uses all but kCloseEnough of the budget. Probes aim at a plan
/// kAim below the budget, so that the first usually fits.
constexpr int kMaxProbes = 4;
constexpr double kCloseEnough = 0.02;
constexpr double kAim = 0.01;
/// The optimality gap the search's probes accept: a probe solved to 0.1%
/// (the pass's default) took up to 2.7 s of an 8-layer GPT's 10 s search.
constexpr double kProbeGap = 0.01;
/// How far above the least choice's estimate a budget is probed before the
/// least choice is planned: nearer, the probe would seldom fit.
constexpr double kAimAboveLeast = 1.25;

/// A copy of a module through the CPU pipeline up to the workspace plan,
/// and the workspace planned.
struct Plan {
  uint64_t bytes;
  OwningOpRef<ModuleOp> lowered;
};

/// `module` planned by the CPU pipeline, on a copy, timed under `timer`.
FailureOr<Plan> planWorkspace(ModuleOp module, CPUCodegenOptions codegen,
                              TimingScope &timer) {
  Plan plan{0, module.clone()};
  codegen.stage = CPUCodegenOptions::Stage::UntilPlanned;
  PassManager pm(module.getContext());
  (void)applyPassManagerCLOptions(pm);
  TimingScope planTimer = timer.nest("Plan the workspace");
  pm.enableTiming(planTimer);
  buildCPUCodegenPipeline(pm, codegen);
  if (failed(pm.run(*plan.lowered)))
    return failure();
  plan.lowered->walk([&](func::FuncOp func) {
    if (auto planned =
            func->getAttrOfType<IntegerAttr>(kWorkspaceBytesAttrName))
      plan.bytes = std::max<uint64_t>(plan.bytes, planned.getInt());
  });
  return plan;
}

/// One quern-recompute choice: the estimated budget it was made for, the
/// module it made and that module planned.
struct Probe {
  double estimate;
  OwningOpRef<ModuleOp> module;
  Plan plan;
};

/// A choice known not to fit: its estimate and planned workspace.
struct Bound {
  double estimate;
  uint64_t bytes;
};

/// quern-recompute with `estimate` (0: the least) on a copy of `module`.
/// `quiet` keeps a failure (the solver finding no choice within its limits)
/// from being reported.
FailureOr<OwningOpRef<ModuleOp>> choose(ModuleOp module, double estimate,
                                        bool quiet, TimingScope &timer) {
  OwningOpRef<ModuleOp> copy = module.clone();
  std::optional<ScopedDiagnosticHandler> silence;
  if (quiet)
    silence.emplace(module.getContext(),
                    [](Diagnostic &) { return success(); });
  RecomputePassOptions options;
  options.budget = static_cast<int64_t>(estimate);
  if (estimate > 0)
    options.gap = kProbeGap;
  PassManager pm(module.getContext());
  (void)applyPassManagerCLOptions(pm);
  pm.enableTiming(timer);
  pm.addPass(createRecomputePass(options));
  if (failed(pm.run(*copy)))
    return failure();
  return copy;
}

/// The choice `chosen` made with `estimate`, planned.
FailureOr<Probe> plan(OwningOpRef<ModuleOp> chosen, double estimate,
                      const CPUCodegenOptions &codegen, TimingScope &timer) {
  FailureOr<Plan> planned = planWorkspace(*chosen, codegen, timer);
  if (failed(planned))
    return failure();
  return Probe{estimate, std::move(chosen), std::move(*planned)};
}

/// choose, then plan.
FailureOr<Probe> probe(ModuleOp module, double estimate,
                       const CPUCodegenOptions &codegen, bool quiet,
                       TimingScope &timer) {
  FailureOr<OwningOpRef<ModuleOp>> chosen =
      choose(module, estimate, quiet, timer);
  if (failed(chosen))
    return failure();
  return plan(std::move(*chosen), estimate, codegen, timer);
}

/// A figure quern-recompute recorded on the training step of `recomputed`.
double recorded(ModuleOp recomputed, StringRef key) {
  auto step = recomputed.lookupSymbol<func::FuncOp>("train_step");
  auto record = step->getAttrOfType<DictionaryAttr>(kRecomputeAttrName);
  return static_cast<double>(record.getAs<IntegerAttr>(key).getInt());
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
                           const CPUCodegenOptions &codegen, Location loc,
                           OwningOpRef<ModuleOp> &planned, TimingScope &timer) {
  BudgetFit fit;
  FailureOr<Plan> keepingAll = planWorkspace(module, codegen, timer);
  if (failed(keepingAll))
    return failure();
  uint64_t without = keepingAll->bytes;
  fit.workspaceWithout = without;
  fit.budget =
      options.percent
          ? static_cast<uint64_t>(std::floor(without * *options.percent / 100))
          : options.bytes;
  if (fit.budget >= without) {
    planned = std::move(keepingAll->lowered);
    return fit;
  }
  keepingAll->lowered = nullptr;

  // The estimate is not the plan, though the plan follows it closely. The
  // largest estimate whose plan fits (the fewest FLOPs) is searched for
  // between a choice that fits and one that does not (at first, keeping
  // everything): each probe aims at a plan just below the budget, between
  // the nearest estimates known to fit and not to fit. The least choice is
  // chosen first, but planned only when needed: its plan is the costliest,
  // as it recomputes the most (the 1.1B Llama's took 96 s of a 135 s
  // search). A budget well above the least choice's estimate is probed
  // first, and most fit at once; near it, or when that probe does not fit,
  // the least choice is planned, and if even it does not fit, quernc names
  // its plan, which a compile with exactly that budget then finds again. A
  // probe the solver finds no choice for ends the search.
  FailureOr<OwningOpRef<ModuleOp>> leastChoice =
      choose(module, 0, /*quiet=*/false, timer);
  if (failed(leastChoice))
    return failure();
  // The least choice's estimate is the one it recorded, not 0.
  double leastEstimate = recorded(**leastChoice, "estimated_peak");
  double aim = (1 - kAim) * static_cast<double>(fit.budget);
  // The nearest choice known not to fit (its modules are not kept).
  Bound above{recorded(**leastChoice, "estimated_peak_keeping_all"), without};
  std::optional<Probe> fitting;
  if (aim > kAimAboveLeast * leastEstimate) {
    FailureOr<Probe> first = probe(module, aim, codegen, /*quiet=*/true, timer);
    if (succeeded(first) && first->plan.bytes <= fit.budget)
      fitting = std::move(*first);
    else if (succeeded(first))
      above = {first->estimate, first->plan.bytes};
  }
  if (!fitting) {
    FailureOr<Probe> least =
        plan(std::move(*leastChoice), leastEstimate, codegen, timer);
    if (failed(least))
      return failure();
    if (least->plan.bytes > fit.budget)
      return emitError(loc) << llvm::formatv(
                 "--activation-budget: the step's workspace cannot be made "
                 "{0} ({1} bytes); the smallest budget recomputation can "
                 "meet is {2} bytes ({3}; {4} without recomputation)",
                 formatBytes(fit.budget), fit.budget, least->plan.bytes,
                 formatBytes(least->plan.bytes), formatBytes(without));
    fitting = std::move(*least);
  }
  for (int attempt = 0; attempt < kMaxProbes; ++attempt) {
    double planned = static_cast<double>(fitting->plan.bytes);
    double span = above.estimate - fitting->estimate;
    if (fit.budget - fitting->plan.bytes <= kCloseEnough * fit.budget ||
        span < 1)
      break;
    // Near the least choice the plan grows byte for byte with the
    // estimate: the first probe follows that; later ones interpolate
    // (above's plan > budget >= fitting's plan throughout).
    double estimate =
        attempt == 0 ? fitting->estimate + (aim - planned)
                     : fitting->estimate +
                           span * (aim - planned) /
                               (static_cast<double>(above.bytes) - planned);
    // Never at either end: every probe narrows the interval.
    estimate = std::clamp(estimate, fitting->estimate + 0.02 * span,
                          above.estimate - 0.02 * span);
    FailureOr<Probe> tried =
        probe(module, estimate, codegen, /*quiet=*/true, timer);
    if (failed(tried))
      break;
    if (tried->plan.bytes <= fit.budget)
      fitting = std::move(*tried);
    else
      above = {tried->estimate, tried->plan.bytes};
  }
  module.getBodyRegion().takeBody(fitting->module->getBodyRegion());
  planned = std::move(fitting->plan.lowered);
  return fit;
}
