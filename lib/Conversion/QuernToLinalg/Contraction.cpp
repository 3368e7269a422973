//===- Contraction.cpp - quern.matmul to linalg -----------------*- C++ -*-===//
//
// A matmul becomes one contraction linalg.generic whose indexing maps carry
// the transposes. The exception is a transposed operand whose copy the
// product pays for (the other side has 8 rows or columns or more): the
// register tiles would read it across its layout, through shuffles or
// gathers, so it is packed once (linalg.transpose) into the layout they
// read. The bias is broadcast into the init
// tensor, which makes the accumulation start from it instead of from zero.
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

struct MatMulLowering : OpConversionPattern<MatMulOp> {
  MatMulLowering(TypeConverter &converter, MLIRContext *context,
                 bool bf16Operands)
      : OpConversionPattern(converter, context), bf16Operands(bf16Operands) {}

  LogicalResult
  matchAndRewrite(MatMulOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *context = op.getContext();
    auto resultType = cast<RankedTensorType>(op.getType());
    int64_t rank = resultType.getRank();
    int64_t batchRank = rank - 2;

    // Iteration space: (batch..., m, n, k).
    auto dim = [&](int64_t position) {
      return getAffineDimExpr(position, context);
    };
    SmallVector<AffineExpr> batch;
    for (int64_t i = 0; i < batchRank; ++i)
      batch.push_back(dim(i));
    AffineExpr m = dim(batchRank), n = dim(batchRank + 1),
               k = dim(batchRank + 2);
    auto mapOf = [&](AffineExpr row, AffineExpr column) {
      SmallVector<AffineExpr> exprs(batch);
      exprs.append({row, column});
      return AffineMap::get(rank + 1, 0, exprs, context);
    };
    Value lhs = adaptor.getLhs(), rhs = adaptor.getRhs();
    bool transposeLhs = op.getTransposeLhs(), transposeRhs = op.getTransposeRhs();
    if (transposeLhs && resultType.getDimSize(batchRank + 1) >= kPackRows) {
      lhs = packTransposed(rewriter, loc, lhs);
      transposeLhs = false;
    }
    if (transposeRhs && resultType.getDimSize(batchRank) >= kPackRows) {
      rhs = packTransposed(rewriter, loc, rhs);
      transposeRhs = false;
    }
    // Rounded after packing: the transposes stay f32, whose shuffles are
    // the fast ones.
    if (bf16Operands && resultType.getElementType().isF32()) {
      lhs = roundToBF16(rewriter, loc, lhs);
      rhs = roundToBF16(rewriter, loc, rhs);
    }
    SmallVector<AffineMap> maps = {
        transposeLhs ? mapOf(k, m) : mapOf(m, k),
        transposeRhs ? mapOf(n, k) : mapOf(k, n), mapOf(m, n)};
    SmallVector<utils::IteratorType> iterators(rank,
                                               utils::IteratorType::parallel);
    iterators.push_back(utils::IteratorType::reduction);

    Value init = buildAccumulatorInit(rewriter, loc, resultType,
                                      adaptor.getBias());
    auto generic = rewriter.create<linalg::GenericOp>(
        loc, resultType, ValueRange{lhs, rhs}, init,
        maps, iterators, [](OpBuilder &b, Location l, ValueRange args) {
          // The sum over k may be reassociated and fused into FMAs, which is
          // what lets it be vectorized; the generated code stays
          // deterministic, only the order of the additions is the
          // compiler's.
          auto flags = arith::FastMathFlags::reassoc |
                       arith::FastMathFlags::contract;
          // bf16 operands are widened exactly; the arithmetic is f32.
          Type accumulator = args[2].getType();
          auto widened = [&](Value operand) -> Value {
            if (operand.getType() == accumulator)
              return operand;
            return b.create<arith::ExtFOp>(l, accumulator, operand);
          };
          Value product = b.create<arith::MulFOp>(l, widened(args[0]),
                                                  widened(args[1]), flags);
          b.create<linalg::YieldOp>(
              l, b.create<arith::AddFOp>(l, args[2], product, flags)
                     .getResult());
        });
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }

private:
  /// Round f32 matmul operands to bf16 (mixed precision).
  bool bf16Operands;

  /// `value` rounded to bf16, element by element.
  static Value roundToBF16(OpBuilder &b, Location loc, Value value) {
    auto type = cast<RankedTensorType>(value.getType());
    Type bf16 = b.getBF16Type();
    return buildParallelGeneric(
        b, loc, type.clone(bf16), value,
        b.getMultiDimIdentityMap(type.getRank()),
        [bf16](OpBuilder &nb, Location l, ValueRange args) -> Value {
          return nb.create<arith::TruncFOp>(l, bf16, args[0]);
        });
  }

  /// Rows (columns) of the result from which a transposed right (left)
  /// operand is packed: the copy's loads are then at most an eighth of the
  /// product's multiply-adds.
  static constexpr int64_t kPackRows = 8;

  /// `value` ([..., N, K]) transposed to [..., K, N].
  static Value packTransposed(OpBuilder &b, Location loc, Value value) {
    auto type = cast<RankedTensorType>(value.getType());
    int64_t rank = type.getRank();
    SmallVector<int64_t> permutation;
    for (int64_t dim = 0; dim < rank; ++dim)
      permutation.push_back(dim);
    std::swap(permutation[rank - 1], permutation[rank - 2]);
    SmallVector<int64_t> shape(type.getShape());
    std::swap(shape[rank - 1], shape[rank - 2]);
    Value init =
        b.create<tensor::EmptyOp>(loc, shape, type.getElementType());
    return b.create<linalg::TransposeOp>(loc, value, init, permutation)
        .getResult()[0];
  }

  /// Zeros, or the bias broadcast to the result's shape.
  static Value buildAccumulatorInit(OpBuilder &b, Location loc,
                                    RankedTensorType resultType, Value bias) {
    if (!bias)
      return buildFilled(
          b, loc, resultType,
          scalar::constant(b, loc, resultType.getElementType(), 0.0));
    int64_t rank = resultType.getRank();
    auto biasType = cast<RankedTensorType>(bias.getType());
    AffineMap map =
        biasType == resultType
            ? b.getMultiDimIdentityMap(rank)
            : AffineMap::get(rank, 0, b.getAffineDimExpr(rank - 1));
    return buildParallelGeneric(
        b, loc, resultType, bias, map,
        [](OpBuilder &, Location, ValueRange args) { return args[0]; });
  }
};

/// One generic: the result's letters are parallel loops, the other letters
/// reduction loops, and each operand is read through its letters (a
/// repeated letter reads a diagonal).
struct EinsumLowering : OpConversionPattern<EinsumOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(EinsumOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *context = op.getContext();
    EinsumEquation equation = *parseEinsumEquation(op.getEquation());
    std::string letters = equation.result;
    for (const std::string &operand : equation.operands)
      for (char letter : operand)
        if (letters.find(letter) == std::string::npos)
          letters.push_back(letter);
    auto mapOf = [&](StringRef subscripts) {
      SmallVector<AffineExpr> exprs;
      for (char letter : subscripts)
        exprs.push_back(getAffineDimExpr(letters.find(letter), context));
      return AffineMap::get(letters.size(), 0, exprs, context);
    };
    SmallVector<AffineMap> maps;
    for (const std::string &operand : equation.operands)
      maps.push_back(mapOf(operand));
    maps.push_back(mapOf(equation.result));
    SmallVector<utils::IteratorType> iterators;
    for (size_t dim = 0; dim < letters.size(); ++dim)
      iterators.push_back(dim < equation.result.size()
                              ? utils::IteratorType::parallel
                              : utils::IteratorType::reduction);

    Type elementType = op.getType().getElementType();
    auto resultType = cast<RankedTensorType>(
        getTypeConverter()->convertType(op.getType()));
    Value init = buildFilled(rewriter, loc, resultType,
                             scalar::constant(rewriter, loc, elementType, 0));
    auto generic = rewriter.create<linalg::GenericOp>(
        loc, resultType, adaptor.getOperands(), init, maps, iterators,
        [&](OpBuilder &b, Location l, ValueRange args) {
          Value product = args.front();
          for (Value factor : args.drop_front().drop_back())
            product = scalar::mul(b, l, elementType, product, factor);
          b.create<linalg::YieldOp>(
              l, scalar::add(b, l, elementType, args.back(), product));
        });
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }
};

} // namespace

void quern::detail::populateContractionPatterns(TypeConverter &converter,
                                                RewritePatternSet &patterns,
                                                bool bf16Matmuls) {
  patterns.add<EinsumLowering>(converter, patterns.getContext());
  patterns.add<MatMulLowering>(converter, patterns.getContext(), bf16Matmuls);
}
