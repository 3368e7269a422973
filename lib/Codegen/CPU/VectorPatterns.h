//===- VectorPatterns.h - vector rewrites for CPU register tiles -*- C++ -*-=//
//
// Rewrites MLIR lacks, so that tiles with unit dimensions and tiles of
// narrow rows (pairs of bf16 or f32, packing operands for a bf16 dot
// product) move in whole vectors rather than element by element.
//
//===----------------------------------------------------------------------===//

#ifndef QUERN_LIB_CODEGEN_CPU_VECTORPATTERNS_H
#define QUERN_LIB_CODEGEN_CPU_VECTORPATTERNS_H

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/PatternMatch.h"

namespace quern {

/// Transposes drop unit dimensions wherever they are (leading ones that stay
/// in place, and others that move).
void populateTransposeUnitDimPatterns(mlir::RewritePatternSet &patterns);

/// Transfers, elementwise ops and transposes of tiles whose innermost
/// dimension is narrow (at most 64 bits) work on whole rows.
void populateNarrowRowPatterns(mlir::RewritePatternSet &patterns);

/// Shape casts: chains of them compose, and one that keeps the innermost
/// dimension moves whole rows (before MLIR's lowering, which moves
/// elements).
void populateShapeCastPatterns(mlir::RewritePatternSet &patterns);

/// The sizes of `type`'s dimensions that are not units.
llvm::SmallVector<int64_t> withoutUnitDims(mlir::VectorType type);

/// The folds of transfers and affine.apply only: the whole canonicalizer
/// would undo the permutation-map lowering (folding broadcasts back into
/// transfers) and never converge. The pipeline canonicalizes afterwards.
void populateTransferFolds(mlir::RewritePatternSet &patterns);

} // namespace quern

#endif // QUERN_LIB_CODEGEN_CPU_VECTORPATTERNS_H
