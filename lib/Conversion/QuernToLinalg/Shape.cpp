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
    auto resultType =
        cast<RankedTensorType>(getTypeConverter()->convertType(op.getType()));
    rewriter.replaceOp(op, buildReshape(rewriter, op.getLoc(),
                                        adaptor.getInput(), resultType));
    return success();
  }
};

struct TransposeLowering : OpConversionPattern<TransposeOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(TransposeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type =
        cast<RankedTensorType>(getTypeConverter()->convertType(op.getType()));
    Value init = rewriter.create<tensor::EmptyOp>(op.getLoc(), type.getShape(),
                                                  type.getElementType());
    rewriter.replaceOp(op, rewriter
                               .create<linalg::TransposeOp>(op.getLoc(),
                                                            adaptor.getInput(),
                                                            init, op.getPerm())
                               .getResult());
    return success();
  }
};

struct BroadcastLowering : OpConversionPattern<BroadcastOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(BroadcastOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto resultType =
        cast<RankedTensorType>(getTypeConverter()->convertType(op.getType()));
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
        op,
        buildParallelGeneric(
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
    auto type =
        cast<RankedTensorType>(getTypeConverter()->convertType(op.getType()));
    auto value = cast<TypedAttr>(op.getValue());
    // Unsigned constants keep their bits under the signless type.
    if (value.getType() != type) {
      auto dense = dyn_cast<DenseIntElementsAttr>(value);
      if (!dense)
        return rewriter.notifyMatchFailure(op, "unsigned non-dense constant");
      value = dense.bitcast(type.getElementType());
    }
    rewriter.replaceOpWithNewOp<arith::ConstantOp>(op, value);
    return success();
  }
};

/// Each input is inserted into one result tensor at its offset along the
/// axis; bufferization turns the inserts into copies into one buffer.
struct ConcatLowering : OpConversionPattern<ConcatOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(ConcatOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type =
        cast<RankedTensorType>(getTypeConverter()->convertType(op.getType()));
    int64_t axis = op.getAxis();
    Value result = rewriter.create<tensor::EmptyOp>(loc, type.getShape(),
                                                    type.getElementType());
    int64_t offset = 0;
    for (Value input : adaptor.getInputs()) {
      auto inputType = cast<RankedTensorType>(input.getType());
      SmallVector<OpFoldResult> offsets(type.getRank(),
                                        rewriter.getIndexAttr(0));
      offsets[axis] = rewriter.getIndexAttr(offset);
      SmallVector<OpFoldResult> sizes,
          strides(type.getRank(), rewriter.getIndexAttr(1));
      for (int64_t size : inputType.getShape())
        sizes.push_back(rewriter.getIndexAttr(size));
      result = rewriter.create<tensor::InsertSliceOp>(loc, input, result,
                                                      offsets, sizes, strides);
      offset += inputType.getDimSize(axis);
    }
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// Forward windows are tensor.extract_slice (a view after bufferization);
/// a window with a negative stride is a generic that reads
/// input[offset + stride * i] with tensor.extract.
struct SliceLowering : OpConversionPattern<SliceOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(SliceOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type =
        cast<RankedTensorType>(getTypeConverter()->convertType(op.getType()));
    Value input = adaptor.getInput();
    if (llvm::all_of(op.getStrides(), [](int64_t s) { return s > 0; })) {
      rewriter.replaceOpWithNewOp<tensor::ExtractSliceOp>(
          op, type, input, ValueRange{}, ValueRange{}, ValueRange{},
          op.getOffsets(), type.getShape(), op.getStrides());
      return success();
    }
    rewriter.replaceOp(
        op,
        buildParallelGeneric(
            rewriter, loc, type, ValueRange{}, {},
            [&](OpBuilder &b, Location l, ValueRange) {
              SmallVector<Value> position;
              for (auto [dim, offset, stride] :
                   llvm::enumerate(op.getOffsets(), op.getStrides())) {
                Value i = b.create<linalg::IndexOp>(l, dim);
                Value scaled = b.create<arith::MulIOp>(
                    l, i, b.create<arith::ConstantIndexOp>(l, stride));
                position.push_back(b.create<arith::AddIOp>(
                    l, scaled, b.create<arith::ConstantIndexOp>(l, offset)));
              }
              return b.create<tensor::ExtractOp>(l, input, position)
                  .getResult();
            }));
    return success();
  }
};

struct InsertSliceLowering : OpConversionPattern<InsertSliceOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(InsertSliceOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto sourceType = cast<RankedTensorType>(adaptor.getSource().getType());
    rewriter.replaceOpWithNewOp<tensor::InsertSliceOp>(
        op, adaptor.getSource(), adaptor.getDest(), ValueRange{}, ValueRange{},
        ValueRange{}, op.getOffsets(), sourceType.getShape(), op.getStrides());
    return success();
  }
};

} // namespace

void quern::detail::populateShapePatterns(TypeConverter &converter,
                                          RewritePatternSet &patterns) {
  patterns.add<BroadcastLowering, ConcatLowering, ConstantLowering,
               InsertSliceLowering, ReshapeLowering, SliceLowering,
               TransposeLowering>(converter, patterns.getContext());
}
