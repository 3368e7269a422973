//===- Driver.cpp - ONNX model to compiled artifacts ------------*- C++ -*-===//

#include "quern/Driver/Driver.h"

#include "ActivationBudget.h"
#include "Artifacts.h"
#include "Kernels.h"
#include "Memory.h"
#include "dialects/quern/QuernOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/Timing.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "passes/Passes.h"
#include "passes/Quantize/Quantization.h"
#include "passes/TrainStep/Optimizers.h"
#include "quern/Codegen/AMDGPU/Passes.h"
#include "quern/Codegen/CPU/Passes.h"
#include "quern/Random.h"
#include "quern/SafeTensors.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FileUtilities.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Support/xxhash.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/Triple.h"

#include <deque>
#include <numeric>

using namespace mlir;
using namespace quern;

namespace {

/// NAME must make C identifiers (`NAME_forward`).
bool isCIdentifier(StringRef name) {
  return !name.empty() && !llvm::isDigit(name.front()) &&
         llvm::all_of(name,
                      [](char c) { return llvm::isAlnum(c) || c == '_'; });
}

class Compilation {
public:
  Compilation(MLIRContext &context, const CompileOptions &options)
      : context(context), options(options), outputs(options.outputStem),
        name(llvm::sys::path::filename(options.outputStem).str()),
        flagLoc(UnknownLoc::get(&context)) {
    applyDefaultTimingManagerCLOptions(timing);
    rootTimer = timing.getRootScope();
  }

  LogicalResult run();

private:
  /// A failure with a diagnostic that is not about the model.
  LogicalResult fail(const Twine &message) {
    emitError(flagLoc) << message;
    return failure();
  }
  /// Whether the output is code to link (a shared library or an object),
  /// which the state, header and manifest go with.
  bool emitsLinkable() const {
    return options.emit == EmitKind::Shared || options.emit == EmitKind::Object;
  }
  /// The initial state's tensors (into `state`): the model's values,
  /// quantized weights' parts, drawn adapters, zeros for the rest. Before
  /// code generation, so that a weight that cannot be quantized fails the
  /// compile at once.
  LogicalResult computeState(const ImportedModel &model);
  LogicalResult writeState();
  /// The values of `tensor`, uniform in [-bound, bound) from --seed.
  std::vector<float> drawUniform(const StateTensor &tensor, double bound) const;
  /// The bytes of a quantized weight's `part`, quantizing the weight (of
  /// `weightBytes`) into `quantized` the first time one of its parts is
  /// asked for.
  FailureOr<ArrayRef<char>> quantizedPart(const QuantizedPartInfo &part,
                                          ArrayRef<char> weightBytes);
  /// --target=amdgcn-amd-amdhsa: checks that --rocm-path has what linking
  /// a code object needs.
  LogicalResult checkROCm();
  /// The target's machine; null after a diagnostic.
  std::unique_ptr<llvm::TargetMachine> createMachine();
  CPUCodegenOptions codegenOptions(const llvm::TargetMachine &machine) const;
  /// --activation-budget: quern-recompute on @train_step until its planned
  /// workspace fits.
  LogicalResult fitBudget(ModuleOp module);
  /// `module` through the CPU pipeline (from `planned` when fitBudget left
  /// it), then LLVM.
  LogicalResult generateCode(ModuleOp module);
  LogicalResult buildTrainStep(ModuleOp module);
  /// Runs the graph passes on a forward-only model.
  LogicalResult runGraphPasses(ModuleOp module);
  /// The model's TrainingInfoProto defined @train_step.
  bool fromTrainingInfo = false;
  llvm::json::Value optimizerJson() const;

  MLIRContext &context;
  const CompileOptions &options;
  OutputSet outputs;
  std::string name;
  Location flagLoc;
  ModelLayout layout;
  MemoryReport memory;
  /// The module fitBudget chose, planned (CPUCodegenOptions::Stage).
  OwningOpRef<ModuleOp> planned;
  /// The machine the library runs on: for an AMD GPU, the host.
  TargetSpec target;
  /// The AMD GPU the library launches kernels on, if any.
  std::optional<TargetSpec> gpu;
  std::string manifest;
  /// The step averages its gradients over processes (--data-parallel): the
  /// library and its header have NAME_set_communicator.
  bool hasCommunicator = false;
  /// The state file's tensors and metadata (computeState), and the values
  /// computed for it, alive until it is written.
  struct {
    std::vector<rt::TensorRef> tensors;
    std::map<std::string, std::string> metadata;
    std::vector<char> zeros;
    llvm::StringMap<QuantizedWeight> quantized;
    std::deque<std::vector<float>> drawn;
  } state;
  /// --mlir-timing: every phase, with the MLIR passes nested under theirs.
  DefaultTimingManager timing;
  TimingScope rootTimer;
};

LogicalResult Compilation::computeState(const ImportedModel &model) {
  // State starts from the model's values (initializers, or what its
  // initialization graph computed); Quern's optimizer state and the step
  // counter, which the model does not give, from zeros.
  llvm::StringMap<ArrayRef<char>> initial;
  for (const ParameterValue &value : model.parameters)
    initial[value.name] = value.bytes;
  uint64_t largest = 0;
  for (const StateTensor &tensor : layout.state)
    largest = std::max(largest, tensor.wholeBytes());
  state.zeros.assign(largest, 0);
  state.metadata = {{"format", "quern-state"}, {"model", name}};
  for (const StateTensor &tensor : layout.state) {
    ArrayRef<char> bytes = initial.lookup(tensor.name);
    if (const std::optional<QuantizedPartInfo> &part = tensor.quantized) {
      FailureOr<ArrayRef<char>> partBytes =
          quantizedPart(*part, initial.lookup(part->of));
      if (failed(partBytes))
        return failure();
      bytes = *partBytes;
      std::string record;
      llvm::raw_string_ostream os(record);
      os << llvm::json::Value(quantizationJson(*part));
      state.metadata["quantization." + tensor.name] = record;
    }
    if (tensor.uniformBound) {
      const std::vector<float> &values =
          state.drawn.emplace_back(drawUniform(tensor, *tensor.uniformBound));
      bytes = ArrayRef<char>(reinterpret_cast<const char *>(values.data()),
                             tensor.bytes);
    }
    const void *data = bytes.empty() ? state.zeros.data() : bytes.data();
    state.tensors.push_back(
        {tensor.name, tensor.dtype, tensor.shape, data, tensor.wholeBytes()});
  }
  return success();
}

LogicalResult Compilation::writeState() {
  std::string error;
  if (!rt::writeSafeTensors(outputs.add("safetensors"), state.tensors,
                            state.metadata, error))
    return fail(error);
  return success();
}

FailureOr<ArrayRef<char>>
Compilation::quantizedPart(const QuantizedPartInfo &part,
                           ArrayRef<char> weightBytes) {
  auto found = state.quantized.find(part.of);
  if (found == state.quantized.end()) {
    QuantSpec spec{*parseQuantScheme(part.scheme), part.block,
                   part.doubleQuant};
    ArrayRef<float> values(reinterpret_cast<const float *>(weightBytes.data()),
                           weightBytes.size() / sizeof(float));
    assert(static_cast<int64_t>(values.size()) ==
               std::accumulate(part.shape.begin(), part.shape.end(), int64_t(1),
                               std::multiplies<int64_t>()) &&
           "quern-quantize quantizes parameters the model gives");
    std::string error;
    std::optional<QuantizedWeight> weight = quantizeWeight(spec, values, error);
    if (!weight)
      return fail("--quantize-frozen: '" + part.of + "': " + error);
    found = state.quantized.try_emplace(part.of, std::move(*weight)).first;
  }
  return found->second.bytes(*parseQuantPart(part.part));
}

std::vector<float> Compilation::drawUniform(const StateTensor &tensor,
                                            double bound) const {
  // One stream per tensor, from its name: adding an adapter elsewhere does
  // not change this one's values.
  rt::Random random =
      rt::Random::derive(options.seed, llvm::xxh3_64bits(tensor.name), 0);
  std::vector<float> values(tensor.bytes / sizeof(float));
  for (float &value : values)
    value = static_cast<float>((2 * random.unit() - 1) * bound);
  return values;
}

LogicalResult Compilation::checkROCm() {
  for (StringRef part : {"amdgcn/bitcode/ocml.bc", "llvm/bin/ld.lld"}) {
    llvm::SmallString<256> path(options.rocmPath);
    llvm::sys::path::append(path, part);
    if (!llvm::sys::fs::exists(path))
      return fail("--rocm-path: '" + options.rocmPath + "' has no " + part +
                  " (the default is made of Debian's rocm-device-libs and "
                  "lld-19)");
  }
  return success();
}

std::unique_ptr<llvm::TargetMachine> Compilation::createMachine() {
  std::string error;
  std::unique_ptr<llvm::TargetMachine> machine =
      createTargetMachine(target, options.optLevel, error);
  if (!machine)
    (void)fail("--target: " + error);
  return machine;
}

CPUCodegenOptions
Compilation::codegenOptions(const llvm::TargetMachine &machine) const {
  CPUCodegenOptions codegen;
  codegen.cpu = describeCPU(machine);
  if (gpu)
    codegen = gpuHostOptions(codegen);
  codegen.bf16Matmuls = options.precision == Precision::BF16;
  if (target.threads == ThreadRuntime::None)
    codegen.minParallelWork = 0;
  codegen.recomputeCheap = !options.train || options.train->recompute.mode !=
                                                 RecomputeOptions::Mode::None;
  codegen.fuseGroupedEpilogues = options.fuseGroupedEpilogues;
  return codegen;
}

LogicalResult Compilation::fitBudget(ModuleOp module) {
  std::unique_ptr<llvm::TargetMachine> machine = createMachine();
  if (!machine)
    return failure();
  TimingScope timer = rootTimer.nest("Fit the activation budget");
  FailureOr<BudgetFit> fit =
      fitActivationBudget(module, options.train->recompute,
                          codegenOptions(*machine), flagLoc, planned, timer);
  if (failed(fit))
    return failure();
  memory.budget = *fit;
  return success();
}

LogicalResult Compilation::generateCode(ModuleOp module) {
  std::unique_ptr<llvm::TargetMachine> machine = createMachine();
  if (!machine)
    return failure();

  PassManager pm(&context);
  (void)applyPassManagerCLOptions(pm);
  TimingScope codegenTimer = rootTimer.nest("MLIR code generation");
  pm.enableTiming(codegenTimer);
  CPUCodegenOptions codegen = codegenOptions(*machine);
  AMDGPUCodegenOptions gpuCodegen;
  if (gpu) {
    gpuCodegen.device = describeGPU(*gpu);
    gpuCodegen.onHost = options.gpuOnHost;
    gpuCodegen.reversed = options.gpuThreadsReversed;
    gpuCodegen.rocmPath = options.rocmPath;
  }
  if (planned) {
    // The quern-level module is done with: the planned one replaces it.
    codegen.stage = CPUCodegenOptions::Stage::FromPlanned;
    module->setAttrs(planned.get()->getAttrDictionary());
    module.getBodyRegion().takeBody(planned->getBodyRegion());
    planned = nullptr;
  }
  if (gpu) {
    gpuCodegen.host = codegen;
    buildAMDGPUCodegenPipeline(pm, gpuCodegen);
  } else {
    buildCPUCodegenPipeline(pm, codegen);
  }
  if (failed(pm.run(module)))
    return failure();
  codegenTimer.stop();
  // The kernels' code object, for inspection beside the library that
  // embeds it.
  StringRef codeObject = codeObjectOf(module);

  // One workspace serves every entry point.
  uint64_t workspaceBytes = 0;
  for (const EntryPointLayout &entry : layout.entryPoints) {
    auto lowered = module.lookupSymbol<LLVM::LLVMFuncOp>(entry.name);
    assert(lowered && "the CPU pipeline lowers entry points to LLVM");
    workspaceBytes = std::max<uint64_t>(
        workspaceBytes,
        lowered->getAttrOfType<IntegerAttr>(kWorkspaceBytesAttrName).getInt());
  }

  TimingScope translateTimer = rootTimer.nest("Translate to LLVM IR");
  llvm::LLVMContext llvmContext;
  std::unique_ptr<llvm::Module> llvmModule =
      translateModuleToLLVMIR(module, llvmContext, name);
  translateTimer.stop();
  if (!llvmModule)
    return fail("translation to LLVM IR failed");
  std::vector<KernelInfo> kernels = collectKernels(module, layout, codegen.cpu);
  if (options.printKernelReport)
    printKernelReport(llvm::outs(), kernels);
  memory.workspaceBytes = workspaceBytes;
  memory.keptBytes = readKeptBytes(module);
  memory.peak = readPeak(module);
  if (options.printMemoryReport)
    printMemoryReport(llvm::outs(), memory);
  manifest =
      buildManifest(name, layout, target,
                    gpu ? llvm::json::Value(gpuJson(*gpu, options.gpuOnHost))
                        : llvm::json::Value(nullptr),
                    workspaceBytes, optimizerJson(), kernelsJson(kernels),
                    memoryJson(memory), expertBlocksJson(module));
  llvm::Triple triple(target.triple);
  addEntryPoints(*llvmModule, name, layout, workspaceBytes, manifest);
  addKernelProfile(*llvmModule, name, kernels, triple);
  hasCommunicator = addCommunicator(*llvmModule, name);
  bool usesOpenMP = llvmModule->getFunction("__kmpc_fork_call") != nullptr;
  if (usesOpenMP)
    addThreadControl(*llvmModule);
  if (usesOpenMP && target.threads == ThreadRuntime::Dispatch) {
    std::string error;
    if (!lowerOpenMPToDispatch(*llvmModule, triple, error))
      return fail("--thread-runtime=dispatch: " + error);
    usesOpenMP = false;
  }

  llvmModule->setTargetTriple(target.triple);
  llvmModule->setDataLayout(machine->createDataLayout());
  std::string error;
  if (!codeObject.empty() && !addHIPGlue(*llvmModule, name, layout, error))
    return fail(error);
  {
    TimingScope optimizeTimer = rootTimer.nest("LLVM optimization");
    optimizeModule(*llvmModule, *machine, options.optLevel);
  }
  TimingScope emitTimer = rootTimer.nest("Emit (LLVM code generation, link)");

  // The kernels' code object, for inspection, beside what links it.
  if (emitsLinkable() && !codeObject.empty() &&
      !outputs.write("hsaco", codeObject, error))
    return fail(error);
  bool written = false;
  switch (options.emit) {
  case EmitKind::LLVM: {
    std::string text;
    llvm::raw_string_ostream os(text);
    llvmModule->print(os, nullptr);
    written = outputs.write("ll", text, error);
    break;
  }
  case EmitKind::Assembly:
    written =
        emitCode(*llvmModule, *machine, llvm::CodeGenFileType::AssemblyFile,
                 outputs.add("s"), error);
    break;
  case EmitKind::Object:
    written = emitCode(*llvmModule, *machine, llvm::CodeGenFileType::ObjectFile,
                       outputs.add("o"), error);
    break;
  case EmitKind::Shared: {
    // The object is only the linker's input.
    llvm::SmallString<128> object;
    if (std::error_code code =
            llvm::sys::fs::createTemporaryFile("quern", "o", object))
      return fail("cannot create a temporary file: " + code.message());
    llvm::FileRemover removeObject(object);
    written = emitCode(*llvmModule, *machine, llvm::CodeGenFileType::ObjectFile,
                       object, error) &&
              linkSharedLibrary(
                  object, outputs.add(triple.isOSDarwin() ? "dylib" : "so"),
                  name, target, usesOpenMP, error);
    break;
  }
  case EmitKind::MLIR:
    llvm_unreachable("MLIR output is written before code generation");
  }
  return written ? success() : fail(error);
}

LogicalResult Compilation::run() {
  if (!isCIdentifier(name))
    return fail("-o: the output name '" + name +
                "' must be a C identifier: it prefixes the entry points");
  TimingScope importTimer = rootTimer.nest("Import ONNX");
  FailureOr<ImportedModel> model =
      importOnnxFile(options.inputPath, context, options.import);
  importTimer.stop();
  if (failed(model))
    return failure();
  // A TrainingInfoProto gives @train_step with the model; it is compiled
  // only for --train, and Quern's own training flags do not apply to it.
  auto givenStep = model->module->lookupSymbol<func::FuncOp>("train_step");
  fromTrainingInfo = static_cast<bool>(givenStep);
  if (givenStep && !options.train) {
    givenStep.erase();
  } else if (givenStep) {
    if (!options.train->givenFlags.empty())
      return fail(options.train->givenFlags.front() +
                  ": the model's TrainingInfoProto defines its training "
                  "step (loss, gradients, optimizer); Quern's training "
                  "flags do not apply to it");
  } else if (options.train ? failed(buildTrainStep(*model->module))
                           : failed(runGraphPasses(*model->module))) {
    return failure();
  }
  FailureOr<ModelLayout> computed = computeLayout(*model->module);
  if (failed(computed))
    return failure();
  layout = std::move(*computed);
  target = resolveTarget(options.target);

  // Before anything is written: LLVM aborts on an unknown CPU. The host's
  // own features are LLVM's; only the user's are checked.
  std::string error;
  TargetSpec given = target;
  given.features = options.target.features;
  if (!checkTarget(given, error))
    return fail(error);
  if (isAMDGPU(target)) {
    if (target.threads != ThreadRuntime::None)
      return fail("--thread-runtime: a library for an AMD GPU runs its "
                  "kernels on the GPU's threads");
    if (options.train && options.train->passes.step.dataParallel)
      return fail("--data-parallel: not for an AMD GPU yet (its "
                  "communicator is the host's)");
    if (options.printKernelReport)
      return fail("--print-kernel-report: reports the CPU's kernels; an AMD "
                  "GPU's are in NAME.hsaco (llvm-readelf --notes)");
    // The library runs on the host, one thread of it.
    gpu = target;
    target = resolveTarget({"", "", "", "", ThreadRuntime::None});
    if (!options.gpuOnHost && failed(checkROCm()))
      return failure();
  } else if (options.gpuOnHost) {
    return fail("--gpu-on-host: only for --target=amdgcn-amd-amdhsa");
  }
  if (options.gpuThreadsReversed && !options.gpuOnHost)
    return fail("--gpu-threads-reversed: only with --gpu-on-host");
  if (options.train &&
      options.train->recompute.mode == RecomputeOptions::Mode::Budget &&
      failed(fitBudget(*model->module)))
    return failure();
  memory.keptValues = readKeptValues(*model->module);
  memory.recompute = readRecompute(*model->module);
  bool linkable = emitsLinkable();
  if (linkable) {
    TimingScope stateTimer = rootTimer.nest("Initial state (quantized weights, "
                                            "adapters)");
    if (failed(computeState(*model)))
      return failure();
  }
  if (!outputs.prepare(error))
    return fail(error);
  if (options.emit == EmitKind::MLIR) {
    planned = nullptr;
    std::string text;
    llvm::raw_string_ostream os(text);
    model->module->print(os);
    os << "\n";
    if (!outputs.write("mlir", text, error))
      return fail(error);
  } else if (failed(generateCode(*model->module))) {
    return failure();
  }
  if (linkable) {
    std::string sourceName = llvm::sys::path::filename(options.inputPath).str();
    if (!outputs.write("h",
                       buildHeader(name, layout, sourceName, hasCommunicator,
                                   gpu && !options.gpuOnHost),
                       error) ||
        !outputs.write("json", manifest, error))
      return fail(error);
    TimingScope writeTimer = rootTimer.nest("Write the state");
    if (failed(writeState()))
      return failure();
  }
  if (!outputs.commit(error))
    return fail(error);
  return success();
}

/// Builds @train_step with the training-step pipeline.
LogicalResult Compilation::buildTrainStep(ModuleOp module) {
  PassManager pm(&context);
  TimingScope timer = rootTimer.nest("Build the training step");
  pm.enableTiming(timer);
  TrainStepOptions passes = options.train->passes;
  passes.graph = options.graph;
  buildTrainStepPipeline(pm, passes);
  return pm.run(module);
}

LogicalResult Compilation::runGraphPasses(ModuleOp module) {
  PassManager pm(&context);
  TimingScope timer = rootTimer.nest("Graph passes");
  pm.enableTiming(timer);
  buildGraphPipeline(pm, options.graph);
  return pm.run(module);
}

llvm::json::Value Compilation::optimizerJson() const {
  if (!options.train)
    return nullptr;
  if (fromTrainingInfo)
    return llvm::json::Object{{"name", "onnx-training-info"},
                              {"hyperparameters", llvm::json::Object{}}};
  const MakeTrainStepPassOptions &step = options.train->passes.step;
  const Optimizer *optimizer = findOptimizer(step.optimizer);
  assert(optimizer && "quernc accepts only the optimizers of the table");
  OptimizerSettings settings{step.momentum, step.beta1, step.beta2, step.eps,
                             step.weightDecay};
  llvm::json::Object hyper;
  for (auto [name, value] : resolvedHyperparameters(*optimizer, settings))
    hyper[name] = value;
  if (step.clipGradNorm > 0)
    hyper["clip_grad_norm"] = step.clipGradNorm;
  if (step.accumulate > 1)
    hyper["accumulate"] = step.accumulate;
  if (step.dataParallel)
    hyper["data_parallel_bucket_bytes"] = step.bucketBytes;
  if (step.shardOptimizer > 0)
    hyper["shard_optimizer"] = step.shardOptimizer;
  if (!step.gradientSuffix.empty())
    hyper["gradient_suffix"] = step.gradientSuffix;
  return llvm::json::Object{{"name", step.optimizer},
                            {"hyperparameters", std::move(hyper)}};
}

} // namespace

LogicalResult quern::compileModel(MLIRContext &context,
                                  const CompileOptions &options) {
  return Compilation(context, options).run();
}
