//===- BF16Dot.cpp - bf16 pair contractions as dot instructions -*- C++ -*-===//

#include "BF16Dot.h"

#include "VectorPatterns.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;
using namespace quern;

namespace {

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
        op.getKind() != vector::CombiningKind::ADD || !isPaired(op))
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
        Value dot =
            rewriter
                .create<LLVM::CallIntrinsicOp>(
                    loc, TypeRange{sums}, rewriter.getStringAttr(intrinsic),
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

  /// Whether `op` is the contraction of a paired product's register tile:
  /// over (m, n, p, t), or over (m, n, t) where the tile's p, a single k
  /// pair, was dropped (a transposed left operand read as [rows, 2]).
  static bool isPaired(vector::ContractionOp op) {
    using vector::IteratorType;
    SmallVector<IteratorType> iterators = op.getIteratorTypesArray();
    if (iterators == SmallVector<IteratorType>{
                         IteratorType::parallel, IteratorType::parallel,
                         IteratorType::reduction, IteratorType::reduction})
      return true;
    MLIRContext *context = op.getContext();
    AffineExpr m, n, t;
    bindDims(context, m, n, t);
    return iterators == SmallVector<IteratorType>{IteratorType::parallel,
                                                  IteratorType::parallel,
                                                  IteratorType::reduction} &&
           op.getIndexingMapsArray() ==
               AffineMap::inferFromExprList(
                   ArrayRef<ArrayRef<AffineExpr>>{{m, t}, {n, t}, {m, n}},
                   context);
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
               extract &&
               llvm::all_of(extract.getSourceVectorType().getShape().take_front(
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

void quern::populateBF16DotPatterns(RewritePatternSet &patterns,
                                    BF16Dot instruction) {
  patterns.add<PairedBF16ContractToDot>(patterns.getContext(), instruction);
}
