//===- TextData.h - Batches of byte windows from a text file ----*- C++ -*-===//
//
// This file is part of Quern.
//
//===----------------------------------------------------------------------===//
//
// --text FILE trains byte-level language models: the bytes of the file are
// the tokens. The last --eval-split of the file is held out whether or not
// evaluation is on, so turning --eval-every on or off does not change what
// the model trains on.
//
// Training windows are random (B windows of T+1 bytes per step, drawn from
// Random::derive(seed, step)); evaluation windows are fixed and disjoint,
// walking the held-out bytes in order, so every evaluation of a run scores
// the same text and the numbers are comparable.
//
//===----------------------------------------------------------------------===//

#ifndef QUERN_TRAIN_TEXTDATA_H
#define QUERN_TRAIN_TEXTDATA_H

#include "BatchSource.h"
#include "TextModel.h"

#include <memory>
#include <optional>
#include <vector>

namespace quern::train {

struct TextDataConfig {
  std::string path;
  double evalSplit = 0.1;
  uint64_t evalBatches = 0; // 0: no evaluation, held-out size unchecked
  uint64_t seed = 0;
  /// When known (a logits output or --vocab), bytes at or above it are an
  /// error: an embedding lookup out of range would read past its table.
  std::optional<int64_t> vocabSize;
  /// Each step draws the windows of a batch `shard.ranks` times as large,
  /// of which this process takes its rows.
  Shard shard;
};

class TextData : public BatchSource {
public:
  static std::unique_ptr<TextData> load(const TextDataConfig &config,
                                        const TextModelShape &shape,
                                        std::string &error);

  void fillTrainBatch(uint64_t step, Session &session) override;
  size_t numEvalBatches() const override { return evalBatches; }
  void fillEvalBatch(size_t index, Session &session) override;
  uint64_t itemsPerBatch() const override {
    return uint64_t(shape.batch * shape.length);
  }
  const char *itemUnit() const override { return "tok"; }
  std::string describe() const override;

private:
  TextData() = default;
  /// Writes the window starting at `start` into row `row` of both inputs.
  void fillRow(Session &session, int64_t row, size_t start) const;

  std::string path;
  std::vector<uint8_t> bytes;
  size_t trainBytes = 0; // bytes[0, trainBytes) is the training split
  size_t evalWindows = 0;
  size_t evalBatches = 0;
  uint8_t minByte = 0, maxByte = 0;
  uint64_t seed = 0;
  Shard shard;
  TextModelShape shape;
};

} // namespace quern::train

#endif // QUERN_TRAIN_TEXTDATA_H
