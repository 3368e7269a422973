//===- ArrayData.cpp - Batches from one array file per input --------------===//
//
// This file is part of Quern.
//
//===----------------------------------------------------------------------===//

#include "ArrayData.h"

#include "Npy.h"
#include "Session.h"
#include "TensorProto.h"

#include <algorithm>
#include <cstring>

#include <sys/stat.h>

using namespace quern::train;

static bool fileExists(const std::string &path) {
  struct stat info;
  return ::stat(path.c_str(), &info) == 0;
}

/// Reads the one file of `input` in `dir`, whichever format it is in, and
/// says which file that was.
static bool readInputArray(const std::string &dir, const std::string &input,
                           HostArray &array, std::string &path,
                           bool &isTensorProto, std::string &error) {
  std::string npyPath = dir + "/" + input + ".npy";
  std::string pbPath = dir + "/" + input + ".pb";
  bool haveNpy = fileExists(npyPath), havePb = fileExists(pbPath);
  if (haveNpy == havePb) {
    error = "--data: input '" + input + "': " +
            (haveNpy ? "both '" + npyPath + "' and '" + pbPath +
                           "' exist (keep one)"
                     : "found neither '" + npyPath + "' nor '" + pbPath + "'");
    return false;
  }
  path = haveNpy ? npyPath : pbPath;
  isTensorProto = havePb;
  if (haveNpy ? readNpy(path, array, error)
              : readTensorProto(path, array, error))
    return true;
  error = "--data: input '" + input + "': " + error;
  return false;
}

/// Checks every value of `array` (read for `input`) against the values the
/// model reads it as: out-of-range token ids or labels would be clamped by
/// the generated code and train on the wrong rows without any error.
static bool checkBounds(const HostArray &array, const TensorSpec &input,
                        const std::string &path, std::string &error) {
  const quern_rt_value_bounds &bounds = *input.bounds;
  const bool isSigned = array.dtype[0] == 'i';
  const size_t width = array.elementBytes;
  const size_t count = array.data.size() / width;
  const size_t perRow =
      array.shape.empty() || array.shape[0] == 0 ? 1 : count / array.shape[0];
  for (size_t i = 0; i < count; ++i) {
    uint64_t raw = 0;
    std::memcpy(&raw, array.data.data() + i * width, width); // little-endian
    int64_t value;
    bool fits = true;
    if (isSigned && width < 8) {
      uint64_t sign = uint64_t(1) << (8 * width - 1);
      value = static_cast<int64_t>((raw ^ sign) - sign);
    } else {
      value = static_cast<int64_t>(raw);
      fits = isSigned || value >= 0;
    }
    if (fits && ((value >= bounds.min && value <= bounds.max) ||
                 (bounds.has_ignore && value == bounds.ignore)))
      continue;
    std::string shown = fits ? std::to_string(value) : std::to_string(raw);
    std::string allowed =
        std::to_string(bounds.min) + ".." + std::to_string(bounds.max);
    if (bounds.has_ignore)
      allowed += " or " + std::to_string(bounds.ignore);
    error = "--data: '" + path + "' row " + std::to_string(i / perRow) +
            " holds " + shown + ", but input '" + input.name + "' takes " +
            allowed + " (" + bounds.reader + ")";
    return false;
  }
  return true;
}

std::unique_ptr<ArrayData> ArrayData::load(const std::string &dir,
                                           const Session &session, Shard shard,
                                           std::string &error) {
  std::unique_ptr<ArrayData> data(new ArrayData());
  data->dir = dir;
  bool readNpyFile = false, readPbFile = false;
  std::string firstPath;
  for (const TensorSpec &input : session.inputs()) {
    HostArray array;
    std::string path;
    bool isTensorProto;
    if (!readInputArray(dir, input.name, array, path, isTensorProto, error))
      return nullptr;
    (isTensorProto ? readPbFile : readNpyFile) = true;

    // A scalar input has no batch dimension: the file holds that scalar.
    bool fits =
        array.dtype == input.dtype && array.shape.size() == input.dims.size();
    uint64_t batches = 1;
    if (fits && !input.dims.empty()) {
      fits = std::equal(input.dims.begin() + 1, input.dims.end(),
                        array.shape.begin() + 1) &&
             input.dims[0] > 0 && array.shape[0] > 0 &&
             array.shape[0] % input.dims[0] == 0;
      if (fits)
        batches = uint64_t(array.shape[0] / input.dims[0]);
    }
    if (!fits) {
      std::string wanted = "[";
      for (size_t i = 0; i < input.dims.size(); ++i)
        wanted += (i ? ", " : "k*") + std::to_string(input.dims[i]);
      error = "--data: '" + path + "' holds " +
              formatSpec(array.dtype, array.shape) + " but input '" +
              input.name + "' is " + formatSpec(input) + " (needs " +
              input.dtype + wanted + "])";
      return nullptr;
    }
    if (input.bounds && !checkBounds(array, input, path, error))
      return nullptr;
    if (input.dims.empty()) {
      // Used whole at every step; takes no part in the batch count.
    } else if (firstPath.empty()) {
      data->numBatches = batches;
      data->batchSize = uint64_t(input.dims[0]);
      firstPath = path;
    } else if (batches != data->numBatches) {
      error = "--data: '" + path + "' holds " + std::to_string(batches) +
              " batches but '" + firstPath + "' holds " +
              std::to_string(data->numBatches);
      return nullptr;
    }
    data->batchBytes.push_back(input.bytes);
    data->arrays.push_back(std::move(array));
  }
  data->shard = shard;
  if (data->numBatches < uint64_t(shard.ranks)) {
    error = "--data: '" + firstPath + "' holds " +
            std::to_string(data->numBatches) + " batches, fewer than the " +
            std::to_string(shard.ranks) +
            " processes that each take one per step";
    return nullptr;
  }
  data->numBatches /= uint64_t(shard.ranks);
  data->formats = readNpyFile && readPbFile ? "npy+pb"
                  : readPbFile              ? "pb"
                                            : "npy";
  return data;
}

void ArrayData::fillTrainBatch(uint64_t step, Session &session) {
  uint64_t batch =
      (step % numBatches) * uint64_t(shard.ranks) + uint64_t(shard.rank);
  for (size_t i = 0; i < arrays.size(); ++i) {
    size_t offset = arrays[i].shape.empty() ? 0 : batch * batchBytes[i];
    std::memcpy(session.inputBuffer(i), arrays[i].data.data() + offset,
                batchBytes[i]);
  }
}

std::string ArrayData::describe() const {
  return formats + " '" + dir + "': " + std::to_string(numBatches) +
         " batches of " + std::to_string(batchSize) + " samples" +
         (shard.ranks > 1 ? " per process" : "") + shard.describe();
}
