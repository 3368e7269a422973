//===- GlobList.h - globs over parameter names ------------------*- C++ -*-===//
//
// The lists of globs that graph-pass options take (--trainable, --freeze,
// --quantize-only, --lora-targets): each glob must parse and must match,
// so that a typo is an error rather than a silent no-op.
//
//===----------------------------------------------------------------------===//

#ifndef QUERN_PASSES_GLOBLIST_H
#define QUERN_PASSES_GLOBLIST_H

#include "mlir/IR/Operation.h"
#include "llvm/Support/GlobPattern.h"

#include <string>
#include <vector>

namespace quern {

/// A list of globs and, per glob, whether it matched.
class GlobList {
public:
  /// `option` names the list in diagnostics.
  explicit GlobList(llvm::StringRef option) : option(option) {}

  /// Parses `list`; a malformed glob is an error at `at`.
  mlir::LogicalResult compile(mlir::Operation *at,
                              llvm::ArrayRef<std::string> list);

  bool empty() const { return globs.empty(); }

  /// Whether some glob matches `name` (marking every one that does).
  bool matches(llvm::StringRef name);

  /// An error at `at` for the first glob that matched nothing, which `what`
  /// describes ("parameter").
  mlir::LogicalResult checkAllUsed(mlir::Operation *at,
                                   llvm::StringRef what) const;

private:
  std::string option;
  std::vector<llvm::GlobPattern> globs;
  std::vector<std::string> patterns;
  std::vector<bool> used;
};

} // namespace quern

#endif // QUERN_PASSES_GLOBLIST_H
