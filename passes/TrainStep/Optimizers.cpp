//===- Optimizers.cpp - the optimizers a training step can use --*- C++ -*-===//

#include "passes/TrainStep/Optimizers.h"

#include "dialects/quern/QuernOps.h"
#include "llvm/Support/Format.h"

using namespace mlir;
using namespace quern;

namespace {

constexpr double OptimizerSettings::*kMomentum = &OptimizerSettings::momentum;
constexpr double OptimizerSettings::*kBeta1 = &OptimizerSettings::beta1;
constexpr double OptimizerSettings::*kBeta2 = &OptimizerSettings::beta2;
constexpr double OptimizerSettings::*kEps = &OptimizerSettings::eps;
constexpr double OptimizerSettings::*kDecay = &OptimizerSettings::weightDecay;

// PyTorch's defaults (torch.optim): SGD's momentum is 0 unless asked for,
// so sgd has none and momentum/nesterov default to 0.9.
const Hyperparameter kSgdHyper[] = {{"weight_decay", kDecay, 0.0}};
const Hyperparameter kMomentumHyper[] = {{"momentum", kMomentum, 0.9},
                                         {"weight_decay", kDecay, 0.0}};
const Hyperparameter kAdamHyper[] = {{"beta1", kBeta1, 0.9},
                                     {"beta2", kBeta2, 0.999},
                                     {"eps", kEps, 1e-8},
                                     {"weight_decay", kDecay, 0.0}};
const Hyperparameter kAdamWHyper[] = {{"beta1", kBeta1, 0.9},
                                      {"beta2", kBeta2, 0.999},
                                      {"eps", kEps, 1e-8},
                                      {"weight_decay", kDecay, 0.01}};
const Hyperparameter kAdagradHyper[] = {{"eps", kEps, 1e-10},
                                        {"weight_decay", kDecay, 0.0}};

const llvm::StringLiteral kMomentumState[] = {"momentum_buffer"};
const llvm::StringLiteral kAdamState[] = {"exp_avg", "exp_avg_sq"};
const llvm::StringLiteral kAdagradState[] = {"sum"};

FloatAttr f64(OpBuilder &builder, double value) {
  return builder.getF64FloatAttr(value);
}

/// SGD, with momentum (and Nesterov's) when the optimizer keeps a buffer.
template <bool nesterov>
SmallVector<Value> buildSgd(OpBuilder &builder, Location loc,
                            const UpdateOperands &in) {
  bool hasBuffer = !in.state.empty();
  Type type = in.param.getType();
  ArrayRef<double> hyper = in.hyperparameters;
  auto update = builder.create<SgdUpdateOp>(
      loc, type, hasBuffer ? type : Type(), in.param, in.gradient, in.lr,
      hasBuffer ? in.state[0] : Value(), f64(builder, hasBuffer ? hyper[0] : 0),
      nesterov ? builder.getUnitAttr() : UnitAttr(),
      f64(builder, hyper.back()));
  return SmallVector<Value>(update->getResults());
}

/// Adam, with AdamW's decoupled weight decay if `decoupled`.
template <bool decoupled>
SmallVector<Value> buildAdam(OpBuilder &builder, Location loc,
                             const UpdateOperands &in) {
  Type type = in.param.getType();
  ArrayRef<double> hyper = in.hyperparameters;
  auto update = builder.create<AdamUpdateOp>(
      loc, type, type, type, in.param, in.gradient, in.state[0], in.state[1],
      in.lr, in.step, f64(builder, hyper[0]), f64(builder, hyper[1]),
      f64(builder, hyper[2]), f64(builder, hyper[3]),
      decoupled ? builder.getUnitAttr() : UnitAttr());
  return SmallVector<Value>(update->getResults());
}

SmallVector<Value> buildAdagrad(OpBuilder &builder, Location loc,
                                const UpdateOperands &in) {
  Type type = in.param.getType();
  auto update = builder.create<AdagradUpdateOp>(
      loc, type, type, in.param, in.gradient, in.state[0], in.lr,
      f64(builder, in.hyperparameters[0]), f64(builder, in.hyperparameters[1]));
  return SmallVector<Value>(update->getResults());
}

const Optimizer kOptimizers[] = {
    {"sgd", kSgdHyper, {}, buildSgd<false>},
    {"momentum", kMomentumHyper, kMomentumState, buildSgd<false>},
    {"nesterov", kMomentumHyper, kMomentumState, buildSgd<true>},
    {"adam", kAdamHyper, kAdamState, buildAdam<false>},
    {"adamw", kAdamWHyper, kAdamState, buildAdam<true>},
    {"adagrad", kAdagradHyper, kAdagradState, buildAdagrad},
};

} // namespace

SmallVector<double>
Optimizer::resolve(const OptimizerSettings &settings) const {
  SmallVector<double> values;
  for (const Hyperparameter &hyper : hyperparameters) {
    double given = settings.*hyper.field;
    values.push_back(given != kUnset ? given : hyper.defaultValue);
  }
  return values;
}

ArrayRef<Optimizer> quern::optimizers() { return kOptimizers; }

const Optimizer *quern::findOptimizer(StringRef name) {
  for (const Optimizer &optimizer : kOptimizers)
    if (optimizer.name == name)
      return &optimizer;
  return nullptr;
}

std::string quern::optimizerNames() {
  std::string text;
  ArrayRef<Optimizer> all = optimizers();
  for (size_t index = 0; index < all.size(); ++index) {
    if (index > 0)
      text += index + 1 == all.size() ? " or " : ", ";
    text += all[index].name.str();
  }
  return text;
}

std::string quern::describeDefaults(StringRef name) {
  // Optimizers by default value, in the table's order.
  SmallVector<std::pair<double, std::string>> groups;
  for (const Optimizer &optimizer : kOptimizers)
    for (const Hyperparameter &hyper : optimizer.hyperparameters) {
      if (hyper.name != name)
        continue;
      auto group = llvm::find_if(groups, [&](auto &entry) {
        return entry.first == hyper.defaultValue;
      });
      if (group == groups.end())
        groups.push_back({hyper.defaultValue, optimizer.name.str()});
      else
        group->second += ", " + optimizer.name.str();
    }
  std::string text;
  llvm::raw_string_ostream os(text);
  llvm::interleave(
      groups, os,
      [&](auto &group) {
        os << llvm::format("%g", group.first) << " for " << group.second;
      },
      "; ");
  return text;
}

std::string quern::checkSetting(StringRef name, double value) {
  struct Range {
    llvm::StringLiteral name;
    double low, high;
    bool lowOpen, highOpen;
  };
  constexpr double inf = std::numeric_limits<double>::infinity();
  static const Range ranges[] = {{"momentum", 0, 1, false, true},
                                 {"beta1", 0, 1, false, true},
                                 {"beta2", 0, 1, false, true},
                                 {"eps", 0, inf, true, true},
                                 {"weight_decay", 0, inf, false, true},
                                 {"clip_grad_norm", 0, inf, false, true}};
  const Range *range = llvm::find_if(
      ranges, [&](const Range &candidate) { return candidate.name == name; });
  assert(range != std::end(ranges) && "every setting has a range");
  if ((range->lowOpen ? value > range->low : value >= range->low) &&
      (range->highOpen ? value < range->high : value <= range->high))
    return "";
  std::string text;
  llvm::raw_string_ostream os(text);
  os << llvm::format("%g", value) << " is outside "
     << (range->lowOpen ? "(" : "[") << llvm::format("%g", range->low) << ", "
     << llvm::format("%g", range->high) << (range->highOpen ? ")" : "]");
  return text;
}

SmallVector<std::pair<StringRef, double>>
quern::resolvedHyperparameters(const Optimizer &optimizer,
                               const OptimizerSettings &settings) {
  SmallVector<std::pair<StringRef, double>> named;
  for (auto [hyper, value] :
       llvm::zip_equal(optimizer.hyperparameters, optimizer.resolve(settings)))
    named.push_back({hyper.name, value});
  return named;
}
