//===- Elementwise.cpp - elementwise quern ops to linalg --------*- C++ -*-===//
//
// Every elementwise op becomes one all-parallel linalg.generic; chains of
// them are fused later by linalg's elementwise fusion, so each pattern only
// needs to say how one scalar is computed.
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

/// The scalar computation of one elementwise op.
template <typename Op>
Value buildScalar(OpBuilder &b, Location loc, ValueRange args);

template <>
Value buildScalar<NegOp>(OpBuilder &b, Location loc, ValueRange args) {
  return b.create<arith::NegFOp>(loc, args[0]);
}
template <>
Value buildScalar<ReluOp>(OpBuilder &b, Location loc, ValueRange args) {
  Value zero = buildFloatConstant(b, loc, args[0].getType(), 0.0);
  return b.create<arith::MaximumFOp>(loc, args[0], zero);
}
template <>
Value buildScalar<ExpOp>(OpBuilder &b, Location loc, ValueRange args) {
  return b.create<math::ExpOp>(loc, args[0]);
}
template <>
Value buildScalar<LogOp>(OpBuilder &b, Location loc, ValueRange args) {
  return b.create<math::LogOp>(loc, args[0]);
}
template <>
Value buildScalar<TanhOp>(OpBuilder &b, Location loc, ValueRange args) {
  return b.create<math::TanhOp>(loc, args[0]);
}
template <>
Value buildScalar<SigmoidOp>(OpBuilder &b, Location loc, ValueRange args) {
  Value one = buildFloatConstant(b, loc, args[0].getType(), 1.0);
  Value negated = b.create<arith::NegFOp>(loc, args[0]);
  Value denominator =
      b.create<arith::AddFOp>(loc, one, b.create<math::ExpOp>(loc, negated));
  return b.create<arith::DivFOp>(loc, one, denominator);
}
template <>
Value buildScalar<SqrtOp>(OpBuilder &b, Location loc, ValueRange args) {
  return b.create<math::SqrtOp>(loc, args[0]);
}
template <>
Value buildScalar<AddOp>(OpBuilder &b, Location loc, ValueRange args) {
  return b.create<arith::AddFOp>(loc, args[0], args[1]);
}
template <>
Value buildScalar<SubOp>(OpBuilder &b, Location loc, ValueRange args) {
  return b.create<arith::SubFOp>(loc, args[0], args[1]);
}
template <>
Value buildScalar<MulOp>(OpBuilder &b, Location loc, ValueRange args) {
  return b.create<arith::MulFOp>(loc, args[0], args[1]);
}
template <>
Value buildScalar<DivOp>(OpBuilder &b, Location loc, ValueRange args) {
  return b.create<arith::DivFOp>(loc, args[0], args[1]);
}

template <typename Op>
struct ElementwiseLowering : OpConversionPattern<Op> {
  using OpConversionPattern<Op>::OpConversionPattern;

  LogicalResult
  matchAndRewrite(Op op, typename Op::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto resultType = cast<RankedTensorType>(op.getType());
    ValueRange operands = adaptor.getOperands();
    SmallVector<AffineMap> maps(
        operands.size(), rewriter.getMultiDimIdentityMap(resultType.getRank()));
    rewriter.replaceOp(op, buildParallelGeneric(rewriter, op.getLoc(),
                                                resultType, operands, maps,
                                                buildScalar<Op>));
    return success();
  }
};

} // namespace

void quern::detail::populateElementwisePatterns(TypeConverter &converter,
                                                RewritePatternSet &patterns) {
  patterns.add<ElementwiseLowering<NegOp>, ElementwiseLowering<ReluOp>,
               ElementwiseLowering<ExpOp>, ElementwiseLowering<LogOp>,
               ElementwiseLowering<TanhOp>, ElementwiseLowering<SigmoidOp>,
               ElementwiseLowering<SqrtOp>, ElementwiseLowering<AddOp>,
               ElementwiseLowering<SubOp>, ElementwiseLowering<MulOp>,
               ElementwiseLowering<DivOp>>(converter, patterns.getContext());
}
