//===- TextData.cpp - Batches of byte windows from a text file ------------===//
//
// This file is part of Quern.
//
//===----------------------------------------------------------------------===//

#include "TextData.h"
#include "Files.h"

#include "Session.h"
#include "quern/Random.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

using namespace quern::train;

/// Random::derive stream of training windows; sampling uses another.
static constexpr uint64_t kTrainStream = 1;

static bool readFile(const std::string &path, std::vector<uint8_t> &bytes,
                     std::string &error) {
  std::FILE *file = openRegularFile(path, error);
  if (!file) {
    error = "--text: " + error;
    return false;
  }
  uint8_t chunk[1 << 16];
  size_t got;
  while ((got = std::fread(chunk, 1, sizeof chunk, file)) > 0)
    bytes.insert(bytes.end(), chunk, chunk + got);
  bool failed = std::ferror(file);
  std::fclose(file);
  if (failed)
    error = "--text: cannot read '" + path + "'";
  return !failed;
}

std::unique_ptr<TextData> TextData::load(const TextDataConfig &config,
                                         const TextModelShape &shape,
                                         std::string &error) {
  std::unique_ptr<TextData> data(new TextData());
  data->path = config.path;
  data->shape = shape;
  data->seed = config.seed;
  data->shard = config.shard;
  if (!readFile(config.path, data->bytes, error))
    return nullptr;

  const std::vector<uint8_t> &bytes = data->bytes;
  if (!bytes.empty()) {
    auto [minIt, maxIt] = std::minmax_element(bytes.begin(), bytes.end());
    data->minByte = *minIt;
    data->maxByte = *maxIt;
  }
  if (config.vocabSize && *config.vocabSize < 256)
    for (size_t i = 0; i < bytes.size(); ++i)
      if (bytes[i] >= *config.vocabSize) {
        error = "--text: '" + config.path + "': byte " +
                std::to_string(bytes[i]) + " at offset " + std::to_string(i) +
                " is outside the model's vocabulary of " +
                std::to_string(*config.vocabSize) + " tokens";
        return nullptr;
      }

  size_t window = size_t(shape.length) + 1;
  size_t evalBytes = size_t(double(bytes.size()) * config.evalSplit);
  data->trainBytes = bytes.size() - evalBytes;
  if (data->trainBytes < window) {
    error =
        "--text: '" + config.path + "' has " +
        std::to_string(data->trainBytes) + " training bytes (of " +
        std::to_string(bytes.size()) +
        ", after --eval-split); a window of T+1 = " + std::to_string(window) +
        " bytes needs more";
    return nullptr;
  }
  if (config.evalBatches > 0) {
    if (evalBytes < window) {
      error = "--eval-split: the held-out " + std::to_string(evalBytes) +
              " bytes of '" + config.path + "' are fewer than a window of " +
              "T+1 = " + std::to_string(window) + " bytes";
      return nullptr;
    }
    // Consecutive windows share one byte: the last target of one is the
    // first token of the next.
    data->evalWindows = (evalBytes - 1) / size_t(shape.length);
    data->evalBatches = size_t(config.evalBatches);
  }
  return data;
}

void TextData::fillRow(Session &session, int64_t row, size_t start) const {
  int64_t *tokens = static_cast<int64_t *>(session.inputBuffer(0));
  int64_t *targets = static_cast<int64_t *>(session.inputBuffer(1));
  int64_t length = shape.length;
  for (int64_t t = 0; t < length; ++t) {
    tokens[row * length + t] = bytes[start + size_t(t)];
    targets[row * length + t] = bytes[start + size_t(t) + 1];
  }
}

void TextData::fillTrainBatch(uint64_t step, Session &session) {
  quern::rt::Random random =
      quern::rt::Random::derive(seed, kTrainStream, step);
  uint64_t starts = trainBytes - size_t(shape.length);
  for (int64_t row = 0; row < shape.batch * shard.ranks; ++row) {
    size_t start = size_t(random.below(starts));
    if (row / shape.batch == shard.rank)
      fillRow(session, row % shape.batch, start);
  }
}

void TextData::fillEvalBatch(size_t index, Session &session) {
  for (int64_t row = 0; row < shape.batch; ++row) {
    size_t window = (index * size_t(shape.batch) + size_t(row)) % evalWindows;
    fillRow(session, row, trainBytes + window * size_t(shape.length));
  }
}

std::string TextData::describe() const {
  return "text '" + path + "': " + std::to_string(trainBytes) +
         " training bytes, " + std::to_string(bytes.size() - trainBytes) +
         " held out; batches of " + std::to_string(shape.batch) + " x " +
         std::to_string(shape.length) + " tokens" + shard.describe() +
         "; byte values " + std::to_string(minByte) + ".." +
         std::to_string(maxByte);
}
