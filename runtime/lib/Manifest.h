//===- Manifest.h - The description a compiled model carries ----*- C++ -*-===//
//
// This file is part of Quern.
//
//===----------------------------------------------------------------------===//
//
// Every compiled model embeds a JSON manifest (DESIGN.md section 4) that says
// what its entry points take and return and where each state tensor lives in
// the state buffer. The runtime trusts the manifest for all of its pointer
// arithmetic, so parseManifest() checks its internal consistency (sizes
// agree with shapes, tensors fit in the state and do not overlap) instead of
// leaving that to the compiler. Keys this version does not know are ignored
// so that older runtimes can read newer manifests of the same version.
//
// Manifest is a plain value, independent of any loaded library, so state
// loading and saving can be tested without a compiled model.
//
//===----------------------------------------------------------------------===//

#ifndef QUERN_RUNTIME_MANIFEST_H
#define QUERN_RUNTIME_MANIFEST_H

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace quern::rt {

/// The values an integer input may hold because the model reads it as
/// indices or class labels: min..max, or `ignore`.
struct ValueBoundsSpec {
  int64_t min = 0, max = 0;
  std::optional<int64_t> ignore;
  std::string
      reader; // e.g. "indices of node 'wte' (Gather) into an axis of 256"
};

/// An input, output or state tensor: a dense row-major buffer.
struct TensorSpec {
  std::string name;
  std::string dtype; // manifest spelling, e.g. "f32"
  std::vector<int64_t> shape;
  size_t bytes = 0;                      // product(shape) * element size
  std::optional<ValueBoundsSpec> values; // inputs of an integer dtype
};

struct StateTensorSpec : TensorSpec {
  std::string role;  // "param", "frozen" or "optimizer"
  size_t offset = 0; // into the state buffer, 64-byte aligned
  /// Optimizer state sharded over processes (--shard-optimizer,
  /// quern/Shard.h): the state buffer holds this process's piece of
  /// `shardElements` elements, `bytes` long; `wholeBytes` is the whole
  /// tensor of `shape`, as state files hold it. Unsharded, processes is 0
  /// and wholeBytes == bytes.
  int64_t shardProcesses = 0, shardElements = 0;
  size_t wholeBytes = 0;
};

struct EntryPointSpec {
  std::string symbol;
  std::vector<TensorSpec> inputs;
  std::vector<TensorSpec> outputs;
};

/// One outlined kernel, as the manifest's `kernels` lists them (in the
/// order NAME_kernel_profile reports them).
struct KernelSpec {
  std::string symbol, kind, strategy, source;
  size_t flops = 0;
  /// Of the train step's (else forward's) estimated time.
  double estimatedShare = 0;
};

enum class EntryKind { Forward, TrainStep };

struct Manifest {
  std::string name;
  std::string triple, cpu, features;
  /// The AMD GPU whose kernels the library launches (its chip), if any;
  /// empty also for GPU-mapped code lowered for the host (--gpu-on-host).
  std::string gpuChip;
  std::optional<EntryPointSpec> forward;
  std::optional<EntryPointSpec> trainStep;
  size_t stateBytes = 0;
  std::vector<StateTensorSpec> stateTensors; // in manifest order
  size_t workspaceBytes = 0;
  std::vector<KernelSpec> kernels; // empty for models compiled without them

  /// Returns null if the model has no such entry point.
  const EntryPointSpec *entry(EntryKind kind) const;
  /// Returns null if no state tensor is called `name`.
  const StateTensorSpec *findStateTensor(std::string_view name) const;
  /// The processes the optimizer state is sharded over; 0 if it is not.
  int64_t shardProcesses() const;
};

/// Offsets of state tensors are aligned so that generated code may use
/// aligned vector loads on them.
constexpr size_t kStateAlignment = 64;

/// Parses and validates a manifest. On failure returns false with a message
/// that names the offending key path, e.g. "state.tensors[2].offset".
bool parseManifest(std::string_view json, Manifest &out, std::string &error);

} // namespace quern::rt

#endif // QUERN_RUNTIME_MANIFEST_H
