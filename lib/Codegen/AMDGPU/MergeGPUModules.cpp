//===- MergeGPUModules.cpp - one code object for a step ---------*- C++ -*-===//

#include "quern/Codegen/AMDGPU/Passes.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/SymbolTable.h"

namespace quern {
#define GEN_PASS_DEF_MERGEGPUMODULESPASS
#include "quern/Codegen/AMDGPU/Passes.h.inc"
} // namespace quern

using namespace mlir;

namespace {

struct MergeGPUModulesPass
    : quern::impl::MergeGPUModulesPassBase<MergeGPUModulesPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    auto modules = llvm::to_vector(module.getOps<gpu::GPUModuleOp>());
    if (modules.empty())
      return;
    // Each kernel is named after its module, which outlining made for it
    // alone and named uniquely.
    llvm::DenseMap<SymbolRefAttr, StringAttr> renamed;
    for (gpu::GPUModuleOp kernels : modules) {
      auto functions = llvm::to_vector(kernels.getOps<gpu::GPUFuncOp>());
      if (functions.size() != 1) {
        kernels.emitOpError("holds ")
            << functions.size() << " kernels; outlining makes one";
        return signalPassFailure();
      }
      renamed[SymbolRefAttr::get(
          kernels.getNameAttr(),
          {FlatSymbolRefAttr::get(functions.front().getNameAttr())})] =
          kernels.getNameAttr();
      functions.front().setName(kernels.getNameAttr());
    }
    gpu::GPUModuleOp merged = modules.front();
    SymbolTable mergedSymbols(merged);
    for (gpu::GPUModuleOp other : llvm::drop_begin(modules)) {
      for (Operation &op :
           llvm::make_early_inc_range(other.getBody()->without_terminator())) {
        // The same constant, cloned into each kernel's module, is kept once.
        if (Operation *known =
                mergedSymbols.lookup(SymbolTable::getSymbolName(&op))) {
          assert(isa<memref::GlobalOp>(op) && isa<memref::GlobalOp>(known) &&
                 "kernels' names are unique; only their constants repeat");
          (void)known;
          continue;
        }
        op.moveBefore(merged.getBody()->getTerminator());
        mergedSymbols.insert(&op);
      }
      other.erase();
    }
    StringAttr kernels = StringAttr::get(&getContext(), "kernels");
    module.walk([&](gpu::LaunchFuncOp launch) {
      launch.setKernelAttr(SymbolRefAttr::get(
          kernels, {FlatSymbolRefAttr::get(renamed.at(launch.getKernel()))}));
    });
    merged.setName(kernels);
  }
};

} // namespace
