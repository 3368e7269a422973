//===- FuseElementwise.cpp - elementwise fusion that spares GEMMs -*- C++ -*-=//
//
// MLIR's elementwise fusion (of producers used once), with one exception:
// nothing is fused into a contraction. A GEMM whose operand is computed in its
// own body (an activation's derivative, say) is no longer a contraction to the
// strategy selection, and falls back to scalar loops that recompute the operand
// for every output; kept apart, the GEMM runs at FMA speed and the operand is
// computed once, in its own vectorized loop.
//
// First, a pack of a bf16 product's operand permutes a plain rounded copy
// of the value when there is one, instead of rounding the value again.
// A producer used elsewhere too fuses into an elementwise consumer whose
// other inputs are ready before it, as a further output of the fused op, so
// that intermediates kept for the backward pass (GELU's) and the bf16
// copies of products' operands are written by the loop that computes them.
// A consumer that cannot move there (the backward pass's) recomputes a
// cheap producer's results from its operands when those are fewer bytes to
// read, so that the forward pass need not write them for it.
// A rounding op reading a collapsed tensor works on the uncollapsed one, so
// that a transpose or a LayerNorm before it writes the rounded copy in the
// same loop instead of another op reading it back.
//
//===----------------------------------------------------------------------===//

#include "Strategy.h"

#include "quern/Codegen/CPU/Passes.h"

#include "dialects/quern/QuernOps.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "mlir/Transforms/RegionUtils.h"

#include <optional>

namespace quern {
#define GEN_PASS_DEF_FUSEELEMENTWISEPASS
#include "quern/Codegen/CPU/Passes.h.inc"
} // namespace quern

using namespace mlir;

namespace {

/// Transposes become generics, so that they fuse like other elementwise ops.
struct GeneralizeTranspose : OpRewritePattern<linalg::TransposeOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(linalg::TransposeOp op,
                                PatternRewriter &rewriter) const override {
    return success(succeeded(linalg::generalizeNamedOp(rewriter, op)));
  }
};

/// An all-parallel op on tensors whose body has no memory effects.
bool isPureElementwise(linalg::GenericOp op) {
  return op.getNumParallelLoops() == op.getNumLoops() &&
         op.hasPureTensorSemantics() &&
         llvm::all_of(op.getBody()->without_terminator(), [](Operation &inner) {
           return isMemoryEffectFree(&inner);
         });
}

/// Booleans keep an op scalar (SelectStrategy): ops with them stay apart.
bool hasBooleans(Operation *op) {
  return llvm::any_of(op->getOperandTypes(), [](Type type) {
    return getElementTypeOrSelf(type).isInteger(1);
  });
}

/// Whether fusing the producer of `input` would compute each of its
/// elements again for every element of `consumer` that reads it: the
/// consumer reads it broadcast (a row's statistic in every element of the
/// row), and the producer computes something rather than only moving
/// elements. RMSNorm's backward fused sqrt and pow of a row's mean square
/// into each of the row's 2048 elements: 4% of a 1.1B Llama's step.
bool recomputedPerElement(linalg::LinalgOp consumer, OpOperand *input) {
  auto producer = input->get().getDefiningOp<linalg::GenericOp>();
  return producer && !consumer.getMatchingIndexingMap(input).isPermutation() &&
         !llvm::hasSingleElement(producer.getBody()->getOperations());
}

/// Whether `input` reads a producer's result in the producer's own
/// iteration order, so that the two loop nests can be one.
bool readsInOrder(linalg::GenericOp consumer, OpOperand *input) {
  auto producer = input->get().getDefiningOp<linalg::GenericOp>();
  return producer && linalg::areElementwiseOpsFusable(input) &&
         producer.getIndexingMapMatchingResult(cast<OpResult>(input->get()))
             .isIdentity() &&
         consumer.getMatchingIndexingMap(input).isIdentity();
}

/// The most ops between a producer and its consumer for which FuseIntoConsumer
/// decides what is ready by a scan.
constexpr size_t kNearby = 256;

/// A producer used elsewhere too fuses into an elementwise consumer whose
/// other operands are ready before the producer: the fused op, where the
/// producer was, computes the producer's results for its other users and
/// the consumer's in one loop, instead of one loop writing a tensor that
/// the next reads back (the chain of GELU, a rounding's input).
struct FuseIntoConsumer : OpRewritePattern<linalg::GenericOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(linalg::GenericOp consumer,
                                PatternRewriter &rewriter) const override {
    if (!isPureElementwise(consumer))
      return failure();
    for (OpOperand *input : consumer.getDpsInputOperands())
      if (succeeded(fuse(rewriter, consumer, input)))
        return success();
    return failure();
  }

private:
  static LogicalResult fuse(PatternRewriter &rewriter,
                            linalg::GenericOp consumer, OpOperand *input) {
    auto producer = input->get().getDefiningOp<linalg::GenericOp>();
    // (A producer used once is elementwise fusion's own case.) The two
    // loop nests must be one: the producer's results, still written for
    // their other users, are then written once per element.
    if (!producer || producer->hasOneUse() ||
        producer->getBlock() != consumer->getBlock() ||
        !readsInOrder(consumer, input) || hasBooleans(producer) ||
        hasBooleans(consumer))
      return failure();
    // Every other operand, and every value the consumer's body uses from
    // outside, is ready where the producer is, and is none of its results:
    // an output whose value the consumer does not read is made anew there.
    // When few ops separate the two, a value the consumer reads (defined
    // before it) is ready unless one of them, or the producer, defines it:
    // a scan, where the block's op order would be renumbered after almost
    // every fusion (quadratic on a training step with recomputation).
    llvm::SmallPtrSet<Operation *, 32> between;
    Operation *op = producer->getNextNode();
    for (; op != consumer && between.size() < kNearby; op = op->getNextNode())
      between.insert(op);
    bool nearby = op == consumer;
    auto readyBefore = [&](Value value) {
      Operation *definer = value.getDefiningOp();
      if (!definer || definer->getBlock() != producer->getBlock())
        return true;
      return nearby ? definer != producer && !between.contains(definer)
                    : definer->isBeforeInBlock(producer);
    };
    llvm::SetVector<Value> captured;
    getUsedValuesDefinedAbove(consumer.getRegion(), captured);
    if (!llvm::all_of(captured, readyBefore))
      return failure();
    SmallVector<OpOperand *> freshOutputs;
    for (OpOperand &operand : consumer->getOpOperands()) {
      if (&operand == input)
        continue;
      if (operand.get().getDefiningOp() == producer)
        return failure();
      if (readyBefore(operand.get()))
        continue;
      if (!consumer.isDpsInit(&operand) ||
          consumer.payloadUsesValueFromOperand(&operand) ||
          !cast<ShapedType>(operand.get().getType()).hasStaticShape())
        return failure();
      freshOutputs.push_back(&operand);
    }
    // Nothing is changed before every check has passed: the fusion itself
    // cannot fail once areElementwiseOpsFusable holds.
    rewriter.setInsertionPoint(producer);
    for (OpOperand *output : freshOutputs) {
      auto type = cast<ShapedType>(output->get().getType());
      Value empty = rewriter.create<tensor::EmptyOp>(
          consumer.getLoc(), type.getShape(), type.getElementType());
      rewriter.modifyOpInPlace(consumer, [&] { output->set(empty); });
    }
    FailureOr<linalg::ElementwiseOpFusionResult> fused =
        linalg::fuseElementwiseOps(rewriter, input);
    assert(succeeded(fused) && "fusable ops fuse");
    for (auto [from, to] : fused->replacements)
      rewriter.replaceAllUsesWith(from, to);
    rewriter.eraseOp(consumer);
    rewriter.eraseOp(producer);
    return success();
  }
};

/// The bytes of a statically shaped tensor; none for anything else.
std::optional<int64_t> bytes(Value value) {
  auto type = dyn_cast<RankedTensorType>(value.getType());
  if (!type || !type.hasStaticShape() || !type.getElementType().isIntOrFloat())
    return std::nullopt;
  return type.getNumElements() *
         llvm::divideCeil(type.getElementTypeBitWidth(), 8);
}

/// A consumer that reads results of a cheap elementwise producer (used
/// more than once) recomputes them from the producer's operands when those,
/// less what it reads already, are fewer bytes: it gets a copy of the
/// producer per operand, each of which elementwise fusion then fuses into
/// it. Such a consumer is one FuseIntoConsumer could not move up to the
/// producer, a backward loop needing a gradient computed later; results
/// nothing else reads are then no longer written at all. GELU's backward
/// read x + b, (x + b) / sqrt(2) and 1 + erf(...) from the forward's loop;
/// it now reads x and b, and the forward's loop writes its result alone.
struct RecomputeInConsumer : OpRewritePattern<linalg::GenericOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(linalg::GenericOp consumer,
                                PatternRewriter &rewriter) const override {
    if (!isPureElementwise(consumer) || hasBooleans(consumer))
      return failure();
    for (OpOperand *input : consumer.getDpsInputOperands()) {
      auto producer = input->get().getDefiningOp<linalg::GenericOp>();
      if (producer && succeeded(recompute(rewriter, consumer, producer)))
        return success();
    }
    return failure();
  }

private:
  /// The most work repeated per element, in FLOPs (CostOpInterface).
  static constexpr int64_t kMaxFlopsPerElement = 16;

  /// Arithmetic on floats and integers (labels compared with positions: a
  /// one-hot) that is cheap enough to run twice; index computations,
  /// booleans and gathers stay as they are. The one-hot of a loss's
  /// gradient, recomputed in both of its readers (its row sum and the
  /// softmax's gradient), is never written: a 50257-word vocabulary's
  /// would be as large as the logits.
  static bool isCheap(linalg::GenericOp producer) {
    bool arithmetic = llvm::all_of(
        producer.getBody()->without_terminator(), [](Operation &op) {
          return isa<arith::ArithDialect, math::MathDialect>(op.getDialect());
        });
    int64_t iterations = 1;
    for (int64_t range : producer.getStaticLoopRanges())
      iterations *= range;
    int64_t flops =
        cast<quern::CostOpInterface>(producer.getOperation()).getFlops();
    // FLOPs count float results only: integer arithmetic is held to as
    // many ops.
    return arithmetic && iterations > 0 &&
           flops <= kMaxFlopsPerElement * iterations &&
           llvm::range_size(producer.getBody()->without_terminator()) <=
               static_cast<size_t>(kMaxFlopsPerElement) &&
           llvm::all_of(producer->getOperandTypes(), [](Type type) {
             Type element = getElementTypeOrSelf(type);
             return isa<FloatType>(element) ||
                    (element.isSignlessInteger() &&
                     element.getIntOrFloatBitWidth() > 1);
           });
  }

  static LogicalResult recompute(PatternRewriter &rewriter,
                                 linalg::GenericOp consumer,
                                 linalg::GenericOp producer) {
    if (producer->hasOneUse() || producer->getBlock() != consumer->getBlock() ||
        !isPureElementwise(producer) || !isCheap(producer) ||
        llvm::any_of(producer.getDpsInitsMutable(), [&](OpOperand &init) {
          return producer.payloadUsesValueFromOperand(&init);
        }))
      return failure();
    // What the consumer reads, and how: a value it reads in another order
    // is another read.
    SmallVector<OpOperand *> reads;
    llvm::SetVector<Value> read;
    llvm::DenseSet<std::pair<Value, AffineMap>> inputs;
    for (OpOperand *input : consumer.getDpsInputOperands()) {
      inputs.insert({input->get(), consumer.getMatchingIndexingMap(input)});
      if (input->get().getDefiningOp() != producer.getOperation())
        continue;
      if (!readsInOrder(consumer, input))
        return failure();
      reads.push_back(input);
      read.insert(input->get());
    }
    // The producer's results are read in its own order, so its operands'
    // maps are the consumer's once fused.
    int64_t saved = 0, added = 0;
    for (Value value : read) {
      std::optional<int64_t> size = bytes(value);
      if (!size)
        return failure();
      saved += *size;
    }
    for (OpOperand *input : producer.getDpsInputOperands()) {
      std::optional<int64_t> size = bytes(input->get());
      if (!size)
        return failure();
      if (!inputs.contains(
              {input->get(), producer.getMatchingIndexingMap(input)}))
        added += *size;
    }
    if (added >= saved)
      return failure();
    rewriter.setInsertionPoint(consumer);
    for (OpOperand *input : reads) {
      Operation *copy = rewriter.clone(*producer);
      rewriter.modifyOpInPlace(consumer, [&] {
        input->set(
            copy->getResult(cast<OpResult>(input->get()).getResultNumber()));
      });
    }
    return success();
  }
};

/// The truncation of `op` when it only rounds its one input to a narrower
/// float (through permutation maps if `permuted`), on tensors; else null.
arith::TruncFOp rounding(linalg::GenericOp op, bool permuted) {
  if (!quern::roundsOnly(op, permuted) || !op.hasPureTensorSemantics())
    return {};
  return dyn_cast<arith::TruncFOp>(&op.getBody()->front());
}

/// A pack (a rounding through permutation maps, not all identities: the k
/// pairs of a bf16 product's operand) of a value that also has a plain
/// rounded copy (the operand of another product) permutes that copy
/// instead: it reads half the bytes, and a value that the backward pass
/// kept only to pack it for a weight's gradient is no longer written at
/// all, the forward's loop writing just the rounded copy. The two
/// truncations must be the same op (type, rounding mode, fast-math flags),
/// so the packed values are the same. Shapes must be static and without
/// encoding, the copy in the pack's block.
struct PackFromRounded : OpRewritePattern<linalg::GenericOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(linalg::GenericOp pack,
                                PatternRewriter &rewriter) const override {
    arith::TruncFOp truncation = rounding(pack, /*permuted=*/true);
    if (!truncation ||
        llvm::all_of(pack.getIndexingMapsArray(),
                     [](AffineMap map) { return map.isIdentity(); }))
      return failure();
    Value input = pack.getDpsInputs()[0];
    auto expand = input.getDefiningOp<tensor::ExpandShapeOp>();
    Value value = expand ? expand.getSrc() : input;
    auto valueType = dyn_cast<RankedTensorType>(value.getType());
    if (!valueType || !valueType.hasStaticShape() || valueType.getEncoding())
      return failure();
    auto isCopy = [&](Operation *user) {
      auto round = dyn_cast<linalg::GenericOp>(user);
      if (!round || round == pack || round->getBlock() != pack->getBlock())
        return false;
      arith::TruncFOp same = rounding(round, /*permuted=*/false);
      return same && same.getType() == truncation.getType() &&
             same->getAttrDictionary() == truncation->getAttrDictionary();
    };
    SmallVector<linalg::GenericOp> copies;
    for (Operation *user : value.getUsers())
      if (isCopy(user))
        copies.push_back(cast<linalg::GenericOp>(user));
    if (copies.empty())
      return failure();
    // The first copy in the block; one after the pack (the backward's dW
    // pack can come before the rounding for dX) moves up to it, with an
    // output of its own there if its own comes later.
    linalg::GenericOp round = *llvm::min_element(
        copies, [](linalg::GenericOp a, linalg::GenericOp b) {
          return a->isBeforeInBlock(b);
        });
    rewriter.setInsertionPoint(pack);
    if (!round->isBeforeInBlock(pack)) {
      Value init = round.getDpsInits()[0];
      Operation *definer = init.getDefiningOp();
      if (definer && definer->getBlock() == pack->getBlock() &&
          !definer->isBeforeInBlock(pack)) {
        Value empty = rewriter.create<tensor::EmptyOp>(
            round.getLoc(), valueType.getShape(), truncation.getType());
        rewriter.modifyOpInPlace(
            round, [&] { round.getDpsInitsMutable()[0].set(empty); });
      }
      rewriter.moveOpBefore(round, pack);
    }
    Value rounded = round->getResult(0);
    if (expand)
      rounded = rewriter.create<tensor::ExpandShapeOp>(
          expand.getLoc(),
          RankedTensorType::get(expand.getResultType().getShape(),
                                truncation.getType()),
          rounded, expand.getReassociationIndices());
    auto permuted = rewriter.create<linalg::GenericOp>(
        pack.getLoc(), pack->getResultTypes(), rounded, pack.getDpsInits(),
        pack.getIndexingMapsArray(), pack.getIteratorTypesArray(),
        [](OpBuilder &b, Location loc, ValueRange args) {
          b.create<linalg::YieldOp>(loc, args.front());
        });
    rewriter.replaceOp(pack, permuted);
    return success();
  }
};

struct FuseElementwisePass
    : quern::impl::FuseElementwisePassBase<FuseElementwisePass> {
  using FuseElementwisePassBase::FuseElementwisePassBase;

  void runOnOperation() override {
    MLIRContext *context = &getContext();
    // Packs read the rounded copies before fusion makes them part of other
    // loops.
    RewritePatternSet packs(context);
    packs.add<PackFromRounded>(context);
    if (failed(applyPatternsAndFoldGreedily(getOperation(), std::move(packs))))
      return signalPassFailure();
    RewritePatternSet patterns(context);
    linalg::populateElementwiseOpsFusionPatterns(
        patterns, [](OpOperand *operand) {
          // As MLIR's own pass: only a producer used once, so nothing is
          // computed twice.
          Operation *producer = operand->get().getDefiningOp();
          if (!producer || !producer->hasOneUse())
            return false;
          auto consumer = dyn_cast<linalg::LinalgOp>(operand->getOwner());
          return !consumer || (!linalg::isaContractionOpInterface(consumer) &&
                               !recomputedPerElement(consumer, operand));
        });
    linalg::populateFoldReshapeOpsByExpansionPatterns(
        patterns, [](OpOperand *operand) {
          auto consumer = dyn_cast<linalg::GenericOp>(operand->getOwner());
          return consumer && rounding(consumer, /*permuted=*/false);
        });
    patterns.add<GeneralizeTranspose, FuseIntoConsumer>(context);
    linalg::populateEraseUnusedOperandsAndResultsPatterns(patterns);
    affine::AffineApplyOp::getCanonicalizationPatterns(patterns, context);
    linalg::GenericOp::getCanonicalizationPatterns(patterns, context);
    tensor::ExpandShapeOp::getCanonicalizationPatterns(patterns, context);
    tensor::CollapseShapeOp::getCanonicalizationPatterns(patterns, context);
    context->getLoadedDialect<linalg::LinalgDialect>()
        ->getCanonicalizationPatterns(patterns);
    FrozenRewritePatternSet fusion(std::move(patterns));
    if (failed(applyPatternsAndFoldGreedily(getOperation(), fusion)))
      return signalPassFailure();
    // Once the forward's loops are whole, the backward's recompute from
    // their operands what they would otherwise keep.
    if (!recompute)
      return;
    RewritePatternSet recomputing(context);
    recomputing.add<RecomputeInConsumer>(context);
    if (failed(applyPatternsAndFoldGreedily(getOperation(),
                                            std::move(recomputing))) ||
        failed(applyPatternsAndFoldGreedily(getOperation(), fusion)))
      return signalPassFailure();
  }
};

} // namespace
