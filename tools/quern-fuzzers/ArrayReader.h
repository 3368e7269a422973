//===- ArrayReader.h - Fuzzing one of quern-train's --data readers -*- C++
//-*-===//
//
// This file is part of Quern.
//
//===----------------------------------------------------------------------===//
//
// The .npy and .pb targets differ only in the reader: both hand it the input
// as a file (FuzzFile.h), and an array it accepts must have as many bytes as
// its shape and dtype say.
//
//===----------------------------------------------------------------------===//

#ifndef QUERN_FUZZERS_ARRAYREADER_H
#define QUERN_FUZZERS_ARRAYREADER_H

#include "FuzzFile.h"
#include "HostArray.h"

namespace quern::fuzz {

using ArrayReader = bool (*)(const std::string &path, train::HostArray &array,
                             std::string &error);

inline int fuzzArrayReader(ArrayReader read, const uint8_t *data, size_t size) {
  train::HostArray array;
  std::string error;
  if (!read(fuzzFile(data, size), array, error))
    return 0;
  size_t elements = 1;
  for (int64_t dim : array.shape)
    elements *= static_cast<size_t>(dim);
  if (array.elementBytes == 0 ||
      array.data.size() != elements * array.elementBytes)
    std::abort();
  return 0;
}

} // namespace quern::fuzz

#endif // QUERN_FUZZERS_ARRAYREADER_H
