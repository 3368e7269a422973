//===- SafeTensors.h - Reading and writing safetensors files ----*- C++ -*-===//
//
// This file is part of Quern.
//
//===----------------------------------------------------------------------===//
//
// Quern's state files (the compiler's initial NAME.safetensors and the
// checkpoints quern-train writes) use the safetensors format so that they load
// back into PyTorch and Hugging Face tooling. The layout is an 8-byte
// little-endian header length N, N bytes of JSON header, then the tensor data:
//
//   {"w": {"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 24]},
//    "__metadata__": {"format": "quern-state"}}
//
// The compiler and the runtime share this one implementation, so the files
// the compiler writes are by construction ones the runtime accepts. Dtypes
// are given in the manifest spelling ("f32") on both sides of this API.
//
// Errors are reported as a false return plus a message naming the file; the
// runtime may be built with -fno-exceptions.
//
//===----------------------------------------------------------------------===//

#ifndef QUERN_SAFETENSORS_H
#define QUERN_SAFETENSORS_H

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace quern::rt {

/// A tensor to be written; `data` is borrowed and must hold `bytes` bytes.
struct TensorRef {
  std::string name;
  std::string dtype; // manifest spelling: "f32", "bf16", "i64", ...
  std::vector<int64_t> shape;
  const void *data = nullptr;
  size_t bytes = 0;
};

/// Writes `tensors` (data in the given order, without gaps, as the format
/// requires) and `metadata` to `path`. The write is atomic: readers see the
/// old file or the complete new one, never a torn checkpoint. The header is
/// padded with spaces to a multiple of 8 bytes so the data start is aligned.
bool writeSafeTensors(const std::string &path,
                      const std::vector<TensorRef> &tensors,
                      const std::map<std::string, std::string> &metadata,
                      std::string &error);

/// A tensor inside an open SafeTensorsFile. `data` points into the file's
/// mapping: it lives as long as the file object and is only as aligned as
/// the file layout makes it, so copy with memcpy rather than dereferencing
/// it as a typed pointer.
struct TensorView {
  std::string dtype; // manifest spelling
  std::vector<int64_t> shape;
  const void *data = nullptr;
  size_t bytes = 0;
};

/// A memory-mapped, fully validated safetensors file. open() accepts a file
/// only if the header length is within the file, the header is valid JSON
/// whose tensors have known dtypes and byte ranges equal to
/// product(shape) * element size, and the ranges tile the data area exactly
/// (in bounds, no overlap, no gap), which is what the reference
/// implementation requires.
class SafeTensorsFile {
public:
  SafeTensorsFile() = default;
  ~SafeTensorsFile();
  SafeTensorsFile(const SafeTensorsFile &) = delete;
  SafeTensorsFile &operator=(const SafeTensorsFile &) = delete;
  SafeTensorsFile(SafeTensorsFile &&other) noexcept;
  SafeTensorsFile &operator=(SafeTensorsFile &&other) noexcept;

  /// Maps and validates `path`, replacing whatever was open before. On
  /// failure the object is left empty and `error` names the file.
  bool open(const std::string &path, std::string &error);
  void close();

  const std::string &path() const { return filePath; }
  const std::map<std::string, TensorView> &tensors() const { return views; }
  const std::map<std::string, std::string> &metadata() const { return meta; }
  /// Returns null if the file has no tensor called `name`.
  const TensorView *find(const std::string &name) const;
  /// Drops the pages wholly inside `view` from memory once they have been
  /// read (they are read from the file again if touched): loading a large
  /// state then holds one tensor of the file in memory at a time, not all
  /// of it beside the state buffer.
  void release(const TensorView &view) const;

private:
  bool parse(std::string &problem);

  std::string filePath;
  void *mapping = nullptr;
  size_t mappingSize = 0;
  std::map<std::string, TensorView> views;
  std::map<std::string, std::string> meta;
};

} // namespace quern::rt

#endif // QUERN_SAFETENSORS_H
