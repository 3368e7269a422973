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

/// Adds the patterns that rewrite every quern op into linalg, tensor, arith
/// and math ops on tensors. `bf16Matmuls`: f32 matmuls read their operands
/// rounded to bf16 and accumulate in f32.
void populateQuernToLinalgPatterns(mlir::TypeConverter &typeConverter,
                                   mlir::RewritePatternSet &patterns,
                                   bool bf16Matmuls = false);

} // namespace quern

#endif // QUERN_CONVERSION_QUERNTOLINALG_H
