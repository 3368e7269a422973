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

/// The loops around `read` in whose iterations it reads the same elements
/// again, when those are all loops of reduction tiles
/// (kReductionTilesAttrName): each element is then read once per iteration
/// of theirs, and first in their first iterations. None when another loop
/// repeats the read (an accumulator loaded inside its k loop). Where `read`
/// reads is computed from the induction variables of every other loop: an
/// accumulator's read hoisted out of the k loop.
std::optional<SmallVector<scf::ForOp>>
repeatingLoops(vector::TransferReadOp read) {
  SmallVector<Value> where = {read.getSource()};
  llvm::append_range(where, read.getIndices());
  DenseSet<Value> sources = computedFrom(where);
  SmallVector<scf::ForOp> repeating;
  for (Operation *parent = read->getParentOp(); !isa<func::FuncOp>(parent);
       parent = parent->getParentOp()) {
    auto loop = dyn_cast<LoopLikeOpInterface>(parent);
    if (!loop)
      continue;
    std::optional<SmallVector<Value>> inductionVars =
        loop.getLoopInductionVars();
    if (!inductionVars)
      return std::nullopt;
    if (llvm::all_of(*inductionVars, [&](Value inductionVar) {
          return sources.contains(inductionVar);
        }))
      continue;
    auto forOp = dyn_cast<scf::ForOp>(parent);
    if (!forOp || !forOp->hasAttr(kReductionTilesAttrName))
      return std::nullopt;
    repeating.push_back(forOp);
  }
  return repeating;
}

/// The register tiles of the accumulator that `fill` (which is not tiled;
/// see filledAccumulator) fills start from its constant: every vector read
/// of the buffer (or of a view of it) that reads each element once becomes
/// that constant, and the fill goes. A read repeated by loops of reduction
/// tiles (a product's k in cache tiles) is the constant in their first
/// iterations, and reads after them. Where some other read remains, the
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
  SmallVector<std::pair<vector::TransferReadOp, SmallVector<scf::ForOp>>> reads;
  bool forwardable = allUsers(buffer, [&](Operation *user) {
    if (user == fill || isa<vector::TransferWriteOp>(user))
      return true;
    auto read = dyn_cast<vector::TransferReadOp>(user);
    if (!read || read.getVectorType().getElementType() !=
                     cast<TypedAttr>(value).getType())
      return false;
    std::optional<SmallVector<scf::ForOp>> repeating = repeatingLoops(read);
    if (!repeating)
      return false;
    reads.emplace_back(read, std::move(*repeating));
    return true;
  });
  if (!forwardable || reads.empty())
    return;
  IRRewriter rewriter(fill.getContext());
  for (auto &[read, repeating] : reads) {
    rewriter.setInsertionPoint(read);
    Location loc = read.getLoc();
    Value constant = rewriter.create<arith::ConstantOp>(
        loc, DenseElementsAttr::get(read.getVectorType(), value));
    if (repeating.empty()) {
      rewriter.replaceOp(read, constant);
      continue;
    }
    // Loaded unless every repeating loop is in its first iteration.
    Value later;
    for (scf::ForOp loop : repeating) {
      Value notFirst = rewriter.create<arith::CmpIOp>(
          loc, arith::CmpIPredicate::ne, loop.getInductionVar(),
          loop.getLowerBound());
      later = later ? rewriter.create<arith::OrIOp>(loc, later, notFirst)
                    : notFirst;
    }
    auto choice = rewriter.create<scf::IfOp>(loc, read.getVectorType(), later,
                                             /*withElseRegion=*/true);
    rewriter.replaceAllUsesWith(read.getResult(), choice.getResult(0));
    rewriter.moveOpBefore(read, choice.thenBlock(), choice.thenBlock()->end());
    rewriter.setInsertionPointToEnd(choice.thenBlock());
    rewriter.create<scf::YieldOp>(loc, read.getResult());
    rewriter.setInsertionPointToEnd(choice.elseBlock());
    rewriter.create<scf::YieldOp>(loc, constant);
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
    func.walk(
        [](scf::ForOp loop) { loop->removeAttr(kReductionTilesAttrName); });
  }
};

} // namespace
