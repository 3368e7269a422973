//===- Api.cpp - Errors, memory and state files of the C API --------------===//
//
// This file is part of Quern.
//
//===----------------------------------------------------------------------===//
//
// The C entry points that do not concern opening or calling a model. They
// are thin: the work is in State.cpp and SafeTensors*.cpp, which C++ callers
// (the compiler driver, the tests) use directly.
//
//===----------------------------------------------------------------------===//

#include "Model.h"
#include "State.h"

#include "quern/runtime.h"

#include <cstdlib>
#include <cstring>
#include <limits>

using namespace quern::rt;

/// Per thread, so that a training loop and a data loader thread do not
/// overwrite each other's messages.
static thread_local std::string lastError;

int quern::rt::setLastError(int status, const std::string &message) {
  lastError = message;
  return status;
}

const char *quern_rt_last_error(void) { return lastError.c_str(); }

const char *quern_rt_status_name(int status) {
  switch (status) {
  case QUERN_RT_OK:
    return "QUERN_RT_OK";
  case QUERN_RT_ERROR_INVALID_ARGUMENT:
    return "QUERN_RT_ERROR_INVALID_ARGUMENT";
  case QUERN_RT_ERROR_LIBRARY:
    return "QUERN_RT_ERROR_LIBRARY";
  case QUERN_RT_ERROR_MANIFEST:
    return "QUERN_RT_ERROR_MANIFEST";
  case QUERN_RT_ERROR_FILE:
    return "QUERN_RT_ERROR_FILE";
  case QUERN_RT_ERROR_MISMATCH:
    return "QUERN_RT_ERROR_MISMATCH";
  case QUERN_RT_ERROR_NO_ENTRY_POINT:
    return "QUERN_RT_ERROR_NO_ENTRY_POINT";
  case QUERN_RT_ERROR_ENTRY_FAILED:
    return "QUERN_RT_ERROR_ENTRY_FAILED";
  case QUERN_RT_ERROR_OUT_OF_MEMORY:
    return "QUERN_RT_ERROR_OUT_OF_MEMORY";
  default:
    return "unknown status";
  }
}

void *quern_rt_alloc(size_t bytes) {
  const size_t alignment = kStateAlignment;
  // Round up to whole 64-byte blocks so vectorized code may read a full
  // vector at the end of a buffer; size 0 still gets a unique pointer.
  if (bytes > std::numeric_limits<size_t>::max() - alignment) {
    setLastError(QUERN_RT_ERROR_OUT_OF_MEMORY,
                 "quern_rt_alloc: " + std::to_string(bytes) +
                     " bytes is too large");
    return nullptr;
  }
  size_t rounded =
      bytes == 0 ? alignment : (bytes + alignment - 1) / alignment * alignment;
  void *ptr = nullptr;
  if (posix_memalign(&ptr, alignment, rounded) != 0) {
    setLastError(QUERN_RT_ERROR_OUT_OF_MEMORY,
                 "quern_rt_alloc: cannot allocate " + std::to_string(bytes) +
                     " bytes");
    return nullptr;
  }
  std::memset(ptr, 0, rounded);
  return ptr;
}

void quern_rt_free(void *ptr) { std::free(ptr); }

/// Whether the C API's state file functions got their arguments; an
/// error naming `function` if not.
static bool checkStateArguments(const char *function,
                                const quern_rt_model *model, const char *path,
                                const void *state) {
  if (model && path && (state || !model->manifest.stateBytes))
    return true;
  setLastError(QUERN_RT_ERROR_INVALID_ARGUMENT,
               std::string(function) + ": model, path or state is NULL");
  return false;
}

static int loadPart(const char *function, const quern_rt_model *model,
                    const char *path, void *state, StatePart part) {
  if (!checkStateArguments(function, model, path, state))
    return QUERN_RT_ERROR_INVALID_ARGUMENT;
  std::string error;
  int status =
      loadState(model->manifest, path, state, error, part, model->rank);
  return status == QUERN_RT_OK ? status : setLastError(status, error);
}

static int savePart(const char *function, const quern_rt_model *model,
                    const char *path, const void *state, StatePart part) {
  if (!checkStateArguments(function, model, path, state))
    return QUERN_RT_ERROR_INVALID_ARGUMENT;
  std::string error;
  int status = saveState(model->manifest, path, state, error, part);
  return status == QUERN_RT_OK ? status : setLastError(status, error);
}

int quern_rt_state_load(const quern_rt_model *model,
                        const char *safetensorsPath, void *state) {
  return loadPart("quern_rt_state_load", model, safetensorsPath, state,
                  StatePart::All);
}

int quern_rt_adapters_load(const quern_rt_model *model,
                           const char *safetensorsPath, void *state) {
  return loadPart("quern_rt_adapters_load", model, safetensorsPath, state,
                  StatePart::Trainable);
}

int quern_rt_adapters_save(const quern_rt_model *model, const char *path,
                           const void *state) {
  return savePart("quern_rt_adapters_save", model, path, state,
                  StatePart::Trainable);
}

int quern_rt_state_save(const quern_rt_model *model, const char *path,
                        const void *state) {
  return savePart("quern_rt_state_save", model, path, state, StatePart::All);
}
