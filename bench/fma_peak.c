//===- fma_peak.c - Measured FP32 FMA throughput of this machine ----------===//
//
// The ceiling the GEMM benchmark compares against: how many single-precision
// FLOP/s the cores actually sustain, measured rather than taken from a data
// sheet (clock speeds under a hypervisor and with 512-bit vectors are not the
// nominal ones). bench/gemm.py compiles this file at bench time with
// `clang-19 -O2 -march=native -shared -fPIC -pthread` and calls
// fma_peak_gflops() through ctypes.
//
// Each thread runs ACCUMULATORS independent multiply-add chains: an FMA has a
// latency of about 4 cycles and current x86 cores issue two per cycle, so at
// least 8 chains are needed to keep both pipes full; 12 leave headroom
// without spilling registers (AVX-512 has 32, AVX2 16).
//
//===----------------------------------------------------------------------===//

#include <immintrin.h>
#include <pthread.h>
#include <time.h>

#define ACCUMULATORS 12

#if defined(__AVX512F__)
typedef __m512 vec;
#define LANES 16
#define SET1 _mm512_set1_ps
#define FMA _mm512_fmadd_ps
#define ADD _mm512_add_ps
#define REDUCE _mm512_reduce_add_ps
#define ISA "avx512"
#elif defined(__AVX2__) && defined(__FMA__)
typedef __m256 vec;
#define LANES 8
#define SET1 _mm256_set1_ps
#define FMA _mm256_fmadd_ps
#define ADD _mm256_add_ps
static float REDUCE(__m256 v) {
  float lanes[8];
  _mm256_storeu_ps(lanes, v);
  float sum = 0;
  for (int i = 0; i < 8; ++i)
    sum += lanes[i];
  return sum;
}
#define ISA "avx2-fma"
#else
#error "fma_peak.c needs AVX2 with FMA or AVX-512"
#endif

/// Which instruction set the probe was built for.
const char *fma_peak_isa(void) { return ISA; }

struct Chains {
  long iterations;
  float result; // read by the caller so that the loop is not dead code
};

static void *runChains(void *argument) {
  struct Chains *chains = argument;
  // acc = acc * m + a converges to a / (1 - m): values stay normal, so no
  // denormal slow path is ever taken.
  vec m = SET1(0.999f), a = SET1(0.001f);
  vec acc[ACCUMULATORS];
  for (int i = 0; i < ACCUMULATORS; ++i)
    acc[i] = SET1((float)i);
  for (long n = 0; n < chains->iterations; ++n) {
    // The compiler may not reassociate FMAs, so the chains stay independent
    // and sequential, as written.
    for (int i = 0; i < ACCUMULATORS; ++i)
      acc[i] = FMA(acc[i], m, a);
  }
  vec sum = acc[0];
  for (int i = 1; i < ACCUMULATORS; ++i)
    sum = ADD(sum, acc[i]);
  chains->result = REDUCE(sum);
  return 0;
}

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + 1e-9 * t.tv_nsec;
}

/// GFLOP/s of `threads` threads (at most 64) each running `iterations`
/// rounds of the chains; an FMA counts as two FLOPs. Returns a negative
/// value if a thread could not be started.
double fma_peak_gflops(int threads, long iterations) {
  enum { MaxThreads = 64 };
  if (threads < 1 || threads > MaxThreads)
    return -1;
  pthread_t ids[MaxThreads];
  struct Chains work[MaxThreads];
  for (int t = 0; t < threads; ++t)
    work[t].iterations = iterations;
  double start = now();
  // The calling thread is the last worker: no idle waiter competing.
  int started = 0;
  while (started + 1 < threads &&
         pthread_create(&ids[started], 0, runChains, &work[started]) == 0)
    ++started;
  runChains(&work[threads - 1]);
  for (int t = 0; t < started; ++t)
    pthread_join(ids[t], 0);
  if (started + 1 < threads)
    return -1;
  double seconds = now() - start;
  float check = 0;
  for (int t = 0; t < threads; ++t)
    check += work[t].result;
  if (check != check) // NaN: the arithmetic went wrong, the time is no peak
    return -1;
  return 2.0 * ACCUMULATORS * LANES * iterations * threads / seconds * 1e-9;
}
