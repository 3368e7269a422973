//===- Plot.cpp - The loss curve as a picture -------------------*- C++ -*-===//
//
// This file is part of Quern.
//
//===----------------------------------------------------------------------===//

#include "Plot.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <sys/wait.h>
#include <unistd.h>

using namespace quern::train;

bool quern::train::plotLoss(const std::string &logPath,
                            const std::string &imagePath, std::string &error) {
  static const char *const kPython = "/usr/bin/python3";
  static const char *const kScript =
      "import sys; sys.path.insert(0, sys.argv[1]); "
      "from quern._training import plot_loss; "
      "plot_loss(sys.argv[2], sys.argv[3])";
  std::fflush(stdout);
  pid_t child = fork();
  if (child < 0) {
    error = std::string("cannot start python3: ") + std::strerror(errno);
    return false;
  }
  if (child == 0) {
    const char *argv[] = {
        kPython,           "-c",   kScript, QUERN_PYTHON_DIR, logPath.c_str(),
        imagePath.c_str(), nullptr};
    execv(kPython, const_cast<char *const *>(argv));
    _exit(127);
  }
  int status = 0;
  while (waitpid(child, &status, 0) < 0 && errno == EINTR)
    continue;
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
    return true;
  error = "drawing '" + imagePath + "' with " + kPython +
          " failed (it needs python3-matplotlib, and the quern package in " +
          QUERN_PYTHON_DIR + ")";
  return false;
}
