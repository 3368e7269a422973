//===- TextModel.h - What makes a model a byte-level LM ---------*- C++ -*-===//
//
// This file is part of Quern.
//
//===----------------------------------------------------------------------===//
//
// --text and --sample assume a model shaped like a byte-level language
// model: graph inputs (tokens, targets), both i64[B, T], and, for sampling,
// a forward output of logits f32[B, T, V]. The manifest says whether a
// model fits, so the check happens before any data is read and fails with
// the shapes the model actually has.
//
//===----------------------------------------------------------------------===//

#ifndef QUERN_TRAIN_TEXTMODEL_H
#define QUERN_TRAIN_TEXTMODEL_H

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace quern::train {

class Session;

struct TextModelShape {
  int64_t batch = 0;  // B
  int64_t length = 0; // T
};

/// Checks the graph inputs are (tokens, targets) i64[B, T]; `why` names the
/// flag that needs it, for the error message.
bool checkTextModel(const Session &session, const char *why,
                    TextModelShape &shape, std::string &error);

/// The forward output that holds logits f32[B, T, V] (one named "logits" if
/// several fit), or nullopt.
std::optional<size_t> findLogitsOutput(const Session &session,
                                       const TextModelShape &shape);

/// The vocabulary size: V of the logits output if the forward has one, else
/// `declared` (--vocab; 0 when not given), else nullopt: a model whose
/// forward returns only the loss does not say. Fails when --vocab disagrees
/// with the logits.
bool resolveVocabulary(const Session &session, const TextModelShape &shape,
                       uint64_t declared, std::optional<int64_t> &vocab,
                       std::string &error);

} // namespace quern::train

#endif // QUERN_TRAIN_TEXTMODEL_H
