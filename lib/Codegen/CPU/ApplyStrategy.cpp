//===- ApplyStrategy.cpp - tile and vectorize as decided --------*- C++ -*-===//
//
// Carries out `quern.strategy`: tiling (cache, then register tiles),
// peeling of partial tiles, vectorization of each tile, and the vector
// rewrites that keep a contraction's register tile in registers across its
// k loop and turn it into FMAs. This is the recipe of MLIR's transform
// dialect GEMM schedules, written as C++ so that it runs per op from the
// strategy.
//
//===----------------------------------------------------------------------===//

#include "Strategy.h"
#include "Views.h"

#include "quern/Codegen/CPU/Passes.h"

#include "mlir/Conversion/VectorToSCF/VectorToSCF.h"
#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Hoisting.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/MemRef/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Utils/IndexingUtils.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/Vector/Transforms/LoweringPatterns.h"
#include "mlir/Dialect/Vector/Transforms/VectorRewritePatterns.h"
#include "mlir/IR/Dominance.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Interfaces/LoopLikeInterface.h"
#include "mlir/Interfaces/TilingInterface.h"
#include "mlir/Transforms/CSE.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "mlir/Transforms/LoopInvariantCodeMotionUtils.h"

namespace quern {
#define GEN_PASS_DEF_APPLYSTRATEGYPASS
#include "quern/Codegen/CPU/Passes.h.inc"
} // namespace quern

using namespace mlir;
using namespace quern;


namespace {

/// A transpose whose leading unit dimensions stay in place becomes the
/// transpose of the rest: MLIR's leading-unit-dimension patterns do this for
/// elementwise ops and transfers, but not for transposes, and an elementwise
/// op on a transposed tile (rounding a pair tile of [1, 16, 2]) can only move
/// before the transpose, onto whole rows, once they have.
struct CastAwayTransposeLeadingOneDim
    : OpRewritePattern<vector::TransposeOp> {
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

/// The sizes of `type`'s dimensions that are not units.
static SmallVector<int64_t> withoutUnitDims(VectorType type) {
  return llvm::to_vector(llvm::make_filter_range(
      type.getShape(), [](int64_t size) { return size != 1; }));
}

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
      Value value = rewriter.create<vector::ShapeCastOp>(loc, flatType,
                                                         op.getVector());
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
    Operation *collapsed = rewriter.create(
        loc, op->getName().getIdentifier(), operands,
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
      rewriter.modifyOpInPlace(
          user, [&] { user->setOperand(0, op.getSource()); });
    rewriter.eraseOp(op);
    return success();
  }
};

/// A register tile of a bf16 contraction summed in pairs along k (the form
/// convert-quern-to-linalg{bf16-pairs} gives, k = 2p + t):
///
///   acc[m, n] += sum_t extf(a[m, 0, t]) * extf(b[n, t])
///
/// (or a[0, m, t], from a left operand packed in pairs as [K/2, M, 2])
/// becomes, per row of the tile and per vector of columns, one bf16 dot
/// instruction (AVX-512 BF16's `vdpbf16ps`, 16 lanes; NEON's `bfdot`, 4
/// lanes): each f32 lane adds the two products of a pair. The row's pair
/// (a[m, 0, 0], a[m, 0, 1]) is broadcast as one 32-bit value; b's columns of
/// pairs are contiguous bf16.
struct PairedBF16ContractToDot : OpRewritePattern<vector::ContractionOp> {
  PairedBF16ContractToDot(MLIRContext *context, BF16Dot instruction)
      : OpRewritePattern(context),
        intrinsic(instruction == BF16Dot::AVX512
                      ? "llvm.x86.avx512bf16.dpbf16ps.512"
                      : "llvm.aarch64.neon.bfdot.v4f32.v8bf16"),
        lanes(instruction == BF16Dot::AVX512 ? 16 : 4) {
    assert(instruction != BF16Dot::None && "a bf16 dot instruction");
  }

  /// The LLVM intrinsic and its number of f32 lanes.
  StringRef intrinsic;
  int64_t lanes;

  LogicalResult matchAndRewrite(vector::ContractionOp op,
                                PatternRewriter &rewriter) const override {
    auto accType = dyn_cast<VectorType>(op.getAccType());
    if (!accType || accType.getRank() != 2 ||
        !accType.getElementType().isF32() ||
        op.getKind() != vector::CombiningKind::ADD ||
        op.getIteratorTypesArray() !=
            SmallVector<vector::IteratorType>{
                vector::IteratorType::parallel, vector::IteratorType::parallel,
                vector::IteratorType::reduction,
                vector::IteratorType::reduction})
      return failure();
    int64_t rows = accType.getDimSize(0), columns = accType.getDimSize(1);
    if (columns % lanes != 0)
      return failure();
    // The operands are the bf16 tile reads, widened, and (in batched
    // products) broadcast over the other operand's dimension and
    // transposed: lhs `rows` pairs read over (m, p, t) as [rows, 1, 2], or
    // over (p, m, t) as [1, rows, 2] or [rows, 2] (a transposed left
    // operand packed in pairs); rhs a [columns, 2] read over (n, t).
    Value lhsSource = tileRead(op.getLhs()), rhsSource = tileRead(op.getRhs());
    auto lhsType = cast<VectorType>(lhsSource.getType());
    auto rhsType = cast<VectorType>(rhsSource.getType());
    if (!lhsType.getElementType().isBF16() ||
        !rhsType.getElementType().isBF16() || lhsType.getShape().back() != 2 ||
        lhsType.getNumElements() != 2 * rows ||
        withoutUnitDims(lhsType).size() > 2 ||
        rhsType.getShape() != ArrayRef<int64_t>{columns, 2})
      return failure();

    Location loc = op.getLoc();
    Type bf16 = rewriter.getBF16Type(), i32 = rewriter.getI32Type();
    auto pairs = VectorType::get({2 * lanes}, bf16);
    auto sums = VectorType::get({lanes}, rewriter.getF32Type());
    Value lhs = rewriter.create<vector::ShapeCastOp>(
        loc, VectorType::get({rows, 2}, bf16), lhsSource);
    // One flat vector: the pairs are contiguous, and the read of the tile
    // is collapsed into one flat load (CollapseNarrowInnermostDims) once
    // the contraction is gone.
    Value rhs = rewriter.create<vector::ShapeCastOp>(
        loc, VectorType::get({2 * columns}, bf16), rhsSource);
    SmallVector<Value> rhsChunks;
    for (int64_t chunk = 0; chunk < columns / lanes; ++chunk)
      rhsChunks.push_back(rewriter.create<vector::ExtractStridedSliceOp>(
          loc, rhs, ArrayRef<int64_t>{2 * lanes * chunk},
          ArrayRef<int64_t>{2 * lanes}, ArrayRef<int64_t>{1}));
    Value result = op.getAcc();
    for (int64_t row = 0; row < rows; ++row) {
      Value pair = rewriter.create<vector::ExtractOp>(loc, lhs, row);
      Value word = rewriter.create<vector::ExtractOp>(
          loc,
          rewriter.create<vector::BitCastOp>(loc, VectorType::get({1}, i32),
                                             pair),
          0);
      Value broadcast = rewriter.create<vector::BitCastOp>(
          loc, pairs,
          rewriter.create<vector::BroadcastOp>(
              loc, VectorType::get({lanes}, i32), word));
      Value accRow = rewriter.create<vector::ExtractOp>(loc, result, row);
      for (auto [chunk, rhsChunk] : llvm::enumerate(rhsChunks)) {
        int64_t offset = lanes * static_cast<int64_t>(chunk);
        Value acc = rewriter.create<vector::ExtractStridedSliceOp>(
            loc, accRow, ArrayRef<int64_t>{offset}, ArrayRef<int64_t>{lanes},
            ArrayRef<int64_t>{1});
        Value dot = rewriter
                        .create<LLVM::CallIntrinsicOp>(
                            loc, TypeRange{sums},
                            rewriter.getStringAttr(intrinsic),
                            ValueRange{acc, broadcast, rhsChunk})
                        .getResult(0);
        accRow = rewriter.create<vector::InsertStridedSliceOp>(
            loc, dot, accRow, ArrayRef<int64_t>{offset}, ArrayRef<int64_t>{1});
      }
      result = rewriter.create<vector::InsertOp>(loc, accRow, result, row);
    }
    rewriter.replaceOp(op, result);
    return success();
  }

  /// `operand` before widening, broadcasting, transposing and adding or
  /// dropping unit dimensions: the tile as read.
  static Value tileRead(Value operand) {
    while (Operation *def = operand.getDefiningOp()) {
      if (auto ext = dyn_cast<arith::ExtFOp>(def))
        operand = ext.getIn();
      else if (auto broadcast = dyn_cast<vector::BroadcastOp>(def))
        operand = broadcast.getSource();
      else if (auto transpose = dyn_cast<vector::TransposeOp>(def))
        operand = transpose.getVector();
      else if (auto extract = dyn_cast<vector::ExtractOp>(def);
               extract && llvm::all_of(
                              extract.getSourceVectorType().getShape().take_front(
                                  extract.getNumIndices()),
                              [](int64_t size) { return size == 1; }))
        operand = extract.getVector();
      else if (auto cast = dyn_cast<vector::ShapeCastOp>(def);
               cast && withoutUnitDims(cast.getSourceVectorType()) ==
                           withoutUnitDims(cast.getResultVectorType()))
        operand = cast.getSource();
      else
        break;
    }
    return operand;
  }
};

} // namespace

namespace {

/// Tiles `op` by `sizes` (0: not tiled) with the loops in `order`; the
/// original op is erased. Returns the tile's op and the new loops.
FailureOr<linalg::TiledLinalgOp> tile(RewriterBase &rewriter,
                                      linalg::LinalgOp op,
                                      ArrayRef<int64_t> sizes,
                                      ArrayRef<unsigned> order,
                                      bool parallel) {
  linalg::LinalgTilingOptions options;
  options.setTileSizes(sizes);
  if (!order.empty())
    options.setInterchange(order);
  options.setLoopType(parallel ? linalg::LinalgTilingLoopType::ParallelLoops
                               : linalg::LinalgTilingLoopType::Loops);
  rewriter.setInsertionPoint(op);
  FailureOr<linalg::TiledLinalgOp> tiled =
      linalg::tileLinalgOp(rewriter, op, options);
  if (succeeded(tiled))
    rewriter.eraseOp(op);
  return tiled;
}

/// Tile sizes that leave loops whose tile covers them untiled.
SmallVector<int64_t> onlyWhereSmaller(ArrayRef<int64_t> tiles,
                                      ArrayRef<int64_t> ranges) {
  SmallVector<int64_t> sizes;
  for (auto [tile, range] : llvm::zip_equal(tiles, ranges))
    sizes.push_back(tile >= range ? 0 : tile);
  return sizes;
}

/// The pieces of `op` that `strategy` splits it into, each a copy of `op`
/// on static slices of its operands; `op` is erased. Only parallel loops
/// are split, so the pieces are independent.
FailureOr<SmallVector<linalg::LinalgOp>>
splitIntoPieces(RewriterBase &rewriter, linalg::LinalgOp op,
                const Strategy &strategy) {
  auto tiling = cast<TilingInterface>(op.getOperation());
  rewriter.setInsertionPoint(op);
  SmallVector<linalg::LinalgOp> pieces;
  for (const Strategy::Piece &piece :
       strategy.pieces(op.getStaticLoopRanges())) {
    FailureOr<TilingResult> tiled = tiling.getTiledImplementation(
        rewriter, getAsIndexOpFoldResult(rewriter.getContext(), piece.offsets),
        getAsIndexOpFoldResult(rewriter.getContext(), piece.sizes));
    if (failed(tiled))
      return failure();
    pieces.push_back(cast<linalg::LinalgOp>(tiled->tiledOps.front()));
  }
  rewriter.eraseOp(op);
  return pieces;
}

/// Packs, just before the cache tile that owns `read`, the panel of
/// `pack`'s output that `read` reads: a copy of `pack` on that panel's
/// slices, with `pack`'s strategy but on the tile's thread. Null when `read`
/// is not a unit-stride slice.
linalg::LinalgOp packPanel(RewriterBase &rewriter, OpOperand &read,
                           linalg::LinalgOp pack) {
  auto panel = read.get().getDefiningOp<memref::SubViewOp>();
  if (!panel || !panel.hasUnitStride())
    return {};
  // The pack's maps are permutations: its loops' offsets and sizes are the
  // panel's, and give those of the slice of its input.
  AffineMap toLoops = inversePermutation(
      pack.getMatchingIndexingMap(pack.getDpsInitOperand(0)));
  AffineMap input = pack.getMatchingIndexingMap(pack.getDpsInputOperand(0));
  auto slice = [&](ArrayRef<OpFoldResult> values) {
    return applyPermutationMap(
        input, ArrayRef<OpFoldResult>(applyPermutationMap(toLoops, values)));
  };
  SmallVector<OpFoldResult> offsets = slice(panel.getMixedOffsets());
  rewriter.setInsertionPoint(read.getOwner());
  Value source = rewriter.create<memref::SubViewOp>(
      pack.getLoc(), pack.getDpsInputs()[0], offsets,
      slice(panel.getMixedSizes()),
      SmallVector<OpFoldResult>(offsets.size(), rewriter.getIndexAttr(1)));
  auto tile = cast<linalg::LinalgOp>(rewriter.clone(*pack));
  tile->setOperands({source, panel});
  Strategy strategy = *Strategy::read(pack);
  strategy.parallel = false;
  strategy.attach(tile);
  return tile;
}

/// Whether `read` reads each element once: where it reads depends on the
/// induction variables of every loop around it. An accumulator's read
/// hoisted out of the k loop does; one inside it, or inside a k loop of
/// cache tiles, does not.
bool readsOnce(vector::TransferReadOp read) {
  // Every value where it reads is computed from, in one walk.
  DenseSet<Value> sources;
  SmallVector<Value> worklist = {read.getSource()};
  llvm::append_range(worklist, read.getIndices());
  while (!worklist.empty()) {
    Value next = worklist.pop_back_val();
    if (!sources.insert(next).second)
      continue;
    if (Operation *def = next.getDefiningOp())
      llvm::append_range(worklist, def->getOperands());
  }
  for (Operation *parent = read->getParentOp(); !isa<func::FuncOp>(parent);
       parent = parent->getParentOp()) {
    auto loop = dyn_cast<LoopLikeOpInterface>(parent);
    if (!loop)
      continue;
    std::optional<SmallVector<Value>> inductionVars =
        loop.getLoopInductionVars();
    if (!inductionVars)
      return false;
    if (!llvm::all_of(*inductionVars, [&](Value inductionVar) {
          return sources.contains(inductionVar);
        }))
      return false;
  }
  return true;
}

/// Calls `visit` on every op that uses `buffer` or a view of it, other than
/// the views, until it returns false; returns whether it never did.
bool allUsers(Value buffer, function_ref<bool(Operation *)> visit) {
  return forEachUserThroughViews(buffer, [&](Operation *user, bool isView) {
    return isView || visit(user);
  });
}

/// Whether `op`'s register tiles divide each of its reduction loops.
bool reducesInWholeTiles(linalg::LinalgOp op) {
  Strategy strategy = *Strategy::read(op);
  for (auto [iterator, range, tile] :
       llvm::zip_equal(op.getIteratorTypesArray(), op.getStaticLoopRanges(),
                       strategy.registerTiles))
    if (iterator == utils::IteratorType::reduction && range > tile &&
        range % tile != 0)
      return false;
  return true;
}

/// The register tiles of the accumulator that `fill` (which is not tiled;
/// see filledAccumulator) fills start from its constant: every vector read
/// of the buffer (or of a view of it) that reads each element once becomes
/// that constant, and the fill goes. Where some other read remains, the
/// fill stays as it is.
void forwardFill(linalg::FillOp fill) {
  Attribute value;
  if (!matchPattern(fill.getInputs()[0], m_Constant(&value)))
    return;
  SmallVector<vector::TransferReadOp> reads;
  bool onlyOnce = allUsers(fill.getOutputs()[0], [&](Operation *user) {
    if (user == fill || isa<vector::TransferWriteOp>(user))
      return true;
    auto read = dyn_cast<vector::TransferReadOp>(user);
    if (!read || !readsOnce(read) ||
        read.getVectorType().getElementType() !=
            cast<TypedAttr>(value).getType())
      return false;
    reads.push_back(read);
    return true;
  });
  if (!onlyOnce)
    return;
  IRRewriter rewriter(fill.getContext());
  for (vector::TransferReadOp read : reads) {
    rewriter.setInsertionPoint(read);
    rewriter.replaceOpWithNewOp<arith::ConstantOp>(
        read, DenseElementsAttr::get(read.getVectorType(), value));
  }
  rewriter.eraseOp(fill);
}

struct ApplyStrategyPass
    : quern::impl::ApplyStrategyPassBase<ApplyStrategyPass> {
  using ApplyStrategyPassBase::ApplyStrategyPassBase;

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    // Hand-written strategies may be malformed: one error each, then stop
    // (what follows reads them unchecked).
    bool malformed = false;
    func.walk([&](Operation *op) {
      if (op->hasAttr(kStrategyAttrName) && failed(Strategy::read(op)))
        malformed = true;
    });
    if (malformed)
      return signalPassFailure();
    // A fill of an accumulator is not tiled: the accumulator's register
    // tiles start from its constant (forwardFill, once they are hoisted).
    filled.clear();
    // Only where nothing else in the function uses the buffer (a kernel of
    // the two): the reads forwardFill finds are then the accumulator's. And
    // only where the register tiles divide every reduced loop: a peeled
    // remainder of one reads the accumulator again, after the main loop.
    func.walk([&](linalg::FillOp fill) {
      linalg::LinalgOp consumer = filledAccumulator(fill);
      if (consumer && consumer->hasAttr(kStrategyAttrName) &&
          reducesInWholeTiles(consumer) &&
          allUsers(fill.getOutputs()[0], [&](Operation *user) {
            return user == fill || user == consumer;
          })) {
        fill->removeAttr(kStrategyAttrName);
        filled.push_back(fill);
      }
    });
    // A pack goes with the product it lays out an operand for (into its
    // tile loops if it can, else just before it).
    SmallVector<linalg::LinalgOp> ops;
    llvm::DenseMap<Operation *, linalg::LinalgOp> packs;
    func.walk([&](linalg::LinalgOp op) {
      linalg::LinalgOp product = plannedProduct(op);
      op->removeAttr(kPanelPackAttrName);
      if (!op->hasAttr(kStrategyAttrName))
        return;
      if (product && product->hasAttr(kStrategyAttrName))
        packs[product] = op;
      else
        ops.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    for (linalg::LinalgOp op : ops)
      if (failed(tileOp(rewriter, op, packs.lookup(op))))
        return signalPassFailure();
    if (failed(foldTileShapes(func)) ||
        failed(vectorizeTiles(rewriter, func)) ||
        failed(optimizeVectors(func)))
      return signalPassFailure();
  }

private:
  LogicalResult tileOp(RewriterBase &rewriter, linalg::LinalgOp op,
                       linalg::LinalgOp pack = {});
  LogicalResult foldTileShapes(func::FuncOp func);
  LogicalResult vectorizeTiles(RewriterBase &rewriter, func::FuncOp func);
  LogicalResult optimizeVectors(func::FuncOp func);

  SmallVector<linalg::FillOp> filled;
};

LogicalResult ApplyStrategyPass::tileOp(RewriterBase &rewriter,
                                        linalg::LinalgOp op,
                                        linalg::LinalgOp pack) {
  Strategy strategy = *Strategy::read(op);
  op->removeAttr(kStrategyAttrName);
  if (strategy.isSplit()) {
    // The pieces read slices of the packed operand: the pack runs whole,
    // before them.
    if (pack && failed(tileOp(rewriter, pack)))
      return failure();
    FailureOr<SmallVector<linalg::LinalgOp>> pieces =
        splitIntoPieces(rewriter, op, strategy);
    if (failed(pieces))
      return op->emitOpError("cannot be split into whole cache tiles");
    Strategy whole = strategy;
    whole.split.clear();
    whole.parallelPieces.clear();
    for (auto [index, piece] : llvm::enumerate(*pieces)) {
      whole.parallel = strategy.parallel &&
                       index < strategy.parallelPieces.size() &&
                       strategy.parallelPieces[index];
      whole.attach(piece);
      if (failed(tileOp(rewriter, piece)))
        return failure();
    }
    return success();
  }
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  SmallVector<unsigned> order;
  if (strategy.kind == Strategy::Contraction) {
    // Outer loops: batch dimensions, then n, m and k.
    unsigned m = strategy.dims[0], n = strategy.dims[1], k = strategy.dims[2];
    for (unsigned dim = 0; dim < ranges.size(); ++dim)
      if (dim != m && dim != n && dim != k)
        order.push_back(dim);
    order.append({n, m, k});
    SmallVector<int64_t> cache =
        onlyWhereSmaller(strategy.cacheTiles, ranges);
    if (llvm::any_of(cache, [](int64_t size) { return size != 0; })) {
      // The operand the pack writes, when every loop split into cache tiles
      // indexes it: no two tiles then read the same panel, and each packs
      // its own, just before reading it. Tiling keeps operand numbers.
      std::optional<unsigned> packed;
      for (OpOperand *input : op.getDpsInputOperands()) {
        AffineMap map = op.getMatchingIndexingMap(input);
        if (pack && input->get() == pack.getDpsInits()[0] &&
            llvm::all_of(llvm::seq<unsigned>(0, cache.size()),
                         [&](unsigned dim) {
                           return cache[dim] == 0 || map.isFunctionOfDim(dim);
                         }))
          packed = input->getOperandNumber();
      }
      FailureOr<linalg::TiledLinalgOp> tiled =
          tile(rewriter, op, cache, {}, strategy.parallel);
      if (failed(tiled))
        return op->emitOpError("cannot be tiled for the caches");
      op = tiled->op;
      strategy.parallel = false;
      if (linalg::LinalgOp panel =
              packed ? packPanel(rewriter, op->getOpOperand(*packed), pack)
                     : linalg::LinalgOp()) {
        rewriter.eraseOp(pack);
        pack = panel;
      }
    }
  } else if (strategy.parallel) {
    // One outer parallel loop over the first dimension, by whole register
    // tiles.
    SmallVector<int64_t> outer(ranges.size(), 0);
    outer[0] = ranges.size() == 1
                   ? std::max<int64_t>(strategy.registerTiles[0],
                                       ranges[0] / 64 / strategy.registerTiles[0] *
                                           strategy.registerTiles[0])
                   : strategy.registerTiles[0];
    FailureOr<linalg::TiledLinalgOp> tiled =
        tile(rewriter, op, outer, {}, /*parallel=*/true);
    if (failed(tiled))
      return op->emitOpError("cannot be tiled for threads");
    op = tiled->op;
    strategy.parallel = false;
  }

  SmallVector<int64_t> registers =
      onlyWhereSmaller(strategy.registerTiles, op.getStaticLoopRanges());
  // A dynamic extent (a partial cache tile) is always tiled.
  for (auto [size, tileSize, range] :
       llvm::zip_equal(registers, strategy.registerTiles,
                       op.getStaticLoopRanges()))
    if (ShapedType::isDynamic(range))
      size = tileSize;
  SmallVector<scf::ForOp> loops;
  if (llvm::any_of(registers, [](int64_t size) { return size != 0; })) {
    FailureOr<linalg::TiledLinalgOp> tiled =
        tile(rewriter, op, registers, order, strategy.parallel);
    if (failed(tiled))
      return op->emitOpError("cannot be tiled for registers");
    op = tiled->op;
    for (Operation *loop : tiled->loops)
      if (auto forOp = dyn_cast<scf::ForOp>(loop))
        loops.push_back(forOp);
  }
  op->setAttr(kVectorSizesAttrName,
              rewriter.getDenseI64ArrayAttr(strategy.registerTiles));
  // Partial tiles go to a loop of their own: the main loop's tiles are
  // static.
  linalg::peelLoops(rewriter, loops);
  return pack ? tileOp(rewriter, pack) : success();
}

LogicalResult ApplyStrategyPass::foldTileShapes(func::FuncOp func) {
  // Peeling leaves the sizes of whole tiles, and of a remainder of a loop
  // of static extent, as constants: folded into the slices' types, every
  // such tile is vectorized as a static shape, without masks.
  MLIRContext *context = &getContext();
  RewritePatternSet patterns(context);
  affine::AffineApplyOp::getCanonicalizationPatterns(patterns, context);
  affine::AffineMinOp::getCanonicalizationPatterns(patterns, context);
  affine::AffineMaxOp::getCanonicalizationPatterns(patterns, context);
  memref::SubViewOp::getCanonicalizationPatterns(patterns, context);
  scf::ForOp::getCanonicalizationPatterns(patterns, context);
  return applyPatternsAndFoldGreedily(func, std::move(patterns));
}

LogicalResult ApplyStrategyPass::vectorizeTiles(RewriterBase &rewriter,
                                                func::FuncOp func) {
  SmallVector<linalg::LinalgOp> tiles;
  func.walk([&](linalg::LinalgOp op) {
    if (op->hasAttr(kVectorSizesAttrName))
      tiles.push_back(op);
  });
  for (linalg::LinalgOp op : tiles) {
    auto sizes = op->getAttrOfType<DenseI64ArrayAttr>(kVectorSizesAttrName);
    op->removeAttr(kVectorSizesAttrName);
    SmallVector<int64_t> ranges = op.getStaticLoopRanges();
    bool isStatic = llvm::none_of(ranges, ShapedType::isDynamic);
    // Partial tiles are masked to the register tile's vector sizes.
    SmallVector<int64_t> vectorSizes;
    if (!isStatic)
      vectorSizes.assign(sizes.asArrayRef().begin(), sizes.asArrayRef().end());
    SmallVector<bool> scalable(vectorSizes.size(), false);
    rewriter.setInsertionPoint(op);
    if (failed(linalg::vectorize(rewriter, op, vectorSizes, scalable)))
      return op->emitOpError("cannot be vectorized with vector sizes [")
             << sizes << "]";
  }
  return success();
}

LogicalResult ApplyStrategyPass::optimizeVectors(func::FuncOp func) {
  MLIRContext *context = &getContext();
  // Only the transfers' own folds: the whole canonicalizer would undo the
  // permutation-map lowering (folding broadcasts back into transfers) and
  // never converge. The pipeline canonicalizes afterwards.
  auto canonicalize = [&](RewritePatternSet &patterns) {
    vector::TransferReadOp::getCanonicalizationPatterns(patterns, context);
    vector::TransferWriteOp::getCanonicalizationPatterns(patterns, context);
    affine::AffineApplyOp::getCanonicalizationPatterns(patterns, context);
  };
  {
    // Transfers with permuted maps first become transfers in memory order
    // and transposes: dropping a tile's unit dimensions first would leave
    // maps that skip a dimension between two read ones (a unit panel index
    // between the two dimensions of a pair), which only lower element by
    // element.
    RewritePatternSet patterns(context);
    vector::populateVectorTransferPermutationMapLoweringPatterns(patterns);
    if (failed(applyPatternsAndFoldGreedily(func, std::move(patterns))))
      return failure();
  }
  {
    // Reductions of products become contractions; views fold into the
    // transfers' indices, so that the accumulator's transfers are visibly
    // loop-invariant.
    RewritePatternSet patterns(context);
    // Masks of partial tiles move into the transfers they guard, whose
    // permutations are then lowered here.
    vector::populateVectorMaskLoweringPatternsForSideEffectingOps(patterns);
    vector::populateVectorTransferPermutationMapLoweringPatterns(patterns);
    vector::populateVectorReductionToContractPatterns(patterns);
    // Unit dimensions of tiles (a batch of one, a row of one) go.
    vector::populateCastAwayVectorLeadingOneDimPatterns(patterns);
    patterns.add<CastAwayTransposeLeadingOneDim, DropTransposeUnitDims>(
        context);
    memref::populateFoldMemRefAliasOpPatterns(patterns);
    canonicalize(patterns);
    if (failed(applyPatternsAndFoldGreedily(func, std::move(patterns))))
      return failure();
  }
  // The accumulator's transfers must have the very same indices in every
  // iteration of the k loop to be hoisted out of it: CSE, then LICM.
  IRRewriter rewriter(context);
  DominanceInfo dominance;
  eliminateCommonSubExpressions(rewriter, dominance, func);
  func.walk([](LoopLikeOpInterface loop) { moveLoopInvariantCode(loop); });
  linalg::hoistRedundantVectorTransfers(func);
  for (linalg::FillOp fill : filled)
    forwardFill(fill);
  if (bf16Dot != BF16Dot::None) {
    // Before any lowering: the generic contraction lowering would widen the
    // bf16 pairs and multiply them with f32 FMAs.
    RewritePatternSet patterns(context);
    patterns.add<PairedBF16ContractToDot>(context, bf16Dot);
    if (failed(applyPatternsAndFoldGreedily(func, std::move(patterns))))
      return failure();
  }
  // Tiles of pairs (packing operands into the pairs of a bf16 dot product)
  // move in whole vectors. Contractions keep their tiles as the rewrites
  // above matched them.
  if (!func.walk([](vector::ContractionOp) { return WalkResult::interrupt(); })
           .wasInterrupted()) {
    RewritePatternSet patterns(context);
    patterns.add<CollapseNarrowInnermostDims<vector::TransferReadOp>,
                 CollapseNarrowInnermostDims<vector::TransferWriteOp>,
                 CollapseNarrowRowsOfElementwise, TransposeNarrowRowsAsUnits>(
        context);
    memref::populateFoldMemRefAliasOpPatterns(patterns);
    canonicalize(patterns);
    if (failed(applyPatternsAndFoldGreedily(func, std::move(patterns))))
      return failure();
  }
  {
    RewritePatternSet patterns(context);
    vector::populateVectorContractLoweringPatterns(
        patterns, vector::VectorTransformsOptions().setVectorTransformsOptions(
                      vector::VectorContractLowering::OuterProduct));
    vector::populateVectorMultiReductionLoweringPatterns(
        patterns, vector::VectorMultiReductionLowering::InnerReduction);
    vector::populateVectorOuterProductLoweringPatterns(patterns);
    patterns.add<ComposeShapeCasts>(context, /*benefit=*/3);
    // Before MLIR's own shape cast lowering, which moves elements.
    patterns.add<ShapeCastByRows>(context, /*benefit=*/2);
    vector::populateVectorShapeCastLoweringPatterns(patterns);
    vector::populateVectorTransposeLoweringPatterns(
        patterns, vector::VectorTransformsOptions().setVectorTransposeLowering(
                      vector::VectorTransposeLowering::Shuffle16x16));
    vector::populateVectorBroadcastLoweringPatterns(patterns);
    // exp, erf, tanh, log as polynomials of FMAs, which vectorize, instead
    // of libm calls element by element.
    populateMathPolynomialApproximationPatterns(patterns);
    // n-D transfers become 1-D ones, unrolled: no temporary buffers.
    populateVectorToSCFConversionPatterns(
        patterns,
        VectorTransferToSCFOptions().enableFullUnroll().setTargetRank(1));
    vector::populateVectorTransferLoweringPatterns(patterns,
                                                   /*maxTransferRank=*/1);
    canonicalize(patterns);
    // Top down, so that a transpose is lowered (to shuffles between shape
    // casts) before the shape casts that use it.
    GreedyRewriteConfig config;
    config.useTopDownTraversal = true;
    if (failed(applyPatternsAndFoldGreedily(func, std::move(patterns), config)))
      return failure();
  }
  return success();
}

} // namespace
