//===- QuernDialect.h - The quern dialect -----------------------*- C++ -*-===//
//
// Declares the quern dialect class. Include QuernOps.h for the ops.
//
//===----------------------------------------------------------------------===//

#ifndef QUERN_DIALECTS_QUERN_QUERNDIALECT_H
#define QUERN_DIALECTS_QUERN_QUERNDIALECT_H

#include "mlir/IR/Dialect.h"

#include "dialects/quern/QuernDialect.h.inc"

#endif // QUERN_DIALECTS_QUERN_QUERNDIALECT_H
