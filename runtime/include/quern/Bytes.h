//===- Bytes.h - byte counts for people -------------------------*- C++ -*-===//
//
// One way to print a size, for quernc's memory report and quern-train's
// start-up lines alike.
//
//===----------------------------------------------------------------------===//

#ifndef QUERN_RUNTIME_BYTES_H
#define QUERN_RUNTIME_BYTES_H

#include <cstdio>
#include <string>

namespace quern {

/// 1536 -> "1.5 KiB".
inline std::string formatBytes(double bytes) {
  const char *units[] = {"B", "KiB", "MiB", "GiB"};
  int unit = 0;
  while (bytes >= 1024 && unit < 3) {
    bytes /= 1024;
    ++unit;
  }
  char text[32];
  std::snprintf(text, sizeof text, "%.1f %s", bytes, units[unit]);
  return text;
}

} // namespace quern

#endif // QUERN_RUNTIME_BYTES_H
