//===- LoRA.cpp - low-rank adapters on matrix products ----------*- C++ -*-===//
//
// quern-lora: every matrix product whose weight is a target gets an adapter,
// `y = x W + (x Aᵀ) Bᵀ · alpha / rank` with A [rank, K] and B [N, rank] as
// PEFT lays out its lora_A / lora_B Linear weights; every other parameter
// is frozen. The adapters are new parameters: A starts Kaiming-uniform as
// PEFT's (a quern.initial bound quernc draws from --seed), B at zeros, so
// the adapted model starts as the base.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "dialects/quern/QuernBuild.h"
#include "dialects/quern/QuernOps.h"
#include "passes/ForwardFunction.h"
#include "passes/GlobList.h"
#include "passes/WeightUses.h"

#include "llvm/ADT/StringSet.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/xxhash.h"

#include <cmath>

namespace quern {
#define GEN_PASS_DEF_LORAPASS
#include "passes/Passes.h.inc"
} // namespace quern

using namespace mlir;
using namespace quern;

namespace {

/// The adapters' names: "blocks.0.q.weight" → "blocks.0.q.lora_A.weight";
/// another name takes ".lora_A" after it.
std::string adapterName(StringRef weight, StringRef matrix) {
  if (weight.consume_back(".weight"))
    return (weight + ".lora_" + matrix + ".weight").str();
  return (weight + ".lora_" + matrix).str();
}

struct LoraPass : quern::impl::LoraPassBase<LoraPass> {
  using LoraPassBase::LoraPassBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    func::FuncOp forward = lookupForward(module, "adapt");
    if (!forward)
      return signalPassFailure();
    // An option out of range: "lora: <what> (<value>) must ...".
    auto badOption = [&](StringRef what, double value, StringRef rule) {
      std::string text;
      llvm::raw_string_ostream(text) << llvm::format("%g", value);
      module.emitError() << "lora: " << what << " (" << text << ") " << rule;
      signalPassFailure();
    };
    if (rank < 1)
      return badOption("the rank", rank, "must be at least 1");
    if (!(dropout >= 0 && dropout < 1))
      return badOption("the dropout", dropout, "must be in [0, 1)");
    if (alpha < 0)
      return badOption("alpha", alpha, "must be positive (0: the rank)");
    GlobList globs("lora-targets");
    names.clear();
    if (failed(globs.compile(module, targets)))
      return signalPassFailure();
    for (unsigned index = 0; index < forward.getNumArguments(); ++index)
      if (std::optional<ParamInfo> param = getParam(forward, index))
        names.insert(param->name);

    // Every parameter the model gave is frozen; adapters are appended
    // after the one they adapt, so walk backwards.
    int64_t adapted = 0;
    for (int index = forward.getNumArguments() - 1; index >= 0; --index) {
      std::optional<ParamInfo> param = getParam(forward, index);
      if (!param)
        continue;
      std::string name = param->name.str();
      setParam(forward, index, name, /*trainable=*/false);
      bool named = globs.matches(name);
      if (!globs.empty() && !named)
        continue;
      OpOperand *other = nullptr;
      FailureOr<SmallVector<MatMulOp>> products =
          productsReadingWeight(forward.getArgument(index), other);
      // The adapter's product reads the product's left operand untransposed
      // and its weight as a matrix.
      MatMulOp unsuited;
      if (succeeded(products))
        for (MatMulOp product : *products)
          if (product.getTransposeLhs() ||
              product.getRhs().getType().getRank() != 2)
            unsuited = product;
      if (failed(products) || products->empty() || unsuited) {
        if (!named)
          continue;
        if (other)
          emitError(other->getOwner()->getLoc())
              << "lora: '" << name << "' is read here " << describeRead(*other)
              << ", not as a matrix product's weight";
        else if (unsuited)
          emitError(unsuited.getLoc())
              << "lora: '" << name
              << "' is read here by a batched product or one whose left "
                 "operand is transposed, which adapters do not support";
        else
          emitError(forward.getArgument(index).getLoc())
              << "lora: '" << name << "' is not read by a matrix product";
        return signalPassFailure();
      }
      if (failed(adapt(forward, index, *products)))
        return signalPassFailure();
      ++adapted;
    }
    if (failed(globs.checkAllUsed(module, "parameter")))
      return signalPassFailure();
    if (adapted == 0) {
      module.emitError("lora: no matrix product's weight to adapt");
      return signalPassFailure();
    }
  }

  /// Adds the adapters of weight `index` (after it) to each of `products`.
  LogicalResult adapt(func::FuncOp forward, unsigned index,
                      ArrayRef<MatMulOp> products) {
    StringRef weight = getParam(forward, index)->name;
    MatMulOp first = products.front();
    int64_t depth = first.getLhs().getType().getShape().back(),
            columns = first.getType().getShape().back();
    for (MatMulOp product : products)
      if (product.getLhs().getType().getShape().back() != depth ||
          product.getType().getShape().back() != columns)
        return product.emitError()
               << "lora: '" << weight
               << "' is read by products of different shapes";
    Location loc = forward.getArgument(index).getLoc();
    Type f32 = Float32Type::get(forward.getContext());
    auto declare = [&](unsigned position, StringRef matrix,
                       ArrayRef<int64_t> shape) -> FailureOr<Value> {
      std::string name = adapterName(weight, matrix);
      if (!names.insert(name).second)
        return emitError(loc)
               << "lora: the adapter of '" << weight << "' would be named '"
               << name << "', which a parameter already is";
      forward.insertArgument(position, RankedTensorType::get(shape, f32), {},
                             loc);
      setParam(forward, position, name, /*trainable=*/true);
      return forward.getArgument(position);
    };
    FailureOr<Value> down = declare(index + 1, "A", {rank, depth});
    if (failed(down))
      return failure();
    // PEFT's kaiming_uniform_(a=√5) on [rank, K]: U(-1/√K, 1/√K).
    setUniformInitial(forward, index + 1, 1.0 / std::sqrt(double(depth)));
    FailureOr<Value> up = declare(index + 2, "B", {columns, rank});
    if (failed(up))
      return failure();
    double scaling = (alpha > 0 ? alpha : double(rank)) / double(rank);
    for (MatMulOp product : products) {
      OpBuilder b(product->getContext());
      b.setInsertionPointAfter(product);
      QuernOps ops{b, product.getLoc()};
      ArrayRef<int64_t> shape = product.getType().getShape();
      int64_t rows = product.getType().getNumElements() / columns;
      Value rowsIn = ops.reshape(product.getLhs(), {rows, depth});
      if (dropout > 0)
        rowsIn =
            b.create<DropoutOp>(
                 product.getLoc(), rowsIn.getType(),
                 cast<RankedTensorType>(rowsIn.getType()).clone(b.getI1Type()),
                 rowsIn, Value(), b.getF64FloatAttr(dropout),
                 b.getI64IntegerAttr(
                     int64_t(llvm::xxh3_64bits(adapterName(weight, "A")) ^
                             uint64_t(int64_t(seed)))),
                 b.getUnitAttr())
                .getResult();
      Value low = ops.matmul(rowsIn, *down, false, true, {rows, rank});
      Value delta = ops.matmul(low, *up, false, true, {rows, columns});
      if (scaling != 1.0)
        delta = ops.scale(delta, scaling);
      delta = ops.reshape(delta, shape);
      Value adapted = ops.add(product, delta);
      product.getResult().replaceAllUsesExcept(adapted,
                                               adapted.getDefiningOp());
    }
    return success();
  }

  /// The names of @forward's parameters, adapters included.
  llvm::StringSet<> names;
};

} // namespace
