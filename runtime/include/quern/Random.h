//===- Random.h - reproducible random numbers -------------------*- C++ -*-===//
//
// This file is part of Quern.
//
//===----------------------------------------------------------------------===//
//
// The standard library's distributions are implementation-defined, so the
// same --seed would pick different text windows (quern-train) or initial
// adapter weights (quernc --lora) with libstdc++ and libc++.
// SplitMix64 with an unbiased bounded draw is fully specified here, and a
// generator can be derived from (seed, step) so that the batch of a step
// does not depend on how many steps ran before it in this process: a run
// resumed from a checkpoint sees the batches the uninterrupted run would.
//
//===----------------------------------------------------------------------===//

#ifndef QUERN_RANDOM_H
#define QUERN_RANDOM_H

#include <cstdint>

namespace quern::rt {

class Random {
public:
  explicit Random(uint64_t seed) : state(seed) {}

  /// A generator for one numbered use (a step, a stream) of `seed`.
  static Random derive(uint64_t seed, uint64_t stream, uint64_t index) {
    Random mixer(seed ^ (stream * 0x9e3779b97f4a7c15ULL));
    uint64_t base = mixer.next();
    return Random(base ^ (index * 0xd1b54a32d192ed03ULL));
  }

  uint64_t next() {
    uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }

  /// Uniform in [0, bound), bound > 0; rejection keeps it unbiased.
  uint64_t below(uint64_t bound) {
    uint64_t threshold = (0 - bound) % bound;
    for (;;) {
      uint64_t value = next();
      if (value >= threshold)
        return value % bound;
    }
  }

  /// Uniform in [0, 1) with 53 random bits.
  double unit() { return (next() >> 11) * 0x1.0p-53; }

private:
  uint64_t state;
};

} // namespace quern::rt

#endif // QUERN_RANDOM_H
