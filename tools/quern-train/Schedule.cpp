//===- Schedule.cpp - Learning-rate schedules -----------------------------===//
//
// This file is part of Quern.
//
//===----------------------------------------------------------------------===//

#include "Schedule.h"

#include <algorithm>
#include <cmath>

using namespace quern::train;

double Schedule::at(uint64_t step) const {
  // Counting from 1 makes the first warm-up step a real update (lr > 0)
  // and lets the cosine reach minLr exactly at the last step.
  if (step <= warmupSteps)
    return peakLr * double(step) / double(warmupSteps);
  if (kind == ScheduleKind::Constant)
    return peakLr;
  if (totalSteps <= warmupSteps)
    return minLr;
  double progress =
      double(step - warmupSteps) / double(totalSteps - warmupSteps);
  progress = std::min(progress, 1.0);
  return minLr + (peakLr - minLr) * 0.5 * (1.0 + std::cos(M_PI * progress));
}
