//===- Interrupt.cpp - Stopping training cleanly on Ctrl-C ----------------===//
//
// This file is part of Quern.
//
//===----------------------------------------------------------------------===//

#include "Interrupt.h"

#include <csignal>
#include <cstring>

static volatile std::sig_atomic_t interrupted = 0;

static void onInterrupt(int) { interrupted = 1; }

void quern::train::installInterruptHandler() {
  struct sigaction action;
  std::memset(&action, 0, sizeof action);
  action.sa_handler = onInterrupt;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESETHAND;
  sigaction(SIGINT, &action, nullptr);
}

bool quern::train::interruptRequested() { return interrupted != 0; }
