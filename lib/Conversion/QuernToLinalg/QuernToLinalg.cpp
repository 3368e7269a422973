//===- QuernToLinalg.cpp - the quern to linalg pass -------------*- C++ -*-===//

#include "quern/Conversion/QuernToLinalg.h"

#include "Patterns.h"
#include "Scalar.h"
#include "dialects/quern/QuernDialect.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Func/Transforms/FuncConversions.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

namespace quern {
#define GEN_PASS_DEF_CONVERTQUERNTOLINALGPASS
#include "quern/Conversion/Passes.h.inc"
} // namespace quern

using namespace mlir;
using namespace quern;

QuernToLinalgTypeConverter::QuernToLinalgTypeConverter() {
  addConversion([](Type type) { return type; });
  addConversion(
      [](IntegerType type) -> Type { return detail::scalar::signless(type); });
  addConversion([this](RankedTensorType type) -> Type {
    return type.clone(convertType(type.getElementType()));
  });
  auto cast = [](OpBuilder &builder, Type type, ValueRange inputs,
                 Location loc) -> Value {
    return builder.create<UnrealizedConversionCastOp>(loc, type, inputs)
        .getResult(0);
  };
  addSourceMaterialization(cast);
  addTargetMaterialization(cast);
}

void quern::populateQuernToLinalgPatterns(TypeConverter &typeConverter,
                                          RewritePatternSet &patterns,
                                          const MatmulPrecision &precision) {
  detail::populateElementwisePatterns(typeConverter, patterns);
  detail::populateContractionPatterns(typeConverter, patterns, precision);
  detail::populateReductionPatterns(typeConverter, patterns);
  detail::populateShapePatterns(typeConverter, patterns);
  detail::populateIndexingPatterns(typeConverter, patterns);
  detail::populateOptimizerPatterns(typeConverter, patterns);
  detail::populateExpertPatterns(typeConverter, patterns, precision);
  detail::populateQuantizedPatterns(typeConverter, patterns);
}

namespace {

struct ConvertQuernToLinalgPass
    : quern::impl::ConvertQuernToLinalgPassBase<ConvertQuernToLinalgPass> {
  using ConvertQuernToLinalgPassBase::ConvertQuernToLinalgPassBase;

  void runOnOperation() override {
    MLIRContext *context = &getContext();
    QuernToLinalgTypeConverter typeConverter;

    ConversionTarget target(*context);
    target.addIllegalDialect<QuernDialect>();
    // Kept for quern-plan-workspace, which reads and erases the marker, and
    // for bufferization, which makes the others their buffers (and calls).
    target.addLegalOp<BackwardBeginsOp, RecomputeInputOp, CollectiveStartOp,
                      CollectiveWaitOp>();
    target.addLegalDialect<arith::ArithDialect, linalg::LinalgDialect,
                           math::MathDialect, scf::SCFDialect,
                           tensor::TensorDialect>();
    // A scatter into zeros starts from a fresh, filled allocation.
    target.addLegalOp<bufferization::AllocTensorOp>();
    // Functions are legal once their signatures are signless.
    target.addDynamicallyLegalOp<func::FuncOp>([&](func::FuncOp func) {
      return typeConverter.isSignatureLegal(func.getFunctionType());
    });
    target.markUnknownOpDynamicallyLegal(
        [&](Operation *op) { return typeConverter.isLegal(op); });

    RewritePatternSet patterns(context);
    populateQuernToLinalgPatterns(typeConverter, patterns,
                                  {bf16Matmuls, bf16Pairs});
    populateFunctionOpInterfaceTypeConversionPattern<func::FuncOp>(
        patterns, typeConverter);
    populateReturnOpTypeConversionPattern(patterns, typeConverter);
    populateCallOpTypeConversionPattern(patterns, typeConverter);
    if (failed(applyPartialConversion(getOperation(), target,
                                      std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
