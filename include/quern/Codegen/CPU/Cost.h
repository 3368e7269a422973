//===- Cost.h - the cost interface of linalg ops ----------------*- C++ -*-===//
//
// CostOpInterface (dialects/quern/QuernInterfaces.td) for linalg's
// structured ops, so that what weighs work after conversion (elementwise
// fusion's recomputation, the kernel report) reads the interface the graph
// passes read on quern ops, with one rule per scalar op.
//
// FLOPs: per iteration, one per float-valued arith or math op of the body
// (two for a fused multiply-add; none for casts, selects and constants,
// which move values), times the iterations; as quern ops count theirs.
// Bytes: the distinct inputs are read, the inits not among them written,
// each buffer once (the least traffic the op can have; tiling decides how
// close it gets). Dynamic sizes count nothing.
//
//===----------------------------------------------------------------------===//

#ifndef QUERN_CODEGEN_CPU_COST_H
#define QUERN_CODEGEN_CPU_COST_H

namespace mlir {
class DialectRegistry;
} // namespace mlir

namespace quern {

/// Attaches CostOpInterface to every linalg structured op.
void registerLinalgCostModel(mlir::DialectRegistry &registry);

} // namespace quern

#endif // QUERN_CODEGEN_CPU_COST_H
