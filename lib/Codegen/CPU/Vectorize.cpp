//===- Vectorize.cpp - the register tiles as vectors ------------*- C++ -*-===//
//
// The second step of carrying out `quern.strategy`: each register tile
// tiling marked becomes vector ops (linalg::vectorize), reductions become
// vector.contract, and the accumulator's loads and stores are hoisted out of
// the k loop, so the register tile stays in registers; where a fill of the
// accumulator was left for it, the tile starts from the constant instead.
//
//===----------------------------------------------------------------------===//

#include "Strategy.h"
#include "VectorPatterns.h"
#include "VectorizeLanes.h"
#include "Views.h"

#include "quern/Codegen/CPU/Passes.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Hoisting.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/MemRef/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/Vector/Transforms/LoweringPatterns.h"
#include "mlir/Dialect/Vector/Transforms/VectorRewritePatterns.h"
#include "mlir/IR/Dominance.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Interfaces/LoopLikeInterface.h"
#include "mlir/Transforms/CSE.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "mlir/Transforms/LoopInvariantCodeMotionUtils.h"

namespace quern {
#define GEN_PASS_DEF_VECTORIZEPASS
#include "quern/Codegen/CPU/Passes.h.inc"
} // namespace quern

using namespace mlir;
using namespace quern;

namespace {

/// Whether `read` reads each element once: where it reads depends on the
/// induction variables of every loop around it. An accumulator's read
/// hoisted out of the k loop does; one inside it, or inside a k loop of
/// cache tiles, does not.
bool readsOnce(vector::TransferReadOp read) {
  // Every value where it reads is computed from, in one walk.
  DenseSet<Value> sources;
  SmallVector<Value> worklist = {read.getSource()};
  llvm::append_range(worklist, read.getIndices());
  while (!worklist.empty()) {
    Value next = worklist.pop_back_val();
    if (!sources.insert(next).second)
      continue;
    if (Operation *def = next.getDefiningOp())
      llvm::append_range(worklist, def->getOperands());
  }
  for (Operation *parent = read->getParentOp(); !isa<func::FuncOp>(parent);
       parent = parent->getParentOp()) {
    auto loop = dyn_cast<LoopLikeOpInterface>(parent);
    if (!loop)
      continue;
    std::optional<SmallVector<Value>> inductionVars =
        loop.getLoopInductionVars();
    if (!inductionVars)
      return false;
    if (!llvm::all_of(*inductionVars, [&](Value inductionVar) {
          return sources.contains(inductionVar);
        }))
      return false;
  }
  return true;
}

/// The register tiles of the accumulator that `fill` (which is not tiled;
/// see filledAccumulator) fills start from its constant: every vector read
/// of the buffer (or of a view of it) that reads each element once becomes
/// that constant, and the fill goes. Where some other read remains, the
/// fill stays as it is.
void forwardFill(linalg::FillOp fill) {
  Attribute value;
  // The reads of a view may have been folded into reads of the buffer it
  // views (a tile of rows at a run-time offset), out of reach of the walk
  // below: such a fill stays.
  Value buffer = fill.getOutputs()[0];
  if (!matchPattern(fill.getInputs()[0], m_Constant(&value)) ||
      buffer.getDefiningOp<ViewLikeOpInterface>())
    return;
  SmallVector<vector::TransferReadOp> reads;
  bool onlyOnce = allUsers(buffer, [&](Operation *user) {
    if (user == fill || isa<vector::TransferWriteOp>(user))
      return true;
    auto read = dyn_cast<vector::TransferReadOp>(user);
    if (!read || !readsOnce(read) ||
        read.getVectorType().getElementType() !=
            cast<TypedAttr>(value).getType())
      return false;
    reads.push_back(read);
    return true;
  });
  if (!onlyOnce || reads.empty())
    return;
  IRRewriter rewriter(fill.getContext());
  for (vector::TransferReadOp read : reads) {
    rewriter.setInsertionPoint(read);
    rewriter.replaceOpWithNewOp<arith::ConstantOp>(
        read, DenseElementsAttr::get(read.getVectorType(), value));
  }
  rewriter.eraseOp(fill);
}

/// Vectorizes every tile tiling marked with its vector sizes.
LogicalResult vectorizeTiles(RewriterBase &rewriter, func::FuncOp func) {
  SmallVector<linalg::LinalgOp> tiles;
  func.walk([&](linalg::LinalgOp op) {
    if (op->hasAttr(kVectorSizesAttrName))
      tiles.push_back(op);
  });
  for (linalg::LinalgOp op : tiles) {
    auto sizes = op->getAttrOfType<DenseI64ArrayAttr>(kVectorSizesAttrName);
    op->removeAttr(kVectorSizesAttrName);
    rewriter.setInsertionPoint(op);
    // Scalar code in lanes (SelectStrategy): an op linalg cannot vectorize.
    if (failed(linalg::vectorizeOpPrecondition(op))) {
      if (failed(vectorizeLanes(rewriter, op, sizes.asArrayRef())))
        return op->emitOpError("cannot run in lanes of register tiles [")
               << sizes.asArrayRef() << "]";
      continue;
    }
    SmallVector<int64_t> ranges = op.getStaticLoopRanges();
    bool isStatic = llvm::none_of(ranges, ShapedType::isDynamic);
    // Partial tiles are masked to the register tile's vector sizes.
    SmallVector<int64_t> vectorSizes;
    if (!isStatic)
      vectorSizes.assign(sizes.asArrayRef().begin(), sizes.asArrayRef().end());
    SmallVector<bool> scalable(vectorSizes.size(), false);
    if (failed(linalg::vectorize(rewriter, op, vectorSizes, scalable)))
      return op->emitOpError("cannot be vectorized with vector sizes [")
             << sizes.asArrayRef() << "]";
  }
  return success();
}

struct VectorizePass : quern::impl::VectorizePassBase<VectorizePass> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    MLIRContext *context = &getContext();
    IRRewriter rewriter(context);
    if (failed(vectorizeTiles(rewriter, func)))
      return signalPassFailure();

    {
      // Transfers with permuted maps first become transfers in memory order
      // and transposes: dropping a tile's unit dimensions first would leave
      // maps that skip a dimension between two read ones (a unit panel index
      // between the two dimensions of a pair), which only lower element by
      // element.
      RewritePatternSet patterns(context);
      vector::populateVectorTransferPermutationMapLoweringPatterns(patterns);
      if (failed(applyPatternsAndFoldGreedily(func, std::move(patterns))))
        return signalPassFailure();
    }
    {
      // Reductions of products become contractions; views fold into the
      // transfers' indices, so that the accumulator's transfers are visibly
      // loop-invariant.
      RewritePatternSet patterns(context);
      // Masks of partial tiles move into the transfers they guard, whose
      // permutations are then lowered here.
      vector::populateVectorMaskLoweringPatternsForSideEffectingOps(patterns);
      vector::populateVectorTransferPermutationMapLoweringPatterns(patterns);
      vector::populateVectorReductionToContractPatterns(patterns);
      // Unit dimensions of tiles (a batch of one, a row of one) go.
      vector::populateCastAwayVectorLeadingOneDimPatterns(patterns);
      populateTransposeUnitDimPatterns(patterns);
      memref::populateFoldMemRefAliasOpPatterns(patterns);
      populateTransferFolds(patterns);
      if (failed(applyPatternsAndFoldGreedily(func, std::move(patterns))))
        return signalPassFailure();
    }
    // The accumulator's transfers must have the very same indices in every
    // iteration of the k loop to be hoisted out of it: CSE, then LICM.
    DominanceInfo dominance;
    eliminateCommonSubExpressions(rewriter, dominance, func);
    func.walk([](LoopLikeOpInterface loop) { moveLoopInvariantCode(loop); });
    linalg::hoistRedundantVectorTransfers(func);
    // Fills that tiling left for the accumulator's register tiles (collected
    // first: forwarding erases them).
    SmallVector<linalg::FillOp> fills;
    func.walk([&](linalg::FillOp fill) {
      if (fill->removeAttr(kForwardFillAttrName))
        fills.push_back(fill);
    });
    for (linalg::FillOp fill : fills)
      forwardFill(fill);
  }
};

} // namespace
