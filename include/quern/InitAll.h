//===- InitAll.h - register everything Quern adds to MLIR -------*- C++ -*-===//
//
// Tools call these so that quern-opt, quern-translate and quernc all see the
// same dialects and passes.
//
//===----------------------------------------------------------------------===//

#ifndef QUERN_INITALL_H
#define QUERN_INITALL_H

#include "mlir/IR/DialectRegistry.h"

namespace quern {

/// The quern dialect plus the upstream dialects Quern's pipelines produce.
void registerQuernDialects(mlir::DialectRegistry &registry);

/// Quern's passes and named pipelines, for opt-style tools.
void registerQuernPasses();

} // namespace quern

#endif // QUERN_INITALL_H
