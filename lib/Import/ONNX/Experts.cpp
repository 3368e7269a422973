//===- Experts.cpp - ONNX Runtime's mixture-of-experts op --------*- C++
//-*-===//
//
// com.microsoft.MoE becomes the dense block an exporter would write for
// stacked expert weights: router softmax, top-k (renormalized on request),
// the weights scattered into a gate matrix, every expert's products over an
// expert dimension (act(fc1) * fc3 when fc3 is given, as Mixtral's experts;
// SwiGLU's own forms), the gate-weighed sum. quern-fuse-experts then runs each
// expert on its routed tokens, as for any other such block, and
// --no-expert-fusion leaves it as written; training differentiates it like
// any graph. The semantics are those of ONNX Runtime's kernels (what
// test/e2e/Inputs/make_ort_moe.py computes).
//
//===----------------------------------------------------------------------===//

#include "OpTable.h"

#include "dialects/quern/QuernOps.h"

using namespace mlir;
using namespace quern;
using namespace quern::onnx_import;

namespace {

/// What the MoE node builds with: its builder, the tokens, the experts.
struct Experts {
  NodeImporter &node;
  int64_t tokens, count;

  RankedTensorType typeOf(Value value) const {
    return cast<RankedTensorType>(value.getType());
  }
  Value splat(Value like, double value) const {
    return node.splatConstant(typeOf(like), value);
  }
  template <typename Op> Value binary(Value x, Value y) const {
    return node.build<Op>(x.getType(), x, y);
  }
  /// Rows `first`, `first + step`, ... of each expert's [out, in] weight
  /// (`rows` of them), or of its [out] bias.
  Value rowsOf(Value weight, int64_t first, int64_t rows, int64_t step) const {
    RankedTensorType type = typeOf(weight);
    SmallVector<int64_t> shape(type.getShape()), offsets(type.getRank(), 0),
        strides(type.getRank(), 1);
    shape[1] = rows;
    offsets[1] = first;
    strides[1] = step;
    return node.build<SliceOp>(type.clone(shape), weight, offsets, strides);
  }
  /// x [tokens, in] times every expert's weight [experts, out, in], plus its
  /// bias [experts, out]: [experts, tokens, out].
  Value product(Value x, Value weight, Value bias) const {
    RankedTensorType type = typeOf(weight);
    int64_t out = type.getDimSize(1);
    auto resultType = type.clone({count, tokens, out});
    Value lhs = x;
    if (typeOf(x).getRank() == 2)
      lhs = node.build<BroadcastOp>(
          type.clone({count, tokens, typeOf(x).getDimSize(1)}), x);
    Value biasRows;
    if (bias)
      biasRows = node.build<BroadcastOp>(
          resultType, node.reshapeTo(bias, type.clone({count, 1, out})));
    return node.builder.create<MatMulOp>(node.loc, resultType, lhs, weight,
                                         biasRows, false, true);
  }
};

LogicalResult importMoE(NodeImporter &node) {
  RankedTensorType inputType = node.inputType(0);
  RankedTensorType routerType = node.inputType(1);
  if (failed(node.requireFloat(inputType)))
    return failure();
  for (int index = 1; index < node.node.input_size(); ++index)
    if (node.hasInput(index) &&
        node.inputType(index).getElementType() != inputType.getElementType())
      return node.emitError() << "expects input " << index << " of the "
                              << "input's element type";
  if (inputType.getRank() != 2 && inputType.getRank() != 3)
    return node.emitError() << "expects an input of rank 2 or 3, got rank "
                            << inputType.getRank();
  int64_t hidden = inputType.getShape().back();
  int64_t tokens = inputType.getNumElements() / std::max<int64_t>(hidden, 1);
  if (routerType.getRank() != 2 || routerType.getDimSize(0) != tokens)
    return node.emitError()
           << "expects router_probs of shape [" << tokens << ", experts]";
  int64_t count = routerType.getDimSize(1);
  int64_t k = node.intAttribute("k", 1);
  if (k < 1 || k > count)
    return node.emitError()
           << "k = " << k << " is out of range for " << count << " experts";
  if (node.intAttribute("use_sparse_mixer", 0))
    return node.emitError() << "use_sparse_mixer is not supported";
  const onnx::AttributeProto *kind = node.attribute("activation_type");
  std::string activation = kind ? kind->s() : "relu";
  if (!llvm::is_contained({"relu", "gelu", "silu", "identity", "swiglu"},
                          activation))
    return node.emitError() << "activation_type '" << activation
                            << "' is not one of relu, gelu, silu, swiglu, "
                               "identity";
  int64_t fusion = node.intAttribute("swiglu_fusion", 0);
  bool swiglu = activation == "swiglu";
  if (swiglu && (fusion < 0 || fusion > 2))
    return node.emitError()
           << "swiglu_fusion " << fusion << " is not 0, 1 or 2";
  if (swiglu && fusion == 0 && !node.hasInput(6))
    return node.emitError() << "swiglu with swiglu_fusion 0 needs "
                               "fc3_experts_weights";

  // Weights [experts, out, in] and biases [experts, out] of each product.
  RankedTensorType fc1Type = node.inputType(2), fc2Type = node.inputType(4);
  if (fc1Type.getRank() != 3 || fc1Type.getDimSize(0) != count ||
      fc1Type.getDimSize(2) != hidden)
    return node.emitError() << "expects fc1_experts_weights of shape [" << count
                            << ", out, " << hidden << "]";
  int64_t inter = fc1Type.getDimSize(1) / (swiglu && fusion ? 2 : 1);
  if (fc2Type.getRank() != 3 || fc2Type.getDimSize(0) != count ||
      fc2Type.getDimSize(1) != hidden || fc2Type.getDimSize(2) != inter)
    return node.emitError() << "expects fc2_experts_weights of shape [" << count
                            << ", " << hidden << ", " << inter << "]";
  auto checkBias = [&](int index, int64_t out) -> LogicalResult {
    if (!node.hasInput(index))
      return success();
    RankedTensorType type = node.inputType(index);
    if (type.getShape() != ArrayRef<int64_t>{count, out})
      return node.emitError() << "expects input " << index << " of shape ["
                              << count << ", " << out << "]";
    return success();
  };
  if (failed(checkBias(3, fc1Type.getDimSize(1))) ||
      failed(checkBias(5, hidden)) || failed(checkBias(7, inter)))
    return failure();
  if (node.hasInput(6) &&
      node.inputType(6).getShape() != ArrayRef<int64_t>{count, inter, hidden})
    return node.emitError() << "expects fc3_experts_weights of shape [" << count
                            << ", " << inter << ", " << hidden << "]";
  auto optional = [&](int index) {
    return node.hasInput(index) ? node.input(index) : Value();
  };

  Experts experts{node, tokens, count};
  Value x = node.reshapeTo(node.input(0), inputType.clone({tokens, hidden}));
  // Routing: softmax over the experts, top-k, renormalized on request, and
  // scattered into a gate per token and expert.
  Value probabilities =
      node.build<SoftmaxOp>(routerType, node.input(1), uint64_t(1));
  auto picked = routerType.clone({tokens, k});
  auto top = node.builder.create<TopKOp>(
      node.loc, picked,
      RankedTensorType::get({tokens, k}, node.builder.getI64Type()),
      probabilities, k, 1, false);
  Value weights = top.getValues();
  if (node.intAttribute("normalize_routing_weights", 0)) {
    Value sum = node.build<ReduceSumOp>(routerType.clone({tokens, 1}), weights,
                                        ArrayRef<int64_t>{1}, true);
    weights =
        experts.binary<DivOp>(weights, node.build<BroadcastOp>(picked, sum));
  }
  Value gates = node.build<ScatterElementsOp>(
      routerType, node.splatConstant(routerType, 0.0), top.getIndices(),
      weights, uint64_t(1), ScatterReduction::none);

  // The experts, stacked.
  Value fc1 = node.input(2), fc1Bias = optional(3);
  Value hiddenValues;
  if (!swiglu) {
    Value h = experts.product(x, fc1, fc1Bias);
    if (activation == "relu")
      hiddenValues = node.build<ReluOp>(h.getType(), h);
    else if (activation == "silu")
      hiddenValues =
          experts.binary<MulOp>(h, node.build<SigmoidOp>(h.getType(), h));
    else if (activation == "gelu")
      hiddenValues = node.gelu(h, /*tanh=*/false);
    else
      hiddenValues = h;
    // With fc3 (Mixtral's experts): act(fc1) * fc3.
    if (node.hasInput(6))
      hiddenValues = experts.binary<MulOp>(
          hiddenValues, experts.product(x, node.input(6), optional(7)));
  } else {
    // g and l: fc1 and fc3, or fc1's rows interleaved or in two halves.
    Value g, l;
    if (fusion == 0) {
      g = experts.product(x, fc1, fc1Bias);
      l = experts.product(x, node.input(6), optional(7));
    } else {
      int64_t step = fusion == 1 ? 2 : 1;
      int64_t second = fusion == 1 ? 1 : inter;
      auto half = [&](Value value, int64_t first) {
        return value ? experts.rowsOf(value, first, inter, step) : Value();
      };
      g = experts.product(x, half(fc1, 0), half(fc1Bias, 0));
      l = experts.product(x, half(fc1, second), half(fc1Bias, second));
    }
    const onnx::AttributeProto *limit = node.attribute("swiglu_limit");
    if (limit) {
      g = experts.binary<MinOp>(g, experts.splat(g, limit->f()));
      l = experts.binary<MaxOp>(
          experts.binary<MinOp>(l, experts.splat(l, limit->f())),
          experts.splat(l, -limit->f()));
    }
    double alpha = node.floatAttribute("activation_alpha", 1.0f),
           beta = node.floatAttribute("activation_beta", 0.0f);
    Value gated = experts.binary<MulOp>(
        g, node.build<SigmoidOp>(
               g.getType(), alpha == 1.0 ? g
                                         : experts.binary<MulOp>(
                                               g, experts.splat(g, alpha))));
    hiddenValues = experts.binary<MulOp>(
        gated,
        beta == 0.0 ? l : experts.binary<AddOp>(l, experts.splat(l, beta)));
  }
  Value y = experts.product(hiddenValues, node.input(4), optional(5));

  // The gate-weighed sum over the experts.
  auto yType = cast<RankedTensorType>(y.getType());
  Value perExpert = node.build<TransposeOp>(routerType.clone({count, tokens}),
                                            gates, ArrayRef<int64_t>{1, 0});
  Value weighed = experts.binary<MulOp>(
      y,
      node.build<BroadcastOp>(
          yType, node.reshapeTo(perExpert, yType.clone({count, tokens, 1}))));
  Value sum = node.build<ReduceSumOp>(inputType.clone({tokens, hidden}),
                                      weighed, ArrayRef<int64_t>{0}, false);
  node.setResult(0, node.reshapeTo(sum, inputType));
  return success();
}

} // namespace

void quern::onnx_import::registerExpertOps(OpTable &table) {
  table.add("com.microsoft.MoE", {1}, importMoE);
}
