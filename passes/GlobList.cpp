//===- GlobList.cpp - globs over parameter names ----------------*- C++ -*-===//

#include "passes/GlobList.h"

#include "mlir/IR/Diagnostics.h"

using namespace mlir;
using namespace quern;

LogicalResult GlobList::compile(Operation *at, ArrayRef<std::string> list) {
  for (const std::string &pattern : list) {
    llvm::Expected<llvm::GlobPattern> glob = llvm::GlobPattern::create(pattern);
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

bool GlobList::matches(StringRef name) {
  bool any = false;
  for (auto [position, glob] : llvm::enumerate(globs))
    if (glob.match(name)) {
      used[position] = true;
      any = true;
    }
  return any;
}

LogicalResult GlobList::checkAllUsed(Operation *at, StringRef what) const {
  for (auto [pattern, wasUsed] : llvm::zip_equal(patterns, used))
    if (!wasUsed)
      return at->emitError()
             << option << ": '" << pattern << "' matches no " << what;
  return success();
}
