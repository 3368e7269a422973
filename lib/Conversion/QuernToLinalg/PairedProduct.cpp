//===- PairedProduct.cpp - bf16 products summed in k-pairs ------*- C++ -*-===//
//
// The linalg form of an f32 product whose operands are rounded to bf16 and
// summed in pairs along k (include/quern/Conversion/PairedProduct.h): built
// without panels by the conversion, read back and rebuilt in the panels of
// the target's register tile by CPU code generation.
//
//===----------------------------------------------------------------------===//

#include "Patterns.h"

#include "quern/Conversion/PairedProduct.h"

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

/// `columns` as (N/panel, panel) in panels, as (N) without (panel 0).
SmallVector<int64_t> panelShape(int64_t columns, int64_t panel) {
  if (panel == 0)
    return {columns};
  return {columns / panel, panel};
}

/// Groups of a reshape of a rank-`rank` tensor that splits each
/// dimension in `split` in two.
SmallVector<ReassociationIndices> splitting(int64_t rank,
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
Value expanded(OpBuilder &b, Location loc, Value value, ArrayRef<int64_t> shape,
               ArrayRef<int64_t> split) {
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
Value packPairs(OpBuilder &b, Location loc, Value value, bool transposed,
                int64_t panel) {
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
  SmallVector<AffineExpr> read = transposed
                                     ? joined<AffineExpr>(columnExprs, {p, t})
                                     : joined<AffineExpr>({p, t}, columnExprs);
  SmallVector<AffineExpr> write =
      joined<AffineExpr>(ArrayRef(columnExprs).drop_back(), {p, c, t});
  Type bf16 = b.getBF16Type();
  SmallVector<int64_t> packedShape = joined<int64_t>(
      batch, joined<int64_t>(ArrayRef(columnShape).drop_back(),
                             {depth / 2, columnShape.back(), 2}));
  return buildParallelGeneric(b, loc, RankedTensorType::get(packedShape, bf16),
                              splitValue, batchThen(read), roundedToBF16,
                              batchThen(write));
}

/// `value` with `count` slices of zeros appended along `dim`.
Value withZerosAppended(OpBuilder &b, Location loc, Value value, int64_t dim,
                        int64_t count) {
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

} // namespace

Value quern::buildPairedProduct(OpBuilder &b, Location loc,
                                RankedTensorType resultType, Value lhs,
                                bool transposeLhs, Value rhs, bool transposeRhs,
                                Value bias, int64_t panelWidth) {
  MLIRContext *context = b.getContext();
  int64_t rank = resultType.getRank(), batchRank = rank - 2;
  int64_t rows = resultType.getDimSize(rank - 2),
          columns = resultType.getDimSize(rank - 1);
  // An odd depth takes a zero more (each operand copied once, padded), so
  // that it too is summed in pairs by the dot instruction: its last pair
  // sums the last product and zero.
  auto lhsType = cast<RankedTensorType>(lhs.getType());
  int64_t lhsDepthDim = lhsType.getRank() - (transposeLhs ? 2 : 1);
  if (lhsType.getDimSize(lhsDepthDim) % 2 != 0) {
    int64_t rhsRank = cast<RankedTensorType>(rhs.getType()).getRank();
    lhs = withZerosAppended(b, loc, lhs, lhsDepthDim, 1);
    rhs = withZerosAppended(b, loc, rhs, rhsRank - (transposeRhs ? 1 : 2), 1);
    lhsType = cast<RankedTensorType>(lhs.getType());
  }
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
  int64_t panel = panelWidth > 0 && columns > panelWidth ? panelWidth : 0;
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
    bias =
        expanded(b, loc, bias,
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
               batchThen(joined<AffineExpr>({m}, joined<AffineExpr>(j, {c})))},
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

/// Whether `op` is a generic that rounds its one input to bf16 (the body
/// roundedToBF16 builds).
static bool roundsToBF16(linalg::GenericOp op) {
  Block *body = op.getBody();
  return op.getNumDpsInputs() == 1 && op.getNumDpsInits() == 1 &&
         body->getOperations().size() == 2 &&
         isa<arith::TruncFOp>(body->front()) &&
         body->front().getResult(0).getType().isBF16();
}

/// The f32 operand packPairs(value, transposed, /*panel=*/0) packed into
/// `pairs`, and whether it was transposed.
static std::optional<std::pair<Value, bool>> unpackPairs(Value pairs) {
  auto pack = pairs.getDefiningOp<linalg::GenericOp>();
  if (!pack || !roundsToBF16(pack))
    return std::nullopt;
  auto split = pack.getDpsInputs()[0].getDefiningOp<tensor::ExpandShapeOp>();
  if (!split)
    return std::nullopt;
  // k is split where it is: last in a transposed operand.
  bool transposed = split.getReassociationIndices().back().size() == 2;
  return std::make_pair(split.getSrc(), transposed);
}

std::optional<PairedProductOperands>
quern::matchPairedProduct(linalg::GenericOp product) {
  if (product.getNumDpsInputs() != 2 || product.getNumDpsInits() != 1 ||
      product.getNumReductionLoops() != 2)
    return std::nullopt;
  auto resultType = dyn_cast<RankedTensorType>(product.getResultTypes()[0]);
  Value lhsPairs = product.getDpsInputs()[0],
        rhsPairs = product.getDpsInputs()[1];
  auto rhsType = cast<ShapedType>(rhsPairs.getType());
  if (!resultType || !resultType.getElementType().isF32() ||
      !rhsType.getElementType().isBF16() ||
      rhsType.getRank() != resultType.getRank() + 1)
    return std::nullopt;
  PairedProductOperands operands;
  std::optional<std::pair<Value, bool>> rhs = unpackPairs(rhsPairs);
  if (!rhs)
    return std::nullopt;
  std::tie(operands.rhs, operands.transposeRhs) = *rhs;
  // The left operand: rounded and split, or (transposed) packed.
  if (auto split = lhsPairs.getDefiningOp<tensor::ExpandShapeOp>()) {
    auto round = split.getSrc().getDefiningOp<linalg::GenericOp>();
    if (!round || !roundsToBF16(round))
      return std::nullopt;
    operands.lhs = round.getDpsInputs()[0];
    operands.transposeLhs = false;
  } else if (std::optional<std::pair<Value, bool>> lhs = unpackPairs(lhsPairs);
             lhs && !lhs->second) {
    operands.lhs = lhs->first;
    operands.transposeLhs = true;
  } else {
    return std::nullopt;
  }
  // The bias is what the init broadcasts; a fill has none.
  Operation *init = product.getDpsInits()[0].getDefiningOp();
  if (auto broadcast = dyn_cast_if_present<linalg::GenericOp>(init)) {
    if (broadcast.getNumDpsInputs() != 1)
      return std::nullopt;
    operands.bias = broadcast.getDpsInputs()[0];
  } else if (!isa_and_present<linalg::FillOp>(init)) {
    return std::nullopt;
  }
  return operands;
}
