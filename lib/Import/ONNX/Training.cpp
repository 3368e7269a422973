//===- Training.cpp - ONNX's ai.onnx.preview.training ops ------*- C++ -*-===//
//
// Gradient is a compile-time request for reverse-mode autodiff, answered by
// the same autodiff that builds Quern's own training steps.
//
// Adam, Adagrad and Momentum of the ai.onnx.preview.training domain, with
// ONNX's semantics (which differ from PyTorch's: ONNX's Adam folds the bias
// corrections into the learning rate, its Adagrad decays the rate with the
// step, its Momentum skips beta at step 0). Each is written out in quern's
// elementwise ops on the tensors it updates, with the learning rate R and
// step T (run-time scalars) broadcast to their shapes.
//
//===----------------------------------------------------------------------===//

#include "OpTable.h"

#include "dialects/quern/QuernOps.h"
#include "passes/Autodiff/Autodiff.h"

using namespace mlir;
using namespace quern;
using namespace quern::onnx_import;

namespace {

/// quern arithmetic on tensors of one type, for the update formulas.
struct Formula {
  NodeImporter &node;
  RankedTensorType type;

  Value splat(double value) { return node.splatConstant(type, value); }
  Value add(Value a, Value b) { return node.build<AddOp>(type, a, b); }
  Value sub(Value a, Value b) { return node.build<SubOp>(type, a, b); }
  Value mul(Value a, Value b) { return node.build<MulOp>(type, a, b); }
  Value div(Value a, Value b) { return node.build<DivOp>(type, a, b); }
  Value sqrt(Value a) { return node.build<SqrtOp>(type, a); }
  Value pow(Value a, Value b) { return node.build<PowOp>(type, a, b); }
  /// A rank-0 input as a tensor of this type (cast to its element type).
  Value spread(Value scalar) {
    return node.broadcastTo(node.castTo(scalar, type.getElementType()), type);
  }
  /// `condition ? a : b` where condition is the step T > 0 (or T == 0).
  Value whenStep(ComparePredicate predicate, Value step, Value a, Value b) {
    auto stepType = cast<RankedTensorType>(step.getType());
    Value zero = node.splatConstant(stepType, 0);
    Value test = node.build<CompareOp>(stepType.clone(node.builder.getI1Type()),
                                       predicate, step, zero);
    return node.build<SelectOp>(type, node.broadcastTo(test, type), a, b);
  }
  /// norm_coefficient * x + g.
  Value regularized(Value x, Value g, double coefficient) {
    return coefficient == 0.0 ? g : add(mul(splat(coefficient), x), g);
  }
};

/// The number of tensors an optimizer node updates: (inputs - 2) / groups.
FailureOr<int> tensorCount(NodeImporter &node, int groups) {
  int tensors = node.node.input_size() - 2;
  if (tensors <= 0 || tensors % groups != 0)
    return node.emitError()
           << "expects R, T and " << groups << " inputs per optimized tensor";
  return tensors / groups;
}

LogicalResult importAdam(NodeImporter &node) {
  FailureOr<int> count = tensorCount(node, 4);
  if (failed(count))
    return failure();
  double alpha = node.floatAttribute("alpha", 0.9f);
  double beta = node.floatAttribute("beta", 0.999f);
  double epsilon = node.floatAttribute("epsilon", 1e-6f);
  double decay = node.floatAttribute("norm_coefficient", 0.0f);
  double decayPost = node.floatAttribute("norm_coefficient_post", 0.0f);
  Value rate = node.input(0), step = node.input(1);
  for (int i = 0; i < *count; ++i) {
    Value x = node.input(2 + i), g = node.input(2 + *count + i);
    Value v = node.input(2 + 2 * *count + i),
          h = node.input(2 + 3 * *count + i);
    Formula f{node, cast<RankedTensorType>(x.getType())};
    Value gr = f.regularized(x, g, decay);
    Value vNew = f.add(f.mul(f.splat(alpha), v), f.mul(f.splat(1 - alpha), gr));
    Value hNew =
        f.add(f.mul(f.splat(beta), h), f.mul(f.splat(1 - beta), f.mul(gr, gr)));
    Value hSqrt = f.add(f.sqrt(hNew), f.splat(epsilon));
    // r * sqrt(1 - beta^t) / (1 - alpha^t) once t > 0.
    Value t = f.spread(step), r = f.spread(rate);
    Value one = f.splat(1.0);
    Value adjusted =
        f.div(f.mul(r, f.sqrt(f.sub(one, f.pow(f.splat(beta), t)))),
              f.sub(one, f.pow(f.splat(alpha), t)));
    Value rateT = f.whenStep(ComparePredicate::gt, step, adjusted, r);
    Value xNew = f.sub(x, f.mul(rateT, f.div(vNew, hSqrt)));
    if (decayPost != 0.0)
      xNew = f.mul(f.splat(1 - decayPost), xNew);
    node.setResult(i, xNew);
    node.setResult(*count + i, vNew);
    node.setResult(2 * *count + i, hNew);
  }
  return success();
}

LogicalResult importAdagrad(NodeImporter &node) {
  FailureOr<int> count = tensorCount(node, 3);
  if (failed(count))
    return failure();
  double decayFactor = node.floatAttribute("decay_factor", 0.0f);
  double epsilon = node.floatAttribute("epsilon", 0.0f);
  double decay = node.floatAttribute("norm_coefficient", 0.0f);
  Value rate = node.input(0), step = node.input(1);
  for (int i = 0; i < *count; ++i) {
    Value x = node.input(2 + i), g = node.input(2 + *count + i);
    Value h = node.input(2 + 2 * *count + i);
    Formula f{node, cast<RankedTensorType>(x.getType())};
    // r = R / (1 + T * decay_factor).
    Value r =
        f.div(f.spread(rate),
              f.add(f.splat(1.0), f.mul(f.spread(step), f.splat(decayFactor))));
    Value gr = f.regularized(x, g, decay);
    Value hNew = f.add(h, f.mul(gr, gr));
    Value hSqrt = f.add(f.sqrt(hNew), f.splat(epsilon));
    node.setResult(i, f.sub(x, f.mul(r, f.div(gr, hSqrt))));
    node.setResult(*count + i, hNew);
  }
  return success();
}

LogicalResult importMomentum(NodeImporter &node) {
  FailureOr<int> count = tensorCount(node, 3);
  if (failed(count))
    return failure();
  double alpha = node.floatAttribute("alpha", 0.0f);
  double beta = node.floatAttribute("beta", 0.0f);
  double decay = node.floatAttribute("norm_coefficient", 0.0f);
  const onnx::AttributeProto *modeAttribute = node.attribute("mode");
  std::string mode = modeAttribute ? modeAttribute->s() : "standard";
  if (mode != "standard" && mode != "nesterov")
    return node.emitError() << "mode '" << mode << "' is not supported";
  Value rate = node.input(0), step = node.input(1);
  for (int i = 0; i < *count; ++i) {
    Value x = node.input(2 + i), g = node.input(2 + *count + i);
    Value v = node.input(2 + 2 * *count + i);
    Formula f{node, cast<RankedTensorType>(x.getType())};
    // beta is 1 at the first step.
    Value betaT =
        f.whenStep(ComparePredicate::eq, step, f.splat(1.0), f.splat(beta));
    Value gr = f.regularized(x, g, decay);
    Value vNew = f.add(f.mul(f.splat(alpha), v), f.mul(betaT, gr));
    Value direction =
        mode == "standard" ? vNew : f.add(gr, f.mul(f.splat(alpha), vNew));
    node.setResult(i, f.sub(x, f.mul(f.spread(rate), direction)));
    node.setResult(*count + i, vNew);
  }
  return success();
}

/// The gradient of the tensor named `y` with respect to those named `xs`,
/// at the values the graph computes: ONNX lets the node's inputs give other
/// values for xs and zs, which Quern does not support, so its inputs must be
/// exactly the tensors named in xs then zs. A gradient that y does not
/// depend on is zero; y need not be a scalar (its elements' gradients are
/// summed, as for a seed of ones).
LogicalResult importGradient(NodeImporter &node) {
  const onnx::AttributeProto *xs = node.attribute("xs");
  const onnx::AttributeProto *y = node.attribute("y");
  const onnx::AttributeProto *zs = node.attribute("zs");
  if (!xs || !y)
    return node.emitError() << "needs the attributes xs and y";
  SmallVector<std::string> named(xs->strings().begin(), xs->strings().end());
  if (zs)
    named.append(zs->strings().begin(), zs->strings().end());
  bool sameTensors = node.node.input_size() == static_cast<int>(named.size());
  for (auto [index, name] : llvm::enumerate(named))
    sameTensors = sameTensors && node.node.input(index) == name;
  if (!sameTensors)
    return node.emitError()
           << "computes gradients only at the values the graph gives the "
              "tensors named in xs and zs: its inputs must be those tensors, "
              "in that order";
  if (node.node.output_size() > xs->strings_size())
    return node.emitError()
           << "has " << node.node.output_size() << " outputs but xs names "
           << xs->strings_size() << " tensors";
  Value target = node.valueNamed(y->s());
  if (!target)
    return node.emitError() << "y names '" << y->s()
                            << "', which is not computed before the node";
  if (failed(node.requireFloat(target.getType())))
    return failure();
  SmallVector<Value> wrt;
  for (int index = 0; index < xs->strings_size(); ++index) {
    wrt.push_back(node.input(index));
    if (!isa<FloatType>(node.inputType(index).getElementType()))
      return node.emitError()
             << "cannot differentiate with respect to '" << xs->strings(index)
             << "', which is not a float tensor";
  }
  FailureOr<SmallVector<Value>> gradients =
      buildGradients(node.builder, target, wrt);
  if (failed(gradients))
    return failure();
  for (int index = 0; index < node.node.output_size(); ++index) {
    if (node.node.output(index).empty())
      continue;
    Value gradient = (*gradients)[index];
    node.setResult(index, gradient
                              ? gradient
                              : node.splatConstant(node.inputType(index), 0.0));
  }
  return success();
}

} // namespace

void quern::onnx_import::registerTrainingOps(OpTable &table) {
  table.add("ai.onnx.preview.training.Gradient", {1}, importGradient);
  table.add("ai.onnx.preview.training.Adam", {1}, importAdam);
  table.add("ai.onnx.preview.training.Adagrad", {1}, importAdagrad);
  table.add("ai.onnx.preview.training.Momentum", {1}, importMomentum);
}
