//===- GraphImporter.h - one ONNX graph to one function ---------*- C++ -*-===//
//
// A checked, shape-inferred ONNX graph becomes `func.func @NAME`: graph
// inputs, then parameters (float initializers) as arguments; other
// initializers as constants; every node through the op table. The graph of a
// model with a TrainingInfoProto becomes @forward or @train_step, whose
// update bindings are in-place updates of the state.
//
//===----------------------------------------------------------------------===//

#ifndef QUERN_LIB_IMPORT_ONNX_GRAPHIMPORTER_H
#define QUERN_LIB_IMPORT_ONNX_GRAPHIMPORTER_H

#include "NodeImporter.h"
#include "Tensor.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "passes/TrainStep/TrainStep.h"
#include "quern/Import/ONNX.h"
#include "llvm/ADT/StringSet.h"

#include <deque>

namespace quern::onnx_import {

/// What the imported module's parameter bytes point into: the parsed model
/// and the reader's converted and mapped tensor data.
struct ImportStorage {
  explicit ImportStorage(std::string modelDirectory)
      : reader(std::move(modelDirectory)) {}
  onnx::ModelProto model;
  /// With a TrainingInfoProto: the model whose graph is the inference graph
  /// and the algorithm graph together.
  onnx::ModelProto trainingModel;
  TensorReader reader;
  /// Initial values computed by the initialization graph.
  std::deque<std::vector<char>> initialValues;
};

/// How a TrainingInfoProto's training step treats initializers.
struct TrainingRoles {
  /// update_binding in order: (initializer, algorithm output replacing it).
  llvm::SmallVector<std::pair<std::string, std::string>> updates;
  /// The inference graph's initializers: the model's parameters, trainable
  /// if updated. Updated initializers of the algorithm graph are optimizer
  /// state; its other initializers are constants.
  llvm::StringSet<> parameters;

  bool isUpdated(llvm::StringRef name) const {
    return llvm::any_of(
        updates, [&](const auto &update) { return update.first == name; });
  }
};

class GraphImporter {
public:
  /// Imports `graph` as `func.func @<name>`. With `roles`, the graph
  /// belongs to a model with a TrainingInfoProto; `trainStep` says it is the
  /// training step, whose update bindings become in-place updates.
  GraphImporter(ImportStorage &storage, const onnx::GraphProto &graph,
                llvm::StringRef name, mlir::Location fileLoc,
                const llvm::StringMap<int> &opsets,
                const OnnxImportOptions &options,
                const TrainingRoles *roles = nullptr, bool trainStep = false)
      : storage(storage), graph(graph), name(name), fileLoc(fileLoc),
        opsets(opsets), options(options), roles(roles), trainStep(trainStep),
        builder(fileLoc.getContext()) {}

  /// Adds the function to `module`; the parameters' initial values are
  /// appended to `initial`.
  mlir::FailureOr<mlir::func::FuncOp> run(mlir::ModuleOp module,
                                          std::vector<ParameterValue> &initial);

private:
  mlir::LogicalResult buildSignature();
  /// Fails, at `loc`, when `type` is over options.maxTensorBytes; `what`
  /// names the value ("output 'y'").
  mlir::LogicalResult checkTensorSize(mlir::RankedTensorType type,
                                      const llvm::Twine &what,
                                      mlir::Location loc) const;
  mlir::LogicalResult importNodes();

  /// The results of the step that write the update bindings, and the
  /// step counter's.
  mlir::FailureOr<llvm::SmallVector<StateUpdate>>
  buildUpdates(mlir::func::FuncOp func);

  ImportStorage &storage;
  const onnx::GraphProto &graph;
  llvm::StringRef name;
  mlir::Location fileLoc;
  const llvm::StringMap<int> &opsets;
  const OnnxImportOptions &options;
  const TrainingRoles *roles;
  bool trainStep;
  mlir::OpBuilder builder;
  GraphValues values;

  llvm::SmallVector<mlir::Type> argumentTypes;
  llvm::SmallVector<std::string> inputNames;
  llvm::SmallVector<const onnx::TensorProto *> parameters, constants;
  std::vector<ParameterValue> parameterValues;
};

} // namespace quern::onnx_import

#endif // QUERN_LIB_IMPORT_ONNX_GRAPHIMPORTER_H
