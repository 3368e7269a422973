//===- Layout.cpp - the ABI layout of a compiled model ----------*- C++ -*-===//

#include "quern/Driver/Layout.h"

#include "dialects/quern/QuernOps.h"
#include "passes/Passes.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/MathExtras.h"

using namespace mlir;
using namespace quern;

/// The manifest name of an element type, or "" if the ABI has none.
static std::string dtypeName(Type type) {
  if (type.isF32())
    return "f32";
  if (type.isF64())
    return "f64";
  if (type.isF16())
    return "f16";
  if (type.isBF16())
    return "bf16";
  if (type.isInteger(1))
    return "bool";
  if (auto integer = dyn_cast<IntegerType>(type))
    return (integer.isUnsigned() ? "u" : "i") +
           std::to_string(integer.getWidth());
  return "";
}

static FailureOr<TensorInfo> describe(Type type, StringRef name, Location loc) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  std::string dtype = tensor ? dtypeName(tensor.getElementType()) : "";
  if (dtype.empty() || !tensor.hasStaticShape())
    return emitError(loc) << "'" << name << "' has type " << type
                          << ", which a compiled model cannot pass";
  TensorInfo info;
  info.name = name.str();
  info.dtype = dtype;
  info.shape.assign(tensor.getShape().begin(), tensor.getShape().end());
  uint64_t elementBytes =
      dtype == "bool" ? 1 : tensor.getElementTypeBitWidth() / 8;
  info.bytes = tensor.getNumElements() * elementBytes;
  return info;
}

/// The state tensor an argument names, if any: (name, role).
static std::optional<std::pair<std::string, std::string>>
stateOf(func::FuncOp func, unsigned index) {
  if (std::optional<ParamInfo> param = getParam(func, index))
    return std::make_pair(param->name.str(),
                          std::string(param->trainable ? "param" : "frozen"));
  if (std::optional<StateInfo> state = getState(func, index))
    return std::make_pair(state->name.str(), state->role.str());
  return std::nullopt;
}

FailureOr<ModelLayout> quern::computeLayout(ModuleOp module) {
  ModelLayout layout;
  llvm::StringMap<int64_t> stateIndex;
  for (StringRef name : {"forward", "train_step"}) {
    auto func = module.lookupSymbol<func::FuncOp>(name);
    if (!func)
      continue;
    EntryPointLayout &entry = layout.entryPoints.emplace_back();
    entry.name = name.str();
    for (auto [index, type] : llvm::enumerate(func.getArgumentTypes())) {
      Location loc = func.getArgument(index).getLoc();
      if (auto state = stateOf(func, index)) {
        auto [found, inserted] =
            stateIndex.try_emplace(state->first, layout.state.size());
        if (inserted) {
          FailureOr<TensorInfo> info = describe(type, state->first, loc);
          if (failed(info))
            return failure();
          StateTensor tensor;
          static_cast<TensorInfo &>(tensor) = *info;
          tensor.role = state->second;
          layout.state.push_back(tensor);
        }
        entry.arguments.push_back(found->second);
        continue;
      }
      auto inputName = func.getArgAttrOfType<StringAttr>(index, kNameAttrName);
      FailureOr<TensorInfo> info =
          describe(type, inputName ? inputName.getValue() : "input", loc);
      if (failed(info))
        return failure();
      entry.arguments.push_back(-1 - static_cast<int64_t>(entry.inputs.size()));
      entry.inputs.push_back(*info);
    }
    for (auto [index, type] : llvm::enumerate(func.getResultTypes())) {
      if (getUpdatedArgument(func, index))
        continue;
      auto outputName =
          func.getResultAttrOfType<StringAttr>(index, kNameAttrName);
      FailureOr<TensorInfo> info = describe(
          type, outputName ? outputName.getValue() : "output", func.getLoc());
      if (failed(info))
        return failure();
      entry.outputs.push_back(*info);
    }
  }
  // Offsets: 64-byte aligned, in the order the tensors were met (parameters
  // in @forward's order first).
  for (StateTensor &tensor : layout.state) {
    tensor.offset = layout.stateBytes;
    layout.stateBytes =
        llvm::alignTo(tensor.offset + tensor.bytes, kStateAlignment);
  }
  return layout;
}
