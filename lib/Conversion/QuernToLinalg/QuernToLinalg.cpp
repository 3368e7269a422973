//===- QuernToLinalg.cpp - the quern to linalg pass -------------*- C++ -*-===//

#include "quern/Conversion/QuernToLinalg.h"

#include "Patterns.h"
#include "dialects/quern/QuernDialect.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

namespace quern {
#define GEN_PASS_DEF_CONVERTQUERNTOLINALGPASS
#include "quern/Conversion/Passes.h.inc"
} // namespace quern

using namespace mlir;
using namespace quern;

void quern::populateQuernToLinalgPatterns(TypeConverter &typeConverter,
                                          RewritePatternSet &patterns) {
  detail::populateElementwisePatterns(typeConverter, patterns);
  detail::populateContractionPatterns(typeConverter, patterns);
  detail::populateReductionPatterns(typeConverter, patterns);
  detail::populateShapePatterns(typeConverter, patterns);
}

namespace {

struct ConvertQuernToLinalgPass
    : quern::impl::ConvertQuernToLinalgPassBase<ConvertQuernToLinalgPass> {
  void runOnOperation() override {
    MLIRContext *context = &getContext();
    // Tensors keep their types: the conversion only changes the ops.
    TypeConverter typeConverter;
    typeConverter.addConversion([](Type type) { return type; });

    ConversionTarget target(*context);
    target.addIllegalDialect<QuernDialect>();
    target.addLegalDialect<arith::ArithDialect, linalg::LinalgDialect,
                           math::MathDialect, tensor::TensorDialect>();
    target.markUnknownOpDynamicallyLegal([](Operation *) { return true; });

    RewritePatternSet patterns(context);
    populateQuernToLinalgPatterns(typeConverter, patterns);
    if (failed(applyPartialConversion(getOperation(), target,
                                      std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
