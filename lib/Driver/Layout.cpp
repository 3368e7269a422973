//===- Layout.cpp - the ABI layout of a compiled model ----------*- C++ -*-===//

#include "quern/Driver/Layout.h"

#include "dialects/quern/QuernOps.h"
#include "passes/Passes.h"
#include "quern/Import/ONNX.h"
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

/// What `op` allows the values of its operand `use` to be, if it reads them
/// as indices or labels.
static std::optional<ValueBounds> boundsOfUse(OpOperand &use) {
  Operation *op = use.getOwner();
  auto reader = [&](const Twine &what, const Twine &extent) {
    std::string node = describeOnnxNode(op->getLoc());
    if (node.empty())
      node = op->getName().getStringRef().str();
    return (what + " of " + node + " " + extent).str();
  };
  auto indices = [&](Value data, int64_t axis) {
    int64_t n = cast<RankedTensorType>(data.getType()).getDimSize(axis);
    return ValueBounds{-n, n - 1, std::nullopt,
                       reader("indices", "into an axis of " + Twine(n))};
  };
  if (auto gather = dyn_cast<GatherOp>(op);
      gather && use.get() == gather.getIndices())
    return indices(gather.getData(), gather.getAxis());
  if (auto gather = dyn_cast<GatherElementsOp>(op);
      gather && use.get() == gather.getIndices())
    return indices(gather.getData(), gather.getAxis());
  if (auto loss = dyn_cast<NllLossOp>(op);
      loss && use.get() == loss.getTarget()) {
    int64_t classes =
        cast<RankedTensorType>(loss.getInput().getType()).getDimSize(1);
    return ValueBounds{
        0, classes - 1, loss.getIgnoreIndex(),
        reader("class labels", "over " + Twine(classes) + " classes")};
  }
  return std::nullopt;
}

static bool allows(const ValueBounds &bounds, int64_t value) {
  return (value >= bounds.min && value <= bounds.max) || bounds.ignore == value;
}

/// Values both `a` and `b` allow.
static ValueBounds intersect(const ValueBounds &a, const ValueBounds &b) {
  ValueBounds both = b.max - b.min < a.max - a.min ? b : a;
  both.min = std::max(a.min, b.min);
  both.max = std::min(a.max, b.max);
  both.ignore = std::nullopt;
  for (std::optional<int64_t> ignore : {a.ignore, b.ignore})
    if (ignore && allows(a, *ignore) && allows(b, *ignore) &&
        !allows(both, *ignore))
      both.ignore = ignore;
  return both;
}

/// Whether `op` passes on every value of its operand unchanged: reshapes,
/// transposes, broadcasts, concatenations, and casts to an integer type that
/// holds every value of the source (u8 to i64, not i64 to i32).
static bool keepsValues(Operation *op) {
  if (isa<ReshapeOp, TransposeOp, BroadcastOp, ConcatOp>(op))
    return true;
  auto convert = dyn_cast<CastOp>(op);
  if (!convert)
    return false;
  auto from = dyn_cast<IntegerType>(getElementTypeOrSelf(convert.getInput()));
  auto to = dyn_cast<IntegerType>(getElementTypeOrSelf(convert.getType()));
  if (!from || !to || from.getWidth() == 1)
    return false;
  if (from.isUnsigned() == to.isUnsigned())
    return to.getWidth() >= from.getWidth();
  return from.isUnsigned() && to.getWidth() > from.getWidth();
}

/// The bounds every op that reads `input`'s values (through ops that keep
/// every value) puts on them, if any does.
static std::optional<ValueBounds> boundsOf(BlockArgument input) {
  std::optional<ValueBounds> result;
  SmallVector<Value> worklist = {input};
  while (!worklist.empty()) {
    Value value = worklist.pop_back_val();
    for (OpOperand &use : value.getUses()) {
      Operation *op = use.getOwner();
      if (keepsValues(op)) {
        worklist.push_back(op->getResult(0));
        continue;
      }
      if (std::optional<ValueBounds> bounds = boundsOfUse(use))
        result = result ? intersect(*result, *bounds) : *bounds;
    }
  }
  return result;
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
          if (std::optional<QuantizedInfo> part = getQuantized(func, index))
            tensor.quantized = QuantizedPartInfo{
                part->of.str(), part->part.str(),  part->scheme.str(),
                part->block,    part->doubleQuant, part->shape.vec()};
          tensor.uniformBound = getUniformInitial(func, index);
          if (std::optional<ShardInfo> shard = getShard(func, index)) {
            // The manifest and checkpoints show the whole tensor; the
            // state buffer holds this process's piece.
            tensor.shard = StateShard{shard->processes, tensor.shape[0]};
            tensor.shape.assign(shard->shape.begin(), shard->shape.end());
          }
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
      if (isa<IntegerType>(cast<RankedTensorType>(type).getElementType()))
        info->values = boundsOf(func.getArgument(index));
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
