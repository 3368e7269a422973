//===- Patterns.h - quern to linalg, shared pieces --------------*- C++ -*-===//
//
// The lowering has one file per op family; this header is what they share:
// the per-family populate functions and the builders of linalg.generic ops
// that every family uses.
//
//===----------------------------------------------------------------------===//

#ifndef QUERN_LIB_CONVERSION_QUERNTOLINALG_PATTERNS_H
#define QUERN_LIB_CONVERSION_QUERNTOLINALG_PATTERNS_H

#include "Scalar.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Transforms/DialectConversion.h"
#include "quern/Conversion/QuernToLinalg.h"

namespace quern::detail {

void populateElementwisePatterns(mlir::TypeConverter &converter,
                                 mlir::RewritePatternSet &patterns);
void populateContractionPatterns(mlir::TypeConverter &converter,
                                 mlir::RewritePatternSet &patterns,
                                 const MatmulPrecision &precision);
void populateReductionPatterns(mlir::TypeConverter &converter,
                               mlir::RewritePatternSet &patterns);
void populateShapePatterns(mlir::TypeConverter &converter,
                           mlir::RewritePatternSet &patterns);
void populateIndexingPatterns(mlir::TypeConverter &converter,
                              mlir::RewritePatternSet &patterns);
void populateOptimizerPatterns(mlir::TypeConverter &converter,
                               mlir::RewritePatternSet &patterns);
void populateExpertPatterns(mlir::TypeConverter &converter,
                            mlir::RewritePatternSet &patterns,
                            const MatmulPrecision &precision);
void populateQuantizedPatterns(mlir::TypeConverter &converter,
                               mlir::RewritePatternSet &patterns);

/// The pattern of an op whose products follow the precision of f32
/// matmuls.
template <typename Op> struct ProductPattern : mlir::OpConversionPattern<Op> {
  ProductPattern(mlir::TypeConverter &converter, mlir::MLIRContext *context,
                 const MatmulPrecision &precision)
      : mlir::OpConversionPattern<Op>(converter, context),
        precision(precision) {}

  MatmulPrecision precision;
};

//===-- Elementwise ops (Elementwise.cpp) ---------------------------------===//

/// One element of the elementwise quern op `op` from its operands'
/// elements `args`, or null when `op` is not an elementwise op.
mlir::Value buildElementwiseScalar(mlir::Operation *op, mlir::OpBuilder &b,
                                   mlir::Location loc, mlir::ValueRange args);

//===-- Contractions (Contraction.cpp) ------------------------------------===//

/// The map from `dims` loops, the first `batchRank` of them batch loops, to
/// the batch loops followed by `rest`.
mlir::AffineMap batchMap(mlir::MLIRContext *context, int64_t batchRank,
                         int64_t dims, llvm::ArrayRef<mlir::AffineExpr> rest);

/// The body of a contraction: acc + a * b. The sum over k may be
/// reassociated and fused into FMAs, which is what lets it be vectorized;
/// the generated code stays deterministic, only the order of the additions
/// is the compiler's. bf16 operands are widened exactly; the arithmetic is
/// f32.
void buildMultiplyAdd(mlir::OpBuilder &b, mlir::Location l,
                      mlir::ValueRange args);

/// The permutation of `rank` dimensions that swaps the last two.
llvm::SmallVector<int64_t> lastTwoSwapped(int64_t rank);

/// The body of a generic that rounds its one input to bf16.
mlir::Value roundedToBF16(mlir::OpBuilder &b, mlir::Location loc,
                          mlir::ValueRange args);

/// `value` rounded to bf16, element by element.
mlir::Value roundToBF16(mlir::OpBuilder &b, mlir::Location loc,
                        mlir::Value value);

/// Zeros, or the bias (of the result's shape, or of its innermost
/// dimensions) broadcast to the result's shape.
mlir::Value buildAccumulatorInit(mlir::OpBuilder &b, mlir::Location loc,
                                 mlir::RankedTensorType resultType,
                                 mlir::Value bias);

//===-- Generics ----------------------------------------------------------===//

/// Computes one scalar of a generic's result from its input scalars.
using ScalarBody = llvm::function_ref<mlir::Value(
    mlir::OpBuilder &, mlir::Location, mlir::ValueRange)>;

/// A `linalg.generic` with all-parallel iterators that reads `inputs`
/// through `inputMaps` and writes a fresh tensor of `resultType` through
/// `resultMap`, a permutation (by default the identity: the loops are the
/// result's dimensions).
mlir::Value buildParallelGeneric(mlir::OpBuilder &builder, mlir::Location loc,
                                 mlir::RankedTensorType resultType,
                                 mlir::ValueRange inputs,
                                 llvm::ArrayRef<mlir::AffineMap> inputMaps,
                                 ScalarBody body,
                                 mlir::AffineMap resultMap = {});

/// The map from the iteration space of `shape` that drops `axes`: how a
/// reduced value is read back while iterating over the unreduced shape.
mlir::AffineMap dropAxesMap(mlir::MLIRContext *context, int64_t rank,
                            llvm::ArrayRef<int64_t> axes);

/// Reduces `input` (signless, of quern element type `elementType`) over
/// `axes` (ascending) with `combiner`; the result drops those axes.
mlir::Value buildReduction(mlir::OpBuilder &builder, mlir::Location loc,
                           mlir::Value input, llvm::ArrayRef<int64_t> axes,
                           scalar::Combiner combiner, mlir::Type elementType);

/// A tensor of `type` filled with `value`.
mlir::Value buildFilled(mlir::OpBuilder &builder, mlir::Location loc,
                        mlir::RankedTensorType type, mlir::Value value);

/// The linear row-major position of the current iteration of a generic
/// whose loops run over `shape`, as an index (from linalg.index).
mlir::Value buildLinearIndex(mlir::OpBuilder &builder, mlir::Location loc,
                             llvm::ArrayRef<int64_t> shape);

/// Reshapes `input` to `resultType` (same element count) with
/// collapse/expand_shape ops, which bufferize to views.
mlir::Value buildReshape(mlir::OpBuilder &builder, mlir::Location loc,
                         mlir::Value input, mlir::RankedTensorType resultType);

} // namespace quern::detail

#endif // QUERN_LIB_CONVERSION_QUERNTOLINALG_PATTERNS_H
