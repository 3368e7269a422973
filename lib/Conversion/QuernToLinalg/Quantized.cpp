//===- Quantized.cpp - lowering block-quantized weights ---------*- C++ -*-===//
//
// quern.dequantize becomes a generic that computes each element from its
// position alone: it reads its code byte and its block's scale with
// tensor.extract, and has no inputs. A product that packs such an operand
// (quern/Conversion/PackedProduct.h) computes the elements as it packs them,
// so the decoded weight is not stored whole.
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

Value indexConstant(OpBuilder &b, Location loc, int64_t value) {
  return b.create<arith::ConstantIndexOp>(loc, value);
}

/// The code of element `position` (an index) as an i32: a byte (signed
/// unless `isUnsigned`), or the nibble a 4-bit code takes in it.
Value codeAt(OpBuilder &b, Location loc, Value codes, Value position,
             int64_t bits, bool isUnsigned) {
  Type i32 = b.getI32Type();
  if (bits == 8) {
    Value byte = b.create<tensor::ExtractOp>(loc, codes, position);
    return isUnsigned ? b.create<arith::ExtUIOp>(loc, i32, byte).getResult()
                      : b.create<arith::ExtSIOp>(loc, i32, byte).getResult();
  }
  Value byte = b.create<tensor::ExtractOp>(
      loc, codes,
      ValueRange{
          b.create<arith::ShRUIOp>(loc, position, indexConstant(b, loc, 1))});
  // Element 2i in the low nibble, 2i + 1 in the high one.
  Value odd = b.create<arith::IndexCastOp>(
      loc, i32,
      b.create<arith::AndIOp>(loc, position, indexConstant(b, loc, 1)));
  Value shift = b.create<arith::MulIOp>(
      loc, odd, b.create<arith::ConstantIntOp>(loc, 4, i32));
  Value wide = b.create<arith::ExtUIOp>(loc, i32, byte);
  return b.create<arith::AndIOp>(loc,
                                 b.create<arith::ShRUIOp>(loc, wide, shift),
                                 b.create<arith::ConstantIntOp>(loc, 15, i32));
}

struct DequantizeLowering : OpConversionPattern<DequantizeOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(DequantizeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto resultType = cast<RankedTensorType>(op.getType());
    QuantScheme scheme = op.getScheme();
    int64_t bits = DequantizeOp::codeBits(scheme);
    int64_t block = op.getBlock();
    Value levels;
    if (scheme == QuantScheme::nf4) {
      auto tableType = RankedTensorType::get({16}, rewriter.getF32Type());
      levels = rewriter.create<arith::ConstantOp>(
          loc, tableType,
          DenseElementsAttr::get(tableType, DequantizeOp::nf4Levels()));
    }
    Value codes = adaptor.getCodes(), scales = adaptor.getScales(),
          offset = adaptor.getOffset(), zeroPoints = adaptor.getZeroPoints();
    ArrayRef<int64_t> shape = resultType.getShape();
    int64_t rowBlocks = shape.empty() ? 1 : shape.back() / block;
    Value result = buildParallelGeneric(
        rewriter, loc, resultType, ValueRange{}, {},
        [&](OpBuilder &b, Location l, ValueRange) -> Value {
          Value position = buildLinearIndex(b, l, resultType.getShape());
          bool isUnsigned =
              scheme == QuantScheme::uint4 || scheme == QuantScheme::uint8;
          Value code = codeAt(b, l, codes, position, bits, isUnsigned);
          Type f32 = b.getF32Type();
          Value level;
          switch (scheme) {
          case QuantScheme::nf4:
            level = b.create<tensor::ExtractOp>(
                l, levels,
                ValueRange{
                    b.create<arith::IndexCastOp>(l, b.getIndexType(), code)});
            break;
          case QuantScheme::int4: {
            // A 4-bit two's-complement code: (c ^ 8) - 8.
            Value eight = b.create<arith::ConstantIntOp>(l, 8, b.getI32Type());
            level = b.create<arith::SIToFPOp>(
                l, f32,
                b.create<arith::SubIOp>(
                    l, b.create<arith::XOrIOp>(l, code, eight), eight));
            break;
          }
          case QuantScheme::int8:
            level = b.create<arith::SIToFPOp>(l, f32, code);
            break;
          case QuantScheme::uint4:
          case QuantScheme::uint8: {
            // The code minus its zero point: the block's own, else the
            // middle of its range.
            Value zeroPoint = b.create<arith::ConstantIntOp>(
                l, int64_t(1) << (bits - 1), b.getI32Type());
            if (zeroPoints) {
              // Block (row, r) of a row of rowBlocks, rows of whole bytes.
              Value blockIndex = b.create<arith::DivUIOp>(
                  l, position, indexConstant(b, l, block));
              Value row = b.create<arith::DivUIOp>(
                  l, blockIndex, indexConstant(b, l, rowBlocks));
              Value inRow = b.create<arith::RemUIOp>(
                  l, blockIndex, indexConstant(b, l, rowBlocks));
              int64_t rowBytes = llvm::divideCeil(rowBlocks * bits, 8);
              Value at = b.create<arith::AddIOp>(
                  l,
                  b.create<arith::MulIOp>(
                      l, row, indexConstant(b, l, rowBytes * 8 / bits)),
                  inRow);
              zeroPoint = codeAt(b, l, zeroPoints, at, bits, true);
            }
            level = b.create<arith::SIToFPOp>(
                l, f32, b.create<arith::SubIOp>(l, code, zeroPoint));
            break;
          }
          }
          Value scale = b.create<tensor::ExtractOp>(
              l, scales,
              ValueRange{b.create<arith::DivUIOp>(l, position,
                                                  indexConstant(b, l, block))});
          Value value = b.create<arith::MulFOp>(l, level, scale);
          if (offset)
            value = b.create<arith::AddFOp>(
                l, value,
                b.create<tensor::ExtractOp>(
                    l, offset, ValueRange{indexConstant(b, l, 0)}));
          return value;
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void quern::detail::populateQuantizedPatterns(TypeConverter &converter,
                                              RewritePatternSet &patterns) {
  patterns.add<DequantizeLowering>(converter, patterns.getContext());
}
