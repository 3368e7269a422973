//===- HostArray.h - An array read from a data file -------------*- C++ -*-===//
//
// This file is part of Quern.
//
//===----------------------------------------------------------------------===//
//
// What every --data file format is read into: the readers (Npy.h,
// TensorProto.h) differ only in how they find the dtype, shape and bytes,
// so that checking them against the manifest and cutting batches out of
// them is one piece of code whatever the file was.
//
//===----------------------------------------------------------------------===//

#ifndef QUERN_TRAIN_HOSTARRAY_H
#define QUERN_TRAIN_HOSTARRAY_H

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace quern::train {

struct HostArray {
  std::string dtype; // manifest spelling: "f32", "i64", "bool", ...
  std::vector<int64_t> shape;
  size_t elementBytes = 0;
  std::vector<uint8_t> data; // row-major, little-endian,
                             // product(shape) * elementBytes
};

} // namespace quern::train

#endif // QUERN_TRAIN_HOSTARRAY_H
