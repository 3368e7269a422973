//===- QuernToLinalg.h - quern to linalg conversion -------------*- C++ -*-===//

#ifndef QUERN_CONVERSION_QUERNTOLINALG_H
#define QUERN_CONVERSION_QUERNTOLINALG_H

#include "mlir/Pass/Pass.h"
#include "mlir/Transforms/DialectConversion.h"

namespace quern {

#define GEN_PASS_DECL_CONVERTQUERNTOLINALGPASS
#include "quern/Conversion/Passes.h.inc"

/// Maps quern's types to the ones linalg and arith work with: unsigned
/// integer element types (ui8) become signless (i8). The patterns choose
/// unsigned or signed arithmetic from the original quern types.
class QuernToLinalgTypeConverter : public mlir::TypeConverter {
public:
  QuernToLinalgTypeConverter();
};

/// The arithmetic of f32 matmuls.
struct MatmulPrecision {
  /// Operands rounded to bf16, products and sums in f32.
  bool bf16Operands = false;
  /// With bf16 operands and an even K: products summed in pairs along k
  /// (operands laid out [.., M, K/2, 2] and [.., K/2, N, 2]), the form of a
  /// bf16 dot-product instruction.
  bool bf16Pairs = false;
};

/// Adds the patterns that rewrite every quern op into linalg, tensor, arith
/// and math ops on tensors.
void populateQuernToLinalgPatterns(mlir::TypeConverter &typeConverter,
                                   mlir::RewritePatternSet &patterns,
                                   const MatmulPrecision &precision = {});

} // namespace quern

#endif // QUERN_CONVERSION_QUERNTOLINALG_H
