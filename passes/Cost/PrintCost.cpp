//===- PrintCost.cpp - each op's cost as a remark ---------------*- C++ -*-===//

#include "passes/Passes.h"

#include "dialects/quern/QuernOps.h"

namespace quern {
#define GEN_PASS_DEF_PRINTCOSTPASS
#include "passes/Passes.h.inc"
} // namespace quern

using namespace mlir;
using namespace quern;

namespace {

struct PrintCostPass : quern::impl::PrintCostPassBase<PrintCostPass> {
  void runOnOperation() override {
    int64_t flops = 0, read = 0, written = 0;
    getOperation().walk([&](CostOpInterface op) {
      // A grouped_matmul_epilogue's cost counts its region's ops, once per
      // tile.
      if (op->getParentOfType<GroupedMatMulEpilogueOp>())
        return;
      op->emitRemark() << op.getFlops() << " flops, " << op.getBytesRead()
                       << " bytes read, " << op.getBytesWritten()
                       << " bytes written";
      flops += op.getFlops();
      read += op.getBytesRead();
      written += op.getBytesWritten();
    });
    getOperation().emitRemark()
        << "in all: " << flops << " flops, " << read << " bytes read, "
        << written << " bytes written";
    markAllAnalysesPreserved();
  }
};

} // namespace
