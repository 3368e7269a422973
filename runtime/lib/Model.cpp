//===- Model.cpp - Opening compiled models and calling them ---------------===//
//
// This file is part of Quern.
//
//===----------------------------------------------------------------------===//
//
// Generated entry points trust their arguments completely, so this file
// checks what can be checked cheaply (the library agrees with its manifest,
// buffers are present and aligned) before handing pointers to compiled code.
//
//===----------------------------------------------------------------------===//

#include "Model.h"

#include "quern/runtime.h"

#include <cstdint>
#include <dlfcn.h>
#include <memory>

using namespace quern::rt;

quern_rt_model::~quern_rt_model() {
  if (handle)
    dlclose(handle);
}

std::string quern::rt::modelNameFromPath(const std::string &path) {
  std::string file = path.substr(path.rfind('/') + 1);
  size_t dot = file.rfind('.');
  return dot == std::string::npos ? file : file.substr(0, dot);
}

static const char *entryName(EntryKind kind) {
  return kind == EntryKind::Forward ? "forward" : "train_step";
}

int quern_rt_model_open(const char *soPath, quern_rt_model **out) {
  if (!out)
    return setLastError(QUERN_RT_ERROR_INVALID_ARGUMENT,
                        "quern_rt_model_open: out is NULL");
  *out = nullptr;
  if (!soPath)
    return setLastError(QUERN_RT_ERROR_INVALID_ARGUMENT,
                        "quern_rt_model_open: so_path is NULL");
  const std::string path = soPath;
  const std::string name = modelNameFromPath(path);
  if (name.empty())
    return setLastError(QUERN_RT_ERROR_INVALID_ARGUMENT,
                        "'" + path + "' does not name a model library");
  // dlopen looks a bare file name up in the loader's search path; a user
  // who types "mlp.so" means the file in the current folder.
  const std::string loadPath =
      path.find('/') == std::string::npos ? "./" + path : path;
  auto model = std::make_unique<quern_rt_model>();
  model->handle = dlopen(loadPath.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!model->handle) {
    const char *why = dlerror();
    return setLastError(QUERN_RT_ERROR_LIBRARY, "cannot load '" + path + "': " +
                                                    (why ? why : "unknown"));
  }

  auto missing = [&](const std::string &symbol) {
    return setLastError(QUERN_RT_ERROR_LIBRARY,
                        "'" + path + "' does not export " + symbol);
  };
  using SizeFn = size_t (*)(void);
  using TextFn = const char *(*)(void);
  auto manifestFn = reinterpret_cast<TextFn>(
      dlsym(model->handle, (name + "_manifest").c_str()));
  if (!manifestFn)
    return setLastError(QUERN_RT_ERROR_LIBRARY,
                        "'" + path + "' does not export " + name +
                            "_manifest: not a Quern model, or renamed (the "
                            "model name is taken from the file name)");
  auto stateBytesFn = reinterpret_cast<SizeFn>(
      dlsym(model->handle, (name + "_state_bytes").c_str()));
  if (!stateBytesFn)
    return missing(name + "_state_bytes");
  auto workspaceBytesFn = reinterpret_cast<SizeFn>(
      dlsym(model->handle, (name + "_workspace_bytes").c_str()));
  if (!workspaceBytesFn)
    return missing(name + "_workspace_bytes");

  auto inconsistent = [&](const std::string &what) {
    return setLastError(QUERN_RT_ERROR_MANIFEST, "'" + path + "': " + what);
  };
  const char *text = manifestFn();
  if (!text)
    return inconsistent(name + "_manifest() returned NULL");
  model->manifestText = text;
  std::string error;
  if (!parseManifest(model->manifestText, model->manifest, error))
    return inconsistent(error);
  const Manifest &manifest = model->manifest;
  if (manifest.name != name)
    return inconsistent("the manifest names the model '" + manifest.name +
                        "' but the file name says '" + name + "'");
  if (stateBytesFn() != manifest.stateBytes)
    return inconsistent(
        name + "_state_bytes() returns " + std::to_string(stateBytesFn()) +
        " but the manifest says " + std::to_string(manifest.stateBytes));
  if (workspaceBytesFn() != manifest.workspaceBytes)
    return inconsistent(name + "_workspace_bytes() returns " +
                        std::to_string(workspaceBytesFn()) +
                        " but the manifest says " +
                        std::to_string(manifest.workspaceBytes));

  if (!manifest.gpuChip.empty()) {
    // Its entry points take device memory, which this runtime does not
    // manage: a caller uses the library's device API (docs/ABI.md).
    auto deviceError = reinterpret_cast<TextFn>(
        dlsym(model->handle, (name + "_device_error").c_str()));
    if (!deviceError)
      return missing(name + "_device_error");
    const char *why = deviceError();
    return setLastError(
        QUERN_RT_ERROR_LIBRARY,
        "'" + path + "' is built for an AMD GPU (" + manifest.gpuChip +
            "), whose buffers live in device memory; this runtime runs "
            "host libraries only" +
            (why ? std::string(" (and here: ") + why + ")" : std::string()));
  }
  for (EntryKind kind : {EntryKind::Forward, EntryKind::TrainStep}) {
    const EntryPointSpec *entry = manifest.entry(kind);
    if (!entry)
      continue;
    std::string expected = name + "_" + entryName(kind);
    if (entry->symbol != expected)
      return inconsistent("entry point " + std::string(entryName(kind)) +
                          " has symbol '" + entry->symbol + "', expected '" +
                          expected + "'");
    void *symbol = dlsym(model->handle, expected.c_str());
    if (!symbol)
      return missing(expected);
    if (kind == EntryKind::Forward)
      model->forward = reinterpret_cast<quern_rt_model::ForwardFn>(symbol);
    else
      model->trainStep = reinterpret_cast<quern_rt_model::TrainStepFn>(symbol);
  }
  if (!manifest.kernels.empty()) {
    std::string profile = name + "_kernel_profile";
    model->kernelProfile = reinterpret_cast<quern_rt_model::KernelProfileFn>(
        dlsym(model->handle, profile.c_str()));
    if (!model->kernelProfile)
      return missing(profile);
    if (model->kernelProfile(nullptr, nullptr, 0) != manifest.kernels.size())
      return inconsistent(
          profile + "() counts " +
          std::to_string(model->kernelProfile(nullptr, nullptr, 0)) +
          " kernels but the manifest lists " +
          std::to_string(manifest.kernels.size()));
  }
  model->setCommunicator = reinterpret_cast<quern_rt_model::SetCommunicatorFn>(
      dlsym(model->handle, (name + "_set_communicator").c_str()));
  *out = model.release();
  return QUERN_RT_OK;
}

int quern_rt_model_is_data_parallel(const quern_rt_model *model) {
  return model && model->setCommunicator;
}

int quern_rt_model_set_communicator(quern_rt_model *model, void *context,
                                    quern_rt_bucket_fn start,
                                    quern_rt_bucket_fn wait, int64_t rank) {
  if (!model || !model->setCommunicator)
    return setLastError(QUERN_RT_ERROR_INVALID_ARGUMENT,
                        "quern_rt_model_set_communicator: the model was not "
                        "compiled with --data-parallel");
  int64_t processes = model->manifest.shardProcesses();
  if (rank < 0 || (processes && rank >= processes))
    return setLastError(QUERN_RT_ERROR_INVALID_ARGUMENT,
                        "quern_rt_model_set_communicator: rank " +
                            std::to_string(rank) + " is not one of the " +
                            std::to_string(processes) + " processes model '" +
                            model->manifest.name +
                            "' shards its optimizer state over");
  model->setCommunicator(context, start, wait, rank);
  model->communicating = start && wait;
  model->rank = rank;
  return QUERN_RT_OK;
}

int64_t quern_rt_model_shard_processes(const quern_rt_model *model) {
  return model ? model->manifest.shardProcesses() : 0;
}

void quern_rt_model_close(quern_rt_model *model) { delete model; }

const char *quern_rt_model_name(const quern_rt_model *model) {
  return model ? model->manifest.name.c_str() : "";
}

const char *quern_rt_model_manifest(const quern_rt_model *model) {
  return model ? model->manifestText.c_str() : "";
}

const char *quern_rt_model_triple(const quern_rt_model *model) {
  return model ? model->manifest.triple.c_str() : "";
}

size_t quern_rt_model_state_bytes(const quern_rt_model *model) {
  return model ? model->manifest.stateBytes : 0;
}

size_t quern_rt_model_workspace_bytes(const quern_rt_model *model) {
  return model ? model->manifest.workspaceBytes : 0;
}

/// Maps the C enum to the manifest's entry point; null for absent entry
/// points and for values outside the enum (C does not enforce them).
static const EntryPointSpec *findEntry(const quern_rt_model *model,
                                       quern_rt_entry entry) {
  if (!model)
    return nullptr;
  if (entry == QUERN_RT_FORWARD)
    return model->manifest.entry(EntryKind::Forward);
  if (entry == QUERN_RT_TRAIN_STEP)
    return model->manifest.entry(EntryKind::TrainStep);
  return nullptr;
}

int quern_rt_model_has_entry(const quern_rt_model *model,
                             quern_rt_entry entry) {
  return findEntry(model, entry) != nullptr;
}

size_t quern_rt_entry_num_inputs(const quern_rt_model *model,
                                 quern_rt_entry entry) {
  const EntryPointSpec *spec = findEntry(model, entry);
  return spec ? spec->inputs.size() : 0;
}

size_t quern_rt_entry_num_outputs(const quern_rt_model *model,
                                  quern_rt_entry entry) {
  const EntryPointSpec *spec = findEntry(model, entry);
  return spec ? spec->outputs.size() : 0;
}

static void describeTensor(const TensorSpec &tensor,
                           quern_rt_tensor_info *out) {
  out->name = tensor.name.c_str();
  out->dtype = tensor.dtype.c_str();
  out->rank = tensor.shape.size();
  out->dims = tensor.shape.empty() ? nullptr : tensor.shape.data();
  out->bytes = tensor.bytes;
  out->role = nullptr;
  out->offset = 0;
}

/// Finds input or output `index` of `entry`, or fails naming `function`.
static int findEntryTensor(const quern_rt_model *model, quern_rt_entry entry,
                           size_t index, bool isInput, const void *out,
                           const char *function, const TensorSpec *&tensor) {
  const char *what = isInput ? "input" : "output";
  const EntryPointSpec *spec = findEntry(model, entry);
  if (!spec || !out)
    return setLastError(QUERN_RT_ERROR_INVALID_ARGUMENT,
                        std::string(function) +
                            ": no such entry point, or out is NULL");
  const std::vector<TensorSpec> &list = isInput ? spec->inputs : spec->outputs;
  if (index >= list.size())
    return setLastError(QUERN_RT_ERROR_INVALID_ARGUMENT,
                        std::string(what) + " index " + std::to_string(index) +
                            " out of range (" + std::to_string(list.size()) +
                            " " + what + "s)");
  tensor = &list[index];
  return QUERN_RT_OK;
}

/// quern_rt_entry_input and quern_rt_entry_output.
static int describeEntryTensor(const quern_rt_model *model,
                               quern_rt_entry entry, size_t index,
                               quern_rt_tensor_info *out, bool isInput,
                               const char *function) {
  const TensorSpec *tensor;
  if (int status =
          findEntryTensor(model, entry, index, isInput, out, function, tensor))
    return status;
  describeTensor(*tensor, out);
  return QUERN_RT_OK;
}

int quern_rt_entry_input(const quern_rt_model *model, quern_rt_entry entry,
                         size_t index, quern_rt_tensor_info *out) {
  return describeEntryTensor(model, entry, index, out, /*isInput=*/true,
                             "quern_rt_entry_input");
}

int quern_rt_entry_output(const quern_rt_model *model, quern_rt_entry entry,
                          size_t index, quern_rt_tensor_info *out) {
  return describeEntryTensor(model, entry, index, out, /*isInput=*/false,
                             "quern_rt_entry_output");
}

int quern_rt_entry_input_bounds(const quern_rt_model *model,
                                quern_rt_entry entry, size_t index,
                                quern_rt_value_bounds *out) {
  const TensorSpec *tensor;
  if (int status = findEntryTensor(model, entry, index, /*isInput=*/true, out,
                                   "quern_rt_entry_input_bounds", tensor))
    return status;
  *out = quern_rt_value_bounds{};
  if (const std::optional<ValueBoundsSpec> &values = tensor->values) {
    out->bounded = 1;
    out->min = values->min;
    out->max = values->max;
    out->has_ignore = values->ignore.has_value();
    out->ignore = values->ignore.value_or(0);
    out->reader = values->reader.c_str();
  }
  return QUERN_RT_OK;
}

size_t quern_rt_state_num_tensors(const quern_rt_model *model) {
  return model ? model->manifest.stateTensors.size() : 0;
}

int quern_rt_state_tensor(const quern_rt_model *model, size_t index,
                          quern_rt_tensor_info *out) {
  if (!model || !out)
    return setLastError(QUERN_RT_ERROR_INVALID_ARGUMENT,
                        "quern_rt_state_tensor: model or out is NULL");
  const std::vector<StateTensorSpec> &list = model->manifest.stateTensors;
  if (index >= list.size())
    return setLastError(QUERN_RT_ERROR_INVALID_ARGUMENT,
                        "state tensor index " + std::to_string(index) +
                            " out of range (" + std::to_string(list.size()) +
                            " state tensors)");
  const StateTensorSpec &tensor = list[index];
  describeTensor(tensor, out);
  // A sharded tensor is what the buffer holds: this process's piece.
  if (tensor.shardProcesses) {
    out->rank = 1;
    out->dims = &tensor.shardElements;
  }
  out->role = tensor.role.c_str();
  out->offset = tensor.offset;
  return QUERN_RT_OK;
}

size_t quern_rt_model_num_kernels(const quern_rt_model *model) {
  return model ? model->manifest.kernels.size() : 0;
}

int quern_rt_kernel(const quern_rt_model *model, size_t index,
                    quern_rt_kernel_info *out) {
  if (!model || !out)
    return setLastError(QUERN_RT_ERROR_INVALID_ARGUMENT,
                        "quern_rt_kernel: model or out is NULL");
  const std::vector<KernelSpec> &list = model->manifest.kernels;
  if (index >= list.size())
    return setLastError(QUERN_RT_ERROR_INVALID_ARGUMENT,
                        "kernel index " + std::to_string(index) +
                            " out of range (" + std::to_string(list.size()) +
                            " kernels)");
  const KernelSpec &kernel = list[index];
  std::vector<uint64_t> nanoseconds(list.size()), calls(list.size());
  model->kernelProfile(nanoseconds.data(), calls.data(), list.size());
  *out = {kernel.symbol.c_str(), kernel.kind.c_str(), kernel.strategy.c_str(),
          kernel.source.c_str(), kernel.flops,        kernel.estimatedShare,
          calls[index],          nanoseconds[index]};
  return QUERN_RT_OK;
}

/// Catches the mistakes that would otherwise crash inside generated code.
static int checkCall(const quern_rt_model *model, EntryKind kind,
                     const void *state, const void *workspace,
                     const void *const *inputs, void *const *outputs) {
  const std::string entry = entryName(kind);
  if (!model)
    return setLastError(QUERN_RT_ERROR_INVALID_ARGUMENT,
                        "quern_rt_" + entry + ": model is NULL");
  const EntryPointSpec *spec = model->manifest.entry(kind);
  if (!spec)
    return setLastError(QUERN_RT_ERROR_NO_ENTRY_POINT,
                        "model '" + model->manifest.name + "' has no " + entry +
                            " entry point");
  auto badBuffer = [&](const std::string &what, const void *ptr, size_t bytes) {
    if (!ptr && bytes > 0)
      return setLastError(QUERN_RT_ERROR_INVALID_ARGUMENT,
                          entry + ": " + what + " is NULL");
    // Generated code relies on the 64-byte alignment of state offsets.
    if (reinterpret_cast<uintptr_t>(ptr) % kStateAlignment != 0)
      return setLastError(QUERN_RT_ERROR_INVALID_ARGUMENT,
                          entry + ": " + what +
                              " is not 64-byte aligned (use quern_rt_alloc)");
    return int(QUERN_RT_OK);
  };
  if (int status = badBuffer("state", state, model->manifest.stateBytes))
    return status;
  if (int status =
          badBuffer("workspace", workspace, model->manifest.workspaceBytes))
    return status;
  auto checkList = [&](const char *what, const void *const *buffers,
                       const std::vector<TensorSpec> &specs) {
    if (!buffers && !specs.empty())
      return setLastError(QUERN_RT_ERROR_INVALID_ARGUMENT,
                          entry + ": " + what + " is NULL");
    for (size_t i = 0; i < specs.size(); ++i)
      if (!buffers[i] && specs[i].bytes > 0)
        return setLastError(QUERN_RT_ERROR_INVALID_ARGUMENT,
                            entry + ": " + what + "[" + std::to_string(i) +
                                "] ('" + specs[i].name + "') is NULL");
    return int(QUERN_RT_OK);
  };
  if (int status = checkList("inputs", inputs, spec->inputs))
    return status;
  return checkList("outputs", outputs, spec->outputs);
}

static int entryResult(const quern_rt_model *model, EntryKind kind, int rc) {
  if (rc == 0)
    return QUERN_RT_OK;
  return setLastError(QUERN_RT_ERROR_ENTRY_FAILED,
                      model->manifest.entry(kind)->symbol + " returned " +
                          std::to_string(rc));
}

int quern_rt_forward(const quern_rt_model *model, const void *state,
                     void *workspace, const void *const *inputs,
                     void *const *outputs) {
  if (int status = checkCall(model, EntryKind::Forward, state, workspace,
                             inputs, outputs))
    return status;
  return entryResult(model, EntryKind::Forward,
                     model->forward(state, workspace, inputs, outputs));
}

int quern_rt_train_step(const quern_rt_model *model, void *state,
                        void *workspace, const void *const *inputs,
                        void *const *outputs) {
  if (int status = checkCall(model, EntryKind::TrainStep, state, workspace,
                             inputs, outputs))
    return status;
  // Alone, a sharded step would update its own pieces and gather nothing.
  if (int64_t processes = model->manifest.shardProcesses();
      processes && !model->communicating)
    return setLastError(
        QUERN_RT_ERROR_INVALID_ARGUMENT,
        "quern_rt_train_step: model '" + model->manifest.name +
            "' keeps its optimizer state sharded over " +
            std::to_string(processes) +
            " processes (--shard-optimizer): it trains only with a "
            "communicator over them (mpirun -np " +
            std::to_string(processes) + ")");
  return entryResult(model, EntryKind::TrainStep,
                     model->trainStep(state, workspace, inputs, outputs));
}
