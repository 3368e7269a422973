//===- Passes.h - Quern CPU codegen passes and pipeline ---------*- C++ -*-===//

#ifndef QUERN_CODEGEN_CPU_PASSES_H
#define QUERN_CODEGEN_CPU_PASSES_H

#include "quern/Codegen/CPU/TargetDescription.h"

#include "dialects/quern/QuernAttributes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/CommandLine.h"

namespace quern {

/// The values of the `bf16-dot` options, as they are spelled.
inline llvm::cl::ValuesClass bf16DotOptionValues() {
  return llvm::cl::values(
      clEnumValN(BF16Dot::None, "none", "none: FMAs"),
      clEnumValN(BF16Dot::AVX512, "avx512", "AVX-512 BF16's vdpbf16ps"),
      clEnumValN(BF16Dot::NEON, "neon", "Armv8.6 BFDOT on NEON registers"));
}

#define GEN_PASS_DECL
#include "quern/Codegen/CPU/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "quern/Codegen/CPU/Passes.h.inc"

struct CPUCodegenOptions {
  /// Lower memrefs to bare pointers at function boundaries: the entry-point
  /// wrappers pass plain pointers into the state, inputs and outputs.
  bool barePointerCalls = true;
  /// The CPU tile sizes and vector widths are chosen for.
  CPUDescription cpu;
  /// Work (multiply-adds; an element of an elementwise op or a reduction
  /// counts as several) from which an op runs on several threads; 0:
  /// single-threaded code (for targets without an OpenMP runtime at hand).
  int64_t minParallelWork = kDefaultMinParallelWork;
  /// Matmuls read their operands rounded to bf16 and sum in f32.
  bool bf16Matmuls = false;
  /// Elementwise fusion may recompute cheap producers in the backward pass
  /// instead of keeping their results (quern-fuse-elementwise's recompute).
  bool recomputeCheap = true;
  /// The elementwise ops after grouped products are computed tile by tile
  /// with them (quern-fuse-grouped-epilogues).
  bool fuseGroupedEpilogues = true;
  /// Products' right operands are packed in the register tile's panels
  /// (quern-pack-panels); a GPU's products read them in place.
  bool packPanels = true;
  /// Which part of the pipeline runs: all of it; up to the workspace plan
  /// (quern.workspace_bytes on each function), what quernc checks a
  /// recomputation budget against; or the rest, on a module so planned.
  enum class Stage { All, UntilPlanned, FromPlanned };
  Stage stage = Stage::All;
};

/// quern (tensors) → linalg → buffers with a planned workspace → LLVM
/// dialect. Functions end with signature (inputs..., params..., outputs...,
/// workspace) and no results.
void buildCPUCodegenPipeline(mlir::OpPassManager &pm,
                             const CPUCodegenOptions &options);

/// The pipeline's end: loops, vectors and the planned buffers' views to the
/// LLVM dialect, with `beforeReconcile` (say, launches of GPU kernels to
/// runtime calls) just before the last casts are reconciled.
void buildCPULoweringToLLVM(
    mlir::OpPassManager &pm, const CPUCodegenOptions &options,
    llvm::function_ref<void(mlir::OpPassManager &)> beforeReconcile = {});

/// Registers `quern-cpu-codegen` so quern-opt runs what quernc runs.
void registerCPUCodegenPipeline();

/// Attaches BufferizableOpInterface to quern.recompute_input: its result is
/// its input's buffer.
void registerRecomputeInputBufferization(mlir::DialectRegistry &registry);

/// Attaches BufferizableOpInterface to quern.collective_start and
/// quern.collective_wait: calls of the host's communicator on their
/// bucket's buffer, in place (Collective.cpp).
void registerCollectiveBufferization(mlir::DialectRegistry &registry);

} // namespace quern

#endif // QUERN_CODEGEN_CPU_PASSES_H
