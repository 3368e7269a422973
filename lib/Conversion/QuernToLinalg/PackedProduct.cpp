//===- PackedProduct.cpp - products on packed operands ----------*- C++ -*-===//
//
// The linalg form of a product whose right operand is packed
// (include/quern/Conversion/PackedProduct.h): in k-pairs for a bf16 dot
// instruction, built without panels by the conversion, and in the panels of
// the target's register tile, rebuilt so by CPU code generation.
//
//===----------------------------------------------------------------------===//

#include "Patterns.h"

#include "quern/Conversion/PackedProduct.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/IndexingUtils.h"
#include "mlir/IR/IRMapping.h"

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

/// In a generic reading a value split as `groups` (of dimensions of the
/// split shape `splitShape`) through `read`, the position in the value
/// itself: each group's indices merged, row-major.
SmallVector<Value> positionBeforeSplit(OpBuilder &b, Location loc,
                                       AffineMap read,
                                       ArrayRef<int64_t> splitShape,
                                       ArrayRef<ReassociationIndices> groups) {
  SmallVector<Value> position;
  for (const ReassociationIndices &group : groups) {
    Value merged;
    for (int64_t splitDim : group) {
      Value index =
          b.create<linalg::IndexOp>(loc, read.getDimPosition(splitDim));
      if (merged)
        index = b.create<arith::AddIOp>(
            loc,
            b.create<arith::MulIOp>(
                loc, merged,
                b.create<arith::ConstantIndexOp>(loc, splitShape[splitDim])),
            index);
      merged = index;
    }
    position.push_back(merged);
  }
  return position;
}

/// `value` ([..., K, N], or [..., N, K] when `transposed`) laid out for a
/// product's register tiles, in one pass. With `pairs` (K even) it is
/// rounded to bf16 with each k pair of a column side by side:
/// [..., K/2, N, 2], or, in panels of `panel` columns (0: none),
/// [..., N/panel, K/2, panel, 2]. Without, it is copied in panels (`panel`
/// > 0): [..., N/panel, K, panel]. Read in the packed order from a
/// transposed operand; from an untransposed one in panels row after row
/// ((p, j, c, t): each row's panels taking turns). An operand computed
/// from position (computedFromPosition) is computed as it is packed, in the
/// packed order, and padded to `paddedColumns` with zeros.
Value packOperand(OpBuilder &b, Location loc, Value value, bool transposed,
                  int64_t panel, bool pairs, int64_t paddedColumns = 0) {
  MLIRContext *context = b.getContext();
  auto type = cast<RankedTensorType>(value.getType());
  int64_t rank = type.getRank(), batchRank = rank - 2;
  int64_t kDim = transposed ? rank - 1 : rank - 2,
          nDim = transposed ? rank - 2 : rank - 1;
  int64_t depth = type.getDimSize(kDim), columns = type.getDimSize(nDim);
  // An operand computed from position is padded as it is packed: zeros in
  // the columns past its own.
  int64_t validColumns = columns;
  linalg::GenericOp producer = computedFromPosition(value);
  if (producer && paddedColumns > columns) {
    SmallVector<int64_t> shape(type.getShape());
    shape[nDim] = columns = paddedColumns;
    type = type.clone(shape);
  }
  bool panels = panel > 0;
  // The columns as (j, c) in panels, c alone without; the depth as (p, t)
  // in pairs, p alone without.
  SmallVector<int64_t> columnShape = panelShape(columns, panel);
  SmallVector<int64_t> depthShape =
      pairs ? SmallVector<int64_t>{depth / 2, 2} : SmallVector<int64_t>{depth};
  SmallVector<int64_t> split;
  if (pairs)
    split.push_back(kDim);
  if (panels)
    split.push_back(nDim);
  ArrayRef<int64_t> batch = type.getShape().drop_back(2);
  SmallVector<int64_t> splitShape = joined<int64_t>(
      batch, transposed ? joined<int64_t>(columnShape, depthShape)
                        : joined<int64_t>(depthShape, columnShape));
  // Iteration space: (batch..., (j,) p, c, (t)), or (batch..., p, j, c,
  // (t)) for an untransposed operand in panels.
  auto dim = [&](int64_t position) {
    return getAffineDimExpr(batchRank + position, context);
  };
  int64_t first = panels ? 1 : 0;
  // An operand computed from position is written panel after panel: its
  // codes are an eighth of the panels' bytes, so the writes are what must
  // stay sequential.
  bool rowsInOrder = panels && !transposed && !producer;
  SmallVector<AffineExpr> columnExprs;
  if (panels)
    columnExprs.push_back(dim(rowsInOrder ? 1 : 0));
  AffineExpr p = dim(rowsInOrder ? 0 : first), c = dim(first + 1);
  columnExprs.push_back(c);
  SmallVector<AffineExpr> pair;
  if (pairs)
    pair.push_back(dim(first + 2));
  auto batchThen = [&](ArrayRef<AffineExpr> rest) {
    return batchMap(context, batchRank, batchRank + first + 2 + pair.size(),
                    rest);
  };
  SmallVector<AffineExpr> depthExprs = joined<AffineExpr>({p}, pair);
  SmallVector<AffineExpr> read =
      transposed ? joined<AffineExpr>(columnExprs, depthExprs)
                 : joined<AffineExpr>(depthExprs, columnExprs);
  SmallVector<AffineExpr> write = joined<AffineExpr>(
      ArrayRef(columnExprs).drop_back(), joined<AffineExpr>({p, c}, pair));
  SmallVector<int64_t> packedShape = joined<int64_t>(
      batch,
      joined<int64_t>(ArrayRef(columnShape).drop_back(),
                      joined<int64_t>({depthShape.front(), columnShape.back()},
                                      ArrayRef(depthShape).drop_front())));
  Type element = pairs ? b.getBF16Type() : type.getElementType();
  auto packedType = RankedTensorType::get(packedShape, element);
  // An operand computed from its position (a quantized weight's decoding)
  // is computed as it is packed: its element at the position `read` names
  // in the split value, merged back to the value's own dimensions.
  if (producer && panels) {
    AffineMap readMap = batchThen(read);
    return buildParallelGeneric(
        b, loc, packedType, ValueRange{}, {},
        [&](OpBuilder &nb, Location nl, ValueRange) -> Value {
          SmallVector<Value> position = positionBeforeSplit(
              nb, nl, readMap, splitShape, splitting(rank, split));
          // A padding column reads the last real one, and is zero.
          Value padding;
          if (validColumns != columns) {
            Value last =
                nb.create<arith::ConstantIndexOp>(nl, validColumns - 1);
            padding = nb.create<arith::CmpIOp>(nl, arith::CmpIPredicate::ugt,
                                               position[nDim], last);
            position[nDim] =
                nb.create<arith::MinUIOp>(nl, position[nDim], last);
          }
          Value computed = buildComputedAt(nb, nl, producer, position);
          if (padding)
            computed = nb.create<arith::SelectOp>(
                nl, padding, scalar::constant(nb, nl, computed.getType(), 0.0),
                computed);
          return pairs ? roundedToBF16(nb, nl, computed) : computed;
        },
        batchThen(write));
  }
  return buildParallelGeneric(
      b, loc, packedType, expanded(b, loc, value, splitShape, split),
      batchThen(read),
      pairs ? ScalarBody(roundedToBF16)
            : ScalarBody([](OpBuilder &, Location, ValueRange args) {
                return args[0];
              }),
      batchThen(write));
}

/// `value` ([..., A, B, C]) copied to [..., B, A, C]: an accumulator in
/// rows of panels to one in panels of rows, and back.
Value swappedRowsAndPanels(OpBuilder &b, Location loc, Value value) {
  auto type = cast<RankedTensorType>(value.getType());
  int64_t rank = type.getRank();
  SmallVector<int64_t> permutation = llvm::to_vector(llvm::seq<int64_t>(rank));
  std::swap(permutation[rank - 3], permutation[rank - 2]);
  return buildParallelGeneric(
      b, loc,
      RankedTensorType::get(applyPermutation(type.getShape(), permutation),
                            type.getElementType()),
      value, AffineMap::getPermutationMap(permutation, b.getContext()),
      [](OpBuilder &, Location, ValueRange args) { return args[0]; });
}

/// `into` with `part` in its slices from `offset` along `dim`.
Value insertedAt(OpBuilder &b, Location loc, Value part, Value into,
                 int64_t dim, int64_t offset) {
  auto type = cast<RankedTensorType>(part.getType());
  SmallVector<int64_t> offsets(type.getRank(), 0), strides(type.getRank(), 1);
  offsets[dim] = offset;
  MLIRContext *context = b.getContext();
  return b.create<tensor::InsertSliceOp>(
      loc, part, into, getAsIndexOpFoldResult(context, offsets),
      getAsIndexOpFoldResult(context, type.getShape()),
      getAsIndexOpFoldResult(context, strides));
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
  return insertedAt(b, loc, value, zeros, dim, 0);
}

/// The `size` slices of `value` from `offset` along `dim`.
Value sliceAlong(OpBuilder &b, Location loc, Value value, int64_t dim,
                 int64_t offset, int64_t size) {
  auto type = cast<RankedTensorType>(value.getType());
  SmallVector<int64_t> offsets(type.getRank(), 0), sizes(type.getShape()),
      strides(type.getRank(), 1);
  offsets[dim] = offset;
  sizes[dim] = size;
  MLIRContext *context = b.getContext();
  return b.create<tensor::ExtractSliceOp>(
      loc, value, getAsIndexOpFoldResult(context, offsets),
      getAsIndexOpFoldResult(context, sizes),
      getAsIndexOpFoldResult(context, strides));
}

/// `into` with `part`, a generic's result, in its slices from `offset`
/// along `dim`, the generic writing them there itself: its output becomes
/// that slice of `into` (which must be defined before it).
Value writtenInto(OpBuilder &b, Location loc, Value part, Value into,
                  int64_t dim, int64_t offset) {
  auto generic = part.getDefiningOp<linalg::GenericOp>();
  auto type = cast<RankedTensorType>(part.getType());
  OpOperand &init = generic.getDpsInitsMutable()[0];
  Operation *own = init.get().getDefiningOp();
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPoint(generic);
    init.set(sliceAlong(b, loc, into, dim, offset, type.getDimSize(dim)));
  }
  if (own && own->use_empty())
    own->erase();
  return insertedAt(b, loc, part, into, dim, offset);
}

/// What packOperand gives for `value` with zero columns appended up to
/// `paddedColumns` (past a whole number of panels), without a padded copy
/// of the value: its whole panels are packed from it, the last from its
/// remaining columns and zeros, each written in its place in the packed
/// operand. A padded copy of a 50257-word vocabulary's embedding took 147
/// MiB beside its panels, and was written and read once more. The packed
/// operand is allocated, not an empty tensor: CSE would merge equal empty
/// tensors (a product recomputed in the backward pass has the same), and
/// each would then be written apart and copied.
Value packPadded(OpBuilder &b, Location loc, Value value, bool transposed,
                 int64_t panel, bool pairs, int64_t paddedColumns) {
  auto type = cast<RankedTensorType>(value.getType());
  int64_t rank = type.getRank(), nDim = transposed ? rank - 2 : rank - 1;
  int64_t columns = type.getDimSize(nDim), whole = columns / panel * panel;
  assert(whole > 0 && paddedColumns - columns < panel &&
         "the last panel is padded, and is not the only one");
  Value headColumns = sliceAlong(b, loc, value, nDim, 0, whole);
  Value head = packOperand(b, loc, headColumns, transposed, panel, pairs);
  // The panels are the packed operand's first dimension after the batch.
  auto headType = cast<RankedTensorType>(head.getType());
  int64_t panelDim = rank - 2;
  SmallVector<int64_t> shape(headType.getShape());
  shape[panelDim] = paddedColumns / panel;
  Value packed;
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPoint(headColumns.getDefiningOp());
    packed = b.create<bufferization::AllocTensorOp>(loc, headType.clone(shape),
                                                    ValueRange{});
  }
  packed = writtenInto(b, loc, head, packed, panelDim, 0);
  Value tail = packOperand(
      b, loc,
      withZerosAppended(b, loc,
                        sliceAlong(b, loc, value, nDim, whole, columns - whole),
                        nDim, paddedColumns - columns),
      transposed, panel, pairs);
  return writtenInto(b, loc, tail, packed, panelDim, whole / panel);
}

/// `sums` ([..., M, N]) plus the products of the last k, each of its two
/// factors rounded to bf16: `column` is the left operand's slice at that k
/// ([..., M, 1], or [..., 1, M] when `transposedColumn`), `row` the right
/// operand's ([..., 1, N], or [..., N, 1] when `transposedRow`).
Value withLastDepthAdded(OpBuilder &b, Location loc, Value sums, Value column,
                         bool transposedColumn, Value row, bool transposedRow) {
  auto type = cast<RankedTensorType>(sums.getType());
  int64_t rank = type.getRank(), batchRank = rank - 2;
  MLIRContext *context = b.getContext();
  AffineExpr m = getAffineDimExpr(batchRank, context),
             n = getAffineDimExpr(batchRank + 1, context),
             zero = getAffineConstantExpr(0, context);
  auto map = [&](AffineExpr row, AffineExpr column) {
    return batchMap(context, batchRank, rank, {row, column});
  };
  SmallVector<AffineMap> maps = {map(m, n),
                                 transposedColumn ? map(zero, m) : map(m, zero),
                                 transposedRow ? map(n, zero) : map(zero, n)};
  return buildParallelGeneric(
      b, loc, type, ValueRange{sums, column, row}, maps,
      [](OpBuilder &nb, Location nl, ValueRange args) -> Value {
        auto rounded = [&](Value value) -> Value {
          return nb.create<arith::ExtFOp>(nl, value.getType(),
                                          roundedToBF16(nb, nl, value));
        };
        return nb.create<arith::AddFOp>(
            nl, args[0],
            nb.create<arith::MulFOp>(nl, rounded(args[1]), rounded(args[2])));
      });
}

} // namespace

Value quern::buildPackedProduct(OpBuilder &b, Location loc,
                                RankedTensorType resultType, Value lhs,
                                bool transposeLhs, Value rhs, bool transposeRhs,
                                Value bias, int64_t panelWidth, bool pairs,
                                bool accumulateInPanels) {
  MLIRContext *context = b.getContext();
  int64_t rank = resultType.getRank(), batchRank = rank - 2;
  int64_t rows = resultType.getDimSize(rank - 2),
          columns = resultType.getDimSize(rank - 1);
  Value lhsOperand = lhs;
  if (pairs) {
    auto lhsType = cast<RankedTensorType>(lhs.getType());
    int64_t lhsDepthDim = lhsType.getRank() - (transposeLhs ? 2 : 1);
    int64_t rhsDepthDim = cast<RankedTensorType>(rhs.getType()).getRank() -
                          (transposeRhs ? 1 : 2);
    int64_t depth = lhsType.getDimSize(lhsDepthDim);
    // An odd depth: the pairs sum all but the last k, read in place, and
    // the last k's products are added to their sums after them. A zero k
    // appended instead took a padded copy of each operand (for 97x211x53,
    // more time than the product's).
    if (depth % 2 != 0 && depth > 1) {
      Value lhsHead = sliceAlong(b, loc, lhs, lhsDepthDim, 0, depth - 1);
      Value rhsHead = sliceAlong(b, loc, rhs, rhsDepthDim, 0, depth - 1);
      Value sums = buildPackedProduct(b, loc, resultType, lhsHead, transposeLhs,
                                      rhsHead, transposeRhs, bias, panelWidth,
                                      pairs, accumulateInPanels);
      Value lhsLast = sliceAlong(b, loc, lhs, lhsDepthDim, depth - 1, 1);
      Value rhsLast = sliceAlong(b, loc, rhs, rhsDepthDim, depth - 1, 1);
      return withLastDepthAdded(b, loc, sums, lhsLast, transposeLhs, rhsLast,
                                transposeRhs);
    }
    // A depth of one takes a zero more, so that it too is summed in a pair.
    if (depth == 1) {
      lhs = withZerosAppended(b, loc, lhs, lhsDepthDim, 1);
      rhs = withZerosAppended(b, loc, rhs, rhsDepthDim, 1);
      lhsType = cast<RankedTensorType>(lhs.getType());
    }
    lhsOperand =
        transposeLhs
            ? packOperand(b, loc, lhs, /*transposed=*/false, /*panel=*/0,
                          /*pairs=*/true)
            : expanded(b, loc, roundToBF16(b, loc, lhs),
                       joined<int64_t>(lhsType.getShape().drop_back(),
                                       {lhsType.getShape().back() / 2, 2}),
                       {rank - 1});
  }
  // Panels where N is wider than one; 0: none. Columns that do not fill
  // the last panel are padded with zeros (the packed operand and the bias
  // get zero columns, the product computes them, the result leaves them
  // out), so that every register tile is a whole panel.
  // An operand computed from position (a quantized weight) is packed
  // whatever its width, in one panel when it is narrower than one: packing
  // is where it is decoded, so that no buffer holds it whole.
  bool positional = static_cast<bool>(computedFromPosition(rhs));
  int64_t panel = panelWidth > 0 && columns > panelWidth ? panelWidth
                  : panelWidth > 0 && positional         ? columns
                                                         : 0;
  bool panels = panel > 0;
  assert((pairs || panels) && "an f32 product is packed only in panels");
  int64_t paddedColumns = panels ? llvm::alignTo(columns, panel) : columns;
  if (paddedColumns != columns && bias)
    bias = withZerosAppended(
        b, loc, bias, cast<RankedTensorType>(bias.getType()).getRank() - 1,
        paddedColumns - columns);
  Value rhsOperand =
      paddedColumns != columns && !positional
          ? packPadded(b, loc, rhs, transposeRhs, panel, pairs, paddedColumns)
          : packOperand(b, loc, rhs, transposeRhs, panel, pairs, paddedColumns);

  // Iteration space: (batch..., (j,) m, c, p, (t)); k = 2p + t in pairs.
  auto dim = [&](int64_t position) {
    return getAffineDimExpr(batchRank + position, context);
  };
  int64_t first = panels ? 1 : 0;
  int64_t reductions = pairs ? 2 : 1;
  int64_t dims = batchRank + first + 2 + reductions;
  SmallVector<AffineExpr> j, t;
  if (panels)
    j.push_back(dim(0));
  AffineExpr m = dim(first), c = dim(first + 1), p = dim(first + 2);
  if (pairs)
    t.push_back(dim(first + 3));
  auto batchThen = [&](ArrayRef<AffineExpr> rest) {
    return batchMap(context, batchRank, dims, rest);
  };
  SmallVector<utils::IteratorType> iterators(dims - reductions,
                                             utils::IteratorType::parallel);
  iterators.append(reductions, utils::IteratorType::reduction);
  // The accumulator is built in its panel shape (a fill of the reshaped
  // result would not be the product's own). In panels of rows, [...,
  // N/panel, M, panel], a register tile's rows are a panel apart, not N
  // columns, whose power-of-two strides put them in one cache set; a copy
  // moves the result back to [..., M, N/panel, panel], and what consumes
  // the result fuses into the copy.
  bool panelMajor = accumulateInPanels && panels;
  SmallVector<int64_t> columnShape = panelShape(paddedColumns, panel);
  ArrayRef<int64_t> batch = resultType.getShape().drop_back(2);
  auto rowMajorType = RankedTensorType::get(
      joined<int64_t>(batch, joined<int64_t>({rows}, columnShape)),
      resultType.getElementType());
  auto accumulatorType =
      panelMajor
          ? RankedTensorType::get(
                joined<int64_t>(batch, {paddedColumns / panel, rows, panel}),
                resultType.getElementType())
          : rowMajorType;
  if (bias && panels) {
    auto biasType = cast<RankedTensorType>(bias.getType());
    bias =
        expanded(b, loc, bias,
                 joined<int64_t>(biasType.getShape().drop_back(), columnShape),
                 {biasType.getRank() - 1});
  }
  Value init;
  if (panelMajor && bias)
    init = swappedRowsAndPanels(
        b, loc, buildAccumulatorInit(b, loc, rowMajorType, bias));
  else
    init = buildAccumulatorInit(b, loc, accumulatorType, bias);
  Value product =
      b.create<linalg::GenericOp>(
           loc, accumulatorType, ValueRange{lhsOperand, rhsOperand}, init,
           SmallVector<AffineMap>{
               batchThen(joined<AffineExpr>(transposeLhs
                                                ? ArrayRef<AffineExpr>{p, m}
                                                : ArrayRef<AffineExpr>{m, p},
                                            t)),
               batchThen(joined<AffineExpr>(j, joined<AffineExpr>({p, c}, t))),
               batchThen(panelMajor ? SmallVector<AffineExpr>{j[0], m, c}
                                    : joined<AffineExpr>(
                                          {m}, joined<AffineExpr>(j, {c})))},
           iterators, buildMultiplyAdd)
          .getResult(0);
  if (panelMajor)
    product = swappedRowsAndPanels(b, loc, product);
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

/// The f32 operand packOperand(value, transposed, /*panel=*/0,
/// /*pairs=*/true) packed into `pairs`, and whether it was transposed.
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

/// The bias a product's init broadcasts (null for a fill), or failure when
/// the init is neither.
static FailureOr<Value> biasOf(linalg::GenericOp product) {
  Operation *init = product.getDpsInits()[0].getDefiningOp();
  if (auto broadcast = dyn_cast_if_present<linalg::GenericOp>(init)) {
    if (broadcast.getNumDpsInputs() != 1)
      return failure();
    return broadcast.getDpsInputs()[0];
  }
  if (isa_and_present<linalg::FillOp>(init))
    return Value();
  return failure();
}

/// The operands of a paired product without panels.
static std::optional<PackedProductOperands>
matchPairedProduct(linalg::GenericOp product, RankedTensorType resultType) {
  Value lhsPairs = product.getDpsInputs()[0],
        rhsPairs = product.getDpsInputs()[1];
  auto rhsType = cast<ShapedType>(rhsPairs.getType());
  if (product.getNumReductionLoops() != 2 ||
      !rhsType.getElementType().isBF16() ||
      rhsType.getRank() != resultType.getRank() + 1)
    return std::nullopt;
  PackedProductOperands operands;
  operands.pairs = true;
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
  FailureOr<Value> bias = biasOf(product);
  if (failed(bias))
    return std::nullopt;
  operands.bias = *bias;
  return operands;
}

/// The operands of an f32 product as the conversion builds it: one generic
/// over (batch..., m, n, k) whose maps carry the transposes, its body a
/// multiply-add. A right operand the conversion transposed
/// (linalg.transpose) is read back from before the transpose.
static std::optional<PackedProductOperands>
matchFloatProduct(linalg::GenericOp product, RankedTensorType resultType) {
  MLIRContext *context = product.getContext();
  int64_t rank = resultType.getRank(), batchRank = rank - 2;
  if (!resultType.getElementType().isF32() ||
      product.getNumReductionLoops() != 1 ||
      product.getNumLoops() != rank + 1 ||
      llvm::any_of(product.getDpsInputs(), [](Value input) {
        return !getElementTypeOrSelf(input.getType()).isF32();
      }))
    return std::nullopt;
  Block *body = product.getBody();
  auto multiply = dyn_cast<arith::MulFOp>(body->front());
  auto add = multiply ? dyn_cast<arith::AddFOp>(multiply->getNextNode())
                      : arith::AddFOp();
  if (!add || add->getNextNode() != body->getTerminator() ||
      multiply.getLhs() != body->getArgument(0) ||
      multiply.getRhs() != body->getArgument(1) ||
      add.getLhs() != body->getArgument(2) || add.getRhs() != multiply)
    return std::nullopt;
  AffineExpr m = getAffineDimExpr(batchRank, context),
             n = getAffineDimExpr(batchRank + 1, context),
             k = getAffineDimExpr(batchRank + 2, context);
  auto mapOf = [&](AffineExpr row, AffineExpr column) {
    return batchMap(context, batchRank, rank + 1, {row, column});
  };
  SmallVector<AffineMap> maps = product.getIndexingMapsArray();
  if (maps[2] != mapOf(m, n))
    return std::nullopt;
  PackedProductOperands operands;
  operands.pairs = false;
  operands.lhs = product.getDpsInputs()[0];
  operands.rhs = product.getDpsInputs()[1];
  if (maps[0] == mapOf(m, k) || maps[0] == mapOf(k, m))
    operands.transposeLhs = maps[0] == mapOf(k, m);
  else
    return std::nullopt;
  if (maps[1] == mapOf(k, n) || maps[1] == mapOf(n, k))
    operands.transposeRhs = maps[1] == mapOf(n, k);
  else
    return std::nullopt;
  if (Value source = transposedSource(operands.rhs);
      source && !operands.transposeRhs) {
    operands.rhs = source;
    operands.transposeRhs = true;
  }
  FailureOr<Value> bias = biasOf(product);
  if (failed(bias))
    return std::nullopt;
  operands.bias = *bias;
  return operands;
}

bool quern::computesFromPosition(linalg::GenericOp op) {
  return op.getNumDpsInputs() == 0 && op.getNumDpsInits() == 1 &&
         op.getNumParallelLoops() == op.getNumLoops() &&
         op.getMatchingIndexingMap(op.getDpsInitOperand(0)).isIdentity() &&
         !op.payloadUsesValueFromOperand(op.getDpsInitOperand(0));
}

linalg::GenericOp quern::computedFromPosition(Value value) {
  auto generic = value.getDefiningOp<linalg::GenericOp>();
  return generic && computesFromPosition(generic) ? generic
                                                  : linalg::GenericOp();
}

Value quern::buildComputedAt(OpBuilder &b, Location loc,
                             linalg::GenericOp producer, ValueRange position) {
  IRMapping mapping;
  Block *body = producer.getBody();
  for (Operation &op : body->without_terminator()) {
    if (auto index = dyn_cast<linalg::IndexOp>(op)) {
      mapping.map(index.getResult(), position[index.getDim()]);
      continue;
    }
    b.clone(op, mapping);
  }
  return mapping.lookupOrDefault(body->getTerminator()->getOperand(0));
}

Value quern::buildViewComputedFromPosition(OpBuilder &b, Operation *view) {
  linalg::GenericOp producer = computedFromPosition(view->getOperand(0));
  assert(producer && "a view of an operand computed from position");
  auto sourceType = cast<RankedTensorType>(view->getOperand(0).getType());
  auto type = cast<RankedTensorType>(view->getResult(0).getType());
  return buildParallelGeneric(
      b, view->getLoc(), type, ValueRange{}, {},
      [&](OpBuilder &nb, Location loc, ValueRange) {
        SmallVector<Value> position(sourceType.getRank());
        if (auto transpose = dyn_cast<linalg::TransposeOp>(view)) {
          // Result dimension d is the source's permutation[d].
          for (auto [dim, from] : llvm::enumerate(transpose.getPermutation()))
            position[from] = nb.create<linalg::IndexOp>(loc, dim);
        } else {
          // A reshape keeps the row-major order: the result's linear
          // position, split by the source's shape.
          Value linear = buildLinearIndex(nb, loc, type.getShape());
          for (int64_t dim = sourceType.getRank() - 1; dim >= 0; --dim) {
            Value size = nb.create<arith::ConstantIndexOp>(
                loc, sourceType.getDimSize(dim));
            position[dim] = nb.create<arith::RemUIOp>(loc, linear, size);
            linear = nb.create<arith::DivUIOp>(loc, linear, size);
          }
        }
        return buildComputedAt(nb, loc, producer, position);
      });
}

Value quern::transposedSource(Value value) {
  auto transpose = value.getDefiningOp<linalg::TransposeOp>();
  if (!transpose || !transpose->hasOneUse() ||
      transpose.getPermutation() !=
          ArrayRef(lastTwoSwapped(cast<ShapedType>(value.getType()).getRank())))
    return Value();
  return transpose.getInput();
}

std::optional<PackedProductOperands>
quern::matchPackableProduct(linalg::GenericOp product) {
  auto resultType =
      dyn_cast<RankedTensorType>(product.getResultTypes().front());
  if (product.getNumDpsInputs() != 2 || product.getNumDpsInits() != 1 ||
      !resultType || resultType.getRank() < 2 ||
      !resultType.getElementType().isF32())
    return std::nullopt;
  if (auto operands = matchPairedProduct(product, resultType))
    return operands;
  return matchFloatProduct(product, resultType);
}
