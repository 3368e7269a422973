//===- Optimizers.h - the optimizers a training step can use ----*- C++ -*-===//
//
// One table says what each optimizer is: its name, its hyper-parameters with
// PyTorch's defaults, the state it keeps per parameter, and how its fused
// update is built. The training-step pass, the driver's manifest and
// quernc's flags all read it, so a new optimizer is one entry.
//
//===----------------------------------------------------------------------===//

#ifndef QUERN_PASSES_TRAINSTEP_OPTIMIZERS_H
#define QUERN_PASSES_TRAINSTEP_OPTIMIZERS_H

#include "mlir/IR/Builders.h"

#include <string>

namespace quern {

/// A hyper-parameter that is not set (in OptimizerSettings, the pass
/// options and quernc's flags): the optimizer's default applies.
inline constexpr double kUnset = -1;

/// The hyper-parameters a user can set, in the order of the pass options.
struct OptimizerSettings {
  double momentum = kUnset, beta1 = kUnset, beta2 = kUnset, eps = kUnset,
         weightDecay = kUnset;
};

/// One hyper-parameter of an optimizer: its name in the manifest, its field
/// in OptimizerSettings and PyTorch's default for this optimizer.
struct Hyperparameter {
  llvm::StringLiteral name;
  double OptimizerSettings::*field;
  double defaultValue;
};

/// A parameter's update: what it reads and the hyper-parameter values,
/// every one resolved, in the order of the optimizer's `hyperparameters`.
struct UpdateOperands {
  mlir::Value param, gradient, lr, step;
  /// The optimizer state of this parameter, in the order of `stateSuffixes`.
  llvm::ArrayRef<mlir::Value> state;
  llvm::ArrayRef<double> hyperparameters;
};

struct Optimizer {
  llvm::StringLiteral name;
  llvm::ArrayRef<Hyperparameter> hyperparameters;
  /// State tensors per parameter, named PARAM.SUFFIX (PyTorch's names), of
  /// the parameter's type.
  llvm::ArrayRef<llvm::StringLiteral> stateSuffixes;
  /// Builds the fused update; returns the new parameter, then the new state
  /// in the order of `stateSuffixes`.
  llvm::SmallVector<mlir::Value> (*buildUpdate)(mlir::OpBuilder &builder,
                                                mlir::Location loc,
                                                const UpdateOperands &operands);

  /// The value of each hyper-parameter: set in `settings`, else the default.
  llvm::SmallVector<double> resolve(const OptimizerSettings &settings) const;
};

/// Every optimizer, in the order help texts list them.
llvm::ArrayRef<Optimizer> optimizers();

/// The optimizer called `name`, or null.
const Optimizer *findOptimizer(llvm::StringRef name);

/// "sgd, momentum, nesterov, adam, adamw or adagrad".
std::string optimizerNames();

/// The defaults of hyper-parameter `name` for help texts: "0.9 (adam,
/// adamw)", "0.01 for adamw, 0 for sgd, momentum, ...".
std::string describeDefaults(llvm::StringRef name);

/// Checks a setting against the values PyTorch's optimizers accept (NaN is
/// in none): momentum, beta1 and beta2 in [0, 1), eps in (0, inf),
/// weight_decay and clip_grad_norm in [0, inf) (a clip-grad-norm of 0 is no
/// clipping). `name` is the manifest's spelling. Returns "" for an allowed
/// value, else what is wrong: "2 is outside [0, 1)".
std::string checkSetting(llvm::StringRef name, double value);

/// The hyper-parameters of `optimizer` with their values from `settings`
/// (or the defaults), as the manifest lists them.
llvm::SmallVector<std::pair<llvm::StringRef, double>>
resolvedHyperparameters(const Optimizer &optimizer,
                        const OptimizerSettings &settings);

} // namespace quern

#endif // QUERN_PASSES_TRAINSTEP_OPTIMIZERS_H
