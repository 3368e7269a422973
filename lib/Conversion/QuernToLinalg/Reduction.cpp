//===- Reduction.cpp - reductions, norms and losses to linalg ---*- C++ -*-===//
//
// Reductions are one reduction generic each. Softmax, log-softmax and layer
// normalization are short sequences of them, each step reading reduced
// values back through a map that drops the reduced axes; the negative
// log-likelihood reads the target class's log-probability with
// tensor.extract inside a generic over the target positions.
//
//===----------------------------------------------------------------------===//

#include "Patterns.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace quern;
using namespace quern::detail;

namespace {

/// Divides every element of `value` by `count`.
Value divideBy(OpBuilder &b, Location loc, Value value, Type elementType,
               double count) {
  auto type = cast<RankedTensorType>(value.getType());
  Value divisor = scalar::constant(b, loc, elementType, count);
  return buildParallelGeneric(
      b, loc, type, value, b.getMultiDimIdentityMap(type.getRank()),
      [&](OpBuilder &nb, Location l, ValueRange args) {
        return scalar::div(nb, l, elementType, args[0], divisor);
      });
}

template <typename Op, scalar::Combiner Combiner, bool IsMean = false>
struct ReductionLowering : OpConversionPattern<Op> {
  using OpConversionPattern<Op>::OpConversionPattern;

  LogicalResult
  matchAndRewrite(Op op, typename Op::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = adaptor.getInput();
    auto inputType = cast<RankedTensorType>(input.getType());
    Type elementType = op.getInput().getType().getElementType();
    Value reduced = buildReduction(rewriter, loc, input, op.getAxes(), Combiner,
                                   elementType);
    if (IsMean) {
      int64_t count = 1;
      for (int64_t axis : op.getAxes())
        count *= inputType.getDimSize(axis);
      reduced = divideBy(rewriter, loc, reduced, elementType, count);
    }
    auto resultType = cast<RankedTensorType>(
        this->getTypeConverter()->convertType(op.getType()));
    rewriter.replaceOp(op, buildReshape(rewriter, loc, reduced, resultType));
    return success();
  }
};

template <typename Op, bool IsLog>
struct SoftmaxLowering : OpConversionPattern<Op> {
  using OpConversionPattern<Op>::OpConversionPattern;

  LogicalResult
  matchAndRewrite(Op op, typename Op::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = adaptor.getInput();
    auto type = cast<RankedTensorType>(input.getType());
    Type elementType = type.getElementType();
    int64_t axis = op.getAxis();
    AffineMap full = rewriter.getMultiDimIdentityMap(type.getRank());
    AffineMap reduced = dropAxesMap(op.getContext(), type.getRank(), axis);

    Value max = buildReduction(rewriter, loc, input, axis,
                               scalar::Combiner::Max, elementType);
    Value shiftedExp = buildParallelGeneric(
        rewriter, loc, type, {input, max}, {full, reduced},
        [](OpBuilder &b, Location l, ValueRange args) {
          Value shifted = b.create<arith::SubFOp>(l, args[0], args[1]);
          return b.create<math::ExpOp>(l, shifted).getResult();
        });
    Value sum = buildReduction(rewriter, loc, shiftedExp, axis,
                               scalar::Combiner::Sum, elementType);
    Value result;
    if (IsLog) {
      result = buildParallelGeneric(
          rewriter, loc, type, {input, max, sum}, {full, reduced, reduced},
          [](OpBuilder &b, Location l, ValueRange args) {
            Value shifted = b.create<arith::SubFOp>(l, args[0], args[1]);
            Value logSum = b.create<math::LogOp>(l, args[2]);
            return b.create<arith::SubFOp>(l, shifted, logSum).getResult();
          });
    } else {
      result = buildParallelGeneric(
          rewriter, loc, type, {shiftedExp, sum}, {full, reduced},
          [](OpBuilder &b, Location l, ValueRange args) {
            return b.create<arith::DivFOp>(l, args[0], args[1]).getResult();
          });
    }
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// mean, then the biased variance from the centred values, then the
/// normalized and scaled output; the statistics come back in the keep-dims
/// shape ONNX gives them.
struct LayerNormLowering : OpConversionPattern<LayerNormOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(LayerNormOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = adaptor.getInput();
    auto type = cast<RankedTensorType>(input.getType());
    Type elementType = type.getElementType();
    int64_t rank = type.getRank(), axis = op.getAxis();
    SmallVector<int64_t> axes;
    double count = 1;
    for (int64_t dim = axis; dim < rank; ++dim) {
      axes.push_back(dim);
      count *= type.getDimSize(dim);
    }
    MLIRContext *context = op.getContext();
    AffineMap full = rewriter.getMultiDimIdentityMap(rank);
    AffineMap stats = dropAxesMap(context, rank, axes);
    AffineMap parameters = AffineMap::getMultiDimIdentityMap(rank, context)
                               .getSliceMap(axis, rank - axis);

    Value mean = divideBy(rewriter, loc,
                          buildReduction(rewriter, loc, input, axes,
                                         scalar::Combiner::Sum, elementType),
                          elementType, count);
    Value squares = buildParallelGeneric(
        rewriter, loc, type, {input, mean}, {full, stats},
        [](OpBuilder &b, Location l, ValueRange args) {
          Value centred = b.create<arith::SubFOp>(l, args[0], args[1]);
          return b.create<arith::MulFOp>(l, centred, centred).getResult();
        });
    Value variance =
        divideBy(rewriter, loc,
                 buildReduction(rewriter, loc, squares, axes,
                                scalar::Combiner::Sum, elementType),
                 elementType, count);
    auto statsType = cast<RankedTensorType>(variance.getType());
    Value epsilon = scalar::constant(rewriter, loc, elementType,
                                     op.getEpsilon().convertToDouble());
    Value invStd = buildParallelGeneric(
        rewriter, loc, statsType, variance,
        rewriter.getMultiDimIdentityMap(statsType.getRank()),
        [&](OpBuilder &b, Location l, ValueRange args) {
          Value shifted = b.create<arith::AddFOp>(l, args[0], epsilon);
          return b.create<math::RsqrtOp>(l, shifted).getResult();
        });

    SmallVector<Value> inputs = {input, mean, invStd, adaptor.getScale()};
    SmallVector<AffineMap> maps = {full, stats, stats, parameters};
    if (Value bias = adaptor.getBias()) {
      inputs.push_back(bias);
      maps.push_back(parameters);
    }
    Value result = buildParallelGeneric(
        rewriter, loc, type, inputs, maps,
        [](OpBuilder &b, Location l, ValueRange args) {
          Value centred = b.create<arith::SubFOp>(l, args[0], args[1]);
          Value normalized = b.create<arith::MulFOp>(l, centred, args[2]);
          Value scaled = b.create<arith::MulFOp>(l, normalized, args[3]);
          if (args.size() > 4)
            scaled = b.create<arith::AddFOp>(l, scaled, args[4]);
          return scaled;
        });
    auto keepDimsType = cast<RankedTensorType>(op.getMean().getType());
    rewriter.replaceOp(op,
                       {result, buildReshape(rewriter, loc, mean, keepDimsType),
                        buildReshape(rewriter, loc, invStd, keepDimsType)});
    return success();
  }
};

/// Per target position: the weighted negative log-probability of its class
/// and its weight (0 where the target is ignore_index); then the reduction.
struct NllLossLowering : OpConversionPattern<NllLossOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(NllLossOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = adaptor.getInput(), target = adaptor.getTarget();
    Value weight = adaptor.getWeight();
    auto inputType = cast<RankedTensorType>(input.getType());
    auto targetType = cast<RankedTensorType>(target.getType());
    Type elementType = inputType.getElementType();
    Type indexType = targetType.getElementType();
    int64_t classes = inputType.getDimSize(1);
    std::optional<int64_t> ignoreIndex = op.getIgnoreIndex();

    auto perPosition =
        RankedTensorType::get(targetType.getShape(), elementType);
    int64_t rank = targetType.getRank();
    Value emptyLoss = rewriter.create<tensor::EmptyOp>(
        loc, perPosition.getShape(), elementType);
    AffineMap identity = rewriter.getMultiDimIdentityMap(rank);
    SmallVector<utils::IteratorType> parallel(rank,
                                              utils::IteratorType::parallel);
    auto generic = rewriter.create<linalg::GenericOp>(
        loc, TypeRange{perPosition, perPosition}, ValueRange{target},
        ValueRange{emptyLoss, emptyLoss},
        SmallVector<AffineMap>{identity, identity, identity}, parallel,
        [&](OpBuilder &b, Location l, ValueRange args) {
          Value label = args[0];
          Value classIndex = scalar::wrapIndex(b, l, label, classes);
          SmallVector<Value> position = {b.create<linalg::IndexOp>(l, 0),
                                         classIndex};
          for (int64_t dim = 1; dim < rank; ++dim)
            position.push_back(b.create<linalg::IndexOp>(l, dim));
          Value logProb = b.create<tensor::ExtractOp>(l, input, position);
          Value w = weight ? b.create<tensor::ExtractOp>(l, weight, classIndex)
                                 .getResult()
                           : scalar::constant(b, l, elementType, 1.0);
          if (ignoreIndex) {
            Value ignored = b.create<arith::CmpIOp>(
                l, arith::CmpIPredicate::eq, label,
                scalar::constant(b, l, indexType, *ignoreIndex));
            w = b.create<arith::SelectOp>(
                l, ignored, scalar::constant(b, l, elementType, 0.0), w);
          }
          Value loss = b.create<arith::NegFOp>(
              l, b.create<arith::MulFOp>(l, logProb, w));
          b.create<linalg::YieldOp>(l, ValueRange{loss, w});
        });
    Value losses = generic.getResult(0), weights = generic.getResult(1);
    if (op.getReduction() == LossReduction::none) {
      rewriter.replaceOp(op, losses);
      return success();
    }
    SmallVector<int64_t> all;
    for (int64_t dim = 0; dim < rank; ++dim)
      all.push_back(dim);
    Value total = buildReduction(rewriter, loc, losses, all,
                                 scalar::Combiner::Sum, elementType);
    if (op.getReduction() == LossReduction::mean) {
      Value totalWeight = buildReduction(rewriter, loc, weights, all,
                                         scalar::Combiner::Sum, elementType);
      auto scalarType = cast<RankedTensorType>(total.getType());
      total = buildParallelGeneric(
          rewriter, loc, scalarType, {total, totalWeight},
          {rewriter.getMultiDimIdentityMap(0),
           rewriter.getMultiDimIdentityMap(0)},
          [](OpBuilder &b, Location l, ValueRange args) {
            return b.create<arith::DivFOp>(l, args[0], args[1]).getResult();
          });
    }
    rewriter.replaceOp(op, total);
    return success();
  }
};

} // namespace

void quern::detail::populateReductionPatterns(TypeConverter &converter,
                                              RewritePatternSet &patterns) {
  using scalar::Combiner;
  patterns.add<ReductionLowering<ReduceSumOp, Combiner::Sum>,
               ReductionLowering<ReduceMeanOp, Combiner::Sum, true>,
               ReductionLowering<ReduceMaxOp, Combiner::Max>,
               ReductionLowering<ReduceMinOp, Combiner::Min>,
               SoftmaxLowering<SoftmaxOp, false>,
               SoftmaxLowering<LogSoftmaxOp, true>, LayerNormLowering,
               NllLossLowering>(converter, patterns.getContext());
}
