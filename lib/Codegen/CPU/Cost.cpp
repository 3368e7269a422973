//===- Cost.cpp - the cost interface of linalg ops --------------*- C++ -*-===//

#include "quern/Codegen/CPU/Cost.h"

#include "dialects/quern/QuernOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Interfaces/CastInterfaces.h"
#include "llvm/ADT/SmallPtrSet.h"

using namespace mlir;

namespace {

/// FLOPs of one execution of a scalar op of a linalg body.
int64_t scalarFlops(Operation &op) {
  if (!isa<arith::ArithDialect, math::MathDialect>(op.getDialect()) ||
      isa<CastOpInterface, arith::SelectOp, arith::ConstantOp>(op) ||
      op.getNumResults() != 1 ||
      !isa<FloatType>(getElementTypeOrSelf(op.getResult(0).getType())))
    return 0;
  return isa<math::FmaOp>(op) ? 2 : 1;
}

/// Bytes of the statically shaped values of `values` not in `counted`,
/// which gains them.
int64_t bytesOf(ValueRange values, llvm::SmallPtrSetImpl<Value> &counted) {
  int64_t bytes = 0;
  for (Value value : values) {
    auto type = dyn_cast<ShapedType>(value.getType());
    if (type && type.hasStaticShape() && counted.insert(value).second)
      bytes += type.getNumElements() *
               llvm::divideCeil(type.getElementTypeBitWidth(), 8);
  }
  return bytes;
}

template <typename Op>
struct LinalgCostModel
    : quern::CostOpInterface::ExternalModel<LinalgCostModel<Op>, Op> {
  int64_t getFlops(Operation *op) const {
    auto linalgOp = cast<linalg::LinalgOp>(op);
    SmallVector<int64_t> ranges = linalgOp.getStaticLoopRanges();
    if (llvm::any_of(ranges, ShapedType::isDynamic))
      return 0;
    int64_t perIteration = 0;
    for (Operation &inner : linalgOp.getBlock()->without_terminator())
      perIteration += scalarFlops(inner);
    int64_t iterations = 1;
    for (int64_t range : ranges)
      iterations *= range;
    return perIteration * iterations;
  }

  int64_t getBytesRead(Operation *op) const {
    llvm::SmallPtrSet<Value, 4> counted;
    return bytesOf(cast<linalg::LinalgOp>(op).getDpsInputs(), counted);
  }

  int64_t getBytesWritten(Operation *op) const {
    auto linalgOp = cast<linalg::LinalgOp>(op);
    llvm::SmallPtrSet<Value, 4> counted;
    bytesOf(linalgOp.getDpsInputs(), counted);
    return bytesOf(linalgOp.getDpsInits(), counted);
  }
};

template <typename... Ops> void attachToAll(MLIRContext *context) {
  (Ops::template attachInterface<LinalgCostModel<Ops>>(*context), ...);
}

} // namespace

void quern::registerLinalgCostModel(DialectRegistry &registry) {
  registry.addExtension(+[](MLIRContext *context, linalg::LinalgDialect *) {
    attachToAll<
#define GET_OP_LIST
#include "mlir/Dialect/Linalg/IR/LinalgStructuredOps.cpp.inc"
        >(context);
  });
}
