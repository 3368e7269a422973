//===- FuseGroupedEpilogues.cpp - activations into grouped products -*- C++
//-*-//
//
// A mixture-of-experts block's first grouped products (a SwiGLU's gate and
// up, or one product before a ReLU) are followed by elementwise ops over
// all their rows: the activation. Left apart, each product is written out
// whole and the activation reads it back from memory. This pass makes the
// products that share their rows and the elementwise ops after them one
// quern.grouped_matmul_epilogue, whose lowering computes the activation on
// each tile of rows right after the tile's products, while they are in
// cache, in the same parallel loop.
//
// The epilogue is what comes after the first product, in order, reading
// what the products or the epilogue computed, up to the first op that reads
// them and cannot join (the last product reads the activation): so a
// backward pass's uses of the products stay where they are, and nothing
// moves across them. Ops that join are elementwise on floats with the
// products' rows; other operands they read (a bias gathered per row) are
// read tile by tile, splat constants are rebuilt at the tile's shape.
//
//===----------------------------------------------------------------------===//

#include "quern/Codegen/CPU/Passes.h"

#include "dialects/quern/QuernOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/IRMapping.h"
#include "llvm/ADT/SetVector.h"

namespace quern {
#define GEN_PASS_DEF_FUSEGROUPEDEPILOGUESPASS
#include "quern/Codegen/CPU/Passes.h.inc"
} // namespace quern

using namespace mlir;
using namespace quern;

namespace {

/// Whether `a` and `b` multiply the same rows, in the same tiles, by
/// weights of the same layout and shape.
bool shareRows(GroupedMatMulOp a, GroupedMatMulOp b) {
  return a.getLhs() == b.getLhs() && a.getTileGroups() == b.getTileGroups() &&
         a.getTransposeRhs() == b.getTransposeRhs() &&
         a.getRhs().getType() == b.getRhs().getType();
}

/// Whether `type` is a float tensor with `rows` rows and one more dimension.
bool isFloatRows(Type type, int64_t rows) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  return tensor && tensor.getRank() == 2 && tensor.getDimSize(0) == rows &&
         isa<FloatType>(tensor.getElementType());
}

bool isElementwise(Operation *op) {
  return isa<QuernDialect>(op->getDialect()) &&
         op->hasTrait<OpTrait::Elementwise>();
}

/// Whether `op` can be computed tile by tile in an epilogue over `rows`.
bool canJoin(Operation *op, int64_t rows) {
  return isElementwise(op) && op->getNumResults() == 1 &&
         isMemoryEffectFree(op) &&
         llvm::all_of(op->getOperandTypes(),
                      [&](Type type) { return isFloatRows(type, rows); }) &&
         isFloatRows(op->getResult(0).getType(), rows);
}

/// The products that share `first`'s rows, the epilogue after them (in
/// order) and the op before which they can be computed as one. The
/// epilogue writes `outputs`: its values that an op other than an
/// elementwise one reads outside it (the next product), and those that
/// elementwise ops read outside (a backward pass's) and that cost a
/// transcendental function to compute again (a sigmoid). The others such
/// ops read (a product of two values the backward pass reads anyway) are
/// not written: `recompute` (in order) computes them again after the
/// epilogue from its results, and quern-fuse-elementwise computes them
/// inside the loops that read them, so the backward pass keeps what it
/// would without the fusion.
struct Group {
  SmallVector<GroupedMatMulOp> products;
  llvm::SetVector<Operation *> epilogue;
  Operation *before = nullptr;
  SmallVector<Value> outputs = {}, recomputed = {};
  SmallVector<Operation *> recompute = {};

  /// Whether an op outside the epilogue reads `op`'s results.
  bool readOutside(Operation *op) const {
    return llvm::any_of(op->getUsers(), [&](Operation *user) {
      return !epilogue.contains(user);
    });
  }
};

/// Whether computing `op` again costs a call of a transcendental function
/// per element (LLVM has no vector instruction for them).
bool isTranscendental(Operation *op) {
  return isa<ExpOp, LogOp, TanhOp, SigmoidOp, ErfOp, PowOp, SinOp, CosOp>(op);
}

/// Splits the epilogue's values read outside it into outputs and the
/// recomputed ones, and lists the ops that compute those again.
void planOutputs(Group &group) {
  const llvm::SetVector<Operation *> &inEpilogue = group.epilogue;
  llvm::SmallPtrSet<Operation *, 16> written;
  for (Operation *inner : group.epilogue)
    for (Operation *user : inner->getUsers())
      if (!inEpilogue.contains(user) &&
          (!isElementwise(user) || isTranscendental(inner)))
        written.insert(inner);
  // What the recomputed values need, up to written values; a
  // transcendental one among them is written instead.
  llvm::SmallPtrSet<Operation *, 16> needed;
  for (Operation *inner : llvm::reverse(group.epilogue)) {
    if (written.contains(inner) ||
        (!group.readOutside(inner) && !needed.contains(inner)))
      continue;
    if (isTranscendental(inner)) {
      written.insert(inner);
      continue;
    }
    needed.insert(inner);
    for (Value operand : inner->getOperands())
      if (Operation *producer = operand.getDefiningOp();
          producer && inEpilogue.contains(producer))
        needed.insert(producer);
  }
  for (Operation *inner : group.epilogue) {
    if (written.contains(inner)) {
      group.outputs.push_back(inner->getResult(0));
      continue;
    }
    if (!needed.contains(inner))
      continue;
    group.recompute.push_back(inner);
    if (group.readOutside(inner))
      group.recomputed.push_back(inner->getResult(0));
  }
}

Group collect(GroupedMatMulOp first) {
  Group group{{first}, {}, nullptr};
  int64_t rows = first.getLhs().getType().getDimSize(0);
  llvm::SmallPtrSet<Value, 8> computed = {first.getResult()};
  Operation *op = first->getNextNode();
  for (; op; op = op->getNextNode()) {
    // Uses in an op's regions count: the fused op must come before them.
    bool reads = false;
    op->walk([&](Operation *inner) {
      reads |= llvm::any_of(inner->getOperands(), [&](Value operand) {
        return computed.contains(operand);
      });
    });
    auto product = dyn_cast<GroupedMatMulOp>(op);
    if (product && !reads && shareRows(first, product)) {
      group.products.push_back(product);
      computed.insert(product.getResult());
      continue;
    }
    // Nothing moves across an op with effects (the backward pass's marker,
    // a communication op).
    if (!reads && !isMemoryEffectFree(op))
      break;
    if (!reads)
      continue;
    if (!canJoin(op, rows))
      break;
    group.epilogue.insert(op);
    computed.insert(op->getResult(0));
  }
  group.before = op ? op : first->getBlock()->getTerminator();
  planOutputs(group);
  return group;
}

/// Whether every product of `group` is read after its epilogue too (a
/// training step keeps them for its backward pass). A product read only
/// by the epilogue would need a tile buffer per thread, which the
/// workspace, planned once for all iterations, does not have.
bool productsReadAfter(const Group &group) {
  return llvm::all_of(group.products, [&](GroupedMatMulOp product) {
    return group.readOutside(product);
  });
}

/// Builds the grouped_matmul_epilogue of `group` and replaces its ops.
void fuse(Group &group) {
  GroupedMatMulOp first = group.products.front();
  const llvm::SetVector<Operation *> &inEpilogue = group.epilogue;
  llvm::SmallPtrSet<Value, 8> productResults;
  for (GroupedMatMulOp product : group.products)
    productResults.insert(product.getResult());
  // What the epilogue reads from outside, tile by tile.
  llvm::SetVector<Value> rowInputs;
  for (Operation *op : group.epilogue)
    for (Value operand : op->getOperands())
      if (!productResults.contains(operand) &&
          !inEpilogue.contains(operand.getDefiningOp()) &&
          !ConstantOp::splatOf(operand))
        rowInputs.insert(operand);
  SmallVector<Value> outputs = group.outputs;

  OpBuilder b(group.before);
  Location loc = b.getFusedLoc(llvm::to_vector(
      llvm::map_range(group.products, [](GroupedMatMulOp product) {
        return product.getLoc();
      })));
  SmallVector<Value> weights;
  SmallVector<Type> types;
  for (GroupedMatMulOp product : group.products) {
    weights.push_back(product.getRhs());
    types.push_back(product.getType());
  }
  for (Value output : outputs)
    types.push_back(output.getType());
  auto fused = b.create<GroupedMatMulEpilogueOp>(
      loc, types, first.getLhs(), weights, first.getTileGroups(),
      rowInputs.getArrayRef(), first.getTransposeRhs());

  int64_t tileRows = fused.getTileRows();
  auto tileOf = [&](Type type) {
    auto tensor = cast<RankedTensorType>(type);
    return tensor.clone({tileRows, tensor.getDimSize(1)});
  };
  Block *body = b.createBlock(&fused.getEpilogue());
  IRMapping tiles;
  for (GroupedMatMulOp product : group.products)
    tiles.map(product.getResult(),
              body->addArgument(tileOf(product.getType()), loc));
  for (Value input : rowInputs)
    tiles.map(input, body->addArgument(tileOf(input.getType()), loc));
  for (Operation *op : group.epilogue) {
    for (Value operand : op->getOperands())
      if (SplatElementsAttr splat = ConstantOp::splatOf(operand);
          splat && !tiles.contains(operand))
        tiles.map(operand, b.create<ConstantOp>(loc, splat.resizeSplat(tileOf(
                                                         splat.getType()))));
    Operation *tile = b.clone(*op, tiles);
    tile->getResult(0).setType(tileOf(op->getResult(0).getType()));
  }
  b.create<GroupedEpilogueYieldOp>(
      loc, llvm::to_vector(llvm::map_range(
               outputs, [&](Value output) { return tiles.lookup(output); })));

  for (auto [product, result] :
       llvm::zip(group.products,
                 fused.getResults().take_front(group.products.size())))
    product.getResult().replaceAllUsesWith(result);
  for (auto [output, result] : llvm::zip_equal(
           outputs, fused.getResults().drop_front(group.products.size())))
    output.replaceAllUsesWith(result);
  // The recomputed values, again after the fused op: the ops now read its
  // results where they read the products or the outputs.
  b.setInsertionPointAfter(fused);
  IRMapping again;
  for (Operation *op : group.recompute)
    b.clone(*op, again);
  for (Value value : group.recomputed)
    value.replaceUsesWithIf(again.lookup(value), [&](OpOperand &use) {
      return !inEpilogue.contains(use.getOwner());
    });
  for (Operation *op : llvm::reverse(group.epilogue))
    op->erase();
  for (GroupedMatMulOp product : group.products)
    product->erase();
}

struct FuseGroupedEpiloguesPass
    : quern::impl::FuseGroupedEpiloguesPassBase<FuseGroupedEpiloguesPass> {
  void runOnOperation() override {
    SmallVector<GroupedMatMulOp> firsts;
    getOperation().walk(
        [&](GroupedMatMulOp product) { firsts.push_back(product); });
    llvm::SmallPtrSet<Operation *, 8> fused;
    for (GroupedMatMulOp first : firsts) {
      if (fused.contains(first))
        continue;
      Group group = collect(first);
      if (group.outputs.empty() || !productsReadAfter(group))
        continue;
      for (GroupedMatMulOp product : group.products)
        fused.insert(product);
      fuse(group);
    }
  }
};

} // namespace
