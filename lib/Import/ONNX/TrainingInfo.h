//===- TrainingInfo.h - a model's TrainingInfoProto -------------*- C++ -*-===//
//
// ONNX's training spec: the algorithm graph runs after the inference graph
// and its update bindings say which initializers it replaces; the
// initialization graph, evaluated at compile time, gives initial values.
//
//===----------------------------------------------------------------------===//

#ifndef QUERN_LIB_IMPORT_ONNX_TRAININGINFO_H
#define QUERN_LIB_IMPORT_ONNX_TRAININGINFO_H

#include "GraphImporter.h"

namespace quern::onnx_import {

/// Checks the TrainingInfoProto's bindings against the graphs and builds
/// the step's graph (storage.trainingModel): the inference graph and the
/// algorithm graph, their lists concatenated as the ONNX IR specifies.
mlir::FailureOr<TrainingRoles> prepareTraining(ImportStorage &storage,
                                               mlir::Location fileLoc);

/// Evaluates the initialization graph at compile time (it has no inputs,
/// so import folds it to constants) and replaces the initial value of
/// every initializer its binding names.
mlir::LogicalResult initialize(ImportStorage &storage, mlir::Location fileLoc,
                               const llvm::StringMap<int> &opsets,
                               const OnnxImportOptions &options,
                               std::vector<ParameterValue> &initial);

} // namespace quern::onnx_import

#endif // QUERN_LIB_IMPORT_ONNX_TRAININGINFO_H
