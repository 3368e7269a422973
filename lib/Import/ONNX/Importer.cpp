//===- Importer.cpp - ONNX model to quern ------------------------*- C++
//-*-===//
//
// Parses the protobuf, checks it with ONNX's own checker and shape inference,
// then builds `@forward` node by node through the op table. A model with a
// TrainingInfoProto also gets `@train_step`: the inference graph and the
// algorithm graph together, whose update bindings become in-place updates
// of the state, with the initialization graph evaluated at compile time.
// Every user error is a diagnostic at the ONNX node (or the file) it
// concerns.
//
//===----------------------------------------------------------------------===//

#include "quern/Import/ONNX.h"

#include "Checks.h"
#include "GraphImporter.h"
#include "InputBindings.h"
#include "OpTable.h"
#include "TrainingInfo.h"
#include "dialects/quern/QuernOps.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <climits>

using namespace mlir;
using namespace quern;
using namespace quern::onnx_import;

FailureOr<ImportedModel>
quern::importOnnxModel(llvm::MemoryBufferRef buffer, MLIRContext &context,
                       const OnnxImportOptions &options) {
  context.loadDialect<QuernDialect, func::FuncDialect>();
  Location fileLoc =
      FileLineColLoc::get(&context, buffer.getBufferIdentifier(), 0, 0);
  llvm::SmallString<256> directory(buffer.getBufferIdentifier());
  llvm::sys::path::remove_filename(directory);
  auto storage = std::make_shared<ImportStorage>(directory.str().str());
  onnx::ModelProto &model = storage->model;
  if (buffer.getBufferSize() > static_cast<size_t>(INT_MAX) ||
      !model.ParseFromArray(buffer.getBufferStart(),
                            static_cast<int>(buffer.getBufferSize())))
    return emitError(fileLoc)
           << "not an ONNX model: the file does not parse as a ModelProto";
  if (!model.has_graph())
    return emitError(fileLoc) << "not an ONNX model: it has no graph";

  // Unsupported ops are listed first (reading op types needs no valid
  // model), then ONNX's checker runs before anything else reads the model:
  // its version converter, for one, is not robust to malformed input.
  FailureOr<int> declared = declaredOpset(model, fileLoc);
  if (failed(declared))
    return failure();
  llvm::StringMap<int> opsets;
  for (const onnx::OperatorSetIdProto &import : model.opset_import())
    if (!isDefaultDomain(import.domain()))
      opsets[import.domain()] = import.version();
  opsets[""] = std::max(*declared, kMinOpset);
  if (model.training_info_size() > 1)
    return emitError(fileLoc) << "the model has " << model.training_info_size()
                              << " TrainingInfoProtos; Quern compiles one";
  SmallVector<const onnx::GraphProto *> graphs = {&model.graph()};
  for (const onnx::TrainingInfoProto &training : model.training_info())
    graphs.append({&training.initialization(), &training.algorithm()});
  for (const onnx::GraphProto *graph : graphs)
    if (failed(checkOpsSupported(*graph, opsets, fileLoc)))
      return failure();
  if (failed(checkModel(model, directory, fileLoc)))
    return failure();
  for (const onnx::GraphProto *graph : graphs)
    if (failed(checkOutputsProduced(*graph, fileLoc)) ||
        failed(checkAxisAttributes(*graph, fileLoc)))
      return failure();
  if (model.training_info_size() && *declared < kMinOpset)
    return emitError(fileLoc)
           << "a model with a TrainingInfoProto needs opset " << kMinOpset
           << " or newer: ONNX's version converter does not convert its "
              "graphs";
  // Models older than Quern's oldest opset go through the converter.
  if (*declared < kMinOpset && failed(convertOpset(model, kMinOpset, fileLoc)))
    return failure();
  if (failed(applyInputShapes(*model.mutable_graph(), options, fileLoc)) ||
      failed(applyInputValues(*model.mutable_graph(), options, fileLoc)) ||
      failed(loadExternalConstants(*model.mutable_graph(), storage->reader,
                                   fileLoc)) ||
      failed(inferShapes(model, fileLoc)))
    return failure();

  std::optional<TrainingRoles> roles;
  if (model.training_info_size()) {
    FailureOr<TrainingRoles> prepared = prepareTraining(*storage, fileLoc);
    if (failed(prepared) ||
        failed(inferShapes(storage->trainingModel, fileLoc)))
      return failure();
    roles = std::move(*prepared);
  }

  ImportedModel imported;
  imported.module = ModuleOp::create(fileLoc);
  std::vector<ParameterValue> forwardValues;
  const TrainingRoles *rolesOrNull = roles ? &*roles : nullptr;
  if (failed(GraphImporter(*storage, model.graph(), "forward", fileLoc, opsets,
                           options, rolesOrNull)
                 .run(*imported.module, forwardValues)))
    return failure();
  imported.parameters = std::move(forwardValues);
  if (roles) {
    // The step's state is a superset of the forward's parameters.
    imported.parameters.clear();
    if (failed(GraphImporter(*storage, storage->trainingModel.graph(),
                             "train_step", fileLoc, opsets, options,
                             rolesOrNull, /*trainStep=*/true)
                   .run(*imported.module, imported.parameters)) ||
        failed(initialize(*storage, fileLoc, opsets, options,
                          imported.parameters)))
      return failure();
  }
  imported.storage = storage;
  return imported;
}

FailureOr<ImportedModel>
quern::importOnnxFile(llvm::StringRef path, MLIRContext &context,
                      const OnnxImportOptions &options) {
  llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> buffer =
      llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                  /*RequiresNullTerminator=*/false);
  if (!buffer)
    return emitError(FileLineColLoc::get(&context, path, 0, 0))
           << "cannot read the file: " << buffer.getError().message();
  return importOnnxModel((*buffer)->getMemBufferRef(), context, options);
}
