//===- Cost.cpp - the work and traffic of a linalg op on buffers -*- C++ -*-=//

#include "Cost.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Interfaces/CastInterfaces.h"
#include "llvm/ADT/SmallPtrSet.h"

using namespace mlir;

/// Floating-point operations `op` does once: one per float result, two for
/// a fused multiply-add; none for casts, selects and constants, which move
/// values rather than compute them.
static int64_t flopsOf(Operation &op) {
  if (!isa<arith::ArithDialect, math::MathDialect>(op.getDialect()) ||
      isa<CastOpInterface, arith::SelectOp, arith::ConstantOp>(op) ||
      op.getNumResults() != 1 ||
      !isa<FloatType>(getElementTypeOrSelf(op.getResult(0).getType())))
    return 0;
  return isa<math::FmaOp>(op) ? 2 : 1;
}

quern::Cost quern::costOf(linalg::LinalgOp op) {
  Cost cost;
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  if (llvm::none_of(ranges, ShapedType::isDynamic)) {
    int64_t perIteration = 0;
    for (Operation &inner : op.getBlock()->without_terminator())
      perIteration += flopsOf(inner);
    int64_t iterations = 1;
    for (int64_t range : ranges)
      iterations *= range;
    cost.flops = perIteration * iterations;
  }
  llvm::SmallPtrSet<Value, 4> counted;
  for (Value operand : op->getOperands()) {
    auto type = dyn_cast<ShapedType>(operand.getType());
    if (type && type.hasStaticShape() && counted.insert(operand).second)
      cost.bytes += type.getNumElements() *
                    llvm::divideCeil(type.getElementTypeBitWidth(), 8);
  }
  return cost;
}
