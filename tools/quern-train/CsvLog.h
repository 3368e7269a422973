//===- CsvLog.h - The per-step CSV log --------------------------*- C++ -*-===//
//
// This file is part of Quern.
//
//===----------------------------------------------------------------------===//
//
// --log FILE.csv: a header `step,loss,lr,eval_loss,seconds` and one row per
// step, eval_loss empty on steps without an evaluation. Each row is flushed
// as it is written so that a crashed or killed run keeps its curve and other
// programs can follow the file while training runs.
//
//===----------------------------------------------------------------------===//

#ifndef QUERN_TRAIN_CSVLOG_H
#define QUERN_TRAIN_CSVLOG_H

#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>

namespace quern::train {

class CsvLog {
public:
  CsvLog() = default;
  CsvLog(const CsvLog &) = delete;
  CsvLog &operator=(const CsvLog &) = delete;
  ~CsvLog();

  /// Creates (or truncates) the file and writes the header.
  bool open(const std::string &path, std::string &error);
  bool isOpen() const { return file != nullptr; }

  void addRow(uint64_t step, float loss, double lr,
              std::optional<double> evalLoss, double seconds);

  /// Closes the file; false if any write failed.
  bool close(std::string &error);

private:
  std::FILE *file = nullptr;
  std::string path;
};

} // namespace quern::train

#endif // QUERN_TRAIN_CSVLOG_H
