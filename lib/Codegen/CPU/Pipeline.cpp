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

#include "quern/Conversion/QuernToLinalg.h"
#include "mlir/Conversion/AffineToStandard/AffineToStandard.h"
#include "mlir/Conversion/ArithToLLVM/ArithToLLVM.h"
#include "mlir/Conversion/ControlFlowToLLVM/ControlFlowToLLVM.h"
#include "mlir/Conversion/FuncToLLVM/ConvertFuncToLLVMPass.h"
#include "mlir/Conversion/IndexToLLVM/IndexToLLVM.h"
#include "mlir/Conversion/MathToLLVM/MathToLLVM.h"
#include "mlir/Conversion/MathToLibm/MathToLibm.h"
#include "mlir/Conversion/MemRefToLLVM/MemRefToLLVM.h"
#include "mlir/Conversion/ReconcileUnrealizedCasts/ReconcileUnrealizedCasts.h"
#include "mlir/Conversion/SCFToControlFlow/SCFToControlFlow.h"
#include "mlir/Dialect/Bufferization/Transforms/OneShotAnalysis.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

void quern::buildCPUCodegenPipeline(OpPassManager &pm,
                                    const CPUCodegenOptions &options) {
  pm.addPass(createConvertQuernToLinalgPass());
  pm.addNestedPass<func::FuncOp>(createLinalgElementwiseOpFusionPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());

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
  pm.addPass(bufferization::createOneShotBufferizePass(bufferization));
  pm.addPass(createCanonicalizerPass());
  pm.addNestedPass<func::FuncOp>(createWriteBackUpdatesPass());
  pm.addNestedPass<func::FuncOp>(createCopyReturnedArgumentsPass());
  bufferization::BufferResultsToOutParamsOpts outParams;
  outParams.hoistStaticAllocs = true;
  outParams.memCpyFn = linalgCopy;
  pm.addPass(bufferization::createBufferResultsToOutParamsPass(outParams));
  pm.addPass(createCanonicalizerPass());
  pm.addNestedPass<func::FuncOp>(createPlanWorkspacePass());
  pm.addNestedPass<func::FuncOp>(createFlattenEmptyArgumentsPass());

  pm.addNestedPass<func::FuncOp>(createConvertLinalgToLoopsPass());
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  pm.addPass(createConvertSCFToCFPass());
  pm.addPass(createConvertMathToLLVMPass());
  // What LLVM has no intrinsic for (tanh) becomes a libm call.
  pm.addPass(createConvertMathToLibmPass());
  pm.addPass(createArithToLLVMConversionPass());
  pm.addPass(createConvertIndexToLLVMPass());
  pm.addPass(createFinalizeMemRefToLLVMConversionPass());
  ConvertFuncToLLVMPassOptions funcToLLVM;
  funcToLLVM.useBarePtrCallConv = options.barePointerCalls;
  pm.addPass(createConvertFuncToLLVMPass(funcToLLVM));
  pm.addPass(createConvertControlFlowToLLVMPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
  pm.addPass(createCanonicalizerPass());
}

void quern::registerCPUCodegenPipeline() {
  PassPipelineRegistration<>(
      "quern-cpu-codegen",
      "Lower quern to the LLVM dialect for CPUs, as quernc does",
      [](OpPassManager &pm) { buildCPUCodegenPipeline(pm, {}); });
}
