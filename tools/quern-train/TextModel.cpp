//===- TextModel.cpp - What makes a model a byte-level LM -----------------===//
//
// This file is part of Quern.
//
//===----------------------------------------------------------------------===//

#include "TextModel.h"

#include "Session.h"

using namespace quern::train;

bool quern::train::checkTextModel(const Session &session, const char *why,
                                  TextModelShape &shape, std::string &error) {
  const std::vector<TensorSpec> &inputs = session.inputs();
  bool fits = inputs.size() == 2 && inputs[0].dtype == "i64" &&
              inputs[1].dtype == "i64" && inputs[0].dims.size() == 2 &&
              inputs[0].dims == inputs[1].dims;
  if (fits) {
    shape.batch = inputs[0].dims[0];
    shape.length = inputs[0].dims[1];
    if (shape.batch > 0 && shape.length > 0)
      return true;
  }
  std::string have;
  for (const TensorSpec &input : inputs)
    have += (have.empty() ? "" : ", ") + input.name + " " + formatSpec(input);
  error = std::string(why) +
          ": needs a model whose inputs are tokens and targets, both "
          "i64[B, T]; model '" +
          session.name() + "' takes " + (have.empty() ? "nothing" : have);
  return false;
}

std::optional<size_t>
quern::train::findLogitsOutput(const Session &session,
                               const TextModelShape &shape) {
  std::optional<size_t> found;
  const std::vector<TensorSpec> &outputs = session.forwardOutputs();
  for (size_t i = 0; i < outputs.size(); ++i) {
    const TensorSpec &output = outputs[i];
    if (output.dtype != "f32" || output.dims.size() != 3 ||
        output.dims[0] != shape.batch || output.dims[1] != shape.length ||
        output.dims[2] < 1)
      continue;
    if (!found || output.name == "logits")
      found = i;
  }
  return found;
}

bool quern::train::resolveVocabulary(const Session &session,
                                     const TextModelShape &shape,
                                     uint64_t declared,
                                     std::optional<int64_t> &vocab,
                                     std::string &error) {
  vocab.reset();
  if (declared)
    vocab = int64_t(declared);
  if (!session.forwardProblem().empty())
    return true;
  std::optional<size_t> logits = findLogitsOutput(session, shape);
  if (!logits)
    return true;
  const TensorSpec &output = session.forwardOutputs()[*logits];
  if (declared && int64_t(declared) != output.dims[2]) {
    error = "--vocab: " + std::to_string(declared) + ", but the logits " +
            "output '" + output.name + "' of model '" + session.name() +
            "' is " + formatSpec(output);
    return false;
  }
  vocab = output.dims[2];
  return true;
}
