//===- Quantize.cpp - frozen weights stored in 4 or 8 bits ------*- C++ -*-===//
//
// quern-quantize: each frozen weight that only matrix products read becomes
// its quantized parts (Quantization.h) and a quern.dequantize that the
// products read. The values of the parts are not the pass's: quernc
// computes them from the weight's when it writes the state.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "dialects/quern/QuernOps.h"
#include "passes/ForwardFunction.h"
#include "passes/GlobList.h"
#include "passes/Quantize/Quantization.h"
#include "passes/WeightUses.h"

namespace quern {
#define GEN_PASS_DEF_QUANTIZEPASS
#include "passes/Passes.h.inc"
} // namespace quern

using namespace mlir;
using namespace quern;

namespace {

struct QuantizePass : quern::impl::QuantizePassBase<QuantizePass> {
  using QuantizePassBase::QuantizePassBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    func::FuncOp forward = lookupForward(module, "quantize");
    if (!forward)
      return signalPassFailure();
    std::optional<QuantScheme> parsed = parseQuantScheme(scheme);
    if (!parsed) {
      module.emitError() << "quantize: unknown scheme '" << scheme
                         << "' (nf4, int4 or int8)";
      return signalPassFailure();
    }
    QuantSpec spec{*parsed, block, doubleQuant};
    if (block <= 0 ||
        (DequantizeOp::codeBits(spec.scheme) == 4 && block % 2 != 0)) {
      module.emitError() << "quantize: the block (" << spec.block
                         << ") must be positive, and even for 4-bit codes";
      return signalPassFailure();
    }
    GlobList globs("quantize-only");
    if (failed(globs.compile(module, only)))
      return signalPassFailure();

    int64_t quantized = 0;
    // Arguments are inserted after their weight, so walk backwards.
    for (int index = forward.getNumArguments() - 1; index >= 0; --index) {
      std::optional<ParamInfo> param = getParam(forward, index);
      if (!param || getQuantized(forward, index))
        continue;
      bool named = globs.matches(param->name);
      if (!globs.empty() && !named)
        continue;
      FailureOr<bool> done = quantize(forward, index, spec, named);
      if (failed(done))
        return signalPassFailure();
      quantized += *done;
    }
    if (failed(globs.checkAllUsed(module, "parameter")))
      return signalPassFailure();
    if (quantized == 0) {
      module.emitError("quantize: no frozen weight that only matrix products "
                       "read (freeze the base with --lora or --freeze)");
      return signalPassFailure();
    }
  }

  /// Quantizes argument `index` when it can be; when it cannot, fails if
  /// the user `named` it.
  FailureOr<bool> quantize(func::FuncOp forward, unsigned index,
                           const QuantSpec &spec, bool named) {
    BlockArgument weight = forward.getArgument(index);
    ParamInfo param = *getParam(forward, index);
    auto type = dyn_cast<RankedTensorType>(weight.getType());
    auto refuse = [&](Location loc, const Twine &why) -> FailureOr<bool> {
      if (!named)
        return false;
      emitError(loc) << "quantize: '" << param.name << "' " << why;
      return failure();
    };
    if (param.trainable)
      return refuse(weight.getLoc(), "is trained; only frozen weights are "
                                     "quantized");
    if (!type || !type.getElementType().isF32() || type.getRank() < 2)
      return refuse(weight.getLoc(), "is not an f32 tensor of rank 2 or more");
    OpOperand *other = nullptr;
    FailureOr<SmallVector<MatMulOp>> products =
        productsReadingWeight(weight, other);
    if (failed(products))
      return refuse(other->getOwner()->getLoc(),
                    "is read here " + describeRead(*other) +
                        ", not only as matrix products' weight");
    if (products->empty())
      return refuse(weight.getLoc(), "is not read by a matrix product");
    int64_t elements = type.getNumElements();
    if (elements % spec.block != 0)
      return refuse(weight.getLoc(),
                    "has " + Twine(elements) + " elements, which the block (" +
                        Twine(spec.block) + ") does not divide");

    // The parts, after the weight; then the weight goes.
    std::string name = param.name.str();
    SmallVector<int64_t> shape(type.getShape());
    SmallVector<Value> parts;
    MLIRContext *context = forward.getContext();
    for (const QuantPart &part : quantParts(spec, elements)) {
      Type element = part.isCodes ? Type(IntegerType::get(context, 8))
                                  : Type(Float32Type::get(context));
      unsigned position = index + 1 + parts.size();
      forward.insertArgument(position,
                             RankedTensorType::get({part.elements}, element),
                             {}, weight.getLoc());
      setParam(forward, position, name + part.suffix.str(),
               /*trainable=*/false);
      setQuantized(forward, position,
                   {name, quantPartName(part.kind),
                    quantSchemeName(spec.scheme), spec.block, spec.doubleQuant,
                    shape});
      parts.push_back(forward.getArgument(position));
    }
    OpBuilder b = OpBuilder::atBlockBegin(&forward.front());
    Location loc = weight.getLoc();
    Value scales = parts[1];
    if (spec.doubleQuant)
      scales = b.create<DequantizeOp>(
          loc, RankedTensorType::get({elements / spec.block}, b.getF32Type()),
          QuantScheme::int8, parts[1], parts[2], parts[3], Value(),
          kScaleBlock);
    Value decoded = b.create<DequantizeOp>(
        loc, type, spec.scheme, parts[0], scales, Value(), Value(), spec.block);
    weight.replaceAllUsesWith(decoded);
    forward.eraseArgument(index);
    return true;
  }
};

} // namespace
