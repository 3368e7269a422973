//===- Layout.cpp - the ABI layout of a compiled model ----------*- C++ -*-===//

#include "quern/Driver/Layout.h"

#include "dialects/quern/QuernOps.h"
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

static FailureOr<TensorInfo> describe(Type type, StringRef name,
                                      Location loc) {
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

FailureOr<ModelLayout> quern::computeLayout(func::FuncOp forward) {
  ModelLayout layout;
  for (auto [index, type] : llvm::enumerate(forward.getArgumentTypes())) {
    Location loc = forward.getArgument(index).getLoc();
    if (auto param = forward.getArgAttrOfType<DictionaryAttr>(index,
                                                              kParamAttrName)) {
      auto name = param.getAs<StringAttr>("name");
      auto trainable = param.getAs<BoolAttr>("trainable");
      FailureOr<TensorInfo> info = describe(type, name.getValue(), loc);
      if (failed(info))
        return failure();
      StateTensor tensor;
      static_cast<TensorInfo &>(tensor) = *info;
      tensor.role = trainable && trainable.getValue() ? "param" : "frozen";
      tensor.offset = layout.stateBytes;
      layout.stateBytes =
          llvm::alignTo(tensor.offset + tensor.bytes, kStateAlignment);
      layout.state.push_back(tensor);
      continue;
    }
    auto name = forward.getArgAttrOfType<StringAttr>(index, kNameAttrName);
    FailureOr<TensorInfo> info =
        describe(type, name ? name.getValue() : "input", loc);
    if (failed(info))
      return failure();
    layout.inputs.push_back(*info);
  }
  for (auto [index, type] : llvm::enumerate(forward.getResultTypes())) {
    auto name = forward.getResultAttrOfType<StringAttr>(index, kNameAttrName);
    FailureOr<TensorInfo> info =
        describe(type, name ? name.getValue() : "output", forward.getLoc());
    if (failed(info))
      return failure();
    layout.outputs.push_back(*info);
  }
  return layout;
}
