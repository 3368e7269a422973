//===- Importer.cpp - ONNX model to quern ------------------------*- C++ -*-===//
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
#include "NodeImporter.h"
#include "OpTable.h"
#include "Tensor.h"
#include "dialects/quern/QuernOps.h"
#include "passes/Passes.h"
#include "passes/TrainStep/TrainStep.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Verifier.h"
#include "llvm/ADT/MapVector.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <climits>
#include <deque>

using namespace mlir;
using namespace quern;
using namespace quern::onnx_import;

namespace {

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
  SmallVector<std::pair<std::string, std::string>> updates;
  /// The inference graph's initializers: the model's parameters, trainable
  /// if updated. Updated initializers of the algorithm graph are optimizer
  /// state; its other initializers are constants.
  llvm::StringSet<> parameters;

  bool isUpdated(StringRef name) const {
    return llvm::any_of(updates,
                        [&](const auto &update) { return update.first == name; });
  }
};

/// The location of a node: its name and the file, fused, with the op type
/// as metadata. Unnamed nodes are named by their position in the graph.
Location nodeLocation(const onnx::NodeProto &node, int index,
                      Location fileLoc) {
  MLIRContext *context = fileLoc.getContext();
  std::string name =
      node.name().empty() ? "#" + std::to_string(index) : node.name();
  return FusedLoc::get({NameLoc::get(StringAttr::get(context, name)), fileLoc},
                       StringAttr::get(context, node.op_type()), context);
}

bool isDefaultDomain(const std::string &domain) {
  return domain.empty() || domain == "ai.onnx";
}

/// The model's version of the default ONNX domain (Quern's newest if it
/// imports only other domains); refuses versions newer than Quern's.
FailureOr<int> declaredOpset(const onnx::ModelProto &model, Location loc) {
  for (const onnx::OperatorSetIdProto &opset : model.opset_import()) {
    if (!isDefaultDomain(opset.domain()))
      continue;
    int version = opset.version();
    if (version > kMaxOpset)
      return emitError(loc) << "opset " << version
                            << " of the default ONNX domain is newer than "
                               "Quern imports (opsets "
                            << kMinOpset << " to " << kMaxOpset << ")";
    return version;
  }
  return kMaxOpset;
}

/// One diagnostic listing every op type without an importer, with its count
/// and first node, at that node.
LogicalResult checkOpsSupported(const onnx::GraphProto &graph,
                                const llvm::StringMap<int> &opsets,
                                Location fileLoc) {
  struct Unsupported {
    int count = 0;
    int firstIndex = 0;
  };
  llvm::MapVector<StringRef, Unsupported> unsupported;
  std::deque<std::string> keys;
  for (const auto &[index, node] : llvm::enumerate(graph.node())) {
    if (OpTable::get().lookup(node, opsets).importer)
      continue;
    const std::string &key = keys.emplace_back(OpTable::key(node));
    Unsupported &entry = unsupported[key];
    if (entry.count++ == 0)
      entry.firstIndex = index;
  }
  if (unsupported.empty())
    return success();
  int first = unsupported.front().second.firstIndex;
  InFlightDiagnostic diag =
      emitError(nodeLocation(graph.node(first), first, fileLoc))
      << "unsupported ONNX op" << (unsupported.size() > 1 ? "s" : "")
      << ": ";
  llvm::interleaveComma(unsupported, diag, [&](const auto &entry) {
    const onnx::NodeProto &node = graph.node(entry.second.firstIndex);
    diag << entry.first << " (" << entry.second.count << " node"
         << (entry.second.count > 1 ? "s" : "") << ", first '"
         << (node.name().empty()
                 ? "#" + std::to_string(entry.second.firstIndex)
                 : node.name())
         << "')";
  });
  return diag;
}

/// ONNX 1.12's checker lets a graph output that nothing produces through,
/// and its version converter then crashes on it.
LogicalResult checkOutputsProduced(const onnx::GraphProto &graph,
                                   Location loc) {
  llvm::StringSet<> produced;
  for (const onnx::ValueInfoProto &input : graph.input())
    produced.insert(input.name());
  for (const onnx::TensorProto &tensor : graph.initializer())
    produced.insert(tensor.name());
  for (const onnx::NodeProto &node : graph.node())
    for (const std::string &output : node.output())
      produced.insert(output);
  for (const onnx::ValueInfoProto &output : graph.output())
    if (!produced.contains(output.name()))
      return emitError(loc) << "graph output '" << output.name()
                            << "' is produced by no node, input or "
                               "initializer";
  return success();
}

/// ONNX 1.12's shape inference indexes with some axis attributes unchecked
/// (LayerNormalization's, for one) and crashes on absurd values; no tensor
/// has anywhere near this many dimensions.
LogicalResult checkAxisAttributes(const onnx::GraphProto &graph,
                                  Location fileLoc) {
  constexpr int64_t kMaxRank = 64;
  for (const auto &[index, node] : llvm::enumerate(graph.node()))
    for (const onnx::AttributeProto &attribute : node.attribute()) {
      if (attribute.name() != "axis" && attribute.name() != "axes")
        continue;
      SmallVector<int64_t> values(attribute.ints().begin(),
                                  attribute.ints().end());
      if (attribute.has_i())
        values.push_back(attribute.i());
      for (int64_t value : values)
        if (value < -kMaxRank || value >= kMaxRank)
          return emitError(nodeLocation(node, index, fileLoc))
                 << "attribute '" << attribute.name() << "' = " << value
                 << " is out of range for any tensor";
    }
  return success();
}

/// Replaces the shapes of graph inputs named in `options`.
LogicalResult applyInputShapes(onnx::GraphProto &graph,
                               const OnnxImportOptions &options,
                               Location loc) {
  for (const auto &entry : options.inputShapes) {
    auto input = llvm::find_if(*graph.mutable_input(), [&](const auto &value) {
      return value.name() == entry.getKey();
    });
    if (input == graph.mutable_input()->end())
      return emitError(loc) << "--input-shape names '" << entry.getKey()
                            << "', which is not an input of the graph";
    onnx::TypeProto::Tensor *tensor =
        input->mutable_type()->mutable_tensor_type();
    // Only an input of unknown rank takes any rank; a shape without
    // dimensions is a scalar (rank 0), not an unknown rank.
    size_t rank = entry.getValue().size();
    if (tensor->has_shape() &&
        tensor->shape().dim_size() != static_cast<int>(rank))
      return emitError(loc) << "--input-shape gives " << rank << " dimension"
                            << (rank == 1 ? "" : "s") << " for '"
                            << entry.getKey() << "', which has rank "
                            << tensor->shape().dim_size();
    onnx::TensorShapeProto *shape = tensor->mutable_shape();
    shape->clear_dim();
    for (int64_t size : entry.getValue())
      shape->add_dim()->set_dim_value(size);
  }
  return success();
}

/// Moves the graph inputs named in `options` into the initializers, with
/// the values read from their files.
LogicalResult applyInputValues(onnx::GraphProto &graph,
                               const OnnxImportOptions &options,
                               Location loc) {
  for (const auto &entry : options.inputValues) {
    StringRef name = entry.getKey();
    auto input = llvm::find_if(*graph.mutable_input(), [&](const auto &value) {
      return value.name() == name;
    });
    if (input == graph.mutable_input()->end())
      return emitError(loc) << "--input-value names '" << name
                            << "', which is not an input of the graph";
    llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> file =
        llvm::MemoryBuffer::getFile(entry.getValue(), /*IsText=*/false,
                                    /*RequiresNullTerminator=*/false);
    onnx::TensorProto tensor;
    if (!file || !tensor.ParseFromArray((*file)->getBufferStart(),
                                        (*file)->getBufferSize()))
      return emitError(loc) << "--input-value: '" << entry.getValue()
                            << "' is not a readable ONNX TensorProto file";
    const onnx::TypeProto::Tensor &declared = input->type().tensor_type();
    if (tensor.data_type() != declared.elem_type())
      return emitError(loc) << "--input-value: the value of '" << name
                            << "' has element type "
                            << dataTypeName(tensor.data_type())
                            << ", the input "
                            << dataTypeName(declared.elem_type());
    if (declared.has_shape()) {
      const onnx::TensorShapeProto &shape = declared.shape();
      bool matches = shape.dim_size() == tensor.dims_size();
      for (int i = 0; matches && i < tensor.dims_size(); ++i)
        matches = !shape.dim(i).has_dim_value() ||
                  shape.dim(i).dim_value() == tensor.dims(i);
      if (!matches) {
        InFlightDiagnostic diag = emitError(loc)
                                  << "--input-value: the value of '" << name
                                  << "' has shape [";
        llvm::interleaveComma(tensor.dims(), diag);
        diag << "], the input [";
        llvm::interleaveComma(shape.dim(), diag, [&](const auto &dim) {
          if (dim.has_dim_value())
            diag << dim.dim_value();
          else
            diag << (dim.has_dim_param() ? dim.dim_param() : "?");
        });
        return diag << "]";
      }
    }
    tensor.set_name(name.str());
    *graph.add_initializer() = std::move(tensor);
    graph.mutable_input()->erase(input);
  }
  return success();
}

bool isFloat(Type type) { return isa<FloatType>(type); }

/// ONNX's shape inference cannot read external data, yet it needs the
/// values of integer initializers (Reshape's shape, Slice's bounds); those
/// import as constants anyway, so their external data is read into the
/// model. Float initializers, the weights, stay mapped.
LogicalResult loadExternalConstants(onnx::GraphProto &graph,
                                    TensorReader &reader, Location fileLoc) {
  for (onnx::TensorProto &tensor : *graph.mutable_initializer()) {
    if (tensor.data_location() != onnx::TensorProto::EXTERNAL)
      continue;
    Location loc =
        NameLoc::get(StringAttr::get(fileLoc.getContext(), tensor.name()),
                     fileLoc);
    FailureOr<RankedTensorType> type = tensorType(tensor, loc);
    if (failed(type))
      return failure();
    if (isFloat(type->getElementType()))
      continue;
    FailureOr<ArrayRef<char>> bytes = reader.bytes(tensor, *type, loc);
    if (failed(bytes))
      return failure();
    tensor.set_raw_data(std::string(bytes->data(), bytes->size()));
    tensor.clear_external_data();
    tensor.set_data_location(onnx::TensorProto::DEFAULT);
  }
  return success();
}

class GraphImporter {
public:
  /// Imports `graph` as `func.func @<name>`. With `roles`, the graph
  /// belongs to a model with a TrainingInfoProto; `trainStep` says it is the
  /// training step, whose update bindings become in-place updates.
  GraphImporter(ImportStorage &storage, const onnx::GraphProto &graph,
                StringRef name, Location fileLoc,
                const llvm::StringMap<int> &opsets,
                const OnnxImportOptions &options,
                const TrainingRoles *roles = nullptr, bool trainStep = false)
      : storage(storage), graph(graph), name(name), fileLoc(fileLoc),
        opsets(opsets), options(options), roles(roles), trainStep(trainStep),
        builder(fileLoc.getContext()) {}

  /// Adds the function to `module`; the parameters' initial values are
  /// appended to `initial`.
  FailureOr<func::FuncOp> run(ModuleOp module,
                              std::vector<ParameterValue> &initial);

private:
  LogicalResult buildSignature();
  LogicalResult importNodes();

  /// The results of the step that write the update bindings, and the
  /// step counter's.
  FailureOr<SmallVector<StateUpdate>> buildUpdates(func::FuncOp func);

  ImportStorage &storage;
  const onnx::GraphProto &graph;
  StringRef name;
  Location fileLoc;
  const llvm::StringMap<int> &opsets;
  const OnnxImportOptions &options;
  const TrainingRoles *roles;
  bool trainStep;
  OpBuilder builder;
  GraphValues values;

  SmallVector<Type> argumentTypes;
  SmallVector<std::string> inputNames;
  SmallVector<const onnx::TensorProto *> parameters, constants;
  std::vector<ParameterValue> parameterValues;
};

LogicalResult GraphImporter::buildSignature() {
  llvm::StringSet<> initializerNames;
  for (const onnx::TensorProto &tensor : graph.initializer()) {
    initializerNames.insert(tensor.name());
    FailureOr<RankedTensorType> type = tensorType(tensor, fileLoc);
    if (failed(type))
      return failure();
    // Values bound with --input-value are constants, like non-float data
    // and the algorithm graph's initializers that are not updated.
    bool isParameter =
        (roles && roles->isUpdated(tensor.name())) ||
        (isFloat(type->getElementType()) &&
         !options.inputValues.count(tensor.name()) &&
         (!roles || roles->parameters.contains(tensor.name())));
    (isParameter ? parameters : constants).push_back(&tensor);
  }
  for (const onnx::ValueInfoProto &input : graph.input()) {
    if (initializerNames.contains(input.name()))
      continue;
    FailureOr<RankedTensorType> type = convertTensorType(
        input.type(), "graph input '" + input.name() + "'", fileLoc,
        "fix it with --input-shape " + input.name() + "=DIMS (e.g. 4x64)");
    if (failed(type))
      return failure();
    argumentTypes.push_back(*type);
    inputNames.push_back(input.name());
  }
  for (const onnx::TensorProto *tensor : parameters) {
    Location loc = NameLoc::get(builder.getStringAttr(tensor->name()), fileLoc);
    RankedTensorType type = *tensorType(*tensor, loc);
    FailureOr<ArrayRef<char>> bytes = storage.reader.bytes(*tensor, type, loc);
    if (failed(bytes))
      return failure();
    argumentTypes.push_back(type);
    parameterValues.push_back({tensor->name(), *bytes});
  }
  return success();
}

LogicalResult GraphImporter::importNodes() {
  for (const onnx::ValueInfoProto &info : graph.value_info())
    values.types[info.name()] = &info.type();
  for (const onnx::ValueInfoProto &info : graph.output())
    values.types[info.name()] = &info.type();

  for (const onnx::TensorProto *tensor : constants) {
    Location loc = NameLoc::get(builder.getStringAttr(tensor->name()), fileLoc);
    FailureOr<DenseElementsAttr> value = storage.reader.attribute(*tensor, loc);
    if (failed(value))
      return failure();
    values.values[tensor->name()] = builder.create<ConstantOp>(loc, *value);
  }
  for (const auto &[index, node] : llvm::enumerate(graph.node())) {
    OpTable::Entry entry = OpTable::get().lookup(node, opsets);
    assert(entry.importer && "unsupported ops are rejected up front");
    NodeImporter importer(node, entry.version, opsets.lookup(""),
                          nodeLocation(node, index, fileLoc), builder, values,
                          storage.reader);
    if (failed(entry.importer(importer)))
      return failure();
    assert(llvm::all_of(node.output(),
                        [&](const std::string &output) {
                          return output.empty() || values.values.count(output);
                        }) &&
           "an op importer must define every output");
  }
  return success();
}

FailureOr<func::FuncOp>
GraphImporter::run(ModuleOp module, std::vector<ParameterValue> &initial) {
  if (failed(buildSignature()))
    return failure();
  builder.setInsertionPointToEnd(module.getBody());
  auto func = builder.create<func::FuncOp>(
      fileLoc, name, builder.getFunctionType(argumentTypes, {}));
  Block *body = func.addEntryBlock();
  builder.setInsertionPointToStart(body);

  for (auto [index, name] : llvm::enumerate(inputNames)) {
    func.setArgAttr(index, kNameAttrName, builder.getStringAttr(name));
    values.values[name] = body->getArgument(index);
  }
  for (auto [index, tensor] : llvm::enumerate(parameters)) {
    unsigned argument = inputNames.size() + index;
    StringAttr name = builder.getStringAttr(tensor->name());
    if (roles && !roles->parameters.contains(name))
      func.setArgAttr(
          argument, kStateAttrName,
          builder.getDictionaryAttr(
              {builder.getNamedAttr("name", name),
               builder.getNamedAttr("role",
                                    builder.getStringAttr("optimizer"))}));
    else
      func.setArgAttr(
          argument, kParamAttrName,
          builder.getDictionaryAttr(
              {builder.getNamedAttr("name", name),
               builder.getNamedAttr(
                   "trainable",
                   builder.getBoolAttr(!roles || roles->isUpdated(name)))}));
    values.values[name] = body->getArgument(argument);
  }
  if (failed(importNodes()))
    return failure();

  SmallVector<Value> results;
  SmallVector<DictionaryAttr> resultAttrs;
  for (const onnx::ValueInfoProto &output : graph.output()) {
    if (trainStep && llvm::any_of(roles->updates, [&](const auto &update) {
          return update.second == output.name();
        }))
      continue;
    results.push_back(values.values.lookup(output.name()));
    resultAttrs.push_back(builder.getDictionaryAttr(builder.getNamedAttr(
        kNameAttrName, builder.getStringAttr(output.name()))));
  }
  SmallVector<StateUpdate> updates;
  if (trainStep) {
    FailureOr<SmallVector<StateUpdate>> built = buildUpdates(func);
    if (failed(built))
      return failure();
    updates = std::move(*built);
  }
  returnWithUpdates(builder, func, results, resultAttrs, updates);
  if (failed(verify(func)))
    return failure();
  llvm::append_range(initial, parameterValues);
  return func;
}

FailureOr<SmallVector<StateUpdate>>
GraphImporter::buildUpdates(func::FuncOp func) {
  SmallVector<StateUpdate> updates;
  for (const auto &update : roles->updates) {
    const std::string &initializer = update.first, &output = update.second;
    Value value = values.values.lookup(output);
    auto position = llvm::find_if(parameters, [&](const auto *tensor) {
      return tensor->name() == initializer;
    });
    assert(value && position != parameters.end() &&
           "update bindings are checked before import");
    unsigned argument = inputNames.size() + (position - parameters.begin());
    if (value.getType() != func.getArgument(argument).getType())
      return emitError(fileLoc)
             << "update_binding: '" << output << "' has type "
             << value.getType() << " but the initializer '" << initializer
             << "' it updates has type "
             << func.getArgument(argument).getType();
    updates.push_back({value, argument});
  }
  // Quern's step counter, which dropout draws its masks from.
  BlockArgument counter = appendStepCounter(builder, func);
  func.walk([&](DropoutOp dropout) {
    dropout.getStepMutable().assign(counter);
  });
  updates.push_back(incrementStepCounter(builder, fileLoc, counter));
  return updates;
}

/// Checks the TrainingInfoProto's bindings against the graphs and builds
/// the step's graph: the inference graph and the algorithm graph, their
/// lists concatenated as the ONNX IR specifies.
FailureOr<TrainingRoles> prepareTraining(ImportStorage &storage,
                                         Location fileLoc) {
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
  for (const onnx::ValueInfoProto &output :
       training.initialization().output())
    initializationOutputs.insert(output.name());
  for (const onnx::StringStringEntryProto &binding :
       training.update_binding()) {
    if (!initializers.contains(binding.key()))
      return emitError(fileLoc)
             << "update_binding: '" << binding.key()
             << "' is not an initializer of the model or its algorithm";
    if (!algorithmOutputs.contains(binding.value()))
      return emitError(fileLoc)
             << "update_binding: '" << binding.value()
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

/// Evaluates the initialization graph at compile time (it has no inputs,
/// so import folds it to constants) and replaces the initial value of
/// every initializer its binding names.
LogicalResult initialize(ImportStorage &storage, Location fileLoc,
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
    Value value =
        ret.getOperand(position - model.graph().output().begin());
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
    if (parameter == initial.end() ||
        parameter->bytes.size() != bytes.size())
      return emitError(value.getLoc())
             << "initialization_binding: '" << binding.value()
             << "' does not fit the initializer '" << binding.key() << "'";
    parameter->bytes = ArrayRef<char>(bytes);
  }
  return success();
}

} // namespace

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
    return emitError(fileLoc) << "the model has "
                              << model.training_info_size()
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
    if (failed(prepared) || failed(inferShapes(storage->trainingModel, fileLoc)))
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
