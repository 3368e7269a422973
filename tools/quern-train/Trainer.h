//===- Trainer.h - The training loop ----------------------------*- C++ -*-===//
//
// This file is part of Quern.
//
//===----------------------------------------------------------------------===//
//
// One step is: fill the inputs for the global step number, call train_step
// with the scheduled rate, then log, evaluate and checkpoint as asked. The
// loop stops early only between steps: on Ctrl-C (Interrupt.h) or when a
// step or a checkpoint fails. What to do with the state afterwards, the
// final or interrupted save, is the caller's.
//
//===----------------------------------------------------------------------===//

#ifndef QUERN_TRAIN_TRAINER_H
#define QUERN_TRAIN_TRAINER_H

#include "Schedule.h"

#include <cstdint>
#include <optional>
#include <string>

namespace quern::train {

class BatchSource;
class CsvLog;
class Session;

struct TrainerConfig {
  uint64_t firstStep = 0; // the state's step counter at the start
  uint64_t steps = 0;     // steps to run
  Schedule schedule;
  uint64_t logEvery = 10;
  uint64_t evalEvery = 0;            // 0: never
  std::optional<size_t> forwardLoss; // forward output index; set if evaluating
  uint64_t saveEvery = 0;            // 0: never
  std::string savePath;
  /// Data parallel: this process is one of `processes` (quern/mpi.h). The
  /// logged loss is the mean over them, an interrupt of any stops all after
  /// the same step, and only rank 0 (`writes`) logs and saves.
  int processes = 1;
  bool writes = true;
  /// Whether this process takes part in saving the state: rank 0, and every
  /// rank when the optimizer state is sharded (Session::shardsState).
  bool saves = true;
};

enum class TrainOutcome { Finished, Interrupted, Failed };

class Trainer {
public:
  Trainer(Session &session, BatchSource &data, CsvLog &log,
          const TrainerConfig &config)
      : session(session), data(data), log(log), config(config) {}

  /// Runs the steps; on Failed, `error` says why.
  TrainOutcome run(std::string &error);

  /// The global step number after the last completed step.
  uint64_t lastStep() const { return step; }
  /// Seconds spent in the steps themselves.
  double trainSeconds() const { return stepSeconds; }

private:
  bool evaluate(double &meanLoss, std::string &error);

  Session &session;
  BatchSource &data;
  CsvLog &log;
  double stepSeconds = 0;
  TrainerConfig config;
  uint64_t step = 0;
};

} // namespace quern::train

#endif // QUERN_TRAIN_TRAINER_H
