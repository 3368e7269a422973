//===- PutParallelDimsFirst.cpp - parallel loops first ----------*- C++ -*-===//

#include "quern/Codegen/AMDGPU/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/IR/PatternMatch.h"

namespace quern {
#define GEN_PASS_DEF_PUTPARALLELDIMSFIRSTPASS
#include "quern/Codegen/AMDGPU/Passes.h.inc"
} // namespace quern

using namespace mlir;

namespace {

struct PutParallelDimsFirstPass
    : quern::impl::PutParallelDimsFirstPassBase<PutParallelDimsFirstPass> {
  void runOnOperation() override {
    SmallVector<linalg::GenericOp> ops;
    getOperation().walk([&](linalg::GenericOp op) { ops.push_back(op); });
    IRRewriter rewriter(&getContext());
    for (linalg::GenericOp op : ops) {
      SmallVector<unsigned> order;
      for (auto [dim, type] : llvm::enumerate(op.getIteratorTypesArray()))
        if (linalg::isParallelIterator(type))
          order.push_back(dim);
      for (auto [dim, type] : llvm::enumerate(op.getIteratorTypesArray()))
        if (!linalg::isParallelIterator(type))
          order.push_back(dim);
      if (llvm::is_sorted(order))
        continue;
      rewriter.setInsertionPoint(op);
      if (failed(linalg::interchangeGenericOp(rewriter, op, order)))
        return signalPassFailure();
    }
  }
};

} // namespace
