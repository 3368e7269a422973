//===- InitAll.cpp - register everything Quern adds to MLIR -----*- C++ -*-===//

#include "quern/InitAll.h"

#include "dialects/quern/QuernDialect.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Bufferization/Transforms/FuncBufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/ROCDLDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Linalg/Transforms/TilingInterfaceImpl.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tensor/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/Target/LLVM/ROCDL/Target.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/GPU/GPUToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/OpenMP/OpenMPToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/ROCDL/ROCDLToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/LLVMTranslationInterface.h"
#include "passes/Passes.h"
#include "quern/Codegen/AMDGPU/Passes.h"
#include "quern/Codegen/CPU/Cost.h"
#include "quern/Codegen/CPU/Passes.h"
#include "quern/Conversion/Passes.h"

using namespace mlir;

namespace {
/// The quern attributes left on lowered functions (parameter names, the
/// workspace size) are read by the driver; LLVM IR has no place for them, so
/// translation accepts and drops them instead of warning.
struct QuernToLLVMIRTranslationInterface : LLVMTranslationDialectInterface {
  using LLVMTranslationDialectInterface::LLVMTranslationDialectInterface;
};
} // namespace

void quern::registerQuernDialects(DialectRegistry &registry) {
  registry.insert<QuernDialect, arith::ArithDialect,
                  bufferization::BufferizationDialect, func::FuncDialect,
                  gpu::GPUDialect, linalg::LinalgDialect, LLVM::LLVMDialect,
                  math::MathDialect, memref::MemRefDialect, ROCDL::ROCDLDialect,
                  scf::SCFDialect, tensor::TensorDialect>();
  arith::registerBufferizableOpInterfaceExternalModels(registry);
  bufferization::func_ext::registerBufferizableOpInterfaceExternalModels(
      registry);
  linalg::registerBufferizableOpInterfaceExternalModels(registry);
  // Code generation splits linalg ops into pieces through it.
  linalg::registerTilingInterfaceExternalModels(registry);
  // Fusion and the kernel report weigh linalg ops through it.
  registerLinalgCostModel(registry);
  registerRecomputeInputBufferization(registry);
  registerCollectiveBufferization(registry);
  scf::registerBufferizableOpInterfaceExternalModels(registry);
  tensor::registerBufferizableOpInterfaceExternalModels(registry);
  registerBuiltinDialectTranslation(registry);
  registerLLVMDialectTranslation(registry);
  registerOpenMPDialectTranslation(registry);
  // The AMD GPU back end: kernels in ROCDL, serialized by the ROCDL target
  // into a code object that the host module embeds.
  registerGPUDialectTranslation(registry);
  gpu::registerOffloadingLLVMTranslationInterfaceExternalModels(registry);
  registerROCDLDialectTranslation(registry);
  ROCDL::registerROCDLTargetInterfaceExternalModels(registry);
  registry.addExtension(+[](MLIRContext *, QuernDialect *dialect) {
    dialect->addInterfaces<QuernToLLVMIRTranslationInterface>();
  });
}

void quern::registerQuernPasses() {
  registerQuernGraphPasses();
  registerTrainStepPipeline();
  registerQuernConversionPasses();
  registerQuernCPUPasses();
  registerCPUCodegenPipeline();
  registerQuernAMDGPUPasses();
  registerAMDGPUCodegenPipeline();
}
