//===- npy.cpp - libFuzzer target for quern-train's .npy reader -----------===//
//
// This file is part of Quern.
//
//===----------------------------------------------------------------------===//
//
// Feeds arbitrary bytes to quern-train as a --data .npy file (what np.save
// writes). Any input may be refused with one message; none may crash, hang or
// allocate what the file does not hold. An array the reader accepts has as
// many bytes as its shape and dtype say.
//
//===----------------------------------------------------------------------===//

#include "Npy.h"
#include "FuzzFile.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  quern::train::HostArray array;
  std::string error;
  if (!quern::train::readNpy(quern::fuzz::fuzzFile(data, size), array, error))
    return 0;
  size_t elements = 1;
  for (int64_t dim : array.shape)
    elements *= static_cast<size_t>(dim);
  if (array.elementBytes == 0 ||
      array.data.size() != elements * array.elementBytes)
    std::abort();
  return 0;
}
