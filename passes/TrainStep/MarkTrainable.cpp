//===- MarkTrainable.cpp - which parameters a step trains -------*- C++ -*-===//

#include "passes/Passes.h"

#include "dialects/quern/QuernOps.h"
#include "passes/ForwardFunction.h"
#include "passes/GlobList.h"

namespace quern {
#define GEN_PASS_DEF_MARKTRAINABLEPASS
#include "passes/Passes.h.inc"
} // namespace quern

using namespace mlir;
using namespace quern;

namespace {

/// Whether every reader of `param` (through reshapes) is a decoding of
/// quantized codes that reads it as its scales or offset.
bool onlyDecoded(Value param) {
  SmallVector<Value> worklist = {param};
  bool read = false;
  while (!worklist.empty()) {
    Value value = worklist.pop_back_val();
    for (OpOperand &use : value.getUses()) {
      if (isa<ReshapeOp>(use.getOwner())) {
        worklist.push_back(use.getOwner()->getResult(0));
        continue;
      }
      auto decode = dyn_cast<DequantizeOp>(use.getOwner());
      if (!decode || use.get() == decode.getCodes())
        return false;
      read = true;
    }
  }
  return read;
}

struct MarkTrainablePass
    : quern::impl::MarkTrainablePassBase<MarkTrainablePass> {
  using quern::impl::MarkTrainablePassBase<
      MarkTrainablePass>::MarkTrainablePassBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    func::FuncOp forward = lookupForward(module, "train");
    if (!forward)
      return signalPassFailure();
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
      // The parts of an imported quantized weight (MatMulNBits' codes and
      // scales) are not trained: integers, and what only decoding reads.
      if (!isa<FloatType>(
              getElementTypeOrSelf(forward.getArgument(index).getType())) ||
          onlyDecoded(forward.getArgument(index)))
        isTrainable = false;
      setParam(forward, index, param->name, isTrainable);
    }
    if (failed(train.checkAllUsed(module, "parameter")) ||
        failed(frozen.checkAllUsed(module, "parameter")))
      return signalPassFailure();
  }
};

} // namespace
