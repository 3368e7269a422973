//===- VectorizeLanes.h - ops computed from position, in lanes --*- C++ -*-===//
//
// An op that computes each element of its one output from the element's
// position, loading what it needs at computed places (a quantized weight
// decoded into a product's panels), is beyond linalg's vectorizer, which
// takes no loads in a body. Here its last loops run in vector lanes: each
// integer in the body is followed as a part common to the lanes plus a
// known offset per lane, so that a load whose lanes read consecutive
// elements (a code byte, two 4-bit codes to a byte) is one vector load, a
// load they all read the same place at (a block's scale) is one scalar
// load, and a load at places computed from loaded data (a 16-entry table
// of levels) is a gather. An op whose lanes would read elements apart (a
// transposed weight) stays scalar: gathers from as many cache lines were
// slower than scalar code.
//
//===----------------------------------------------------------------------===//

#ifndef QUERN_LIB_CODEGEN_CPU_VECTORIZELANES_H
#define QUERN_LIB_CODEGEN_CPU_VECTORIZELANES_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/PatternMatch.h"

namespace quern {

/// The register tiles with which `op` runs in `lanes` lanes: its last loop
/// in tiles of `lanes`, 1 for the other loops, of which the first is
/// shared out over threads. Empty when `op` is not a linalg.generic, has
/// inputs or more than one output, does not have two or more static loops,
/// the last a multiple of `lanes`, or has a body that cannot be followed
/// across the lanes.
llvm::SmallVector<int64_t> laneTiles(mlir::linalg::LinalgOp op, int64_t lanes);

/// Replaces `op` (on buffers) by loops over its register tiles `tiles`
/// (laneTiles), each tile computed as vectors and written with one vector
/// transfer. Fails where laneTiles would give none.
mlir::LogicalResult vectorizeLanes(mlir::RewriterBase &rewriter,
                                   mlir::linalg::LinalgOp op,
                                   llvm::ArrayRef<int64_t> tiles);

} // namespace quern

#endif // QUERN_LIB_CODEGEN_CPU_VECTORIZELANES_H
