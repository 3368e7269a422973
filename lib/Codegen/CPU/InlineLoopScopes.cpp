//===- InlineLoopScopes.cpp - loop bodies without stack scopes --*- C++ -*-===//
//
// SCF-to-OpenMP puts every parallel loop body in a memref.alloca_scope. A
// body that makes no stack allocation of its own does not need it, and as a
// scope is one block, its branches could not be lowered to control flow:
// such scopes are inlined.
//
//===----------------------------------------------------------------------===//

#include "quern/Codegen/CPU/Passes.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/PatternMatch.h"

namespace quern {
#define GEN_PASS_DEF_INLINELOOPSCOPESPASS
#include "quern/Codegen/CPU/Passes.h.inc"
} // namespace quern

using namespace mlir;

namespace {

struct InlineLoopScopesPass
    : quern::impl::InlineLoopScopesPassBase<InlineLoopScopesPass> {
  void runOnOperation() override {
    SmallVector<memref::AllocaScopeOp> scopes;
    getOperation()->walk([&](memref::AllocaScopeOp scope) {
      if (scope->getNumResults() == 0 &&
          !scope->walk([](memref::AllocaOp) { return WalkResult::interrupt(); })
               .wasInterrupted())
        scopes.push_back(scope);
    });
    IRRewriter rewriter(&getContext());
    for (memref::AllocaScopeOp scope : scopes) {
      Block &body = scope.getBodyRegion().front();
      rewriter.eraseOp(body.getTerminator());
      rewriter.inlineBlockBefore(&body, scope);
      rewriter.eraseOp(scope);
    }
  }
};

} // namespace
