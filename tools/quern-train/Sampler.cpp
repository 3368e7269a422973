//===- Sampler.cpp - Generating text with the forward entry point ---------===//
//
// This file is part of Quern.
//
//===----------------------------------------------------------------------===//

#include "Sampler.h"

#include "Session.h"
#include "quern/Random.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

using namespace quern::train;

/// Random::derive stream of sampling; training windows use stream 1.
static constexpr uint64_t kSampleStream = 2;

/// Picks a token from one position's logits.
static size_t pickToken(const float *logits, size_t vocab, double temperature,
                        quern::rt::Random &random) {
  size_t best = size_t(std::max_element(logits, logits + vocab) - logits);
  if (temperature == 0)
    return best;
  std::vector<double> weights(vocab);
  double total = 0;
  for (size_t i = 0; i < vocab; ++i)
    total += weights[i] =
        std::exp((double(logits[i]) - logits[best]) / temperature);
  double target = random.unit() * total;
  for (size_t i = 0; i < vocab; ++i) {
    target -= weights[i];
    if (target < 0)
      return i;
  }
  return best; // rounding left a sliver of mass unassigned
}

bool quern::train::generateText(Session &session, const TextModelShape &shape,
                                const SampleConfig &config, std::string &text,
                                std::string &error) {
  size_t vocab = size_t(session.forwardOutputs()[config.logitsOutput].dims[2]);
  size_t length = size_t(shape.length);
  std::string context = config.prompt;
  int64_t *tokens = static_cast<int64_t *>(session.inputBuffer(0));
  int64_t *targets = static_cast<int64_t *>(session.inputBuffer(1));
  size_t elements = size_t(shape.batch) * length;
  quern::rt::Random random =
      quern::rt::Random::derive(config.seed, kSampleStream, 0);

  for (uint64_t n = 0; n < config.count; ++n) {
    size_t used = std::min(context.size(), length);
    const char *window = context.data() + context.size() - used;
    // Every row gets the same context; targets only feed the loss.
    std::fill(tokens, tokens + elements, 0);
    std::fill(targets, targets + elements, 0);
    for (int64_t row = 0; row < shape.batch; ++row)
      for (size_t t = 0; t < used; ++t)
        tokens[size_t(row) * length + t] = (unsigned char)window[t];
    if (!session.forward(error))
      return false;
    const float *logits =
        static_cast<const float *>(session.forwardOutput(config.logitsOutput)) +
        (used - 1) * vocab;
    char next = char(pickToken(logits, vocab, config.temperature, random));
    context += next;
    text += next;
  }
  return true;
}
