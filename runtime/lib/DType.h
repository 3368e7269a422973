//===- DType.h - Element types of manifests and checkpoints -----*- C++ -*-===//
//
// This file is part of Quern.
//
//===----------------------------------------------------------------------===//
//
// The manifest spells element types in lower case ("f32") and safetensors in
// upper case ("F32"). One table keeps the two spellings and the element size
// together so that the manifest parser, the checkpoint reader and the writer
// can never disagree about what a dtype means.
//
//===----------------------------------------------------------------------===//

#ifndef QUERN_RUNTIME_DTYPE_H
#define QUERN_RUNTIME_DTYPE_H

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace quern::rt {

struct DTypeInfo {
  const char *name;            // manifest spelling, e.g. "f32"
  const char *safeTensorsName; // safetensors spelling, e.g. "F32"
  size_t elementBytes;
  bool isInteger; // i8..i64, u8..u64 (not bool)
};

/// Returns null when `name` is not a manifest dtype.
const DTypeInfo *lookupDType(std::string_view name);

/// Returns null when `name` is not a safetensors dtype Quern supports.
const DTypeInfo *lookupSafeTensorsDType(std::string_view name);

/// Computes product(shape) * elementBytes. Returns false on a negative
/// dimension or when the size does not fit in size_t: both come from
/// untrusted files, and a wrapped size would defeat every bounds check.
bool computeTensorBytes(const DTypeInfo &dtype,
                        const std::vector<int64_t> &shape, size_t &bytes);

/// Formats a shape as "[2, 3]" for error messages.
std::string formatShape(const std::vector<int64_t> &shape);

} // namespace quern::rt

#endif // QUERN_RUNTIME_DTYPE_H
