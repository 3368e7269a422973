//===- LowerLaunchesToLoops.cpp - GPU launches as loops ---------*- C++ -*-===//

#include "quern/Codegen/AMDGPU/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

namespace quern {
#define GEN_PASS_DEF_LOWERLAUNCHESTOLOOPSPASS
#include "quern/Codegen/AMDGPU/Passes.h.inc"
} // namespace quern

using namespace mlir;

namespace {

std::array<Value, 3> xyz(gpu::KernelDim3 dims) {
  return {dims.x, dims.y, dims.z};
}

struct LowerLaunchesToLoopsPass
    : quern::impl::LowerLaunchesToLoopsPassBase<LowerLaunchesToLoopsPass> {
  using LowerLaunchesToLoopsPassBase::LowerLaunchesToLoopsPassBase;

  LogicalResult lower(gpu::LaunchOp launch) {
    if (!launch.getBody().hasOneBlock() || launch.getAsyncToken() ||
        launch.getDynamicSharedMemorySize())
      return launch.emitOpError("with several blocks, an async token or "
                                "shared memory is not run on the host");
    WalkResult barrier = launch.getBody().walk([](gpu::BarrierOp op) {
      op.emitOpError("synchronises threads that the host runs one after "
                     "another");
      return WalkResult::interrupt();
    });
    if (barrier.wasInterrupted())
      return failure();

    Location loc = launch.getLoc();
    OpBuilder builder(launch);
    Value zero = builder.create<arith::ConstantIndexOp>(loc, 0);
    Value one = builder.create<arith::ConstantIndexOp>(loc, 1);
    gpu::KernelDim3 groups = launch.getGridSizeOperandValues();
    gpu::KernelDim3 threads = launch.getBlockSizeOperandValues();
    // Workgroups outside, threads inside; z outermost in each.
    SmallVector<std::pair<Value, Value>> loops = {
        {launch.getBlockIds().z, groups.z},
        {launch.getBlockIds().y, groups.y},
        {launch.getBlockIds().x, groups.x},
        {launch.getThreadIds().z, threads.z},
        {launch.getThreadIds().y, threads.y},
        {launch.getThreadIds().x, threads.x}};
    Block &body = launch.getBody().front();
    for (auto [id, count] : loops) {
      auto loop = builder.create<scf::ForOp>(loc, zero, count, one);
      builder.setInsertionPoint(loop.getBody()->getTerminator());
      Value index = loop.getInductionVar();
      if (reversed) {
        // count - 1 - index
        Value last = builder.create<arith::SubIOp>(loc, count, one);
        index = builder.create<arith::SubIOp>(loc, last, index);
      }
      id.replaceAllUsesWith(index);
    }
    for (auto [dim, size] : llvm::zip(xyz(launch.getGridSize()), xyz(groups)))
      dim.replaceAllUsesWith(size);
    for (auto [dim, size] : llvm::zip(xyz(launch.getBlockSize()), xyz(threads)))
      dim.replaceAllUsesWith(size);
    Operation *inner = builder.getInsertionBlock()->getTerminator();
    for (Operation &op : llvm::make_early_inc_range(body.without_terminator()))
      op.moveBefore(inner);
    launch.erase();
    return success();
  }

  void runOnOperation() override {
    SmallVector<gpu::LaunchOp> launches;
    getOperation().walk([&](gpu::LaunchOp op) { launches.push_back(op); });
    for (gpu::LaunchOp launch : launches)
      if (failed(lower(launch)))
        return signalPassFailure();
  }
};

} // namespace
