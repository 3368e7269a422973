//===- GraphImporter.cpp - one ONNX graph to one function -------*- C++ -*-===//

#include "GraphImporter.h"

#include "OpTable.h"
#include "dialects/quern/QuernOps.h"
#include "mlir/IR/Verifier.h"

#include <limits>

using namespace mlir;
using namespace quern;
using namespace quern::onnx_import;

static bool isFloat(Type type) { return isa<FloatType>(type); }

LogicalResult GraphImporter::checkTensorSize(RankedTensorType type,
                                             const Twine &what,
                                             Location loc) const {
  uint64_t bytes = tensorByteSize(type);
  if (bytes <= options.maxTensorBytes)
    return success();
  return emitError(loc) << what << " is " << type << " ("
                        << (bytes == std::numeric_limits<uint64_t>::max()
                                ? std::string("over 2^64")
                                : std::to_string(bytes))
                        << " bytes), above the limit of "
                        << options.maxTensorBytes
                        << " bytes per tensor (--max-tensor-bytes raises it)";
}

LogicalResult GraphImporter::buildSignature() {
  // The codes of ONNX Runtime's quantized products (MatMulNBits' B) are
  // state, like float weights, not constants compiled into the code.
  llvm::StringSet<> quantizedWeights;
  for (const onnx::NodeProto &node : graph.node())
    if (node.domain() == "com.microsoft" && node.op_type() == "MatMulNBits")
      for (int index : {1, 3})
        if (index < node.input_size() && !node.input(index).empty())
          quantizedWeights.insert(node.input(index));
  llvm::StringSet<> initializerNames;
  for (const onnx::TensorProto &tensor : graph.initializer()) {
    initializerNames.insert(tensor.name());
    FailureOr<RankedTensorType> type = tensorType(tensor, fileLoc);
    if (failed(type))
      return failure();
    // Values bound with --input-value are constants, like non-float data
    // and the algorithm graph's initializers that are not updated.
    bool isParameter = (roles && roles->isUpdated(tensor.name())) ||
                       ((isFloat(type->getElementType()) ||
                         quantizedWeights.contains(tensor.name())) &&
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
    if (failed(checkTensorSize(*type, "graph input '" + input.name() + "'",
                               fileLoc)))
      return failure();
    argumentTypes.push_back(*type);
    inputNames.push_back(input.name());
  }
  uint64_t stateBytes = 0;
  for (const onnx::TensorProto *tensor : parameters) {
    Location loc = NameLoc::get(builder.getStringAttr(tensor->name()), fileLoc);
    RankedTensorType type = *tensorType(*tensor, loc);
    FailureOr<ArrayRef<char>> bytes = storage.reader.bytes(*tensor, type, loc);
    if (failed(bytes))
      return failure();
    argumentTypes.push_back(type);
    parameterValues.push_back({tensor->name(), *bytes});
    stateBytes += bytes->size();
    if (stateBytes > options.maxStateBytes)
      return emitError(fileLoc)
             << "the parameters take more than " << options.maxStateBytes
             << " bytes, the limit of the state (--max-state-bytes raises "
                "it); the limit is passed at '"
             << tensor->name() << "'";
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
    Location loc = nodeLocation(node, index, fileLoc);
    NodeImporter importer(node, entry.version, opsets.lookup(""), loc, builder,
                          values, storage.reader, options);
    if (failed(entry.importer(importer)))
      return failure();
    for (const std::string &output : node.output()) {
      auto type = output.empty() ? RankedTensorType()
                                 : dyn_cast<RankedTensorType>(
                                       values.values.lookup(output).getType());
      if (type && failed(checkTensorSize(type, "output '" + output + "'", loc)))
        return failure();
    }
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
      setState(func, argument, name, "optimizer");
    else
      setParam(func, argument, name, !roles || roles->isUpdated(name));
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
  func.walk(
      [&](DropoutOp dropout) { dropout.getStepMutable().assign(counter); });
  updates.push_back(incrementStepCounter(builder, fileLoc, counter));
  return updates;
}
