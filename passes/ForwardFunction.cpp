//===- ForwardFunction.cpp - the graph the passes rewrite -------*- C++ -*-===//

#include "passes/ForwardFunction.h"

using namespace mlir;

func::FuncOp quern::lookupForward(ModuleOp module, StringRef purpose) {
  auto forward = module.lookupSymbol<func::FuncOp>("forward");
  if (!forward)
    module.emitError() << "no @forward function to " << purpose;
  return forward;
}
