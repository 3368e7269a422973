//===- SafeTensorsWriter.cpp - Writing safetensors files ------------------===//
//
// This file is part of Quern.
//
//===----------------------------------------------------------------------===//

#include "quern/SafeTensors.h"

#include "AtomicFile.h"
#include "DType.h"
#include "Json.h"

#include <algorithm>
#include <limits>
#include <set>

namespace quern::rt {

namespace {

/// Builds the JSON header and checks every tensor before anything touches
/// the disk, so that a bad request never leaves a file behind.
bool buildHeader(const std::vector<TensorRef> &tensors,
                 const std::map<std::string, std::string> &metadata,
                 std::string &header, std::string &problem) {
  auto fail = [&](const std::string &what) {
    problem = what;
    return false;
  };
  header = "{";
  if (!metadata.empty()) {
    header += "\"__metadata__\":{";
    bool first = true;
    for (const auto &[key, value] : metadata) {
      if (!first)
        header += ',';
      first = false;
      header += quoteJson(key) + ':' + quoteJson(value);
    }
    header += '}';
  }
  std::set<std::string> names;
  size_t offset = 0;
  for (const TensorRef &tensor : tensors) {
    const std::string quoted = "'" + tensor.name + "'";
    if (tensor.name.empty())
      return fail("a tensor has an empty name");
    if (tensor.name == "__metadata__")
      return fail("'__metadata__' is reserved, not a tensor name");
    if (!names.insert(tensor.name).second)
      return fail("tensor " + quoted + " is given twice");
    const DTypeInfo *dtype = lookupDType(tensor.dtype);
    if (!dtype)
      return fail("tensor " + quoted + " has unknown dtype '" + tensor.dtype +
                  "'");
    size_t expected;
    if (!computeTensorBytes(*dtype, tensor.shape, expected))
      return fail("tensor " + quoted + " has invalid shape " +
                  formatShape(tensor.shape));
    if (expected != tensor.bytes)
      return fail("tensor " + quoted + " has " + std::to_string(tensor.bytes) +
                  " bytes but shape " + formatShape(tensor.shape) + " of " +
                  dtype->name + " needs " + std::to_string(expected));
    if (tensor.bytes > 0 && !tensor.data)
      return fail("tensor " + quoted + " has no data");
    if (tensor.bytes > std::numeric_limits<size_t>::max() - offset)
      return fail("tensors too large");

    if (header.size() > 1)
      header += ',';
    header += quoteJson(tensor.name) + ":{\"dtype\":\"" +
              dtype->safeTensorsName + "\",\"shape\":[";
    for (size_t i = 0; i < tensor.shape.size(); ++i)
      header += (i ? "," : "") + std::to_string(tensor.shape[i]);
    header += "],\"data_offsets\":[" + std::to_string(offset) + ',' +
              std::to_string(offset + tensor.bytes) + "]}";
    offset += tensor.bytes;
  }
  header += '}';
  // The format allows trailing spaces; padding to 8 bytes keeps the data of
  // 8-byte dtypes aligned within a memory-mapped file.
  while (header.size() % 8 != 0)
    header += ' ';

  // Names and metadata are caller strings: check that the header parses as
  // the reader will parse it (valid UTF-8 in particular), so we never write
  // a file we would refuse to read.
  JsonValue parsed;
  std::string jsonError;
  if (!parseJson(header, parsed, jsonError))
    return fail("a tensor name or metadata entry is not valid UTF-8 (" +
                jsonError + ")");
  return true;
}

/// Whether `tensor` is large and all zeros: written as a hole. Scanning it
/// costs a fraction of writing it.
bool isAllZeros(const TensorRef &tensor) {
  constexpr size_t kMinHoleBytes = size_t(1) << 16;
  if (tensor.bytes < kMinHoleBytes)
    return false;
  const char *bytes = static_cast<const char *>(tensor.data);
  return std::all_of(bytes, bytes + tensor.bytes,
                     [](char byte) { return byte == 0; });
}

} // namespace

bool writeSafeTensors(const std::string &path,
                      const std::vector<TensorRef> &tensors,
                      const std::map<std::string, std::string> &metadata,
                      std::string &error) {
  std::string header, problem;
  if (!buildHeader(tensors, metadata, header, problem)) {
    error = "cannot write '" + path + "': " + problem;
    return false;
  }
  unsigned char length[8];
  uint64_t headerBytes = header.size();
  for (int i = 0; i < 8; ++i)
    length[i] = static_cast<unsigned char>(headerBytes >> (8 * i));

  AtomicFileWriter file;
  if (!file.open(path, error) || !file.write(length, sizeof(length), error) ||
      !file.write(header.data(), header.size(), error))
    return false;
  for (const TensorRef &tensor : tensors)
    if (!(isAllZeros(tensor) ? file.writeZeros(tensor.bytes, error)
                             : file.write(tensor.data, tensor.bytes, error)))
      return false;
  return file.commit(error);
}

} // namespace quern::rt
