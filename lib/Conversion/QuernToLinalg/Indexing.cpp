//===- Indexing.cpp - gathers, scatters, top-k, trilu, dropout --*- C++ -*-===//
//
// Gathers are generics over the result that read the data with
// tensor.extract at computed positions. Scatters are loop nests over the
// updates that insert into a copy of the data (bufferized in place). Top-k
// needs no sorting loop: each element's rank in its line is a reduction
// generic, and a second generic picks the element of each rank below k.
// Every index read from a tensor goes through scalar::wrapIndex, so no input
// makes the code touch memory outside its buffers.
//
//===----------------------------------------------------------------------===//

#include "Patterns.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Utils/Utils.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace quern;
using namespace quern::detail;

namespace {

RankedTensorType convertedType(const TypeConverter *converter, Type type) {
  return cast<RankedTensorType>(converter->convertType(type));
}

struct GatherLowering : OpConversionPattern<GatherOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(GatherOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Value data = adaptor.getData();
    auto dataType = cast<RankedTensorType>(data.getType());
    auto indicesType = cast<RankedTensorType>(adaptor.getIndices().getType());
    RankedTensorType resultType =
        convertedType(getTypeConverter(), op.getType());
    int64_t axis = op.getAxis(), indexRank = indicesType.getRank();
    int64_t size = dataType.getDimSize(axis);
    // The indices are read at the result dimensions [axis, axis + q).
    SmallVector<AffineExpr> indexExprs;
    for (int64_t dim = 0; dim < indexRank; ++dim)
      indexExprs.push_back(rewriter.getAffineDimExpr(axis + dim));
    auto indexMap =
        AffineMap::get(resultType.getRank(), 0, indexExprs, op.getContext());
    rewriter.replaceOp(
        op, buildParallelGeneric(
                rewriter, op.getLoc(), resultType, adaptor.getIndices(),
                indexMap, [&](OpBuilder &b, Location loc, ValueRange args) {
                  SmallVector<Value> position;
                  for (int64_t dim = 0; dim < axis; ++dim)
                    position.push_back(b.create<linalg::IndexOp>(loc, dim));
                  position.push_back(scalar::wrapIndex(b, loc, args[0], size));
                  for (int64_t dim = axis + indexRank;
                       dim < resultType.getRank(); ++dim)
                    position.push_back(b.create<linalg::IndexOp>(loc, dim));
                  return b.create<tensor::ExtractOp>(loc, data, position)
                      .getResult();
                }));
    return success();
  }
};

struct GatherElementsLowering : OpConversionPattern<GatherElementsOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(GatherElementsOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Value data = adaptor.getData();
    int64_t axis = op.getAxis();
    int64_t size = cast<RankedTensorType>(data.getType()).getDimSize(axis);
    RankedTensorType resultType =
        convertedType(getTypeConverter(), op.getType());
    rewriter.replaceOp(
        op, buildParallelGeneric(
                rewriter, op.getLoc(), resultType, adaptor.getIndices(),
                rewriter.getMultiDimIdentityMap(resultType.getRank()),
                [&](OpBuilder &b, Location loc, ValueRange args) {
                  SmallVector<Value> position;
                  for (int64_t dim = 0; dim < resultType.getRank(); ++dim)
                    position.push_back(
                        dim == axis
                            ? scalar::wrapIndex(b, loc, args[0], size)
                            : b.create<linalg::IndexOp>(loc, dim).getResult());
                  return b.create<tensor::ExtractOp>(loc, data, position)
                      .getResult();
                }));
    return success();
  }
};

/// Writes (or combines) `update` into `target` at `position`.
Value scatterOne(OpBuilder &b, Location loc, ScatterReduction reduction,
                 Type elementType, Value target, ValueRange position,
                 Value update) {
  if (reduction != ScatterReduction::none) {
    scalar::Combiner combiner =
        reduction == ScatterReduction::add   ? scalar::Combiner::Sum
        : reduction == ScatterReduction::mul ? scalar::Combiner::Product
        : reduction == ScatterReduction::max ? scalar::Combiner::Max
                                             : scalar::Combiner::Min;
    Value old = b.create<tensor::ExtractOp>(loc, target, position);
    update = scalar::combine(b, loc, combiner, elementType, old, update);
  }
  return b.create<tensor::InsertOp>(loc, update, target, position);
}

/// A loop nest over `shape` (row-major order, so later updates win) that
/// threads `init` through `body`. An init that is a splat constant (the
/// zeros an embedding's gradient is scattered into) is filled instead:
/// a constant would be a global in the library as large as the tensor
/// (an embedding's gradient), copied into the result on every call. The filled
/// tensor is a new allocation, not a tensor.empty that CSE would make one
/// with an earlier equal fill (a tied output projection's gradient), kept
/// alive from there.
Value buildScatterLoops(
    OpBuilder &b, Location loc, ArrayRef<int64_t> shape, Value init,
    function_ref<Value(OpBuilder &, Location, ValueRange, Value)> body) {
  SplatElementsAttr splat;
  if (matchPattern(init, m_Constant(&splat))) {
    Value allocated = b.create<bufferization::AllocTensorOp>(
        loc, cast<RankedTensorType>(init.getType()), ValueRange());
    Value value =
        b.create<arith::ConstantOp>(loc, splat.getSplatValue<TypedAttr>());
    init = b.create<linalg::FillOp>(loc, value, allocated).getResult(0);
  }
  SmallVector<Value> lower, upper, steps;
  for (int64_t size : shape) {
    lower.push_back(b.create<arith::ConstantIndexOp>(loc, 0));
    upper.push_back(b.create<arith::ConstantIndexOp>(loc, size));
    steps.push_back(b.create<arith::ConstantIndexOp>(loc, 1));
  }
  scf::LoopNest nest = scf::buildLoopNest(
      b, loc, lower, upper, steps, init,
      [&](OpBuilder &nb, Location l, ValueRange ivs, ValueRange args) {
        return scf::ValueVector{body(nb, l, ivs, args[0])};
      });
  return nest.results.front();
}

struct ScatterElementsLowering : OpConversionPattern<ScatterElementsOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(ScatterElementsOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Value indices = adaptor.getIndices(), updates = adaptor.getUpdates();
    int64_t axis = op.getAxis();
    int64_t size =
        cast<RankedTensorType>(adaptor.getData().getType()).getDimSize(axis);
    Type elementType = op.getType().getElementType();
    ScatterReduction reduction = op.getReduction();
    rewriter.replaceOp(
        op, buildScatterLoops(
                rewriter, op.getLoc(),
                cast<RankedTensorType>(updates.getType()).getShape(),
                adaptor.getData(),
                [&](OpBuilder &b, Location loc, ValueRange ivs, Value target) {
                  Value index = b.create<tensor::ExtractOp>(loc, indices, ivs);
                  SmallVector<Value> position(ivs);
                  position[axis] = scalar::wrapIndex(b, loc, index, size);
                  Value update = b.create<tensor::ExtractOp>(loc, updates, ivs);
                  return scatterOne(b, loc, reduction, elementType, target,
                                    position, update);
                }));
    return success();
  }
};

struct ScatterNDLowering : OpConversionPattern<ScatterNDOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(ScatterNDOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Value indices = adaptor.getIndices(), updates = adaptor.getUpdates();
    auto dataType = cast<RankedTensorType>(adaptor.getData().getType());
    auto indicesType = cast<RankedTensorType>(indices.getType());
    int64_t batchRank = indicesType.getRank() - 1;
    int64_t depth = indicesType.getShape().back();
    Type elementType = op.getType().getElementType();
    ScatterReduction reduction = op.getReduction();
    rewriter.replaceOp(
        op,
        buildScatterLoops(
            rewriter, op.getLoc(),
            cast<RankedTensorType>(updates.getType()).getShape(),
            adaptor.getData(),
            [&](OpBuilder &b, Location loc, ValueRange ivs, Value target) {
              SmallVector<Value> position;
              SmallVector<Value> tuple(ivs.take_front(batchRank));
              tuple.push_back(Value());
              for (int64_t k = 0; k < depth; ++k) {
                tuple.back() = b.create<arith::ConstantIndexOp>(loc, k);
                Value index = b.create<tensor::ExtractOp>(loc, indices, tuple);
                position.push_back(
                    scalar::wrapIndex(b, loc, index, dataType.getDimSize(k)));
              }
              llvm::append_range(position, ivs.drop_front(batchRank));
              Value update = b.create<tensor::ExtractOp>(loc, updates, ivs);
              return scatterOne(b, loc, reduction, elementType, target,
                                position, update);
            }));
    return success();
  }
};

struct TopKLowering : OpConversionPattern<TopKOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(TopKOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *context = op.getContext();
    Value input = adaptor.getInput();
    auto inputType = cast<RankedTensorType>(input.getType());
    Type elementType = op.getInput().getType().getElementType();
    int64_t rank = inputType.getRank(), axis = op.getAxis();
    bool smallest = op.getSmallest();
    Type i64 = rewriter.getI64Type();

    // rank[p] = how many elements of p's line come before it in the order:
    // better value, or equal value at a lower position. Loops: the input's
    // dimensions plus one reduction dimension `j` running along the line.
    auto lineMap = [&](int64_t axisDim) {
      SmallVector<AffineExpr> exprs;
      for (int64_t dim = 0; dim < rank; ++dim)
        exprs.push_back(getAffineDimExpr(dim == axis ? axisDim : dim, context));
      return AffineMap::get(rank + 1, 0, exprs, context);
    };
    auto ranksType = RankedTensorType::get(inputType.getShape(), i64);
    Value zero64 = scalar::constant(rewriter, loc, i64, 0);
    Value ranksInit = buildFilled(rewriter, loc, ranksType, zero64);
    SmallVector<utils::IteratorType> rankIterators(
        rank, utils::IteratorType::parallel);
    rankIterators.push_back(utils::IteratorType::reduction);
    auto ranks = rewriter.create<linalg::GenericOp>(
        loc, ranksType, ValueRange{input, input}, ranksInit,
        SmallVector<AffineMap>{lineMap(axis), lineMap(rank), lineMap(axis)},
        rankIterators, [&](OpBuilder &b, Location l, ValueRange args) {
          Value self = args[0], other = args[1];
          Value selfPosition = b.create<linalg::IndexOp>(l, axis);
          Value otherPosition = b.create<linalg::IndexOp>(l, rank);
          Value better, equal;
          if (isa<FloatType>(elementType)) {
            // The order must be total, or two elements share a rank and a
            // slot of the result is never written. NaN counts as larger
            // than every number (numpy's sort, PyTorch's topk) and equal
            // to NaN.
            auto isNaN = [&](Value value) {
              return b.create<arith::CmpFOp>(l, arith::CmpFPredicate::UNO,
                                             value, value);
            };
            Value otherNaN = isNaN(other), selfNaN = isNaN(self);
            Value truth = b.create<arith::ConstantOp>(l, b.getBoolAttr(true));
            // ugt/ult also hold when either side is NaN; the side that must
            // not be NaN is excluded.
            better = b.create<arith::AndIOp>(
                l,
                b.create<arith::CmpFOp>(l,
                                        smallest ? arith::CmpFPredicate::ULT
                                                 : arith::CmpFPredicate::UGT,
                                        other, self),
                b.create<arith::XOrIOp>(l, smallest ? otherNaN : selfNaN,
                                        truth));
            equal = b.create<arith::OrIOp>(
                l,
                b.create<arith::CmpFOp>(l, arith::CmpFPredicate::OEQ, other,
                                        self),
                b.create<arith::AndIOp>(l, otherNaN, selfNaN));
          } else {
            better = scalar::compare(b, l, elementType,
                                     smallest ? ComparePredicate::lt
                                              : ComparePredicate::gt,
                                     other, self);
            equal = scalar::compare(b, l, elementType, ComparePredicate::eq,
                                    other, self);
          }
          Value tie = b.create<arith::AndIOp>(
              l, equal,
              b.create<arith::CmpIOp>(l, arith::CmpIPredicate::ult,
                                      otherPosition, selfPosition));
          Value before = b.create<arith::OrIOp>(l, better, tie);
          Value one = b.create<arith::ExtUIOp>(l, i64, before);
          b.create<linalg::YieldOp>(
              l, b.create<arith::AddIOp>(l, args[2], one).getResult());
        });

    // values/indices[.., r, ..] = the element (and position) of rank r.
    auto valuesType =
        convertedType(getTypeConverter(), op.getValues().getType());
    auto indicesType = RankedTensorType::get(valuesType.getShape(), i64);
    Value valuesInit =
        buildFilled(rewriter, loc, valuesType,
                    scalar::constant(rewriter, loc, elementType, 0));
    Value indicesInit = buildFilled(rewriter, loc, indicesType, zero64);
    auto picked = rewriter.create<linalg::GenericOp>(
        loc, TypeRange{valuesType, indicesType},
        ValueRange{input, ranks.getResult(0)},
        ValueRange{valuesInit, indicesInit},
        SmallVector<AffineMap>{lineMap(rank), lineMap(rank), lineMap(axis),
                               lineMap(axis)},
        rankIterators, [&](OpBuilder &b, Location l, ValueRange args) {
          Value wanted =
              scalar::fromIndex(b, l, i64, b.create<linalg::IndexOp>(l, axis));
          Value position =
              scalar::fromIndex(b, l, i64, b.create<linalg::IndexOp>(l, rank));
          Value match = b.create<arith::CmpIOp>(l, arith::CmpIPredicate::eq,
                                                args[1], wanted);
          b.create<linalg::YieldOp>(
              l, ValueRange{
                     b.create<arith::SelectOp>(l, match, args[0], args[2]),
                     b.create<arith::SelectOp>(l, match, position, args[3])});
        });
    rewriter.replaceOp(op, picked.getResults());
    return success();
  }
};

struct TriluLowering : OpConversionPattern<TriluOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(TriluOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    RankedTensorType type = convertedType(getTypeConverter(), op.getType());
    Type elementType = op.getType().getElementType();
    int64_t rank = type.getRank(), k = op.getK();
    bool upper = op.getUpper();
    rewriter.replaceOp(
        op,
        buildParallelGeneric(
            rewriter, op.getLoc(), type, adaptor.getInput(),
            rewriter.getMultiDimIdentityMap(rank),
            [&](OpBuilder &b, Location loc, ValueRange args) {
              Type i64 = b.getI64Type();
              Value row = scalar::fromIndex(
                  b, loc, i64, b.create<linalg::IndexOp>(loc, rank - 2));
              Value column = scalar::fromIndex(
                  b, loc, i64, b.create<linalg::IndexOp>(loc, rank - 1));
              // Kept: column - row >= k (upper) or <= k (lower).
              Value offset = b.create<arith::SubIOp>(loc, column, row);
              Value keep = b.create<arith::CmpIOp>(
                  loc,
                  upper ? arith::CmpIPredicate::sge : arith::CmpIPredicate::sle,
                  offset, scalar::constant(b, loc, i64, k));
              return b
                  .create<arith::SelectOp>(
                      loc, keep, args[0],
                      scalar::constant(b, loc, elementType, 0))
                  .getResult();
            }));
    return success();
  }
};

/// A counter-based hash (the murmur3 finalizer) of the seed and the
/// element's position decides each element, so the mask is reproducible and
/// independent of how the loops are later tiled or threaded.
struct DropoutLowering : OpConversionPattern<DropoutOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(DropoutOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType type =
        convertedType(getTypeConverter(), op.getResult().getType());
    auto maskType = convertedType(getTypeConverter(), op.getMask().getType());
    Type elementType = type.getElementType();
    double ratio = op.getRatio().convertToDouble();
    // Keep an element when its 24-bit hash is at least ratio * 2^24.
    auto threshold = static_cast<int64_t>(ratio * (1 << 24));
    uint64_t seed = static_cast<uint64_t>(op.getSeed());
    int64_t rank = type.getRank();
    AffineMap identity = rewriter.getMultiDimIdentityMap(rank);
    Value empty =
        rewriter.create<tensor::EmptyOp>(loc, type.getShape(), elementType);
    Value emptyMask = rewriter.create<tensor::EmptyOp>(loc, type.getShape(),
                                                       rewriter.getI1Type());
    SmallVector<Value> inputs = {adaptor.getInput()};
    SmallVector<AffineMap> maps = {identity};
    if (Value step = adaptor.getStep()) {
      inputs.push_back(step);
      maps.push_back(AffineMap::get(rank, 0, {}, op.getContext()));
    }
    maps.append({identity, identity});
    auto generic = rewriter.create<linalg::GenericOp>(
        loc, TypeRange{type, maskType}, inputs, ValueRange{empty, emptyMask},
        maps,
        SmallVector<utils::IteratorType>(rank, utils::IteratorType::parallel),
        [&](OpBuilder &b, Location l, ValueRange args) {
          Type i64 = b.getI64Type();
          auto c = [&](uint64_t value) {
            return b.create<arith::ConstantOp>(
                l, b.getIntegerAttr(i64, static_cast<int64_t>(value)));
          };
          Value h = scalar::fromIndex(b, l, i64,
                                      buildLinearIndex(b, l, type.getShape()));
          h = b.create<arith::XOrIOp>(l, h, c(seed * 0x9E3779B97F4A7C15ull));
          if (inputs.size() > 1)
            h = b.create<arith::AddIOp>(
                l, h,
                b.create<arith::MulIOp>(l, args[1], c(0xD1B54A32D192ED03ull)));
          for (auto [shift, factor] :
               {std::pair<int, uint64_t>{33, 0xFF51AFD7ED558CCDull},
                {33, 0xC4CEB9FE1A85EC53ull}}) {
            h = b.create<arith::XOrIOp>(
                l, h, b.create<arith::ShRUIOp>(l, h, c(shift)));
            h = b.create<arith::MulIOp>(l, h, c(factor));
          }
          h = b.create<arith::XOrIOp>(l, h,
                                      b.create<arith::ShRUIOp>(l, h, c(33)));
          Value bits = b.create<arith::ShRUIOp>(l, h, c(40));
          Value keep = b.create<arith::CmpIOp>(l, arith::CmpIPredicate::uge,
                                               bits, c(threshold));
          Value scale =
              scalar::constant(b, l, elementType, 1.0 / (1.0 - ratio));
          Value scaled = b.create<arith::MulFOp>(l, args[0], scale);
          Value result = b.create<arith::SelectOp>(
              l, keep, scaled, scalar::constant(b, l, elementType, 0.0));
          b.create<linalg::YieldOp>(l, ValueRange{result, keep});
        });
    rewriter.replaceOp(op, generic.getResults());
    return success();
  }
};

} // namespace

void quern::detail::populateIndexingPatterns(TypeConverter &converter,
                                             RewritePatternSet &patterns) {
  patterns.add<DropoutLowering, GatherElementsLowering, GatherLowering,
               ScatterElementsLowering, ScatterNDLowering, TopKLowering,
               TriluLowering>(converter, patterns.getContext());
}
