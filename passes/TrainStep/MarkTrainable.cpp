//===- MarkTrainable.cpp - which parameters a step trains -------*- C++ -*-===//

#include "passes/Passes.h"

#include "dialects/quern/QuernOps.h"
#include "llvm/Support/GlobPattern.h"

namespace quern {
#define GEN_PASS_DEF_MARKTRAINABLEPASS
#include "passes/Passes.h.inc"
} // namespace quern

using namespace mlir;
using namespace quern;

namespace {

/// A list of globs and, per glob, whether it matched a parameter.
struct GlobList {
  StringRef option;
  std::vector<llvm::GlobPattern> globs;
  std::vector<std::string> patterns;
  std::vector<bool> used;

  LogicalResult compile(Operation *at, ArrayRef<std::string> list) {
    for (const std::string &pattern : list) {
      llvm::Expected<llvm::GlobPattern> glob =
          llvm::GlobPattern::create(pattern);
      if (!glob)
        return at->emitError()
               << option << ": '" << pattern
               << "' is not a glob: " << llvm::toString(glob.takeError());
      globs.push_back(std::move(*glob));
      patterns.push_back(pattern);
    }
    used.assign(globs.size(), false);
    return success();
  }

  /// Whether some glob matches `name` (marking every one that does).
  bool matches(StringRef name) {
    bool any = false;
    for (auto [position, glob] : llvm::enumerate(globs))
      if (glob.match(name)) {
        used[position] = true;
        any = true;
      }
    return any;
  }

  LogicalResult checkAllUsed(Operation *at) const {
    for (auto [pattern, wasUsed] : llvm::zip_equal(patterns, used))
      if (!wasUsed)
        return at->emitError()
               << option << ": '" << pattern << "' matches no parameter";
    return success();
  }
};

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
      bool isTrainable = train.globs.empty() || train.matches(param->name);
      if (frozen.matches(param->name))
        isTrainable = false;
      setParam(forward, index, param->name, isTrainable);
    }
    if (failed(train.checkAllUsed(module)) ||
        failed(frozen.checkAllUsed(module)))
      return signalPassFailure();
  }
};

} // namespace
