//===- Experts.cpp - mixture-of-experts ops to linalg and scf ---*- C++ -*-===//
//
// The dispatch is a counting sort in scalar loops (a few operations per
// token and slot). A grouped product is a parallel loop over its row tiles:
// each tile reads its group from `tile_groups` and runs one static-shape
// contraction of its rows with that group's weights, which code generation
// tiles and vectorizes as any other product; only the weights' offset is
// known at run time. The weight gradient is a parallel loop over the
// groups, each summing the products of its rows (consecutive tiles) in
// chunks of up to 128 rows and then tile by tile, always in the same order,
// so the result is the same for every thread count.
//
//===----------------------------------------------------------------------===//

#include "Patterns.h"

#include "dialects/quern/QuernOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/IndexingUtils.h"

using namespace mlir;
using namespace quern;
using namespace quern::detail;

namespace {

/// Scalar index arithmetic at one location.
struct Index {
  OpBuilder &b;
  Location loc;

  Value constant(int64_t value) {
    return b.create<arith::ConstantIndexOp>(loc, value);
  }
  Value add(Value x, Value y) { return b.create<arith::AddIOp>(loc, x, y); }
  Value mul(Value x, int64_t factor) {
    return b.create<arith::MulIOp>(loc, x, constant(factor));
  }
  Value compare(arith::CmpIPredicate predicate, Value x, Value y) {
    return b.create<arith::CmpIOp>(loc, predicate, x, y);
  }
  /// `tensor[position]`, an i64, as an index.
  Value load(Value tensor, ValueRange position) {
    return scalar::toIndex(b, loc,
                           b.create<tensor::ExtractOp>(loc, tensor, position));
  }
  /// `tensor` with `value` (an index) stored at `position` as an i64.
  Value store(Value value, Value tensor, ValueRange position) {
    Value stored =
        b.create<arith::IndexCastOp>(loc, b.getI64Type(), value).getResult();
    return b.create<tensor::InsertOp>(loc, stored, tensor, position);
  }
};

/// A loop from 0 to `upper` (an index) threading `inits` through `body`.
ValueRange buildLoop(
    OpBuilder &b, Location loc, Value lower, Value upper, ValueRange inits,
    function_ref<SmallVector<Value>(OpBuilder &, Location, Value, ValueRange)>
        body) {
  Value step = b.create<arith::ConstantIndexOp>(loc, 1);
  return b
      .create<scf::ForOp>(
          loc, lower, upper, step, inits,
          [&](OpBuilder &nb, Location l, Value iv, ValueRange args) {
            nb.create<scf::YieldOp>(l, body(nb, l, iv, args));
          })
      .getResults();
}

/// `then(values)` where `condition` holds, else `values` unchanged.
ValueRange
buildIf(OpBuilder &b, Location loc, Value condition, ValueRange values,
        function_ref<SmallVector<Value>(OpBuilder &, Location)> then) {
  return b
      .create<scf::IfOp>(
          loc, condition,
          [&](OpBuilder &nb, Location l) {
            nb.create<scf::YieldOp>(l, then(nb, l));
          },
          [&](OpBuilder &nb, Location l) {
            nb.create<scf::YieldOp>(l, values);
          })
      .getResults();
}

struct MoeDispatchLowering : OpConversionPattern<MoeDispatchOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(MoeDispatchOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Index x{rewriter, loc};
    Value experts = adaptor.getExperts();
    ArrayRef<int64_t> shape = op.getExperts().getType().getShape();
    int64_t groupCount = op.getNumGroups(), tileRows = op.getTileRows();
    Type i64 = rewriter.getI64Type();
    auto filled = [&](ArrayRef<int64_t> extents, int64_t value) {
      return buildFilled(rewriter, loc, RankedTensorType::get(extents, i64),
                         scalar::constant(rewriter, loc, i64, value));
    };
    // The group of each expert, with the experts that have none in an extra
    // group `groupCount` that takes no rows.
    SmallVector<int64_t> table;
    for (int64_t group : op.getGroups())
      table.push_back(group < 0 ? groupCount : group);
    auto tableType = RankedTensorType::get({static_cast<int64_t>(table.size())},
                                           rewriter.getIndexType());
    Value groups = rewriter.create<arith::ConstantOp>(
        loc, tableType, DenseElementsAttr::get(tableType, ArrayRef(table)));
    // Calls `body(group, n, s, values)` for every slot in token order.
    auto forEachSlot =
        [&](ValueRange inits,
            function_ref<SmallVector<Value>(OpBuilder &, Location, Value, Value,
                                            Value, ValueRange)>
                body) {
          return buildLoop(
              rewriter, loc, x.constant(0), x.constant(shape[0]), inits,
              [&](OpBuilder &b, Location l, Value n, ValueRange outer) {
                return llvm::to_vector(buildLoop(
                    b, l, x.constant(0), x.constant(shape[1]), outer,
                    [&](OpBuilder &nb, Location nl, Value s, ValueRange inner) {
                      Value expert =
                          scalar::wrapIndex(nb, nl,
                                            nb.create<tensor::ExtractOp>(
                                                nl, experts, ValueRange{n, s}),
                                            table.size());
                      Value group =
                          nb.create<tensor::ExtractOp>(nl, groups, expert);
                      return body(nb, nl, group, n, s, inner);
                    }));
              });
        };

    // Tokens per group.
    Value counts = forEachSlot(
        filled({groupCount + 1}, 0),
        [&](OpBuilder &b, Location l, Value group, Value, Value,
            ValueRange values) -> SmallVector<Value> {
          Index at{b, l};
          Value count = at.load(values[0], group);
          return {at.store(at.add(count, at.constant(1)), values[0], group)};
        })[0];
    // Each group's first row, its tiles marked with it.
    ValueRange laidOut = buildLoop(
        rewriter, loc, x.constant(0), x.constant(groupCount),
        {filled({groupCount}, 0),
         filled(op.getTileGroups().getType().getShape(), -1), x.constant(0)},
        [&](OpBuilder &b, Location l, Value group, ValueRange values) {
          Index at{b, l};
          Value first = values[2];
          Value starts = at.store(first, values[0], group);
          Value count = at.load(counts, group);
          Value tiles = b.create<arith::DivUIOp>(
              l, at.add(count, at.constant(tileRows - 1)),
              at.constant(tileRows));
          Value firstTile =
              b.create<arith::DivUIOp>(l, first, at.constant(tileRows));
          Value tileGroups =
              buildLoop(b, l, firstTile, at.add(firstTile, tiles), values[1],
                        [&](OpBuilder &nb, Location nl, Value tile,
                            ValueRange inner) -> SmallVector<Value> {
                          return {Index{nb, nl}.store(group, inner[0], tile)};
                        })[0];
          return SmallVector<Value>{starts, tileGroups,
                                    at.add(first, at.mul(tiles, tileRows))};
        });
    // Each slot takes the next row of its group.
    ValueRange placed = forEachSlot(
        {laidOut[0], filled(op.getRows().getType().getShape(), 0),
         filled(shape, 0)},
        [&](OpBuilder &b, Location l, Value group, Value n, Value s,
            ValueRange values) {
          Index at{b, l};
          Value routed = at.compare(arith::CmpIPredicate::ult, group,
                                    at.constant(groupCount));
          return llvm::to_vector(buildIf(
              b, l, routed, values,
              [&](OpBuilder &nb, Location nl) -> SmallVector<Value> {
                Index in{nb, nl};
                Value row = in.load(values[0], group);
                return {in.store(in.add(row, in.constant(1)), values[0], group),
                        in.store(n, values[1], row),
                        in.store(row, values[2], ValueRange{n, s})};
              }));
        });
    rewriter.replaceOp(op, {placed[1], laidOut[1], placed[2]});
    return success();
  }
};

/// A contraction of `lhs` and `rhs` (row-major [M, K] and [K, N]) into
/// `init`: init[m, n] += sum_k lhs[m, k] * rhs[k, n], with `lhs` read as
/// [K, M] instead when `transposeLhs`.
Value buildProduct(OpBuilder &b, Location loc, Value lhs, Value rhs, Value init,
                   bool transposeLhs) {
  MLIRContext *context = b.getContext();
  AffineExpr m = getAffineDimExpr(0, context), n = getAffineDimExpr(1, context),
             k = getAffineDimExpr(2, context);
  auto map = [&](AffineExpr row, AffineExpr column) {
    return AffineMap::get(3, 0, {row, column}, context);
  };
  return b
      .create<linalg::GenericOp>(
          loc, init.getType(), ValueRange{lhs, rhs}, init,
          SmallVector<AffineMap>{transposeLhs ? map(k, m) : map(m, k),
                                 map(k, n), map(m, n)},
          SmallVector<utils::IteratorType>{utils::IteratorType::parallel,
                                           utils::IteratorType::parallel,
                                           utils::IteratorType::reduction},
          buildMultiplyAdd)
      .getResult(0);
}

/// `count` rows of the 2-D `tensor` from `row`.
tensor::ExtractSliceOp rowsOf(OpBuilder &b, Location loc, Value tensor,
                              Value row, int64_t count) {
  auto type = cast<RankedTensorType>(tensor.getType());
  SmallVector<OpFoldResult> offsets = {row, b.getIndexAttr(0)},
                            sizes = {b.getIndexAttr(count),
                                     b.getIndexAttr(type.getDimSize(1))},
                            strides(2, b.getIndexAttr(1));
  return b.create<tensor::ExtractSliceOp>(
      loc,
      RankedTensorType::get({count, type.getDimSize(1)}, type.getElementType()),
      tensor, offsets, sizes, strides);
}

/// The slice `index` of the 3-D `tensor` along its first dimension, as a
/// 2-D tensor.
tensor::ExtractSliceOp groupOf(OpBuilder &b, Location loc, Value tensor,
                               Value index) {
  auto type = cast<RankedTensorType>(tensor.getType());
  SmallVector<OpFoldResult> offsets = {index, b.getIndexAttr(0),
                                       b.getIndexAttr(0)},
                            sizes = {b.getIndexAttr(1),
                                     b.getIndexAttr(type.getDimSize(1)),
                                     b.getIndexAttr(type.getDimSize(2))},
                            strides(3, b.getIndexAttr(1));
  return b.create<tensor::ExtractSliceOp>(
      loc,
      RankedTensorType::get(type.getShape().drop_front(),
                            type.getElementType()),
      tensor, offsets, sizes, strides);
}

/// A parallel loop over `count` items that fills fresh tensors of `types`:
/// item `i` overwrites the slice `place(result, i)` of each with what `body`
/// computes from it and those slices.
ValueRange buildParallelSlices(
    OpBuilder &b, Location loc, TypeRange types, int64_t count,
    function_ref<tensor::ExtractSliceOp(OpBuilder &, Location, Value, Value)>
        place,
    function_ref<SmallVector<Value>(OpBuilder &, Location, Value, ValueRange)>
        body) {
  SmallVector<Value> empties;
  for (Type type : types) {
    auto tensorType = cast<RankedTensorType>(type);
    empties.push_back(b.create<tensor::EmptyOp>(loc, tensorType.getShape(),
                                                tensorType.getElementType()));
  }
  auto forall = b.create<scf::ForallOp>(
      loc, ArrayRef<OpFoldResult>{b.getIndexAttr(count)}, empties,
      /*mapping=*/std::nullopt);
  OpBuilder inside = OpBuilder::atBlockBegin(forall.getBody());
  Value item = forall.getInductionVar(0);
  SmallVector<tensor::ExtractSliceOp> slices;
  SmallVector<Value> sliceValues;
  for (Value result : forall.getRegionIterArgs()) {
    slices.push_back(place(inside, loc, result, item));
    sliceValues.push_back(slices.back());
  }
  SmallVector<Value> written = body(inside, loc, item, sliceValues);
  inside.setInsertionPointToStart(forall.getTerminator().getBody());
  for (auto [value, result, slice] :
       llvm::zip_equal(written, forall.getRegionIterArgs(), slices))
    inside.create<tensor::ParallelInsertSliceOp>(
        loc, value, result, slice.getMixedOffsets(), slice.getMixedSizes(),
        slice.getMixedStrides());
  return forall.getResults();
}

/// `value` rounded to bf16 once, for all the products that read it, when
/// products take bf16 operands (the sums stay f32).
Value roundedIfBF16(OpBuilder &b, Location loc, Value value,
                    const MatmulPrecision &precision) {
  if (!precision.bf16Operands || !getElementTypeOrSelf(value.getType()).isF32())
    return value;
  return roundToBF16(b, loc, value);
}

/// Zeros of `slice`'s type, written over it.
Value zeroed(OpBuilder &b, Location loc, Value slice) {
  Type element = getElementTypeOrSelf(slice.getType());
  return b
      .create<linalg::FillOp>(loc, scalar::constant(b, loc, element, 0.0),
                              slice)
      .getResult(0);
}

/// Whether `group` (an index) names one of `count` groups.
Value isGroup(OpBuilder &b, Location loc, Value group, int64_t count) {
  return Index{b, loc}.compare(arith::CmpIPredicate::ult, group,
                               Index{b, loc}.constant(count));
}

/// The weights `rhs` as [G, K, N]: transposed once, for all tiles, when
/// they are stored [G, N, K] (a register tile reads the rows of its
/// operand).
Value weightsAsGKN(OpBuilder &b, Location loc, Value rhs, bool transposed) {
  if (!transposed)
    return rhs;
  auto type = cast<RankedTensorType>(rhs.getType());
  SmallVector<int64_t> permutation = lastTwoSwapped(3);
  Value init = b.create<tensor::EmptyOp>(
      loc, applyPermutation(type.getShape(), permutation),
      type.getElementType());
  return b.create<linalg::TransposeOp>(loc, rhs, init, permutation)
      .getResult()[0];
}

/// What a tile of grouped products computes after them: from the tile's
/// index, its rows of each product and its rows of the further results (to
/// overwrite), those results.
using TileEpilogue = function_ref<SmallVector<Value>(
    OpBuilder &, Location, Value, ValueRange, ValueRange)>;

/// The grouped products of `lhs` (f32, or bf16 where products take bf16
/// operands) with each of `weights` as the op `op` lays them out, as a
/// parallel loop over the row tiles of `tileGroups`: each tile reads its
/// group, zeroes its rows of each product and where the group is one of
/// the weights' multiplies them by that group's weights. The results are
/// the products, then those of `epilogue` (of the further `types`).
ValueRange buildGroupedProducts(OpBuilder &b, Location loc, Value lhs,
                                ValueRange weights, bool transposed,
                                Value tileGroups, TypeRange types,
                                const MatmulPrecision &precision,
                                TileEpilogue epilogue = nullptr) {
  lhs = roundedIfBF16(b, loc, lhs, precision);
  SmallVector<Value> stacks;
  for (Value stack : weights)
    stacks.push_back(roundedIfBF16(
        b, loc, weightsAsGKN(b, loc, stack, transposed), precision));
  int64_t tiles = cast<RankedTensorType>(tileGroups.getType()).getDimSize(0);
  int64_t tileRows =
      cast<RankedTensorType>(lhs.getType()).getDimSize(0) / tiles;
  int64_t groupCount =
      cast<RankedTensorType>(stacks.front().getType()).getDimSize(0);
  size_t products = stacks.size();
  return buildParallelSlices(
      b, loc, types, tiles,
      [&](OpBuilder &nb, Location l, Value result, Value tile) {
        return rowsOf(nb, l, result, Index{nb, l}.mul(tile, tileRows),
                      tileRows);
      },
      [&](OpBuilder &nb, Location l, Value tile,
          ValueRange slices) -> SmallVector<Value> {
        Index at{nb, l};
        Value group = at.load(tileGroups, tile);
        SmallVector<Value> zeros;
        for (Value slice : slices.take_front(products))
          zeros.push_back(zeroed(nb, l, slice));
        SmallVector<Value> results = llvm::to_vector(buildIf(
            nb, l, isGroup(nb, l, group, groupCount), zeros,
            [&](OpBuilder &ib, Location il) {
              Value rows = rowsOf(ib, il, lhs,
                                  Index{ib, il}.mul(tile, tileRows), tileRows);
              SmallVector<Value> computed;
              for (auto [stack, init] : llvm::zip_equal(stacks, zeros))
                computed.push_back(buildProduct(ib, il, rows,
                                                groupOf(ib, il, stack, group),
                                                init, /*transposeLhs=*/false));
              return computed;
            }));
        if (epilogue)
          llvm::append_range(results, epilogue(nb, l, tile, results,
                                               slices.drop_front(products)));
        return results;
      });
}

struct GroupedMatMulLowering : ProductPattern<GroupedMatMulOp> {
  using ProductPattern::ProductPattern;

  LogicalResult
  matchAndRewrite(GroupedMatMulOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    rewriter.replaceOp(
        op,
        buildGroupedProducts(rewriter, op.getLoc(), adaptor.getLhs(),
                             adaptor.getRhs(), op.getTransposeRhs(),
                             adaptor.getTileGroups(), op.getType(), precision));
    return success();
  }
};

/// The products as a grouped_matmul's, and on each tile one all-parallel
/// generic computing the epilogue's ops element by element, writing the
/// tile's rows of each further result.
struct GroupedMatMulEpilogueLowering : ProductPattern<GroupedMatMulEpilogueOp> {
  using ProductPattern::ProductPattern;

  LogicalResult
  matchAndRewrite(GroupedMatMulEpilogueOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    SmallVector<Type> types;
    if (failed(getTypeConverter()->convertTypes(op.getResultTypes(), types)))
      return failure();
    Block &body = op.getEpilogue().front();
    int64_t tileRows = op.getTileRows();
    auto epilogue = [&](OpBuilder &b, Location loc, Value tile,
                        ValueRange products,
                        ValueRange slices) -> SmallVector<Value> {
      if (slices.empty())
        return {};
      SmallVector<Value> inputs(products);
      for (Value input : adaptor.getRowInputs())
        inputs.push_back(
            rowsOf(b, loc, input, Index{b, loc}.mul(tile, tileRows), tileRows));
      SmallVector<AffineMap> maps(inputs.size() + slices.size(),
                                  b.getMultiDimIdentityMap(2));
      SmallVector<utils::IteratorType> iterators(2,
                                                 utils::IteratorType::parallel);
      auto generic = b.create<linalg::GenericOp>(
          loc, TypeRange(slices), inputs, slices, maps, iterators,
          [&](OpBuilder &nb, Location nl, ValueRange args) {
            IRMapping scalars;
            scalars.map(body.getArguments(), args.take_front(inputs.size()));
            for (Operation &inner : body.without_terminator()) {
              SmallVector<Value> operands =
                  llvm::map_to_vector(inner.getOperands(), [&](Value operand) {
                    return scalars.lookup(operand);
                  });
              SplatElementsAttr splat = ConstantOp::splatOf(inner.getResult(0));
              scalars.map(
                  inner.getResult(0),
                  splat ? nb.create<arith::ConstantOp>(
                              nl, splat.getSplatValue<TypedAttr>())
                        : buildElementwiseScalar(&inner, nb, nl, operands));
            }
            nb.create<linalg::YieldOp>(
                nl, llvm::map_to_vector(
                        body.getTerminator()->getOperands(),
                        [&](Value tile) { return scalars.lookup(tile); }));
          });
      return SmallVector<Value>(generic.getResults());
    };
    rewriter.replaceOp(
        op, buildGroupedProducts(rewriter, op.getLoc(), adaptor.getLhs(),
                                 adaptor.getRhs(), op.getTransposeRhs(),
                                 adaptor.getTileGroups(), types, precision,
                                 epilogue));
    return success();
  }
};

struct GroupedWeightGradientLowering : ProductPattern<GroupedWeightGradientOp> {
  using ProductPattern::ProductPattern;

  static constexpr int64_t kChunkRows = 128;

  LogicalResult
  matchAndRewrite(GroupedWeightGradientOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    // [G, N, K] is the same sum with the operands' roles swapped.
    Value lhs = roundedIfBF16(rewriter, loc, adaptor.getLhs(), precision);
    Value rhs = roundedIfBF16(rewriter, loc, adaptor.getRhs(), precision);
    if (op.getTransposeResult())
      std::swap(lhs, rhs);
    Value tileGroups = adaptor.getTileGroups();
    auto resultType = cast<RankedTensorType>(op.getType());
    int64_t tiles = op.getTileGroups().getType().getDimSize(0);
    int64_t tileRows =
        cast<RankedTensorType>(lhs.getType()).getDimSize(0) / tiles;
    // Rows summed by one product where a group has that many: the sum's
    // tile is read and written once per product, so short products would
    // spend their time on it.
    int64_t chunkTiles = std::clamp<int64_t>(kChunkRows / tileRows, 1, tiles);
    rewriter.replaceOp(
        op,
        buildParallelSlices(
            rewriter, loc, resultType, resultType.getDimSize(0),
            [&](OpBuilder &b, Location l, Value result, Value group) {
              return groupOf(b, l, result, group);
            },
            [&](OpBuilder &b, Location l, Value group,
                ValueRange slices) -> SmallVector<Value> {
              Value slice = slices[0];
              Index at{b, l};
              // The group's tiles are consecutive: the first and how many.
              ValueRange span = buildLoop(
                  b, l, at.constant(0), at.constant(tiles),
                  {at.constant(tiles), at.constant(0)},
                  [&](OpBuilder &nb, Location nl, Value tile,
                      ValueRange found) -> SmallVector<Value> {
                    Index in{nb, nl};
                    Value mine = in.compare(arith::CmpIPredicate::eq,
                                            in.load(tileGroups, tile), group);
                    return {
                        nb.create<arith::SelectOp>(
                            nl, mine,
                            nb.create<arith::MinUIOp>(nl, found[0], tile),
                            found[0]),
                        in.add(found[1], nb.create<arith::IndexCastOp>(
                                             nl, nb.getIndexType(),
                                             nb.create<arith::ExtUIOp>(
                                                 nl, nb.getI64Type(), mine)))};
                  });
              Value first = span[0], count = span[1];
              // Sums `rows` rows from tile `tile` into `sum`.
              auto addRows = [&](OpBuilder &nb, Location nl, Value tile,
                                 int64_t rows, Value sum) {
                Value row = Index{nb, nl}.mul(tile, tileRows);
                return buildProduct(nb, nl, rowsOf(nb, nl, lhs, row, rows),
                                    rowsOf(nb, nl, rhs, row, rows), sum,
                                    /*transposeLhs=*/true);
              };
              // Whole chunks of tiles, then the tiles left, in order.
              Value chunks =
                  b.create<arith::DivUIOp>(l, count, at.constant(chunkTiles));
              Value sum = buildLoop(
                  b, l, at.constant(0), chunks, zeroed(b, l, slice),
                  [&](OpBuilder &nb, Location nl, Value chunk,
                      ValueRange sums) -> SmallVector<Value> {
                    Index in{nb, nl};
                    return {addRows(nb, nl,
                                    in.add(first, in.mul(chunk, chunkTiles)),
                                    chunkTiles * tileRows, sums[0])};
                  })[0];
              return {buildLoop(b, l, at.add(first, at.mul(chunks, chunkTiles)),
                                at.add(first, count), sum,
                                [&](OpBuilder &nb, Location nl, Value tile,
                                    ValueRange sums) -> SmallVector<Value> {
                                  return {
                                      addRows(nb, nl, tile, tileRows, sums[0])};
                                })[0]};
            }));
    return success();
  }
};

} // namespace

void quern::detail::populateExpertPatterns(TypeConverter &converter,
                                           RewritePatternSet &patterns,
                                           const MatmulPrecision &precision) {
  patterns.add<MoeDispatchLowering>(converter, patterns.getContext());
  patterns.add<GroupedMatMulLowering, GroupedMatMulEpilogueLowering,
               GroupedWeightGradientLowering>(converter, patterns.getContext(),
                                              precision);
}
