//===- ArrayData.h - Batches from one array file per input ------*- C++ -*-===//
//
// This file is part of Quern.
//
//===----------------------------------------------------------------------===//
//
// --data DIR holds, for every graph input NAME, either DIR/NAME.npy (NumPy)
// or DIR/NAME.pb (a serialized ONNX TensorProto); the format is a matter of
// the file alone, so inputs may mix them. Both files for one input is an
// error rather than a choice, since the two could disagree. An input of
// shape [B, ...] takes an array of shape [k*B, ...]; step s uses rows
// [(s mod k)*B, (s mod k + 1)*B) of every array, so the arrays must agree on
// k. Everything is checked against the manifest before the first step, and
// a mismatch names the input and both shapes.
//
//===----------------------------------------------------------------------===//

#ifndef QUERN_TRAIN_ARRAYDATA_H
#define QUERN_TRAIN_ARRAYDATA_H

#include "BatchSource.h"
#include "HostArray.h"

#include <memory>
#include <vector>

namespace quern::train {

class ArrayData : public BatchSource {
public:
  /// Step s takes global batch s mod (batches / shard.ranks), of
  /// `shard.ranks` of the model's batches, and this process the
  /// `shard.rank`-th of those.
  static std::unique_ptr<ArrayData> load(const std::string &dir,
                                         const Session &session, Shard shard,
                                         std::string &error);

  void fillTrainBatch(uint64_t step, Session &session) override;
  uint64_t itemsPerBatch() const override { return batchSize; }
  const char *itemUnit() const override { return "samples"; }
  std::string describe() const override;

private:
  ArrayData() = default;

  std::string dir;
  std::string formats;           // "npy", "pb" or "npy+pb", for describe()
  std::vector<HostArray> arrays; // one per graph input, in input order
  std::vector<size_t> batchBytes;
  uint64_t numBatches = 1; // global batches, of `shard.ranks` model batches
  uint64_t batchSize = 1;
  Shard shard;
};

} // namespace quern::train

#endif // QUERN_TRAIN_ARRAYDATA_H
