//===- QuernCost.h - what a quern op costs ----------------------*- C++ -*-===//
//
// The rules behind CostOpInterface (QuernInterfaces.td), one per op family.
//
//===----------------------------------------------------------------------===//

#ifndef QUERN_DIALECTS_QUERN_QUERNCOST_H
#define QUERN_DIALECTS_QUERN_QUERNCOST_H

#include "mlir/IR/Operation.h"

namespace quern {

/// Floating-point operations of one execution of the quern op `op`.
int64_t countFlops(mlir::Operation *op);

/// Bytes of the ranked tensors among `types` (sub-byte types rounded up per
/// tensor).
int64_t tensorBytes(mlir::TypeRange types);

} // namespace quern

#endif // QUERN_DIALECTS_QUERN_QUERNCOST_H
