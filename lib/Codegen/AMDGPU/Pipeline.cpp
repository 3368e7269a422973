//===- Pipeline.cpp - the AMD GPU codegen pipeline --------------*- C++ -*-===//
//
// The planned step's linalg ops become parallel loops, each a launch of
// one thread per iteration (quern-map-to-gpu). For the GPU, the launches are
// outlined into one module of kernels, lowered through ROCDL and linked with
// the device libraries into a code object that the host module embeds; the
// host code calls the GPU runtime (mgpu*) to load it and launch. For the
// host CPU, the launches become loops.
//
//===----------------------------------------------------------------------===//

#include "quern/Codegen/AMDGPU/Passes.h"

#include "mlir/Conversion/AffineToStandard/AffineToStandard.h"
#include "mlir/Conversion/GPUCommon/GPUCommonPass.h"
#include "mlir/Conversion/GPUToROCDL/GPUToROCDLPass.h"
#include "mlir/Conversion/Passes.h"
#include "mlir/Conversion/ReconcileUnrealizedCasts/ReconcileUnrealizedCasts.h"
#include "mlir/Conversion/SCFToControlFlow/SCFToControlFlow.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/GPU/Transforms/Passes.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/Support/CommandLine.h"

using namespace mlir;
using namespace quern;

/// The GPU module: kernels → ROCDL → a code object for the chip.
static void buildDeviceCode(OpPassManager &pm,
                            const AMDGPUCodegenOptions &options) {
  pm.addPass(createGpuKernelOutliningPass());
  pm.addPass(createMergeGPUModulesPass());
  GpuROCDLAttachTargetOptions target;
  target.chip = options.device.chip;
  target.features = options.device.features;
  target.optLevel = 3;
  target.wave64Flag = options.device.wavefrontSize == 64;
  // Code object version 4, what Debian's HIP (ROCm 5.2) loads: the
  // device libraries' ABI here, the object's from LLVM's AMDGPU option
  // (MLIR 19 sets no module flag for it).
  target.abiVersion = "400";
  if (llvm::cl::Option *version =
          llvm::cl::getRegisteredOptions().lookup("amdhsa-code-object-version"))
    (void)version->addOccurrence(0, version->ArgStr, "4");
  pm.addPass(createGpuROCDLAttachTarget(target));
  OpPassManager &kernels = pm.nest<gpu::GPUModuleOp>();
  kernels.addPass(memref::createExpandStridedMetadataPass());
  kernels.addPass(createLowerAffinePass());
  kernels.addPass(createConvertSCFToCFPass());
  kernels.addPass(createLowerGpuOpsToROCDLOpsPass(
      options.device.chip, /*indexBitwidth=*/64, /*useBarePtrCallConv=*/false,
      gpu::amd::Runtime::HIP));
  kernels.addPass(createReconcileUnrealizedCastsPass());
  GpuModuleToBinaryPassOptions binary;
  binary.toolkitPath = options.rocmPath;
  binary.compilationTarget = "bin";
  pm.addPass(createGpuModuleToBinaryPass(binary));
}

void quern::buildAMDGPUCodegenPipeline(OpPassManager &pm,
                                       const AMDGPUCodegenOptions &options) {
  const CPUCodegenOptions &host = options.host;
  if (host.stage != CPUCodegenOptions::Stage::FromPlanned) {
    CPUCodegenOptions planning = host;
    planning.stage = CPUCodegenOptions::Stage::UntilPlanned;
    buildCPUCodegenPipeline(pm, planning);
  }
  if (host.stage == CPUCodegenOptions::Stage::UntilPlanned)
    return;

  pm.addNestedPass<func::FuncOp>(createFlattenEmptyArgumentsPass());
  pm.addNestedPass<func::FuncOp>(createPutParallelDimsFirstPass());
  pm.addNestedPass<func::FuncOp>(createConvertLinalgToParallelLoopsPass());
  pm.addPass(createCanonicalizerPass());
  pm.addNestedPass<func::FuncOp>(
      createMapToGPUPass({options.device.workgroupSize}));
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  if (options.onHost) {
    pm.addNestedPass<func::FuncOp>(
        createLowerLaunchesToLoopsPass({options.reversed}));
    buildCPULoweringToLLVM(pm, host);
    return;
  }
  buildDeviceCode(pm, options);
  buildCPULoweringToLLVM(pm, host, [](OpPassManager &pm) {
    pm.addPass(createGpuToLLVMConversionPass());
  });
}

namespace {
struct PipelineOptions : PassPipelineOptions<PipelineOptions> {
  Option<std::string> chip{*this, "chip", llvm::cl::desc("The GPU's chip"),
                           llvm::cl::init(AMDGPUDescription().chip)};
  Option<int64_t> wavefrontSize{
      *this, "wavefront-size", llvm::cl::desc("Threads of a wavefront"),
      llvm::cl::init(AMDGPUDescription().wavefrontSize)};
  Option<int64_t> workgroupSize{
      *this, "workgroup-size", llvm::cl::desc("Threads of a workgroup"),
      llvm::cl::init(AMDGPUDescription().workgroupSize)};
  Option<bool> onHost{*this, "on-host",
                      llvm::cl::desc("Lower the GPU-mapped code for the host "
                                     "CPU, workgroups and threads as loops"),
                      llvm::cl::init(false)};
  Option<bool> reversed{
      *this, "reversed",
      llvm::cl::desc("With on-host: the last workgroup and thread first"),
      llvm::cl::init(false)};
  Option<std::string> rocmPath{
      *this, "rocm-path",
      llvm::cl::desc("ROCm: device libraries and the linker")};
  Option<bool> bf16Matmuls{
      *this, "bf16-matmuls",
      llvm::cl::desc("Matmul operands rounded to bf16, sums in f32"),
      llvm::cl::init(false)};
};
} // namespace

void quern::registerAMDGPUCodegenPipeline() {
  PassPipelineRegistration<PipelineOptions>(
      "quern-amdgpu-codegen",
      "Lower quern to a host module (LLVM dialect) that launches kernels of "
      "an embedded AMD GPU code object, as quernc does",
      [](OpPassManager &pm, const PipelineOptions &pipeline) {
        AMDGPUCodegenOptions options;
        options.device.chip = pipeline.chip;
        options.device.wavefrontSize = pipeline.wavefrontSize;
        options.device.workgroupSize = pipeline.workgroupSize;
        options.onHost = pipeline.onHost;
        options.reversed = pipeline.reversed;
        options.rocmPath = pipeline.rocmPath;
        options.host.bf16Matmuls = pipeline.bf16Matmuls;
        options.host = gpuHostOptions(options.host);
        buildAMDGPUCodegenPipeline(pm, options);
      });
}
