//===- BF16Dot.h - bf16 pair contractions as dot instructions ---*- C++ -*-===//

#ifndef QUERN_LIB_CODEGEN_CPU_BF16DOT_H
#define QUERN_LIB_CODEGEN_CPU_BF16DOT_H

#include "quern/Codegen/CPU/TargetDescription.h"

#include "mlir/IR/PatternMatch.h"

namespace quern {

/// Register tiles of bf16 products summed in pairs along k
/// (convert-quern-to-linalg's bf16-pairs form) become `instruction`: per
/// row of the tile and per vector of columns, one vdpbf16ps (AVX-512 BF16)
/// or bfdot (NEON). `instruction` is not BF16Dot::None.
void populateBF16DotPatterns(mlir::RewritePatternSet &patterns,
                             BF16Dot instruction);

} // namespace quern

#endif // QUERN_LIB_CODEGEN_CPU_BF16DOT_H
