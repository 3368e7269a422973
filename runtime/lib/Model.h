//===- Model.h - An open compiled model -------------------------*- C++ -*-===//
//
// This file is part of Quern.
//
//===----------------------------------------------------------------------===//
//
// The C API hands out quern_rt_model as an opaque pointer; this header gives
// its definition to the runtime files that implement that API.
//
//===----------------------------------------------------------------------===//

#ifndef QUERN_RUNTIME_MODEL_H
#define QUERN_RUNTIME_MODEL_H

#include "Manifest.h"
#include "quern/runtime.h"

#include <cstdint>
#include <string>

struct quern_rt_model {
  using ForwardFn = int (*)(const void *, void *, const void *const *,
                            void *const *);
  using TrainStepFn = int (*)(void *, void *, const void *const *,
                              void *const *);

  quern_rt_model() = default;
  quern_rt_model(const quern_rt_model &) = delete;
  quern_rt_model &operator=(const quern_rt_model &) = delete;
  /// Unloads the library: the function pointers die with it.
  ~quern_rt_model();

  void *handle = nullptr; // from dlopen
  std::string manifestText;
  quern::rt::Manifest manifest;
  ForwardFn forward = nullptr;     // null if the model has no forward
  TrainStepFn trainStep = nullptr; // null if the model has no train_step
  /// NAME_kernel_profile, when the manifest lists kernels.
  using KernelProfileFn = uint64_t (*)(uint64_t *, uint64_t *, uint64_t);
  KernelProfileFn kernelProfile = nullptr;
  /// NAME_set_communicator, in a model compiled with --data-parallel.
  using SetCommunicatorFn = void (*)(void *, quern_rt_bucket_fn,
                                     quern_rt_bucket_fn, int64_t);
  SetCommunicatorFn setCommunicator = nullptr;
  /// Whether a communicator is set, and this process's rank.
  bool communicating = false;
  int64_t rank = 0;
};

namespace quern::rt {

/// The model name a library path implies: the file name without folder and
/// extension ("out/mlp.so" -> "mlp"). A "lib" prefix is part of the name.
std::string modelNameFromPath(const std::string &path);

/// Records `message` as this thread's last error and returns `status`, so
/// that C entry points can `return setLastError(...)`.
int setLastError(int status, const std::string &message);

} // namespace quern::rt

#endif // QUERN_RUNTIME_MODEL_H
