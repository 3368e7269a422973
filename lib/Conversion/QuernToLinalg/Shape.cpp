//===- Shape.cpp - shape ops and constants to linalg/tensor -----*- C++ -*-===//
//
// Reshapes become collapse/expand_shape (views after bufferization), so they
// cost nothing at run time; transposes and broadcasts materialize a tensor.
//
//===----------------------------------------------------------------------===//

#include "Patterns.h"

#include "dialects/quern/QuernOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace quern;
using namespace quern::detail;

namespace {

struct ReshapeLowering : OpConversionPattern<ReshapeOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(ReshapeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    rewriter.replaceOp(op, buildReshape(rewriter, op.getLoc(),
                                        adaptor.getInput(), op.getType()));
    return success();
  }
};

struct TransposeLowering : OpConversionPattern<TransposeOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(TransposeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    RankedTensorType type = op.getType();
    Value init = rewriter.create<tensor::EmptyOp>(op.getLoc(), type.getShape(),
                                                  type.getElementType());
    rewriter.replaceOp(op, rewriter
                               .create<linalg::TransposeOp>(
                                   op.getLoc(), adaptor.getInput(), init,
                                   op.getPerm())
                               .getResult());
    return success();
  }
};

struct BroadcastLowering : OpConversionPattern<BroadcastOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(BroadcastOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    RankedTensorType resultType = op.getType();
    ArrayRef<int64_t> inputShape = op.getInput().getType().getShape();
    int64_t offset = resultType.getRank() - inputShape.size();
    // A stretched dimension is read at index 0; a missing leading one is not
    // read at all.
    SmallVector<AffineExpr> exprs;
    for (auto [dim, size] : llvm::enumerate(inputShape)) {
      int64_t resultDim = offset + dim;
      bool stretched = size == 1 && resultType.getDimSize(resultDim) != 1;
      exprs.push_back(stretched ? rewriter.getAffineConstantExpr(0)
                                : rewriter.getAffineDimExpr(resultDim));
    }
    auto map = AffineMap::get(resultType.getRank(), 0, exprs, op.getContext());
    rewriter.replaceOp(
        op, buildParallelGeneric(
                rewriter, op.getLoc(), resultType, adaptor.getInput(), map,
                [](OpBuilder &, Location, ValueRange args) { return args[0]; }));
    return success();
  }
};

struct ConstantLowering : OpConversionPattern<ConstantOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(ConstantOp op, OpAdaptor,
                  ConversionPatternRewriter &rewriter) const override {
    rewriter.replaceOpWithNewOp<arith::ConstantOp>(
        op, cast<TypedAttr>(op.getValue()));
    return success();
  }
};

} // namespace

void quern::detail::populateShapePatterns(TypeConverter &converter,
                                          RewritePatternSet &patterns) {
  patterns.add<ReshapeLowering, TransposeLowering, BroadcastLowering,
               ConstantLowering>(converter, patterns.getContext());
}
