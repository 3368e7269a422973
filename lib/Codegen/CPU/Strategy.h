//===- Strategy.h - the tiling decision for one linalg op -------*- C++ -*-===//
//
// What SelectStrategy decides and ApplyStrategy carries out, stored on the op
// as the `quern.strategy` dictionary so that it can be read, printed and
// tested between the two passes.
//
//===----------------------------------------------------------------------===//

#ifndef QUERN_LIB_CODEGEN_CPU_STRATEGY_H
#define QUERN_LIB_CODEGEN_CPU_STRATEGY_H

#include "mlir/IR/Operation.h"

#include <optional>

namespace quern {

inline constexpr llvm::StringLiteral kStrategyAttrName = "quern.strategy";

struct Strategy {
  enum Kind { Contraction, Elementwise, Reduction };
  Kind kind = Elementwise;
  /// Contractions: the m, n and k loops.
  llvm::SmallVector<int64_t> dims;
  /// One size per loop. Cache tiles only for contractions.
  llvm::SmallVector<int64_t> cacheTiles, registerTiles;
  /// The outer tile loop runs on several threads.
  bool parallel = false;

  void attach(mlir::Operation *op) const;
  static std::optional<Strategy> read(mlir::Operation *op);
};

} // namespace quern

#endif // QUERN_LIB_CODEGEN_CPU_STRATEGY_H
