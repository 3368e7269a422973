//===- Interrupt.h - Stopping training cleanly on Ctrl-C --------*- C++ -*-===//
//
// This file is part of Quern.
//
//===----------------------------------------------------------------------===//
//
// Killing a training run loses every step since the last checkpoint, and a
// signal arriving in the middle of a step leaves the state half-updated.
// The handler therefore only sets a flag; the loop finishes its step, saves
// and exits. The handler is installed with SA_RESETHAND, so a second Ctrl-C
// (a save that takes too long, a hung step) kills the process as usual.
//
//===----------------------------------------------------------------------===//

#ifndef QUERN_TRAIN_INTERRUPT_H
#define QUERN_TRAIN_INTERRUPT_H

namespace quern::train {

/// Routes SIGINT to the flag below. Installed even when the shell started
/// us with SIGINT ignored (a background job): a script that sends SIGINT to
/// a background run wants the checkpoint.
void installInterruptHandler();

/// True once SIGINT arrived.
bool interruptRequested();

} // namespace quern::train

#endif // QUERN_TRAIN_INTERRUPT_H
