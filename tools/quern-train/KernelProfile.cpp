//===- KernelProfile.cpp - the kernels a run spent its time in --*- C++ -*-===//

#include "KernelProfile.h"

#include <algorithm>
#include <cstdlib>
#include <vector>

namespace quern::train {

bool kernelProfileRequested() {
  const char *value = std::getenv("QUERN_PROFILE");
  return value && std::atoi(value) > 0;
}

void printKernelProfile(const quern_rt_model *model, std::FILE *out,
                        size_t top) {
  std::vector<quern_rt_kernel_info> kernels(quern_rt_model_num_kernels(model));
  uint64_t total = 0, calls = 0;
  for (size_t index = 0; index < kernels.size(); ++index) {
    quern_rt_kernel(model, index, &kernels[index]);
    total += kernels[index].nanoseconds;
    calls += kernels[index].calls;
  }
  if (total == 0) {
    std::fprintf(out,
                 "profile no kernel was timed (the model lists %zu; "
                 "QUERN_PROFILE must be set when it loads)\n",
                 kernels.size());
    return;
  }
  std::sort(kernels.begin(), kernels.end(),
            [](const quern_rt_kernel_info &a, const quern_rt_kernel_info &b) {
              return a.nanoseconds > b.nanoseconds;
            });
  std::fprintf(out,
               "profile %.3f s in %zu kernels (%llu calls); the %zu longest:\n",
               total / 1e9, kernels.size(), (unsigned long long)calls,
               std::min(top, kernels.size()));
  std::fprintf(out, "%12s %6s %10s %7s %8s  %s\n", "time", "share", "estimated",
               "calls", "GFLOP/s", "kernel (kind; strategy; source)");
  for (size_t rank = 0; rank < top && rank < kernels.size(); ++rank) {
    const quern_rt_kernel_info &kernel = kernels[rank];
    double seconds = kernel.nanoseconds / 1e9;
    std::fprintf(out, "%9.3f ms %5.1f%% %9.1f%% %7llu %8.1f  %s (%s",
                 seconds * 1e3, 100.0 * kernel.nanoseconds / total,
                 100 * kernel.estimated_share, (unsigned long long)kernel.calls,
                 seconds > 0 ? kernel.flops * kernel.calls / seconds / 1e9 : 0,
                 kernel.symbol, kernel.kind);
    if (*kernel.strategy)
      std::fprintf(out, "; %s", kernel.strategy);
    if (*kernel.source)
      std::fprintf(out, "; %s", kernel.source);
    std::fprintf(out, ")\n");
  }
}

} // namespace quern::train
