//===- KernelProfile.h - the kernels a run spent its time in ----*- C++ -*-===//
//
// With QUERN_PROFILE=1 in the environment a compiled model times each of
// its kernels; quern-train prints the ten that took longest, beside the
// share the compiler estimated for them, so that a slow shape shows up
// without a profiler.
//
//===----------------------------------------------------------------------===//

#ifndef QUERN_TRAIN_KERNELPROFILE_H
#define QUERN_TRAIN_KERNELPROFILE_H

#include <quern/runtime.h>

#include <cstddef>
#include <cstdio>

namespace quern::train {

/// Whether QUERN_PROFILE asks for the profile (a positive number).
bool kernelProfileRequested();

/// Prints the `top` kernels of `model` by measured time to `out`; a line
/// saying why there is nothing to print if no kernel was timed.
void printKernelProfile(const quern_rt_model *model, std::FILE *out,
                        size_t top = 10);

} // namespace quern::train

#endif // QUERN_TRAIN_KERNELPROFILE_H
