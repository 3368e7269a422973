//===- Schedule.h - Learning-rate schedules ---------------------*- C++ -*-===//
//
// This file is part of Quern.
//
//===----------------------------------------------------------------------===//
//
// Compiled train steps take the learning rate as a runtime input (DESIGN.md
// section 4), so schedules live here, in the caller. A schedule is a pure
// function of the global step number, the one the state's counter holds, so
// a run resumed from a checkpoint continues the curve where it stopped
// instead of restarting the warm-up.
//
//===----------------------------------------------------------------------===//

#ifndef QUERN_TRAIN_SCHEDULE_H
#define QUERN_TRAIN_SCHEDULE_H

#include <cstdint>

namespace quern::train {

enum class ScheduleKind { Constant, Cosine };

struct Schedule {
  ScheduleKind kind = ScheduleKind::Constant;
  double peakLr = 1e-3;
  double minLr = 0.0;       // cosine only: the rate at the last step
  uint64_t warmupSteps = 0; // linear ramp from 0 up to peakLr
  uint64_t totalSteps = 1;  // the step number the cosine ends at

  /// The rate for step `step` (1-based: the first update is step 1).
  double at(uint64_t step) const;
};

} // namespace quern::train

#endif // QUERN_TRAIN_SCHEDULE_H
