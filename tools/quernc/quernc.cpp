//===- quernc.cpp - the Quern compiler driver -------------------*- C++ -*-===//
//
// quernc MODEL.onnx -o DIR/NAME: compiles an ONNX model ahead of time into
// DIR/NAME.so with its C header, manifest and initial state.
//
//===----------------------------------------------------------------------===//

#include "passes/Quantize/Quantization.h"
#include "passes/TrainStep/Optimizers.h"
#include "quern/Driver/Driver.h"
#include "quern/InitAll.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <limits>

namespace cl = llvm::cl;

static cl::OptionCategory category("quernc options");

static cl::opt<std::string> inputPath(cl::Positional, cl::desc("<model.onnx>"),
                                      cl::cat(category));
static cl::opt<std::string>
    outputStem("o",
               cl::desc("Output path without extension: DIR/NAME "
                        "writes DIR/NAME.so, .h, .json, .safetensors"),
               cl::value_desc("DIR/NAME"), cl::cat(category));
static cl::opt<quern::EmitKind> emit(
    "emit", cl::desc("What to write"), cl::init(quern::EmitKind::Shared),
    cl::values(
        clEnumValN(quern::EmitKind::Shared, "shared",
                   "Shared library + header, manifest and state (default)"),
        clEnumValN(quern::EmitKind::Object, "obj",
                   "Object file + header, manifest and state"),
        clEnumValN(quern::EmitKind::Assembly, "asm", "Assembly (NAME.s)"),
        clEnumValN(quern::EmitKind::LLVM, "llvm",
                   "Optimized LLVM IR (NAME.ll)"),
        clEnumValN(quern::EmitKind::MLIR, "mlir",
                   "The imported quern IR (NAME.mlir)")),
    cl::cat(category));
static cl::opt<std::string>
    triple("target", cl::desc("Target triple (default: the host)"),
           cl::value_desc("TRIPLE"), cl::cat(category));
static cl::opt<std::string>
    cpu("mcpu", cl::desc("Target CPU (default: the host's, or generic)"),
        cl::value_desc("CPU"), cl::cat(category));
static cl::opt<std::string>
    features("mattr", cl::desc("Target features, e.g. +avx2,-avx512f"),
             cl::value_desc("+a,-b"), cl::cat(category));
static cl::opt<std::string> sysroot(
    "sysroot",
    cl::desc("Root of the target's C library and OpenMP runtime (libomp.so.5 "
             "in DIR/lib: threads) for a Linux target other than the host "
             "(default: Debian's cross root, /usr/ARCH-linux-gnu)"),
    cl::value_desc("DIR"), cl::cat(category));
static cl::opt<std::string> rocmPath(
    "rocm-path",
    cl::desc("For --target=amdgcn-amd-amdhsa: a ROCm installation, or a "
             "folder laid out like one (device libraries in "
             "amdgcn/bitcode, the linker at llvm/bin/ld.lld; default: the "
             "one beside quernc, lib/quern/rocm, which uses Debian's "
             "rocm-device-libs and ld.lld-19)"),
    cl::value_desc("DIR"), cl::cat(category));
static cl::opt<bool> gpuOnHost(
    "gpu-on-host",
    cl::desc("For --target=amdgcn-amd-amdhsa: lower the GPU-mapped code for "
             "the host CPU instead, each workgroup and thread loop a plain "
             "loop (tests the mapping without a GPU)"),
    cl::cat(category));
static cl::opt<bool> gpuThreadsReversed(
    "gpu-threads-reversed",
    cl::desc("With --gpu-on-host: run the last workgroup and thread first "
             "(a thread reading another's result, or two storing one "
             "element, then show as a different result)"),
    cl::cat(category));
static cl::opt<quern::ThreadRuntime> threadRuntime(
    "thread-runtime", cl::desc("What runs the parallel loops"),
    cl::values(
        clEnumValN(quern::ThreadRuntime::Default, "default",
                   "OpenMP where the target's runtime is at hand, "
                   "libdispatch on Apple, else none (default)"),
        clEnumValN(quern::ThreadRuntime::OpenMP, "openmp",
                   "LLVM's OpenMP runtime, libomp.so.5"),
        clEnumValN(quern::ThreadRuntime::Dispatch, "dispatch",
                   "libdispatch's dispatch_apply_f (macOS's; on Linux the "
                   "process provides it)"),
        clEnumValN(quern::ThreadRuntime::None, "none",
                   "one thread, no runtime")),
    cl::init(quern::ThreadRuntime::Default), cl::cat(category));
static cl::opt<quern::Precision> precision(
    "precision", cl::desc("Arithmetic of the matrix products"),
    cl::values(clEnumValN(quern::Precision::FP32, "fp32",
                          "f32 operands and sums (default)"),
               clEnumValN(quern::Precision::BF16, "bf16",
                          "Operands rounded to bf16, products and sums in "
                          "f32; everything else, the parameters and the "
                          "optimizer state stay f32")),
    cl::init(quern::Precision::FP32), cl::cat(category));
static cl::opt<unsigned> optLevel("O", cl::desc("Optimization level 0-3"),
                                  cl::Prefix, cl::init(3), cl::cat(category));
static cl::list<std::string>
    inputShapes("input-shape",
                cl::desc("Fix the shape of a graph input, e.g. x=4x64 "
                         "(repeatable)"),
                cl::value_desc("NAME=DIMS"), cl::cat(category));
static cl::list<std::string>
    inputValues("input-value",
                cl::desc("Fix a graph input to the value in an ONNX "
                         "TensorProto file, e.g. shape=shape.pb (repeatable)"),
                cl::value_desc("NAME=FILE.pb"), cl::cat(category));
static cl::opt<uint64_t> maxTensorBytes(
    "max-tensor-bytes",
    cl::desc("Refuse a model with a tensor larger than this (default 16 GiB)"),
    cl::init(quern::OnnxImportOptions().maxTensorBytes), cl::cat(category));
static cl::opt<uint64_t> maxFoldedElements(
    "max-folded-elements",
    cl::desc("Refuse a model that makes a constant of more elements at "
             "import (Range; default 64 Mi)"),
    cl::init(quern::OnnxImportOptions().maxFoldedElements), cl::cat(category));
static cl::opt<uint64_t> maxStateBytes(
    "max-state-bytes",
    cl::desc("Refuse a model whose parameters take more than this (default "
             "64 GiB)"),
    cl::init(quern::OnnxImportOptions().maxStateBytes), cl::cat(category));
static cl::OptionCategory trainCategory("quernc training options");
static cl::OptionCategory
    mlirCategory("MLIR instrumentation, on quernc's own pipeline");
static cl::opt<bool> train("train",
                           cl::desc("Also compile NAME_train_step: forward, "
                                    "gradients and optimizer update"),
                           cl::cat(trainCategory));
static cl::opt<std::string>
    lossName("loss",
             cl::desc("The graph output that is the loss (default: the only "
                      "scalar float output)"),
             cl::value_desc("OUTPUT"), cl::cat(trainCategory));
// Help texts from the optimizer table (passes/TrainStep/Optimizers.cpp).
static const std::string optimizerHelp =
    quern::optimizerNames() + " (default sgd)";
static const std::string momentumHelp =
    "Momentum (default: " + quern::describeDefaults("momentum") + ")";
static const std::string beta1Help =
    "Adam's beta1 (default: " + quern::describeDefaults("beta1") + ")";
static const std::string beta2Help =
    "Adam's beta2 (default: " + quern::describeDefaults("beta2") + ")";
static const std::string epsHelp =
    "Epsilon (default: " + quern::describeDefaults("eps") + ")";
static const std::string weightDecayHelp =
    "Weight decay, decoupled for adamw (default: " +
    quern::describeDefaults("weight_decay") + ")";
static cl::opt<std::string> optimizerName("optimizer", cl::desc(optimizerHelp),
                                          cl::init("sgd"),
                                          cl::cat(trainCategory));
// Hyper-parameters not given are -1: the optimizer's default applies.
static cl::opt<double> momentum("momentum", cl::desc(momentumHelp),
                                cl::init(-1), cl::cat(trainCategory));
static cl::opt<double> beta1("beta1", cl::desc(beta1Help), cl::init(-1),
                             cl::cat(trainCategory));
static cl::opt<double> beta2("beta2", cl::desc(beta2Help), cl::init(-1),
                             cl::cat(trainCategory));
static cl::opt<double> epsilon("eps", cl::desc(epsHelp), cl::init(-1),
                               cl::cat(trainCategory));
static cl::opt<double> weightDecay("weight-decay", cl::desc(weightDecayHelp),
                                   cl::init(-1), cl::cat(trainCategory));
static cl::opt<double>
    clipGradNorm("clip-grad-norm",
                 cl::desc("Clip the global gradient norm (default: off)"),
                 cl::init(0), cl::cat(trainCategory));
static cl::opt<int> accumulate(
    "accumulate",
    cl::desc("Micro-batches per step: inputs take N times their batch, and "
             "gradients are averaged over N forward/backward passes before "
             "one update (default 1)"),
    cl::value_desc("N"), cl::init(1), cl::cat(trainCategory));
static cl::opt<bool> dataParallel(
    "data-parallel",
    cl::desc("Average the gradients over the processes of a data-parallel "
             "job (mpirun ... quern-train) before clipping and the update: "
             "each bucket of gradients is handed to the host's communicator "
             "as soon as the backward pass has finished it"),
    cl::cat(trainCategory));
static cl::opt<int64_t> bucketBytes(
    "bucket-bytes",
    cl::desc("With --data-parallel: the most bytes of gradients in one "
             "bucket (default 25 MiB, as PyTorch DDP; a larger gradient is a "
             "bucket of its own)"),
    cl::value_desc("BYTES"),
    cl::init(quern::MakeTrainStepPassOptions().bucketBytes),
    cl::cat(trainCategory));
static cl::opt<int64_t> shardOptimizer(
    "shard-optimizer",
    cl::desc("With --data-parallel: keep the optimizer state sharded over "
             "the N processes of the job (ZeRO stage 1), each updating "
             "1/N of every parameter and gathering the rest; the job must "
             "then have exactly N processes"),
    cl::value_desc("N"), cl::init(0), cl::cat(trainCategory));
static cl::opt<std::string> gradientSuffix(
    "gradient-suffix",
    cl::desc("The graph already contains its backward: output "
             "PARAM<SUFFIX> is the gradient of initializer PARAM (e.g. "
             "_grad); no autodiff runs, and parameters without one are "
             "frozen"),
    cl::value_desc("SUFFIX"), cl::cat(trainCategory));
static cl::list<std::string>
    trainable("trainable",
              cl::desc("Parameters to train, as globs over initializer names "
                       "(default: every float initializer)"),
              cl::value_desc("GLOB[,GLOB]"), cl::CommaSeparated,
              cl::cat(trainCategory));
static cl::list<std::string>
    freeze("freeze", cl::desc("Parameters not to train, as globs"),
           cl::value_desc("GLOB[,GLOB]"), cl::CommaSeparated,
           cl::cat(trainCategory));

static cl::opt<std::string> lora(
    "lora",
    cl::desc("Add rank-RANK adapters (scaled by ALPHA/RANK, ALPHA default "
             "RANK) to the matrix products --lora-targets names, and train "
             "only them"),
    cl::value_desc("RANK[:ALPHA]"), cl::cat(trainCategory));
static cl::list<std::string> loraTargets(
    "lora-targets",
    cl::desc("The weights whose products get adapters, as globs over "
             "initializer names (default: every matrix product's weight)"),
    cl::value_desc("GLOB[,GLOB]"), cl::CommaSeparated, cl::cat(trainCategory));
static cl::opt<double> loraDropout(
    "lora-dropout",
    cl::desc("Dropout on the adapters' input in training steps (PEFT's "
             "lora_dropout; default 0)"),
    cl::value_desc("P"), cl::init(0), cl::cat(trainCategory));
static cl::opt<uint64_t>
    seed("seed",
         cl::desc("Seed of the initial values quernc draws (LoRA adapters' "
                  "A) and of the adapters' dropout masks (default 0)"),
         cl::value_desc("N"), cl::init(0), cl::cat(trainCategory));
static cl::opt<std::string> quantizeFrozen(
    "quantize-frozen",
    cl::desc("Store the frozen weights that only matrix products read in "
             "nf4 (QLoRA's NormalFloat), int4 or int8 blocks, decoded "
             "inside the products"),
    cl::value_desc("nf4|int4|int8"), cl::cat(trainCategory));
static cl::opt<int64_t>
    quantBlock("quant-block",
               cl::desc("Elements that share a quantization scale "
                        "(default 64)"),
               cl::value_desc("N"),
               cl::init(quern::QuantizePassOptions().block),
               cl::cat(trainCategory));
static cl::opt<bool> doubleQuant(
    "double-quant",
    cl::desc("Store the quantization scales as int8 codes too, in blocks of "
             "256 (QLoRA's double quantization)"),
    cl::cat(trainCategory));
static cl::list<std::string> quantizeOnly(
    "quantize-only",
    cl::desc("Quantize only the frozen weights these globs match; each must "
             "match one that can be"),
    cl::value_desc("GLOB[,GLOB]"), cl::CommaSeparated, cl::cat(trainCategory));

static cl::opt<quern::RecomputeOptions::Mode> recomputeMode(
    "recompute",
    cl::desc("Which activations the backward pass recomputes instead of "
             "keeping (default auto)"),
    cl::values(clEnumValN(quern::RecomputeOptions::Mode::Auto, "auto",
                          "Cheap elementwise values whose inputs are kept "
                          "anyway"),
               clEnumValN(quern::RecomputeOptions::Mode::None, "none",
                          "None: every activation is kept"),
               clEnumValN(quern::RecomputeOptions::Mode::Budget, "budget",
                          "The fewest FLOPs that fit the step's workspace in "
                          "--activation-budget")),
    cl::init(quern::RecomputeOptions::Mode::Auto), cl::cat(trainCategory));
static cl::opt<std::string> activationBudget(
    "activation-budget",
    cl::desc("The most bytes of workspace (activations and scratch) the "
             "step may use, e.g. 512MiB, or N% of what it uses without "
             "recomputation; implies --recompute=budget"),
    cl::value_desc("BYTES|N%"), cl::cat(trainCategory));

static cl::opt<bool>
    printOnnxOps("print-onnx-ops",
                 cl::desc("List the ONNX ops quernc imports, with the schema "
                          "versions it implements"),
                 cl::cat(category));
static cl::opt<bool> printKernelReport(
    "print-kernel-report",
    cl::desc("Print the outlined kernels, each with its loops, strategy, "
             "FLOPs, calls and estimated share of a step (measure them with "
             "QUERN_PROFILE=1)"),
    cl::cat(category));
static cl::opt<bool> printMemoryReport(
    "print-memory-report",
    cl::desc("Print the workspace size and, with --train, the activations "
             "kept for backward, with the largest by ONNX node"),
    cl::cat(category));
static cl::opt<bool> noExpertFusion(
    "no-expert-fusion",
    cl::desc("Leave mixture-of-experts blocks dense: every expert on every "
             "token"),
    cl::cat(category));
static cl::opt<bool> noEpilogueFusion(
    "no-epilogue-fusion",
    cl::desc("Compute the activation after fused experts' first products in "
             "a loop of its own over all rows, not tile by tile with them"),
    cl::cat(category));
static cl::opt<bool> printExpertFusion(
    "print-expert-fusion",
    cl::desc("Say which mixture-of-experts blocks were fused (with their "
             "dense and fused product FLOPs) and why others were not"),
    cl::cat(category));
static cl::opt<bool> expertLoad(
    "expert-load",
    cl::desc(
        "Add an output per fused mixture-of-experts block, "
        "expert_load.N: the token slots routed to each expert (quern-train "
        "shows their spread)"),
    cl::cat(category));
static cl::opt<int64_t> expertTileRows(
    "expert-tile-rows",
    cl::desc("The most rows of a fused expert product's tile (each tile is "
             "one expert's tokens; fewer rows waste less on padding, more "
             "read the weights less often)"),
    cl::init(quern::FuseExpertsPassOptions().tileRows), cl::cat(category));
static cl::opt<bool> printTargets("print-targets",
                                  cl::desc("List the supported targets"),
                                  cl::cat(category));

static int usageError(const llvm::Twine &message) {
  llvm::errs() << "quernc: error: " << message << "\n";
  return 1;
}

int main(int argc, char **argv) {
  llvm::InitLLVM initLLVM(argc, argv);
  // --mlir-print-ir-after=PASS knows the passes registered before it.
  mlir::registerAllPasses();
  quern::registerQuernPasses();
  mlir::registerPassManagerCLOptions();
  mlir::registerMLIRContextCLOptions();
  mlir::registerAsmPrinterCLOptions();
  mlir::registerDefaultTimingManagerCLOptions();
  // --help lists quernc's options and MLIR's instrumentation; LLVM's
  // hundreds of backend options move to --help-hidden.
  for (auto &entry : cl::getRegisteredOptions()) {
    llvm::StringRef name = entry.getKey();
    cl::Option *option = entry.getValue();
    if (name.starts_with("mlir-"))
      option->addCategory(mlirCategory);
    bool listed =
        name.starts_with("help") || name == "version" ||
        llvm::any_of(option->Categories, [](const cl::OptionCategory *in) {
          return in == &category || in == &trainCategory || in == &mlirCategory;
        });
    if (!listed && option->getOptionHiddenFlag() == cl::NotHidden)
      option->setHiddenFlag(cl::Hidden);
  }
  cl::ParseCommandLineOptions(
      argc, argv,
      "quernc: compile an ONNX model ahead of time into native code\n\n"
      "  quernc model.onnx -o out/model\n");

  if (printOnnxOps) {
    for (const auto &[op, versions] : quern::supportedOnnxOps())
      llvm::outs() << op << " "
                   << llvm::join(llvm::map_range(versions,
                                                 [](int version) {
                                                   return std::to_string(
                                                       version);
                                                 }),
                                 ", ")
                   << "\n";
    return 0;
  }
  if (printTargets) {
    quern::printTargets(llvm::outs());
    return 0;
  }
  if (cpu == "help" || features == "help") {
    quern::printTargetHelp(
        quern::resolveTarget({triple, "", "", "", threadRuntime}),
        features == "help", llvm::outs());
    return 0;
  }
  if (inputPath.empty())
    return usageError("no input model (see --help)");
  if (outputStem.empty())
    return usageError("-o DIR/NAME is required");
  if (optLevel > 3)
    return usageError("-O" + llvm::Twine(optLevel) + ": levels are 0 to 3");

  quern::CompileOptions options;
  options.inputPath = inputPath;
  options.outputStem = outputStem;
  options.emit = emit;
  options.target = {triple, cpu, features, sysroot, threadRuntime};
  options.rocmPath = rocmPath;
  if (rocmPath.empty()) {
    // bin/quernc beside lib/quern/rocm, in the build tree as installed.
    llvm::SmallString<256> path(llvm::sys::path::parent_path(
        llvm::sys::path::parent_path(llvm::sys::fs::getMainExecutable(
            argv[0], reinterpret_cast<void *>(&main)))));
    llvm::sys::path::append(path, "lib", "quern", "rocm");
    options.rocmPath = std::string(path);
  }
  options.gpuOnHost = gpuOnHost;
  options.gpuThreadsReversed = gpuThreadsReversed;
  options.optLevel = optLevel;
  options.precision = precision;
  options.import.maxTensorBytes = maxTensorBytes;
  options.import.maxFoldedElements = maxFoldedElements;
  options.import.maxStateBytes = maxStateBytes;
  options.seed = seed;
  options.printKernelReport = printKernelReport;
  options.printMemoryReport = printMemoryReport;
  options.graph.fuseExperts = !noExpertFusion;
  options.fuseGroupedEpilogues = !noEpilogueFusion;
  options.graph.experts.report = printExpertFusion;
  options.graph.experts.tileRows = expertTileRows;
  options.graph.experts.exposeLoad = expertLoad;
  if (expertTileRows < 1)
    return usageError("--expert-tile-rows: " + llvm::Twine(expertTileRows) +
                      " rows; it must be at least 1");
  for (const cl::Option *flag : std::initializer_list<const cl::Option *>{
           &printExpertFusion, &expertLoad, &expertTileRows, &noEpilogueFusion})
    if (noExpertFusion && flag->getNumOccurrences())
      return usageError("--" + flag->ArgStr +
                        ": expert fusion is off (--no-expert-fusion)");
  for (const cl::opt<bool> *report : {&printKernelReport, &printMemoryReport})
    if (*report && emit == quern::EmitKind::MLIR)
      return usageError("--" + report->ArgStr +
                        ": --emit=mlir stops before code generation");
  for (const std::string &spec : inputShapes) {
    std::string error;
    if (!quern::parseInputShape(spec, options.import, error))
      return usageError("--input-shape: " + error);
  }

  for (const std::string &spec : inputValues) {
    std::string error;
    if (!quern::parseInputValue(spec, options.import, error))
      return usageError("--input-value: " + error);
  }

  // The flags that shape the training step Quern builds: they need --train
  // and do not apply to a model's own step.
  const std::initializer_list<const cl::Option *> stepFlags = {
      &lossName,
      &accumulate,
      &dataParallel,
      &bucketBytes,
      &shardOptimizer,
      &gradientSuffix,
      std::addressof(trainable),
      std::addressof(freeze),
      &lora,
      std::addressof(loraTargets),
      &loraDropout,
      &seed,
      &quantizeFrozen,
      &quantBlock,
      &doubleQuant,
      std::addressof(quantizeOnly),
      &recomputeMode,
      &activationBudget};
  if (accumulate < 1)
    return usageError("--accumulate: " + llvm::Twine(accumulate.getValue()) +
                      " micro-batches; it must be at least 1");
  if (bucketBytes.getNumOccurrences() && !dataParallel)
    return usageError("--bucket-bytes needs --data-parallel");
  if (shardOptimizer.getNumOccurrences() && !dataParallel)
    return usageError("--shard-optimizer needs --data-parallel");
  if (shardOptimizer.getNumOccurrences() && shardOptimizer < 2)
    return usageError(
        "--shard-optimizer: " + llvm::Twine(shardOptimizer.getValue()) +
        " processes; sharding needs at least 2");
  if (bucketBytes < 4)
    return usageError("--bucket-bytes: " + llvm::Twine(bucketBytes.getValue()) +
                      " bytes; a bucket holds at least one f32 (4 bytes)");
  if (train) {
    if (!quern::findOptimizer(optimizerName))
      return usageError("--optimizer: '" + optimizerName + "' is not one of " +
                        quern::optimizerNames());
    for (auto [flag, setting] : std::initializer_list<
             std::pair<const cl::opt<double> *, llvm::StringRef>>{
             {&momentum, "momentum"},
             {&beta1, "beta1"},
             {&beta2, "beta2"},
             {&epsilon, "eps"},
             {&weightDecay, "weight_decay"},
             {&clipGradNorm, "clip_grad_norm"}})
      if (flag->getNumOccurrences())
        if (std::string problem = quern::checkSetting(setting, *flag);
            !problem.empty())
          return usageError("--" + flag->ArgStr + ": " + problem);
    quern::TrainOptions &trainOptions = options.train.emplace();
    quern::TrainStepOptions &passes = trainOptions.passes;
    passes.trainable.assign(trainable.begin(), trainable.end());
    passes.freeze.assign(freeze.begin(), freeze.end());
    if (!lora.empty()) {
      llvm::StringRef rankText, alphaText;
      std::tie(rankText, alphaText) = llvm::StringRef(lora).split(':');
      quern::LoraPassOptions &adapters = passes.lora.emplace();
      double alpha = 0;
      if (rankText.getAsInteger(10, adapters.rank) || adapters.rank < 1 ||
          (!alphaText.empty() &&
           (alphaText.getAsDouble(alpha) || !(alpha > 0))))
        return usageError("--lora: '" + lora +
                          "' is not RANK[:ALPHA] with a rank of at least 1 "
                          "and a positive alpha");
      adapters.alpha = alpha;
      if (!(loraDropout >= 0 && loraDropout < 1))
        return usageError(
            llvm::formatv("--lora-dropout: {0}; it must be in [0, 1)",
                          double(loraDropout))
                .str());
      adapters.dropout = loraDropout;
      adapters.seed = seed;
      if (trainable.getNumOccurrences() || freeze.getNumOccurrences())
        return usageError("--lora trains only the adapters; --trainable and "
                          "--freeze do not apply");
      passes.loraTargets.assign(loraTargets.begin(), loraTargets.end());
    } else {
      for (const cl::Option *flag : std::initializer_list<const cl::Option *>{
               std::addressof(loraTargets), &loraDropout})
        if (flag->getNumOccurrences())
          return usageError("--" + flag->ArgStr + " needs --lora");
    }
    if (!quantizeFrozen.empty()) {
      if (!quern::parseQuantScheme(quantizeFrozen))
        return usageError("--quantize-frozen: '" + quantizeFrozen +
                          "' is not nf4, int4 or int8");
      if (quantBlock < 1 ||
          (quern::DequantizeOp::codeBits(
               *quern::parseQuantScheme(quantizeFrozen)) == 4 &&
           quantBlock % 2 != 0))
        return usageError("--quant-block: " + llvm::Twine(quantBlock) +
                          "; it must be positive, and even for 4-bit codes");
      quern::QuantizePassOptions &quantize = passes.quantize.emplace();
      quantize.scheme = quantizeFrozen;
      quantize.block = quantBlock;
      quantize.doubleQuant = doubleQuant;
      passes.quantizeOnly.assign(quantizeOnly.begin(), quantizeOnly.end());
    } else {
      for (const cl::Option *flag : std::initializer_list<const cl::Option *>{
               &quantBlock, &doubleQuant, std::addressof(quantizeOnly)})
        if (flag->getNumOccurrences())
          return usageError("--" + flag->ArgStr + " needs --quantize-frozen");
    }
    quern::RecomputeOptions &recompute = trainOptions.recompute;
    recompute.mode = recomputeMode;
    if (activationBudget.getNumOccurrences()) {
      if (recomputeMode.getNumOccurrences() &&
          recomputeMode != quern::RecomputeOptions::Mode::Budget)
        return usageError("--activation-budget means --recompute=budget; "
                          "it does not go with another --recompute");
      std::string error;
      if (!quern::parseActivationBudget(activationBudget, recompute, error))
        return usageError("--activation-budget: " + error);
      recompute.mode = quern::RecomputeOptions::Mode::Budget;
    } else if (recomputeMode == quern::RecomputeOptions::Mode::Budget) {
      return usageError("--recompute=budget needs --activation-budget");
    }
    if (recompute.mode == quern::RecomputeOptions::Mode::Budget &&
        !gradientSuffix.empty())
      return usageError("--activation-budget: the graph brings its own "
                        "backward pass (--gradient-suffix), which Quern "
                        "cannot recompute in");
    passes.step.loss = lossName;
    passes.step.optimizer = optimizerName;
    passes.step.momentum = momentum;
    passes.step.beta1 = beta1;
    passes.step.beta2 = beta2;
    passes.step.eps = epsilon;
    passes.step.weightDecay = weightDecay;
    passes.step.clipGradNorm = clipGradNorm;
    passes.step.accumulate = accumulate;
    passes.step.dataParallel = dataParallel;
    passes.step.bucketBytes = bucketBytes;
    passes.step.shardOptimizer = shardOptimizer;
    passes.step.gradientSuffix = gradientSuffix;
    for (const cl::Option *flag : std::initializer_list<const cl::Option *>{
             &optimizerName, &momentum, &beta1, &beta2, &epsilon, &weightDecay,
             &clipGradNorm})
      if (flag->getNumOccurrences())
        trainOptions.givenFlags.push_back(("--" + flag->ArgStr).str());
    for (const cl::Option *flag : stepFlags)
      if (flag->getNumOccurrences())
        trainOptions.givenFlags.push_back(("--" + flag->ArgStr).str());
  } else {
    for (const cl::Option *flag : stepFlags)
      if (flag->getNumOccurrences())
        return usageError("--" + flag->ArgStr + " needs --train");
  }

  mlir::DialectRegistry registry;
  quern::registerQuernDialects(registry);
  mlir::MLIRContext context(registry);
  mlir::ScopedDiagnosticHandler handler(
      &context, [](mlir::Diagnostic &diagnostic) {
        llvm::errs() << "quernc: " << quern::formatOnnxDiagnostic(diagnostic)
                     << "\n";
        return mlir::success();
      });
  return mlir::failed(quern::compileModel(context, options)) ? 1 : 0;
}
