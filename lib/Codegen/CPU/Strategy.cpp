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

std::optional<Strategy> Strategy::read(Operation *op) {
  auto dict = op->getAttrOfType<DictionaryAttr>(kStrategyAttrName);
  if (!dict)
    return std::nullopt;
  Strategy strategy;
  auto array = [&](StringRef name) {
    auto attr = dict.getAs<DenseI64ArrayAttr>(name);
    return attr ? SmallVector<int64_t>(attr.asArrayRef())
                : SmallVector<int64_t>();
  };
  auto kind = dict.getAs<StringAttr>("kind");
  for (Kind candidate : {Contraction, Elementwise, Reduction})
    if (kind && kind.getValue() == kindName(candidate))
      strategy.kind = candidate;
  strategy.registerTiles = array("register_tiles");
  strategy.cacheTiles = array("cache_tiles");
  strategy.dims = array("dims");
  if (auto split = dict.getAs<ArrayAttr>("split"))
    for (Attribute points : split)
      if (auto array = dyn_cast<DenseI64ArrayAttr>(points))
        strategy.split.push_back(SmallVector<int64_t>(array.asArrayRef()));
  if (auto pieces = dict.getAs<DenseBoolArrayAttr>("parallel_pieces"))
    strategy.parallelPieces.assign(pieces.asArrayRef().begin(),
                                   pieces.asArrayRef().end());
  auto parallel = dict.getAs<BoolAttr>("parallel");
  strategy.parallel = parallel && parallel.getValue();
  return strategy;
}
