//===- TrainStep.h - building blocks of @train_step -------------*- C++ -*-===//
//
// What every training step has, whichever way it was made (by
// quern-make-train-step from a forward and a loss, or by the ONNX importer
// from a TrainingInfoProto): state arguments, the step counter, and results
// that update arguments in place.
//
//===----------------------------------------------------------------------===//

#ifndef QUERN_PASSES_TRAINSTEP_TRAINSTEP_H
#define QUERN_PASSES_TRAINSTEP_TRAINSTEP_H

#include "mlir/Dialect/Func/IR/FuncOps.h"

namespace quern {

/// Appends an argument of `type` to `func` that is state of the model with
/// `quern.state = {name, role}`.
mlir::BlockArgument appendStateArgument(mlir::OpBuilder &builder,
                                        mlir::func::FuncOp func,
                                        mlir::Type type, llvm::StringRef name,
                                        llvm::StringRef role);

/// Appends the step counter (state "step", a rank-0 i64) to `func`.
mlir::BlockArgument appendStepCounter(mlir::OpBuilder &builder,
                                      mlir::func::FuncOp func);

/// The value an in-place update writes, and the argument it replaces.
struct StateUpdate {
  mlir::Value value;
  unsigned argument;
};

/// The update that advances the step counter by one, built at the
/// builder's insertion point.
StateUpdate incrementStepCounter(mlir::OpBuilder &builder, mlir::Location loc,
                                 mlir::BlockArgument counter);

/// Ends `func`'s body (replacing its terminator, if any) with a return of
/// `results`, whose attributes are `resultAttrs`, then of each update's
/// value, marked `quern.updates = <argument>` with the argument marked
/// writable: bufferization then writes it into the argument's buffer.
void returnWithUpdates(mlir::OpBuilder &builder, mlir::func::FuncOp func,
                       llvm::ArrayRef<mlir::Value> results,
                       llvm::ArrayRef<mlir::DictionaryAttr> resultAttrs,
                       llvm::ArrayRef<StateUpdate> updates);

} // namespace quern

#endif // QUERN_PASSES_TRAINSTEP_TRAINSTEP_H
