//===- MapToGPU.cpp - loop nests of a planned step as launches --*- C++ -*-===//

#include "quern/Codegen/AMDGPU/Passes.h"

#include "../CPU/Views.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/IRMapping.h"
#include "llvm/ADT/BitVector.h"
#include "llvm/ADT/MapVector.h"
#include "llvm/ADT/SetVector.h"

#include "mlir/Interfaces/CallInterfaces.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"
#include <functional>

namespace quern {
#define GEN_PASS_DEF_MAPTOGPUPASS
#include "quern/Codegen/AMDGPU/Passes.h.inc"
} // namespace quern

using namespace mlir;

namespace {

/// A launch of `groups` workgroups of `threads` threads (in x; null: one),
/// built at `builder`'s point; returns the launch with `builder` at the
/// start of its body.
gpu::LaunchOp createLaunch(OpBuilder &builder, Location loc, Value groups,
                           Value threads) {
  Value one = builder.create<arith::ConstantIndexOp>(loc, 1);
  auto launch = builder.create<gpu::LaunchOp>(
      loc, groups ? groups : one, one, one, threads ? threads : one, one, one);
  builder.setInsertionPointToEnd(&launch.getBody().front());
  builder.create<gpu::TerminatorOp>(loc);
  builder.setInsertionPointToStart(&launch.getBody().front());
  return launch;
}

/// Whether `root` is a buffer known apart from every other such buffer: an
/// argument of the function (the ABI forbids overlapping buffers) or a
/// global. A memref chosen at run time (a select, a loop's argument) may
/// be any of them.
bool isDistinctBuffer(Value root) {
  if (root.getDefiningOp<memref::GetGlobalOp>())
    return true;
  auto argument = dyn_cast<BlockArgument>(root);
  return argument && argument.getOwner()->isEntryBlock() &&
         isa<FunctionOpInterface>(argument.getOwner()->getParentOp());
}

/// The bytes of its root that `value` views, when they are known: a planned
/// workspace's `memref.view` at a constant offset, of a static shape, as it
/// is or reshaped.
std::optional<std::pair<int64_t, int64_t>> viewedBytes(Value value) {
  while (isa_and_nonnull<memref::ExpandShapeOp, memref::CollapseShapeOp>(
      value.getDefiningOp()))
    value = value.getDefiningOp<ViewLikeOpInterface>().getViewSource();
  auto view = value.getDefiningOp<memref::ViewOp>();
  auto type = dyn_cast<MemRefType>(value.getType());
  std::optional<int64_t> offset =
      view ? getConstantIntValue(view.getByteShift()) : std::nullopt;
  if (!offset || !type.hasStaticShape() || !type.getLayout().isIdentity() ||
      !type.getElementType().isIntOrFloat() ||
      type.getElementTypeBitWidth() % 8 != 0)
    return std::nullopt;
  int64_t bytes = type.getNumElements() * type.getElementTypeBitWidth() / 8;
  return std::make_pair(*offset, *offset + bytes);
}

/// Whether `a` and `b` may view the same bytes.
bool mayOverlap(Value a, Value b) {
  Value rootA = quern::viewedBuffer(a), rootB = quern::viewedBuffer(b);
  if (rootA != rootB)
    return !isDistinctBuffer(rootA) || !isDistinctBuffer(rootB);
  auto first = viewedBytes(a), second = viewedBytes(b);
  return !first || !second ||
         (first->first < second->second && second->first < first->second);
}

/// What an op and the ops in it write: the views stored to, or anything
/// (an effect on no value, an op whose effects are unknown).
struct Writes {
  SmallVector<Value> views;
  bool anything = false;

  explicit Writes(Operation *op) {
    op->walk([&](Operation *nested) {
      if (nested->hasTrait<OpTrait::HasRecursiveMemoryEffects>())
        return;
      auto effects = dyn_cast<MemoryEffectOpInterface>(nested);
      if (!effects) {
        anything = true;
        return;
      }
      SmallVector<MemoryEffects::EffectInstance> instances;
      effects.getEffects(instances);
      for (const MemoryEffects::EffectInstance &instance : instances) {
        if (!isa<MemoryEffects::Write>(instance.getEffect()))
          continue;
        if (instance.getValue())
          views.push_back(instance.getValue());
        else
          anything = true;
      }
    });
  }

  /// Whether they may write bytes that `view` reads.
  bool mayWrite(Value view) const {
    return anything || llvm::any_of(views, [&](Value written) {
             return mayOverlap(written, view);
           });
  }
};

/// Whether the iterations of `loop`, a loop of the nest `outer`, touch
/// disjoint elements: every buffer the nest writes is written and read at
/// `loop`'s variable in one of its dimensions, through one view that no
/// other view the nest reads or writes may overlap, and only stores write.
/// A scatter's rows may collide; its columns never do.
bool hasDisjointIterations(scf::ForOp outer, scf::ForOp loop) {
  Value iv = loop.getInductionVar();
  llvm::MapVector<Value, llvm::BitVector> dims;
  bool ok = true;
  auto touch = [&](Value memref, ValueRange indices) {
    llvm::BitVector at(indices.size());
    for (auto [dim, index] : llvm::enumerate(indices))
      at[dim] = index == iv;
    auto [found, inserted] = dims.try_emplace(memref, at);
    if (!inserted)
      found->second &= at;
  };
  outer.walk([&](Operation *op) {
    if (auto store = dyn_cast<memref::StoreOp>(op)) {
      // A view made in the nest may move with the loop's variable.
      ok &= outer.isDefinedOutsideOfLoop(store.getMemRef());
      touch(store.getMemRef(), store.getIndices());
    } else if (!isa<memref::LoadOp>(op) &&
               !op->hasTrait<OpTrait::HasRecursiveMemoryEffects>()) {
      // Any other op that reads or writes, or whose effects are unknown.
      ok &= isMemoryEffectFree(op);
    }
  });
  if (!ok || dims.empty())
    return false;
  SmallVector<Value> written = llvm::to_vector(llvm::make_first_range(dims));
  outer.walk([&](memref::LoadOp load) {
    Value read = load.getMemRef();
    if (dims.contains(read))
      touch(read, load.getIndices());
    else if (llvm::any_of(written,
                          [&](Value each) { return mayOverlap(each, read); }))
      ok = false;
  });
  for (auto [index, first] : llvm::enumerate(written))
    for (Value second : llvm::drop_begin(written, index + 1))
      ok &= !mayOverlap(first, second);
  return ok &&
         llvm::all_of(dims, [](auto &entry) { return entry.second.any(); });
}

/// The loop of the perfectly nested chain of `outer` whose iterations
/// touch disjoint elements (hasDisjointIterations), the innermost such;
/// null if there is none.
scf::ForOp findDisjointLoop(scf::ForOp outer) {
  SmallVector<scf::ForOp> chain = {outer};
  while (true) {
    Block *body = chain.back().getBody();
    auto inner = dyn_cast<scf::ForOp>(body->front());
    if (!inner || body->getOperations().size() != 2)
      break;
    chain.push_back(inner);
  }
  if (llvm::any_of(chain, [](scf::ForOp each) {
        return each.getNumRegionIterArgs() != 0;
      }))
    return nullptr;
  for (scf::ForOp loop : llvm::reverse(chain))
    if (llvm::all_of(
            ValueRange{loop.getLowerBound(), loop.getUpperBound(),
                       loop.getStep()},
            [&](Value bound) { return outer.isDefinedOutsideOfLoop(bound); }) &&
        hasDisjointIterations(outer, loop))
      return loop;
  return nullptr;
}

/// The loop nest `outer` as a parallel loop over the iterations of its
/// loop `loop`, the rest of the nest, in order, inside.
scf::ParallelOp parallelize(scf::ForOp outer, scf::ForOp loop) {
  OpBuilder builder(outer);
  auto parallel = builder.create<scf::ParallelOp>(
      outer.getLoc(), ValueRange{loop.getLowerBound()},
      ValueRange{loop.getUpperBound()}, ValueRange{loop.getStep()});
  outer->moveBefore(parallel.getBody()->getTerminator());
  loop.getInductionVar().replaceAllUsesWith(
      parallel.getInductionVars().front());
  Block *body = loop.getBody();
  for (Operation &op : llvm::make_early_inc_range(body->without_terminator()))
    op.moveBefore(loop);
  loop.erase();
  return parallel;
}

/// Whether the host may run `op`: it computes a value (a view, an index)
/// without touching memory.
bool runsOnHost(Operation *op) {
  if (isa<ViewLikeOpInterface, memref::GetGlobalOp>(op))
    return true;
  return op->getNumRegions() == 0 && isMemoryEffectFree(op);
}

struct MapToGPUPass : quern::impl::MapToGPUPassBase<MapToGPUPass> {
  using MapToGPUPassBase::MapToGPUPassBase;

  /// Of the function being mapped: the scalars the host would read before
  /// the kernels that use them (a learning rate, a step count, a gradient's
  /// norm, and what is computed from them alone: Adam's bias corrections).
  /// Each kernel that uses one reads and computes it again, from the same
  /// memory, which no kernel writes in between.
  llvm::SetVector<Operation *> scalars;
  /// Of the function being mapped: what each kernel launched so far
  /// writes, in order.
  SmallVector<Writes> launched;
  /// Of each scalar load: how many kernels were launched before it (those
  /// after it must not write what it reads).
  llvm::DenseMap<Operation *, size_t> launchedBefore;

  /// Clones into `launch` what it reads from the host: constants' globals
  /// and the scalars above. The threads of a `parallel` launch must not
  /// write a scalar they read.
  LogicalResult cloneHostValuesInto(gpu::LaunchOp launch, bool parallel) {
    Block &body = launch.getBody().front();
    Writes own(launch);
    OpBuilder builder = OpBuilder::atBlockBegin(&body);
    IRMapping cloned;
    std::function<LogicalResult(Value)> clone =
        [&](Value value) -> LogicalResult {
      Operation *def = value.getDefiningOp();
      if (!def || cloned.contains(value) || launch->isAncestor(def) ||
          !(isa<memref::GetGlobalOp>(def) || scalars.contains(def)))
        return success();
      for (Value operand : def->getOperands())
        if (failed(clone(operand)))
          return failure();
      if (auto load = dyn_cast<memref::LoadOp>(def)) {
        for (const Writes &writes :
             ArrayRef(launched).drop_front(launchedBefore.lookup(load)))
          if (writes.mayWrite(load.getMemRef()))
            return load.emitOpError("is read by a kernel after another "
                                    "kernel may have written it");
        if (parallel && own.mayWrite(load.getMemRef()))
          return load.emitOpError("is read by the threads of a kernel that "
                                  "may write it");
      }
      builder.clone(*def, cloned);
      return success();
    };
    WalkResult result = body.walk([&](Operation *op) {
      for (Value operand : op->getOperands())
        if (failed(clone(operand)))
          return WalkResult::interrupt();
      return WalkResult::advance();
    });
    if (result.wasInterrupted())
      return failure();
    body.walk([&](Operation *op) {
      for (OpOperand &operand : op->getOpOperands())
        if (Value copy = cloned.lookupOrNull(operand.get()))
          operand.set(copy);
    });
    launched.push_back(std::move(own));
    return success();
  }

  /// `loop`'s iterations, numbered with the last dimension fastest, one per
  /// thread.
  LogicalResult mapParallel(scf::ParallelOp loop) {
    if (loop.getNumReductions() != 0)
      return loop.emitOpError("with reductions is not mapped to the GPU");
    Location loc = loop.getLoc();
    OpBuilder builder(loop);
    SmallVector<Value> trips;
    Value total = builder.create<arith::ConstantIndexOp>(loc, 1);
    for (auto [lower, upper, step] : llvm::zip(
             loop.getLowerBound(), loop.getUpperBound(), loop.getStep())) {
      Value span = builder.create<arith::SubIOp>(loc, upper, lower);
      trips.push_back(builder.create<arith::CeilDivUIOp>(loc, span, step));
      total = builder.create<arith::MulIOp>(loc, total, trips.back());
    }
    Value size = builder.create<arith::ConstantIndexOp>(loc, workgroupSize);
    Value groups = builder.create<arith::CeilDivUIOp>(loc, total, size);
    gpu::LaunchOp launch = createLaunch(builder, loc, groups, size);
    Value first = builder.create<arith::MulIOp>(loc, launch.getBlockIds().x,
                                                launch.getBlockSize().x);
    Value index =
        builder.create<arith::AddIOp>(loc, first, launch.getThreadIds().x);
    Value inRange = builder.create<arith::CmpIOp>(
        loc, arith::CmpIPredicate::ult, index, total);
    auto guard = builder.create<scf::IfOp>(loc, inRange);
    builder.setInsertionPointToStart(&guard.getThenRegion().front());
    IRMapping mapping;
    Value rest = index;
    for (int64_t dim = loop.getNumLoops() - 1; dim >= 0; --dim) {
      Value position = rest;
      if (dim > 0) {
        position = builder.create<arith::RemUIOp>(loc, rest, trips[dim]);
        rest = builder.create<arith::DivUIOp>(loc, rest, trips[dim]);
      }
      Value offset =
          builder.create<arith::MulIOp>(loc, position, loop.getStep()[dim]);
      mapping.map(loop.getInductionVars()[dim],
                  builder.create<arith::AddIOp>(loc, loop.getLowerBound()[dim],
                                                offset));
    }
    for (Operation &op : loop.getBody()->without_terminator())
      builder.clone(op, mapping);
    loop.erase();
    return cloneHostValuesInto(launch, /*parallel=*/true);
  }

  /// `ops`, in order, on one thread, launched at `point` (after them).
  LogicalResult mapSerial(ArrayRef<Operation *> ops, Operation *point) {
    for (Operation *op : ops)
      for (Operation *user : op->getUsers())
        if (llvm::none_of(
                ops, [&](Operation *each) { return each->isAncestor(user); }))
          return user->emitOpError("uses a value the GPU computes on the "
                                   "host");
    OpBuilder builder(point);
    gpu::LaunchOp launch =
        createLaunch(builder, ops.front()->getLoc(), nullptr, nullptr);
    Operation *end = launch.getBody().front().getTerminator();
    for (Operation *op : ops)
      op->moveBefore(end);
    return cloneHostValuesInto(launch, /*parallel=*/false);
  }

  LogicalResult mapBlock(Block &block) {
    // Consecutive ops that touch memory, run in order on one thread.
    SmallVector<Operation *> serial;
    llvm::SmallPtrSet<Operation *, 8> inSerial;
    auto flush = [&](Operation *point) {
      LogicalResult mapped =
          serial.empty() ? success() : mapSerial(serial, point);
      serial.clear();
      inSerial.clear();
      return mapped;
    };
    for (Operation &op : llvm::make_early_inc_range(block)) {
      auto reads = [&](auto &&set) {
        return llvm::any_of(op.getOperands(), [&](Value value) {
          return set.contains(value.getDefiningOp());
        });
      };
      if (isa<memref::AllocOp, memref::AllocaOp, memref::DeallocOp>(op))
        return op.emitOpError("outside the workspace has no place on the GPU");
      WalkResult call = op.walk([](CallOpInterface call) {
        call->emitOpError("calls the host, which a GPU kernel cannot");
        return WalkResult::interrupt();
      });
      if (call.wasInterrupted())
        return failure();
      if (op.hasTrait<OpTrait::IsTerminator>())
        return flush(&op);
      auto loop = dyn_cast<scf::ParallelOp>(op);
      auto nest = dyn_cast<scf::ForOp>(op);
      scf::ForOp disjoint = nest ? findDisjointLoop(nest) : nullptr;
      if (loop || disjoint) {
        if (failed(flush(&op)))
          return failure();
        if (disjoint)
          loop = parallelize(nest, disjoint);
        if (failed(mapParallel(loop)))
          return failure();
      } else if (reads(inSerial)) {
        serial.push_back(&op);
        inSerial.insert(&op);
      } else if (auto load = dyn_cast<memref::LoadOp>(op)) {
        // A scalar: read by the kernels that use it, after the ops before
        // it (the sum whose result it reads) have run.
        if (llvm::any_of(serial,
                         [&](Operation *pending) {
                           return Writes(pending).mayWrite(load.getMemRef());
                         }) &&
            failed(flush(&op)))
          return failure();
        scalars.insert(&op);
        launchedBefore[&op] = launched.size();
      } else if (isMemoryEffectFree(&op) && op.getNumRegions() == 0 &&
                 reads(scalars)) {
        scalars.insert(&op);
      } else if (!runsOnHost(&op)) {
        serial.push_back(&op);
        inSerial.insert(&op);
      }
    }
    return success();
  }

  void runOnOperation() override {
    if (workgroupSize <= 0) {
      getOperation().emitError("quern-map-to-gpu: workgroup-size must be "
                               "positive");
      return signalPassFailure();
    }
    if (getOperation().isExternal())
      return;
    if (!getOperation().getBody().hasOneBlock()) {
      getOperation().emitOpError("with several blocks is not mapped to the "
                                 "GPU (a planned step has one)");
      return signalPassFailure();
    }
    // Each function starts afresh (what a previous one left, failed or
    // not, is stale).
    scalars.clear();
    launched.clear();
    launchedBefore.clear();
    if (failed(mapBlock(getOperation().getBody().front())))
      return signalPassFailure();
    // The host reads no scalar itself.
    for (Operation *op : scalars)
      for (Operation *user : op->getUsers())
        if (!scalars.contains(user) &&
            !user->getParentOfType<gpu::LaunchOp>()) {
          user->emitOpError("uses a value the GPU computes on the host");
          return signalPassFailure();
        }
    for (Operation *op : llvm::reverse(scalars))
      op->erase();
  }
};

} // namespace
