//===- TestUtil.h - Helpers shared by the runtime unit tests ----*- C++ -*-===//
//
// This file is part of Quern.
//
//===----------------------------------------------------------------------===//

#ifndef QUERN_TEST_UNIT_TESTUTIL_H
#define QUERN_TEST_UNIT_TESTUTIL_H

#include <cstdint>
#include <cstdlib>
#include <dirent.h>
#include <fstream>
#include <iterator>
#include <string>
#include <unistd.h>
#include <vector>

namespace quern::test {

/// A fresh folder under $TMPDIR, removed with its files at scope exit, so
/// tests do not see each other's files.
class TempDir {
public:
  TempDir() {
    const char *base = std::getenv("TMPDIR");
    std::string pattern =
        std::string(base && *base ? base : "/tmp") + "/quern-test-XXXXXX";
    std::vector<char> buffer(pattern.begin(), pattern.end());
    buffer.push_back('\0');
    if (mkdtemp(buffer.data()))
      dir = buffer.data();
  }
  ~TempDir() {
    for (const std::string &name : list())
      ::unlink((dir + "/" + name).c_str());
    ::rmdir(dir.c_str());
  }
  TempDir(const TempDir &) = delete;
  TempDir &operator=(const TempDir &) = delete;

  std::string path(const std::string &name) const { return dir + "/" + name; }

  /// The names in the folder, hidden ones included, "." and ".." excluded.
  std::vector<std::string> list() const {
    std::vector<std::string> names;
    if (DIR *handle = ::opendir(dir.c_str())) {
      while (dirent *entry = ::readdir(handle)) {
        std::string name = entry->d_name;
        if (name != "." && name != "..")
          names.push_back(name);
      }
      ::closedir(handle);
    }
    return names;
  }

private:
  std::string dir;
};

inline void writeFile(const std::string &path, const std::string &bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

inline std::string readFile(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

inline bool fileExists(const std::string &path) {
  return ::access(path.c_str(), F_OK) == 0;
}

/// A safetensors file built by hand: the 8-byte little-endian header
/// length, `header` as is, then `data`. For files the writer would refuse.
inline std::string rawSafeTensors(const std::string &header,
                                  const std::string &data) {
  std::string bytes(8, '\0');
  uint64_t length = header.size();
  for (int i = 0; i < 8; ++i)
    bytes[i] = static_cast<char>(length >> (8 * i));
  return bytes + header + data;
}

} // namespace quern::test

#endif // QUERN_TEST_UNIT_TESTUTIL_H
