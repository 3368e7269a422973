//===- Passes.h - Quern AMD GPU codegen passes ------------------*- C++ -*-===//
//
// The AMD GPU back end: a planned step (the CPU pipeline's first stage: the
// same linalg ops, fused the same way, in one workspace) has its loop nests
// mapped to workgroups and threads, then either goes through ROCDL to a code
// object embedded in the host library, or, to test the mapping without a
// GPU, is lowered for the host CPU with each workgroup and thread loop a
// plain loop.
//
//===----------------------------------------------------------------------===//

#ifndef QUERN_CODEGEN_AMDGPU_PASSES_H
#define QUERN_CODEGEN_AMDGPU_PASSES_H

#include "quern/Codegen/AMDGPU/TargetDescription.h"
#include "quern/Codegen/CPU/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassManager.h"

namespace quern {

#define GEN_PASS_DECL
#include "quern/Codegen/AMDGPU/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "quern/Codegen/AMDGPU/Passes.h.inc"

struct AMDGPUCodegenOptions {
  /// The first stage (up to the workspace plan) is the CPU pipeline's;
  /// `host` also lowers the host code (the entry points, the launches).
  CPUCodegenOptions host;
  AMDGPUDescription device;
  /// Lower the GPU-mapped code for the host CPU instead of the GPU...
  bool onHost = false;
  /// ... running the last workgroup and thread first.
  bool reversed = false;
  /// A ROCm installation, or a folder that looks like one: the device
  /// libraries in amdgcn/bitcode, the linker at llvm/bin/ld.lld.
  std::string rocmPath;
};

/// The host code's options of a library for a GPU, from the CPU's: the
/// threads are the GPU's, and products read their operands in place.
inline CPUCodegenOptions gpuHostOptions(CPUCodegenOptions options) {
  options.minParallelWork = 0;
  options.packPanels = false;
  return options;
}

/// The AMD GPU pipeline, on `options.host` (gpuHostOptions) with its stage:
/// the CPU pipeline's first stage, then the GPU's.
void buildAMDGPUCodegenPipeline(mlir::OpPassManager &pm,
                                const AMDGPUCodegenOptions &options);

void registerAMDGPUCodegenPipeline();

} // namespace quern

#endif // QUERN_CODEGEN_AMDGPU_PASSES_H
