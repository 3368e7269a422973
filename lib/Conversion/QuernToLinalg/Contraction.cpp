//===- Contraction.cpp - quern.matmul to linalg -----------------*- C++ -*-===//
//
// A matmul becomes one contraction linalg.generic whose indexing maps carry
// the transposes. The exception is a transposed operand whose copy the
// product pays for (the other side has 8 rows or columns or more): the
// register tiles would read it across its layout, through shuffles or
// gathers, so it is packed once (linalg.transpose) into the layout they
// read. bf16 products summed in k-pairs pack their right operand, and a
// transposed left one, into pairs whatever their size. The bias is
// broadcast into the init tensor, which makes the accumulation start from
// it instead of from zero.
//
//===----------------------------------------------------------------------===//

#include "Patterns.h"

#include "dialects/quern/QuernOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/IndexingUtils.h"
#include "quern/Conversion/PackedProduct.h"

using namespace mlir;
using namespace quern;
using namespace quern::detail;

AffineMap quern::detail::batchMap(MLIRContext *context, int64_t batchRank,
                                  int64_t dims, ArrayRef<AffineExpr> rest) {
  SmallVector<AffineExpr> exprs;
  for (int64_t dim = 0; dim < batchRank; ++dim)
    exprs.push_back(getAffineDimExpr(dim, context));
  exprs.append(rest.begin(), rest.end());
  return AffineMap::get(dims, 0, exprs, context);
}

void quern::detail::buildMultiplyAdd(OpBuilder &b, Location l,
                                     ValueRange args) {
  auto flags = arith::FastMathFlags::reassoc | arith::FastMathFlags::contract;
  Type accumulator = args[2].getType();
  auto widened = [&](Value operand) -> Value {
    if (operand.getType() == accumulator)
      return operand;
    return b.create<arith::ExtFOp>(l, accumulator, operand);
  };
  Value product =
      b.create<arith::MulFOp>(l, widened(args[0]), widened(args[1]), flags);
  b.create<linalg::YieldOp>(
      l, b.create<arith::AddFOp>(l, args[2], product, flags).getResult());
}

SmallVector<int64_t> quern::detail::lastTwoSwapped(int64_t rank) {
  SmallVector<int64_t> permutation =
      llvm::to_vector(llvm::seq<int64_t>(0, rank));
  std::swap(permutation[rank - 1], permutation[rank - 2]);
  return permutation;
}

Value quern::detail::roundedToBF16(OpBuilder &b, Location loc,
                                   ValueRange args) {
  return b.create<arith::TruncFOp>(loc, b.getBF16Type(), args[0]);
}

Value quern::detail::roundToBF16(OpBuilder &b, Location loc, Value value) {
  auto type = cast<RankedTensorType>(value.getType());
  Type bf16 = b.getBF16Type();
  return buildParallelGeneric(
      b, loc, RankedTensorType::get(type.getShape(), bf16), value,
      b.getMultiDimIdentityMap(type.getRank()), roundedToBF16);
}

Value quern::detail::buildAccumulatorInit(OpBuilder &b, Location loc,
                                          RankedTensorType resultType,
                                          Value bias) {
  if (!bias)
    return buildFilled(
        b, loc, resultType,
        scalar::constant(b, loc, resultType.getElementType(), 0.0));
  int64_t rank = resultType.getRank();
  auto biasType = cast<RankedTensorType>(bias.getType());
  AffineMap map =
      AffineMap::getMinorIdentityMap(rank, biasType.getRank(), b.getContext());
  return buildParallelGeneric(
      b, loc, resultType, bias, map,
      [](OpBuilder &, Location, ValueRange args) { return args[0]; });
}

namespace {

struct MatMulLowering : ProductPattern<MatMulOp> {
  using ProductPattern::ProductPattern;

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
    AffineExpr m = dim(batchRank), n = dim(batchRank + 1),
               k = dim(batchRank + 2);
    auto mapOf = [&](AffineExpr row, AffineExpr column) {
      return batchMap(context, batchRank, rank + 1, {row, column});
    };
    Value lhs = adaptor.getLhs(), rhs = adaptor.getRhs();
    bool transposeLhs = op.getTransposeLhs(),
         transposeRhs = op.getTransposeRhs();
    bool bf16 = precision.bf16Operands && resultType.getElementType().isF32();
    if (bf16 && precision.bf16Pairs) {
      // Without panels: those are CPU code generation's (quern-pack-panels).
      rewriter.replaceOp(op, buildPackedProduct(rewriter, loc, resultType, lhs,
                                                transposeLhs, rhs, transposeRhs,
                                                adaptor.getBias(),
                                                /*panel=*/0, /*pairs=*/true,
                                                /*accumulateInPanels=*/false));
      return success();
    }
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
    if (bf16) {
      lhs = roundToBF16(rewriter, loc, lhs);
      rhs = roundToBF16(rewriter, loc, rhs);
    }
    SmallVector<AffineMap> maps = {transposeLhs ? mapOf(k, m) : mapOf(m, k),
                                   transposeRhs ? mapOf(n, k) : mapOf(k, n),
                                   mapOf(m, n)};
    SmallVector<utils::IteratorType> iterators(rank,
                                               utils::IteratorType::parallel);
    iterators.push_back(utils::IteratorType::reduction);

    Value init =
        buildAccumulatorInit(rewriter, loc, resultType, adaptor.getBias());
    auto generic = rewriter.create<linalg::GenericOp>(
        loc, resultType, ValueRange{lhs, rhs}, init, maps, iterators,
        buildMultiplyAdd);
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }

private:
  /// Rows (columns) of the result from which a transposed right (left)
  /// operand is packed: the copy's loads are then at most an eighth of the
  /// product's multiply-adds.
  static constexpr int64_t kPackRows = 8;

  /// `value` ([..., N, K]) transposed to [..., K, N].
  static Value packTransposed(OpBuilder &b, Location loc, Value value) {
    auto type = cast<RankedTensorType>(value.getType());
    SmallVector<int64_t> permutation = lastTwoSwapped(type.getRank());
    Value init = b.create<tensor::EmptyOp>(
        loc, applyPermutation(type.getShape(), permutation),
        type.getElementType());
    return b.create<linalg::TransposeOp>(loc, value, init, permutation)
        .getResult()[0];
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
    auto resultType =
        cast<RankedTensorType>(getTypeConverter()->convertType(op.getType()));
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

void quern::detail::populateContractionPatterns(
    TypeConverter &converter, RewritePatternSet &patterns,
    const MatmulPrecision &precision) {
  patterns.add<EinsumLowering>(converter, patterns.getContext());
  patterns.add<MatMulLowering>(converter, patterns.getContext(), precision);
}
