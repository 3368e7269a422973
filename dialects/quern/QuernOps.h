//===- QuernOps.h - quern op declarations -----------------------*- C++ -*-===//
//
// Declares the ops of the quern dialect (generated from QuernOps.td) and the
// quern.* attributes (QuernAttributes.h).
//
//===----------------------------------------------------------------------===//

#ifndef QUERN_DIALECTS_QUERN_QUERNOPS_H
#define QUERN_DIALECTS_QUERN_QUERNOPS_H

#include "dialects/quern/QuernAttributes.h"
#include "dialects/quern/QuernDialect.h"
#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "dialects/quern/QuernCost.h"

#include "dialects/quern/QuernEnums.h.inc"
#include "dialects/quern/QuernInterfaces.h.inc"

#define GET_OP_CLASSES
#include "dialects/quern/QuernOps.h.inc"

namespace quern {

/// A parsed `quern.einsum` equation: one string of dimension letters per
/// operand and one for the result.
struct EinsumEquation {
  llvm::SmallVector<std::string> operands;
  std::string result;
};

/// Parses an explicit equation (`"ij,jk->ik"`); std::nullopt if malformed.
std::optional<EinsumEquation> parseEinsumEquation(llvm::StringRef equation);

} // namespace quern

#endif // QUERN_DIALECTS_QUERN_QUERNOPS_H
