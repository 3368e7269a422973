//===- State.cpp - Moving model state to and from safetensors -------------===//
//
// This file is part of Quern.
//
//===----------------------------------------------------------------------===//

#include "State.h"

#include "DType.h"
#include "quern/SafeTensors.h"
#include "quern/Shard.h"
#include "quern/runtime.h"

#include <cstring>

namespace quern::rt {

static std::string describe(const std::string &dtype,
                            const std::vector<int64_t> &shape) {
  return dtype + " " + formatShape(shape);
}

/// Whether `tensor` is in a file of `part`.
static bool inPart(const StateTensorSpec &tensor, StatePart part) {
  return part == StatePart::All || tensor.role == "param";
}

static const char *formatOf(StatePart part) {
  return part == StatePart::All ? "quern-state" : "quern-adapters";
}

/// Where the piece of `rank` starts in a sharded tensor, in bytes.
static size_t pieceOffset(const StateTensorSpec &tensor, int64_t rank) {
  size_t elementBytes = tensor.bytes / size_t(tensor.shardElements);
  int64_t elements = int64_t(tensor.wholeBytes / elementBytes);
  return size_t(shardOffset(elements, tensor.shardProcesses, rank)) *
         elementBytes;
}

void joinPieces(const StateTensorSpec &tensor, const char *pieces,
                char *whole) {
  for (int64_t rank = 0; rank < tensor.shardProcesses; ++rank)
    std::memcpy(whole + pieceOffset(tensor, rank),
                pieces + size_t(rank) * tensor.bytes, tensor.bytes);
}

int loadState(const Manifest &manifest, const std::string &path, void *state,
              std::string &error, StatePart part, int64_t rank) {
  SafeTensorsFile file;
  if (!file.open(path, error))
    return QUERN_RT_ERROR_FILE;

  // Collect every difference: the first one names the problem, the count
  // tells a "wrong model" checkpoint from a single renamed tensor.
  std::vector<std::string> problems;
  for (const StateTensorSpec &tensor : manifest.stateTensors) {
    if (!inPart(tensor, part))
      continue;
    const TensorView *view = file.find(tensor.name);
    if (!view)
      problems.push_back("it has no tensor '" + tensor.name + "'");
    else if (view->dtype != tensor.dtype || view->shape != tensor.shape)
      problems.push_back("tensor '" + tensor.name + "' is " +
                         describe(view->dtype, view->shape) +
                         " but the model expects " +
                         describe(tensor.dtype, tensor.shape));
  }
  for (const auto &entry : file.tensors()) {
    const StateTensorSpec *tensor = manifest.findStateTensor(entry.first);
    if (!tensor)
      problems.push_back("it has tensor '" + entry.first +
                         "', which is not part of the model's state");
    else if (!inPart(*tensor, part))
      problems.push_back("it has tensor '" + entry.first +
                         "', which the model does not train");
  }
  if (!problems.empty()) {
    error = "'" + path + "' does not match the " +
            (part == StatePart::All ? "state" : "trained parameters") +
            " of model '" + manifest.name + "': " + problems.front();
    if (problems.size() > 1)
      error +=
          " (and " + std::to_string(problems.size() - 1) + " more differences)";
    return QUERN_RT_ERROR_MISMATCH;
  }

  char *base = static_cast<char *>(state);
  for (const StateTensorSpec &tensor : manifest.stateTensors)
    if (tensor.bytes > 0 && inPart(tensor, part)) {
      const TensorView *view = file.find(tensor.name);
      const char *data = static_cast<const char *>(view->data);
      if (tensor.shardProcesses)
        data += pieceOffset(tensor, rank);
      std::memcpy(base + tensor.offset, data, tensor.bytes);
      file.release(*view);
    }
  return QUERN_RT_OK;
}

int saveState(const Manifest &manifest, const std::string &path,
              const void *state, std::string &error, StatePart part,
              const WholeTensors &whole) {
  const char *base = static_cast<const char *>(state);
  std::vector<TensorRef> tensors;
  tensors.reserve(manifest.stateTensors.size());
  for (const StateTensorSpec &tensor : manifest.stateTensors) {
    if (!inPart(tensor, part))
      continue;
    const void *data = base + tensor.offset;
    if (tensor.shardProcesses) {
      auto found = whole.find(tensor.name);
      if (found == whole.end()) {
        error = "model '" + manifest.name +
                "' keeps its optimizer state "
                "sharded over " +
                std::to_string(tensor.shardProcesses) +
                " processes (--shard-optimizer): every process's pieces "
                "are needed to save it (quern_rt_mpi_state_save)";
        return QUERN_RT_ERROR_INVALID_ARGUMENT;
      }
      data = found->second;
    }
    tensors.push_back(
        {tensor.name, tensor.dtype, tensor.shape, data, tensor.wholeBytes});
  }
  // The same metadata as the initial state file quernc writes.
  if (!writeSafeTensors(path, tensors,
                        {{"format", formatOf(part)}, {"model", manifest.name}},
                        error))
    return QUERN_RT_ERROR_FILE;
  return QUERN_RT_OK;
}

} // namespace quern::rt
