//===- VectorPatterns.cpp - vector rewrites for CPU register tiles -*- C++ -*-//

#include "VectorPatterns.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Utils/IndexingUtils.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;
using namespace quern;

namespace {

/// A transpose whose leading unit dimensions stay in place becomes the
/// transpose of the rest: MLIR's leading-unit-dimension patterns do this for
/// elementwise ops and transfers, but not for transposes, and an elementwise
/// op on a transposed tile (rounding a pair tile of [1, 16, 2]) can only move
/// before the transpose, onto whole rows, once they have.
struct CastAwayTransposeLeadingOneDim : OpRewritePattern<vector::TransposeOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(vector::TransposeOp op,
                                PatternRewriter &rewriter) const override {
    VectorType type = op.getResultVectorType();
    ArrayRef<int64_t> permutation = op.getPermutation();
    int64_t unit = 0;
    while (unit + 1 < type.getRank() && type.getDimSize(unit) == 1 &&
           permutation[unit] == unit && !type.getScalableDims()[unit])
      ++unit;
    if (unit == 0)
      return failure();
    Location loc = op.getLoc();
    Value inner = rewriter.create<vector::ExtractOp>(
        loc, op.getVector(), SmallVector<int64_t>(unit, 0));
    SmallVector<int64_t> rest;
    for (int64_t dim : permutation.drop_front(unit))
      rest.push_back(dim - unit);
    Value transposed = rewriter.create<vector::TransposeOp>(loc, inner, rest);
    rewriter.replaceOpWithNewOp<vector::BroadcastOp>(op, type, transposed);
    return success();
  }
};

/// A transpose whose other unit dimensions move (a tile's unit panel index
/// between the two dimensions of a pair) becomes a transpose of the
/// dimensions that are not units, between shape casts; with at most one
/// such dimension, a shape cast alone. Leading unit dimensions that stay in
/// place are CastAwayTransposeLeadingOneDim's.
struct DropTransposeUnitDims : OpRewritePattern<vector::TransposeOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(vector::TransposeOp op,
                                PatternRewriter &rewriter) const override {
    VectorType type = op.getSourceVectorType();
    ArrayRef<int64_t> shape = type.getShape(),
                      permutation = op.getPermutation();
    if (type.isScalable() || (shape[0] == 1 && permutation[0] == 0) ||
        !llvm::is_contained(shape, 1))
      return failure();
    // Where each dimension that is not a unit goes among those kept.
    SmallVector<int64_t> kept = withoutUnitDims(type),
                         position(shape.size(), -1);
    for (int64_t dim = 0, next = 0; dim < type.getRank(); ++dim)
      if (shape[dim] != 1)
        position[dim] = next++;
    SmallVector<int64_t> reduced;
    for (int64_t dim : permutation)
      if (position[dim] >= 0)
        reduced.push_back(position[dim]);
    // Without a transpose of the rest (at most one dimension, or kept in
    // order), the elements keep their order: a shape cast.
    if (isIdentityPermutation(reduced)) {
      rewriter.replaceOpWithNewOp<vector::ShapeCastOp>(
          op, op.getResultVectorType(), op.getVector());
      return success();
    }
    Location loc = op.getLoc();
    Value rest = rewriter.create<vector::ShapeCastOp>(
        loc, VectorType::get(kept, type.getElementType()), op.getVector());
    rest = rewriter.create<vector::TransposeOp>(loc, rest, reduced);
    rewriter.replaceOpWithNewOp<vector::ShapeCastOp>(
        op, op.getResultVectorType(), rest);
    return success();
  }
};

/// Vectors whose innermost dimension is at most this wide (a pair of f32)
/// are moved in wider units: the rows of such a tile are contiguous.
static constexpr int64_t kNarrowBits = 64;

/// Whether `type` (not scalable) has a narrow innermost dimension and more
/// than one row (unit dimensions are the leading-unit-dimension patterns'
/// business).
static bool hasNarrowRows(VectorType type) {
  int64_t rank = type.getRank();
  return rank >= 2 && !type.isScalable() && type.getShape()[rank - 2] > 1 &&
         type.getShape().back() * type.getElementTypeBitWidth() <= kNarrowBits;
}

/// `type` with its two innermost dimensions made one.
static VectorType withNarrowRowsCollapsed(VectorType type) {
  SmallVector<int64_t> shape(type.getShape().drop_back(2));
  shape.push_back(type.getShape().take_back(2)[0] * type.getShape().back());
  return VectorType::get(shape, type.getElementType());
}

/// A transfer of a vector with narrow rows that span the innermost dimension
/// of the buffer (pairs of bf16 or f32) becomes a transfer of the two
/// innermost dimensions collapsed into one: rows of whole vectors rather than
/// one narrow vector per element of the next dimension.
template <typename TransferOp>
struct CollapseNarrowInnermostDims : OpRewritePattern<TransferOp> {
  using OpRewritePattern<TransferOp>::OpRewritePattern;

  LogicalResult matchAndRewrite(TransferOp op,
                                PatternRewriter &rewriter) const override {
    VectorType vectorType = op.getVectorType();
    auto memrefType = dyn_cast<MemRefType>(op.getSource().getType());
    if (!memrefType || !hasNarrowRows(vectorType) || op.getMask() ||
        op.hasOutOfBoundsDim() || !op.getPermutationMap().isMinorIdentity() ||
        vectorType.getShape().back() != memrefType.getShape().back())
      return failure();
    int64_t rank = memrefType.getRank();
    SmallVector<ReassociationIndices> groups;
    for (int64_t dim = 0; dim < rank - 2; ++dim)
      groups.push_back({dim});
    groups.push_back({rank - 2, rank - 1});
    if (!memref::CollapseShapeOp::isGuaranteedCollapsible(memrefType, groups))
      return failure();

    Location loc = op.getLoc();
    Value flat =
        rewriter.create<memref::CollapseShapeOp>(loc, op.getSource(), groups);
    SmallVector<Value> indices(op.getIndices().drop_back(2));
    AffineExpr row, member;
    bindDims(rewriter.getContext(), row, member);
    int64_t width = vectorType.getShape().back();
    indices.push_back(rewriter.create<affine::AffineApplyOp>(
        loc, row * width + member, op.getIndices().take_back(2)));
    VectorType flatType = withNarrowRowsCollapsed(vectorType);
    SmallVector<bool> inBounds(flatType.getRank(), true);
    if constexpr (std::is_same_v<TransferOp, vector::TransferReadOp>) {
      Value read = rewriter.create<vector::TransferReadOp>(
          loc, flatType, flat, indices, op.getPadding(), inBounds);
      rewriter.replaceOpWithNewOp<vector::ShapeCastOp>(op, vectorType, read);
    } else {
      Value value =
          rewriter.create<vector::ShapeCastOp>(loc, flatType, op.getVector());
      rewriter.replaceOpWithNewOp<vector::TransferWriteOp>(op, value, flat,
                                                           indices, inBounds);
    }
    return success();
  }
};

/// An elementwise op on vectors with narrow rows runs on the rows collapsed
/// (one conversion per vector rather than per pair); the shape casts around
/// it fold into those of the transfers and transposes beside it.
struct CollapseNarrowRowsOfElementwise : RewritePattern {
  CollapseNarrowRowsOfElementwise(MLIRContext *context)
      : RewritePattern(MatchAnyOpTypeTag(), /*benefit=*/1, context) {}

  LogicalResult matchAndRewrite(Operation *op,
                                PatternRewriter &rewriter) const override {
    if (!OpTrait::hasElementwiseMappableTraits(op) || op->getNumResults() != 1)
      return failure();
    auto type = dyn_cast<VectorType>(op->getResult(0).getType());
    if (!type || !hasNarrowRows(type) ||
        !llvm::all_of(op->getOperandTypes(), [&](Type operand) {
          auto vector = dyn_cast<VectorType>(operand);
          return vector && vector.getShape() == type.getShape();
        }))
      return failure();
    Location loc = op->getLoc();
    SmallVector<Value> operands;
    for (Value operand : op->getOperands())
      operands.push_back(rewriter.create<vector::ShapeCastOp>(
          loc, withNarrowRowsCollapsed(cast<VectorType>(operand.getType())),
          operand));
    Operation *collapsed =
        rewriter.create(loc, op->getName().getIdentifier(), operands,
                        {withNarrowRowsCollapsed(type)}, op->getAttrs());
    rewriter.replaceOpWithNewOp<vector::ShapeCastOp>(op, type,
                                                     collapsed->getResult(0));
    return success();
  }
};

/// A transpose that keeps a narrow innermost dimension in place (pairs moved
/// as units) transposes the rows as single wider integers: the rows are
/// collapsed and bitcast to one element each, transposed, and cast back.
struct TransposeNarrowRowsAsUnits : OpRewritePattern<vector::TransposeOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(vector::TransposeOp op,
                                PatternRewriter &rewriter) const override {
    VectorType type = op.getSourceVectorType();
    ArrayRef<int64_t> permutation = op.getPermutation();
    int64_t rank = type.getRank();
    if (!hasNarrowRows(type) || type.getShape().back() == 1 ||
        permutation.back() != rank - 1)
      return failure();
    Location loc = op.getLoc();
    Type unit = rewriter.getIntegerType(type.getShape().back() *
                                        type.getElementTypeBitWidth());
    auto asUnits = [&](VectorType rows) {
      return VectorType::get(rows.getShape().drop_back(), unit);
    };
    VectorType resultType = op.getResultVectorType();
    Value units = rewriter.create<vector::BitCastOp>(
        loc, asUnits(type),
        rewriter.create<vector::ShapeCastOp>(loc, withNarrowRowsCollapsed(type),
                                             op.getVector()));
    Value transposed = rewriter.create<vector::TransposeOp>(
        loc, units, permutation.drop_back());
    Value rows = rewriter.create<vector::BitCastOp>(
        loc, withNarrowRowsCollapsed(resultType), transposed);
    rewriter.replaceOpWithNewOp<vector::ShapeCastOp>(op, resultType, rows);
    return success();
  }
};

/// A shape cast that keeps the innermost dimension (it adds or drops unit
/// dimensions, or regroups rows) moves whole rows: one extract and one
/// insert per row, where MLIR's general lowering moves element by element
/// (a [2, 1, 16] tile cast to [2, 16] would be 32 of each).
struct ShapeCastByRows : OpRewritePattern<vector::ShapeCastOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(vector::ShapeCastOp op,
                                PatternRewriter &rewriter) const override {
    VectorType source = op.getSourceVectorType(),
               result = op.getResultVectorType();
    if (source.isScalable() || result.isScalable() || source.getRank() < 2 ||
        result.getRank() < 2 ||
        source.getShape().back() != result.getShape().back())
      return failure();
    Location loc = op.getLoc();
    SmallVector<int64_t> sourceRows(source.getShape().drop_back()),
        resultRows(result.getShape().drop_back());
    SmallVector<int64_t> sourceStrides = computeStrides(sourceRows),
                         resultStrides = computeStrides(resultRows);
    Value cast = rewriter.create<arith::ConstantOp>(
        loc, result, rewriter.getZeroAttr(result));
    for (int64_t row = 0, rows = computeProduct(sourceRows); row < rows;
         ++row) {
      Value vector = rewriter.create<vector::ExtractOp>(
          loc, op.getSource(), delinearize(row, sourceStrides));
      cast = rewriter.create<vector::InsertOp>(loc, vector, cast,
                                               delinearize(row, resultStrides));
    }
    rewriter.replaceOp(op, cast);
    return success();
  }
};

/// A shape cast whose users are all shape casts goes: they cast its source
/// instead. Before the lowering of shape casts into slices, which would
/// otherwise take the inner cast of a pair that folds (a transposed tile
/// lowered to a flat shuffle, then written as one flat vector).
struct ComposeShapeCasts : OpRewritePattern<vector::ShapeCastOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(vector::ShapeCastOp op,
                                PatternRewriter &rewriter) const override {
    if (op->use_empty() ||
        !llvm::all_of(op->getUsers(), llvm::IsaPred<vector::ShapeCastOp>))
      return failure();
    for (Operation *user : llvm::make_early_inc_range(op->getUsers()))
      rewriter.modifyOpInPlace(user,
                               [&] { user->setOperand(0, op.getSource()); });
    rewriter.eraseOp(op);
    return success();
  }
};

} // namespace

SmallVector<int64_t> quern::withoutUnitDims(VectorType type) {
  return llvm::to_vector(llvm::make_filter_range(
      type.getShape(), [](int64_t size) { return size != 1; }));
}

void quern::populateTransferFolds(RewritePatternSet &patterns) {
  MLIRContext *context = patterns.getContext();
  vector::TransferReadOp::getCanonicalizationPatterns(patterns, context);
  vector::TransferWriteOp::getCanonicalizationPatterns(patterns, context);
  affine::AffineApplyOp::getCanonicalizationPatterns(patterns, context);
}

void quern::populateTransposeUnitDimPatterns(RewritePatternSet &patterns) {
  patterns.add<CastAwayTransposeLeadingOneDim, DropTransposeUnitDims>(
      patterns.getContext());
}

void quern::populateNarrowRowPatterns(RewritePatternSet &patterns) {
  patterns.add<CollapseNarrowInnermostDims<vector::TransferReadOp>,
               CollapseNarrowInnermostDims<vector::TransferWriteOp>,
               CollapseNarrowRowsOfElementwise, TransposeNarrowRowsAsUnits>(
      patterns.getContext());
}

void quern::populateShapeCastPatterns(RewritePatternSet &patterns) {
  patterns.add<ComposeShapeCasts>(patterns.getContext(), /*benefit=*/3);
  // Before MLIR's own shape cast lowering, which moves elements.
  patterns.add<ShapeCastByRows>(patterns.getContext(), /*benefit=*/2);
}
