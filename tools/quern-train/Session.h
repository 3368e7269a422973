//===- Session.h - A compiled model with its state and buffers --*- C++ -*-===//
//
// This file is part of Quern.
//
//===----------------------------------------------------------------------===//
//
// Everything quern-train does goes through one Session: the open model, its
// state, one workspace, and a buffer for every input and output of both
// entry points. The graph inputs are shared between train_step and forward
// (quernc gives them the same inputs, train_step adding `lr` last), so a
// data source fills them once whichever entry point runs next.
//
// Only the runtime's C API is used, as any program embedding a compiled
// model would: quern-train is also the reference user of that API.
//
//===----------------------------------------------------------------------===//

#ifndef QUERN_TRAIN_SESSION_H
#define QUERN_TRAIN_SESSION_H

#include <quern/runtime.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace quern::train {

/// An entry point's input or output, copied out of the runtime's strings.
struct TensorSpec {
  std::string name;
  std::string dtype;
  std::vector<int64_t> dims;
  size_t bytes = 0;
  /// Inputs the model reads as indices or class labels.
  std::optional<quern_rt_value_bounds> bounds;

  int64_t numElements() const;
};

/// "i64[2, 16]"; a scalar is "f32[]".
std::string formatSpec(const std::string &dtype,
                       const std::vector<int64_t> &dims);
std::string formatSpec(const TensorSpec &spec);

class Session {
public:
  /// Opens the library and allocates state, workspace and buffers. The
  /// state is zero until loadState().
  static std::unique_ptr<Session> open(const std::string &soPath,
                                       std::string &error);
  ~Session();
  Session(const Session &) = delete;
  Session &operator=(const Session &) = delete;

  const char *name() const { return quern_rt_model_name(model); }
  const quern_rt_model *rtModel() const { return model; }
  quern_rt_model *rtModel() { return model; }
  /// The state buffer, quern_rt_model_state_bytes() bytes.
  void *stateBuffer() { return state; }

  /// The whole state, or (`trainedOnly`) the trained parameters alone: a
  /// model's LoRA adapters (quern_rt_adapters_load/save).
  bool loadState(const std::string &path, std::string &error,
                 bool trainedOnly = false);
  bool saveState(const std::string &path, std::string &error,
                 bool trainedOnly = false) const;
  /// Whether the optimizer state is sharded over the processes of the job
  /// (--shard-optimizer): each process then reads its own pieces, and
  /// every one takes part in saving the whole state (rank 0 writes).
  bool shardsState() const { return quern_rt_model_shard_processes(model) > 0; }

  /// The state's step counter (the i64 scalar state tensor `step`), or
  /// nullopt when the model keeps none.
  std::optional<int64_t> stepCounter() const;
  /// Elements of all tensors with role "param".
  uint64_t numParameters() const;

  /// The graph inputs: train_step's inputs without the trailing `lr`.
  const std::vector<TensorSpec> &inputs() const { return inputSpecs; }
  void *inputBuffer(size_t index) { return inputBuffers[index]; }

  /// Runs train_step on the current inputs; `loss` is its first output.
  bool trainStep(float lr, float &loss, std::string &error);
  const std::string &lossName() const { return trainOutputSpecs[0].name; }
  /// "expert load min 12 max 97 (mean 64)": the slots the last step routed
  /// to each expert, over train_step's i64 outputs `expert_load.N` (one per
  /// fused mixture-of-experts block, quernc --expert-load); "" without them.
  std::string expertLoad() const;

  /// Empty if forward can run on the graph inputs, else why not.
  const std::string &forwardProblem() const { return noForwardReason; }
  const std::vector<TensorSpec> &forwardOutputs() const {
    return forwardOutputSpecs;
  }
  /// Index of the forward output named like train_step's loss, if any.
  std::optional<size_t> forwardLossIndex() const;
  bool forward(std::string &error);
  const void *forwardOutput(size_t index) const {
    return forwardOutputBuffers[index];
  }

private:
  Session() = default;
  bool describeEntries(std::string &error);
  bool allocate(std::string &error);

  quern_rt_model *model = nullptr;
  void *state = nullptr;
  void *workspace = nullptr;

  std::vector<TensorSpec> inputSpecs;
  std::vector<TensorSpec> trainOutputSpecs;
  /// The indices of train_step's outputs `expert_load.N`.
  std::vector<size_t> expertLoadOutputs;
  std::vector<TensorSpec> forwardOutputSpecs;
  std::string noForwardReason;

  // Argument arrays in manifest order; train_step's ends with lrBuffer.
  std::vector<void *> inputBuffers;
  std::vector<const void *> trainInputs;
  std::vector<void *> trainOutputBuffers;
  std::vector<void *> forwardOutputBuffers;
  float *lrBuffer = nullptr;
};

} // namespace quern::train

#endif // QUERN_TRAIN_SESSION_H
