//===- PlanWorkspace.cpp - static buffer placement --------------*- C++ -*-===//
//
// Places every temporary buffer of a bufferized function at a fixed offset in
// one caller-provided workspace. Buffers whose live ranges do not overlap
// share bytes; live ranges are measured in positions of the entry block's
// ops, which is exact before linalg is lowered to loops because every buffer
// use is then an op of the entry block (or nested in one).
//
//===----------------------------------------------------------------------===//

#include "quern/Codegen/CPU/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Interfaces/DataLayoutInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"
#include "llvm/ADT/DenseMap.h"

namespace quern {
#define GEN_PASS_DEF_PLANWORKSPACEPASS
#include "quern/Codegen/CPU/Passes.h.inc"
} // namespace quern

using namespace mlir;
using namespace quern;

namespace {

constexpr int64_t kAlignment = 64;

int64_t alignTo(int64_t value) {
  return (value + kAlignment - 1) / kAlignment * kAlignment;
}

/// One buffer to place: its live range [first, last] in entry-block op
/// positions and its size.
struct Buffer {
  memref::AllocOp alloc;
  int64_t first, last, bytes;
  int64_t offset = -1;
};

/// The position of the last op of `block` that uses `root` or a view of it.
int64_t lastUse(Value root, Block &block,
                const llvm::DenseMap<Operation *, int64_t> &position) {
  int64_t last = position.lookup(root.getDefiningOp());
  SmallVector<Value> worklist = {root};
  while (!worklist.empty()) {
    Value value = worklist.pop_back_val();
    for (Operation *user : value.getUsers()) {
      if (Operation *ancestor = block.findAncestorOpInBlock(*user))
        last = std::max(last, position.lookup(ancestor));
      if (auto view = dyn_cast<ViewLikeOpInterface>(user))
        if (view.getViewSource() == value)
          llvm::append_range(worklist, user->getResults());
    }
  }
  return last;
}

/// First fit by decreasing size: each buffer goes to the lowest offset that
/// no already placed, simultaneously live buffer occupies.
int64_t assignOffsets(MutableArrayRef<Buffer> buffers) {
  SmallVector<Buffer *> order;
  for (Buffer &buffer : buffers)
    order.push_back(&buffer);
  // Ties go in program order, so the plan depends only on the IR.
  llvm::sort(order, [](const Buffer *a, const Buffer *b) {
    return std::make_pair(-a->bytes, a->first) <
           std::make_pair(-b->bytes, b->first);
  });
  int64_t total = 0;
  SmallVector<Buffer *> placed;
  for (Buffer *buffer : order) {
    SmallVector<Buffer *> conflicts;
    for (Buffer *other : placed)
      if (other->first <= buffer->last && buffer->first <= other->last)
        conflicts.push_back(other);
    llvm::sort(conflicts, [](const Buffer *a, const Buffer *b) {
      return a->offset < b->offset;
    });
    int64_t offset = 0;
    for (Buffer *other : conflicts) {
      if (offset + buffer->bytes <= other->offset)
        break;
      offset = std::max(offset, alignTo(other->offset + other->bytes));
    }
    buffer->offset = offset;
    total = std::max(total, alignTo(offset + buffer->bytes));
    placed.push_back(buffer);
  }
  return total;
}

struct PlanWorkspacePass
    : quern::impl::PlanWorkspacePassBase<PlanWorkspacePass> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (func.isExternal())
      return;
    Block &entry = func.getBody().front();
    llvm::DenseMap<Operation *, int64_t> position;
    for (auto [index, op] : llvm::enumerate(entry))
      position[&op] = index;

    DataLayout dataLayout = DataLayout::closest(func);
    SmallVector<Buffer> buffers;
    WalkResult walk = func.walk([&](memref::AllocOp alloc) {
      MemRefType type = alloc.getType();
      if (!type.hasStaticShape() || !type.getLayout().isIdentity() ||
          alloc->getBlock() != &entry) {
        alloc.emitOpError("cannot be placed in the workspace: only statically "
                          "shaped buffers in the entry block can");
        return WalkResult::interrupt();
      }
      int64_t bytes = type.getNumElements() *
                      dataLayout.getTypeSize(type.getElementType());
      buffers.push_back({alloc, position[alloc], lastUse(alloc, entry, position),
                         bytes});
      return WalkResult::advance();
    });
    if (walk.wasInterrupted())
      return signalPassFailure();

    int64_t total = assignOffsets(buffers);
    OpBuilder builder(func.getContext());
    auto workspaceType = MemRefType::get({total}, builder.getI8Type());
    unsigned index = func.getNumArguments();
    func.insertArgument(index, workspaceType,
                        builder.getDictionaryAttr(builder.getNamedAttr(
                            kWorkspaceAttrName, builder.getUnitAttr())),
                        func.getLoc());
    Value workspace = func.getArgument(index);
    func->setAttr(kWorkspaceBytesAttrName, builder.getI64IntegerAttr(total));

    for (Buffer &buffer : buffers) {
      builder.setInsertionPoint(buffer.alloc);
      Location loc = buffer.alloc.getLoc();
      Value offset =
          builder.create<arith::ConstantIndexOp>(loc, buffer.offset);
      Value view = builder.create<memref::ViewOp>(
          loc, buffer.alloc.getType(), workspace, offset, ValueRange{});
      buffer.alloc.replaceAllUsesWith(view);
      buffer.alloc.erase();
    }
  }
};

} // namespace
