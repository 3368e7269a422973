//===- Progress.h - The progress line ---------------------------*- C++ -*-===//
//
// This file is part of Quern.
//
//===----------------------------------------------------------------------===//
//
// On a terminal, one line is redrawn in place (at most ten times a second:
// a small model runs thousands of steps per second, and the terminal would
// become the bottleneck). Into a file or pipe, carriage returns would make
// an unreadable log, so plain lines are printed every --log-every steps and
// at the last step instead.
//
//===----------------------------------------------------------------------===//

#ifndef QUERN_TRAIN_PROGRESS_H
#define QUERN_TRAIN_PROGRESS_H

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

namespace quern::train {

struct ProgressConfig {
  uint64_t firstStep = 0; // the step counter when the run started
  uint64_t lastStep = 0;  // the step the run ends at
  uint64_t logEvery = 10;
  uint64_t itemsPerBatch = 1;
  const char *itemUnit = "samples";
};

class Progress {
public:
  explicit Progress(const ProgressConfig &config);

  /// After step `step` finished; `trainSeconds` is the time spent in
  /// train steps so far (without evaluation or saving), for the rate;
  /// `detail()` (when not empty) ends the line, asked for only when a
  /// line is printed.
  void update(uint64_t step, float loss, double lr, double trainSeconds,
              const std::function<std::string()> &detail = {});

  /// Prints a line that stays (an evaluation, a save) above the live line.
  void message(const std::string &line);

  /// Ends the live line, if one is shown.
  void finish();

private:
  std::string format(uint64_t step, float loss, double lr, double trainSeconds,
                     const std::function<std::string()> &detail) const;

  ProgressConfig config;
  bool terminal;
  bool lineShown = false;
  std::chrono::steady_clock::time_point lastDraw;
};

/// "1:02:03" or "2:03".
std::string formatDuration(double seconds);

} // namespace quern::train

#endif // QUERN_TRAIN_PROGRESS_H
