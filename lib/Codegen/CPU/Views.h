//===- Views.h - the users of a buffer through its views --------*- C++ -*-===//
//
// Shared by the passes that ask who touches a buffer: the workspace plan
// (a buffer's last use), the fill forwarding (who reads an accumulator),
// the packs moved into products (what else reads the packed buffer) and
// the GPU mapping (which buffers a kernel's views may share).
//
//===----------------------------------------------------------------------===//

#ifndef QUERN_LIB_CODEGEN_CPU_VIEWS_H
#define QUERN_LIB_CODEGEN_CPU_VIEWS_H

#include "mlir/Interfaces/ViewLikeInterface.h"
#include "llvm/ADT/DenseSet.h"

namespace quern {

/// Calls `visit(user, isView)` on every op that uses `root` or a view of it,
/// the views of it (isView) included, until it returns false; returns
/// whether it never did.
inline bool forEachUserThroughViews(
    mlir::Value root, llvm::function_ref<bool(mlir::Operation *, bool)> visit) {
  llvm::SmallVector<mlir::Value> worklist = {root};
  while (!worklist.empty()) {
    mlir::Value value = worklist.pop_back_val();
    for (mlir::Operation *user : value.getUsers()) {
      auto view = llvm::dyn_cast<mlir::ViewLikeOpInterface>(user);
      bool isView = view && view.getViewSource() == value;
      if (!visit(user, isView))
        return false;
      if (isView)
        llvm::append_range(worklist, user->getResults());
    }
  }
  return true;
}

/// Calls `visit` on every op that uses `buffer` or a view of it, other than
/// the views, until it returns false; returns whether it never did.
inline bool allUsers(mlir::Value buffer,
                     llvm::function_ref<bool(mlir::Operation *)> visit) {
  return forEachUserThroughViews(buffer,
                                 [&](mlir::Operation *user, bool isView) {
                                   return isView || visit(user);
                                 });
}

/// Every value `values` are computed from, themselves included: the
/// operands of their defining ops, and theirs, and so on. Where a view or a
/// transfer reads is computed from the induction variables of the loops
/// that move it.
inline llvm::DenseSet<mlir::Value> computedFrom(mlir::ValueRange values) {
  llvm::DenseSet<mlir::Value> sources;
  llvm::SmallVector<mlir::Value> worklist(values.begin(), values.end());
  while (!worklist.empty()) {
    mlir::Value next = worklist.pop_back_val();
    if (!sources.insert(next).second)
      continue;
    if (mlir::Operation *def = next.getDefiningOp())
      llvm::append_range(worklist, def->getOperands());
  }
  return sources;
}

/// The buffer `value` is a view of, or `value`.
inline mlir::Value viewedBuffer(mlir::Value value) {
  while (auto view = value.getDefiningOp<mlir::ViewLikeOpInterface>())
    value = view.getViewSource();
  return value;
}

} // namespace quern

#endif // QUERN_LIB_CODEGEN_CPU_VIEWS_H
