//===- TileAndPack.cpp - tiling as the strategy says ------------*- C++ -*-===//
//
// The first step of carrying out `quern.strategy`: a split contraction is
// cut into its pieces, every op is tiled by its cache tiles (contractions)
// and register tiles, partial tiles are peeled into loops of their own, and
// a product's panel pack moves into its cache tile loops. Each register
// tile is left marked with its vector sizes for quern-vectorize. This is
// the tiling half of MLIR's transform-dialect GEMM schedules, as C++ that
// runs per op from the strategy.
//
//===----------------------------------------------------------------------===//

#include "Strategy.h"
#include "Views.h"

#include "quern/Codegen/CPU/Passes.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Interfaces/TilingInterface.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace quern {
#define GEN_PASS_DEF_TILEANDPACKPASS
#include "quern/Codegen/CPU/Passes.h.inc"
} // namespace quern

using namespace mlir;
using namespace quern;

namespace {

/// Tiles `op` by `sizes` (0: not tiled) with the loops in `order`; the
/// original op is erased. Returns the tile's op and the new loops.
FailureOr<linalg::TiledLinalgOp> tile(RewriterBase &rewriter,
                                      linalg::LinalgOp op,
                                      ArrayRef<int64_t> sizes,
                                      ArrayRef<unsigned> order, bool parallel) {
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
/// `pack`'s output that `read` reads: `pack` tiled to that panel (a copy of
/// it on the panel's slices, or, computing from position, on the panel's
/// positions), with `pack`'s strategy but on the tile's thread. Null when
/// `read` is not a unit-stride slice, or is one of a size known only at run
/// time (a partial cache tile) and `pack` is beyond linalg's vectorizer,
/// which masks such tiles: a decode runs in lanes over static tiles only.
linalg::LinalgOp packPanel(RewriterBase &rewriter, OpOperand &read,
                           linalg::LinalgOp pack) {
  auto panel = read.get().getDefiningOp<memref::SubViewOp>();
  if (!panel || !panel.hasUnitStride() ||
      (!panel.getType().hasStaticShape() &&
       failed(linalg::vectorizeOpPrecondition(pack))))
    return {};
  // The pack's output map is a permutation: its loops' offsets and sizes
  // are the panel's.
  AffineMap toLoops = inversePermutation(
      pack.getMatchingIndexingMap(pack.getDpsInitOperand(0)));
  auto loops = [&](ArrayRef<OpFoldResult> values) {
    return applyPermutationMap(toLoops, values);
  };
  rewriter.setInsertionPoint(read.getOwner());
  FailureOr<TilingResult> tiled =
      cast<TilingInterface>(pack.getOperation())
          .getTiledImplementation(rewriter, loops(panel.getMixedOffsets()),
                                  loops(panel.getMixedSizes()));
  if (failed(tiled))
    return {};
  auto tile = cast<linalg::LinalgOp>(tiled->tiledOps.front());
  Strategy strategy = *Strategy::read(pack);
  strategy.parallel = false;
  strategy.attach(tile);
  return tile;
}

/// Whether `op`'s register tiles divide each of its reduction loops, and
/// each cache tile of one: no tile of a reduced loop peels a remainder.
bool reducesInWholeTiles(linalg::LinalgOp op) {
  Strategy strategy = *Strategy::read(op);
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  for (auto [dim, iterator] : llvm::enumerate(op.getIteratorTypesArray())) {
    int64_t range = ranges[dim], tile = strategy.registerTiles[dim];
    bool cacheTiled =
        dim < strategy.cacheTiles.size() && strategy.cacheTiles[dim] < range;
    if (iterator == utils::IteratorType::reduction && range > tile &&
        (range % tile != 0 ||
         (cacheTiled && strategy.cacheTiles[dim] % tile != 0)))
      return false;
  }
  return true;
}

/// Tiles `op` as its strategy says, and `pack`, the pack of its right
/// operand (if any), with it.
LogicalResult tileOp(RewriterBase &rewriter, linalg::LinalgOp op,
                     linalg::LinalgOp pack = {}) {
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
  SmallVector<unsigned> order(strategy.loopOrder.begin(),
                              strategy.loopOrder.end());
  if (strategy.kind == Strategy::Contraction) {
    SmallVector<int64_t> cache = onlyWhereSmaller(strategy.cacheTiles, ranges);
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
      SmallVector<unsigned> cacheOrder(strategy.cacheOrder.begin(),
                                       strategy.cacheOrder.end());
      FailureOr<linalg::TiledLinalgOp> tiled =
          tile(rewriter, op, cache, cacheOrder, strategy.parallel);
      if (failed(tiled))
        return op->emitOpError("cannot be tiled for the caches");
      op = tiled->op;
      strategy.parallel = false;
      // The loops whose iterations all add to the same tile of the
      // accumulator (quern-vectorize starts a forwarded fill's tiles from
      // its constant in their first iterations).
      llvm::DenseSet<Value> outputPosition = computedFrom(op.getDpsInits());
      for (Operation *loop : tiled->loops)
        if (auto forOp = dyn_cast<scf::ForOp>(loop);
            forOp && !outputPosition.contains(forOp.getInductionVar()))
          forOp->setAttr(kReductionTilesAttrName, rewriter.getUnitAttr());
      if (linalg::LinalgOp panel =
              packed ? packPanel(rewriter, op->getOpOperand(*packed), pack)
                     : linalg::LinalgOp()) {
        rewriter.eraseOp(pack);
        pack = panel;
      }
    }
  } else if (strategy.parallel) {
    // One outer parallel loop over the first dimension.
    SmallVector<int64_t> outer(ranges.size(), 0);
    outer[0] = strategy.parallelTile;
    FailureOr<linalg::TiledLinalgOp> tiled =
        tile(rewriter, op, outer, {}, /*parallel=*/true);
    if (failed(tiled))
      return op->emitOpError("cannot be tiled for threads");
    op = tiled->op;
    strategy.parallel = false;
  }

  // Scalar code: the threads' tiles are the op's pieces, left as they are;
  // quern-vectorize runs those with register tiles in lanes.
  if (strategy.kind == Strategy::Scalar) {
    if (llvm::any_of(strategy.registerTiles,
                     [](int64_t size) { return size > 1; }))
      op->setAttr(kVectorSizesAttrName,
                  rewriter.getDenseI64ArrayAttr(strategy.registerTiles));
    return pack ? tileOp(rewriter, pack) : success();
  }
  SmallVector<int64_t> registers =
      onlyWhereSmaller(strategy.registerTiles, op.getStaticLoopRanges());
  // A dynamic extent (a partial cache tile) is always tiled.
  for (auto [size, tileSize, range] : llvm::zip_equal(
           registers, strategy.registerTiles, op.getStaticLoopRanges()))
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

LogicalResult foldTileShapes(func::FuncOp func) {
  // Peeling leaves the sizes of whole tiles, and of a remainder of a loop
  // of static extent, as constants: folded into the slices' types, every
  // such tile is vectorized as a static shape, without masks.
  MLIRContext *context = func.getContext();
  RewritePatternSet patterns(context);
  affine::AffineApplyOp::getCanonicalizationPatterns(patterns, context);
  affine::AffineMinOp::getCanonicalizationPatterns(patterns, context);
  affine::AffineMaxOp::getCanonicalizationPatterns(patterns, context);
  memref::SubViewOp::getCanonicalizationPatterns(patterns, context);
  scf::ForOp::getCanonicalizationPatterns(patterns, context);
  return applyPatternsAndFoldGreedily(func, std::move(patterns));
}

struct TileAndPackPass : quern::impl::TileAndPackPassBase<TileAndPackPass> {
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
    // tiles start from its constant (quern-vectorize, once they are
    // hoisted), marked kForwardFillAttrName.
    // Only where nothing else in the function uses the buffer (a kernel of
    // the two): the reads forwardFill finds are then the accumulator's. And
    // only where the register tiles divide every reduced loop and its cache
    // tiles: a peeled remainder of one reads the accumulator again, after
    // the main loop.
    func.walk([&](linalg::FillOp fill) {
      linalg::LinalgOp consumer = filledAccumulator(fill);
      if (consumer && consumer->hasAttr(kStrategyAttrName) &&
          reducesInWholeTiles(consumer) &&
          allUsers(fill.getOutputs()[0], [&](Operation *user) {
            return user == fill || user == consumer;
          })) {
        fill->removeAttr(kStrategyAttrName);
        fill->setAttr(kForwardFillAttrName, UnitAttr::get(&getContext()));
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
    if (failed(foldTileShapes(func)))
      return signalPassFailure();
  }
};

} // namespace
