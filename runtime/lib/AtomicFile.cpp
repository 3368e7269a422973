//===- AtomicFile.cpp - Replace a file all at once ------------------------===//
//
// This file is part of Quern.
//
//===----------------------------------------------------------------------===//

#include "AtomicFile.h"

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace quern::rt {

static std::string folderOf(const std::string &path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos)
    return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

AtomicFileWriter::~AtomicFileWriter() { discard(); }

bool AtomicFileWriter::fail(const std::string &what, std::string &error) {
  error = what + ": " + std::strerror(errno);
  discard();
  return false;
}

/// Removes the temporaries of `path` (named `.BASE.tmp.PID.N`, as open()
/// names them) whose writer no longer runs: a writer killed mid-write
/// leaves one behind, and the next writer of the same file cleans up.
static void removeStaleTemporaries(const std::string &folder,
                                   const std::string &base) {
  DIR *listing = ::opendir(folder.c_str());
  if (!listing)
    return;
  std::string prefix = "." + base + ".tmp.";
  while (const dirent *entry = ::readdir(listing)) {
    std::string name = entry->d_name;
    if (name.compare(0, prefix.size(), prefix) != 0)
      continue;
    // PID, then "." and the writer's counter.
    char *end = nullptr;
    long pid = std::strtol(name.c_str() + prefix.size(), &end, 10);
    if (end == name.c_str() + prefix.size() || *end != '.' || pid <= 0)
      continue;
    if (::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH)
      ::unlink((folder + "/" + name).c_str());
  }
  ::closedir(listing);
}

bool AtomicFileWriter::open(const std::string &path, std::string &error) {
  discard();
  destination = path;
  // The name must be unique among concurrent writers in this process and
  // others; O_EXCL settles any remaining race. open() rather than mkstemp()
  // so the file gets the usual 0666 & ~umask permissions, not 0600.
  static std::atomic<unsigned> counter{0};
  std::string base = path.substr(path.rfind('/') + 1);
  std::string folder = folderOf(path);
  removeStaleTemporaries(folder, base);
  for (int attempt = 0; attempt < 100; ++attempt) {
    std::string candidate = folder + "/." + base + ".tmp." +
                            std::to_string(::getpid()) + "." +
                            std::to_string(counter.fetch_add(1));
    int created = ::open(candidate.c_str(),
                         O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (created >= 0) {
      fd = created;
      tempPath = candidate;
      return true;
    }
    if (errno != EEXIST)
      return fail("cannot create a temporary file in '" + folder + "'", error);
  }
  errno = EEXIST;
  return fail("cannot create a temporary file in '" + folder + "'", error);
}

bool AtomicFileWriter::write(const void *data, size_t size,
                             std::string &error) {
  const char *bytes = static_cast<const char *>(data);
  while (size > 0) {
    ssize_t written = ::write(fd, bytes, size);
    if (written < 0) {
      if (errno == EINTR)
        continue;
      return fail("cannot write '" + tempPath + "'", error);
    }
    bytes += written;
    size -= static_cast<size_t>(written);
  }
  return true;
}

bool AtomicFileWriter::writeZeros(size_t size, std::string &error) {
  if (::lseek(fd, static_cast<off_t>(size), SEEK_CUR) < 0)
    return fail("cannot seek in '" + tempPath + "'", error);
  return true;
}

bool AtomicFileWriter::commit(std::string &error) {
  // A hole at the end (zeros skipped last) is part of the file too.
  off_t end = ::lseek(fd, 0, SEEK_CUR);
  if (end < 0 || ::ftruncate(fd, end) != 0)
    return fail("cannot size '" + tempPath + "'", error);
  if (::fsync(fd) != 0)
    return fail("cannot sync '" + tempPath + "'", error);
  int closing = fd;
  fd = -1;
  if (::close(closing) != 0)
    return fail("cannot close '" + tempPath + "'", error);
  if (::rename(tempPath.c_str(), destination.c_str()) != 0)
    return fail("cannot rename '" + tempPath + "' to '" + destination + "'",
                error);
  tempPath.clear();
  // Best effort: some file systems refuse fsync on a directory, and the data
  // are already safe under their final name.
  int folder = ::open(folderOf(destination).c_str(), O_RDONLY | O_CLOEXEC);
  if (folder >= 0) {
    ::fsync(folder);
    ::close(folder);
  }
  return true;
}

void AtomicFileWriter::discard() {
  int savedErrno = errno;
  if (fd >= 0)
    ::close(fd);
  fd = -1;
  if (!tempPath.empty())
    ::unlink(tempPath.c_str());
  tempPath.clear();
  errno = savedErrno;
}

} // namespace quern::rt
