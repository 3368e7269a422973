//===- Options.h - quern-train's command line -------------------*- C++ -*-===//
//
// This file is part of Quern.
//
//===----------------------------------------------------------------------===//
//
// quern-train parses its own flags instead of using llvm::cl: the tool is
// meant to ship next to compiled models with only libquern_rt, and
// llvm::cl would pull LLVM in and list LLVM's own options in --help. Every
// check that needs only the command line happens here, before a model is
// loaded, so a typo fails in milliseconds rather than after loading.
//
//===----------------------------------------------------------------------===//

#ifndef QUERN_TRAIN_OPTIONS_H
#define QUERN_TRAIN_OPTIONS_H

#include "Schedule.h"

#include <cstdint>
#include <cstdio>
#include <string>

namespace quern::train {

struct Options {
  std::string modelPath;
  std::string initPath;     // --init: starting state instead of the default
  std::string resumePath;   // --resume: a checkpoint to continue from
  std::string adaptersPath; // --adapters: trained parameters over the state

  // Data: at most one of textPath and dataDir.
  std::string textPath;
  std::string dataDir;
  double evalSplit = 0.1;
  uint64_t evalEvery = 0; // 0: never
  uint64_t evalBatches = 8;
  uint64_t vocab = 0; // --vocab: bytes must be below it; 0: not given

  uint64_t steps = 100;
  double lr = 1e-3;
  ScheduleKind schedule = ScheduleKind::Constant;
  uint64_t warmup = 0;
  double minLr = 0.0;
  uint64_t seed = 0;
  unsigned threads = 0; // 0: leave OMP_NUM_THREADS alone
  /// Under mpirun: the longest a step waits for a bucket's mean before it
  /// ends the job (another process is stuck).
  double mpiTimeout = 600;

  uint64_t logEvery = 10;
  std::string logPath;  // --log FILE.csv
  std::string plotPath; // --plot FILE.png: the --log curve drawn at the end
  std::string savePath;
  uint64_t saveEvery = 0;       // 0: only at the end
  std::string saveAdaptersPath; // --save-adapters: the trained parameters

  uint64_t sampleBytes = 0; // 0: do not sample
  std::string prompt;
  double temperature = 0.0; // 0: greedy

  bool help = false;
};

/// Fills `options` from argv. On a bad command line returns false with a
/// one-line description in `error` (without the "quern-train: error: "
/// prefix).
bool parseOptions(int argc, const char *const *argv, Options &options,
                  std::string &error);

void printHelp(std::FILE *out);

} // namespace quern::train

#endif // QUERN_TRAIN_OPTIONS_H
