//===- Pipeline.cpp - the CPU codegen pipeline ------------------*- C++ -*-===//
//
// The order matters in three places: elementwise fusion runs on tensors,
// before bufferization; out-params are made before the workspace is planned,
// so that results are written straight into the caller's buffers; and the
// workspace is planned before linalg becomes loops, while every buffer use is
// still an op of the entry block.
//
//===----------------------------------------------------------------------===//

#include "quern/Codegen/CPU/Passes.h"

#include "mlir/Conversion/AffineToStandard/AffineToStandard.h"
#include "mlir/Conversion/ArithToLLVM/ArithToLLVM.h"
#include "mlir/Conversion/ControlFlowToLLVM/ControlFlowToLLVM.h"
#include "mlir/Conversion/FuncToLLVM/ConvertFuncToLLVMPass.h"
#include "mlir/Conversion/IndexToLLVM/IndexToLLVM.h"
#include "mlir/Conversion/MathToLLVM/MathToLLVM.h"
#include "mlir/Conversion/MathToLibm/MathToLibm.h"
#include "mlir/Conversion/MemRefToLLVM/MemRefToLLVM.h"
#include "mlir/Conversion/OpenMPToLLVM/ConvertOpenMPToLLVM.h"
#include "mlir/Conversion/ReconcileUnrealizedCasts/ReconcileUnrealizedCasts.h"
#include "mlir/Conversion/SCFToControlFlow/SCFToControlFlow.h"
#include "mlir/Conversion/SCFToOpenMP/SCFToOpenMP.h"
#include "mlir/Conversion/VectorToLLVM/ConvertVectorToLLVMPass.h"
#include "mlir/Conversion/VectorToSCF/VectorToSCF.h"
#include "mlir/Dialect/Bufferization/Transforms/OneShotAnalysis.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Dialect/SCF/Transforms/Passes.h"
#include "mlir/Dialect/Vector/Transforms/Passes.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"
#include "quern/Conversion/QuernToLinalg.h"

using namespace mlir;
using namespace quern;

/// quern (tensors) → linalg → buffers with a planned workspace.
static void buildUntilPlanned(OpPassManager &pm,
                              const CPUCodegenOptions &options) {
  ConvertQuernToLinalgPassOptions toLinalg;
  toLinalg.bf16Matmuls = options.bf16Matmuls;
  toLinalg.bf16Pairs = options.cpu.bf16Dot != BF16Dot::None;
  if (options.fuseGroupedEpilogues)
    pm.addNestedPass<func::FuncOp>(createFuseGroupedEpiloguesPass());
  pm.addPass(createConvertQuernToLinalgPass(toLinalg));
  if (options.packPanels)
    pm.addNestedPass<func::FuncOp>(
        createPackPanelsPass({options.cpu.productTileColumns()}));
  pm.addNestedPass<func::FuncOp>(
      createFuseElementwisePass({options.recomputeCheap}));
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  pm.addNestedPass<func::FuncOp>(createByteBooleansPass());
  pm.addNestedPass<func::FuncOp>(createUnshareInitsPass());

  // Copies are linalg.copy, which becomes loops like every other linalg op,
  // rather than memref.copy, which needs MLIR's C runner library.
  auto linalgCopy = [](OpBuilder &b, Location loc, Value from, Value to) {
    b.create<linalg::CopyOp>(loc, from, to);
    return success();
  };
  bufferization::OneShotBufferizationOptions bufferization;
  bufferization.bufferizeFunctionBoundaries = true;
  bufferization.setFunctionBoundaryTypeConversion(
      bufferization::LayoutMapOption::IdentityLayoutMap);
  bufferization.memCpyFn = linalgCopy;
  pm.addNestedPass<func::FuncOp>(createReadOnlyArgumentsPass());
  pm.addPass(bufferization::createEmptyTensorEliminationPass());
  pm.addPass(bufferization::createOneShotBufferizePass(bufferization));
  pm.addPass(createOrderConstantsPass());
  // A parallel loop's insert of a tile it computed in place becomes a copy
  // of the tile onto itself, between two equal views: CSE makes them one,
  // and the canonicalizer drops the copy.
  pm.addPass(createCSEPass());
  pm.addPass(createCanonicalizerPass());
  pm.addNestedPass<func::FuncOp>(createWriteBackUpdatesPass());
  pm.addNestedPass<func::FuncOp>(createCopyReturnedArgumentsPass());
  bufferization::BufferResultsToOutParamsOpts outParams;
  outParams.hoistStaticAllocs = true;
  outParams.memCpyFn = linalgCopy;
  pm.addPass(bufferization::createBufferResultsToOutParamsPass(outParams));
  pm.addPass(createCanonicalizerPass());
  pm.addNestedPass<func::FuncOp>(createPlanWorkspacePass());
}

void quern::buildCPULoweringToLLVM(
    OpPassManager &pm, const CPUCodegenOptions &options,
    llvm::function_ref<void(OpPassManager &)> beforeReconcile) {
  pm.addNestedPass<func::FuncOp>(createConvertLinalgToLoopsPass());
  pm.addNestedPass<func::FuncOp>(vector::createLowerVectorMaskPass());
  pm.addPass(createConvertVectorToSCFPass());
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  pm.addPass(createConvertSCFToCFPass());
  pm.addPass(createConvertMathToLLVMPass());
  // What LLVM has no intrinsic for (tanh, erf) becomes a libm call, element
  // by element for vectors: before the vector ops are lowered.
  pm.addPass(createConvertMathToLibmPass());
  // A vector's lanes are summed as a tree (as a product's k loop already
  // is), not one after another: a row sum of 16 lanes is four dependent adds
  // instead of sixteen. The order is fixed, so results stay deterministic.
  ConvertVectorToLLVMPassOptions vectorToLLVM;
  vectorToLLVM.reassociateFPReductions = true;
  pm.addPass(createConvertVectorToLLVMPass(vectorToLLVM));
  pm.addPass(createArithToLLVMConversionPass());
  pm.addPass(createConvertIndexToLLVMPass());
  pm.addPass(createFinalizeMemRefToLLVMConversionPass());
  ConvertFuncToLLVMPassOptions funcToLLVM;
  funcToLLVM.useBarePtrCallConv = options.barePointerCalls;
  pm.addPass(createConvertFuncToLLVMPass(funcToLLVM));
  pm.addPass(createConvertControlFlowToLLVMPass());
  if (options.minParallelWork > 0)
    pm.addPass(createConvertOpenMPToLLVMPass());
  if (beforeReconcile)
    beforeReconcile(pm);
  pm.addPass(createReconcileUnrealizedCastsPass());
  pm.addPass(createCanonicalizerPass());
}

/// Buffers with a planned workspace → tiled, vectorized and threaded loops →
/// LLVM dialect.
static void buildFromPlanned(OpPassManager &pm,
                             const CPUCodegenOptions &options) {
  pm.addNestedPass<func::FuncOp>(createFlattenEmptyArgumentsPass());

  // Tiling and vectorization, with tile sizes from the target.
  SelectStrategyPassOptions strategy;
  strategy.vectorBits = options.cpu.vectorBits;
  strategy.vectorRegisters = options.cpu.vectorRegisters;
  strategy.l1Bytes = options.cpu.l1Bytes;
  strategy.l2Bytes = options.cpu.l2Bytes;
  strategy.minParallelWork = options.minParallelWork;
  pm.addNestedPass<func::FuncOp>(createSelectStrategyPass(strategy));
  pm.addPass(createOutlineKernelsPass());
  pm.addNestedPass<func::FuncOp>(createTileAndPackPass());
  pm.addNestedPass<func::FuncOp>(createVectorizePass());
  LowerVectorsPassOptions lower;
  lower.bf16Dot = options.cpu.bf16Dot;
  pm.addNestedPass<func::FuncOp>(createLowerVectorsPass(lower));
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  // The parallel tile loops, and the tile loops of grouped products, run on
  // OpenMP threads.
  if (options.minParallelWork > 0) {
    pm.addNestedPass<func::FuncOp>(createForallToParallelLoopPass());
    pm.addPass(createConvertSCFToOpenMPPass());
    pm.addPass(createInlineLoopScopesPass());
    pm.addPass(createJoinOncePass());
    pm.addPass(createCanonicalizerPass());
  }

  buildCPULoweringToLLVM(pm, options);
}

void quern::buildCPUCodegenPipeline(OpPassManager &pm,
                                    const CPUCodegenOptions &options) {
  if (options.stage != CPUCodegenOptions::Stage::FromPlanned)
    buildUntilPlanned(pm, options);
  if (options.stage != CPUCodegenOptions::Stage::UntilPlanned)
    buildFromPlanned(pm, options);
}

namespace {
/// Every option of CPUCodegenOptions that quernc sets, with its defaults.
struct PipelineOptions : PassPipelineOptions<PipelineOptions> {
  Option<int64_t> vectorBits{
      *this, "vector-bits", llvm::cl::desc("SIMD register width in bits"),
      llvm::cl::init(quern::CPUDescription().vectorBits)};
  Option<int64_t> vectorRegisters{
      *this, "vector-registers", llvm::cl::desc("Number of SIMD registers"),
      llvm::cl::init(quern::CPUDescription().vectorRegisters)};
  Option<int64_t> l1Bytes{*this, "l1-bytes",
                          llvm::cl::desc("L1 data cache size"),
                          llvm::cl::init(quern::CPUDescription().l1Bytes)};
  Option<int64_t> l2Bytes{*this, "l2-bytes", llvm::cl::desc("L2 cache size"),
                          llvm::cl::init(quern::CPUDescription().l2Bytes)};
  Option<quern::BF16Dot> bf16Dot{
      *this, "bf16-dot",
      llvm::cl::desc("The CPU's bf16 dot-product instruction"),
      llvm::cl::init(quern::CPUDescription().bf16Dot),
      quern::bf16DotOptionValues()};
  Option<int64_t> minParallelWork{
      *this, "min-parallel-work",
      llvm::cl::desc("Work from which an op is threaded (0: never)"),
      llvm::cl::init(quern::kDefaultMinParallelWork)};
  Option<bool> bf16Matmuls{
      *this, "bf16-matmuls",
      llvm::cl::desc("Matmul operands rounded to bf16, sums in f32"),
      llvm::cl::init(false)};
  Option<bool> recomputeCheap{
      *this, "recompute-cheap",
      llvm::cl::desc("Let elementwise fusion recompute cheap producers in "
                     "the backward pass"),
      llvm::cl::init(true)};
  Option<bool> fuseGroupedEpilogues{
      *this, "fuse-grouped-epilogues",
      llvm::cl::desc("Compute the elementwise ops after grouped products "
                     "tile by tile with them"),
      llvm::cl::init(true)};
  Option<quern::CPUCodegenOptions::Stage> stage{
      *this, "stage", llvm::cl::desc("Which part of the pipeline runs"),
      llvm::cl::init(quern::CPUCodegenOptions::Stage::All),
      llvm::cl::values(
          clEnumValN(quern::CPUCodegenOptions::Stage::All, "all",
                     "all of it (default)"),
          clEnumValN(quern::CPUCodegenOptions::Stage::UntilPlanned,
                     "until-planned",
                     "up to the workspace plan, as quernc plans a budget's "
                     "choices"),
          clEnumValN(quern::CPUCodegenOptions::Stage::FromPlanned,
                     "from-planned", "the rest, on a module so planned"))};
};
} // namespace

void quern::registerCPUCodegenPipeline() {
  PassPipelineRegistration<PipelineOptions>(
      "quern-cpu-codegen",
      "Lower quern to the LLVM dialect for CPUs, as quernc does (the CPU "
      "is described by the options)",
      [](OpPassManager &pm, const PipelineOptions &pipeline) {
        quern::CPUCodegenOptions options;
        options.cpu.vectorBits = pipeline.vectorBits;
        options.cpu.vectorRegisters = pipeline.vectorRegisters;
        options.cpu.l1Bytes = pipeline.l1Bytes;
        options.cpu.l2Bytes = pipeline.l2Bytes;
        options.cpu.bf16Dot = pipeline.bf16Dot;
        options.minParallelWork = pipeline.minParallelWork;
        options.bf16Matmuls = pipeline.bf16Matmuls;
        options.recomputeCheap = pipeline.recomputeCheap;
        options.fuseGroupedEpilogues = pipeline.fuseGroupedEpilogues;
        options.stage = pipeline.stage;
        quern::buildCPUCodegenPipeline(pm, options);
      });
}
