//===- Files.cpp - opening the files a run reads and writes -----*- C++ -*-===//

#include "Files.h"

#include <cerrno>
#include <cstring>
#include <sys/stat.h>
#include <unistd.h>

namespace quern::train {

std::FILE *openRegularFile(const std::string &path, std::string &error) {
  std::FILE *file = std::fopen(path.c_str(), "rb");
  if (!file) {
    error = "cannot open '" + path + "': " + std::strerror(errno);
    return nullptr;
  }
  struct stat info;
  if (fstat(fileno(file), &info) != 0 || !S_ISREG(info.st_mode)) {
    std::fclose(file);
    error = "'" + path +
            "' is not a regular file (a device, a folder or a pipe has no "
            "end to read to)";
    return nullptr;
  }
  return file;
}

bool checkWritable(const std::string &path, std::string &error) {
  struct stat info;
  if (stat(path.c_str(), &info) == 0 && S_ISDIR(info.st_mode)) {
    error = "'" + path + "' is a folder";
    return false;
  }
  std::string probe = path + ".probe" + std::to_string(getpid());
  std::FILE *file = std::fopen(probe.c_str(), "wb");
  if (!file) {
    error = "cannot write '" + path + "': " + std::strerror(errno);
    return false;
  }
  std::fclose(file);
  std::remove(probe.c_str());
  return true;
}

} // namespace quern::train
