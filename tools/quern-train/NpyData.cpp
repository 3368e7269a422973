//===- NpyData.cpp - Batches from one .npy file per input -----------------===//
//
// This file is part of Quern.
//
//===----------------------------------------------------------------------===//

#include "NpyData.h"

#include "Session.h"

#include <algorithm>
#include <cstring>

using namespace quern::train;

std::unique_ptr<NpyData> NpyData::load(const std::string &dir,
                                       const Session &session,
                                       std::string &error) {
  std::unique_ptr<NpyData> data(new NpyData());
  data->dir = dir;
  std::string firstPath;
  for (const TensorSpec &input : session.inputs()) {
    std::string path = dir + "/" + input.name + ".npy";
    NpyArray array;
    if (!readNpy(path, array, error)) {
      error = "--data: input '" + input.name + "': " + error;
      return nullptr;
    }

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
  return data;
}

void NpyData::fillTrainBatch(uint64_t step, Session &session) {
  uint64_t batch = step % numBatches;
  for (size_t i = 0; i < arrays.size(); ++i) {
    size_t offset = arrays[i].shape.empty() ? 0 : batch * batchBytes[i];
    std::memcpy(session.inputBuffer(i), arrays[i].data.data() + offset,
                batchBytes[i]);
  }
}

std::string NpyData::describe() const {
  return "npy '" + dir + "': " + std::to_string(numBatches) + " batches of " +
         std::to_string(batchSize) + " samples";
}
