//===- Strategy.h - the tiling decision for one linalg op -------*- C++ -*-===//
//
// What SelectStrategy decides and TileAndPack carries out, stored on the op
// as the `quern.strategy` dictionary so that it can be read, printed and
// tested between the two passes.
//
//===----------------------------------------------------------------------===//

#ifndef QUERN_LIB_CODEGEN_CPU_STRATEGY_H
#define QUERN_LIB_CODEGEN_CPU_STRATEGY_H

#include "dialects/quern/QuernAttributes.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/Operation.h"

#include <optional>

namespace quern {

struct Strategy {
  /// Scalar: an elementwise op the vectorizer cannot take (its body loads
  /// from memory at computed positions: a gather, a quantized weight's
  /// decoding), shared out over threads and left to scalar code.
  enum Kind { Contraction, Elementwise, Reduction, Scalar };
  Kind kind = Elementwise;
  /// Contractions: the m, n and k loops.
  llvm::SmallVector<int64_t> dims;
  /// One size per loop. Cache tiles only for contractions.
  llvm::SmallVector<int64_t> cacheTiles, registerTiles;
  /// Contractions: per loop, the points where the op is split into pieces
  /// (none: not split), so that in each piece the loop's tiles divide it:
  /// the whole cache tiles, then the whole register tiles of the rest, then
  /// the last rows or columns, a narrower register tile. Printed only where
  /// some loop is split.
  llvm::SmallVector<llvm::SmallVector<int64_t>> split;
  /// With `parallel` and a split: per piece (in the order of `pieces`),
  /// whether it has work enough to run on several threads; the small
  /// pieces of the last rows or columns run on one.
  llvm::SmallVector<bool> parallelPieces;
  /// The outer tile loop runs on several threads.
  bool parallel = false;
  /// Contractions: the order of the register tile loops inside a cache
  /// tile, outermost first.
  llvm::SmallVector<int64_t> loopOrder;
  /// Contractions: the order of the cache tile loops, outermost first;
  /// empty: the loops' own order. Printed only where set.
  llvm::SmallVector<int64_t> cacheOrder;
  /// Other ops with `parallel`: the tile of the first loop that the threads
  /// share out.
  int64_t parallelTile = 0;

  bool isSplit() const {
    return llvm::any_of(split, [](auto &points) { return !points.empty(); });
  }

  /// A box of the iteration space: per loop, its offset and size.
  struct Piece {
    llvm::SmallVector<int64_t> offsets, sizes;
  };
  /// The pieces that `split` cuts loops of extents `ranges` into, the last
  /// loop's pieces fastest (one piece, the whole, when not split).
  llvm::SmallVector<Piece> pieces(llvm::ArrayRef<int64_t> ranges) const;

  void attach(mlir::Operation *op) const;
  /// The strategy on `op`; failure, with an error at the op, when it has
  /// none or it is malformed (an unknown kind, tiles that are not one
  /// positive size per loop, split points outside their loop, ...).
  static mlir::FailureOr<Strategy> read(mlir::Operation *op);
};

/// The op whose accumulator a linalg.fill of a constant on a buffer
/// initializes: the next linalg op in the block, when only ops free of
/// memory effects come between them, it has reduction loops, and its one
/// init is the filled buffer, which it does not also read. Null otherwise.
/// Outlining puts the two in one kernel, and tiling starts the accumulator's
/// register tiles from the constant instead of loading it.
mlir::linalg::LinalgOp filledAccumulator(mlir::linalg::FillOp fill);

// A pack that the workspace plan has kept the input of alive until its
// product (packedProduct) is marked kPanelPackAttrName.

/// The product that `pack` lays out an operand for, on buffers before the
/// workspace plan: `pack` is a linalg.generic that only rounds its one f32
/// input to bf16, or copies a bf16 or an f32 one, through permutation maps
/// (the k pairs or the panels of quern-pack-panels), or that computes its
/// f32 or bf16 buffer from position (a quantized weight decoded into
/// panels); the next
/// linalg op in the block,
/// with only ops free of memory effects, allocations and its accumulator's
/// fill between them, is a contraction reading the packed buffer as one
/// operand with no m loop (a right operand: each cache tile reads a panel
/// of it) and neither the buffer nor the pack's input through another; no
/// op between them uses the buffer. Null otherwise. The plan keeps the
/// pack's input alive until the product and marks the pack
/// (kPanelPackAttrName); outlining puts the two in one kernel, and tiling
/// packs each cache tile's panel inside the product's tile loops, just
/// before the tile reads it, instead of the whole operand in a kernel of
/// its own.
mlir::linalg::LinalgOp packedProduct(mlir::linalg::LinalgOp pack);

/// After the workspace plan, which shares buffers and views between ops:
/// the product of a pack the plan marked, else null.
mlir::linalg::LinalgOp plannedProduct(mlir::linalg::LinalgOp pack);

/// Whether `op` is a linalg.generic that only rounds its one input to a
/// narrower float, or copies it, over parallel loops whose maps are
/// identities (or permutations, if `permuted`).
bool roundsOnly(mlir::Operation *op, bool permuted);

} // namespace quern

#endif // QUERN_LIB_CODEGEN_CPU_STRATEGY_H
