//===- NpyData.h - Batches from one .npy file per input ---------*- C++ -*-===//
//
// This file is part of Quern.
//
//===----------------------------------------------------------------------===//
//
// --data DIR holds DIR/NAME.npy for every graph input NAME. An input of shape
// [B, ...] takes an array of shape [k*B, ...]; step s uses rows
// [(s mod k)*B, (s mod k + 1)*B) of every array, so the arrays must agree on
// k. Everything is checked against the manifest before the first step, and
// a mismatch names the input and both shapes.
//
//===----------------------------------------------------------------------===//

#ifndef QUERN_TRAIN_NPYDATA_H
#define QUERN_TRAIN_NPYDATA_H

#include "BatchSource.h"
#include "Npy.h"

#include <memory>
#include <vector>

namespace quern::train {

class NpyData : public BatchSource {
public:
  static std::unique_ptr<NpyData>
  load(const std::string &dir, const Session &session, std::string &error);

  void fillTrainBatch(uint64_t step, Session &session) override;
  uint64_t itemsPerBatch() const override { return batchSize; }
  const char *itemUnit() const override { return "samples"; }
  std::string describe() const override;

private:
  NpyData() = default;

  std::string dir;
  std::vector<NpyArray> arrays; // one per graph input, in input order
  std::vector<size_t> batchBytes;
  uint64_t numBatches = 1;
  uint64_t batchSize = 1;
};

} // namespace quern::train

#endif // QUERN_TRAIN_NPYDATA_H
