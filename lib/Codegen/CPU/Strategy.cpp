//===- Strategy.cpp - the quern.strategy attribute --------------*- C++ -*-===//

#include "Strategy.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"

using namespace mlir;
using namespace quern;

static StringRef kindName(Strategy::Kind kind) {
  switch (kind) {
  case Strategy::Contraction:
    return "contraction";
  case Strategy::Elementwise:
    return "elementwise";
  case Strategy::Reduction:
    return "reduction";
  case Strategy::Scalar:
    return "scalar";
  }
  llvm_unreachable("every kind has a name");
}

SmallVector<Strategy::Piece> Strategy::pieces(ArrayRef<int64_t> ranges) const {
  // Per loop, the bounds of its pieces: 0, the points, the extent.
  SmallVector<SmallVector<int64_t>> bounds;
  for (auto [dim, range] : llvm::enumerate(ranges)) {
    bounds.push_back({0});
    if (dim < split.size())
      llvm::append_range(bounds.back(), split[dim]);
    bounds.back().push_back(range);
  }
  SmallVector<Piece> result;
  // Which piece of each loop, the last loop's fastest.
  SmallVector<size_t> piece(ranges.size(), 0);
  for (;;) {
    Piece next;
    for (auto [dim, dimBounds] : llvm::enumerate(bounds)) {
      next.offsets.push_back(dimBounds[piece[dim]]);
      next.sizes.push_back(dimBounds[piece[dim] + 1] - dimBounds[piece[dim]]);
    }
    result.push_back(std::move(next));
    int64_t dim = static_cast<int64_t>(ranges.size()) - 1;
    for (; dim >= 0; --dim) {
      if (++piece[dim] + 1 < bounds[dim].size())
        break;
      piece[dim] = 0;
    }
    if (dim < 0)
      return result;
  }
}

void Strategy::attach(Operation *op) const {
  Builder b(op->getContext());
  SmallVector<NamedAttribute> entries = {
      b.getNamedAttr("kind", b.getStringAttr(kindName(kind))),
      b.getNamedAttr("register_tiles", b.getDenseI64ArrayAttr(registerTiles)),
      b.getNamedAttr("parallel", b.getBoolAttr(parallel))};
  if (kind == Contraction) {
    entries.push_back(b.getNamedAttr("dims", b.getDenseI64ArrayAttr(dims)));
    entries.push_back(
        b.getNamedAttr("cache_tiles", b.getDenseI64ArrayAttr(cacheTiles)));
    entries.push_back(
        b.getNamedAttr("loop_order", b.getDenseI64ArrayAttr(loopOrder)));
    if (!cacheOrder.empty())
      entries.push_back(
          b.getNamedAttr("cache_order", b.getDenseI64ArrayAttr(cacheOrder)));
  } else if (parallel) {
    entries.push_back(
        b.getNamedAttr("parallel_tile", b.getI64IntegerAttr(parallelTile)));
  }
  if (isSplit()) {
    entries.push_back(b.getNamedAttr(
        "split", b.getArrayAttr(llvm::to_vector(
                     llvm::map_range(split, [&](ArrayRef<int64_t> points) {
                       return Attribute(b.getDenseI64ArrayAttr(points));
                     })))));
    if (parallel)
      entries.push_back(b.getNamedAttr(
          "parallel_pieces", b.getDenseBoolArrayAttr(parallelPieces)));
  }
  op->setAttr(kStrategyAttrName, b.getDictionaryAttr(entries));
}

FailureOr<Strategy> Strategy::read(Operation *op) {
  auto dict = op->getAttrOfType<DictionaryAttr>(kStrategyAttrName);
  if (!dict)
    return op->emitOpError("has no '") << kStrategyAttrName << "' dictionary";
  auto malformed = [&](StringRef what) {
    return op->emitOpError("'") << kStrategyAttrName << "': " << what;
  };
  Strategy strategy;
  auto kind = dict.getAs<StringAttr>("kind");
  if (!kind ||
      !llvm::is_contained({kindName(Contraction), kindName(Elementwise),
                           kindName(Reduction), kindName(Scalar)},
                          kind.getValue()))
    return malformed("kind must be \"contraction\", \"elementwise\", "
                     "\"reduction\" or \"scalar\"");
  for (Kind candidate : {Contraction, Elementwise, Reduction, Scalar})
    if (kind.getValue() == kindName(candidate))
      strategy.kind = candidate;

  auto linalgOp = dyn_cast<linalg::LinalgOp>(op);
  if (!linalgOp)
    return malformed("only linalg ops are tiled");
  size_t loops = linalgOp.getNumLoops();
  SmallVector<int64_t> ranges = linalgOp.getStaticLoopRanges();
  // Tiles: one positive size per loop.
  auto tiles = [&](StringRef name, SmallVector<int64_t> &out) -> LogicalResult {
    auto array = dict.getAs<DenseI64ArrayAttr>(name);
    if (!array || array.size() != static_cast<int64_t>(loops) ||
        llvm::any_of(array.asArrayRef(), [](int64_t size) { return size < 1; }))
      return malformed(name) << " must hold a positive size for each of the "
                             << loops << " loops";
    out.assign(array.asArrayRef().begin(), array.asArrayRef().end());
    return success();
  };
  if (failed(tiles("register_tiles", strategy.registerTiles)))
    return failure();
  auto parallel = dict.getAs<BoolAttr>("parallel");
  if (!parallel)
    return malformed("parallel must be a bool");
  strategy.parallel = parallel.getValue();
  if (strategy.kind == Contraction) {
    if (failed(tiles("cache_tiles", strategy.cacheTiles)))
      return failure();
    auto dims = dict.getAs<DenseI64ArrayAttr>("dims");
    if (!dims || dims.size() != 3 ||
        llvm::any_of(dims.asArrayRef(), [&](int64_t dim) {
          return dim < 0 || dim >= static_cast<int64_t>(loops);
        }))
      return malformed("dims must be the m, n and k loops");
    strategy.dims.assign(dims.asArrayRef().begin(), dims.asArrayRef().end());
    // A permutation of the loops; `optional`: may be absent.
    auto order = [&](StringRef name, bool optional,
                     SmallVector<int64_t> &out) -> LogicalResult {
      auto array = dict.getAs<DenseI64ArrayAttr>(name);
      if (!array && optional && !dict.get(name))
        return success();
      SmallVector<int64_t> sorted =
          array ? SmallVector<int64_t>(array.asArrayRef())
                : SmallVector<int64_t>();
      llvm::sort(sorted);
      if (sorted != llvm::to_vector(llvm::seq<int64_t>(0, loops)))
        return malformed(name) << " must be a permutation of the loops";
      out.assign(array.asArrayRef().begin(), array.asArrayRef().end());
      return success();
    };
    if (failed(order("loop_order", false, strategy.loopOrder)) ||
        failed(order("cache_order", true, strategy.cacheOrder)))
      return failure();
  } else if (strategy.parallel) {
    auto tile = dict.getAs<IntegerAttr>("parallel_tile");
    if (!tile || tile.getInt() < 1)
      return malformed("parallel_tile must be a positive size");
    strategy.parallelTile = tile.getInt();
  }
  if (Attribute split = dict.get("split")) {
    auto lists = dyn_cast<ArrayAttr>(split);
    if (!lists || lists.size() != loops)
      return malformed("split must hold a list of points for each loop");
    for (auto [points, range, iterator] :
         llvm::zip_equal(lists, ranges, linalgOp.getIteratorTypesArray())) {
      auto array = dyn_cast<DenseI64ArrayAttr>(points);
      int64_t previous = 0;
      if (!array || llvm::any_of(array.asArrayRef(), [&](int64_t point) {
            bool inside = point > previous && point < range;
            previous = point;
            return !inside;
          }))
        return malformed("split points must rise strictly inside each loop");
      // Pieces are independent only across parallel loops: pieces of a
      // reduced loop would each add to the accumulator, each starting it.
      if (!array.empty() && iterator != utils::IteratorType::parallel)
        return malformed("split points may only cut parallel loops");
      strategy.split.push_back(SmallVector<int64_t>(array.asArrayRef()));
    }
  }
  if (Attribute pieces = dict.get("parallel_pieces")) {
    auto flags = dyn_cast<DenseBoolArrayAttr>(pieces);
    size_t count = strategy.isSplit() ? strategy.pieces(ranges).size() : 0;
    if (!flags || static_cast<size_t>(flags.size()) != count)
      return malformed("parallel_pieces must hold a flag for each of the ")
             << count << " pieces";
    strategy.parallelPieces.assign(flags.asArrayRef().begin(),
                                   flags.asArrayRef().end());
  }
  return strategy;
}
