//===- Cost.h - the work and traffic of a linalg op on buffers --*- C++ -*-===//
//
// What the kernel report states per kernel and estimates its time from:
// floating-point operations, counted from the op's body, and the bytes of
// the buffers it reads and writes, each once (the least traffic the op can
// have; tiling decides how close it gets).
//
//===----------------------------------------------------------------------===//

#ifndef QUERN_LIB_CODEGEN_CPU_COST_H
#define QUERN_LIB_CODEGEN_CPU_COST_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"

namespace quern {

struct Cost {
  /// Floating-point operations: per iteration, the float-valued arith and
  /// math ops of the body (casts aside; a multiply-add counts two), times
  /// the iterations.
  int64_t flops = 0;
  /// Bytes of the inputs and the inits, each buffer once.
  int64_t bytes = 0;

  Cost &operator+=(const Cost &other) {
    flops += other.flops;
    bytes += other.bytes;
    return *this;
  }
};

/// The cost of `op`, whose loops and operands have static sizes (zero for
/// what is dynamic).
Cost costOf(mlir::linalg::LinalgOp op);

} // namespace quern

#endif // QUERN_LIB_CODEGEN_CPU_COST_H
