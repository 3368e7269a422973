//===- JoinOnce.cpp - one barrier per parallel region -----------*- C++ -*-===//
//
// A worksharing loop waits for every thread at its end unless it is
// `nowait`, and the end of a parallel region waits for them again. When
// the loop is all the region does, the first barrier only delays the
// second: the loop becomes `nowait` and each kernel pays one barrier.
//
//===----------------------------------------------------------------------===//

#include "quern/Codegen/CPU/Passes.h"

#include "mlir/Dialect/OpenMP/OpenMPDialect.h"

namespace quern {
#define GEN_PASS_DEF_JOINONCEPASS
#include "quern/Codegen/CPU/Passes.h.inc"
} // namespace quern

using namespace mlir;

namespace {

struct JoinOncePass : quern::impl::JoinOncePassBase<JoinOncePass> {
  void runOnOperation() override {
    getOperation()->walk([](omp::WsloopOp loop) {
      // The loop must be the last op of its region before the terminator,
      // and the region the parallel region itself (not a nested one).
      // Loops with reductions keep their barrier: a conservative choice,
      // as their results are read after the region anyway.
      Operation *next = loop->getNextNode();
      if (loop.getReductionVars().empty() && next &&
          isa<omp::TerminatorOp>(next) &&
          isa<omp::ParallelOp>(loop->getParentOp()))
        loop.setNowait(true);
    });
  }
};

} // namespace
