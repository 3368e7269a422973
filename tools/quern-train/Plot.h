//===- Plot.h - The loss curve as a picture ---------------------*- C++ -*-===//
//
// This file is part of Quern.
//
//===----------------------------------------------------------------------===//
//
// --plot FILE.png: the --log file drawn by the Python package's
// quern.plot_loss (matplotlib), so that quern-train and a Python training
// loop draw the same picture from the same CSV.
//
//===----------------------------------------------------------------------===//

#ifndef QUERN_TRAIN_PLOT_H
#define QUERN_TRAIN_PLOT_H

#include <string>

namespace quern::train {

/// Draws the loss curve of the CSV log at `logPath` into `imagePath` with
/// /usr/bin/python3 and quern.plot_loss; false (and `error`) if that fails.
bool plotLoss(const std::string &logPath, const std::string &imagePath,
              std::string &error);

} // namespace quern::train

#endif // QUERN_TRAIN_PLOT_H
