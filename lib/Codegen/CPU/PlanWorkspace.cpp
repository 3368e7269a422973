//===- PlanWorkspace.cpp - static buffer placement --------------*- C++ -*-===//
//
// Places every temporary buffer of a bufferized function at a fixed offset in
// one caller-provided workspace. Buffers whose live ranges do not overlap
// share bytes; live ranges are measured in positions of the ops of the
// buffer's block, which is exact before linalg is lowered to loops because
// every buffer use is then an op of that block (or nested in one). A block
// nested in an op (the body of a micro-batch loop) is planned the same way
// on its own, and the bytes it needs become one buffer live at that op; a
// parallel loop's body may need none, since its iterations would share it.
//
// An elementwise op may write its result over an input it reads for the
// last time (in place): each element is read before it is written over, and
// no other element reads it. The two buffers are then one, live from the
// input's first use to the result's last: the log-probabilities of a large
// vocabulary become their gradient in the bytes they had, instead of both
// being live at once.
//
// A training step's quern.backward_begins marks where its backward pass
// begins: the buffers first used before it and last used after it are the
// activations kept for backward, and their bytes are recorded
// (quern.kept_for_backward_bytes) before the marker is erased.
//
//===----------------------------------------------------------------------===//

#include "Strategy.h"
#include "Views.h"

#include "quern/Codegen/CPU/Passes.h"

#include "dialects/quern/QuernAttributes.h"
#include "dialects/quern/QuernOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Interfaces/DataLayoutInterfaces.h"
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

/// Where an alloc goes, relative to the start of its block's bytes.
using Placement = std::pair<memref::AllocOp, int64_t>;

/// One buffer to place: its live range [first, last] in op positions of its
/// block and its size. It is an alloc, or the bytes of the blocks nested in
/// one op, whose own allocs are `nested`. `firstUse` is the first op that
/// uses it (the alloc itself for a buffer nothing uses). The allocs of
/// `inPlace` are written over it, in place, and share its offset.
struct Buffer {
  memref::AllocOp alloc;
  int64_t first, last, bytes;
  SmallVector<Placement> nested = {};
  int64_t firstUse = first;
  int64_t offset = -1;
  SmallVector<memref::AllocOp> inPlace = {};
};

/// The positions of the first and the last op of `block` that use `root` or
/// a view of it; fails if the buffer leaves the block through its
/// terminator.
FailureOr<std::pair<int64_t, int64_t>>
useRange(Value root, Block &block,
         const llvm::DenseMap<Operation *, int64_t> &position) {
  int64_t defined = position.lookup(root.getDefiningOp());
  int64_t first = std::numeric_limits<int64_t>::max(), last = defined;
  bool stays = forEachUserThroughViews(root, [&](Operation *user, bool) {
    if (user == block.getTerminator())
      return false;
    if (Operation *ancestor = block.findAncestorOpInBlock(*user)) {
      first = std::min(first, position.lookup(ancestor));
      last = std::max(last, position.lookup(ancestor));
    }
    return true;
  });
  if (!stays)
    return failure();
  return std::make_pair(std::min(first, last), last);
}

/// Whether `op` may write its output `init` over `input`, a buffer it reads
/// for the last time: `op` is an elementwise linalg op (parallel loops, an
/// output map that is a permutation, an output it does not read) and reads
/// `input`, of the output's type, only as inputs at the output's map, each
/// element in the iteration that writes it. Neither is a view: their bytes
/// are the same.
bool writesOverInput(linalg::LinalgOp op, OpOperand &init, Value input) {
  if (!op.hasPureBufferSemantics() ||
      op.getNumLoops() != op.getNumParallelLoops() ||
      input.getType() != init.get().getType() ||
      op.payloadUsesValueFromOperand(&init))
    return false;
  AffineMap written = op.getMatchingIndexingMap(&init);
  if (!written.isPermutation())
    return false;
  // Nothing nested in the op (a load in its body) reads the input; no op
  // makes an alias of it that is not a view (whose users the walk would
  // not see); and no op loads from it outside kernels (a GPU's kernels
  // load such a scalar again where they use it, after the op).
  if (!forEachUserThroughViews(input, [&](Operation *user, bool isView) {
        if (user == op)
          return true;
        return !op->isAncestor(user) && !isa<memref::LoadOp>(user) &&
               (isView || llvm::none_of(user->getResultTypes(),
                                        llvm::IsaPred<MemRefType>));
      }))
    return false;
  bool read = false;
  for (OpOperand &operand : op->getOpOperands()) {
    Value buffer = viewedBuffer(operand.get());
    if (buffer == init.get() && &operand != &init)
      return false;
    if (buffer != input)
      continue;
    if (operand.get() != input || !op.isDpsInput(&operand) ||
        op.getMatchingIndexingMap(&operand) != written)
      return false;
    read = true;
  }
  return read;
}

/// Merges into one buffer each elementwise op's output and an input the op
/// reads for the last time (writesOverInput), in program order, so that a
/// chain of them stays in one buffer. `ops` are the block's ops by position.
void shareInPlace(SmallVector<Buffer> &buffers, ArrayRef<Operation *> ops) {
  llvm::DenseMap<Value, size_t> byAlloc;
  for (auto [index, buffer] : llvm::enumerate(buffers))
    if (buffer.alloc)
      byAlloc[buffer.alloc] = index;
  SmallVector<size_t> order = llvm::to_vector(llvm::seq(buffers.size()));
  llvm::sort(order, [&](size_t a, size_t b) {
    return std::make_pair(buffers[a].firstUse, a) <
           std::make_pair(buffers[b].firstUse, b);
  });
  SmallVector<bool> merged(buffers.size(), false);
  for (size_t index : order) {
    Buffer &output = buffers[index];
    auto op = dyn_cast<linalg::LinalgOp>(ops[output.firstUse]);
    if (!output.alloc || !op || output.last == output.firstUse)
      continue;
    OpOperand *init = llvm::find_if(op.getDpsInitsMutable(), [&](OpOperand &o) {
      return o.get() == output.alloc;
    });
    if (init == op.getDpsInitsMutable().end())
      continue;
    for (Value input : op.getDpsInputs()) {
      auto found = byAlloc.find(input);
      if (found == byAlloc.end())
        continue;
      Buffer &over = buffers[found->second];
      if (over.last != output.firstUse || over.firstUse >= output.firstUse ||
          !writesOverInput(op, *init, input))
        continue;
      over.first = std::min(over.first, output.first);
      over.last = output.last;
      over.inPlace.push_back(output.alloc);
      // The output is now the buffer it was written over, for the ops
      // that read it next.
      byAlloc[output.alloc] = found->second;
      merged[index] = true;
      break;
    }
  }
  SmallVector<Buffer> kept;
  for (auto [index, buffer] : llvm::enumerate(buffers))
    if (!merged[index])
      kept.push_back(std::move(buffer));
  buffers = std::move(kept);
}

/// The most buffers the peak's record lists.
constexpr size_t kPeakBuffers = 8;

/// `{bytes, name, op}` of `bytes` at the ONNX node `loc` names.
DictionaryAttr describedBytes(Builder &b, int64_t bytes, Location loc) {
  OnnxNodeLocation node = describeLocation(loc);
  return b.getDictionaryAttr(
      {b.getNamedAttr("bytes", b.getI64IntegerAttr(bytes)),
       b.getNamedAttr("name", b.getStringAttr(node.name)),
       b.getNamedAttr("op", b.getStringAttr(node.opType))});
}

/// The record of the moment `buffers` hold the most bytes (kPeakAttrName).
/// A buffer is named by the op that first writes it (the op holding a
/// nested block's buffers).
DictionaryAttr describePeak(Builder &b, ArrayRef<Buffer> buffers,
                            ArrayRef<Operation *> ops) {
  SmallVector<int64_t> delta(ops.size() + 1, 0);
  for (const Buffer &buffer : buffers) {
    delta[buffer.first] += buffer.bytes;
    delta[buffer.last + 1] -= buffer.bytes;
  }
  int64_t live = 0, most = 0, at = 0;
  for (auto [position, change] : llvm::enumerate(ArrayRef(delta).drop_back()))
    if ((live += change) > most) {
      most = live;
      at = static_cast<int64_t>(position);
    }
  SmallVector<const Buffer *> held;
  for (const Buffer &buffer : buffers)
    if (buffer.first <= at && at <= buffer.last)
      held.push_back(&buffer);
  llvm::stable_sort(held, [](const Buffer *a, const Buffer *b) {
    return a->bytes > b->bytes;
  });
  SmallVector<Attribute> listed;
  for (const Buffer *buffer : ArrayRef(held).take_front(kPeakBuffers))
    listed.push_back(describedBytes(
        b, buffer->bytes,
        ops[buffer->alloc ? buffer->firstUse : buffer->first]->getLoc()));
  NamedAttrList record(describedBytes(b, most, ops[at]->getLoc()));
  record.append("buffers", b.getArrayAttr(listed));
  record.append("count", b.getI64IntegerAttr(held.size()));
  return record.getDictionary(b.getContext());
}

/// The bytes of `buffers` first used before position `boundary` and last
/// used after it.
int64_t bytesLiveAcross(ArrayRef<Buffer> buffers, int64_t boundary) {
  int64_t bytes = 0;
  for (const Buffer &buffer : buffers)
    if (buffer.firstUse < boundary && buffer.last > boundary)
      bytes += buffer.bytes;
  return bytes;
}

/// Places the allocs of `block` and of the blocks nested in its ops at
/// offsets from the block's start, appending them to `placements`. Returns
/// the bytes the block needs. `keptBytes` becomes at least the bytes live
/// across a quern.backward_begins in the blocks planned.
FailureOr<int64_t> planBlock(Block &block, const DataLayout &dataLayout,
                             SmallVector<Placement> &placements,
                             std::optional<int64_t> &keptBytes,
                             DictionaryAttr *peak = nullptr);

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

FailureOr<int64_t> planBlock(Block &block, const DataLayout &dataLayout,
                             SmallVector<Placement> &placements,
                             std::optional<int64_t> &keptBytes,
                             DictionaryAttr *peak) {
  llvm::DenseMap<Operation *, int64_t> position;
  SmallVector<Operation *> ops;
  for (auto [index, op] : llvm::enumerate(block)) {
    position[&op] = index;
    ops.push_back(&op);
  }
  // A pack that tiling will move into its product's tile loops is marked,
  // and counts as where the product is: its input lives until then.
  for (Operation &op : block)
    if (auto pack = dyn_cast<linalg::LinalgOp>(op))
      if (linalg::LinalgOp product = packedProduct(pack)) {
        pack->setAttr(kPanelPackAttrName, UnitAttr::get(op.getContext()));
        position[pack] = position[product];
      }

  SmallVector<Buffer> buffers;
  std::optional<int64_t> boundary;
  for (Operation &op : block) {
    int64_t here = position[&op];
    if (isa<BackwardBeginsOp>(op))
      boundary = here;
    if (auto alloc = dyn_cast<memref::AllocOp>(op)) {
      MemRefType type = alloc.getType();
      if (!type.hasStaticShape() || !type.getLayout().isIdentity())
        return alloc.emitOpError("cannot be placed in the workspace: only "
                                 "statically shaped buffers can");
      FailureOr<std::pair<int64_t, int64_t>> uses =
          useRange(alloc, block, position);
      if (failed(uses))
        return alloc.emitOpError("cannot be placed in the workspace: it "
                                 "outlives its block");
      Buffer &buffer = buffers.emplace_back(Buffer{
          alloc, here, uses->second,
          type.getNumElements() * static_cast<int64_t>(dataLayout.getTypeSize(
                                      type.getElementType()))});
      buffer.firstUse = uses->first;
      continue;
    }
    for (Region &region : op.getRegions())
      for (Block &nested : region) {
        SmallVector<Placement> inner;
        FailureOr<int64_t> bytes =
            planBlock(nested, dataLayout, inner, keptBytes);
        if (failed(bytes))
          return failure();
        // One placement serves every iteration: parallel ones would share
        // it.
        if (*bytes > 0 && isa<scf::ForallOp, scf::ParallelOp>(op))
          return op.emitOpError("has a buffer in its body, which its "
                                "parallel iterations would share");
        if (*bytes > 0)
          buffers.push_back({nullptr, here, here, *bytes, std::move(inner)});
      }
  }
  shareInPlace(buffers, ops);
  if (peak && !buffers.empty()) {
    Builder builder(block.getParentOp()->getContext());
    *peak = describePeak(builder, buffers, ops);
  }
  if (boundary)
    keptBytes =
        std::max(keptBytes.value_or(0), bytesLiveAcross(buffers, *boundary));

  int64_t total = assignOffsets(buffers);
  for (Buffer &buffer : buffers) {
    if (buffer.alloc)
      placements.emplace_back(buffer.alloc, buffer.offset);
    for (memref::AllocOp alloc : buffer.inPlace)
      placements.emplace_back(alloc, buffer.offset);
    for (auto [alloc, offset] : buffer.nested)
      placements.emplace_back(alloc, buffer.offset + offset);
  }
  return total;
}

struct PlanWorkspacePass
    : quern::impl::PlanWorkspacePassBase<PlanWorkspacePass> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (func.isExternal())
      return;
    SmallVector<Placement> placements;
    std::optional<int64_t> keptBytes;
    DictionaryAttr peak;
    FailureOr<int64_t> planned =
        planBlock(func.getBody().front(), DataLayout::closest(func), placements,
                  keptBytes, &peak);
    if (failed(planned))
      return signalPassFailure();
    int64_t total = *planned;
    OpBuilder builder(func.getContext());
    if (peak)
      func->setAttr(kPeakAttrName, peak);
    if (keptBytes)
      func->setAttr(kKeptBytesAttrName, builder.getI64IntegerAttr(*keptBytes));
    func.walk([](BackwardBeginsOp marker) { marker.erase(); });
    auto workspaceType = MemRefType::get({total}, builder.getI8Type());
    unsigned index = func.getNumArguments();
    func.insertArgument(index, workspaceType,
                        builder.getDictionaryAttr(builder.getNamedAttr(
                            kWorkspaceAttrName, builder.getUnitAttr())),
                        func.getLoc());
    Value workspace = func.getArgument(index);
    func->setAttr(kWorkspaceBytesAttrName, builder.getI64IntegerAttr(total));

    for (auto [alloc, offset] : placements) {
      builder.setInsertionPoint(alloc);
      Location loc = alloc.getLoc();
      Value view = builder.create<memref::ViewOp>(
          loc, alloc.getType(), workspace,
          builder.create<arith::ConstantIndexOp>(loc, offset), ValueRange{});
      alloc.replaceAllUsesWith(view);
      alloc.erase();
    }
  }
};

} // namespace
