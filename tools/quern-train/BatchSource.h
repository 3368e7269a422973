//===- BatchSource.h - Where training batches come from ---------*- C++ -*-===//
//
// This file is part of Quern.
//
//===----------------------------------------------------------------------===//
//
// The training loop does not know about file formats: a BatchSource fills
// the session's graph-input buffers for a given step. The batch is a
// function of the global step number alone, never of how many batches this
// process has produced, which is what lets --resume continue a run exactly.
//
//===----------------------------------------------------------------------===//

#ifndef QUERN_TRAIN_BATCHSOURCE_H
#define QUERN_TRAIN_BATCHSOURCE_H

#include <cstddef>
#include <cstdint>
#include <string>

namespace quern::train {

class Session;

/// Data parallel: this process is rank `rank` of `ranks`. Each step's
/// batch is one of `ranks` times the model's, and each rank takes its own
/// consecutive part of it: disjoint shards, the batch one process with
/// --accumulate=ranks would see.
struct Shard {
  int rank = 0, ranks = 1;

  /// " (rank R's shard of N)", or "" for one process.
  std::string describe() const {
    return ranks > 1 ? " (rank " + std::to_string(rank) + "'s shard of " +
                           std::to_string(ranks) + ")"
                     : "";
  }
};

class BatchSource {
public:
  virtual ~BatchSource() = default;

  /// Fills the session's inputs with the batch of step `step` (0-based: the
  /// value of the step counter before the update).
  virtual void fillTrainBatch(uint64_t step, Session &session) = 0;

  /// Held-out batches for evaluation; none unless overridden.
  virtual size_t numEvalBatches() const { return 0; }
  virtual void fillEvalBatch(size_t index, Session &session) {}

  /// What one batch holds, for the throughput display ("tok", "samples").
  virtual uint64_t itemsPerBatch() const = 0;
  virtual const char *itemUnit() const = 0;

  /// One line for the start banner.
  virtual std::string describe() const = 0;
};

} // namespace quern::train

#endif // QUERN_TRAIN_BATCHSOURCE_H
