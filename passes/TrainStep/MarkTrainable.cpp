//===- MarkTrainable.cpp - which parameters a step trains -------*- C++ -*-===//

#include "passes/Passes.h"

#include "dialects/quern/QuernOps.h"
#include "passes/GlobList.h"

namespace quern {
#define GEN_PASS_DEF_MARKTRAINABLEPASS
#include "passes/Passes.h.inc"
} // namespace quern

using namespace mlir;
using namespace quern;

namespace {

struct MarkTrainablePass
    : quern::impl::MarkTrainablePassBase<MarkTrainablePass> {
  using quern::impl::MarkTrainablePassBase<
      MarkTrainablePass>::MarkTrainablePassBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    auto forward = module.lookupSymbol<func::FuncOp>("forward");
    if (!forward) {
      module.emitError("no @forward function to train");
      return signalPassFailure();
    }
    GlobList train{"trainable"}, frozen{"freeze"};
    if (failed(train.compile(module, trainable)) ||
        failed(frozen.compile(module, freeze)))
      return signalPassFailure();
    for (unsigned index = 0; index < forward.getNumArguments(); ++index) {
      std::optional<ParamInfo> param = getParam(forward, index);
      if (!param)
        continue;
      bool isTrainable = train.empty() || train.matches(param->name);
      if (frozen.matches(param->name))
        isTrainable = false;
      // Integers (a quantized weight's codes) are not trained.
      if (!isa<FloatType>(
              getElementTypeOrSelf(forward.getArgument(index).getType())))
        isTrainable = false;
      setParam(forward, index, param->name, isTrainable);
    }
    if (failed(train.checkAllUsed(module, "parameter")) ||
        failed(frozen.checkAllUsed(module, "parameter")))
      return signalPassFailure();
  }
};

} // namespace
