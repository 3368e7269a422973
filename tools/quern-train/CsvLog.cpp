//===- CsvLog.cpp - The per-step CSV log ----------------------------------===//
//
// This file is part of Quern.
//
//===----------------------------------------------------------------------===//

#include "CsvLog.h"

#include <cerrno>
#include <cstring>

using namespace quern::train;

CsvLog::~CsvLog() {
  if (file)
    std::fclose(file);
}

bool CsvLog::open(const std::string &logPath, std::string &error) {
  path = logPath;
  file = std::fopen(path.c_str(), "w");
  if (!file) {
    error = "--log: cannot create '" + path + "': " + std::strerror(errno);
    return false;
  }
  std::fputs("step,loss,lr,eval_loss,seconds\n", file);
  std::fflush(file);
  return true;
}

void CsvLog::addRow(uint64_t step, float loss, double lr,
                    std::optional<double> evalLoss, double seconds) {
  // %.9g round-trips an f32 loss exactly.
  std::fprintf(file, "%llu,%.9g,%.9g,", (unsigned long long)step, loss, lr);
  if (evalLoss)
    std::fprintf(file, "%.9g", *evalLoss);
  std::fprintf(file, ",%.3f\n", seconds);
  std::fflush(file);
}

bool CsvLog::close(std::string &error) {
  if (!file)
    return true;
  bool failed = std::ferror(file);
  failed |= std::fclose(file) != 0;
  file = nullptr;
  if (failed)
    error = "--log: writing '" + path + "' failed";
  return !failed;
}
