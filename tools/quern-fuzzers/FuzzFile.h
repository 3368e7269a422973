//===- FuzzFile.h - Fuzz input as a file a reader can open ------*- C++ -*-===//
//
// This file is part of Quern.
//
//===----------------------------------------------------------------------===//
//
// The data and state readers take a path, because what they guard against
// includes the file itself (not a regular file, a size that lies). A fuzz
// input is therefore written to an anonymous in-memory file (memfd), which
// is a regular file, and the reader is given its /proc/self/fd path, so it
// opens, stats, maps and reads it exactly as it would a file on disk.
//
//===----------------------------------------------------------------------===//

#ifndef QUERN_FUZZERS_FUZZFILE_H
#define QUERN_FUZZERS_FUZZFILE_H

#include <cstdint>
#include <cstdlib>
#include <string>
#include <sys/mman.h>
#include <unistd.h>

namespace quern::fuzz {

/// Replaces the fuzz file's contents with `data` and returns its path.
inline const std::string &fuzzFile(const uint8_t *data, size_t size) {
  static int fd = memfd_create("quern-fuzz", MFD_CLOEXEC);
  static std::string path = "/proc/self/fd/" + std::to_string(fd);
  if (fd < 0 || ftruncate(fd, 0) != 0 ||
      pwrite(fd, data, size, 0) != static_cast<ssize_t>(size))
    std::abort();
  return path;
}

} // namespace quern::fuzz

#endif // QUERN_FUZZERS_FUZZFILE_H
