//===- Elementwise.cpp - elementwise quern ops to linalg --------*- C++ -*-===//
//
// Every elementwise op becomes one all-parallel linalg.generic; chains of
// them are fused later by linalg's elementwise fusion, so each pattern only
// says how one scalar is computed (from signless values, knowing the quern
// element type).
//
//===----------------------------------------------------------------------===//

#include "Patterns.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"

using namespace mlir;
using namespace quern;
using namespace quern::detail;

namespace {

/// What a pattern needs to compute one element: the op (for attributes),
/// the quern element type of its operands, and the operand scalars.
template <typename Op>
Value buildScalar(Op op, Type type, OpBuilder &b, Location loc,
                  ValueRange args);

template <>
Value buildScalar(NegOp, Type type, OpBuilder &b, Location loc,
                  ValueRange args) {
  if (isa<FloatType>(type))
    return b.create<arith::NegFOp>(loc, args[0]);
  return scalar::sub(b, loc, type, scalar::constant(b, loc, type, 0), args[0]);
}
template <>
Value buildScalar(AbsOp, Type type, OpBuilder &b, Location loc,
                  ValueRange args) {
  if (isa<FloatType>(type))
    return b.create<math::AbsFOp>(loc, args[0]);
  if (type.isUnsignedInteger())
    return args[0];
  return b.create<math::AbsIOp>(loc, args[0]);
}
template <>
Value buildScalar(ReluOp, Type type, OpBuilder &b, Location loc,
                  ValueRange args) {
  return scalar::max(b, loc, type, args[0], scalar::constant(b, loc, type, 0));
}
template <>
Value buildScalar(ExpOp, Type, OpBuilder &b, Location loc, ValueRange args) {
  return b.create<math::ExpOp>(loc, args[0]);
}
template <>
Value buildScalar(LogOp, Type, OpBuilder &b, Location loc, ValueRange args) {
  return b.create<math::LogOp>(loc, args[0]);
}
template <>
Value buildScalar(TanhOp, Type, OpBuilder &b, Location loc, ValueRange args) {
  return b.create<math::TanhOp>(loc, args[0]);
}
template <>
Value buildScalar(SigmoidOp, Type type, OpBuilder &b, Location loc,
                  ValueRange args) {
  Value one = scalar::constant(b, loc, type, 1.0);
  Value negated = b.create<arith::NegFOp>(loc, args[0]);
  Value denominator =
      b.create<arith::AddFOp>(loc, one, b.create<math::ExpOp>(loc, negated));
  return b.create<arith::DivFOp>(loc, one, denominator);
}
template <>
Value buildScalar(SqrtOp, Type, OpBuilder &b, Location loc, ValueRange args) {
  return b.create<math::SqrtOp>(loc, args[0]);
}
template <>
Value buildScalar(ReciprocalOp, Type type, OpBuilder &b, Location loc,
                  ValueRange args) {
  return b.create<arith::DivFOp>(loc, scalar::constant(b, loc, type, 1.0),
                                 args[0]);
}
template <>
Value buildScalar(ErfOp, Type, OpBuilder &b, Location loc, ValueRange args) {
  return b.create<math::ErfOp>(loc, args[0]);
}
template <>
Value buildScalar(SinOp, Type, OpBuilder &b, Location loc, ValueRange args) {
  return b.create<math::SinOp>(loc, args[0]);
}
template <>
Value buildScalar(CosOp, Type, OpBuilder &b, Location loc, ValueRange args) {
  return b.create<math::CosOp>(loc, args[0]);
}
template <>
Value buildScalar(NotOp, Type, OpBuilder &b, Location loc, ValueRange args) {
  Value one = b.create<arith::ConstantOp>(loc, b.getBoolAttr(true));
  return b.create<arith::XOrIOp>(loc, args[0], one);
}
template <>
Value buildScalar(LeakyReluOp op, Type type, OpBuilder &b, Location loc,
                  ValueRange args) {
  Value zero = scalar::constant(b, loc, type, 0.0);
  Value alpha = scalar::constant(b, loc, type, op.getAlpha().convertToDouble());
  Value isPositive =
      scalar::compare(b, loc, type, ComparePredicate::ge, args[0], zero);
  return b.create<arith::SelectOp>(
      loc, isPositive, args[0], b.create<arith::MulFOp>(loc, args[0], alpha));
}
template <>
Value buildScalar(AddOp, Type type, OpBuilder &b, Location loc,
                  ValueRange args) {
  return scalar::add(b, loc, type, args[0], args[1]);
}
template <>
Value buildScalar(SubOp, Type type, OpBuilder &b, Location loc,
                  ValueRange args) {
  return scalar::sub(b, loc, type, args[0], args[1]);
}
template <>
Value buildScalar(MulOp, Type type, OpBuilder &b, Location loc,
                  ValueRange args) {
  return scalar::mul(b, loc, type, args[0], args[1]);
}
template <>
Value buildScalar(DivOp, Type type, OpBuilder &b, Location loc,
                  ValueRange args) {
  return scalar::div(b, loc, type, args[0], args[1]);
}
template <>
Value buildScalar(PowOp, Type, OpBuilder &b, Location loc, ValueRange args) {
  return b.create<math::PowFOp>(loc, args[0], args[1]);
}
template <>
Value buildScalar(MaxOp, Type type, OpBuilder &b, Location loc,
                  ValueRange args) {
  return scalar::max(b, loc, type, args[0], args[1]);
}
template <>
Value buildScalar(MinOp, Type type, OpBuilder &b, Location loc,
                  ValueRange args) {
  return scalar::min(b, loc, type, args[0], args[1]);
}
template <>
Value buildScalar(AndOp, Type, OpBuilder &b, Location loc, ValueRange args) {
  return b.create<arith::AndIOp>(loc, args[0], args[1]);
}
template <>
Value buildScalar(OrOp, Type, OpBuilder &b, Location loc, ValueRange args) {
  return b.create<arith::OrIOp>(loc, args[0], args[1]);
}
template <>
Value buildScalar(CompareOp op, Type type, OpBuilder &b, Location loc,
                  ValueRange args) {
  return scalar::compare(b, loc, type, op.getPredicate(), args[0], args[1]);
}
template <>
Value buildScalar(SelectOp, Type, OpBuilder &b, Location loc, ValueRange args) {
  return b.create<arith::SelectOp>(loc, args[0], args[1], args[2]);
}
template <>
Value buildScalar(CastOp op, Type type, OpBuilder &b, Location loc,
                  ValueRange args) {
  return scalar::cast(b, loc, type, getElementTypeOrSelf(op.getType()),
                      args[0]);
}

template <typename Op> struct ElementwiseLowering : OpConversionPattern<Op> {
  using OpConversionPattern<Op>::OpConversionPattern;

  LogicalResult
  matchAndRewrite(Op op, typename Op::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto resultType = cast<RankedTensorType>(
        this->getTypeConverter()->convertType(op->getResult(0).getType()));
    ValueRange operands = adaptor.getOperands();
    SmallVector<AffineMap> maps(
        operands.size(), rewriter.getMultiDimIdentityMap(resultType.getRank()));
    rewriter.replaceOp(
        op,
        buildParallelGeneric(rewriter, op.getLoc(), resultType, operands, maps,
                             [&](OpBuilder &b, Location loc, ValueRange args) {
                               return buildElementwiseScalar(op, b, loc, args);
                             }));
    return success();
  }
};

/// The elementwise ops, each lowered by its buildScalar.
template <typename... Ops> struct ElementwiseOps {
  static void populate(TypeConverter &converter, RewritePatternSet &patterns) {
    patterns.add<ElementwiseLowering<Ops>...>(converter, patterns.getContext());
  }

  static Value build(Operation *op, OpBuilder &b, Location loc,
                     ValueRange args) {
    // The element type that decides the arithmetic is the last operand's
    // (select's condition is i1; its values come after it).
    Type type = getElementTypeOrSelf(op->getOperands().back().getType());
    Value result;
    (void)((isa<Ops>(op) &&
            (result = buildScalar(cast<Ops>(op), type, b, loc, args))) ||
           ...);
    return result;
  }
};

using AllElementwiseOps =
    ElementwiseOps<NegOp, AbsOp, ReluOp, ExpOp, LogOp, TanhOp, SigmoidOp,
                   SqrtOp, ReciprocalOp, ErfOp, SinOp, CosOp, NotOp,
                   LeakyReluOp, AddOp, SubOp, MulOp, DivOp, PowOp, MaxOp, MinOp,
                   AndOp, OrOp, CompareOp, SelectOp, CastOp>;

} // namespace

Value quern::detail::buildElementwiseScalar(Operation *op, OpBuilder &b,
                                            Location loc, ValueRange args) {
  return AllElementwiseOps::build(op, b, loc, args);
}

void quern::detail::populateElementwisePatterns(TypeConverter &converter,
                                                RewritePatternSet &patterns) {
  AllElementwiseOps::populate(converter, patterns);
}
