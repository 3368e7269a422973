//===- Scalar.cpp - scalar arithmetic by quern element type -----*- C++ -*-===//

#include "Scalar.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"

using namespace mlir;
using namespace quern;

namespace quern::detail::scalar {

static bool isFloat(Type type) { return isa<FloatType>(type); }
static bool isUnsigned(Type type) {
  return type.isUnsignedInteger() || type.isInteger(1);
}

Type signless(Type type) {
  if (auto integer = dyn_cast<IntegerType>(type))
    return IntegerType::get(type.getContext(), integer.getWidth());
  return type;
}

Value constant(OpBuilder &b, Location loc, Type type, double value) {
  if (isFloat(type))
    return b.create<arith::ConstantOp>(loc, b.getFloatAttr(type, value));
  return b.create<arith::ConstantOp>(
      loc, b.getIntegerAttr(signless(type), static_cast<int64_t>(value)));
}

static Value extreme(OpBuilder &b, Location loc, Type type, bool high) {
  if (auto floatType = dyn_cast<FloatType>(type))
    return b.create<arith::ConstantOp>(
        loc,
        b.getFloatAttr(floatType, APFloat::getInf(floatType.getFloatSemantics(),
                                                  /*Negative=*/!high)));
  unsigned width = type.getIntOrFloatBitWidth();
  APInt value = isUnsigned(type)
                    ? (high ? APInt::getMaxValue(width) : APInt::getZero(width))
                    : (high ? APInt::getSignedMaxValue(width)
                            : APInt::getSignedMinValue(width));
  return b.create<arith::ConstantOp>(loc,
                                     b.getIntegerAttr(signless(type), value));
}

Value lowest(OpBuilder &b, Location loc, Type type) {
  return extreme(b, loc, type, false);
}
Value highest(OpBuilder &b, Location loc, Type type) {
  return extreme(b, loc, type, true);
}

Value add(OpBuilder &b, Location loc, Type type, Value lhs, Value rhs) {
  if (isFloat(type))
    return b.create<arith::AddFOp>(loc, lhs, rhs);
  return b.create<arith::AddIOp>(loc, lhs, rhs);
}

Value sub(OpBuilder &b, Location loc, Type type, Value lhs, Value rhs) {
  if (isFloat(type))
    return b.create<arith::SubFOp>(loc, lhs, rhs);
  return b.create<arith::SubIOp>(loc, lhs, rhs);
}

Value mul(OpBuilder &b, Location loc, Type type, Value lhs, Value rhs) {
  if (isFloat(type))
    return b.create<arith::MulFOp>(loc, lhs, rhs);
  return b.create<arith::MulIOp>(loc, lhs, rhs);
}

Value div(OpBuilder &b, Location loc, Type type, Value lhs, Value rhs) {
  if (isFloat(type))
    return b.create<arith::DivFOp>(loc, lhs, rhs);
  if (isUnsigned(type))
    return b.create<arith::DivUIOp>(loc, lhs, rhs);
  return b.create<arith::DivSIOp>(loc, lhs, rhs);
}

Value max(OpBuilder &b, Location loc, Type type, Value lhs, Value rhs) {
  if (isFloat(type))
    return b.create<arith::MaximumFOp>(loc, lhs, rhs);
  if (isUnsigned(type))
    return b.create<arith::MaxUIOp>(loc, lhs, rhs);
  return b.create<arith::MaxSIOp>(loc, lhs, rhs);
}

Value min(OpBuilder &b, Location loc, Type type, Value lhs, Value rhs) {
  if (isFloat(type))
    return b.create<arith::MinimumFOp>(loc, lhs, rhs);
  if (isUnsigned(type))
    return b.create<arith::MinUIOp>(loc, lhs, rhs);
  return b.create<arith::MinSIOp>(loc, lhs, rhs);
}

Value compare(OpBuilder &b, Location loc, Type type, ComparePredicate predicate,
              Value lhs, Value rhs) {
  if (isFloat(type)) {
    // Ordered predicates: any comparison with NaN is false.
    arith::CmpFPredicate floatPredicate;
    switch (predicate) {
    case ComparePredicate::eq:
      floatPredicate = arith::CmpFPredicate::OEQ;
      break;
    case ComparePredicate::lt:
      floatPredicate = arith::CmpFPredicate::OLT;
      break;
    case ComparePredicate::le:
      floatPredicate = arith::CmpFPredicate::OLE;
      break;
    case ComparePredicate::gt:
      floatPredicate = arith::CmpFPredicate::OGT;
      break;
    case ComparePredicate::ge:
      floatPredicate = arith::CmpFPredicate::OGE;
      break;
    }
    return b.create<arith::CmpFOp>(loc, floatPredicate, lhs, rhs);
  }
  bool isUnsignedCompare = isUnsigned(type);
  arith::CmpIPredicate intPredicate;
  switch (predicate) {
  case ComparePredicate::eq:
    intPredicate = arith::CmpIPredicate::eq;
    break;
  case ComparePredicate::lt:
    intPredicate = isUnsignedCompare ? arith::CmpIPredicate::ult
                                     : arith::CmpIPredicate::slt;
    break;
  case ComparePredicate::le:
    intPredicate = isUnsignedCompare ? arith::CmpIPredicate::ule
                                     : arith::CmpIPredicate::sle;
    break;
  case ComparePredicate::gt:
    intPredicate = isUnsignedCompare ? arith::CmpIPredicate::ugt
                                     : arith::CmpIPredicate::sgt;
    break;
  case ComparePredicate::ge:
    intPredicate = isUnsignedCompare ? arith::CmpIPredicate::uge
                                     : arith::CmpIPredicate::sge;
    break;
  }
  return b.create<arith::CmpIOp>(loc, intPredicate, lhs, rhs);
}

Value cast(OpBuilder &b, Location loc, Type from, Type to, Value value) {
  if (from == to)
    return value;
  Type target = signless(to);
  if (to.isInteger(1)) {
    Value zero = constant(b, loc, from, 0.0);
    if (isFloat(from))
      return b.create<arith::CmpFOp>(loc, arith::CmpFPredicate::UNE, value,
                                     zero);
    return b.create<arith::CmpIOp>(loc, arith::CmpIPredicate::ne, value, zero);
  }
  if (isFloat(from) && isFloat(to)) {
    if (from.getIntOrFloatBitWidth() < to.getIntOrFloatBitWidth())
      return b.create<arith::ExtFOp>(loc, target, value);
    // f16 <-> bf16 have one width: go through f32.
    if (from.getIntOrFloatBitWidth() == to.getIntOrFloatBitWidth())
      value = b.create<arith::ExtFOp>(loc, b.getF32Type(), value);
    return b.create<arith::TruncFOp>(loc, target, value);
  }
  if (isFloat(to)) {
    if (isUnsigned(from))
      return b.create<arith::UIToFPOp>(loc, target, value);
    return b.create<arith::SIToFPOp>(loc, target, value);
  }
  if (isFloat(from)) {
    if (isUnsigned(to))
      return b.create<arith::FPToUIOp>(loc, target, value);
    return b.create<arith::FPToSIOp>(loc, target, value);
  }
  unsigned fromWidth = from.getIntOrFloatBitWidth();
  unsigned toWidth = to.getIntOrFloatBitWidth();
  if (fromWidth == toWidth)
    return value;
  if (fromWidth > toWidth)
    return b.create<arith::TruncIOp>(loc, target, value);
  if (isUnsigned(from))
    return b.create<arith::ExtUIOp>(loc, target, value);
  return b.create<arith::ExtSIOp>(loc, target, value);
}

Value fromIndex(OpBuilder &b, Location loc, Type type, Value index) {
  return b.create<arith::IndexCastOp>(loc, signless(type), index);
}

Value toIndex(OpBuilder &b, Location loc, Value value) {
  return b.create<arith::IndexCastOp>(loc, b.getIndexType(), value);
}

Value combine(OpBuilder &b, Location loc, Combiner combiner, Type type,
              Value lhs, Value rhs) {
  switch (combiner) {
  case Combiner::Sum:
    return add(b, loc, type, lhs, rhs);
  case Combiner::Product:
    return mul(b, loc, type, lhs, rhs);
  case Combiner::Max:
    return max(b, loc, type, lhs, rhs);
  case Combiner::Min:
    return min(b, loc, type, lhs, rhs);
  }
  llvm_unreachable("all combiners handled");
}

Value identity(OpBuilder &b, Location loc, Combiner combiner, Type type) {
  switch (combiner) {
  case Combiner::Sum:
    return constant(b, loc, type, 0.0);
  case Combiner::Product:
    return constant(b, loc, type, 1.0);
  case Combiner::Max:
    return lowest(b, loc, type);
  case Combiner::Min:
    return highest(b, loc, type);
  }
  llvm_unreachable("all combiners handled");
}

Value wrapIndex(OpBuilder &b, Location loc, Value value, int64_t size) {
  Value index = toIndex(b, loc, value);
  Value zero = b.create<arith::ConstantIndexOp>(loc, 0);
  Value extent = b.create<arith::ConstantIndexOp>(loc, size);
  Value last =
      b.create<arith::ConstantIndexOp>(loc, std::max<int64_t>(size - 1, 0));
  Value isNegative =
      b.create<arith::CmpIOp>(loc, arith::CmpIPredicate::slt, index, zero);
  Value wrapped = b.create<arith::SelectOp>(
      loc, isNegative, b.create<arith::AddIOp>(loc, index, extent), index);
  Value clamped = b.create<arith::MaxSIOp>(loc, wrapped, zero);
  return b.create<arith::MinSIOp>(loc, clamped, last);
}

} // namespace quern::detail::scalar
