//===- QuernGradients.cpp - vector-Jacobian products of quern ops -*- C++ -*-//
//
// GradientOpInterface for every differentiable op: given the gradient of the
// loss with respect to an op's results, build the gradient with respect to
// its operands from quern ops. Results the loss does not depend on come in
// as null; operands without a gradient (integers, booleans, indices) get
// null. Broadcasting is explicit in quern, so elementwise gradients have
// their operands' shapes already.
//
//===----------------------------------------------------------------------===//

#include "dialects/quern/QuernBuild.h"
#include "dialects/quern/QuernOps.h"

#include "mlir/IR/Builders.h"
#include "llvm/ADT/StringExtras.h"

#include <cmath>

using namespace mlir;
using namespace quern;

namespace {

/// The vocabulary the gradients are written in.
using Grad = QuernOps;

bool isFloatValue(Value value) {
  return isa<FloatType>(
      cast<RankedTensorType>(value.getType()).getElementType());
}

/// Elementwise ops with one result: the gradient of each operand from the
/// result gradient `g`.
template <typename Op, typename Fn>
LogicalResult elementwise(Op op, OpBuilder &builder,
                          ArrayRef<Value> resultGradients,
                          SmallVectorImpl<Value> &operandGradients, Fn fn) {
  Value g = resultGradients[0];
  Grad grad{builder, op.getLoc()};
  SmallVector<Value> gradients =
      g ? fn(grad, g) : SmallVector<Value>(op->getNumOperands());
  for (auto [operand, gradient] : llvm::zip_equal(op->getOperands(), gradients))
    operandGradients.push_back(isFloatValue(operand) ? gradient : Value());
  return success();
}

} // namespace

// Each elementwise gradient is the body of a lambda from (d, g) to the
// operand gradients, with `op` the op being differentiated.
#define ELEMENTWISE_GRADIENT(OpClass, ...)                                     \
  LogicalResult OpClass::buildGradients(                                       \
      OpBuilder &builder, ArrayRef<Value> resultGradients,                     \
      SmallVectorImpl<Value> &operandGradients) {                              \
    OpClass op = *this;                                                        \
    (void)op;                                                                  \
    return elementwise(                                                        \
        *this, builder, resultGradients, operandGradients,                     \
        [&](Grad & d, Value g) -> SmallVector<Value> __VA_ARGS__);             \
  }

ELEMENTWISE_GRADIENT(AddOp, { return {g, g}; })
ELEMENTWISE_GRADIENT(SubOp, { return {g, d.neg(g)}; })
ELEMENTWISE_GRADIENT(MulOp,
                     { return {d.mul(g, op.getRhs()), d.mul(g, op.getLhs())}; })
ELEMENTWISE_GRADIENT(DivOp, {
  Value dx = d.div(g, op.getRhs());
  return {dx, d.neg(d.mul(dx, op.getResult()))};
})
ELEMENTWISE_GRADIENT(NegOp, { return {d.neg(g)}; })
ELEMENTWISE_GRADIENT(ExpOp, { return {d.mul(g, op.getResult())}; })
ELEMENTWISE_GRADIENT(LogOp, { return {d.div(g, op.getInput())}; })
ELEMENTWISE_GRADIENT(TanhOp, {
  Value r = op.getResult();
  return {d.mul(g, d.sub(d.splatLike(r, 1.0), d.mul(r, r)))};
})
ELEMENTWISE_GRADIENT(SigmoidOp, {
  Value r = op.getResult();
  return {d.mul(g, d.mul(r, d.sub(d.splatLike(r, 1.0), r)))};
})
ELEMENTWISE_GRADIENT(SqrtOp,
                     { return {d.div(g, d.scale(op.getResult(), 2.0))}; })
ELEMENTWISE_GRADIENT(ReciprocalOp, {
  Value r = op.getResult();
  return {d.neg(d.mul(g, d.mul(r, r)))};
})
ELEMENTWISE_GRADIENT(ErfOp, {
  Value x = op.getInput();
  Value gauss = d.b.create<ExpOp>(d.loc, d.neg(d.mul(x, x)));
  return {d.mul(g, d.scale(gauss, 2.0 / std::sqrt(M_PI)))};
})
ELEMENTWISE_GRADIENT(SinOp, {
  return {d.mul(g, d.b.create<CosOp>(d.loc, op.getInput()))};
})
ELEMENTWISE_GRADIENT(CosOp, {
  return {d.neg(d.mul(g, d.b.create<SinOp>(d.loc, op.getInput())))};
})
ELEMENTWISE_GRADIENT(AbsOp, {
  Value x = op.getInput();
  Value zero = d.zerosLike(x);
  Value sign = d.select(d.compare(ComparePredicate::lt, x, zero), d.neg(g), g);
  return {d.select(d.compare(ComparePredicate::eq, x, zero), zero, sign)};
})
ELEMENTWISE_GRADIENT(ReluOp, {
  Value x = op.getInput();
  Value zero = d.zerosLike(x);
  return {d.select(d.compare(ComparePredicate::gt, x, zero), g, zero)};
})
ELEMENTWISE_GRADIENT(LeakyReluOp, {
  Value x = op.getInput();
  Value positive = d.compare(ComparePredicate::gt, x, d.zerosLike(x));
  return {d.select(positive, g, d.scale(g, op.getAlpha().convertToDouble()))};
})
ELEMENTWISE_GRADIENT(PowOp, {
  Value x = op.getLhs(), y = op.getRhs(), r = op.getResult();
  Value xToYMinus1 = d.b.create<PowOp>(d.loc, x, d.sub(y, d.splatLike(y, 1.0)));
  Value dx = d.mul(g, d.mul(y, xToYMinus1));
  Value dy = d.mul(g, d.mul(r, d.b.create<LogOp>(d.loc, x)));
  return {dx, dy};
})
ELEMENTWISE_GRADIENT(MaxOp, {
  Value zero = d.zerosLike(g);
  Value first = d.compare(ComparePredicate::ge, op.getLhs(), op.getRhs());
  return {d.select(first, g, zero), d.select(first, zero, g)};
})
ELEMENTWISE_GRADIENT(MinOp, {
  Value zero = d.zerosLike(g);
  Value first = d.compare(ComparePredicate::le, op.getLhs(), op.getRhs());
  return {d.select(first, g, zero), d.select(first, zero, g)};
})
ELEMENTWISE_GRADIENT(SelectOp, {
  Value zero = d.zerosLike(g);
  return {Value(), d.select(op.getCondition(), g, zero),
          d.select(op.getCondition(), zero, g)};
})
ELEMENTWISE_GRADIENT(CastOp, {
  if (!isFloatValue(op.getResult()))
    return {Value()};
  return {d.b.create<CastOp>(d.loc, op.getInput().getType(), g)};
})

#undef ELEMENTWISE_GRADIENT

//===----------------------------------------------------------------------===//
// Contractions
//===----------------------------------------------------------------------===//

LogicalResult
MatMulOp::buildGradients(OpBuilder &builder, ArrayRef<Value> resultGradients,
                         SmallVectorImpl<Value> &operandGradients) {
  Value g = resultGradients[0];
  Grad d{builder, getLoc()};
  Value a = getLhs(), b = getRhs();
  ArrayRef<int64_t> aShape = getLhs().getType().getShape();
  ArrayRef<int64_t> bShape = getRhs().getType().getShape();
  bool ta = getTransposeLhs(), tb = getTransposeRhs();
  // C = op(A) op(B); the cases follow from dA = g op(B)^T, dB = op(A)^T g.
  Value da, db;
  if (!ta && !tb) {
    da = d.matmul(g, b, false, true, aShape);
    db = d.matmul(a, g, true, false, bShape);
  } else if (ta && !tb) {
    da = d.matmul(b, g, false, true, aShape);
    db = d.matmul(a, g, false, false, bShape);
  } else if (!ta && tb) {
    da = d.matmul(g, b, false, false, aShape);
    db = d.matmul(g, a, true, false, bShape);
  } else {
    da = d.matmul(b, g, true, true, aShape);
    db = d.matmul(g, a, true, true, bShape);
  }
  operandGradients.append({da, db});
  if (Value bias = getBias())
    operandGradients.push_back(
        d.sumToShape(g, cast<RankedTensorType>(bias.getType()).getShape()));
  return success();
}

LogicalResult
EinsumOp::buildGradients(OpBuilder &builder, ArrayRef<Value> resultGradients,
                         SmallVectorImpl<Value> &operandGradients) {
  Value g = resultGradients[0];
  EinsumEquation equation = *parseEinsumEquation(getEquation());
  for (auto [index, operand] : llvm::enumerate(getOperands())) {
    const std::string &letters = equation.operands[index];
    // The gradient of one operand is the einsum of the others with g, into
    // the operand's letters: possible when every letter of the operand is
    // somewhere else and none repeats (no diagonal).
    std::string others = equation.result;
    SmallVector<Value> inputs;
    SmallVector<std::string> subscripts;
    for (auto [otherIndex, other] : llvm::enumerate(getOperands()))
      if (otherIndex != index) {
        inputs.push_back(other);
        subscripts.push_back(equation.operands[otherIndex]);
        others += equation.operands[otherIndex];
      }
    inputs.push_back(g);
    subscripts.push_back(equation.result);
    for (auto [position, letter] : llvm::enumerate(letters))
      if (letters.find(letter) != position ||
          others.find(letter) == std::string::npos)
        return emitOpError("cannot be differentiated with respect to operand ")
               << index << ": its dimension '" << letter
               << "' is a diagonal or is summed within it alone";
    std::string gradientEquation = llvm::join(subscripts, ",") + "->" + letters;
    operandGradients.push_back(builder.create<EinsumOp>(
        getLoc(), operand.getType(), builder.getStringAttr(gradientEquation),
        inputs));
  }
  return success();
}

//===----------------------------------------------------------------------===//
// Reductions and normalizations
//===----------------------------------------------------------------------===//

template <typename Op>
static LogicalResult reductionGradient(Op op, OpBuilder &builder, Value g,
                                       SmallVectorImpl<Value> &gradients,
                                       double factor, bool selectExtreme) {
  Grad d{builder, op.getLoc()};
  ArrayRef<int64_t> shape = op.getInput().getType().getShape();
  Value spread = d.expandReduced(g, shape, op.getAxes());
  if (factor != 1.0)
    spread = d.scale(spread, factor);
  if (selectExtreme) {
    // Every position holding the extreme value gets the gradient.
    Value extreme = d.expandReduced(op.getResult(), shape, op.getAxes());
    spread = d.select(d.compare(ComparePredicate::eq, op.getInput(), extreme),
                      spread, d.zerosLike(spread));
  }
  gradients.push_back(isFloatValue(op.getInput()) ? spread : Value());
  return success();
}

LogicalResult ReduceSumOp::buildGradients(OpBuilder &builder,
                                          ArrayRef<Value> resultGradients,
                                          SmallVectorImpl<Value> &gradients) {
  return reductionGradient(*this, builder, resultGradients[0], gradients, 1.0,
                           false);
}

LogicalResult ReduceMeanOp::buildGradients(OpBuilder &builder,
                                           ArrayRef<Value> resultGradients,
                                           SmallVectorImpl<Value> &gradients) {
  int64_t count = 1;
  for (int64_t axis : getAxes())
    count *= getInput().getType().getDimSize(axis);
  return reductionGradient(*this, builder, resultGradients[0], gradients,
                           1.0 / static_cast<double>(count), false);
}

LogicalResult ReduceMaxOp::buildGradients(OpBuilder &builder,
                                          ArrayRef<Value> resultGradients,
                                          SmallVectorImpl<Value> &gradients) {
  return reductionGradient(*this, builder, resultGradients[0], gradients, 1.0,
                           true);
}

LogicalResult ReduceMinOp::buildGradients(OpBuilder &builder,
                                          ArrayRef<Value> resultGradients,
                                          SmallVectorImpl<Value> &gradients) {
  return reductionGradient(*this, builder, resultGradients[0], gradients, 1.0,
                           true);
}

LogicalResult SoftmaxOp::buildGradients(OpBuilder &builder,
                                        ArrayRef<Value> resultGradients,
                                        SmallVectorImpl<Value> &gradients) {
  // dx = r * (g - sum(g * r)) along the axis.
  Grad d{builder, getLoc()};
  Value g = resultGradients[0], r = getResult();
  ArrayRef<int64_t> shape = getType().getShape();
  int64_t axis = getAxis();
  Value dot =
      d.expandReduced(d.reduceSum(d.mul(g, r), axis, false), shape, axis);
  gradients.push_back(d.mul(r, d.sub(g, dot)));
  return success();
}

LogicalResult LogSoftmaxOp::buildGradients(OpBuilder &builder,
                                           ArrayRef<Value> resultGradients,
                                           SmallVectorImpl<Value> &gradients) {
  // dx = g - softmax(x) * sum(g) along the axis.
  Grad d{builder, getLoc()};
  Value g = resultGradients[0];
  ArrayRef<int64_t> shape = getType().getShape();
  int64_t axis = getAxis();
  Value probabilities = builder.create<ExpOp>(getLoc(), getResult());
  Value total = d.expandReduced(d.reduceSum(g, axis, false), shape, axis);
  gradients.push_back(d.sub(g, d.mul(probabilities, total)));
  return success();
}

LogicalResult LayerNormOp::buildGradients(OpBuilder &builder,
                                          ArrayRef<Value> resultGradients,
                                          SmallVectorImpl<Value> &gradients) {
  if (resultGradients[1] || resultGradients[2])
    return emitOpError("cannot be differentiated through its saved mean and "
                       "inverse standard deviation");
  Grad d{builder, getLoc()};
  Value g = resultGradients[0];
  ArrayRef<int64_t> shape = getResult().getType().getShape();
  int64_t rank = shape.size(), axis = getAxis();
  SmallVector<int64_t> normalized, outer;
  double count = 1;
  for (int64_t dim = 0; dim < rank; ++dim) {
    if (dim >= axis) {
      normalized.push_back(dim);
      count *= shape[dim];
    } else {
      outer.push_back(dim);
    }
  }
  ArrayRef<int64_t> parameterShape = shape.drop_front(axis);
  Value mean = d.broadcast(getMean(), shape);
  Value invStd = d.broadcast(getInvStd(), shape);
  Value xhat = d.mul(d.sub(getInput(), mean), invStd);
  Value scale = d.broadcast(getScale(), shape);
  // dx = inv_std * (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat)).
  Value dxhat = d.mul(g, scale);
  auto meanOver = [&](Value value) {
    return d.scale(d.expandReduced(d.reduceSum(value, normalized, false), shape,
                                   normalized),
                   1.0 / count);
  };
  Value centred = d.sub(d.sub(dxhat, meanOver(dxhat)),
                        d.mul(xhat, meanOver(d.mul(dxhat, xhat))));
  gradients.push_back(d.mul(invStd, centred));
  gradients.push_back(
      d.reshape(d.reduceSum(d.mul(g, xhat), outer, false), parameterShape));
  if (getBias())
    gradients.push_back(
        d.reshape(d.reduceSum(g, outer, false), parameterShape));
  return success();
}

LogicalResult NllLossOp::buildGradients(OpBuilder &builder,
                                        ArrayRef<Value> resultGradients,
                                        SmallVectorImpl<Value> &gradients) {
  // d input[n, c, ...] = -weight[c] * gscale[n, ...] where c is the target,
  // 0 elsewhere; gscale is g itself (none), its broadcast (sum) or its
  // broadcast over the total weight (mean). The class weights have a
  // gradient too (PyTorch treats them as constants, but here they may be
  // trainable initializers).
  Grad d{builder, getLoc()};
  Location loc = getLoc();
  Value g = resultGradients[0];
  auto inputType = cast<RankedTensorType>(getInput().getType());
  auto targetType = cast<RankedTensorType>(getTarget().getType());
  ArrayRef<int64_t> shape = inputType.getShape();
  ArrayRef<int64_t> positions = targetType.getShape();
  int64_t classes = shape[1];
  Type indexType = targetType.getElementType();
  auto positionsType = inputType.clone(positions);

  // The weight of each position: weight[target] (or 1), 0 where ignored.
  Value weights;
  if (Value weight = getWeight())
    weights =
        builder.create<GatherOp>(loc, positionsType, weight, getTarget(), 0);
  else
    weights = d.splat(positionsType, 1.0);
  Value ignored;
  if (std::optional<int64_t> ignore = getIgnoreIndex()) {
    Value ignoreValue = builder.create<ConstantOp>(loc, targetType, *ignore);
    ignored = d.compare(ComparePredicate::eq, getTarget(), ignoreValue);
    weights = d.select(ignored, d.zerosLike(weights), weights);
  }
  Value perPosition;
  switch (getReduction()) {
  case LossReduction::none:
    perPosition = g;
    break;
  case LossReduction::sum:
    perPosition = d.broadcast(g, positions);
    break;
  case LossReduction::mean: {
    SmallVector<int64_t> all;
    for (size_t dim = 0; dim < positions.size(); ++dim)
      all.push_back(dim);
    Value total = d.reduceSum(weights, all, false);
    perPosition = d.broadcast(d.div(g, total), positions);
    break;
  }
  }
  Value scaled = d.neg(d.mul(weights, perPosition));
  // One-hot of the targets along the class dimension.
  SmallVector<int64_t> withClass = {positions[0], 1};
  llvm::append_range(withClass, positions.drop_front());
  Value target = d.broadcast(d.reshape(getTarget(), withClass), shape);
  SmallVector<int64_t> classShape(shape.size(), 1);
  classShape[1] = classes;
  SmallVector<Attribute> classIds;
  for (int64_t c = 0; c < classes; ++c)
    classIds.push_back(builder.getIntegerAttr(indexType, c));
  Value ids = builder.create<ConstantOp>(
      loc, DenseElementsAttr::get(RankedTensorType::get({classes}, indexType),
                                  classIds));
  Value classOf = d.broadcast(d.reshape(ids, classShape), shape);
  Value isTarget = d.compare(ComparePredicate::eq, target, classOf);
  Value spread = d.broadcast(d.reshape(scaled, withClass), shape);
  gradients.push_back(d.select(isTarget, spread, d.zerosLike(spread)));
  gradients.push_back(Value());
  Value weight = getWeight();
  if (!weight)
    return success();

  // d weight[c] sums, over the positions whose target is c, the derivative
  // of their term: -input[n, c, ...] * gscale[n, ...], and with mean the
  // share of the total weight the sum is divided by, -loss * gscale[n, ...].
  // Ignored positions add nothing.
  Value picked = d.reshape(builder.create<GatherElementsOp>(
                               loc, inputType.clone(withClass), getInput(),
                               d.reshape(getTarget(), withClass), 1),
                           positions);
  if (getReduction() == LossReduction::mean)
    picked = d.add(picked, d.broadcast(getResult(), positions));
  Value contribution = d.neg(d.mul(picked, perPosition));
  if (ignored)
    contribution = d.select(ignored, d.zerosLike(contribution), contribution);
  int64_t count = targetType.getNumElements();
  auto weightType = cast<RankedTensorType>(weight.getType());
  gradients.push_back(builder.create<ScatterElementsOp>(
      loc, weightType, d.zerosLike(weight), d.reshape(getTarget(), {count}),
      d.reshape(contribution, {count}), 0, ScatterReduction::add));
  return success();
}

//===----------------------------------------------------------------------===//
// Shape ops
//===----------------------------------------------------------------------===//

LogicalResult ReshapeOp::buildGradients(OpBuilder &builder,
                                        ArrayRef<Value> resultGradients,
                                        SmallVectorImpl<Value> &gradients) {
  Grad d{builder, getLoc()};
  gradients.push_back(
      isFloatValue(getInput())
          ? d.reshape(resultGradients[0], getInput().getType().getShape())
          : Value());
  return success();
}

LogicalResult TransposeOp::buildGradients(OpBuilder &builder,
                                          ArrayRef<Value> resultGradients,
                                          SmallVectorImpl<Value> &gradients) {
  SmallVector<int64_t> inverse(getPerm().size());
  for (auto [dim, source] : llvm::enumerate(getPerm()))
    inverse[source] = dim;
  gradients.push_back(
      isFloatValue(getInput())
          ? builder.create<TransposeOp>(getLoc(), getInput().getType(),
                                        resultGradients[0], inverse)
          : Value());
  return success();
}

LogicalResult BroadcastOp::buildGradients(OpBuilder &builder,
                                          ArrayRef<Value> resultGradients,
                                          SmallVectorImpl<Value> &gradients) {
  Grad d{builder, getLoc()};
  gradients.push_back(
      isFloatValue(getInput())
          ? d.sumToShape(resultGradients[0], getInput().getType().getShape())
          : Value());
  return success();
}

LogicalResult ConcatOp::buildGradients(OpBuilder &builder,
                                       ArrayRef<Value> resultGradients,
                                       SmallVectorImpl<Value> &gradients) {
  int64_t rank = getType().getRank(), axis = getAxis(), offset = 0;
  for (Value input : getInputs()) {
    auto type = cast<RankedTensorType>(input.getType());
    SmallVector<int64_t> offsets(rank, 0), strides(rank, 1);
    offsets[axis] = offset;
    offset += type.getDimSize(axis);
    gradients.push_back(isFloatValue(input)
                            ? builder.create<SliceOp>(getLoc(), type,
                                                      resultGradients[0],
                                                      offsets, strides)
                            : Value());
  }
  return success();
}

LogicalResult SliceOp::buildGradients(OpBuilder &builder,
                                      ArrayRef<Value> resultGradients,
                                      SmallVectorImpl<Value> &gradients) {
  if (!isFloatValue(getInput())) {
    gradients.push_back(Value());
    return success();
  }
  // Backward windows are first turned around (a slice of g with stride -1),
  // so the insertion has positive strides only.
  Grad d{builder, getLoc()};
  Value g = resultGradients[0];
  ArrayRef<int64_t> shape = getType().getShape();
  SmallVector<int64_t> offsets(getOffsets()), strides(getStrides());
  SmallVector<int64_t> flipOffsets(shape.size(), 0),
      flipStrides(shape.size(), 1);
  bool flips = false;
  for (size_t dim = 0; dim < shape.size(); ++dim) {
    if (strides[dim] > 0 || shape[dim] == 0)
      continue;
    flips = true;
    offsets[dim] += (shape[dim] - 1) * strides[dim];
    strides[dim] = -strides[dim];
    flipOffsets[dim] = shape[dim] - 1;
    flipStrides[dim] = -1;
  }
  if (flips)
    g = builder.create<SliceOp>(getLoc(), g.getType(), g, flipOffsets,
                                flipStrides);
  for (size_t dim = 0; dim < shape.size(); ++dim)
    if (shape[dim] == 0)
      strides[dim] = 1;
  gradients.push_back(builder.create<InsertSliceOp>(
      getLoc(), g, d.zerosLike(getInput()), offsets, strides));
  return success();
}

//===----------------------------------------------------------------------===//
// Indexing ops
//===----------------------------------------------------------------------===//

LogicalResult GatherOp::buildGradients(OpBuilder &builder,
                                       ArrayRef<Value> resultGradients,
                                       SmallVectorImpl<Value> &gradients) {
  if (!isFloatValue(getData())) {
    gradients.append({Value(), Value()});
    return success();
  }
  // Scatter-add g into zeros: flatten the index dimensions of g into one
  // along the axis, and spread the indices over the other dimensions.
  Grad d{builder, getLoc()};
  auto dataType = cast<RankedTensorType>(getData().getType());
  auto indicesType = cast<RankedTensorType>(getIndices().getType());
  int64_t axis = getAxis();
  SmallVector<int64_t> flatShape(dataType.getShape());
  flatShape[axis] = indicesType.getNumElements();
  Value updates = d.reshape(resultGradients[0], flatShape);
  SmallVector<int64_t> indexShape(dataType.getRank(), 1);
  indexShape[axis] = indicesType.getNumElements();
  Value indices = d.broadcast(d.reshape(getIndices(), indexShape), flatShape);
  gradients.push_back(builder.create<ScatterElementsOp>(
      getLoc(), dataType, d.zerosLike(getData()), indices, updates, axis,
      ScatterReduction::add));
  gradients.push_back(Value());
  return success();
}

LogicalResult
GatherElementsOp::buildGradients(OpBuilder &builder,
                                 ArrayRef<Value> resultGradients,
                                 SmallVectorImpl<Value> &gradients) {
  Grad d{builder, getLoc()};
  gradients.push_back(
      isFloatValue(getData())
          ? builder.create<ScatterElementsOp>(getLoc(), getData().getType(),
                                              d.zerosLike(getData()),
                                              getIndices(), resultGradients[0],
                                              getAxis(), ScatterReduction::add)
          : Value());
  gradients.push_back(Value());
  return success();
}

LogicalResult
ScatterElementsOp::buildGradients(OpBuilder &builder,
                                  ArrayRef<Value> resultGradients,
                                  SmallVectorImpl<Value> &gradients) {
  if (getReduction() != ScatterReduction::none &&
      getReduction() != ScatterReduction::add)
    return emitOpError("cannot be differentiated with reduction ")
           << stringifyScatterReduction(getReduction());
  if (!isFloatValue(getData())) {
    gradients.append({Value(), Value(), Value()});
    return success();
  }
  Grad d{builder, getLoc()};
  Value g = resultGradients[0];
  // Overwritten positions pass no gradient to data; added ones do.
  Value dataGradient =
      getReduction() == ScatterReduction::add
          ? g
          : builder.create<ScatterElementsOp>(
                getLoc(), g.getType(), g, getIndices(),
                d.zerosLike(getUpdates()), getAxis(), ScatterReduction::none);
  gradients.push_back(dataGradient);
  gradients.push_back(Value());
  gradients.push_back(builder.create<GatherElementsOp>(
      getLoc(), getUpdates().getType(), g, getIndices(), getAxis()));
  return success();
}

LogicalResult TopKOp::buildGradients(OpBuilder &builder,
                                     ArrayRef<Value> resultGradients,
                                     SmallVectorImpl<Value> &gradients) {
  Grad d{builder, getLoc()};
  Value g = resultGradients[0];
  if (!g || !isFloatValue(getInput())) {
    gradients.push_back(isFloatValue(getInput()) && g ? Value() : Value());
    return success();
  }
  gradients.push_back(builder.create<ScatterElementsOp>(
      getLoc(), getInput().getType(), d.zerosLike(getInput()), getIndices(), g,
      getAxis(), ScatterReduction::add));
  return success();
}

LogicalResult TriluOp::buildGradients(OpBuilder &builder,
                                      ArrayRef<Value> resultGradients,
                                      SmallVectorImpl<Value> &gradients) {
  gradients.push_back(isFloatValue(getInput())
                          ? builder.create<TriluOp>(getLoc(), getType(),
                                                    resultGradients[0], getK(),
                                                    getUpper())
                          : Value());
  return success();
}

LogicalResult DropoutOp::buildGradients(OpBuilder &builder,
                                        ArrayRef<Value> resultGradients,
                                        SmallVectorImpl<Value> &gradients) {
  Grad d{builder, getLoc()};
  Value g = resultGradients[0];
  double keep = 1.0 - getRatio().convertToDouble();
  gradients.push_back(
      d.select(getMask(), d.scale(g, 1.0 / keep), d.zerosLike(g)));
  if (getStep())
    gradients.push_back(Value());
  return success();
}

//===----------------------------------------------------------------------===//
// Mixture-of-experts ops
//===----------------------------------------------------------------------===//

// A grouped product and its weight gradient are each other's adjoints, tile
// by tile as a matmul and its transposes are: both gradients go through the
// same tile layout, never through a dense form.

LogicalResult
GroupedMatMulOp::buildGradients(OpBuilder &builder,
                                ArrayRef<Value> resultGradients,
                                SmallVectorImpl<Value> &gradients) {
  Location loc = getLoc();
  Value g = resultGradients[0];
  gradients.push_back(
      builder.create<GroupedMatMulOp>(loc, getLhs().getType(), g, getRhs(),
                                      getTileGroups(), !getTransposeRhs()));
  gradients.push_back(builder.create<GroupedWeightGradientOp>(
      loc, getRhs().getType(), getLhs(), g, getTileGroups(),
      getTransposeRhs()));
  gradients.push_back(Value());
  return success();
}

LogicalResult
GroupedWeightGradientOp::buildGradients(OpBuilder &builder,
                                        ArrayRef<Value> resultGradients,
                                        SmallVectorImpl<Value> &gradients) {
  Location loc = getLoc();
  Value g = resultGradients[0];
  gradients.push_back(
      builder.create<GroupedMatMulOp>(loc, getLhs().getType(), getRhs(), g,
                                      getTileGroups(), !getTransposeResult()));
  gradients.push_back(
      builder.create<GroupedMatMulOp>(loc, getRhs().getType(), getLhs(), g,
                                      getTileGroups(), getTransposeResult()));
  gradients.push_back(Value());
  return success();
}
