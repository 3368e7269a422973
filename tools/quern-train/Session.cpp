//===- Session.cpp - A compiled model with its state and buffers ----------===//
//
// This file is part of Quern.
//
//===----------------------------------------------------------------------===//

#include "Session.h"

#include "quern/mpi.h"

#include <algorithm>
#include <climits>
#include <cstdio>
#include <cstring>

using namespace quern::train;

int64_t TensorSpec::numElements() const {
  int64_t count = 1;
  for (int64_t dim : dims)
    count *= dim;
  return count;
}

std::string quern::train::formatSpec(const std::string &dtype,
                                     const std::vector<int64_t> &dims) {
  std::string text = dtype + "[";
  for (size_t i = 0; i < dims.size(); ++i)
    text += (i ? ", " : "") + std::to_string(dims[i]);
  return text + "]";
}

std::string quern::train::formatSpec(const TensorSpec &spec) {
  return formatSpec(spec.dtype, spec.dims);
}

static TensorSpec toSpec(const quern_rt_tensor_info &info) {
  TensorSpec spec;
  spec.name = info.name;
  spec.dtype = info.dtype;
  spec.dims.assign(info.dims, info.dims + info.rank);
  spec.bytes = info.bytes;
  return spec;
}

static bool sameSpec(const TensorSpec &a, const TensorSpec &b) {
  return a.name == b.name && a.dtype == b.dtype && a.dims == b.dims;
}

static std::vector<TensorSpec> describe(const quern_rt_model *model,
                                        quern_rt_entry entry, bool outputs) {
  std::vector<TensorSpec> specs;
  size_t count = outputs ? quern_rt_entry_num_outputs(model, entry)
                         : quern_rt_entry_num_inputs(model, entry);
  for (size_t i = 0; i < count; ++i) {
    quern_rt_tensor_info info;
    int status = outputs ? quern_rt_entry_output(model, entry, i, &info)
                         : quern_rt_entry_input(model, entry, i, &info);
    if (status != QUERN_RT_OK)
      continue;
    specs.push_back(toSpec(info));
    quern_rt_value_bounds bounds;
    if (!outputs &&
        quern_rt_entry_input_bounds(model, entry, i, &bounds) == QUERN_RT_OK &&
        bounds.bounded)
      specs.back().bounds = bounds;
  }
  return specs;
}

std::unique_ptr<Session> Session::open(const std::string &soPath,
                                       std::string &error) {
  std::unique_ptr<Session> session(new Session());
  if (quern_rt_model_open(soPath.c_str(), &session->model) != QUERN_RT_OK) {
    error = quern_rt_last_error();
    return nullptr;
  }
  if (!session->describeEntries(error) || !session->allocate(error))
    return nullptr;
  return session;
}

bool Session::describeEntries(std::string &error) {
  std::string modelName = name();
  if (!quern_rt_model_has_entry(model, QUERN_RT_TRAIN_STEP)) {
    error = "model '" + modelName +
            "' has no train_step entry point (compile it with quernc --train)";
    return false;
  }
  std::vector<TensorSpec> trainInputSpecs =
      describe(model, QUERN_RT_TRAIN_STEP, /*outputs=*/false);
  // The ABI puts the learning rate last (DESIGN.md section 4); check it
  // rather than trust it, since a scalar written into a tensor input would
  // train on garbage without any error.
  if (trainInputSpecs.empty() || trainInputSpecs.back().name != "lr" ||
      trainInputSpecs.back().dtype != "f32" ||
      !trainInputSpecs.back().dims.empty()) {
    error = "model '" + modelName +
            "': train_step's last input is not the learning rate lr f32[]";
    return false;
  }
  inputSpecs.assign(trainInputSpecs.begin(), trainInputSpecs.end() - 1);

  trainOutputSpecs = describe(model, QUERN_RT_TRAIN_STEP, /*outputs=*/true);
  if (trainOutputSpecs.empty() || trainOutputSpecs[0].dtype != "f32" ||
      !trainOutputSpecs[0].dims.empty()) {
    error = "model '" + modelName +
            "': train_step's first output is not an f32 scalar loss";
    return false;
  }
  for (size_t index = 0; index < trainOutputSpecs.size(); ++index) {
    const TensorSpec &spec = trainOutputSpecs[index];
    if (spec.name.rfind("expert_load.", 0) == 0 && spec.dtype == "i64" &&
        spec.dims.size() == 1)
      expertLoadOutputs.push_back(index);
  }

  if (!quern_rt_model_has_entry(model, QUERN_RT_FORWARD)) {
    noForwardReason = "model '" + modelName + "' has no forward entry point";
    return true;
  }
  std::vector<TensorSpec> forwardInputSpecs =
      describe(model, QUERN_RT_FORWARD, /*outputs=*/false);
  bool sameInputs = forwardInputSpecs.size() == inputSpecs.size();
  for (size_t i = 0; sameInputs && i < inputSpecs.size(); ++i)
    sameInputs = sameSpec(forwardInputSpecs[i], inputSpecs[i]);
  if (!sameInputs)
    noForwardReason =
        "model '" + modelName + "': forward does not take train_step's inputs";
  else
    forwardOutputSpecs = describe(model, QUERN_RT_FORWARD, /*outputs=*/true);
  return true;
}

bool Session::allocate(std::string &error) {
  auto alloc = [&](size_t bytes) {
    void *buffer = quern_rt_alloc(bytes);
    if (!buffer && error.empty())
      error = quern_rt_last_error();
    return buffer;
  };
  state = alloc(quern_rt_model_state_bytes(model));
  workspace = alloc(quern_rt_model_workspace_bytes(model));
  lrBuffer = static_cast<float *>(alloc(sizeof(float)));
  for (const TensorSpec &spec : inputSpecs)
    inputBuffers.push_back(alloc(spec.bytes));
  for (const TensorSpec &spec : trainOutputSpecs)
    trainOutputBuffers.push_back(alloc(spec.bytes));
  for (const TensorSpec &spec : forwardOutputSpecs)
    forwardOutputBuffers.push_back(alloc(spec.bytes));
  trainInputs.assign(inputBuffers.begin(), inputBuffers.end());
  trainInputs.push_back(lrBuffer);
  return error.empty();
}

Session::~Session() {
  for (void *buffer : inputBuffers)
    quern_rt_free(buffer);
  for (void *buffer : trainOutputBuffers)
    quern_rt_free(buffer);
  for (void *buffer : forwardOutputBuffers)
    quern_rt_free(buffer);
  quern_rt_free(lrBuffer);
  quern_rt_free(workspace);
  quern_rt_free(state);
  quern_rt_model_close(model);
}

bool Session::loadState(const std::string &path, std::string &error,
                        bool trainedOnly) {
  if ((trainedOnly ? quern_rt_adapters_load : quern_rt_state_load)(
          model, path.c_str(), state) == QUERN_RT_OK)
    return true;
  error = quern_rt_last_error();
  return false;
}

bool Session::saveState(const std::string &path, std::string &error,
                        bool trainedOnly) const {
  auto save = trainedOnly     ? quern_rt_adapters_save
              : shardsState() ? quern_rt_mpi_state_save
                              : quern_rt_state_save;
  if (save(model, path.c_str(), state) == QUERN_RT_OK)
    return true;
  error = quern_rt_last_error();
  return false;
}

std::optional<int64_t> Session::stepCounter() const {
  for (size_t i = 0, e = quern_rt_state_num_tensors(model); i < e; ++i) {
    quern_rt_tensor_info info;
    if (quern_rt_state_tensor(model, i, &info) != QUERN_RT_OK)
      continue;
    if (std::strcmp(info.name, "step") || std::strcmp(info.dtype, "i64") ||
        info.rank != 0)
      continue;
    int64_t value;
    std::memcpy(&value, static_cast<const char *>(state) + info.offset,
                sizeof value);
    return value;
  }
  return std::nullopt;
}

uint64_t Session::numParameters() const {
  uint64_t count = 0;
  for (size_t i = 0, e = quern_rt_state_num_tensors(model); i < e; ++i) {
    quern_rt_tensor_info info;
    if (quern_rt_state_tensor(model, i, &info) != QUERN_RT_OK || !info.role ||
        std::strcmp(info.role, "param"))
      continue;
    uint64_t elements = 1;
    for (size_t d = 0; d < info.rank; ++d)
      elements *= uint64_t(info.dims[d]);
    count += elements;
  }
  return count;
}

bool Session::trainStep(float lr, float &loss, std::string &error) {
  *lrBuffer = lr;
  if (quern_rt_train_step(model, state, workspace, trainInputs.data(),
                          trainOutputBuffers.data()) != QUERN_RT_OK) {
    error = quern_rt_last_error();
    return false;
  }
  std::memcpy(&loss, trainOutputBuffers[0], sizeof loss);
  return true;
}

std::optional<size_t> Session::forwardLossIndex() const {
  for (size_t i = 0; i < forwardOutputSpecs.size(); ++i)
    if (forwardOutputSpecs[i].name == lossName() &&
        forwardOutputSpecs[i].dtype == "f32" &&
        forwardOutputSpecs[i].dims.empty())
      return i;
  return std::nullopt;
}

bool Session::forward(std::string &error) {
  if (!noForwardReason.empty()) {
    error = noForwardReason;
    return false;
  }
  std::vector<const void *> inputs(inputBuffers.begin(), inputBuffers.end());
  if (quern_rt_forward(model, state, workspace, inputs.data(),
                       forwardOutputBuffers.data()) != QUERN_RT_OK) {
    error = quern_rt_last_error();
    return false;
  }
  return true;
}

std::string Session::expertLoad() const {
  int64_t least = INT64_MAX, most = 0, total = 0, experts = 0;
  for (size_t index : expertLoadOutputs) {
    const auto *load = static_cast<const int64_t *>(trainOutputBuffers[index]);
    int64_t count = trainOutputSpecs[index].dims[0];
    for (const int64_t *slots = load; slots != load + count; ++slots) {
      least = std::min(least, *slots);
      most = std::max(most, *slots);
      total += *slots;
    }
    experts += count;
  }
  if (!experts)
    return "";
  char text[96];
  std::snprintf(text, sizeof text, "expert load min %lld max %lld (mean %.0f)",
                (long long)least, (long long)most,
                double(total) / double(experts));
  return text;
}
