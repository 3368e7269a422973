//===- FuseElementwise.cpp - elementwise fusion that spares GEMMs -*- C++ -*-=//
//
// MLIR's elementwise fusion (of producers used once), with one exception:
// nothing is fused into a contraction. A GEMM whose operand is computed in its own body (an
// activation's derivative, say) is no longer a contraction to the strategy
// selection, and falls back to scalar loops that recompute the operand for
// every output; kept apart, the GEMM runs at FMA speed and the operand is
// computed once, in its own vectorized loop.
//
// Rounding to a narrower type (the bf16 operands of products) fuses further:
// a producer used elsewhere too is fused into a consumer that only rounds it,
// as a second output, and a rounding op reading a collapsed tensor works on
// the uncollapsed one, so that a transpose or a LayerNorm before it writes
// the rounded copy in the same loop instead of another op reading it back.
//
//===----------------------------------------------------------------------===//

#include "quern/Codegen/CPU/Passes.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace quern {
#define GEN_PASS_DEF_FUSEELEMENTWISEPASS
#include "quern/Codegen/CPU/Passes.h.inc"
} // namespace quern

using namespace mlir;

namespace {

/// Whether `op` only rounds its one input to a narrower float type, element
/// by element in the same order.
bool isRounding(Operation *op) {
  auto generic = dyn_cast_or_null<linalg::GenericOp>(op);
  if (!generic || generic.getNumDpsInputs() != 1 ||
      generic.getNumDpsInits() != 1 ||
      generic.getNumParallelLoops() != generic.getNumLoops() ||
      !llvm::all_of(generic.getIndexingMapsArray(),
                    [](AffineMap map) { return map.isIdentity(); }))
    return false;
  Block *body = generic.getBody();
  if (body->getOperations().size() != 2)
    return false;
  auto truncate = dyn_cast<arith::TruncFOp>(body->front());
  return truncate && truncate.getIn() == body->getArgument(0);
}

/// Transposes become generics, so that they fuse like other elementwise ops.
struct GeneralizeTranspose : OpRewritePattern<linalg::TransposeOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(linalg::TransposeOp op,
                                PatternRewriter &rewriter) const override {
    return success(succeeded(linalg::generalizeNamedOp(rewriter, op)));
  }
};

/// A producer used elsewhere too fuses into a consumer that only rounds it:
/// the fused op, where the producer was, computes the producer's results
/// for its other users and the rounded copy in one loop.
struct FuseIntoRounding : OpRewritePattern<linalg::GenericOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(linalg::GenericOp rounding,
                                PatternRewriter &rewriter) const override {
    if (!isRounding(rounding))
      return failure();
    OpOperand *input = rounding.getDpsInputOperand(0);
    auto producer = input->get().getDefiningOp<linalg::GenericOp>();
    auto type = cast<RankedTensorType>(rounding.getResult(0).getType());
    // (A producer used once is elementwise fusion's own case.)
    if (!producer || producer->hasOneUse() || !type.hasStaticShape() ||
        producer->getBlock() != rounding->getBlock() ||
        !linalg::areElementwiseOpsFusable(input) ||
        !producer.getIndexingMapMatchingResult(cast<OpResult>(input->get()))
             .isIdentity())
      return failure();
    // The rounded copy's tensor and the fused op are made before the
    // producer, which the fused op replaces. (Nothing is changed before every
    // check has passed: the fusion itself cannot fail once
    // areElementwiseOpsFusable holds.)
    rewriter.setInsertionPoint(producer);
    Value empty = rewriter.create<tensor::EmptyOp>(
        rounding.getLoc(), type.getShape(), type.getElementType());
    rewriter.modifyOpInPlace(
        rounding, [&] { rounding.getDpsInitOperand(0)->set(empty); });
    FailureOr<linalg::ElementwiseOpFusionResult> fused =
        linalg::fuseElementwiseOps(rewriter, input);
    assert(succeeded(fused) && "fusable ops fuse");
    for (auto [from, to] : fused->replacements)
      rewriter.replaceAllUsesWith(from, to);
    rewriter.eraseOp(rounding);
    rewriter.eraseOp(producer);
    return success();
  }
};

struct FuseElementwisePass
    : quern::impl::FuseElementwisePassBase<FuseElementwisePass> {
  void runOnOperation() override {
    MLIRContext *context = &getContext();
    RewritePatternSet patterns(context);
    linalg::populateElementwiseOpsFusionPatterns(
        patterns, [](OpOperand *operand) {
          // As MLIR's own pass: only a producer used once, so nothing is
          // computed twice.
          Operation *producer = operand->get().getDefiningOp();
          if (!producer || !producer->hasOneUse())
            return false;
          auto consumer = dyn_cast<linalg::LinalgOp>(operand->getOwner());
          return !consumer || !linalg::isaContractionOpInterface(consumer);
        });
    linalg::populateFoldReshapeOpsByExpansionPatterns(
        patterns,
        [](OpOperand *operand) { return isRounding(operand->getOwner()); });
    patterns.add<GeneralizeTranspose, FuseIntoRounding>(context);
    linalg::populateEraseUnusedOperandsAndResultsPatterns(patterns);
    affine::AffineApplyOp::getCanonicalizationPatterns(patterns, context);
    linalg::GenericOp::getCanonicalizationPatterns(patterns, context);
    tensor::ExpandShapeOp::getCanonicalizationPatterns(patterns, context);
    tensor::CollapseShapeOp::getCanonicalizationPatterns(patterns, context);
    context->getLoadedDialect<linalg::LinalgDialect>()
        ->getCanonicalizationPatterns(patterns);
    if (failed(applyPatternsAndFoldGreedily(getOperation(),
                                            std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace
