//===- Shard.h - the pieces of a sharded optimizer state -------*- C++ -*-===//
//
// This file is part of Quern.
//
//===----------------------------------------------------------------------===//
//
// `quernc --train --data-parallel --shard-optimizer=N` (ZeRO stage 1) gives
// each of the N processes of a job one piece of every parameter to update,
// and keeps only that piece's optimizer state. A tensor of E elements, seen
// flat, is cut into pieces of C = ceil(E / N) elements, the same size for
// every process so that the code is the same; the piece of rank r starts
// at min(r C, E - C): the last pieces are moved back to end at E, and so
// hold some elements of an earlier piece too (at most N - 1 of them). Those
// are updated by both, identically but for rounding; the parameters and
// checkpoints keep the later piece's value, and gradient clipping counts
// them once.
// The compiler (the training step, the manifest) and the runtime (loading
// and gathering the pieces) share these functions.
//
//===----------------------------------------------------------------------===//

#ifndef QUERN_SHARD_H
#define QUERN_SHARD_H

#include <algorithm>
#include <cstdint>

namespace quern::rt {

/// Elements in every piece of a tensor of `elements` over `processes`.
inline int64_t shardElements(int64_t elements, int64_t processes) {
  return (elements + processes - 1) / processes;
}

/// Where the piece of process `rank` starts.
inline int64_t shardOffset(int64_t elements, int64_t processes, int64_t rank) {
  return std::min(rank * shardElements(elements, processes),
                  elements - shardElements(elements, processes));
}

/// How many pieces, from the first, start at rank * C: the rest all start at
/// E - C (and hold the same elements).
inline int64_t shardUnmoved(int64_t elements, int64_t processes) {
  int64_t piece = shardElements(elements, processes);
  return std::min(processes, (elements - piece) / piece + 1);
}

/// How many elements at the start of the piece of `rank` an earlier piece
/// holds too: they are updated twice, and counted once in a norm.
inline int64_t shardOverlap(int64_t elements, int64_t processes, int64_t rank) {
  int64_t piece = shardElements(elements, processes);
  return std::min(piece, rank * piece - shardOffset(elements, processes, rank));
}

} // namespace quern::rt

#endif // QUERN_SHARD_H
