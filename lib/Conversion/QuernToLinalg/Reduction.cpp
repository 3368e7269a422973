//===- Reduction.cpp - reductions and softmax to linalg ---------*- C++ -*-===//
//
// Reductions are one reduction generic each; softmax and log_softmax are the
// numerically stable three-step form (max, sum of shifted exponentials,
// normalize), each step a generic that reads the reduced values back through
// a map that drops the reduced axis.
//
//===----------------------------------------------------------------------===//

#include "Patterns.h"

#include "dialects/quern/QuernOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"

using namespace mlir;
using namespace quern;
using namespace quern::detail;

namespace {

template <typename Op, ReductionKind Kind, bool IsMean = false>
struct ReductionLowering : OpConversionPattern<Op> {
  using OpConversionPattern<Op>::OpConversionPattern;

  LogicalResult
  matchAndRewrite(Op op, typename Op::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = adaptor.getInput();
    auto inputType = cast<RankedTensorType>(input.getType());
    Value reduced = buildReduction(rewriter, loc, input, op.getAxes(), Kind);
    if (IsMean) {
      int64_t count = 1;
      for (int64_t axis : op.getAxes())
        count *= inputType.getDimSize(axis);
      auto reducedType = cast<RankedTensorType>(reduced.getType());
      Value divisor = buildFloatConstant(rewriter, loc, reducedType,
                                         static_cast<double>(count));
      reduced = buildParallelGeneric(
          rewriter, loc, reducedType, reduced,
          rewriter.getMultiDimIdentityMap(reducedType.getRank()),
          [&](OpBuilder &b, Location l, ValueRange args) {
            return b.create<arith::DivFOp>(l, args[0], divisor).getResult();
          });
    }
    rewriter.replaceOp(op, buildReshape(rewriter, loc, reduced,
                                        cast<RankedTensorType>(op.getType())));
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
    int64_t axis = op.getAxis();
    AffineMap full = rewriter.getMultiDimIdentityMap(type.getRank());
    AffineMap reduced = dropAxesMap(op.getContext(), type.getRank(), axis);

    Value max = buildReduction(rewriter, loc, input, axis, ReductionKind::Max);
    Value shiftedExp = buildParallelGeneric(
        rewriter, loc, type, {input, max}, {full, reduced},
        [](OpBuilder &b, Location l, ValueRange args) {
          Value shifted = b.create<arith::SubFOp>(l, args[0], args[1]);
          return b.create<math::ExpOp>(l, shifted).getResult();
        });
    Value sum =
        buildReduction(rewriter, loc, shiftedExp, axis, ReductionKind::Sum);
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

} // namespace

void quern::detail::populateReductionPatterns(TypeConverter &converter,
                                              RewritePatternSet &patterns) {
  patterns.add<ReductionLowering<ReduceSumOp, ReductionKind::Sum>,
               ReductionLowering<ReduceMeanOp, ReductionKind::Sum, true>,
               ReductionLowering<ReduceMaxOp, ReductionKind::Max>,
               SoftmaxLowering<SoftmaxOp, false>,
               SoftmaxLowering<LogSoftmaxOp, true>>(converter,
                                                    patterns.getContext());
}
