//===- TrainStep.cpp - @forward to @train_step ------------------*- C++ -*-===//
//
// Builds the training step beside the forward function: a copy of the
// forward computation, its gradient with respect to the trainable
// parameters, optional global-norm clipping, one fused update per
// parameter, and the step counter's increment. The updated values are
// returned with `quern.updates` naming the argument they replace, and those
// arguments are writable, so that bufferization updates them in place.
// With micro-batches, forward and backward run in a loop over slices of the
// inputs that sums loss and gradients, and the update follows the loop.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "dialects/quern/QuernOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/IRMapping.h"
#include "passes/Autodiff/Autodiff.h"
#include "passes/ForwardFunction.h"
#include "passes/KeptValues.h"
#include "passes/TrainStep/DataParallel.h"
#include "passes/TrainStep/Optimizers.h"
#include "passes/TrainStep/TrainStep.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/StringMap.h"

#include <numeric>

namespace quern {
#define GEN_PASS_DEF_MAKETRAINSTEPPASS
#include "passes/Passes.h.inc"
} // namespace quern

using namespace mlir;
using namespace quern;

namespace {

/// A constant tensor of `type` whose elements are all `value`.
Value splat(OpBuilder &builder, Location loc, Type type, double value) {
  return builder.create<ConstantOp>(loc, cast<RankedTensorType>(type), value);
}

/// Moves every op of `step` before its terminator, which computes `loss`
/// and `gradients` from the first `numInputs` arguments, into an scf.for
/// over `count` micro-batches: each input of rank >= 1 grows to `count`
/// times its first dimension and the loop body sees its slice for the
/// iteration. Loss and gradients become the mean over the iterations.
/// Returns the loop.
scf::ForOp accumulateMicroBatches(OpBuilder &builder, func::FuncOp step,
                                  unsigned numInputs, int64_t count,
                                  Value &loss,
                                  MutableArrayRef<Value> gradients) {
  Block &body = step.getBody().front();
  Operation *terminator = body.getTerminator();
  Location loc = step.getLoc();
  SmallVector<Operation *> perMicroBatch;
  for (Operation &op : body.without_terminator())
    perMicroBatch.push_back(&op);

  // The sums live in loop-carried tensors that each iteration adds to in
  // place (linalg with the sum as its init), so that they bufferize to one
  // buffer each rather than one per iteration.
  builder.setInsertionPoint(terminator);
  SmallVector<Value> sums;
  for (Value value :
       llvm::concat<Value>(MutableArrayRef<Value>(&loss, 1), gradients)) {
    auto type = cast<RankedTensorType>(value.getType());
    Value empty = builder.create<tensor::EmptyOp>(loc, type.getShape(),
                                                  type.getElementType());
    Value zero = builder.create<arith::ConstantOp>(
        loc, builder.getZeroAttr(type.getElementType()));
    sums.push_back(builder.create<linalg::FillOp>(loc, zero, empty).result());
  }
  auto index = [&](int64_t value) {
    return builder.create<arith::ConstantIndexOp>(loc, value);
  };
  auto loop =
      builder.create<scf::ForOp>(loc, index(0), index(count), index(1), sums);
  Block *loopBody = loop.getBody();
  for (Operation *op : perMicroBatch)
    op->moveBefore(loopBody, loopBody->end());

  builder.setInsertionPointToStart(loopBody);
  for (BlockArgument input : body.getArguments().take_front(numInputs)) {
    auto type = cast<RankedTensorType>(input.getType());
    if (type.getRank() == 0)
      continue;
    SmallVector<int64_t> stacked(type.getShape());
    stacked[0] *= count;
    input.setType(type.clone(stacked));
    Value first = builder.create<arith::MulIOp>(loc, loop.getInductionVar(),
                                                index(type.getDimSize(0)));
    SmallVector<OpFoldResult> offsets(type.getRank(), builder.getIndexAttr(0));
    offsets[0] = first;
    SmallVector<OpFoldResult> sizes,
        strides(type.getRank(), builder.getIndexAttr(1));
    for (int64_t size : type.getShape())
      sizes.push_back(builder.getIndexAttr(size));
    auto slice = builder.create<tensor::ExtractSliceOp>(
        loc, type, input, offsets, sizes, strides);
    input.replaceAllUsesExcept(slice, slice);
  }

  builder.setInsertionPointToEnd(loopBody);
  SmallVector<Value> next;
  for (auto [sum, value] : llvm::zip_equal(
           loop.getRegionIterArgs(),
           llvm::concat<Value>(MutableArrayRef<Value>(&loss, 1), gradients))) {
    auto type = cast<RankedTensorType>(value.getType());
    AffineMap identity = builder.getMultiDimIdentityMap(type.getRank());
    SmallVector<utils::IteratorType> parallel(type.getRank(),
                                              utils::IteratorType::parallel);
    next.push_back(
        builder
            .create<linalg::GenericOp>(
                loc, type, ValueRange{value}, ValueRange{sum},
                ArrayRef<AffineMap>{identity, identity}, parallel,
                [&](OpBuilder &nested, Location nestedLoc, ValueRange args) {
                  nested.create<linalg::YieldOp>(
                      nestedLoc, ValueRange{nested.create<arith::AddFOp>(
                                     nestedLoc, args[1], args[0])});
                })
            .getResult(0));
  }
  builder.create<scf::YieldOp>(loc, next);

  builder.setInsertionPointAfter(loop);
  auto mean = [&](Value sum) -> Value {
    return builder.create<MulOp>(
        loc, sum, splat(builder, loc, sum.getType(), 1.0 / count));
  };
  loss = mean(loop.getResult(0));
  for (auto [position, gradient] : llvm::enumerate(gradients))
    gradient = mean(loop.getResult(position + 1));
  return loop;
}

/// @train_step as first cloned from @forward: the learning rate inserted
/// before the parameters, the body ending in @forward's return.
struct StepFunction {
  func::FuncOp func;
  func::ReturnOp ret;
  Value lr;
  /// The first argument after the inputs and lr.
  unsigned firstParam;
};

struct MakeTrainStepPass
    : quern::impl::MakeTrainStepPassBase<MakeTrainStepPass> {
  using quern::impl::MakeTrainStepPassBase<
      MakeTrainStepPass>::MakeTrainStepPassBase;

  void runOnOperation() override;

private:
  /// With gradient-suffix: the result of `forward` that is each parameter's
  /// gradient, by parameter name. Parameters without one are frozen.
  FailureOr<llvm::StringMap<unsigned>> findGivenGradients(func::FuncOp forward);
  /// The result of `forward` that is the loss.
  FailureOr<unsigned> findLoss(func::FuncOp forward);
  /// Clones @forward as @train_step with the `lr` argument.
  StepFunction cloneForward(OpBuilder &builder, func::FuncOp forward);
  /// The arguments of `step` that are trainable parameters (f32, at least
  /// one).
  FailureOr<SmallVector<unsigned>> findTrainable(func::FuncOp forward,
                                                 StepFunction step);
  /// Per trainable parameter, its gradient: the graph's own, or reverse
  /// mode from `loss`; zero (with a warning) where the loss does not
  /// depend on it.
  FailureOr<SmallVector<Value>>
  buildGradientsOf(OpBuilder &builder, StepFunction step, Value loss,
                   ArrayRef<unsigned> trainable,
                   const llvm::StringMap<unsigned> &givenGradients);
  /// Scales `gradients` so that their global norm is at most clip-grad-norm,
  /// as PyTorch's clip_grad_norm_; with `sharded`, they are this process's
  /// pieces, and the norm is that of every process's.
  void clipGlobalNorm(OpBuilder &builder, Location loc,
                      MutableArrayRef<Value> gradients, ShardedUpdate *sharded);
  /// Gives dropout a new mask every step (and every micro-batch of one):
  /// its hash takes the step counter times the micro-batches, plus this
  /// one.
  /// Removes from `forward` (after it was cloned into the step) the
  /// dropout that only training applies (quern.dropout training_only).
  static void dropTrainingOnlyDropout(func::FuncOp forward);
  void advanceDropout(OpBuilder &builder, func::FuncOp step, Value counter,
                      scf::ForOp microBatches);
  /// Appends each trainable parameter's optimizer state and the step
  /// counter as arguments and builds the updates of all of them. With
  /// `sharded`, `gradients` are this process's pieces, and so is the
  /// optimizer state: the pieces are updated, then gathered.
  SmallVector<StateUpdate>
  buildUpdates(OpBuilder &builder, const Optimizer &chosen, StepFunction step,
               ArrayRef<unsigned> trainable, ArrayRef<Value> gradients,
               scf::ForOp microBatches, ShardedUpdate *sharded);

  StringRef paramName(func::FuncOp func, unsigned index) const {
    return getParam(func, index)->name;
  }

  /// Results of @forward that are gradients the graph computes itself.
  llvm::DenseSet<unsigned> gradientResults;
};

FailureOr<llvm::StringMap<unsigned>>
MakeTrainStepPass::findGivenGradients(func::FuncOp forward) {
  llvm::StringMap<unsigned> byName;
  for (unsigned index = 0; index < forward.getNumResults(); ++index)
    if (auto name =
            forward.getResultAttrOfType<StringAttr>(index, kNameAttrName))
      byName[name.getValue()] = index;
  llvm::StringMap<unsigned> gradients;
  for (unsigned index = 0; index < forward.getNumArguments(); ++index) {
    std::optional<ParamInfo> param = getParam(forward, index);
    if (!param || !param->trainable)
      continue;
    StringRef name = param->name;
    auto found = byName.find((name + gradientSuffix).str());
    if (found == byName.end()) {
      setParam(forward, index, name, /*trainable=*/false);
      continue;
    }
    if (forward.getResultTypes()[found->second] !=
        forward.getArgumentTypes()[index])
      return forward.emitError("output '")
             << found->first() << "' has type "
             << forward.getResultTypes()[found->second] << " but parameter '"
             << name << "' has type " << forward.getArgumentTypes()[index];
    gradients[name] = found->second;
    gradientResults.insert(found->second);
  }
  if (gradients.empty())
    return forward.emitError("no output is named after a trainable "
                             "parameter with the suffix '")
           << gradientSuffix << "'";
  return gradients;
}

FailureOr<unsigned> MakeTrainStepPass::findLoss(func::FuncOp forward) {
  auto isScalarFloat = [](Type type) {
    auto tensor = cast<RankedTensorType>(type);
    return tensor.getNumElements() == 1 &&
           isa<FloatType>(tensor.getElementType());
  };
  TypeRange results = forward.getResultTypes();
  if (!loss.empty()) {
    for (unsigned index = 0; index < results.size(); ++index) {
      auto name = forward.getResultAttrOfType<StringAttr>(index, kNameAttrName);
      if (!name || name.getValue() != loss)
        continue;
      if (!isScalarFloat(results[index]))
        return forward.emitError("output '")
               << loss << "' is not a scalar float: it cannot be the loss";
      return index;
    }
    return forward.emitError("the model has no output '") << loss << "'";
  }
  SmallVector<unsigned> candidates;
  for (auto [index, type] : llvm::enumerate(results))
    if (isScalarFloat(type) && !gradientResults.contains(index))
      candidates.push_back(index);
  if (candidates.size() != 1)
    return forward.emitError("the model has ")
           << candidates.size()
           << " scalar float outputs; name the loss with --loss";
  return candidates.front();
}

StepFunction MakeTrainStepPass::cloneForward(OpBuilder &builder,
                                             func::FuncOp forward) {
  builder.setInsertionPointAfter(forward);
  auto func = cast<func::FuncOp>(builder.clone(*forward));
  func.setName("train_step");
  // Arguments: inputs, lr, parameters (as in @forward), then state.
  unsigned firstParam = 0;
  while (firstParam < func.getNumArguments() && !getParam(func, firstParam))
    ++firstParam;
  func.insertArgument(firstParam,
                      RankedTensorType::get({}, builder.getF32Type()),
                      builder.getDictionaryAttr(builder.getNamedAttr(
                          kNameAttrName, builder.getStringAttr("lr"))),
                      forward.getLoc());
  auto ret = cast<func::ReturnOp>(func.getBody().front().getTerminator());
  builder.setInsertionPoint(ret);
  return {func, ret, func.getArgument(firstParam), firstParam + 1};
}

FailureOr<SmallVector<unsigned>>
MakeTrainStepPass::findTrainable(func::FuncOp forward, StepFunction step) {
  SmallVector<unsigned> trainable;
  for (unsigned index = step.firstParam; index < step.func.getNumArguments();
       ++index) {
    std::optional<ParamInfo> param = getParam(step.func, index);
    if (param && param->trainable)
      trainable.push_back(index);
  }
  if (trainable.empty())
    return forward.emitError("no parameter is trainable");
  if (llvm::any_of(trainable, [&](unsigned index) {
        return !getElementTypeOrSelf(step.func.getArgument(index)).isF32();
      }))
    return forward.emitError("training needs float32 parameters");
  return trainable;
}

FailureOr<SmallVector<Value>> MakeTrainStepPass::buildGradientsOf(
    OpBuilder &builder, StepFunction step, Value loss,
    ArrayRef<unsigned> trainable,
    const llvm::StringMap<unsigned> &givenGradients) {
  SmallVector<Value> params;
  for (unsigned index : trainable)
    params.push_back(step.func.getArgument(index));
  FailureOr<SmallVector<Value>> gradients = SmallVector<Value>();
  if (gradientSuffix.empty())
    gradients = buildGradients(builder, loss, params);
  else
    for (unsigned index : trainable)
      gradients->push_back(step.ret.getOperand(
          givenGradients.lookup(paramName(step.func, index))));
  if (failed(gradients))
    return failure();
  Location loc = step.func.getLoc();
  for (auto [index, gradient] : llvm::enumerate(*gradients)) {
    if (gradient)
      continue;
    emitWarning(loc) << "the loss does not depend on trainable parameter '"
                     << paramName(step.func, trainable[index])
                     << "'; its gradient is zero";
    gradient = splat(builder, loc, params[index].getType(), 0);
  }
  return gradients;
}

void MakeTrainStepPass::clipGlobalNorm(OpBuilder &builder, Location loc,
                                       MutableArrayRef<Value> gradients,
                                       ShardedUpdate *sharded) {
  // g *= min(1, clip / (|g| + 1e-6)).
  auto scalarF32 = RankedTensorType::get({}, builder.getF32Type());
  Value total;
  for (Value gradient : gradients) {
    auto type = cast<RankedTensorType>(gradient.getType());
    SmallVector<int64_t> all;
    for (int64_t dim = 0; dim < type.getRank(); ++dim)
      all.push_back(dim);
    Value squares = builder.create<MulOp>(loc, gradient, gradient);
    Value sum = all.empty() ? squares
                            : builder.create<ReduceSumOp>(loc, scalarF32,
                                                          squares, all, false);
    total = total ? builder.create<AddOp>(loc, total, sum).getResult() : sum;
  }
  if (sharded)
    total = sharded->globalSumOfSquares(builder, loc, total, gradients);
  auto scalar = [&](double value) {
    return splat(builder, loc, scalarF32, value);
  };
  Value norm = builder.create<SqrtOp>(loc, total);
  Value factor = builder.create<MinOp>(
      loc, scalar(1.0),
      builder.create<DivOp>(loc, scalar(clipGradNorm),
                            builder.create<AddOp>(loc, norm, scalar(1e-6))));
  for (Value &gradient : gradients) {
    Value spread = builder.create<BroadcastOp>(loc, gradient.getType(), factor);
    gradient = builder.create<MulOp>(loc, gradient, spread);
  }
}

void MakeTrainStepPass::dropTrainingOnlyDropout(func::FuncOp forward) {
  forward.walk([](DropoutOp dropout) {
    if (!dropout.getTrainingOnly())
      return;
    OpBuilder builder(dropout);
    dropout.getResult().replaceAllUsesWith(dropout.getInput());
    dropout.getMask().replaceAllUsesWith(builder.create<ConstantOp>(
        dropout.getLoc(), dropout.getMask().getType(), 1.0));
    dropout.erase();
  });
}

void MakeTrainStepPass::advanceDropout(OpBuilder &builder, func::FuncOp step,
                                       Value counter, scf::ForOp microBatches) {
  Value dropoutCounter = counter;
  if (microBatches && !microBatches.getBody()->getOps<DropoutOp>().empty()) {
    OpBuilder::InsertionGuard guard(builder);
    builder.setInsertionPointToStart(microBatches.getBody());
    Location loc = microBatches.getLoc();
    Value iteration = builder.create<tensor::FromElementsOp>(
        loc, counter.getType(),
        ValueRange{builder.create<arith::IndexCastOp>(
            loc, builder.getI64Type(), microBatches.getInductionVar())});
    int64_t count = accumulate;
    dropoutCounter = builder.create<AddOp>(
        loc,
        builder.create<MulOp>(loc, counter,
                              splat(builder, loc, counter.getType(), count)),
        iteration);
  }
  step.walk([&](DropoutOp dropout) {
    dropout.getStepMutable().assign(dropoutCounter);
  });
}

SmallVector<StateUpdate> MakeTrainStepPass::buildUpdates(
    OpBuilder &builder, const Optimizer &chosen, StepFunction step,
    ArrayRef<unsigned> trainable, ArrayRef<Value> gradients,
    scf::ForOp microBatches, ShardedUpdate *sharded) {
  SmallVector<SmallVector<Value>> states;
  for (auto [position, index] : llvm::enumerate(trainable)) {
    SmallVector<Value> &state = states.emplace_back();
    auto type = cast<RankedTensorType>(step.func.getArgument(index).getType());
    for (StringRef suffix : chosen.stateSuffixes) {
      BlockArgument argument = appendStateArgument(
          builder, step.func,
          sharded ? gradients[position].getType() : Type(type),
          (paramName(step.func, index) + "." + suffix).str(), "optimizer");
      if (sharded)
        setShard(step.func, argument.getArgNumber(),
                 {sharded->numProcesses(), type.getShape()});
      state.push_back(argument);
    }
  }
  BlockArgument counter = appendStepCounter(builder, step.func);
  advanceDropout(builder, step.func, counter, microBatches);

  SmallVector<double> hyperparameters =
      chosen.resolve({momentum, beta1, beta2, eps, weightDecay});
  SmallVector<StateUpdate> updates;
  Location loc = step.func.getLoc();
  // Sharded, the pieces are updated bucket by bucket, each bucket's gather
  // starting while the next is updated.
  SmallVector<unsigned> order;
  if (sharded)
    for (const GradientBucket &bucket : sharded->gradientBuckets())
      order.append(bucket.members);
  else
    order.assign(llvm::to_vector(llvm::seq<unsigned>(0, trainable.size())));
  SmallVector<Value> params, newParams(trainable.size());
  SmallVector<SmallVector<Value>> newStates(trainable.size());
  for (unsigned index : trainable)
    params.push_back(step.func.getArgument(index));
  for (unsigned position : order) {
    ArrayRef<Value> state = states[position];
    Value param = params[position];
    UpdateOperands operands{sharded ? sharded->pieceOf(builder, loc, param)
                                    : param,
                            gradients[position],
                            step.lr,
                            counter,
                            state,
                            hyperparameters};
    SmallVector<Value> updated = chosen.buildUpdate(builder, loc, operands);
    newParams[position] = updated[0];
    newStates[position].assign(updated.begin() + 1, updated.end());
  }
  if (sharded)
    newParams = sharded->gatherParameters(builder, loc, params, newParams);
  for (auto [position, index] : llvm::enumerate(trainable)) {
    updates.push_back({newParams[position], index});
    for (auto [value, old] :
         llvm::zip_equal(newStates[position], states[position]))
      updates.push_back({value, cast<BlockArgument>(old).getArgNumber()});
  }
  updates.push_back(incrementStepCounter(builder, step.func.getLoc(), counter));
  return updates;
}

void MakeTrainStepPass::runOnOperation() {
  ModuleOp module = getOperation();
  func::FuncOp forward = lookupForward(module, "train");
  if (!forward)
    return signalPassFailure();
  const Optimizer *chosen = findOptimizer(optimizer);
  if (!chosen) {
    module.emitError("unknown optimizer '")
        << optimizer << "': the optimizers are " << optimizerNames();
    return signalPassFailure();
  }
  for (auto [option, setting] :
       std::initializer_list<std::pair<Option<double> *, StringRef>>{
           {&momentum, "momentum"},
           {&beta1, "beta1"},
           {&beta2, "beta2"},
           {&eps, "eps"},
           {&weightDecay, "weight_decay"},
           {&clipGradNorm, "clip_grad_norm"}}) {
    // An unset hyper-parameter takes the optimizer's default.
    if (*option == kUnset && option != &clipGradNorm)
      continue;
    if (std::string problem = checkSetting(setting, *option);
        !problem.empty()) {
      module.emitError("option ") << option->ArgStr << ": " << problem;
      return signalPassFailure();
    }
  }
  // The option converts to int only implicitly, and a Diagnostic would take
  // that int as a char: read it out first.
  int microBatchCount = accumulate;
  if (microBatchCount < 1) {
    module.emitError("accumulate must be at least 1, not ") << microBatchCount;
    return signalPassFailure();
  }
  llvm::StringMap<unsigned> givenGradients;
  if (!gradientSuffix.empty()) {
    FailureOr<llvm::StringMap<unsigned>> found = findGivenGradients(forward);
    if (failed(found))
      return signalPassFailure();
    givenGradients = std::move(*found);
  }
  FailureOr<unsigned> lossResult = findLoss(forward);
  if (failed(lossResult))
    return signalPassFailure();

  OpBuilder builder(module.getContext());
  StepFunction step = cloneForward(builder, forward);
  dropTrainingOnlyDropout(forward);
  FailureOr<SmallVector<unsigned>> trainable = findTrainable(forward, step);
  if (failed(trainable)) {
    step.func.erase();
    return signalPassFailure();
  }
  Location loc = forward.getLoc();
  Value lossValue = step.ret.getOperand(*lossResult);
  // A loss of shape [1] (rather than []) is differentiated as a scalar.
  auto scalarF32 = RankedTensorType::get({}, builder.getF32Type());
  if (cast<RankedTensorType>(lossValue.getType()).getRank() != 0)
    lossValue = builder.create<ReshapeOp>(loc, scalarF32, lossValue);
  // The boundary the workspace plan measures the kept activations at.
  BackwardBeginsOp marker;
  if (gradientSuffix.empty())
    marker = builder.create<BackwardBeginsOp>(loc);
  FailureOr<SmallVector<Value>> gradients =
      buildGradientsOf(builder, step, lossValue, *trainable, givenGradients);
  if (failed(gradients))
    return signalPassFailure();
  if (marker)
    recordKeptValues(step.func, marker);
  scf::ForOp microBatches;
  if (microBatchCount > 1)
    microBatches =
        accumulateMicroBatches(builder, step.func, step.firstParam - 1,
                               microBatchCount, lossValue, *gradients);
  std::optional<ShardedUpdate> sharded;
  if (shardOptimizer != 0) {
    int64_t processes = shardOptimizer;
    if (!dataParallel || processes < 2) {
      module.emitError("shard-optimizer needs data-parallel and 2 or more "
                       "processes, not ")
          << processes;
      step.func.erase();
      return signalPassFailure();
    }
    sharded.emplace(processes);
  }
  Block &body = step.func.getBody().front();
  if (dataParallel &&
      failed(sharded ? sharded->scatterGradients(builder, loc, body,
                                                 bucketBytes, *gradients)
                     : averageOverProcesses(builder, loc, body, bucketBytes,
                                            *gradients))) {
    step.func.erase();
    return signalPassFailure();
  }
  ShardedUpdate *shardedUpdate = sharded ? &*sharded : nullptr;
  if (clipGradNorm > 0)
    clipGlobalNorm(builder, loc, *gradients, shardedUpdate);
  SmallVector<StateUpdate> updates =
      buildUpdates(builder, *chosen, step, *trainable, *gradients, microBatches,
                   shardedUpdate);

  // Results: the loss first, the other outputs (which are per micro-batch
  // when there are several, and then left out), then the updates.
  Value lossOut = step.ret.getOperand(*lossResult);
  if (microBatches)
    lossOut =
        lossOut.getType() == lossValue.getType()
            ? lossValue
            : builder.create<ReshapeOp>(loc, lossOut.getType(), lossValue);
  SmallVector<Value> results = {lossOut};
  SmallVector<DictionaryAttr> resultAttrs = {
      step.func.getResultAttrDict(*lossResult)};
  for (unsigned index = 0; index < step.ret.getNumOperands() && !microBatches;
       ++index)
    if (index != *lossResult && !gradientResults.contains(index)) {
      results.push_back(step.ret.getOperand(index));
      resultAttrs.push_back(step.func.getResultAttrDict(index));
    }
  returnWithUpdates(builder, step.func, results, resultAttrs, updates);
}

} // namespace
