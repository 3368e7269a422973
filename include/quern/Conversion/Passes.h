//===- Passes.h - Quern conversion passes -----------------------*- C++ -*-===//

#ifndef QUERN_CONVERSION_PASSES_H
#define QUERN_CONVERSION_PASSES_H

#include "quern/Conversion/QuernToLinalg.h"

namespace quern {

#define GEN_PASS_REGISTRATION
#include "quern/Conversion/Passes.h.inc"

} // namespace quern

#endif // QUERN_CONVERSION_PASSES_H
