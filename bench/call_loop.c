//===- call_loop.c - Per-call time of a compiled product and of sgemm -----===//
//
// The GEMM benchmarks time a product by calling it many times in a loop
// here, in C, rather than once per Python call: a call from Python through
// ctypes costs some 0.3 µs, as much as a 17x17x17 product itself, and
// would flatten the small shapes of the sweep. Both libraries are timed the
// same way. bench/gemm.py compiles this file with fma_peak.c into one
// library (clang-19 -O2 -march=native -shared -fPIC -pthread).
//
//===----------------------------------------------------------------------===//

#include <time.h>

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

// An entry point of a model compiled by quernc (docs/ABI.md).
typedef int (*entry_fn)(void *state, void *workspace, void **inputs,
                        void **outputs);

// Seconds per call of `calls` calls of `entry`; -1 when a call fails.
double quern_entry_seconds(entry_fn entry, void *state, void *workspace,
                           void **inputs, void **outputs, long calls) {
  double start = now();
  for (long i = 0; i < calls; ++i)
    if (entry(state, workspace, inputs, outputs) != 0)
      return -1;
  return (now() - start) / (double)calls;
}

typedef void (*sgemm_fn)(int order, int trans_a, int trans_b, int m, int n,
                         int k, float alpha, const float *a, int lda,
                         const float *b, int ldb, float beta, float *c,
                         int ldc);

// Seconds per call of `calls` calls of cblas_sgemm with these arguments.
double sgemm_seconds(sgemm_fn sgemm, int order, int trans_a, int trans_b, int m,
                     int n, int k, const float *a, int lda, const float *b,
                     int ldb, float *c, int ldc, long calls) {
  double start = now();
  for (long i = 0; i < calls; ++i)
    sgemm(order, trans_a, trans_b, m, n, k, 1.0f, a, lda, b, ldb, 0.0f, c, ldc);
  return (now() - start) / (double)calls;
}
