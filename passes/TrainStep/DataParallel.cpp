//===- DataParallel.cpp - gradients and updates across processes ----------===//
//
// This file is part of Quern.
//
//===----------------------------------------------------------------------===//

#include "passes/TrainStep/DataParallel.h"

#include "dialects/quern/QuernOps.h"
#include "runtime/include/quern/Shard.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"

#include <numeric>

using namespace mlir;
using namespace quern;
using rt::shardElements;
using rt::shardOffset;
using rt::shardOverlap;
using rt::shardUnmoved;

namespace {

/// The op of `body` that computes `value` (or the loop that does), null for
/// an argument: where the value is final.
Operation *finishedBy(Block &body, Value value) {
  Operation *op = value.getDefiningOp();
  return op ? body.findAncestorOpInBlock(*op) : nullptr;
}

/// Groups `gradients`, in the order `body` finishes them, into buckets of
/// at most `bucketBytes` (a larger gradient is a bucket of its own).
FailureOr<SmallVector<GradientBucket>>
bucketGradients(Location loc, Block &body, int64_t bucketBytes,
                ArrayRef<Value> gradients) {
  SmallVector<unsigned> order(gradients.size());
  std::iota(order.begin(), order.end(), 0);
  llvm::stable_sort(order, [&](unsigned a, unsigned b) {
    Operation *first = finishedBy(body, gradients[a]),
              *second = finishedBy(body, gradients[b]);
    return second && (!first || first->isBeforeInBlock(second));
  });
  SmallVector<GradientBucket> buckets;
  for (unsigned index : order) {
    auto type = cast<RankedTensorType>(gradients[index].getType());
    if (!type.getElementType().isF32())
      return emitError(loc, "data-parallel: the gradients are averaged in "
                            "f32, but one is ")
             << type;
    int64_t elements = type.getNumElements();
    if (buckets.empty() ||
        (buckets.back().elements + elements) * 4 > bucketBytes)
      buckets.emplace_back();
    buckets.back().members.push_back(index);
    buckets.back().elements += elements;
  }
  return buckets;
}

/// Puts the builder right after the op of `body` that finishes the last of
/// `bucket`'s `values`, and after `previous` (the bucket before: buckets that
/// one op finishes, a micro-batch loop, start in order).
void placeAfterLast(OpBuilder &builder, Block &body,
                    const GradientBucket &bucket, ArrayRef<Value> values,
                    Operation *previous) {
  Operation *last = previous;
  for (unsigned index : bucket.members)
    if (Operation *op = finishedBy(body, values[index]))
      if (!last || last->isBeforeInBlock(op))
        last = op;
  if (last)
    builder.setInsertionPointAfter(last);
  else
    builder.setInsertionPointToStart(&body);
}

RankedTensorType flatType(OpBuilder &builder, int64_t elements) {
  return RankedTensorType::get({elements}, builder.getF32Type());
}

/// `value` as a 1-D tensor.
Value flatten(OpBuilder &builder, Location loc, Value value) {
  auto type = cast<RankedTensorType>(value.getType());
  RankedTensorType flat = flatType(builder, type.getNumElements());
  return type == flat ? value : builder.create<ReshapeOp>(loc, flat, value);
}

/// `flat` (1-D) in the shape of `type`.
Value unflatten(OpBuilder &builder, Location loc, Value flat, Type type) {
  return flat.getType() == type ? flat
                                : builder.create<ReshapeOp>(loc, type, flat);
}

/// Elements [offset, offset + size) of the 1-D `flat` (`flat` itself for
/// all of them).
Value sliceOf(OpBuilder &builder, Location loc, Value flat, OpFoldResult offset,
              int64_t size) {
  if (isConstantIntValue(offset, 0) &&
      cast<RankedTensorType>(flat.getType()).getNumElements() == size)
    return flat;
  return builder.create<tensor::ExtractSliceOp>(
      loc, flatType(builder, size), flat, ArrayRef<OpFoldResult>{offset},
      ArrayRef<OpFoldResult>{builder.getIndexAttr(size)},
      ArrayRef<OpFoldResult>{builder.getIndexAttr(1)});
}

/// `into` (1-D) with `piece` (1-D) at `offset`.
Value insertAt(OpBuilder &builder, Location loc, Value piece, Value into,
               int64_t offset) {
  int64_t size = cast<RankedTensorType>(piece.getType()).getNumElements();
  return builder.create<tensor::InsertSliceOp>(
      loc, piece, into, ArrayRef<OpFoldResult>{builder.getIndexAttr(offset)},
      ArrayRef<OpFoldResult>{builder.getIndexAttr(size)},
      ArrayRef<OpFoldResult>{builder.getIndexAttr(1)});
}

Value emptyFlat(OpBuilder &builder, Location loc, int64_t elements) {
  return builder.create<tensor::EmptyOp>(loc, ArrayRef<int64_t>{elements},
                                         builder.getF32Type());
}

/// A sharded bucket seen as [processes, chunk]: row r is process r's chunk,
/// each member's pieces a block of it at `column`, read in one slice for
/// the pieces that start at r * C.
struct ChunkRows {
  OpBuilder &builder;
  Location loc;
  int64_t processes, chunk;

  RankedTensorType type(int64_t rows, int64_t columns) const {
    return RankedTensorType::get({rows, columns}, builder.getF32Type());
  }
  SmallVector<OpFoldResult> at(int64_t row, int64_t column) const {
    return {builder.getIndexAttr(row), builder.getIndexAttr(column)};
  }
  SmallVector<OpFoldResult> sizes(int64_t rows, int64_t columns) const {
    return {builder.getIndexAttr(rows), builder.getIndexAttr(columns)};
  }
  SmallVector<OpFoldResult> unit() const {
    return {builder.getIndexAttr(1), builder.getIndexAttr(1)};
  }

  /// Rows [row, row + rows) of the pieces at `column`, flat.
  Value extract(Value bucket, int64_t row, int64_t rows, int64_t column,
                int64_t piece) const {
    Value block = builder.create<tensor::ExtractSliceOp>(
        loc, type(rows, piece), bucket, at(row, column), sizes(rows, piece),
        unit());
    return builder.create<ReshapeOp>(loc, flatType(builder, rows * piece),
                                     block);
  }

  /// The tensor of `elements` whose pieces are at `column` of every
  /// process's chunk; where two pieces hold an element, the later one's
  /// value (quern/Shard.h).
  Value gather(Value bucket, int64_t elements, int64_t column) const {
    int64_t piece = shardElements(elements, processes);
    int64_t unmoved = shardUnmoved(elements, processes);
    Value flat = extract(bucket, 0, unmoved, column, piece);
    if (unmoved == processes)
      return flat;
    flat = insertAt(builder, loc, flat, emptyFlat(builder, loc, elements), 0);
    return insertAt(builder, loc,
                    extract(bucket, processes - 1, 1, column, piece), flat,
                    elements - piece);
  }
};

CollectiveStartOp startCollective(OpBuilder &builder, Location loc,
                                  ValueRange values, int64_t elements,
                                  int64_t bucket, CollectiveKind kind,
                                  std::optional<int64_t> processes) {
  IntegerAttr count =
      processes ? builder.getI64IntegerAttr(*processes) : IntegerAttr();
  return builder.create<CollectiveStartOp>(
      loc, flatType(builder, elements), values,
      builder.getI64IntegerAttr(bucket),
      CollectiveKindAttr::get(builder.getContext(), kind), count);
}

/// The wait for `start`: its bucket, kind and processes.
Value waitCollective(OpBuilder &builder, Location loc,
                     CollectiveStartOp start) {
  return builder.create<CollectiveWaitOp>(
      loc, start.getPending(), start.getBucketAttr(), start.getKindAttr(),
      start.getProcessesAttr());
}

} // namespace

LogicalResult quern::averageOverProcesses(OpBuilder &builder, Location loc,
                                          Block &body, int64_t bucketBytes,
                                          MutableArrayRef<Value> gradients) {
  FailureOr<SmallVector<GradientBucket>> buckets =
      bucketGradients(loc, body, bucketBytes, gradients);
  if (failed(buckets))
    return failure();
  OpBuilder::InsertPoint afterBackward = builder.saveInsertionPoint();
  SmallVector<CollectiveStartOp> started;
  Operation *previous = nullptr;
  for (auto [number, bucket] : llvm::enumerate(*buckets)) {
    placeAfterLast(builder, body, bucket, gradients, previous);
    SmallVector<Value> packed;
    for (unsigned index : bucket.members)
      packed.push_back(flatten(builder, loc, gradients[index]));
    started.push_back(startCollective(builder, loc, packed, bucket.elements,
                                      number, CollectiveKind::all_reduce,
                                      std::nullopt));
    previous = started.back();
  }

  builder.restoreInsertionPoint(afterBackward);
  for (auto [bucket, start] : llvm::zip_equal(*buckets, started)) {
    Value mean = waitCollective(builder, loc, start);
    int64_t offset = 0;
    for (unsigned index : bucket.members) {
      Type type = gradients[index].getType();
      int64_t size = cast<RankedTensorType>(type).getNumElements();
      gradients[index] = unflatten(
          builder, loc,
          sliceOf(builder, loc, mean, builder.getIndexAttr(offset), size),
          type);
      offset += size;
    }
  }
  return success();
}

LogicalResult
ShardedUpdate::scatterGradients(OpBuilder &builder, Location loc, Block &body,
                                int64_t bucketBytes,
                                MutableArrayRef<Value> gradients) {
  FailureOr<SmallVector<GradientBucket>> grouped =
      bucketGradients(loc, body, bucketBytes, gradients);
  if (failed(grouped))
    return failure();
  buckets = std::move(*grouped);
  {
    // The rank, once, where every use can see it.
    OpBuilder::InsertionGuard guard(builder);
    builder.setInsertionPointToStart(&body);
    processRank = builder.create<ProcessRankOp>(loc, builder.getIndexType());
  }
  elements.assign(gradients.size(), 0);
  chunkOffset.assign(gradients.size(), 0);
  OpBuilder::InsertPoint afterBackward = builder.saveInsertionPoint();
  SmallVector<CollectiveStartOp> started;
  Operation *previous = nullptr;
  for (const GradientBucket &bucket : buckets) {
    int64_t chunk = 0;
    for (unsigned index : bucket.members) {
      elements[index] =
          cast<RankedTensorType>(gradients[index].getType()).getNumElements();
      chunkOffset[index] = chunk;
      chunk += shardElements(elements[index], processes);
    }
    placeAfterLast(builder, body, bucket, gradients, previous);
    // Chunk r holds the pieces process r updates.
    SmallVector<Value> flats, packed;
    for (unsigned index : bucket.members)
      flats.push_back(flatten(builder, loc, gradients[index]));
    for (int64_t r = 0; r < processes; ++r)
      for (auto [index, flat] : llvm::zip_equal(bucket.members, flats))
        packed.push_back(sliceOf(
            builder, loc, flat,
            builder.getIndexAttr(shardOffset(elements[index], processes, r)),
            shardElements(elements[index], processes)));
    started.push_back(
        startCollective(builder, loc, packed, processes * chunk, takeBucket(),
                        CollectiveKind::reduce_scatter, processes));
    previous = started.back();
  }

  builder.restoreInsertionPoint(afterBackward);
  for (auto [bucket, start] : llvm::zip_equal(buckets, started)) {
    Value mine = waitCollective(builder, loc, start);
    for (unsigned index : bucket.members)
      gradients[index] =
          sliceOf(builder, loc, mine, builder.getIndexAttr(chunkOffset[index]),
                  shardElements(elements[index], processes));
  }
  return success();
}

Value ShardedUpdate::globalSumOfSquares(OpBuilder &builder, Location loc,
                                        Value localSum,
                                        ArrayRef<Value> pieces) {
  Value total = localSum;
  auto scalarF32 = RankedTensorType::get({}, builder.getF32Type());
  for (auto [index, piece] : llvm::enumerate(pieces)) {
    // The elements an earlier process owns are at the start of the piece,
    // up to N - 1 of them on the last processes: weights 1 for those, by
    // rank, subtract their squares again.
    int64_t shared = shardOverlap(elements[index], processes, processes - 1);
    if (shared == 0)
      continue;
    SmallVector<float> weights;
    for (int64_t r = 0; r < processes; ++r)
      for (int64_t k = 0; k < shared; ++k)
        weights.push_back(k < shardOverlap(elements[index], processes, r));
    auto tableType =
        RankedTensorType::get({processes, shared}, builder.getF32Type());
    Value table = builder.create<ConstantOp>(
        loc, DenseElementsAttr::get(tableType, ArrayRef<float>(weights)));
    Value row = builder.create<tensor::ExtractSliceOp>(
        loc, flatType(builder, shared), table,
        ArrayRef<OpFoldResult>{processRank, builder.getIndexAttr(0)},
        ArrayRef<OpFoldResult>{builder.getIndexAttr(1),
                               builder.getIndexAttr(shared)},
        ArrayRef<OpFoldResult>{builder.getIndexAttr(1),
                               builder.getIndexAttr(1)});
    Value head = sliceOf(builder, loc, piece, builder.getIndexAttr(0), shared);
    Value counted =
        builder.create<MulOp>(loc, builder.create<MulOp>(loc, head, head), row);
    total = builder.create<SubOp>(
        loc, total,
        builder.create<ReduceSumOp>(loc, scalarF32, counted,
                                    ArrayRef<int64_t>{0}, false));
  }
  // The mean over the processes, times their number.
  Value one = builder.create<ReshapeOp>(loc, flatType(builder, 1), total);
  CollectiveStartOp started =
      startCollective(builder, loc, one, 1, takeBucket(),
                      CollectiveKind::all_reduce, std::nullopt);
  Value mean = builder.create<ReshapeOp>(loc, scalarF32,
                                         waitCollective(builder, loc, started));
  return builder.create<MulOp>(
      loc, mean, builder.create<ConstantOp>(loc, scalarF32, double(processes)));
}

Value ShardedUpdate::pieceOf(OpBuilder &builder, Location loc, Value param) {
  int64_t size = cast<RankedTensorType>(param.getType()).getNumElements();
  int64_t piece = shardElements(size, processes);
  // min(rank * piece, size - piece), as shardOffset.
  auto index = [&](int64_t value) {
    return builder.create<arith::ConstantIndexOp>(loc, value);
  };
  Value offset = builder.create<arith::MinSIOp>(
      loc, builder.create<arith::MulIOp>(loc, processRank, index(piece)),
      index(size - piece));
  return sliceOf(builder, loc, flatten(builder, loc, param), offset, piece);
}

SmallVector<Value> ShardedUpdate::gatherParameters(OpBuilder &builder,
                                                   Location loc,
                                                   ArrayRef<Value> params,
                                                   ArrayRef<Value> updated) {
  Block &body = *builder.getInsertionBlock();
  OpBuilder::InsertPoint afterUpdates = builder.saveInsertionPoint();
  SmallVector<CollectiveStartOp> started;
  SmallVector<int64_t> chunks;
  Operation *previous = nullptr;
  // Each bucket starts as soon as its pieces are updated.
  for (const GradientBucket &bucket : buckets) {
    int64_t chunk = 0;
    for (unsigned index : bucket.members)
      chunk += shardElements(elements[index], processes);
    chunks.push_back(chunk);
    placeAfterLast(builder, body, bucket, updated, previous);
    // This process's chunk first; the communicator fills in the others.
    SmallVector<Value> packed;
    for (unsigned index : bucket.members)
      packed.push_back(updated[index]);
    started.push_back(startCollective(builder, loc, packed, processes * chunk,
                                      takeBucket(), CollectiveKind::all_gather,
                                      processes));
    previous = started.back();
  }

  builder.restoreInsertionPoint(afterUpdates);
  SmallVector<Value> whole(params.size());
  for (auto [bucket, start, chunk] :
       llvm::zip_equal(buckets, started, chunks)) {
    ChunkRows rows{builder, loc, processes, chunk};
    Value gathered = builder.create<ReshapeOp>(
        loc, rows.type(processes, chunk), waitCollective(builder, loc, start));
    for (unsigned index : bucket.members)
      whole[index] =
          unflatten(builder, loc,
                    rows.gather(gathered, elements[index], chunkOffset[index]),
                    params[index].getType());
  }
  return whole;
}
