//===- Options.cpp - quern-train's command line ---------------------------===//
//
// This file is part of Quern.
//
//===----------------------------------------------------------------------===//

#include "Options.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <limits>
#include <vector>

using namespace quern::train;

static const char *const helpText = R"(USAGE: quern-train MODEL.so [options]

Trains a model compiled by `quernc MODEL.onnx --train -o DIR/NAME`: calls
NAME_train_step once per step on batches read from --text or --data, with
the learning rate of --schedule, and writes the state (parameters, optimizer
state and step counter) to --save as safetensors.

State:
  --init FILE          start from this state file instead of MODEL.safetensors
                       (the initial state quernc wrote beside MODEL.so)
  --resume FILE        continue from a checkpoint written by --save; the step
                       counter inside it continues, and so do the schedule
                       and the batch order. A checkpoint of another model is
                       refused
  --adapters FILE      then load the trained parameters (LoRA adapters) from
                       a file written by --save-adapters

Data (one of):
  --text FILE          byte-level language modelling: the model's inputs must
                       be two i64 tensors of shape [B, T] (tokens, targets).
                       Each step takes B random windows of T+1 bytes from the
                       training part of FILE: tokens = bytes[0:T], targets =
                       bytes[1:T+1]
  --data DIR           one .npy or ONNX .pb file per model input, named after
                       the input (DIR/x.npy or DIR/x.pb, DIR/labels.npy or
                       DIR/labels.pb): NumPy arrays as numpy.save writes them,
                       or serialized onnx.TensorProto (raw_data or the typed
                       fields; no external data). An input of shape [B, ...]
                       needs an array of shape [k*B, ...] of the same dtype;
                       step s takes batch s mod k
  --vocab N            --text: every byte of FILE (and of --prompt) must be
                       below N. Implied by a logits output f32[B, T, V];
                       give it for models whose forward returns only the
                       loss, or an out-of-range byte goes unnoticed

Evaluation (--text only):
  --eval-split F       hold out the last fraction F of the text (default 0.1)
  --eval-every N       every N steps, print and log the mean loss of the
                       forward entry point over the held-out text
  --eval-batches K     batches per evaluation (default 8)

Schedule:
  --steps N            steps to run (default 100; 0 only loads, samples
                       and saves)
  --lr F               peak learning rate (default 1e-3)
  --schedule S         constant (default) or cosine
  --warmup N           ramp the rate linearly from 0 over the first N steps
  --min-lr F           cosine: the rate at the last step (default 0)
  --seed N             seed of batch selection and sampling (default 0)
  --threads N          set OMP_NUM_THREADS=N before the model is loaded
  --mpi-timeout S      under mpirun: end the job when a step has waited S
                       seconds for its gradients' mean (default 600)

Output:
  --log FILE.csv       write `step,loss,lr,eval_loss,seconds`, one row per step
  --plot FILE.png      at the end, draw the --log file's loss curve here
                       (python3-matplotlib, through the quern package)
  --log-every N        without a terminal, print progress every N steps
                       (default 10); on a terminal one line is updated
  --save FILE          write the state here at the end (atomically)
  --save-every N       ... and every N steps
  --save-adapters FILE write only the trained parameters (a model's LoRA
                       adapters, a few MB) here at the end (atomically)
  Ctrl-C finishes the current step, saves to --save (or to
  MODEL.interrupted.safetensors) and exits with status 130.

Sampling (text models with a logits output):
  --sample N           after training, generate N bytes after --prompt with
                       the forward entry point
  --prompt TEXT        the text to continue
  --temperature T      sample from softmax(logits / T); 0 (default) takes the
                       most likely byte

Exit status: 0 on success, 1 on any error (one line on stderr starting with
`quern-train: error:`), 130 when interrupted.
)";

void quern::train::printHelp(std::FILE *out) { std::fputs(helpText, out); }

static bool parseCount(const std::string &flag, const std::string &text,
                       uint64_t minimum, uint64_t &value, std::string &error) {
  char *end = nullptr;
  errno = 0;
  unsigned long long parsed = text.empty() || text[0] == '-' || text[0] == '+'
                                  ? 0
                                  : std::strtoull(text.c_str(), &end, 10);
  if (text.empty() || !end || *end || errno == ERANGE || parsed < minimum) {
    error = flag + ": expected an integer >= " + std::to_string(minimum) +
            ", got '" + text + "'";
    return false;
  }
  value = parsed;
  return true;
}

static bool parseReal(const std::string &flag, const std::string &text,
                      double &value, std::string &error) {
  char *end = nullptr;
  double parsed = text.empty() ? 0.0 : std::strtod(text.c_str(), &end);
  if (text.empty() || !end || *end || !std::isfinite(parsed) || parsed < 0) {
    error = flag + ": expected a non-negative number, got '" + text + "'";
    return false;
  }
  value = parsed;
  return true;
}

/// "0.001" rather than std::to_string's "0.001000".
static std::string formatNumber(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", value);
  return text;
}

namespace {
/// How one flag takes its value; `seen` records that it was given.
struct FlagSpec {
  const char *name;
  std::function<bool(const std::string &, std::string &)> set;
  bool seen = false;
};
} // namespace

/// Checks between flags, after all of them are known.
static bool checkCombination(const Options &options,
                             const std::vector<FlagSpec> &flags,
                             std::string &error) {
  auto given = [&](const char *name) {
    for (const FlagSpec &flag : flags)
      if (!std::strcmp(flag.name, name))
        return flag.seen;
    return false;
  };
  if (options.modelPath.empty())
    error = "no model given; usage: quern-train MODEL.so [options] "
            "(see --help)";
  else if (!options.textPath.empty() && !options.dataDir.empty())
    error = "--text and --data both give the training data; use one";
  else if (!options.initPath.empty() && !options.resumePath.empty())
    error = "--init and --resume both give the starting state; use one";
  else if (options.steps > 0 && options.textPath.empty() &&
           options.dataDir.empty())
    error = "no training data: give --text FILE or --data DIR "
            "(or --steps 0 to only sample or save)";
  else if (options.evalSplit >= 1.0)
    error = "--eval-split: expected a fraction in [0, 1), got " +
            formatNumber(options.evalSplit);
  else if (options.evalEvery > 0 && options.textPath.empty())
    error = "--eval-every: held-out evaluation needs --text";
  else if (options.evalEvery > 0 && options.evalSplit == 0.0)
    error = "--eval-every: --eval-split 0 holds out no text to evaluate on";
  else if (options.minLr > options.lr)
    error = "--min-lr: " + formatNumber(options.minLr) +
            " is above the peak --lr " + formatNumber(options.lr);
  else if (given("--min-lr") && options.schedule != ScheduleKind::Cosine)
    error = "--min-lr: only the cosine schedule decays (--schedule cosine)";
  else if (!options.plotPath.empty() && options.logPath.empty())
    error = "--plot: draws the --log file's curve; give --log FILE.csv too";
  else if (given("--save-every") && options.savePath.empty())
    error = "--save-every: needs --save FILE";
  else if (options.sampleBytes > 0 && !given("--prompt"))
    error = "--sample: needs --prompt TEXT";
  else if (options.sampleBytes > 0 && options.prompt.empty())
    error = "--prompt: sampling needs a non-empty prompt";
  else if (given("--prompt") && options.sampleBytes == 0)
    error = "--prompt: only used with --sample N";
  else if (given("--temperature") && options.sampleBytes == 0)
    error = "--temperature: only used with --sample N";
  else if (given("--vocab") && options.textPath.empty() &&
           options.sampleBytes == 0)
    error = "--vocab: only used with --text or --sample";
  return error.empty();
}

bool quern::train::parseOptions(int argc, const char *const *argv,
                                Options &options, std::string &error) {
  auto count = [&](const char *flag, uint64_t minimum, uint64_t &field) {
    return
        [flag, minimum, &field](const std::string &text, std::string &error) {
          return parseCount(flag, text, minimum, field, error);
        };
  };
  auto real = [&](const char *flag, double &field) {
    return [flag, &field](const std::string &text, std::string &error) {
      return parseReal(flag, text, field, error);
    };
  };
  auto string = [&](const char *flag, std::string &field) {
    return [flag, &field](const std::string &text, std::string &error) {
      if (text.empty() && std::strcmp(flag, "--prompt")) {
        error = std::string(flag) + ": expected a value";
        return false;
      }
      field = text;
      return true;
    };
  };
  uint64_t threads = 0;
  std::vector<FlagSpec> flags = {
      {"--init", string("--init", options.initPath)},
      {"--resume", string("--resume", options.resumePath)},
      {"--adapters", string("--adapters", options.adaptersPath)},
      {"--text", string("--text", options.textPath)},
      {"--data", string("--data", options.dataDir)},
      {"--eval-split", real("--eval-split", options.evalSplit)},
      {"--eval-every", count("--eval-every", 1, options.evalEvery)},
      {"--eval-batches", count("--eval-batches", 1, options.evalBatches)},
      {"--vocab", count("--vocab", 1, options.vocab)},
      {"--steps", count("--steps", 0, options.steps)},
      {"--lr", real("--lr", options.lr)},
      {"--schedule",
       [&](const std::string &text, std::string &error) {
         if (text == "constant")
           options.schedule = ScheduleKind::Constant;
         else if (text == "cosine")
           options.schedule = ScheduleKind::Cosine;
         else
           error = "--schedule: unknown schedule '" + text +
                   "' (expected constant or cosine)";
         return error.empty();
       }},
      {"--warmup", count("--warmup", 0, options.warmup)},
      {"--min-lr", real("--min-lr", options.minLr)},
      {"--seed", count("--seed", 0, options.seed)},
      {"--threads", count("--threads", 1, threads)},
      {"--mpi-timeout", real("--mpi-timeout", options.mpiTimeout)},
      {"--log", string("--log", options.logPath)},
      {"--plot", string("--plot", options.plotPath)},
      {"--log-every", count("--log-every", 1, options.logEvery)},
      {"--save", string("--save", options.savePath)},
      {"--save-adapters", string("--save-adapters", options.saveAdaptersPath)},
      {"--save-every", count("--save-every", 1, options.saveEvery)},
      {"--sample", count("--sample", 0, options.sampleBytes)},
      {"--prompt", string("--prompt", options.prompt)},
      {"--temperature", real("--temperature", options.temperature)},
  };

  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--help" || arg == "-help" || arg == "-h") {
      options.help = true;
      return true;
    }
    if (arg.size() < 2 || arg[0] != '-') {
      if (!options.modelPath.empty()) {
        error = "more than one model given: '" + options.modelPath + "' and '" +
                arg + "'";
        return false;
      }
      options.modelPath = arg;
      continue;
    }
    // Both --flag=value and --flag value.
    std::string name = arg, value;
    bool hasValue = false;
    if (size_t equals = arg.find('='); equals != std::string::npos) {
      name = arg.substr(0, equals);
      value = arg.substr(equals + 1);
      hasValue = true;
    }
    FlagSpec *flag = nullptr;
    for (FlagSpec &candidate : flags)
      if (name == candidate.name)
        flag = &candidate;
    if (!flag) {
      error = "unknown option '" + name + "' (see --help)";
      return false;
    }
    if (!hasValue) {
      if (i + 1 >= argc) {
        error = name + ": expected a value";
        return false;
      }
      value = argv[++i];
    }
    if (!flag->set(value, error))
      return false;
    flag->seen = true;
  }
  if (threads > std::numeric_limits<unsigned>::max()) {
    error = "--threads: " + std::to_string(threads) + " is too many";
    return false;
  }
  options.threads = unsigned(threads);
  if (!(options.mpiTimeout > 0)) {
    error = "--mpi-timeout: a positive number of seconds";
    return false;
  }
  return checkCombination(options, flags, error);
}
