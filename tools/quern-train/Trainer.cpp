//===- Trainer.cpp - The training loop ------------------------------------===//
//
// This file is part of Quern.
//
//===----------------------------------------------------------------------===//

#include "Trainer.h"

#include "BatchSource.h"
#include "CsvLog.h"
#include "Interrupt.h"
#include "Progress.h"
#include "Session.h"

#include "quern/mpi.h"

#include <chrono>
#include <cstring>

using namespace quern::train;

using Clock = std::chrono::steady_clock;

static double secondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

bool Trainer::evaluate(double &meanLoss, std::string &error) {
  double total = 0;
  size_t batches = data.numEvalBatches();
  for (size_t i = 0; i < batches; ++i) {
    data.fillEvalBatch(i, session);
    if (!session.forward(error))
      return false;
    float loss;
    std::memcpy(&loss, session.forwardOutput(*config.forwardLoss), sizeof loss);
    total += loss;
  }
  meanLoss = total / double(batches);
  return true;
}

TrainOutcome Trainer::run(std::string &error) {
  step = config.firstStep;
  uint64_t lastStep = config.firstStep + config.steps;
  Progress progress({config.firstStep, lastStep, config.logEvery,
                     data.itemsPerBatch(), data.itemUnit()});
  Clock::time_point start = Clock::now();

  while (step < lastStep) {
    // The rate and the batch are functions of the global step, so resuming
    // from a checkpoint continues both (Schedule.h, BatchSource.h).
    double lr = config.schedule.at(step + 1);
    data.fillTrainBatch(step, session);
    Clock::time_point stepStart = Clock::now();
    float loss;
    if (!session.trainStep(float(lr), loss, error)) {
      progress.finish();
      error = "step " + std::to_string(step + 1) + ": " + error;
      return TrainOutcome::Failed;
    }
    stepSeconds += secondsSince(stepStart);
    ++step;
    bool interrupted = interruptRequested();
    if (config.processes > 1) {
      double sums[] = {loss, interrupted ? 1.0 : 0.0};
      if (quern_rt_mpi_sum(sums, 2) != QUERN_RT_OK) {
        progress.finish();
        error = "step " + std::to_string(step) + ": " + quern_rt_last_error();
        return TrainOutcome::Failed;
      }
      loss = float(sums[0] / config.processes);
      interrupted = sums[1] > 0;
    }

    std::optional<double> evalLoss;
    if (config.evalEvery && step % config.evalEvery == 0) {
      double mean;
      if (!evaluate(mean, error)) {
        progress.finish();
        error = "evaluation at step " + std::to_string(step) + ": " + error;
        return TrainOutcome::Failed;
      }
      evalLoss = mean;
      char line[128];
      std::snprintf(line, sizeof line,
                    "eval step %llu: loss %.4f (%zu batches)",
                    (unsigned long long)step, mean, data.numEvalBatches());
      progress.message(line);
    }
    if (config.writes && log.isOpen())
      log.addRow(step, loss, lr, evalLoss, secondsSince(start));
    progress.update(step, loss, lr, stepSeconds,
                    [&] { return session.expertLoad(); });

    if (config.saves && config.saveEvery && step % config.saveEvery == 0 &&
        step < lastStep) {
      if (!session.saveState(config.savePath, error)) {
        progress.finish();
        return TrainOutcome::Failed;
      }
      progress.message("saved " + config.savePath + " (step " +
                       std::to_string(step) + ")");
    }
    if (interrupted) {
      progress.finish();
      return TrainOutcome::Interrupted;
    }
  }
  progress.finish();
  // Ctrl-C during the last step still asks for the interrupted exit. The
  // processes of a data-parallel job agreed on the last step's flag above:
  // one that alone saw a later Ctrl-C would save apart from the others
  // (a sharded state is saved by all of them together).
  return config.processes == 1 && interruptRequested()
             ? TrainOutcome::Interrupted
             : TrainOutcome::Finished;
}
