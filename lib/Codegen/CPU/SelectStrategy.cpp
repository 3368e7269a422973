//===- SelectStrategy.cpp - tile sizes from the target ----------*- C++ -*-===//
//
// Decides, for every linalg op on buffers, how it is tiled and vectorized,
// from its shape and the CPU's description (vector width, register count,
// cache sizes). The decision is an attribute; quern-tile-and-pack,
// quern-vectorize and quern-lower-vectors carry it out.
//
//===----------------------------------------------------------------------===//

#include "Strategy.h"
#include "VectorizeLanes.h"

#include "quern/Codegen/CPU/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Utils/IndexingUtils.h"
#include "llvm/Support/MathExtras.h"

namespace quern {
#define GEN_PASS_DEF_SELECTSTRATEGYPASS
#include "quern/Codegen/CPU/Passes.h.inc"
} // namespace quern

using namespace mlir;
using namespace quern;

namespace {

/// Work is counted in multiply-adds. An element of an elementwise op or a
/// reduction (read, computed, written a vector at a time) costs about as
/// much as this many multiply-adds of a register-tiled product (two vector
/// FMAs a cycle).
constexpr int64_t kMultiplyAddsPerElement = 8;

/// The longest row (in vectors) that a reduction reads in one register tile.
constexpr int64_t kMaxRowVectors = 16;

/// The largest power of two not above `value` (at least 1).
int64_t floorPowerOf2(int64_t value) {
  return value < 1 ? 1 : int64_t(1) << llvm::Log2_64(uint64_t(value));
}

/// The iterations of loops of extents `ranges`. (mlir::computeProduct
/// multiplies in an int and wraps above 2^31: a product's piece of 2^34
/// multiply-adds would seem to have none.)
int64_t iterations(ArrayRef<int64_t> ranges) {
  int64_t product = 1;
  for (int64_t range : ranges)
    product *= range;
  return product;
}

/// A tile of at most `size` for a loop of `extent`: the extent itself when
/// smaller.
int64_t clampTile(int64_t size, int64_t extent) {
  return std::max<int64_t>(1, std::min(size, extent));
}

/// A tile for a loop of `extent`, preferably `size` (a multiple of
/// `granule`): the largest multiple of `granule` between size/2 and size
/// that divides the extent, which spares the loop a remainder; else `size`
/// (clamped).
int64_t dividingTile(int64_t size, int64_t extent, int64_t granule) {
  size = clampTile(size, extent);
  for (int64_t tile = size; tile * 2 >= size && tile >= granule;
       tile -= granule)
    if (extent % tile == 0)
      return tile;
  return size;
}

/// A product's left operand of at least this many L2s, read again for at
/// least this many columns of cache tiles, is read with m's tiles outermost.
constexpr int64_t kRowsOuterL2s = 16;
constexpr int64_t kMinRereadsForRowsOuter = 16;

/// The input of product `op` indexed by its m loop: the left operand.
OpOperand *leftOperand(linalg::LinalgOp op, unsigned m) {
  for (OpOperand *input : op.getDpsInputOperands())
    if (op.getMatchingIndexingMap(input).isFunctionOfDim(m))
      return input;
  return nullptr;
}

/// The bytes of `operand` (0 if its shape is not static).
int64_t bytesOf(OpOperand &operand) {
  auto type = dyn_cast<MemRefType>(operand.get().getType());
  if (!type || !type.hasStaticShape())
    return 0;
  return type.getNumElements() *
         llvm::divideCeil(type.getElementTypeBitWidth(), 8);
}

/// How many times the cache tiles of `op` read its input `operand` whole:
/// once per tile of the loops it does not depend on, other than k.
int64_t rereads(linalg::LinalgOp op, OpOperand &operand, unsigned k,
                ArrayRef<int64_t> cacheTiles, ArrayRef<int64_t> ranges) {
  AffineMap map = op.getMatchingIndexingMap(&operand);
  int64_t count = 1;
  for (auto [dim, range] : llvm::enumerate(ranges))
    if (dim != k && !map.isFunctionOfDim(dim))
      count *= llvm::divideCeil(range, cacheTiles[dim]);
  return count;
}

struct SelectStrategyPass
    : quern::impl::SelectStrategyPassBase<SelectStrategyPass> {
  using SelectStrategyPassBase::SelectStrategyPassBase;

  void runOnOperation() override {
    getOperation().walk([&](linalg::LinalgOp op) {
      if (!op.hasPureBufferSemantics() ||
          op->getParentOfType<linalg::LinalgOp>())
        return;
      SmallVector<int64_t> ranges = op.getStaticLoopRanges();
      if (llvm::any_of(ranges, ShapedType::isDynamic) || ranges.empty())
        return;
      std::optional<Strategy> strategy = select(op, ranges);
      if (!strategy)
        return;
      // What the vectorizer does not accept stays scalar code: an
      // elementwise op is still shared out over threads. One computed
      // from position (a weight decoded into panels) runs its last loops
      // in vector lanes (VectorizeLanes.h), its register tiles.
      if (failed(linalg::vectorizeOpPrecondition(op))) {
        if (strategy->kind != Strategy::Elementwise || !strategy->parallel)
          return;
        strategy->kind = Strategy::Scalar;
        strategy->registerTiles =
            laneTiles(op, lanes(Float32Type::get(op.getContext())));
        if (strategy->registerTiles.empty())
          strategy->registerTiles.assign(ranges.size(), 1);
        strategy->parallelTile = 1;
      }
      strategy->attach(op);
    });
  }

private:
  /// Whether `op` may run on threads of its own: threading is on and no
  /// loop around it runs on threads already (a grouped product's tiles).
  bool mayThread(linalg::LinalgOp op) const {
    return minParallelWork > 0 && !op->getParentOfType<scf::ForallOp>() &&
           !op->getParentOfType<scf::ParallelOp>();
  }

  int64_t lanes(Type element) const {
    unsigned bits = element.getIntOrFloatBitWidth();
    return std::max<int64_t>(1, vectorBits / std::max(8u, bits));
  }

  /// Threads share an op's cache tiles: halves the tiles of `dims` (n
  /// first), keeping them multiples of the register tile, until there are at
  /// least kMinParallelTiles of them.
  static void splitForThreads(Strategy &strategy, ArrayRef<int64_t> ranges,
                              ArrayRef<unsigned> dims) {
    constexpr int64_t kMinParallelTiles = 8;
    auto tiles = [&] {
      int64_t count = 1;
      for (auto [dim, range] : llvm::enumerate(ranges))
        if (dim != static_cast<size_t>(strategy.dims[2]))
          count *= llvm::divideCeil(range, strategy.cacheTiles[dim]);
      return count;
    };
    bool changed = true;
    while (tiles() < kMinParallelTiles && changed) {
      changed = false;
      for (unsigned dim : dims) {
        int64_t half = strategy.cacheTiles[dim] / 2;
        if (half >= strategy.registerTiles[dim] &&
            half % strategy.registerTiles[dim] == 0) {
          strategy.cacheTiles[dim] = half;
          changed = true;
          break;
        }
      }
    }
  }

  std::optional<Strategy> select(linalg::LinalgOp op,
                                 ArrayRef<int64_t> ranges) const {
    Type element = getElementTypeOrSelf(op.getDpsInits()[0].getType());
    if (!element.isIntOrFloat())
      return std::nullopt;
    // Booleans are a byte each in memory, but a vector of i1 is stored as
    // packed bits: ops that load or store them stay scalar. Vectors as wide
    // as the widest element the op touches fill a register: an op rounding
    // f32 to bf16 reads 16 f32 lanes on AVX-512, not 32.
    Type widest = element;
    for (OpOperand &operand : op->getOpOperands()) {
      Type type = getElementTypeOrSelf(operand.get().getType());
      if (type.isInteger(1))
        return std::nullopt;
      if (type.isIntOrFloat() &&
          type.getIntOrFloatBitWidth() > widest.getIntOrFloatBitWidth())
        widest = type;
    }
    int64_t vector = lanes(widest);
    int64_t work = iterations(ranges);

    // A sum of products over one m and one n loop is a matrix product;
    // other sums of products (a row's dot product, a column sum of
    // products) are reductions like any other. With more n loops, n is the
    // result's innermost loop, and the others, before m (the panels of a
    // packed operand), are outer loops like batch dimensions.
    FailureOr<linalg::ContractionDimensions> dims =
        linalg::isaContractionOpInterface(op)
            ? linalg::inferContractionDims(op)
            : FailureOr<linalg::ContractionDimensions>(failure());
    std::optional<unsigned> productN;
    if (succeeded(dims) && dims->m.size() == 1 && dims->n.size() == 1)
      productN = dims->n[0];
    if (succeeded(dims) && dims->m.size() == 1 && dims->n.size() > 1) {
      AffineMap result = op.getMatchingIndexingMap(op.getDpsInitOperand(0));
      auto inner = dyn_cast<AffineDimExpr>(result.getResults().back());
      if (inner && llvm::is_contained(dims->n, inner.getPosition()) &&
          llvm::all_of(dims->n, [&](unsigned n) {
            return n == inner.getPosition() || n < dims->m[0];
          }))
        productN = inner.getPosition();
    }
    bool matrixProduct = productN.has_value();
    // bf16 operands summed in pairs along k (k = 2p + t, t innermost): p is
    // the k loop, and each tile takes the whole pair.
    bool pairs = matrixProduct && dims->k.size() == 2 &&
                 ranges[dims->k[1]] == 2 &&
                 llvm::all_of(op.getDpsInputOperands(), [](OpOperand *input) {
                   return getElementTypeOrSelf(input->get().getType()).isBF16();
                 });
    if (matrixProduct && (dims->k.size() == 1 || pairs)) {
      unsigned m = dims->m[0], n = *productN, k = dims->k[0];
      Strategy strategy;
      strategy.kind = Strategy::Contraction;
      strategy.dims = {m, n, k};
      // Register tile: nr two vectors wide (one if the loop is narrow), mr
      // rows so that the accumulators plus an operand vector per column and
      // a broadcast row value fit the register file.
      int64_t nrVectors =
          ranges[n] >= kProductTileVectors * vector ? kProductTileVectors : 1;
      int64_t nr = dividingTile(nrVectors * vector, ranges[n], vector);
      // Narrower than a vector, a power of two wide: the widths a CPU has
      // registers of (a row of 31 lanes is loaded piecewise and assembled
      // lane by lane).
      if (nr < vector)
        nr = floorPowerOf2(nr);
      int64_t mr = dividingTile(
          floorPowerOf2((vectorRegisters - nrVectors - 2) / nrVectors),
          ranges[m], 1);
      // Cache tiles: a kc x nr panel of the right operand fills half of L1;
      // the mc x kc block of the left operand a quarter of L2; nc columns of
      // the right operand's kc rows another quarter.
      int64_t elementBytes =
          std::max<int64_t>(1, element.getIntOrFloatBitWidth() / 8);
      // Each preferably divides its loop (a multiple of the register tile
      // for m and n), so that every cache tile is whole.
      int64_t kc =
          dividingTile(floorPowerOf2(l1Bytes / 2 /
                                     (std::max<int64_t>(nr, 1) * elementBytes)),
                       ranges[k], 1);
      int64_t mc = dividingTile(
          std::max(mr,
                   floorPowerOf2(l2Bytes / 4 / (kc * elementBytes)) / mr * mr),
          ranges[m], mr);
      int64_t nc = dividingTile(
          std::max(nr,
                   floorPowerOf2(l2Bytes / 4 / (kc * elementBytes)) / nr * nr),
          ranges[n], nr);
      strategy.cacheTiles.assign(ranges.size(), 1);
      strategy.registerTiles.assign(ranges.size(), 1);
      strategy.cacheTiles[m] = mc;
      strategy.cacheTiles[n] = nc;
      strategy.cacheTiles[k] = kc;
      strategy.registerTiles[m] = mr;
      strategy.registerTiles[n] = nr;
      strategy.registerTiles[k] = 1;
      if (pairs) {
        strategy.cacheTiles[dims->k[1]] = 2;
        strategy.registerTiles[dims->k[1]] = 2;
      }
      // Tile loops: the batch loops, then n, m and k: a column panel of the
      // right operand stays in L1 while m's tiles sweep it.
      for (unsigned dim = 0; dim < ranges.size(); ++dim)
        if (dim != m && dim != n && dim != k)
          strategy.loopOrder.push_back(dim);
      strategy.loopOrder.append({n, m, k});
      // Cache tile loops: in the loops' own order, n's tiles (and the
      // panels) outside m's, so that the left operand is read once per
      // column of tiles: from the last-level cache while it is small. A
      // left operand of many L2s read by many columns of tiles would come
      // from memory each time: m's tiles go outermost, each block of rows
      // stays in the caches while the columns sweep it, and the right
      // operand is what is read again, once per block of rows (a block is
      // several times as tall as a panel is wide).
      OpOperand *left = leftOperand(op, m);
      if (left &&
          rereads(op, *left, k, strategy.cacheTiles, ranges) >=
              kMinRereadsForRowsOuter &&
          bytesOf(*left) >= kRowsOuterL2s * l2Bytes) {
        strategy.cacheOrder.push_back(m);
        for (unsigned dim = 0; dim < ranges.size(); ++dim)
          if (dim != m && dim != k)
            strategy.cacheOrder.push_back(dim);
        strategy.cacheOrder.push_back(k);
      }
      strategy.parallel = mayThread(op) && work >= minParallelWork;
      if (strategy.parallel)
        splitForThreads(strategy, ranges, {n, m});
      // Where m's or n's tiles do not divide the loop, the op is split:
      // the whole cache tiles, the whole register tiles of the rest, and
      // what is left, each a piece of its own whose tiles divide it; n's
      // last columns in pieces a power of two wide. Every tile is then
      // static, its remainder a narrower register tile, never a masked one.
      // A partial k tile only shortens the k loop inside it.
      strategy.split.assign(ranges.size(), {});
      for (unsigned dim : {m, n}) {
        int64_t range = ranges[dim], cache = strategy.cacheTiles[dim],
                reg = strategy.registerTiles[dim];
        int64_t wholeCaches = cache < range ? range / cache * cache : 0;
        int64_t point = wholeCaches + (range - wholeCaches) / reg * reg;
        SmallVector<int64_t> &points = strategy.split[dim];
        if (wholeCaches > 0 && wholeCaches < point)
          points.push_back(wholeCaches);
        while (point > 0 && point < range) {
          points.push_back(point);
          point += dim == n ? floorPowerOf2(range - point) : range - point;
        }
      }
      // Each piece is threaded by its own work: a parallel region costs a
      // fork and a join, more than the last rows or columns are worth.
      if (strategy.parallel)
        for (const Strategy::Piece &piece : strategy.pieces(ranges))
          strategy.parallelPieces.push_back(iterations(piece.sizes) >=
                                            minParallelWork);
      return strategy;
    }

    // Everything else works on one vector along the innermost loop, one
    // element along the others: elementwise ops, broadcasts, copies, fills,
    // and reductions (a row reduced whole or vector by vector, or, reducing
    // an outer loop, a vector of independent sums).
    Strategy strategy;
    strategy.kind = op.getNumReductionLoops() == 0 ? Strategy::Elementwise
                                                   : Strategy::Reduction;
    // A row reduced along the innermost loop, up to kMaxRowVectors vectors
    // long, is one tile: summed in registers, its lanes reduced once, its
    // accumulator loaded and stored once.
    bool wholeRow =
        strategy.kind == Strategy::Reduction &&
        op.getIteratorTypesArray().back() == utils::IteratorType::reduction &&
        ranges.back() % vector == 0 && ranges.back() <= kMaxRowVectors * vector;
    strategy.registerTiles.assign(ranges.size(), 1);
    strategy.registerTiles.back() =
        wholeRow ? ranges.back()
                 : dividingTile(vector, ranges.back(),
                                std::max<int64_t>(1, vector / 4));
    // A transposing input (its contiguous dimension is another loop) takes
    // a square tile: a vector of rows read whole, transposed in registers,
    // instead of one strided element at a time. When both innermost
    // dimensions are one small loop read whole (a pair of bf16 moved as a
    // unit), the next dimensions decide, with rows of vector / pair units.
    if (strategy.kind == Strategy::Elementwise) {
      unsigned inner = ranges.size() - 1;
      for (OpOperand *input : op.getDpsInputOperands()) {
        AffineMap map = op.getMatchingIndexingMap(input);
        if (!map.isPermutation())
          continue;
        unsigned last = map.getNumResults() - 1;
        unsigned contiguous = map.getDimPosition(last);
        if (contiguous != inner) {
          strategy.registerTiles[contiguous] = dividingTile(
              vector, ranges[contiguous], std::max<int64_t>(1, vector / 4));
          break;
        }
        if (last == 0 || ranges[inner] >= vector)
          continue;
        unsigned next = map.getDimPosition(last - 1);
        if (next == inner - 1)
          continue;
        int64_t units = std::max<int64_t>(1, vector / ranges[inner]);
        strategy.registerTiles[next] = dividingTile(units, ranges[next], 1);
        strategy.registerTiles[inner - 1] =
            dividingTile(units, ranges[inner - 1], 1);
        break;
      }
    }
    strategy.parallel =
        mayThread(op) && work * kMultiplyAddsPerElement >= minParallelWork &&
        op.getIteratorTypesArray().front() == utils::IteratorType::parallel;
    // The threads share the first loop by whole register tiles; a 1-D op in
    // about 64 tiles of several vectors each.
    if (strategy.parallel)
      strategy.parallelTile =
          ranges.size() == 1
              ? std::max<int64_t>(strategy.registerTiles[0],
                                  ranges[0] / 64 / strategy.registerTiles[0] *
                                      strategy.registerTiles[0])
              : strategy.registerTiles[0];
    return strategy;
  }
};

} // namespace
