//===- Layout.h - the ABI layout of a compiled model ------------*- C++ -*-===//
//
// The one description of a compiled model's interface that the entry-point
// wrappers, the C header, the manifest and the state file are all written
// from, so they cannot disagree.
//
//===----------------------------------------------------------------------===//

#ifndef QUERN_DRIVER_LAYOUT_H
#define QUERN_DRIVER_LAYOUT_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"

#include <optional>
#include <string>
#include <vector>

namespace quern {

/// The values an integer input may hold because the model reads it as
/// indices or class labels: indices into an axis of n (ONNX Gather and
/// GatherElements) lie in -n..n-1, the labels of a loss over C classes in
/// 0..C-1 or are its ignore_index. Where several ops read the input, every
/// one's rule holds. Runtimes check data against it before a step, since the
/// generated code clamps what lies outside rather than fail.
struct ValueBounds {
  int64_t min = 0, max = 0;
  std::optional<int64_t> ignore;
  /// The op whose rule is the tightest, for messages: "indices of node
  /// 'wte' (Gather), an axis of 256".
  std::string reader;
};

struct TensorInfo {
  std::string name;
  /// Manifest spelling: f32, f64, f16, bf16, i64..i8, u64..u8, bool.
  std::string dtype;
  std::vector<int64_t> shape;
  uint64_t bytes = 0;
  /// Inputs only; none when no op bounds the values.
  std::optional<ValueBounds> values;
};

/// A state tensor that is a part of a weight quern-quantize stored in
/// blocks (the argument's quern.quantized): quernc computes it from the
/// weight `of`, of `shape` and f32 elements.
struct QuantizedPartInfo {
  std::string of, part, scheme;
  int64_t block = 0;
  bool doubleQuant = false;
  std::vector<int64_t> shape;
};

/// How a state tensor is sharded: over `processes`, `elements` a piece.
struct StateShard {
  int64_t processes, elements;
};

struct StateTensor : TensorInfo {
  /// param | frozen | optimizer.
  std::string role;
  std::optional<QuantizedPartInfo> quantized;
  /// A parameter the model gives no value, drawn uniform in [-bound,
  /// bound) from the compile's seed (quern.initial).
  std::optional<double> uniformBound;
  /// Optimizer state sharded over processes (--shard-optimizer): `shape`
  /// is the whole tensor's, `bytes` those of one piece of it.
  std::optional<StateShard> shard;
  /// The bytes of the whole tensor, as the state file holds it.
  uint64_t wholeBytes() const {
    if (!shard)
      return bytes;
    uint64_t elements = 1;
    for (int64_t size : shape)
      elements *= uint64_t(size);
    return elements * (bytes / uint64_t(shard->elements));
  }
  /// Byte offset in the state buffer, a multiple of kStateAlignment.
  uint64_t offset = 0;
};

/// One C entry point (`NAME_forward`, `NAME_train_step`): how the lowered
/// function's arguments come from the ABI's buffers.
struct EntryPointLayout {
  /// "forward" or "train_step": the lowered function and the symbol suffix.
  std::string name;
  std::vector<TensorInfo> inputs, outputs;
  /// Per argument of the lowered function (before its outputs and
  /// workspace): index >= 0 is that state tensor, -1 - i is input i.
  std::vector<int64_t> arguments;
};

struct ModelLayout {
  std::vector<StateTensor> state;
  uint64_t stateBytes = 0;
  std::vector<EntryPointLayout> entryPoints;

  const EntryPointLayout *entryPoint(llvm::StringRef name) const {
    for (const EntryPointLayout &entry : entryPoints)
      if (entry.name == name)
        return &entry;
    return nullptr;
  }
};

/// Alignment of state tensors and of the state and workspace buffers.
constexpr uint64_t kStateAlignment = 64;

/// The layout of a module's entry points (@forward, and @train_step when
/// present): arguments with `quern.name` are inputs; those with
/// `quern.param` (parameters) or `quern.state` (optimizer state) are state
/// tensors, shared by all entry points by name, parameters first; results
/// are outputs, except @train_step's in-place updates (`quern.updates`).
/// Integer inputs get the ValueBounds of the ops that read them.
/// Fails with a diagnostic on element types the ABI lacks.
mlir::FailureOr<ModelLayout> computeLayout(mlir::ModuleOp module);

} // namespace quern

#endif // QUERN_DRIVER_LAYOUT_H
