//===- AtomicFile.h - Replace a file all at once ----------------*- C++ -*-===//
//
// This file is part of Quern.
//
//===----------------------------------------------------------------------===//
//
// A checkpoint that is half written when the machine loses power, or when a
// training job is killed, must not replace the last good one. Data therefore
// go to a temporary file in the destination's folder (rename is only atomic
// within one file system), which is flushed to disk and then renamed over the
// destination; the folder is synced too so that the rename itself survives a
// crash. A writer killed mid-write leaves its temporary behind; the next
// writer of the same file removes the temporaries whose writer is gone.
//
//===----------------------------------------------------------------------===//

#ifndef QUERN_RUNTIME_ATOMICFILE_H
#define QUERN_RUNTIME_ATOMICFILE_H

#include <cstddef>
#include <string>

namespace quern::rt {

class AtomicFileWriter {
public:
  AtomicFileWriter() = default;
  /// Removes the temporary file unless commit() succeeded.
  ~AtomicFileWriter();
  AtomicFileWriter(const AtomicFileWriter &) = delete;
  AtomicFileWriter &operator=(const AtomicFileWriter &) = delete;

  /// Creates the temporary file next to `path`.
  bool open(const std::string &path, std::string &error);
  bool write(const void *data, size_t size, std::string &error);
  /// Writes `size` zero bytes as a hole where the file system allows: a
  /// fresh optimizer state is mostly zeros, which need neither writing nor
  /// flushing to disk, and read back as zeros.
  bool writeZeros(size_t size, std::string &error);
  /// Flushes, closes and renames the temporary file over the destination.
  bool commit(std::string &error);
  /// Abandons the write, leaving any existing destination untouched.
  void discard();

private:
  bool fail(const std::string &what, std::string &error);

  std::string destination;
  std::string tempPath;
  int fd = -1;
};

} // namespace quern::rt

#endif // QUERN_RUNTIME_ATOMICFILE_H
