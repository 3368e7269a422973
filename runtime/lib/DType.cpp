//===- DType.cpp - Element types of manifests and checkpoints -------------===//
//
// This file is part of Quern.
//
//===----------------------------------------------------------------------===//

#include "DType.h"

#include <limits>

namespace quern::rt {

static const DTypeInfo kDTypes[] = {
    {"f32", "F32", 4, false},   {"f64", "F64", 8, false},
    {"f16", "F16", 2, false},   {"bf16", "BF16", 2, false},
    {"i64", "I64", 8, true},    {"i32", "I32", 4, true},
    {"i16", "I16", 2, true},    {"i8", "I8", 1, true},
    {"u64", "U64", 8, true},    {"u32", "U32", 4, true},
    {"u16", "U16", 2, true},    {"u8", "U8", 1, true},
    {"bool", "BOOL", 1, false},
};

const DTypeInfo *lookupDType(std::string_view name) {
  for (const DTypeInfo &info : kDTypes)
    if (name == info.name)
      return &info;
  return nullptr;
}

const DTypeInfo *lookupSafeTensorsDType(std::string_view name) {
  for (const DTypeInfo &info : kDTypes)
    if (name == info.safeTensorsName)
      return &info;
  return nullptr;
}

bool computeTensorBytes(const DTypeInfo &dtype,
                        const std::vector<int64_t> &shape, size_t &bytes) {
  bool isEmpty = false;
  for (int64_t dim : shape) {
    if (dim < 0)
      return false;
    isEmpty |= dim == 0;
  }
  // A zero dimension makes the tensor empty however large the others are.
  if (isEmpty) {
    bytes = 0;
    return true;
  }
  const size_t limit = std::numeric_limits<size_t>::max();
  size_t total = dtype.elementBytes;
  for (int64_t dim : shape) {
    if (static_cast<uint64_t>(dim) > limit / total)
      return false;
    total *= static_cast<size_t>(dim);
  }
  bytes = total;
  return true;
}

std::string formatShape(const std::vector<int64_t> &shape) {
  std::string text = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i)
      text += ", ";
    text += std::to_string(shape[i]);
  }
  return text + "]";
}

} // namespace quern::rt
