//===- Progress.cpp - The progress line -----------------------------------===//
//
// This file is part of Quern.
//
//===----------------------------------------------------------------------===//

#include "Progress.h"

#include <cmath>
#include <cstdio>
#include <unistd.h>

using namespace quern::train;

Progress::Progress(const ProgressConfig &config)
    : config(config), terminal(isatty(STDOUT_FILENO)) {}

std::string quern::train::formatDuration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0)
    return "?";
  unsigned long long total = (unsigned long long)std::llround(seconds);
  char text[48];
  if (total >= 3600)
    std::snprintf(text, sizeof text, "%llu:%02llu:%02llu", total / 3600,
                  total / 60 % 60, total % 60);
  else
    std::snprintf(text, sizeof text, "%llu:%02llu", total / 60, total % 60);
  return text;
}

std::string Progress::format(uint64_t step, float loss, double lr,
                             double trainSeconds,
                             const std::function<std::string()> &detail) const {
  uint64_t done = step - config.firstStep;
  double perStep = done ? trainSeconds / double(done) : 0.0;
  double rate = perStep > 0 ? double(config.itemsPerBatch) / perStep : 0.0;
  char text[256];
  std::snprintf(
      text, sizeof text,
      "step %llu/%llu  loss %.4f  lr %.3g  %.*f %s/s  ETA %s",
      (unsigned long long)step, (unsigned long long)config.lastStep, loss, lr,
      rate < 100 ? 1 : 0, rate, config.itemUnit,
      formatDuration(perStep * double(config.lastStep - step)).c_str());
  std::string more = detail ? detail() : "";
  return more.empty() ? std::string(text) : text + ("  " + more);
}

void Progress::update(uint64_t step, float loss, double lr, double trainSeconds,
                      const std::function<std::string()> &detail) {
  bool last = step == config.lastStep;
  if (!terminal) {
    if (step % config.logEvery == 0 || last) {
      std::printf("%s\n", format(step, loss, lr, trainSeconds, detail).c_str());
      std::fflush(stdout);
    }
    return;
  }
  auto now = std::chrono::steady_clock::now();
  if (lineShown && !last && now - lastDraw < std::chrono::milliseconds(100))
    return;
  lastDraw = now;
  // \x1b[K clears what a longer previous line left behind.
  std::printf("\r%s\x1b[K",
              format(step, loss, lr, trainSeconds, detail).c_str());
  std::fflush(stdout);
  lineShown = true;
}

void Progress::message(const std::string &line) {
  if (terminal && lineShown)
    std::printf("\r\x1b[K");
  std::printf("%s\n", line.c_str());
  std::fflush(stdout);
  // The next update redraws the live line below the message.
  lineShown = false;
}

void Progress::finish() {
  if (terminal && lineShown)
    std::printf("\n");
  lineShown = false;
  std::fflush(stdout);
}
