//===- Optimizer.cpp - fused optimizer updates to linalg --------*- C++ -*-===//
//
// Each update is one generic whose outputs are the parameter and its state
// themselves (destination-passing style), so bufferization writes the new
// values into the same buffers: the parameters of a training step are
// updated in place, with no copy. The old values are the output block
// arguments; the gradient and the scalars (learning rate, step) are inputs,
// except that Adam reads its scalars once, before the loop, to compute its
// bias corrections there rather than per element.
//
//===----------------------------------------------------------------------===//

#include "Patterns.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace quern;
using namespace quern::detail;

namespace {

/// A generic over `outputs`' shape: `inputs` read elementwise (same shape)
/// or as scalars (rank 0); `body` gets the input values then the old output
/// values and returns the new ones.
SmallVector<Value>
buildUpdate(OpBuilder &b, Location loc, ValueRange inputs, ValueRange outputs,
            function_ref<SmallVector<Value>(OpBuilder &, Location, ValueRange,
                                            ValueRange)>
                body) {
  auto type = cast<RankedTensorType>(outputs[0].getType());
  int64_t rank = type.getRank();
  SmallVector<AffineMap> maps;
  for (Value input : inputs)
    maps.push_back(cast<RankedTensorType>(input.getType()).getRank() == 0
                       ? AffineMap::get(rank, 0, {}, b.getContext())
                       : b.getMultiDimIdentityMap(rank));
  for (size_t i = 0; i < outputs.size(); ++i)
    maps.push_back(b.getMultiDimIdentityMap(rank));
  auto generic = b.create<linalg::GenericOp>(
      loc, ValueRange(outputs).getTypes(), inputs, outputs, maps,
      SmallVector<utils::IteratorType>(rank, utils::IteratorType::parallel),
      [&](OpBuilder &nb, Location l, ValueRange args) {
        nb.create<linalg::YieldOp>(l,
                                   body(nb, l, args.take_front(inputs.size()),
                                        args.drop_front(inputs.size())));
      });
  return generic.getResults();
}

/// `g + weight_decay * p` (or g when there is no decay).
Value withDecay(OpBuilder &b, Location loc, Value g, Value p, double decay) {
  if (decay == 0.0)
    return g;
  Value factor = scalar::constant(b, loc, p.getType(), decay);
  return b.create<arith::AddFOp>(loc, g,
                                 b.create<arith::MulFOp>(loc, factor, p));
}

struct SgdUpdateLowering : OpConversionPattern<SgdUpdateOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(SgdUpdateOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    double momentum = op.getMomentum().convertToDouble();
    double decay = op.getWeightDecay().convertToDouble();
    bool nesterov = op.getNesterov();
    SmallVector<Value> outputs = {adaptor.getParam()};
    if (Value buffer = adaptor.getBuffer())
      outputs.push_back(buffer);
    rewriter.replaceOp(
        op, buildUpdate(
                rewriter, op.getLoc(), {adaptor.getGrad(), adaptor.getLr()},
                outputs,
                [&](OpBuilder &b, Location l, ValueRange in, ValueRange old) {
                  Value p = old[0];
                  Value g = withDecay(b, l, in[0], p, decay);
                  Value direction = g;
                  SmallVector<Value> results;
                  if (momentum != 0.0) {
                    Value mu = scalar::constant(b, l, p.getType(), momentum);
                    Value buffer = b.create<arith::AddFOp>(
                        l, b.create<arith::MulFOp>(l, mu, old[1]), g);
                    direction =
                        nesterov
                            ? b.create<arith::AddFOp>(
                                   l, g, b.create<arith::MulFOp>(l, mu, buffer))
                                  .getResult()
                            : buffer;
                    results.push_back(buffer);
                  }
                  Value step = b.create<arith::MulFOp>(l, in[1], direction);
                  results.insert(results.begin(),
                                 b.create<arith::SubFOp>(l, p, step));
                  return results;
                }));
    return success();
  }
};

struct AdamUpdateLowering : OpConversionPattern<AdamUpdateOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(AdamUpdateOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    double beta1 = op.getBeta1().convertToDouble();
    double beta2 = op.getBeta2().convertToDouble();
    double eps = op.getEps().convertToDouble();
    double decay = op.getWeightDecay().convertToDouble();
    bool decoupled = op.getDecoupled();
    // The learning rate and the bias corrections from t = step + 1 are
    // scalars computed once, outside the loop over the elements.
    Location loc = op.getLoc();
    Type type =
        cast<RankedTensorType>(adaptor.getParam().getType()).getElementType();
    auto c = [&](OpBuilder &b, Location l, double value) {
      return scalar::constant(b, l, type, value);
    };
    Value lr = rewriter.create<tensor::ExtractOp>(loc, adaptor.getLr());
    Value t = rewriter.create<arith::SIToFPOp>(
        loc, type,
        rewriter.create<arith::AddIOp>(
            loc, rewriter.create<tensor::ExtractOp>(loc, adaptor.getStep()),
            rewriter.create<arith::ConstantOp>(loc,
                                               rewriter.getI64IntegerAttr(1))));
    auto correction = [&](double beta) -> Value {
      return rewriter.create<arith::SubFOp>(
          loc, c(rewriter, loc, 1.0),
          rewriter.create<math::PowFOp>(loc, c(rewriter, loc, beta), t));
    };
    // Per element, one division and one square root (the loop is bound by
    // them, not by memory, on one core): the corrections fold into two
    // scalars, lr / (1 - beta1^t) and 1 / sqrt(1 - beta2^t). PyTorch folds
    // them the same way; it divides by sqrt(1 - beta2^t) where this
    // multiplies by its reciprocal, which differs only in rounding.
    Value stepSize = rewriter.create<arith::DivFOp>(loc, lr, correction(beta1));
    Value invRootCorrection2 = rewriter.create<arith::DivFOp>(
        loc, c(rewriter, loc, 1.0),
        rewriter.create<math::SqrtOp>(loc, correction(beta2)));
    Value decayFactor;
    if (decoupled && decay != 0.0)
      decayFactor = rewriter.create<arith::SubFOp>(
          loc, c(rewriter, loc, 1.0),
          rewriter.create<arith::MulFOp>(loc, lr, c(rewriter, loc, decay)));
    rewriter.replaceOp(
        op,
        buildUpdate(
            rewriter, loc, {adaptor.getGrad()},
            {adaptor.getParam(), adaptor.getExpAvg(), adaptor.getExpAvgSq()},
            [&](OpBuilder &b, Location l, ValueRange in, ValueRange old) {
              Value p = old[0];
              Value g = in[0];
              if (decayFactor)
                p = b.create<arith::MulFOp>(l, p, decayFactor);
              else if (!decoupled)
                g = withDecay(b, l, g, p, decay);
              Value m = b.create<arith::AddFOp>(
                  l, b.create<arith::MulFOp>(l, c(b, l, beta1), old[1]),
                  b.create<arith::MulFOp>(l, c(b, l, 1.0 - beta1), g));
              Value v = b.create<arith::AddFOp>(
                  l, b.create<arith::MulFOp>(l, c(b, l, beta2), old[2]),
                  b.create<arith::MulFOp>(l, c(b, l, 1.0 - beta2),
                                          b.create<arith::MulFOp>(l, g, g)));
              Value denominator = b.create<arith::AddFOp>(
                  l,
                  b.create<arith::MulFOp>(l, b.create<math::SqrtOp>(l, v),
                                          invRootCorrection2),
                  c(b, l, eps));
              Value update = b.create<arith::MulFOp>(
                  l, stepSize, b.create<arith::DivFOp>(l, m, denominator));
              return SmallVector<Value>{b.create<arith::SubFOp>(l, p, update),
                                        m, v};
            }));
    return success();
  }
};

struct AdagradUpdateLowering : OpConversionPattern<AdagradUpdateOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(AdagradUpdateOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    double eps = op.getEps().convertToDouble();
    double decay = op.getWeightDecay().convertToDouble();
    rewriter.replaceOp(
        op, buildUpdate(
                rewriter, op.getLoc(), {adaptor.getGrad(), adaptor.getLr()},
                {adaptor.getParam(), adaptor.getSum()},
                [&](OpBuilder &b, Location l, ValueRange in, ValueRange old) {
                  Value p = old[0];
                  Value g = withDecay(b, l, in[0], p, decay);
                  Value sum = b.create<arith::AddFOp>(
                      l, old[1], b.create<arith::MulFOp>(l, g, g));
                  Value denominator = b.create<arith::AddFOp>(
                      l, b.create<math::SqrtOp>(l, sum),
                      scalar::constant(b, l, p.getType(), eps));
                  Value update = b.create<arith::MulFOp>(
                      l, in[1], b.create<arith::DivFOp>(l, g, denominator));
                  return SmallVector<Value>{
                      b.create<arith::SubFOp>(l, p, update), sum};
                }));
    return success();
  }
};

/// quern.process_rank: a call of the library's `int64_t
/// quern_process_rank(void)`, which returns the rank the host gave
/// NAME_set_communicator (lib/Driver/EntryPoints.cpp).
struct ProcessRankLowering : OpConversionPattern<ProcessRankOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(ProcessRankOp op, OpAdaptor,
                  ConversionPatternRewriter &rewriter) const override {
    constexpr StringLiteral callee = "quern_process_rank";
    Location loc = op.getLoc();
    Type i64 = rewriter.getI64Type();
    auto module = op->getParentOfType<ModuleOp>();
    if (!module.lookupSymbol(callee)) {
      OpBuilder::InsertionGuard guard(rewriter);
      rewriter.setInsertionPointToStart(module.getBody());
      rewriter
          .create<func::FuncOp>(loc, callee, rewriter.getFunctionType({}, i64))
          .setPrivate();
    }
    Value rank =
        rewriter.create<func::CallOp>(loc, callee, TypeRange{i64}, ValueRange{})
            .getResult(0);
    rewriter.replaceOpWithNewOp<arith::IndexCastOp>(op, rewriter.getIndexType(),
                                                    rank);
    return success();
  }
};

} // namespace

void quern::detail::populateOptimizerPatterns(TypeConverter &converter,
                                              RewritePatternSet &patterns) {
  patterns.add<AdagradUpdateLowering, AdamUpdateLowering, ProcessRankLowering,
               SgdUpdateLowering>(converter, patterns.getContext());
}
