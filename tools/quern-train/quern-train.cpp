//===- quern-train.cpp - Training loop for compiled models ------*- C++ -*-===//
//
// This file is part of Quern.
//
//===----------------------------------------------------------------------===//
//
// quern-train MODEL.so [options]: loads a model compiled with quernc --train,
// its state and a data set, runs NAME_train_step in a loop with a learning
// rate schedule, and checkpoints the state as safetensors (DESIGN.md
// section 5, docs/quern-train.md).
//
// Every problem the command line, the model or the data can have is found
// before the first step and reported as one `quern-train: error:` line with
// exit status 1, so a long run never fails at the end for a reason it could
// have named at the start.
//
//===----------------------------------------------------------------------===//

#include "ArrayData.h"
#include "CsvLog.h"
#include "Files.h"
#include "Interrupt.h"
#include "KernelProfile.h"
#include "Options.h"
#include "Plot.h"
#include "Sampler.h"
#include "Session.h"
#include "TextData.h"
#include "Trainer.h"
#include "quern/Bytes.h"
#include "quern/mpi.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>

using namespace quern::train;

static constexpr int kExitInterrupted = 130; // 128 + SIGINT, as shells use

/// Data parallel (mpirun): this process's rank and the number of them.
static int mpiRank = 0, mpiSize = 1;
static bool mpiStarted = false;

static int fail(const std::string &message) {
  std::fflush(stdout);
  std::fprintf(stderr, "quern-train: error: %s%s\n",
               mpiSize > 1 ? ("rank " + std::to_string(mpiRank) + ": ").c_str()
                           : "",
               message.c_str());
  // The other processes would wait for this one forever.
  if (mpiSize > 1)
    quern_rt_mpi_abort(1);
  if (mpiStarted)
    quern_rt_mpi_finalize();
  return 1;
}

static void warn(const std::string &message) {
  std::fflush(stdout);
  std::fprintf(stderr, "quern-train: warning: %s\n", message.c_str());
}

/// DIR/NAME.so -> DIR/NAME + suffix.
static std::string siblingPath(const std::string &soPath,
                               const std::string &suffix) {
  size_t slash = soPath.find_last_of('/');
  size_t dot = soPath.find_last_of('.');
  bool hasExtension =
      dot != std::string::npos && (slash == std::string::npos || dot > slash);
  return (hasExtension ? soPath.substr(0, dot) : soPath) + suffix;
}

static std::string formatRate(double rate) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", rate);
  return text;
}

static std::string describeSchedule(const Options &options) {
  std::string text = "lr " + formatRate(options.lr);
  if (options.schedule == ScheduleKind::Cosine)
    text += " cosine to " + formatRate(options.minLr);
  else
    text += " constant";
  if (options.warmup)
    text += ", warm-up " + std::to_string(options.warmup) + " steps";
  return text;
}

namespace {
/// What sampling needs, settled before training so that a model that
/// cannot sample says so before a long run rather than after it.
struct SamplePlan {
  bool enabled = false;
  TextModelShape shape;
  size_t logitsOutput = 0;
};
} // namespace

static bool planSampling(const Options &options, const Session &session,
                         SamplePlan &plan, std::string &error) {
  if (options.sampleBytes == 0)
    return true;
  if (!checkTextModel(session, "--sample", plan.shape, error))
    return false;
  if (!session.forwardProblem().empty()) {
    warn("--sample: " + session.forwardProblem() + "; sampling skipped");
    return true;
  }
  std::optional<size_t> logits = findLogitsOutput(session, plan.shape);
  if (!logits) {
    std::string outputs;
    for (const TensorSpec &output : session.forwardOutputs())
      outputs += (outputs.empty() ? "" : ", ") + output.name + " " +
                 formatSpec(output);
    warn("--sample: sampling needs a forward output of logits f32[" +
         std::to_string(plan.shape.batch) + ", " +
         std::to_string(plan.shape.length) + ", V]; model '" + session.name() +
         "' has only " + outputs + "; sampling skipped");
    return true;
  }
  std::optional<int64_t> vocab;
  if (!resolveVocabulary(session, plan.shape, options.vocab, vocab, error))
    return false;
  for (unsigned char byte : options.prompt)
    if (byte >= *vocab) {
      error = "--prompt: byte " + std::to_string(byte) +
              " is outside the model's vocabulary of " +
              std::to_string(*vocab) + " tokens";
      return false;
    }
  plan.enabled = true;
  plan.logitsOutput = *logits;
  return true;
}

static std::unique_ptr<BatchSource>
loadData(const Options &options, const Session &session, std::string &error) {
  if (!options.dataDir.empty())
    return ArrayData::load(options.dataDir, session, {mpiRank, mpiSize}, error);
  TextModelShape shape;
  if (!checkTextModel(session, "--text", shape, error))
    return nullptr;
  TextDataConfig config;
  config.path = options.textPath;
  config.evalSplit = options.evalSplit;
  config.evalBatches = options.evalEvery ? options.evalBatches : 0;
  config.seed = options.seed;
  config.shard = {mpiRank, mpiSize};
  if (!resolveVocabulary(session, shape, options.vocab, config.vocabSize,
                         error))
    return nullptr;
  return TextData::load(config, shape, error);
}

int main(int argc, char **argv) {
  Options options;
  std::string error;
  if (!parseOptions(argc, argv, options, error))
    return fail(error);
  if (options.help) {
    printHelp(stdout);
    return 0;
  }

  // The OpenMP runtime reads OMP_NUM_THREADS once, when the model's library
  // loads it: setting it later would have no effect.
  if (options.threads)
    setenv("OMP_NUM_THREADS", std::to_string(options.threads).c_str(), 1);
  const char *threads = std::getenv("OMP_NUM_THREADS");

  // Started by mpirun: one process of a data-parallel job. Only rank 0
  // prints and writes files; the others' stdout goes nowhere.
  if (quern_rt_mpi_launched()) {
    if (!quern_rt_mpi_available())
      return fail("started by mpirun, but this quern-train was built "
                  "without MPI (QUERN_ENABLE_MPI=OFF)");
    if (quern_rt_mpi_init(&argc, &argv, &mpiRank, &mpiSize) != QUERN_RT_OK)
      return fail(quern_rt_last_error());
    mpiStarted = true;
    quern_rt_mpi_set_timeout(options.mpiTimeout);
    if (mpiRank != 0 && !std::freopen("/dev/null", "w", stdout))
      return fail("cannot silence rank " + std::to_string(mpiRank));
  }

  std::unique_ptr<Session> session = Session::open(options.modelPath, error);
  if (!session)
    return fail(error);
  bool dataParallel = mpiSize > 1;
  // Only rank 0 of a data-parallel job writes files (the log, checkpoints,
  // adapters) and samples.
  bool writes = mpiRank == 0;
  // Rank 0 reads the state files and saves the state; with a sharded
  // optimizer state, every process reads its pieces and takes part in
  // saving.
  bool sharded = session->shardsState();
  bool handlesState = writes || sharded;
  if (sharded && !dataParallel)
    return fail(
        "model '" + std::string(session->name()) +
        "' keeps its optimizer state sharded over " +
        std::to_string(quern_rt_model_shard_processes(session->rtModel())) +
        " processes (--shard-optimizer): train it with mpirun -np " +
        std::to_string(quern_rt_model_shard_processes(session->rtModel())) +
        " quern-train");
  if (dataParallel) {
    if (!quern_rt_model_is_data_parallel(session->rtModel()))
      return fail("model '" + std::string(session->name()) +
                  "' was not compiled with --data-parallel: " +
                  std::to_string(mpiSize) +
                  " processes would train separate models");
    if (quern_rt_mpi_attach(session->rtModel()) != QUERN_RT_OK)
      return fail(quern_rt_last_error());
  }
  std::string statePath = !options.resumePath.empty() ? options.resumePath
                          : !options.initPath.empty()
                              ? options.initPath
                              : siblingPath(options.modelPath, ".safetensors");
  // Only rank 0 of a data-parallel job reads the state (and adapters); the
  // others start from its state, broadcast below, so the files need be on
  // its machine alone. Sharded, each reads its own pieces.
  if (handlesState && !session->loadState(statePath, error))
    return fail(error);
  if (handlesState && !options.adaptersPath.empty() &&
      !session->loadState(options.adaptersPath, error, /*trainedOnly=*/true))
    return fail("--adapters: " + error);
  // Every process starts from rank 0's state (its initial values, or the
  // checkpoint it resumes).
  if (dataParallel && !sharded &&
      quern_rt_mpi_broadcast(session->stateBuffer(),
                             quern_rt_model_state_bytes(session->rtModel()),
                             0) != QUERN_RT_OK)
    return fail(quern_rt_last_error());
  // A state file is data from anywhere: its step counter must be a count
  // the schedule's arithmetic holds exactly, with room for this run.
  int64_t counter = session->stepCounter().value_or(0);
  constexpr int64_t kMaxStep = int64_t(1) << 53;
  if (counter < 0 || counter > kMaxStep - int64_t(options.steps))
    return fail("'" + statePath + "': its step counter is " +
                std::to_string(counter) + ", not a step count (0 to 2^53)");
  uint64_t firstStep = uint64_t(counter);

  TrainerConfig trainer;
  trainer.firstStep = firstStep;
  trainer.steps = options.steps;
  trainer.logEvery = options.logEvery;
  trainer.evalEvery = options.evalEvery;
  trainer.saveEvery = options.saveEvery;
  trainer.savePath = options.savePath;
  trainer.processes = mpiSize;
  trainer.writes = writes;
  trainer.saves = handlesState;
  trainer.schedule.kind = options.schedule;
  trainer.schedule.peakLr = options.lr;
  trainer.schedule.minLr = options.minLr;
  trainer.schedule.warmupSteps = options.warmup;
  trainer.schedule.totalSteps = firstStep + options.steps;
  if (options.evalEvery) {
    if (!session->forwardProblem().empty())
      return fail("--eval-every: " + session->forwardProblem());
    trainer.forwardLoss = session->forwardLossIndex();
    if (!trainer.forwardLoss)
      return fail("--eval-every: model '" + std::string(session->name()) +
                  "' has no forward output '" + session->lossName() +
                  "' (f32[]) to evaluate");
  }

  SamplePlan samplePlan;
  if (!planSampling(options, *session, samplePlan, error))
    return fail(error);

  std::unique_ptr<BatchSource> data;
  if (options.steps > 0 && !(data = loadData(options, *session, error)))
    return fail(error);
  CsvLog log;
  if (writes && !options.logPath.empty() && !log.open(options.logPath, error))
    return fail(error);
  // Where the checkpoint goes is checked now, not after the last step.
  if (writes && !options.savePath.empty() &&
      !checkWritable(options.savePath, error))
    return fail("--save: " + error);
  if (writes && !options.saveAdaptersPath.empty() &&
      !checkWritable(options.saveAdaptersPath, error))
    return fail("--save-adapters: " + error);
  if (writes && !options.plotPath.empty() &&
      !checkWritable(options.plotPath, error))
    return fail("--plot: " + error);

  std::printf("model   %s (%s): %llu parameters\n", session->name(),
              options.modelPath.c_str(),
              (unsigned long long)session->numParameters());
  std::printf("state   %s, step %llu\n", statePath.c_str(),
              (unsigned long long)firstStep);
  std::printf(
      "memory  %s of state, %s of workspace (activations and scratch)\n",
      quern::formatBytes(quern_rt_model_state_bytes(session->rtModel()))
          .c_str(),
      quern::formatBytes(quern_rt_model_workspace_bytes(session->rtModel()))
          .c_str());
  if (data)
    std::printf("data    %s\n", data->describe().c_str());
  // The thread count in effect: QUERN_NUM_THREADS, which the model's library
  // applies when it loads, wins over OMP_NUM_THREADS.
  const char *quernThreads = std::getenv("QUERN_NUM_THREADS");
  std::string threadsText =
      quernThreads && std::atoi(quernThreads) > 0
          ? std::string("QUERN_NUM_THREADS=") + quernThreads
          : std::string("OMP_NUM_THREADS=") + (threads ? threads : "unset");
  std::printf("run     %llu steps, %s, seed %llu, %s\n",
              (unsigned long long)options.steps,
              describeSchedule(options).c_str(),
              (unsigned long long)options.seed, threadsText.c_str());
  if (dataParallel)
    std::printf("mpi     %d processes, gradients averaged over MPI%s; rank 0 "
                "prints and saves\n",
                mpiSize, sharded ? ", optimizer state sharded over them" : "");
  std::fflush(stdout);

  auto saveAdapters = [&](std::string &error) {
    if (options.saveAdaptersPath.empty() || !writes)
      return true;
    if (!session->saveState(options.saveAdaptersPath, error,
                            /*trainedOnly=*/true))
      return false;
    std::printf("saved adapters %s\n", options.saveAdaptersPath.c_str());
    return true;
  };
  if (data) {
    installInterruptHandler();
    Trainer loop(*session, *data, log, trainer);
    TrainOutcome outcome = loop.run(error);
    if (outcome == TrainOutcome::Failed)
      return fail(error);
    if (!log.close(error))
      return fail(error);
    if (outcome == TrainOutcome::Interrupted) {
      std::string path =
          !options.savePath.empty()
              ? options.savePath
              : siblingPath(options.modelPath, ".interrupted.safetensors");
      if (handlesState && !session->saveState(path, error))
        return fail(error);
      if (!saveAdapters(error))
        return fail(error);
      std::printf("interrupted after step %llu: state saved to %s\n",
                  (unsigned long long)loop.lastStep(), path.c_str());
      std::fflush(stdout);
      if (mpiStarted)
        quern_rt_mpi_finalize();
      return kExitInterrupted;
    }
    // Communication the backward pass did not hide.
    if (dataParallel) {
      double waited = quern_rt_mpi_wait_seconds();
      std::printf("mpi     waited %.3f s for gradient means in %.3f s of "
                  "steps (%.1f%%)\n",
                  waited, loop.trainSeconds(),
                  100 * waited / std::max(loop.trainSeconds(), 1e-9));
    }
  }

  if (data && kernelProfileRequested())
    printKernelProfile(session->rtModel(), stdout);

  if (!options.savePath.empty() && handlesState) {
    if (!session->saveState(options.savePath, error))
      return fail(error);
    std::printf("saved %s (step %llu)\n", options.savePath.c_str(),
                (unsigned long long)(firstStep + options.steps));
  }
  if (!saveAdapters(error))
    return fail(error);
  if (data && writes && !options.plotPath.empty()) {
    if (!plotLoss(options.logPath, options.plotPath, error))
      return fail("--plot: " + error);
    std::printf("plotted %s\n", options.plotPath.c_str());
  }

  if (samplePlan.enabled && writes) {
    SampleConfig config;
    config.logitsOutput = samplePlan.logitsOutput;
    config.prompt = options.prompt;
    config.count = options.sampleBytes;
    config.temperature = options.temperature;
    config.seed = options.seed;
    std::string text = options.prompt;
    if (!generateText(*session, samplePlan.shape, config, text, error))
      return fail("--sample: " + error);
    std::printf(
        "sample  (%s, %llu bytes after the prompt)\n",
        options.temperature == 0
            ? "greedy"
            : ("temperature " + formatRate(options.temperature)).c_str(),
        (unsigned long long)options.sampleBytes);
    // Raw bytes: a model may well generate a 0.
    std::fwrite(text.data(), 1, text.size(), stdout);
    std::printf("\n");
  }
  if (mpiStarted)
    quern_rt_mpi_finalize();
  return 0;
}
