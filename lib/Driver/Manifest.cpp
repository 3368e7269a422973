//===- Manifest.cpp - NAME.json ---------------------------------*- C++ -*-===//

#include "Artifacts.h"

#include "dialects/quern/QuernAttributes.h"
#include "quern/Import/ONNX.h"
#include "llvm/Support/JSON.h"

using namespace llvm;
using namespace quern;

static json::Value tensorJson(const TensorInfo &tensor) {
  json::Object object{{"name", tensor.name},
                      {"dtype", tensor.dtype},
                      {"shape", json::Array(tensor.shape)}};
  if (const std::optional<ValueBounds> &values = tensor.values) {
    json::Object bounds{
        {"min", values->min}, {"max", values->max}, {"reader", values->reader}};
    if (values->ignore)
      bounds["ignore"] = *values->ignore;
    object["values"] = std::move(bounds);
  }
  return object;
}

static json::Array tensorsJson(const std::vector<TensorInfo> &tensors) {
  json::Array array;
  for (const TensorInfo &tensor : tensors)
    array.push_back(tensorJson(tensor));
  return array;
}

json::Object quern::quantizationJson(const QuantizedPartInfo &part) {
  return json::Object{{"of", part.of},
                      {"part", part.part},
                      {"scheme", part.scheme},
                      {"block", part.block},
                      {"double_quant", part.doubleQuant},
                      {"shape", json::Array(part.shape)},
                      {"dtype", "f32"}};
}

std::string quern::buildManifest(StringRef name, const ModelLayout &layout,
                                 const TargetSpec &target,
                                 const json::Value &device,
                                 uint64_t workspaceBytes,
                                 const json::Value &optimizer,
                                 json::Array kernels, json::Object memory,
                                 json::Array experts) {
  json::Array state;
  for (const StateTensor &tensor : layout.state) {
    json::Object entry{
        {"name", tensor.name},     {"role", tensor.role},
        {"dtype", tensor.dtype},   {"shape", json::Array(tensor.shape)},
        {"offset", tensor.offset}, {"bytes", tensor.bytes}};
    if (tensor.quantized)
      entry["quantization"] = quantizationJson(*tensor.quantized);
    if (tensor.shard)
      entry["shard"] = json::Object{{"processes", tensor.shard->processes},
                                    {"elements", tensor.shard->elements}};
    state.push_back(std::move(entry));
  }
  json::Object entryPoints;
  for (const EntryPointLayout &entry : layout.entryPoints)
    entryPoints[entry.name] =
        json::Object{{"symbol", (name + "_" + entry.name).str()},
                     {"inputs", tensorsJson(entry.inputs)},
                     {"outputs", tensorsJson(entry.outputs)}};
  json::Object manifest{
      {"format", "quern-manifest"},
      // Version 3: the buffers are a GPU's, which a runtime that reads
      // version 2 must not take for the host's.
      {"version",
       device.kind() == json::Value::Object &&
               !device.getAsObject()->getBoolean("on_host").value_or(true)
           ? 3
           : 2},
      {"name", name},
      {"target",
       json::Object{{"triple", target.triple},
                    {"cpu", target.cpu},
                    {"features", target.features},
                    {"thread_runtime", threadRuntimeName(target.threads)}}},
      {"device", device},
      {"entry_points", std::move(entryPoints)},
      {"state", json::Object{{"bytes", layout.stateBytes},
                             {"tensors", std::move(state)}}},
      {"workspace_bytes", workspaceBytes},
      {"optimizer", optimizer},
      {"kernels", std::move(kernels)},
      {"memory", std::move(memory)},
      {"experts", std::move(experts)}};
  std::string text;
  raw_string_ostream os(text);
  os << formatv("{0:2}", json::Value(std::move(manifest))) << "\n";
  return text;
}

json::Array quern::expertBlocksJson(mlir::ModuleOp module) {
  json::Array blocks;
  auto recorded = module->getAttrOfType<mlir::ArrayAttr>(kExpertBlocksAttrName);
  if (!recorded)
    return blocks;
  for (auto block : recorded.getAsRange<mlir::DictionaryAttr>()) {
    auto number = [&](StringRef key) {
      return block.getAs<mlir::IntegerAttr>(key).getInt();
    };
    mlir::Location loc = block.getAs<mlir::LocationAttr>("loc");
    int64_t experts = number("experts"), groups = number("groups");
    blocks.push_back(
        json::Object{{"source", describeOnnxNode(loc)},
                     {"experts", experts},
                     {"experts_with_products", groups},
                     {"experts_without_products", experts - groups},
                     {"k", number("k")},
                     {"tile_rows", number("tile_rows")},
                     {"rows", number("rows")},
                     {"dense_forward_flops", number("dense_flops")},
                     {"fused_forward_flops_bound", number("fused_flops")}});
  }
  return blocks;
}
