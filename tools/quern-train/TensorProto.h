//===- TensorProto.h - Reading serialized ONNX TensorProtos -----*- C++ -*-===//
//
// This file is part of Quern.
//
//===----------------------------------------------------------------------===//
//
// A .pb file holds one serialized onnx.TensorProto, as
// onnx.numpy_helper.from_array(arr).SerializeToString() writes it and as the
// ONNX backend tests keep their inputs (test_data_set_0/input_0.pb).
// quern-train links no protobuf library, so the wire format is read here:
// the fields that carry the type, shape and data, every other field skipped
// by its wire type.
//
// The data may be in raw_data (little-endian bytes, what from_array writes)
// or in the typed field the ONNX rules assign to the data type: float_data,
// double_data, int64_data, uint64_data (UINT32, UINT64) or int32_data (INT32
// and everything narrower, BOOL, and the bit patterns of FLOAT16 and
// BFLOAT16). As with .npy, nothing is converted: a value that does not fit
// its data type is an error, and so are strings, complex numbers, segments
// and external data.
//
//===----------------------------------------------------------------------===//

#ifndef QUERN_TRAIN_TENSORPROTO_H
#define QUERN_TRAIN_TENSORPROTO_H

#include "HostArray.h"

#include <string>

namespace quern::train {

/// Reads a whole .pb file. On failure returns false with a message that
/// names the file.
bool readTensorProto(const std::string &path, HostArray &array,
                     std::string &error);

} // namespace quern::train

#endif // QUERN_TRAIN_TENSORPROTO_H
