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
#include "passes/Autodiff/Autodiff.h"
#include "passes/TrainStep/TrainStep.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/IRMapping.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/StringMap.h"

namespace quern {
#define GEN_PASS_DEF_MAKETRAINSTEPPASS
#include "passes/Passes.h.inc"
} // namespace quern

using namespace mlir;
using namespace quern;

namespace {

/// A constant tensor of `type` whose elements are all `value`.
Value splat(OpBuilder &builder, Location loc, Type type, double value) {
  auto tensor = cast<RankedTensorType>(type);
  Type element = tensor.getElementType();
  TypedAttr scalar = isa<FloatType>(element)
                         ? TypedAttr(builder.getFloatAttr(element, value))
                         : TypedAttr(builder.getIntegerAttr(
                               element, static_cast<int64_t>(value)));
  return builder.create<ConstantOp>(loc,
                                    DenseElementsAttr::get(tensor, scalar));
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
  for (Value value : llvm::concat<Value>(MutableArrayRef<Value>(&loss, 1),
                                         gradients)) {
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
  auto loop = builder.create<scf::ForOp>(loc, index(0), index(count),
                                         index(1), sums);
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
    SmallVector<OpFoldResult> sizes, strides(type.getRank(),
                                             builder.getIndexAttr(1));
    for (int64_t size : type.getShape())
      sizes.push_back(builder.getIndexAttr(size));
    auto slice = builder.create<tensor::ExtractSliceOp>(loc, type, input,
                                                        offsets, sizes, strides);
    input.replaceAllUsesExcept(slice, slice);
  }

  builder.setInsertionPointToEnd(loopBody);
  SmallVector<Value> next;
  for (auto [sum, value] :
       llvm::zip_equal(loop.getRegionIterArgs(),
                       llvm::concat<Value>(MutableArrayRef<Value>(&loss, 1),
                                           gradients))) {
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

struct MakeTrainStepPass
    : quern::impl::MakeTrainStepPassBase<MakeTrainStepPass> {
  using quern::impl::MakeTrainStepPassBase<
      MakeTrainStepPass>::MakeTrainStepPassBase;

  void runOnOperation() override;

private:
  FailureOr<unsigned> findLoss(func::FuncOp forward);
  /// The names of the optimizer state one parameter needs.
  SmallVector<std::string> stateNames(StringRef param) const;
  /// With gradient-suffix: the result of `forward` that is each parameter's
  /// gradient, by parameter name. Parameters without one are frozen.
  FailureOr<llvm::StringMap<unsigned>> findGivenGradients(func::FuncOp forward);

  /// Results of @forward that are gradients the graph computes itself.
  llvm::DenseSet<unsigned> gradientResults;
};

FailureOr<llvm::StringMap<unsigned>>
MakeTrainStepPass::findGivenGradients(func::FuncOp forward) {
  llvm::StringMap<unsigned> byName;
  for (unsigned index = 0; index < forward.getNumResults(); ++index)
    if (auto name = forward.getResultAttrOfType<StringAttr>(index,
                                                            kNameAttrName))
      byName[name.getValue()] = index;
  llvm::StringMap<unsigned> gradients;
  Builder builder(forward.getContext());
  for (unsigned index = 0; index < forward.getNumArguments(); ++index) {
    auto param = forward.getArgAttrOfType<DictionaryAttr>(index, kParamAttrName);
    if (!param || !param.getAs<BoolAttr>("trainable").getValue())
      continue;
    StringRef name = param.getAs<StringAttr>("name").getValue();
    auto found = byName.find((name + gradientSuffix).str());
    if (found == byName.end()) {
      forward.setArgAttr(
          index, kParamAttrName,
          builder.getDictionaryAttr(
              {builder.getNamedAttr("name", builder.getStringAttr(name)),
               builder.getNamedAttr("trainable", builder.getBoolAttr(false))}));
      continue;
    }
    if (forward.getResultTypes()[found->second] !=
        forward.getArgumentTypes()[index])
      return forward.emitError("output '")
             << found->first() << "' has type "
             << forward.getResultTypes()[found->second]
             << " but parameter '" << name << "' has type "
             << forward.getArgumentTypes()[index];
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
  // The option converts to int only implicitly, and a Diagnostic would take
  // that int as a char: read it out first.
  int chosen = lossIndex;
  if (chosen >= 0) {
    if (chosen >= static_cast<int>(results.size()) ||
        !isScalarFloat(results[chosen]))
      return forward.emitError("result ")
             << chosen << " is not a scalar float: it cannot be the loss";
    return static_cast<unsigned>(chosen);
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

SmallVector<std::string> MakeTrainStepPass::stateNames(StringRef param) const {
  if (optimizer == "momentum" || optimizer == "nesterov")
    return {(param + ".momentum_buffer").str()};
  if (optimizer == "adam" || optimizer == "adamw")
    return {(param + ".exp_avg").str(), (param + ".exp_avg_sq").str()};
  if (optimizer == "adagrad")
    return {(param + ".sum").str()};
  return {};
}

void MakeTrainStepPass::runOnOperation() {
  ModuleOp module = getOperation();
  auto forward = module.lookupSymbol<func::FuncOp>("forward");
  if (!forward) {
    module.emitError("no @forward function to train");
    return signalPassFailure();
  }
  static const StringRef known[] = {"sgd",  "momentum", "nesterov",
                                    "adam", "adamw",    "adagrad"};
  if (!llvm::is_contained(known, optimizer)) {
    module.emitError("unknown optimizer '") << optimizer << "'";
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
  Location loc = forward.getLoc();
  builder.setInsertionPointAfter(forward);
  auto step = cast<func::FuncOp>(builder.clone(*forward));
  step.setName("train_step");
  Block &body = step.getBody().front();
  auto ret = cast<func::ReturnOp>(body.getTerminator());
  Type f32 = builder.getF32Type();
  auto scalarF32 = RankedTensorType::get({}, f32);
  auto scalarI64 = RankedTensorType::get({}, builder.getI64Type());

  // Arguments: inputs, lr, parameters (as in @forward), state, step.
  unsigned firstParam = 0;
  while (firstParam < step.getNumArguments() &&
         !step.getArgAttr(firstParam, kParamAttrName))
    ++firstParam;
  step.insertArgument(firstParam, scalarF32,
                      builder.getDictionaryAttr(builder.getNamedAttr(
                          kNameAttrName, builder.getStringAttr("lr"))),
                      loc);
  Value lr = step.getArgument(firstParam);

  SmallVector<unsigned> trainable;
  for (unsigned index = firstParam + 1; index < step.getNumArguments();
       ++index) {
    auto param = step.getArgAttrOfType<DictionaryAttr>(index, kParamAttrName);
    auto flag = param ? param.getAs<BoolAttr>("trainable") : BoolAttr();
    if (flag && flag.getValue())
      trainable.push_back(index);
  }
  if (trainable.empty()) {
    forward.emitError("no parameter is trainable");
    return signalPassFailure();
  }
  // As with lossIndex, read the option out before it meets a Diagnostic.
  int microBatchCount = accumulate;
  if (microBatchCount < 1) {
    module.emitError("accumulate must be at least 1, not ") << microBatchCount;
    return signalPassFailure();
  }
  if (!isa<Float32Type>(
          cast<RankedTensorType>(lr.getType()).getElementType()) ||
      llvm::any_of(trainable, [&](unsigned index) {
        return !cast<RankedTensorType>(step.getArgument(index).getType())
                    .getElementType()
                    .isF32();
      })) {
    forward.emitError("training needs float32 parameters");
    return signalPassFailure();
  }

  builder.setInsertionPoint(ret);
  Value loss = ret.getOperand(*lossResult);
  // A loss of shape [1] (rather than []) is differentiated as a scalar.
  if (cast<RankedTensorType>(loss.getType()).getRank() != 0)
    loss = builder.create<ReshapeOp>(loc, scalarF32, loss);
  SmallVector<Value> params;
  for (unsigned index : trainable)
    params.push_back(step.getArgument(index));
  auto paramName = [&](unsigned index) {
    return step.getArgAttrOfType<DictionaryAttr>(index, kParamAttrName)
        .getAs<StringAttr>("name")
        .getValue();
  };
  // The graph's own backward, or reverse mode from the loss.
  FailureOr<SmallVector<Value>> gradients = SmallVector<Value>();
  if (gradientSuffix.empty())
    gradients = buildGradients(builder, loss, params);
  else
    for (unsigned index : trainable)
      gradients->push_back(
          ret.getOperand(givenGradients.lookup(paramName(index))));
  if (failed(gradients))
    return signalPassFailure();
  for (auto [index, gradient] : llvm::enumerate(*gradients)) {
    if (gradient)
      continue;
    emitWarning(loc) << "the loss does not depend on trainable parameter '"
                     << paramName(trainable[index]) << "'; its gradient is zero";
    auto type = cast<RankedTensorType>(params[index].getType());
    gradient = splat(builder, loc, type, 0);
  }
  scf::ForOp microBatches;
  if (microBatchCount > 1)
    microBatches = accumulateMicroBatches(builder, step, firstParam,
                                          microBatchCount, loss, *gradients);

  // Global-norm clipping: g *= min(1, clip / (|g| + 1e-6)), as PyTorch's
  // clip_grad_norm_.
  if (clipGradNorm > 0) {
    Value total;
    for (Value gradient : *gradients) {
      auto type = cast<RankedTensorType>(gradient.getType());
      SmallVector<int64_t> all;
      for (int64_t dim = 0; dim < type.getRank(); ++dim)
        all.push_back(dim);
      Value squares = builder.create<MulOp>(loc, gradient, gradient);
      Value sum = all.empty() ? squares
                              : builder.create<ReduceSumOp>(
                                    loc, scalarF32, squares, all, false);
      total = total ? builder.create<AddOp>(loc, total, sum).getResult() : sum;
    }
    auto scalar = [&](double value) {
      return splat(builder, loc, scalarF32, value);
    };
    Value norm = builder.create<SqrtOp>(loc, total);
    Value factor = builder.create<MinOp>(
        loc, scalar(1.0),
        builder.create<DivOp>(loc, scalar(clipGradNorm),
                              builder.create<AddOp>(loc, norm, scalar(1e-6))));
    for (Value &gradient : *gradients) {
      auto type = cast<RankedTensorType>(gradient.getType());
      Value spread = builder.create<BroadcastOp>(loc, type, factor);
      gradient = builder.create<MulOp>(loc, gradient, spread);
    }
  }

  // Optimizer state and the step counter become trailing arguments.
  double decay = weightDecay >= 0 ? weightDecay
                 : optimizer == "adamw" ? 0.01
                                        : 0.0;
  SmallVector<StateUpdate> updates;
  SmallVector<SmallVector<Value>> states;
  for (unsigned index : trainable) {
    auto name = step.getArgAttrOfType<DictionaryAttr>(index, kParamAttrName)
                    .getAs<StringAttr>("name");
    SmallVector<Value> &state = states.emplace_back();
    for (const std::string &stateName : stateNames(name.getValue()))
      state.push_back(appendStateArgument(
          builder, step, step.getArgument(index).getType(), stateName,
          "optimizer"));
  }
  BlockArgument stepCounter = appendStepCounter(builder, step);
  // Dropout draws a new mask every step, and every micro-batch of one: its
  // hash includes the counter (times the micro-batches, plus this one).
  Value dropoutCounter = stepCounter;
  if (microBatches && !microBatches.getBody()->getOps<DropoutOp>().empty()) {
    OpBuilder::InsertionGuard guard(builder);
    builder.setInsertionPointToStart(microBatches.getBody());
    Value iteration = builder.create<tensor::FromElementsOp>(
        loc, scalarI64,
        ValueRange{builder.create<arith::IndexCastOp>(
            loc, builder.getI64Type(), microBatches.getInductionVar())});
    dropoutCounter = builder.create<AddOp>(
        loc,
        builder.create<MulOp>(loc, stepCounter,
                              splat(builder, loc, scalarI64, microBatchCount)),
        iteration);
  }
  step.walk([&](DropoutOp dropout) {
    dropout.getStepMutable().assign(dropoutCounter);
  });

  for (auto [position, index] : llvm::enumerate(trainable)) {
    Value param = step.getArgument(index);
    Value gradient = (*gradients)[position];
    ArrayRef<Value> state = states[position];
    SmallVector<Value> updated;
    if (optimizer == "adam" || optimizer == "adamw") {
      Type type = param.getType();
      auto update = builder.create<AdamUpdateOp>(
          loc, type, type, type, param, gradient, state[0], state[1], lr,
          stepCounter,
          builder.getF64FloatAttr(beta1), builder.getF64FloatAttr(beta2),
          builder.getF64FloatAttr(eps >= 0 ? eps : 1e-8),
          builder.getF64FloatAttr(decay),
          optimizer == "adamw" ? builder.getUnitAttr() : UnitAttr());
      updated.assign(update->result_begin(), update->result_end());
    } else if (optimizer == "adagrad") {
      Type type = param.getType();
      auto update = builder.create<AdagradUpdateOp>(
          loc, type, type, param, gradient, state[0], lr,
          builder.getF64FloatAttr(eps >= 0 ? eps : 1e-10),
          builder.getF64FloatAttr(decay));
      updated.assign(update->result_begin(), update->result_end());
    } else {
      bool hasMomentum = optimizer != "sgd";
      auto update = builder.create<SgdUpdateOp>(
          loc, param.getType(),
          hasMomentum ? param.getType() : Type(), param, gradient, lr,
          hasMomentum ? state[0] : Value(),
          builder.getF64FloatAttr(hasMomentum ? momentum : 0.0),
          optimizer == "nesterov" ? builder.getUnitAttr() : UnitAttr(),
          builder.getF64FloatAttr(decay));
      updated.assign(update->result_begin(), update->result_end());
    }
    updates.push_back({updated[0], index});
    for (auto [value, old] : llvm::zip_equal(
             ArrayRef<Value>(updated).drop_front(), state))
      updates.push_back({value, cast<BlockArgument>(old).getArgNumber()});
  }
  updates.push_back(incrementStepCounter(builder, loc, stepCounter));

  // Results: the loss first, the other outputs (which are per micro-batch
  // when there are several, and then left out), then the updates.
  Value lossOut = ret.getOperand(*lossResult);
  if (microBatches)
    lossOut = lossOut.getType() == loss.getType()
                  ? loss
                  : builder.create<ReshapeOp>(loc, lossOut.getType(), loss);
  SmallVector<Value> results = {lossOut};
  SmallVector<DictionaryAttr> resultAttrs = {step.getResultAttrDict(*lossResult)};
  for (unsigned index = 0; index < ret.getNumOperands() && !microBatches;
       ++index)
    if (index != *lossResult && !gradientResults.contains(index)) {
      results.push_back(ret.getOperand(index));
      resultAttrs.push_back(step.getResultAttrDict(index));
    }
  returnWithUpdates(builder, step, results, resultAttrs, updates);
}

} // namespace
