//===- Target.cpp - target machines and LLVM's pipelines --------*- C++ -*-===//

#include "quern/Target/Target.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/TargetParser/Host.h"

using namespace llvm;

static void initializeTargets() {
  static bool initialized = [] {
    InitializeAllTargetInfos();
    InitializeAllTargets();
    InitializeAllTargetMCs();
    InitializeAllAsmPrinters();
    return true;
  }();
  (void)initialized;
}

std::string quern::multiarchName(const Triple &triple) {
  return (triple.getArchName() + "-linux-" + triple.getEnvironmentName()).str();
}

quern::TargetSpec quern::resolveTarget(const TargetSpec &spec) {
  TargetSpec resolved = spec;
  std::string host = sys::getProcessTriple();
  if (resolved.triple.empty())
    resolved.triple = host;
  resolved.triple = Triple::normalize(resolved.triple);
  Triple triple(resolved.triple);
  bool isHost = triple == Triple(Triple::normalize(host));
  // macOS: the deployment version is the triple's (13.0 if it has none),
  // on Apple silicon from the first, the M1.
  if (triple.isMacOSX() && triple.getOSVersion().empty()) {
    triple.setOSName("macosx13.0");
    resolved.triple = triple.str();
  }
  if (resolved.cpu.empty() || resolved.cpu == "native")
    resolved.cpu = isHost ? sys::getHostCPUName().str()
                   : triple.isMacOSX() && triple.isAArch64() ? "apple-m1"
                   : triple.isAMDGCN() ? AMDGPUDescription().chip
                                       : "generic";
  if (triple.isAMDGCN() && resolved.threads == ThreadRuntime::Default)
    resolved.threads = ThreadRuntime::None;
  if (resolved.sysroot.empty() && triple.isOSLinux() &&
      triple.getArch() != Triple(host).getArch())
    resolved.sysroot = "/usr/" + multiarchName(triple);
  // LLVM's generic RISC-V CPU has none of the extensions that Linux
  // requires (a multiply would be a libgcc call, a float one soft-float).
  if (triple.isRISCV() && triple.isOSLinux())
    resolved.features =
        "+m,+a,+f,+d,+c" +
        (resolved.features.empty() ? std::string() : "," + resolved.features);
  if (resolved.features.empty() && isHost && spec.cpu.empty()) {
    // The host CPU's own features, which its name alone may not imply
    // (virtual machines mask some).
    std::vector<std::string> list;
    for (const auto &feature : sys::getHostCPUFeatures())
      list.push_back((feature.getValue() ? "+" : "-") + feature.getKey().str());
    llvm::sort(list);
    resolved.features = llvm::join(list, ",");
  }
  if (resolved.threads == ThreadRuntime::Default)
    resolved.threads = triple.isOSDarwin() ? ThreadRuntime::Dispatch
                       : openMPRuntime(resolved).empty()
                           ? ThreadRuntime::None
                           : ThreadRuntime::OpenMP;
  return resolved;
}

bool quern::isAMDGPU(const TargetSpec &spec) {
  return Triple(spec.triple).isAMDGCN();
}

quern::AMDGPUDescription quern::describeGPU(const TargetSpec &spec) {
  AMDGPUDescription gpu;
  gpu.chip = spec.cpu;
  gpu.features = spec.features;
  // RDNA (gfx10 and later) runs wavefronts of 32 by default, CDNA and
  // the GCN chips before it of 64; -mattr=+wavefrontsize32 or 64 says
  // otherwise.
  StringRef version = StringRef(spec.cpu).drop_front(3);
  gpu.wavefrontSize = version.size() >= 4 && version >= "1000" ? 32 : 64;
  SmallVector<StringRef> features;
  StringRef(spec.features).split(features, ',', -1, /*KeepEmpty=*/false);
  for (StringRef feature : features)
    if (feature == "+wavefrontsize32" || feature == "+wavefrontsize64")
      gpu.wavefrontSize = feature == "+wavefrontsize32" ? 32 : 64;
  return gpu;
}

StringRef quern::threadRuntimeName(ThreadRuntime runtime) {
  switch (runtime) {
  case ThreadRuntime::Default:
    return "default";
  case ThreadRuntime::OpenMP:
    return "openmp";
  case ThreadRuntime::Dispatch:
    return "dispatch";
  case ThreadRuntime::None:
    return "none";
  }
  llvm_unreachable("a thread runtime");
}

/// The subtarget of `spec`'s triple for the generic CPU: what it knows of
/// CPUs and features (asked without a CPU, so LLVM prints no warning).
static std::unique_ptr<MCSubtargetInfo>
genericSubtarget(const quern::TargetSpec &spec, std::string &error) {
  initializeTargets();
  const Target *target = TargetRegistry::lookupTarget(spec.triple, error);
  if (!target) {
    error = "--target: " + error;
    return nullptr;
  }
  return std::unique_ptr<MCSubtargetInfo>(
      target->createMCSubtargetInfo(spec.triple, "", ""));
}

bool quern::checkTarget(const TargetSpec &spec, std::string &error) {
  std::unique_ptr<MCSubtargetInfo> subtarget = genericSubtarget(spec, error);
  if (!subtarget)
    return false;
  if (!subtarget->isCPUStringValid(spec.cpu)) {
    error = "-mcpu: '" + spec.cpu + "' is not a CPU of " + spec.triple +
            " (-mcpu=help lists them)";
    return false;
  }
  SmallVector<StringRef> features;
  StringRef(spec.features).split(features, ',', -1, /*KeepEmpty=*/false);
  for (StringRef feature : features) {
    StringRef name = feature.drop_front(feature.starts_with("+") ||
                                        feature.starts_with("-"));
    bool known = llvm::any_of(
        subtarget->getAllProcessorFeatures(),
        [&](const SubtargetFeatureKV &kv) { return name == kv.Key; });
    if (!known || (feature.front() != '+' && feature.front() != '-')) {
      error = "-mattr: '" + feature.str() + "' is not a feature of " +
              spec.triple +
              " (a list of +name or -name; -mattr=help lists the names)";
      return false;
    }
  }
  Triple triple(spec.triple);
  if (triple.isOSDarwin() && !triple.isMacOSX()) {
    error = "--target: " + spec.triple +
            ": of Apple's systems only macOS is supported";
    return false;
  }
  if (spec.threads == ThreadRuntime::OpenMP && openMPRuntime(spec).empty()) {
    error = "--thread-runtime=openmp: there is no OpenMP runtime for " +
            spec.triple +
            (triple.isOSLinux()
                 ? " here (no libomp.so.5 in " + spec.sysroot + "/lib)"
                 : std::string());
    return false;
  }
  return true;
}

void quern::printTargetHelp(const TargetSpec &spec, bool features,
                            raw_ostream &os) {
  std::string error;
  std::unique_ptr<MCSubtargetInfo> subtarget = genericSubtarget(spec, error);
  if (!subtarget) {
    os << error << "\n";
    return;
  }
  if (features) {
    for (const SubtargetFeatureKV &kv : subtarget->getAllProcessorFeatures())
      os << kv.Key << "  " << kv.Desc << "\n";
    return;
  }
  for (const SubtargetSubTypeKV &kv : subtarget->getAllProcessorDescriptions())
    os << kv.Key << "\n";
}

std::unique_ptr<TargetMachine>
quern::createTargetMachine(const TargetSpec &spec, unsigned optLevel,
                           std::string &error) {
  initializeTargets();
  const Target *target = TargetRegistry::lookupTarget(spec.triple, error);
  if (!target)
    return nullptr;
  TargetOptions options;
  // Constructors (the thread-count setup) go where every current loader
  // runs them.
  options.UseInitArray = true;
  auto level = static_cast<CodeGenOptLevel>(std::min(optLevel, 3u));
  std::unique_ptr<TargetMachine> machine(
      target->createTargetMachine(spec.triple, spec.cpu, spec.features, options,
                                  Reloc::PIC_, std::nullopt, level));
  if (!machine)
    error = "cannot create a target machine for " + spec.triple;
  return machine;
}

quern::CPUDescription quern::describeCPU(const TargetMachine &machine) {
  const MCSubtargetInfo &subtarget = *machine.getMCSubtargetInfo();
  const Triple &triple = machine.getTargetTriple();
  quern::CPUDescription cpu;
  if (triple.isX86()) {
    if (subtarget.checkFeatures("+avx512f")) {
      cpu.vectorBits = 512;
      cpu.vectorRegisters = 32;
      if (subtarget.checkFeatures("+avx512bf16"))
        cpu.bf16Dot = quern::BF16Dot::AVX512;
    } else if (subtarget.checkFeatures("+avx")) {
      cpu.vectorBits = 256;
    }
  } else if (triple.isAArch64()) {
    // NEON: 32 registers of 128 bits (SVE's length is not known statically).
    cpu.vectorRegisters = 32;
    if (subtarget.checkFeatures("+bf16"))
      cpu.bf16Dot = quern::BF16Dot::NEON;
  } else if (triple.isRISCV() && subtarget.checkFeatures("+zve32f")) {
    // The vector extension: 32 registers of at least the minimum length
    // the CPU guarantees (Zvl*b; +v implies 128 bits). Fixed-length vectors
    // of that width are what LLVM lowers to them.
    cpu.vectorRegisters = 32;
    for (int64_t bits = 128; bits <= 65536; bits *= 2)
      if (subtarget.checkFeatures("+zvl" + std::to_string(bits) + "b"))
        cpu.vectorBits = bits;
  }
  return cpu;
}

void quern::optimizeModule(Module &module, TargetMachine &machine,
                           unsigned optLevel) {
  LoopAnalysisManager loops;
  FunctionAnalysisManager functions;
  CGSCCAnalysisManager cgsccs;
  ModuleAnalysisManager modules;
  PipelineTuningOptions tuning;
  tuning.LoopVectorization = optLevel >= 2;
  tuning.SLPVectorization = optLevel >= 2;
  // Every loop has a static trip count; LLVM's full unrolling of them made
  // compiling a small GPT's training step take minutes (and its library
  // ten times larger) for a fifth more speed. Tiling for the target is the
  // code generator's job, not the unroller's.
  tuning.LoopUnrolling = false;
  PassBuilder builder(&machine, tuning);
  builder.registerModuleAnalyses(modules);
  builder.registerCGSCCAnalyses(cgsccs);
  builder.registerFunctionAnalyses(functions);
  builder.registerLoopAnalyses(loops);
  builder.crossRegisterProxies(loops, functions, cgsccs, modules);
  OptimizationLevel level = optLevel == 0   ? OptimizationLevel::O0
                            : optLevel == 1 ? OptimizationLevel::O1
                            : optLevel == 2 ? OptimizationLevel::O2
                                            : OptimizationLevel::O3;
  ModulePassManager pipeline =
      optLevel == 0 ? builder.buildO0DefaultPipeline(level)
                    : builder.buildPerModuleDefaultPipeline(level);
  pipeline.run(module, modules);
}

bool quern::emitCode(Module &module, TargetMachine &machine,
                     CodeGenFileType type, StringRef path, std::string &error) {
  std::error_code code;
  raw_fd_ostream out(path, code, sys::fs::OF_None);
  if (code) {
    error = "cannot write " + path.str() + ": " + code.message();
    return false;
  }
  legacy::PassManager passes;
  if (machine.addPassesToEmitFile(passes, out, nullptr, type)) {
    error = "the target cannot emit this file type";
    return false;
  }
  passes.run(module);
  out.flush();
  if (out.has_error()) {
    error = "cannot write " + path.str();
    return false;
  }
  return true;
}

namespace {
/// A target Quern is tested for or tuned on: --print-targets lists each
/// with what its description turns on.
struct Preset {
  StringRef triple, cpu, features;
};
} // namespace

static constexpr Preset kPresets[] = {
    {"x86_64-linux-gnu", "x86-64-v3", ""},
    {"x86_64-linux-gnu", "skylake-avx512", ""},
    {"x86_64-linux-gnu", "sapphirerapids", ""},
    {"x86_64-linux-gnu", "znver4", ""},
    {"x86_64-linux-gnu", "znver5", ""},
    {"aarch64-linux-gnu", "neoverse-n1", ""},
    {"aarch64-linux-gnu", "neoverse-v1", ""},
    {"aarch64-linux-gnu", "neoverse-v2", ""},
    {"arm64-apple-macosx13.0", "apple-m1", ""},
    {"arm64-apple-macosx13.0", "apple-m2", ""},
    {"arm64-apple-macosx13.0", "apple-m3", ""},
    {"arm64-apple-macosx13.0", "apple-m4", ""},
    {"riscv64-linux-gnu", "generic", "+v"},
    {"riscv64-linux-gnu", "generic", "+v,+zvl256b"},
    {"amdgcn-amd-amdhsa", "gfx90a", ""},
    {"amdgcn-amd-amdhsa", "gfx942", ""},
    {"amdgcn-amd-amdhsa", "gfx1100", ""},
};

/// What code generation makes of `spec`: vectors, registers, the bf16
/// dot product and threads.
static std::string describePreset(const quern::TargetSpec &spec) {
  if (quern::isAMDGPU(spec)) {
    quern::AMDGPUDescription gpu = quern::describeGPU(spec);
    return "wavefronts of " + std::to_string(gpu.wavefrontSize) +
           ", workgroups of " + std::to_string(gpu.workgroupSize) +
           " threads, a host library that loads HIP";
  }
  std::string error;
  std::unique_ptr<TargetMachine> machine =
      quern::createTargetMachine(spec, 3, error);
  if (!machine)
    return error;
  quern::CPUDescription cpu = quern::describeCPU(*machine);
  std::string text = std::to_string(cpu.vectorBits) + "-bit vectors x " +
                     std::to_string(cpu.vectorRegisters);
  switch (cpu.bf16Dot) {
  case quern::BF16Dot::AVX512:
    text += ", bf16 dot (vdpbf16ps)";
    break;
  case quern::BF16Dot::NEON:
    text += ", bf16 dot (bfdot)";
    break;
  case quern::BF16Dot::None:
    break;
  }
  switch (spec.threads) {
  case quern::ThreadRuntime::OpenMP:
    return text + ", OpenMP threads (" + quern::openMPRuntime(spec) +
           "/libomp.so.5)";
  case quern::ThreadRuntime::Dispatch:
    return text + ", libdispatch threads";
  case quern::ThreadRuntime::None:
    break;
  case quern::ThreadRuntime::Default:
    llvm_unreachable("resolveTarget chooses the thread runtime");
  }
  if (Triple(spec.triple).isOSLinux())
    return text + ", one thread (no libomp.so.5 in " + spec.sysroot + "/lib)";
  return text + ", one thread";
}

void quern::printTargets(raw_ostream &os) {
  initializeTargets();
  os << "Presets (--target=TRIPLE -mcpu=CPU -mattr=FEATURES; any other CPU "
        "LLVM knows works the same way):\n";
  for (const Preset &preset : kPresets) {
    TargetSpec spec = resolveTarget({preset.triple.str(), preset.cpu.str(),
                                     preset.features.str(), /*sysroot=*/""});
    std::string flags = "--target=" + preset.triple.str();
    if (preset.cpu != "generic")
      flags += " -mcpu=" + preset.cpu.str();
    if (!preset.features.empty())
      flags += " -mattr=" + preset.features.str();
    os << "  " << left_justify(flags, 58) << describePreset(spec) << "\n";
  }
  os << "\n";
  TargetRegistry::printRegisteredTargetsForVersion(os);
  os << "  Host triple: " << sys::getProcessTriple() << "\n"
     << "  Host CPU:    " << sys::getHostCPUName() << "\n";
}
