//===- Autodiff.h - reverse-mode differentiation of quern IR ----*- C++ -*-===//

#ifndef QUERN_PASSES_AUTODIFF_AUTODIFF_H
#define QUERN_PASSES_AUTODIFF_AUTODIFF_H

#include "mlir/IR/Builders.h"

namespace quern {

/// Builds, at the builder's insertion point (after every op of the block
/// that defines `loss`), the gradient of the scalar `loss` with respect to
/// each of `wrt`: reverse mode over the block's ops through
/// GradientOpInterface. Gradients of values used more than once are summed;
/// integer and boolean values carry none; ops that do not lie between `wrt`
/// and `loss` are not visited. The gradient is null for a value the loss
/// does not depend on. Fails with a diagnostic at the first op on the path
/// that cannot be differentiated.
mlir::FailureOr<llvm::SmallVector<mlir::Value>>
buildGradients(mlir::OpBuilder &builder, mlir::Value loss,
               llvm::ArrayRef<mlir::Value> wrt);

} // namespace quern

#endif // QUERN_PASSES_AUTODIFF_AUTODIFF_H
