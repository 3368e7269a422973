//===- TrainingInfo.cpp - a model's TrainingInfoProto -----------*- C++ -*-===//

#include "TrainingInfo.h"

#include "Checks.h"
#include "dialects/quern/QuernOps.h"

using namespace mlir;
using namespace quern;
using namespace quern::onnx_import;

FailureOr<TrainingRoles>
quern::onnx_import::prepareTraining(ImportStorage &storage, Location fileLoc) {
  const onnx::ModelProto &model = storage.model;
  const onnx::TrainingInfoProto &training = model.training_info(0);
  TrainingRoles roles;
  for (const onnx::TensorProto &tensor : model.graph().initializer())
    roles.parameters.insert(tensor.name());
  llvm::StringSet<> initializers = roles.parameters;
  for (const onnx::TensorProto &tensor : training.algorithm().initializer())
    initializers.insert(tensor.name());
  llvm::StringSet<> algorithmOutputs, initializationOutputs;
  for (const onnx::ValueInfoProto &output : training.algorithm().output())
    algorithmOutputs.insert(output.name());
  for (const onnx::ValueInfoProto &output : training.initialization().output())
    initializationOutputs.insert(output.name());
  for (const onnx::StringStringEntryProto &binding :
       training.update_binding()) {
    if (!initializers.contains(binding.key()))
      return emitError(fileLoc)
             << "update_binding: '" << binding.key()
             << "' is not an initializer of the model or its algorithm";
    if (!algorithmOutputs.contains(binding.value()))
      return emitError(fileLoc) << "update_binding: '" << binding.value()
                                << "' is not an output of the algorithm graph";
    roles.updates.emplace_back(binding.key(), binding.value());
  }
  for (const onnx::StringStringEntryProto &binding :
       training.initialization_binding()) {
    if (!initializers.contains(binding.key()))
      return emitError(fileLoc)
             << "initialization_binding: '" << binding.key()
             << "' is not an initializer of the model or its algorithm";
    if (!initializationOutputs.contains(binding.value()))
      return emitError(fileLoc)
             << "initialization_binding: '" << binding.value()
             << "' is not an output of the initialization graph";
  }
  if (roles.updates.empty())
    return emitError(fileLoc) << "the TrainingInfoProto's update_binding is "
                                 "empty: its algorithm updates nothing";

  onnx::ModelProto &combined = storage.trainingModel;
  combined = model;
  combined.clear_training_info();
  onnx::GraphProto &graph = *combined.mutable_graph();
  const onnx::GraphProto &algorithm = training.algorithm();
  graph.mutable_input()->MergeFrom(algorithm.input());
  graph.mutable_initializer()->MergeFrom(algorithm.initializer());
  graph.mutable_output()->MergeFrom(algorithm.output());
  graph.mutable_node()->MergeFrom(algorithm.node());
  graph.mutable_value_info()->MergeFrom(algorithm.value_info());
  return roles;
}

LogicalResult
quern::onnx_import::initialize(ImportStorage &storage, Location fileLoc,
                               const llvm::StringMap<int> &opsets,
                               const OnnxImportOptions &options,
                               std::vector<ParameterValue> &initial) {
  const onnx::TrainingInfoProto &training = storage.model.training_info(0);
  if (training.initialization_binding_size() == 0)
    return success();
  onnx::ModelProto model = storage.model;
  model.clear_training_info();
  *model.mutable_graph() = training.initialization();
  if (failed(inferShapes(model, fileLoc)))
    return failure();
  OwningOpRef<ModuleOp> module = ModuleOp::create(fileLoc);
  std::vector<ParameterValue> none;
  FailureOr<func::FuncOp> func =
      GraphImporter(storage, model.graph(), "initialize", fileLoc, opsets,
                    options)
          .run(*module, none);
  if (failed(func))
    return failure();
  auto ret = cast<func::ReturnOp>(func->getBody().front().getTerminator());
  for (const onnx::StringStringEntryProto &binding :
       training.initialization_binding()) {
    auto position = llvm::find_if(model.graph().output(), [&](const auto &o) {
      return o.name() == binding.value();
    });
    Value value = ret.getOperand(position - model.graph().output().begin());
    auto constant = value.getDefiningOp<ConstantOp>();
    if (!constant)
      return emitError(value.getLoc())
             << "initialization_binding: '" << binding.value()
             << "' cannot be computed at compile time";
    auto parameter = llvm::find_if(initial, [&](const ParameterValue &p) {
      return p.name == binding.key();
    });
    auto elements = cast<DenseElementsAttr>(constant.getValue());
    std::vector<char> &bytes = storage.initialValues.emplace_back();
    size_t elementBytes = elements.getRawData().size() /
                          (elements.isSplat() ? 1 : elements.getNumElements());
    for (int64_t i = 0, e = elements.getNumElements(); i < e; ++i) {
      size_t offset = elements.isSplat() ? 0 : i * elementBytes;
      bytes.insert(bytes.end(), elements.getRawData().begin() + offset,
                   elements.getRawData().begin() + offset + elementBytes);
    }
    if (parameter == initial.end() || parameter->bytes.size() != bytes.size())
      return emitError(value.getLoc())
             << "initialization_binding: '" << binding.value()
             << "' does not fit the initializer '" << binding.key() << "'";
    parameter->bytes = ArrayRef<char>(bytes);
  }
  return success();
}
