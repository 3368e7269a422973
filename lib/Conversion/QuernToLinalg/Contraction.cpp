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

using namespace mlir;
using namespace quern;
using namespace quern::detail;

namespace {

/// `front` followed by `back`.
template <typename T>
SmallVector<T> joined(ArrayRef<T> front, ArrayRef<T> back) {
  SmallVector<T> all(front);
  all.append(back.begin(), back.end());
  return all;
}

/// The map from `dims` loops, the first `batchRank` of them batch loops, to
/// the batch loops followed by `rest`.
AffineMap batchMap(MLIRContext *context, int64_t batchRank, int64_t dims,
                   ArrayRef<AffineExpr> rest) {
  SmallVector<AffineExpr> exprs;
  for (int64_t dim = 0; dim < batchRank; ++dim)
    exprs.push_back(getAffineDimExpr(dim, context));
  exprs.append(rest.begin(), rest.end());
  return AffineMap::get(dims, 0, exprs, context);
}

/// `columns` as (N/panel, panel) in panels, as (N) without (panel 0).
SmallVector<int64_t> panelShape(int64_t columns, int64_t panel) {
  if (panel == 0)
    return {columns};
  return {columns / panel, panel};
}

struct MatMulLowering : OpConversionPattern<MatMulOp> {
  MatMulLowering(TypeConverter &converter, MLIRContext *context,
                 const MatmulPrecision &precision)
      : OpConversionPattern(converter, context), precision(precision) {}

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
      // An odd depth takes a zero more (each operand copied once, padded),
      // so that it too is summed in pairs by the dot instruction: its last
      // pair sums the last product and zero.
      auto lhsType = cast<RankedTensorType>(lhs.getType());
      int64_t lhsDepthDim = lhsType.getRank() - (transposeLhs ? 2 : 1);
      if (lhsType.getDimSize(lhsDepthDim) % 2 != 0) {
        int64_t rhsRank = cast<RankedTensorType>(rhs.getType()).getRank();
        lhs = withZerosAppended(rewriter, loc, lhs, lhsDepthDim, 1);
        rhs = withZerosAppended(rewriter, loc, rhs,
                                rhsRank - (transposeRhs ? 1 : 2), 1);
      }
      rewriter.replaceOp(op, buildPairedProduct(rewriter, loc, resultType, lhs,
                                                transposeLhs, rhs, transposeRhs,
                                                adaptor.getBias()));
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
  MatmulPrecision precision;

  /// The body of a contraction: acc + a * b. The sum over k may be
  /// reassociated and fused into FMAs, which is what lets it be vectorized;
  /// the generated code stays deterministic, only the order of the
  /// additions is the compiler's. bf16 operands are widened exactly; the
  /// arithmetic is f32.
  static void buildMultiplyAdd(OpBuilder &b, Location l, ValueRange args) {
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

  /// Groups of a reshape of a rank-`rank` tensor that splits each
  /// dimension in `split` in two.
  static SmallVector<ReassociationIndices> splitting(int64_t rank,
                                                     ArrayRef<int64_t> split) {
    SmallVector<ReassociationIndices> groups;
    for (int64_t dim = 0, next = 0; dim < rank; ++dim) {
      ReassociationIndices group = {next++};
      if (llvm::is_contained(split, dim))
        group.push_back(next++);
      groups.push_back(group);
    }
    return groups;
  }

  /// `value` viewed as `shape`, each dimension in `split` split in two.
  static Value expanded(OpBuilder &b, Location loc, Value value,
                        ArrayRef<int64_t> shape, ArrayRef<int64_t> split) {
    auto type = cast<RankedTensorType>(value.getType());
    return b.create<tensor::ExpandShapeOp>(
        loc, RankedTensorType::get(shape, type.getElementType()), value,
        splitting(type.getRank(), split));
  }

  /// `value` ([..., K, N], or [..., N, K] when `transposed`; f32, K even)
  /// rounded to bf16 with each k pair of a column side by side:
  /// [..., K/2, N, 2], or, in panels of `panel` columns (0: none),
  /// [..., N/panel, K/2, panel, 2]. Packed in one pass: in the packed order
  /// from a transposed operand; from an untransposed one in panels, row
  /// after row (p, j, c, t), each row's panels taking turns.
  static Value packPairs(OpBuilder &b, Location loc, Value value,
                         bool transposed, int64_t panel) {
    MLIRContext *context = b.getContext();
    auto type = cast<RankedTensorType>(value.getType());
    int64_t rank = type.getRank(), batchRank = rank - 2;
    int64_t kDim = transposed ? rank - 1 : rank - 2,
            nDim = transposed ? rank - 2 : rank - 1;
    int64_t depth = type.getDimSize(kDim), columns = type.getDimSize(nDim);
    bool panels = panel > 0;
    // The columns as (j, c) in panels, c alone without.
    SmallVector<int64_t> columnShape = panelShape(columns, panel);
    SmallVector<int64_t> split = {kDim};
    if (panels)
      split.push_back(nDim);
    ArrayRef<int64_t> batch = type.getShape().drop_back(2);
    Value splitValue = expanded(
        b, loc, value,
        joined<int64_t>(
            batch, transposed ? joined<int64_t>(columnShape, {depth / 2, 2})
                              : joined<int64_t>({depth / 2, 2}, columnShape)),
        split);
    // Iteration space: (batch..., (j,) p, c, t), or (batch..., p, j, c, t)
    // for an untransposed operand in panels.
    auto dim = [&](int64_t position) {
      return getAffineDimExpr(batchRank + position, context);
    };
    int64_t first = panels ? 1 : 0;
    bool rowsInOrder = panels && !transposed;
    SmallVector<AffineExpr> columnExprs;
    if (panels)
      columnExprs.push_back(dim(rowsInOrder ? 1 : 0));
    AffineExpr p = dim(rowsInOrder ? 0 : first), c = dim(first + 1),
               t = dim(first + 2);
    columnExprs.push_back(c);
    auto batchThen = [&](ArrayRef<AffineExpr> rest) {
      return batchMap(context, batchRank, batchRank + first + 3, rest);
    };
    SmallVector<AffineExpr> read =
        transposed ? joined<AffineExpr>(columnExprs, {p, t})
                   : joined<AffineExpr>({p, t}, columnExprs);
    SmallVector<AffineExpr> write =
        joined<AffineExpr>(ArrayRef(columnExprs).drop_back(), {p, c, t});
    Type bf16 = b.getBF16Type();
    SmallVector<int64_t> packedShape = joined<int64_t>(
        batch, joined<int64_t>(ArrayRef(columnShape).drop_back(),
                               {depth / 2, columnShape.back(), 2}));
    return buildParallelGeneric(
        b, loc, RankedTensorType::get(packedShape, bf16), splitValue,
        batchThen(read), roundedToBF16, batchThen(write));
  }

  /// lhs · rhs summed in pairs along k (K even), the form of a bf16
  /// dot-product instruction (AVX-512 BF16's vdpbf16ps), with k = 2p + t:
  /// the product sums over the pair index p and the pair member t.
  ///
  /// Both operands are f32; transposed ones are untransposed as they are
  /// packed.
  /// - lhs [..., M, K] is rounded and read as [..., M, K/2, 2], a reshape.
  ///   A transposed lhs ([..., K, M]) is packed like an untransposed rhs,
  ///   [..., K/2, M, 2]: each row's pair is still one 32-bit word, and
  ///   packing interleaves whole rows where rounding it untransposed would
  ///   transpose it element by element.
  /// - rhs [..., K, N] (f32, or [..., N, K] when `transposeRhs`) is packed
  ///   as [..., K/2, N, 2] (each k pair of a column side by side), or, with
  ///   panels (`precision.bf16Panel` columns, N wider; N padded with
  ///   zero columns to a multiple), as [..., N/panel, K/2, panel, 2]: the
  ///   columns of a register
  ///   tile are one contiguous panel rather than rows N pairs apart, whose
  ///   power-of-two strides fall into a few cache sets. The product then
  ///   runs over (batch..., j, m, c, p, t) with n = panel * j + c, into the
  ///   result viewed as [..., M, N/panel, panel]; j leads, like a batch
  ///   dimension.
  Value buildPairedProduct(OpBuilder &b, Location loc,
                           RankedTensorType resultType, Value lhs,
                           bool transposeLhs, Value rhs, bool transposeRhs,
                           Value bias) const {
    MLIRContext *context = b.getContext();
    int64_t rank = resultType.getRank(), batchRank = rank - 2;
    int64_t rows = resultType.getDimSize(rank - 2),
            columns = resultType.getDimSize(rank - 1);
    auto lhsType = cast<RankedTensorType>(lhs.getType());
    Value lhsPairs =
        transposeLhs
            ? packPairs(b, loc, lhs, /*transposed=*/false, /*panel=*/0)
            : expanded(b, loc, roundToBF16(b, loc, lhs),
                       joined<int64_t>(lhsType.getShape().drop_back(),
                                       {lhsType.getShape().back() / 2, 2}),
                       {rank - 1});
    // Panels where N is wider than one; 0: none. Columns that do not fill
    // the last panel are padded with zeros (the packed operand and the bias
    // get zero columns, the product computes them, the result leaves them
    // out), so that every register tile is a whole panel.
    int64_t panel = precision.bf16Panel > 0 && columns > precision.bf16Panel
                        ? precision.bf16Panel
                        : 0;
    bool panels = panel > 0;
    int64_t paddedColumns = panels ? llvm::alignTo(columns, panel) : columns;
    if (paddedColumns != columns) {
      int64_t rhsRank = cast<RankedTensorType>(rhs.getType()).getRank();
      rhs = withZerosAppended(b, loc, rhs, rhsRank - (transposeRhs ? 2 : 1),
                              paddedColumns - columns);
      if (bias)
        bias = withZerosAppended(
            b, loc, bias, cast<RankedTensorType>(bias.getType()).getRank() - 1,
            paddedColumns - columns);
    }
    Value rhsPairs = packPairs(b, loc, rhs, transposeRhs, panel);

    // Iteration space: (batch..., (j,) m, c, p, t).
    auto dim = [&](int64_t position) {
      return getAffineDimExpr(batchRank + position, context);
    };
    int64_t first = panels ? 1 : 0;
    int64_t dims = batchRank + first + 4;
    SmallVector<AffineExpr> j;
    if (panels)
      j.push_back(dim(0));
    AffineExpr m = dim(first), c = dim(first + 1), p = dim(first + 2),
               t = dim(first + 3);
    auto batchThen = [&](ArrayRef<AffineExpr> rest) {
      return batchMap(context, batchRank, dims, rest);
    };
    SmallVector<utils::IteratorType> iterators(dims - 2,
                                               utils::IteratorType::parallel);
    iterators.append(2, utils::IteratorType::reduction);
    // The accumulator is built in its panel shape (a fill of the reshaped
    // result would not be the product's own).
    SmallVector<int64_t> columnShape = panelShape(paddedColumns, panel);
    auto accumulatorType = RankedTensorType::get(
        joined<int64_t>(resultType.getShape().drop_back(2),
                        joined<int64_t>({rows}, columnShape)),
        resultType.getElementType());
    if (bias && panels) {
      auto biasType = cast<RankedTensorType>(bias.getType());
      bias = expanded(
          b, loc, bias,
          joined<int64_t>(biasType.getShape().drop_back(), columnShape),
          {biasType.getRank() - 1});
    }
    Value init = buildAccumulatorInit(b, loc, accumulatorType, bias);
    Value product =
        b.create<linalg::GenericOp>(
             loc, accumulatorType, ValueRange{lhsPairs, rhsPairs}, init,
             SmallVector<AffineMap>{
                 batchThen(transposeLhs ? ArrayRef<AffineExpr>{p, m, t}
                                        : ArrayRef<AffineExpr>{m, p, t}),
                 batchThen(joined<AffineExpr>(j, {p, c, t})),
                 batchThen(
                     joined<AffineExpr>({m}, joined<AffineExpr>(j, {c})))},
             iterators, buildMultiplyAdd)
            .getResult(0);
    if (!panels)
      return product;
    SmallVector<int64_t> paddedShape(resultType.getShape());
    paddedShape.back() = paddedColumns;
    Value collapsed = b.create<tensor::CollapseShapeOp>(
        loc, RankedTensorType::get(paddedShape, resultType.getElementType()),
        product, splitting(rank, {rank - 1}));
    if (paddedColumns == columns)
      return collapsed;
    SmallVector<OpFoldResult> offsets(rank, b.getIndexAttr(0)),
        strides(rank, b.getIndexAttr(1));
    return b.create<tensor::ExtractSliceOp>(
        loc, resultType, collapsed, offsets,
        getAsIndexOpFoldResult(context, resultType.getShape()), strides);
  }

  /// `value` with `count` slices of zeros appended along `dim`.
  static Value withZerosAppended(OpBuilder &b, Location loc, Value value,
                                 int64_t dim, int64_t count) {
    auto type = cast<RankedTensorType>(value.getType());
    SmallVector<int64_t> shape(type.getShape());
    shape[dim] += count;
    Value zeros =
        buildFilled(b, loc, RankedTensorType::get(shape, type.getElementType()),
                    scalar::constant(b, loc, type.getElementType(), 0.0));
    SmallVector<OpFoldResult> offsets(type.getRank(), b.getIndexAttr(0)),
        strides(type.getRank(), b.getIndexAttr(1));
    return b.create<tensor::InsertSliceOp>(
        loc, value, zeros, offsets,
        getAsIndexOpFoldResult(b.getContext(), type.getShape()), strides);
  }

  /// The permutation of `rank` dimensions that swaps the last two.
  static SmallVector<int64_t> lastTwoSwapped(int64_t rank) {
    SmallVector<int64_t> permutation =
        llvm::to_vector(llvm::seq<int64_t>(0, rank));
    std::swap(permutation[rank - 1], permutation[rank - 2]);
    return permutation;
  }

  /// The body of a generic that rounds its one input to bf16.
  static Value roundedToBF16(OpBuilder &b, Location loc, ValueRange args) {
    return b.create<arith::TruncFOp>(loc, b.getBF16Type(), args[0]);
  }

  /// `value` rounded to bf16, element by element.
  static Value roundToBF16(OpBuilder &b, Location loc, Value value) {
    auto type = cast<RankedTensorType>(value.getType());
    Type bf16 = b.getBF16Type();
    return buildParallelGeneric(
        b, loc, RankedTensorType::get(type.getShape(), bf16), value,
        b.getMultiDimIdentityMap(type.getRank()), roundedToBF16);
  }

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

  /// Zeros, or the bias (of the result's shape, or of its innermost
  /// dimensions) broadcast to the result's shape.
  static Value buildAccumulatorInit(OpBuilder &b, Location loc,
                                    RankedTensorType resultType, Value bias) {
    if (!bias)
      return buildFilled(
          b, loc, resultType,
          scalar::constant(b, loc, resultType.getElementType(), 0.0));
    int64_t rank = resultType.getRank();
    auto biasType = cast<RankedTensorType>(bias.getType());
    AffineMap map = AffineMap::getMinorIdentityMap(rank, biasType.getRank(),
                                                   b.getContext());
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
