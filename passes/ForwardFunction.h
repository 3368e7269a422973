//===- ForwardFunction.h - the graph the passes rewrite ---------*- C++ -*-===//
//
// The module-level graph passes (mark-trainable, lora, quantize,
// make-train-step) all work on the imported model's @forward.
//
//===----------------------------------------------------------------------===//

#ifndef QUERN_PASSES_FORWARDFUNCTION_H
#define QUERN_PASSES_FORWARDFUNCTION_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"

namespace quern {

/// The @forward function of `module`; null, after an error "no @forward
/// function to <purpose>", when it has none.
mlir::func::FuncOp lookupForward(mlir::ModuleOp module,
                                 llvm::StringRef purpose);

} // namespace quern

#endif // QUERN_PASSES_FORWARDFUNCTION_H
