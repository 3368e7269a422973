//===- WeightUses.h - the products that read a weight -----------*- C++ -*-===//
//
// quern-lora and quern-quantize both act on weights that matrix products
// read as their right operand; this finds those products, or the read that
// disqualifies a weight, for their diagnostics.
//
//===----------------------------------------------------------------------===//

#ifndef QUERN_PASSES_WEIGHTUSES_H
#define QUERN_PASSES_WEIGHTUSES_H

#include "dialects/quern/QuernOps.h"

#include <string>

namespace quern {

/// The products that read `weight` as their right operand, directly or
/// through transposes, reshapes and (for a quantized weight's codes) its
/// decoding; failure with `other` the first use that reads it otherwise.
mlir::FailureOr<llvm::SmallVector<MatMulOp>>
productsReadingWeight(mlir::Value weight, mlir::OpOperand *&other);

/// How `use` reads a weight, for a diagnostic: "by 'quern.gather'", or
/// for another operand of a product "by 'quern.matmul' as its bias".
std::string describeRead(mlir::OpOperand &use);

} // namespace quern

#endif // QUERN_PASSES_WEIGHTUSES_H
