//===- SafeTensorsReader.cpp - Reading safetensors files ------------------===//
//
// This file is part of Quern.
//
//===----------------------------------------------------------------------===//
//
// Checkpoints are user files and may be truncated, corrupted or crafted, so
// every number in the header is checked against the file before any pointer
// is formed from it.
//
//===----------------------------------------------------------------------===//

#include "quern/SafeTensors.h"

#include "DType.h"
#include "Json.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace quern::rt {

/// The reference implementation's limit; a larger header is a corrupt or
/// hostile file, not a model.
static constexpr uint64_t kMaxHeaderBytes = 100u << 20;

SafeTensorsFile::~SafeTensorsFile() { close(); }

SafeTensorsFile::SafeTensorsFile(SafeTensorsFile &&other) noexcept {
  *this = std::move(other);
}

SafeTensorsFile &SafeTensorsFile::operator=(SafeTensorsFile &&other) noexcept {
  if (this == &other)
    return *this;
  close();
  filePath = std::move(other.filePath);
  mapping = other.mapping;
  mappingSize = other.mappingSize;
  views = std::move(other.views);
  meta = std::move(other.meta);
  other.mapping = nullptr;
  other.mappingSize = 0;
  other.close();
  return *this;
}

void SafeTensorsFile::close() {
  if (mapping)
    ::munmap(mapping, mappingSize);
  mapping = nullptr;
  mappingSize = 0;
  filePath.clear();
  views.clear();
  meta.clear();
}

const TensorView *SafeTensorsFile::find(const std::string &name) const {
  auto it = views.find(name);
  return it == views.end() ? nullptr : &it->second;
}

void SafeTensorsFile::release(const TensorView &view) const {
  const uintptr_t page = static_cast<uintptr_t>(::sysconf(_SC_PAGESIZE));
  uintptr_t begin = reinterpret_cast<uintptr_t>(view.data);
  uintptr_t end = begin + view.bytes;
  begin = (begin + page - 1) / page * page;
  end = end / page * page;
  if (end > begin)
    ::madvise(reinterpret_cast<void *>(begin), end - begin, MADV_DONTNEED);
}

bool SafeTensorsFile::open(const std::string &path, std::string &error) {
  close();
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    error = "cannot open '" + path + "': " + std::strerror(errno);
    return false;
  }
  struct stat info;
  if (::fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) {
    error = "cannot read '" + path + "': not a regular file";
    ::close(fd);
    return false;
  }
  size_t size = static_cast<size_t>(info.st_size);
  if (size < 8) {
    error = "'" + path + "' is not a valid safetensors file: truncated to " +
            std::to_string(size) + " bytes, shorter than the header length";
    ::close(fd);
    return false;
  }
  void *mapped = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
  int mapErrno = errno;
  ::close(fd);
  if (mapped == MAP_FAILED) {
    error = "cannot map '" + path + "': " + std::strerror(mapErrno);
    return false;
  }
  mapping = mapped;
  mappingSize = size;
  std::string problem;
  if (!parse(problem)) {
    error = "'" + path + "' is not a valid safetensors file: " + problem;
    close();
    return false;
  }
  filePath = path;
  return true;
}

namespace {

struct ByteRange {
  uint64_t begin, end;
  const std::string *name;
};

bool readShape(const JsonValue &value, std::vector<int64_t> &shape) {
  if (!value.isArray())
    return false;
  for (const JsonValue &dim : value.elements) {
    int64_t extent;
    if (!dim.getInt64(extent) || extent < 0)
      return false;
    shape.push_back(extent);
  }
  return true;
}

bool readOffsets(const JsonValue &value, uint64_t &begin, uint64_t &end) {
  int64_t first, last;
  if (!value.isArray() || value.elements.size() != 2 ||
      !value.elements[0].getInt64(first) || !value.elements[1].getInt64(last) ||
      first < 0 || last < first)
    return false;
  begin = static_cast<uint64_t>(first);
  end = static_cast<uint64_t>(last);
  return true;
}

} // namespace

bool SafeTensorsFile::parse(std::string &problem) {
  auto fail = [&](const std::string &what) {
    problem = what;
    return false;
  };
  const unsigned char *bytes = static_cast<const unsigned char *>(mapping);
  uint64_t headerBytes = 0;
  for (int i = 7; i >= 0; --i)
    headerBytes = (headerBytes << 8) | bytes[i];
  if (headerBytes > mappingSize - 8)
    return fail("header length " + std::to_string(headerBytes) +
                " runs past the end of the " + std::to_string(mappingSize) +
                "-byte file");
  if (headerBytes > kMaxHeaderBytes)
    return fail("header length " + std::to_string(headerBytes) +
                " exceeds the limit of " + std::to_string(kMaxHeaderBytes));

  std::string_view headerText(reinterpret_cast<const char *>(bytes + 8),
                              headerBytes);
  JsonValue header;
  std::string jsonError;
  if (!parseJson(headerText, header, jsonError))
    return fail("header: " + jsonError);
  if (!header.isObject())
    return fail("header is not a JSON object");

  const unsigned char *data = bytes + 8 + headerBytes;
  const uint64_t dataBytes = mappingSize - 8 - headerBytes;
  std::vector<ByteRange> ranges;
  for (size_t i = 0; i < header.keys.size(); ++i) {
    const std::string &name = header.keys[i];
    const JsonValue &entry = header.elements[i];
    if (name == "__metadata__") {
      if (!entry.isObject())
        return fail("__metadata__ is not an object");
      for (size_t j = 0; j < entry.keys.size(); ++j) {
        if (!entry.elements[j].isString())
          return fail("__metadata__ entry '" + entry.keys[j] +
                      "' is not a string");
        meta[entry.keys[j]] = entry.elements[j].string;
      }
      continue;
    }
    const std::string quoted = "tensor '" + name + "'";
    if (!entry.isObject())
      return fail(quoted + " is not an object");
    const JsonValue *dtypeValue = entry.get("dtype");
    if (!dtypeValue || !dtypeValue->isString())
      return fail(quoted + " has no dtype");
    const DTypeInfo *dtype = lookupSafeTensorsDType(dtypeValue->string);
    if (!dtype)
      return fail(quoted + " has unknown dtype '" + dtypeValue->string + "'");
    TensorView view;
    view.dtype = dtype->name;
    const JsonValue *shapeValue = entry.get("shape");
    if (!shapeValue || !readShape(*shapeValue, view.shape))
      return fail(quoted + " has no valid shape");
    const JsonValue *offsetsValue = entry.get("data_offsets");
    uint64_t begin, end;
    if (!offsetsValue || !readOffsets(*offsetsValue, begin, end))
      return fail(quoted + " has no valid data_offsets");
    const std::string span =
        "[" + std::to_string(begin) + ", " + std::to_string(end) + "]";
    if (end > dataBytes)
      return fail(quoted + " data_offsets " + span +
                  " run past the end of the " + std::to_string(dataBytes) +
                  "-byte data area");
    size_t expected;
    if (!computeTensorBytes(*dtype, view.shape, expected) ||
        expected != end - begin)
      return fail(quoted + " has shape " + formatShape(view.shape) + " of " +
                  dtype->name + " but data_offsets " + span + " hold " +
                  std::to_string(end - begin) + " bytes");
    view.data = data + begin;
    view.bytes = expected;
    auto inserted = views.emplace(name, std::move(view));
    ranges.push_back({begin, end, &inserted.first->first});
  }

  // The data area must be tiled exactly: an overlap would let two tensors
  // alias, and a gap or a trailing tail means the header and data disagree.
  std::sort(ranges.begin(), ranges.end(),
            [](const ByteRange &a, const ByteRange &b) {
              return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
            });
  uint64_t covered = 0;
  const std::string *previous = nullptr;
  for (const ByteRange &range : ranges) {
    if (range.begin < covered)
      return fail("tensor '" + *range.name + "' overlaps tensor '" + *previous +
                  "'");
    if (range.begin > covered)
      return fail("gap in the data area before tensor '" + *range.name +
                  "' (bytes " + std::to_string(covered) + " to " +
                  std::to_string(range.begin) + " belong to no tensor)");
    covered = range.end;
    previous = range.name;
  }
  if (covered != dataBytes)
    return fail("the data area has " + std::to_string(dataBytes) +
                " bytes but the tensors cover " + std::to_string(covered));
  return true;
}

} // namespace quern::rt
