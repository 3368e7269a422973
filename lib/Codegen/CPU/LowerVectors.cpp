//===- LowerVectors.cpp - register tiles to FMAs and shuffles ---*- C++ -*-===//
//
// The last step of carrying out `quern.strategy`: contractions of bf16
// pairs become the CPU's bf16 dot instruction, tiles of narrow rows move in
// whole vectors, and the rest of the vector ops become what LLVM maps to
// instructions: outer products (FMAs), shuffles, 1-D transfers, polynomial
// approximations of exp, erf, tanh and log, small powers as products.
//
//===----------------------------------------------------------------------===//

#include "BF16Dot.h"
#include "VectorPatterns.h"

#include "quern/Codegen/CPU/Passes.h"

#include "mlir/Conversion/VectorToSCF/VectorToSCF.h"
#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/MemRef/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/Vector/Transforms/LoweringPatterns.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <optional>

namespace quern {
#define GEN_PASS_DEF_LOWERVECTORSPASS
#include "quern/Codegen/CPU/Passes.h.inc"
} // namespace quern

using namespace mlir;
using namespace quern;

namespace {

/// x^0, x^1 and x^2 (RMSNorm's Pow(x, 2), and x^1 in its gradient) are 1,
/// x and x * x, exactly as powf defines them, where powf is a libm call per
/// element: LLVM does not rewrite a vector powf.
struct SmallPowers : OpRewritePattern<math::PowFOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(math::PowFOp op,
                                PatternRewriter &rewriter) const override {
    FloatAttr scalar;
    SplatElementsAttr splat;
    std::optional<APFloat> exponent;
    if (matchPattern(op.getRhs(), m_Constant(&scalar)))
      exponent = scalar.getValue();
    else if (matchPattern(op.getRhs(), m_Constant(&splat)))
      exponent = splat.getSplatValue<APFloat>();
    if (!exponent)
      return failure();
    Value x = op.getLhs();
    if (exponent->isExactlyValue(0.0)) {
      TypedAttr one =
          rewriter.getFloatAttr(getElementTypeOrSelf(op.getType()), 1.0);
      if (auto shaped = dyn_cast<ShapedType>(op.getType()))
        one = DenseElementsAttr::get(shaped, one);
      rewriter.replaceOpWithNewOp<arith::ConstantOp>(op, one);
    } else if (exponent->isExactlyValue(1.0)) {
      rewriter.replaceOp(op, x);
    } else if (exponent->isExactlyValue(2.0)) {
      rewriter.replaceOpWithNewOp<arith::MulFOp>(op, x, x,
                                                 op.getFastmathAttr());
    } else {
      return failure();
    }
    return success();
  }
};

struct LowerVectorsPass : quern::impl::LowerVectorsPassBase<LowerVectorsPass> {
  using LowerVectorsPassBase::LowerVectorsPassBase;

  void runOnOperation() override {
    if (failed(lower(getOperation())))
      signalPassFailure();
  }

  LogicalResult lower(func::FuncOp func) {
    MLIRContext *context = &getContext();
    if (bf16Dot != BF16Dot::None) {
      // Before any lowering: the generic contraction lowering would widen the
      // bf16 pairs and multiply them with f32 FMAs.
      RewritePatternSet patterns(context);
      populateBF16DotPatterns(patterns, bf16Dot);
      if (failed(applyPatternsAndFoldGreedily(func, std::move(patterns))))
        return failure();
    }
    // Tiles of pairs (packing operands into the pairs of a bf16 dot product)
    // move in whole vectors. A contraction the rewrites above left (a tile
    // they do not match, such as a product's last row) keeps its tiles as
    // they are: the ops of its block are left alone, those of every other
    // block are rewritten.
    {
      SmallVector<Operation *> ops;
      func.walk([&](Block *block) {
        if (llvm::any_of(*block, llvm::IsaPred<vector::ContractionOp>))
          return;
        for (Operation &op : *block)
          ops.push_back(&op);
      });
      RewritePatternSet patterns(context);
      populateNarrowRowPatterns(patterns);
      memref::populateFoldMemRefAliasOpPatterns(patterns);
      populateTransferFolds(patterns);
      GreedyRewriteConfig config;
      config.strictMode = GreedyRewriteStrictness::ExistingAndNewOps;
      if (failed(applyOpPatternsAndFold(ops, std::move(patterns), config)))
        return failure();
    }
    {
      RewritePatternSet patterns(context);
      vector::populateVectorContractLoweringPatterns(
          patterns,
          vector::VectorTransformsOptions().setVectorTransformsOptions(
              vector::VectorContractLowering::OuterProduct));
      vector::populateVectorMultiReductionLoweringPatterns(
          patterns, vector::VectorMultiReductionLowering::InnerReduction);
      vector::populateVectorOuterProductLoweringPatterns(patterns);
      populateShapeCastPatterns(patterns);
      vector::populateVectorShapeCastLoweringPatterns(patterns);
      vector::populateVectorTransposeLoweringPatterns(
          patterns,
          vector::VectorTransformsOptions().setVectorTransposeLowering(
              vector::VectorTransposeLowering::Shuffle16x16));
      vector::populateVectorBroadcastLoweringPatterns(patterns);
      // exp, erf, tanh, log as polynomials of FMAs, which vectorize, instead
      // of libm calls element by element.
      populateMathPolynomialApproximationPatterns(patterns);
      patterns.add<SmallPowers>(context, /*benefit=*/2);
      // n-D transfers become 1-D ones, unrolled: no temporary buffers.
      populateVectorToSCFConversionPatterns(
          patterns,
          VectorTransferToSCFOptions().enableFullUnroll().setTargetRank(1));
      vector::populateVectorTransferLoweringPatterns(patterns,
                                                     /*maxTransferRank=*/1);
      populateTransferFolds(patterns);
      // Top down, so that a transpose is lowered (to shuffles between shape
      // casts) before the shape casts that use it.
      GreedyRewriteConfig config;
      config.useTopDownTraversal = true;
      if (failed(
              applyPatternsAndFoldGreedily(func, std::move(patterns), config)))
        return failure();
    }
    return success();
  }
};

} // namespace
