#!/usr/bin/env python3
"""Checks the gradients of compiled training steps against finite
differences of the compiled forward function.

    gradcheck.py --build BUILD --work DIR [--eps E] [--rtol R] [--atol A]
                 [CASE...]

Each case is a tiny ONNX model (written here with onnx.helper) for one
differentiable ONNX op family: its float initializers are the parameters
and its only output is a scalar loss, usually ReduceSum(op(...) * R) with R
a fixed random Constant (so that every element of the op's result counts,
each with its own weight). The case's values keep the op away from its
kinks (Relu, Abs, LeakyRelu, Clip inputs away from the corners, Max/Min
operands and reduced maxima away from ties) and the loss well scaled.

`quernc --train --optimizer=sgd` compiles the model; one NAME_train_step
with lr = 1 (SGD without momentum or weight decay) moves every parameter by
minus its gradient, so the analytic gradient is before - after, read from
the state buffer. The numeric gradient of each parameter element is the
central difference (L(p + eps) - L(p - eps)) / (p+ - p-) of the compiled
NAME_forward, where p+ and p- are the float32 values actually stored (the
differences are taken in float64). The initial state is restored before
every evaluation. An element passes when

    |analytic - numeric| <= atol + rtol * |numeric|

(defaults: eps 1e-3, rtol 1e-2, atol 1e-3: the loss is computed in float32,
so its rounding, about 1e-7 of its magnitude, divided by 2 eps, is what
the absolute tolerance absorbs). Prints, for each case, the worst
|analytic - numeric| and how much of its allowed error that is, then
"PASS: N cases" or one FAIL line per failing case.
"""
import argparse
import os
import subprocess
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "scripts"))
from compiled_model import CompiledModel  # noqa: E402

OPSET = 17

ELEMENT_TYPES = {
    np.dtype(np.float32): TensorProto.FLOAT,
    np.dtype(np.float64): TensorProto.DOUBLE,
    np.dtype(np.int64): TensorProto.INT64,
    np.dtype(np.bool_): TensorProto.BOOL,
}


#===----------------------------------------------------------------------===#
# Building the models
#===----------------------------------------------------------------------===#

class Case:
    """A model under construction: nodes, parameters (float initializers)
    and graph inputs with their fixed values."""

    def __init__(self, seed):
        self.rng = np.random.default_rng(seed)
        self.nodes = []
        self.params = {}
        self.inputs = []
        self.counter = 0

    def name(self, prefix):
        self.counter += 1
        return f"{prefix}{self.counter}"

    def param(self, name, array):
        self.params[name] = np.asarray(array, dtype=np.float32)
        return name

    def constant(self, array, prefix="c"):
        """A Constant node (not an initializer: float initializers are
        parameters)."""
        name = self.name(prefix)
        self.nodes.append(helper.make_node(
            "Constant", [], [name],
            value=numpy_helper.from_array(np.asarray(array), name + "_value")))
        return name

    def input(self, name, array):
        self.inputs.append((name, np.asarray(array)))
        return name

    def node(self, op, inputs, outputs=1, **attributes):
        names = [self.name(op.lower()) for _ in range(outputs)]
        self.nodes.append(helper.make_node(op, list(inputs), names,
                                           **attributes))
        return names[0] if outputs == 1 else names

    # Values.
    def normal(self, shape, scale=1.0):
        return (scale * self.rng.standard_normal(shape)).astype(np.float32)

    def uniform(self, shape, low, high):
        return self.rng.uniform(low, high, shape).astype(np.float32)

    def away_from_zero(self, shape, low=0.2, high=1.0):
        """|x| in [low, high], random signs: no kink at 0 within eps."""
        sign = np.where(self.rng.random(shape) < 0.5, -1.0, 1.0)
        return (sign * self.rng.uniform(low, high, shape)).astype(np.float32)

    def distinct(self, shape, gap=0.1):
        """Values at least `gap` apart, shuffled: no ties for max or top-k."""
        count = int(np.prod(shape))
        values = (np.arange(count) - count / 2) * gap
        values += self.rng.uniform(-0.2 * gap, 0.2 * gap, count)
        return self.rng.permutation(values).reshape(shape).astype(np.float32)

    def weighted_sum(self, value, shape):
        """The loss: sum(value * R), R fixed and random."""
        weights = self.constant(self.normal(shape), "weights")
        product = self.node("Mul", [value, weights])
        return self.node("ReduceSum", [product], keepdims=0)

    def model(self, loss):
        graph = helper.make_graph(
            self.nodes, "gradcheck",
            [helper.make_tensor_value_info(name, ELEMENT_TYPES[array.dtype],
                                           list(array.shape))
             for name, array in self.inputs],
            [helper.make_tensor_value_info(loss, TensorProto.FLOAT, [])],
            [numpy_helper.from_array(array, name)
             for name, array in self.params.items()])
        model = helper.make_model(
            graph, producer_name="quern-gradcheck",
            opset_imports=[helper.make_opsetid("", OPSET)])
        onnx.checker.check_model(model)
        return model


def int64(values):
    return np.asarray(values, dtype=np.int64)


# Elementwise ops.

def unary(op, values, **attributes):
    def build(case):
        x = case.param("x", values(case))
        return case.weighted_sum(case.node(op, [x], **attributes), [2, 3])
    return build


def binary(op, a_shape, b_shape, out_shape, a_values=None, b_values=None):
    """op(a, b) with numpy broadcasting between the two parameters."""
    def build(case):
        a = case.param("a", a_values(case, a_shape) if a_values
                       else case.normal(a_shape))
        b = case.param("b", b_values(case, b_shape) if b_values
                       else case.normal(b_shape))
        return case.weighted_sum(case.node(op, [a, b]), out_shape)
    return build


def apart(op):
    """Max/Min of two parameters at least 0.2 apart everywhere (b is
    broadcast over a's rows)."""
    def build(case):
        b_values = case.normal([3])
        a_values = b_values + case.away_from_zero([2, 3])
        a = case.param("a", a_values)
        b = case.param("b", b_values)
        return case.weighted_sum(case.node(op, [a, b]), [2, 3])
    return build


def pow_square(case):
    # x^2 with a constant exponent and bases of both signs.
    x = case.param("x", case.away_from_zero([2, 3]))
    two = case.constant(np.array(2.0, dtype=np.float32))
    return case.weighted_sum(case.node("Pow", [x, two]), [2, 3])


def where(case):
    condition = case.constant(np.array([[True, False, True],
                                        [False, False, True]]))
    a = case.param("a", case.normal([2, 3]))
    b = case.param("b", case.normal([3]))
    return case.weighted_sum(case.node("Where", [condition, a, b]), [2, 3])


def clip(case):
    # Values kept 0.1 away from both bounds (-0.5, 0.6).
    values = np.concatenate([case.uniform([3], -1.2, -0.6),
                             case.uniform([4], -0.4, 0.5),
                             case.uniform([5], 0.7, 1.3)])
    x = case.param("x", case.rng.permutation(values).reshape(3, 4))
    low = case.constant(np.array(-0.5, dtype=np.float32))
    high = case.constant(np.array(0.6, dtype=np.float32))
    return case.weighted_sum(case.node("Clip", [x, low, high]), [3, 4])


# Contractions.

def matmul(a_shape, b_shape, out_shape):
    def build(case):
        a = case.param("a", case.normal(a_shape))
        b = case.param("b", case.normal(b_shape))
        return case.weighted_sum(case.node("MatMul", [a, b]), out_shape)
    return build


def gemm(a_shape, b_shape, c_shape, **attributes):
    def build(case):
        a = case.param("a", case.normal(a_shape))
        b = case.param("b", case.normal(b_shape))
        c = case.param("c", case.normal(c_shape))
        return case.weighted_sum(case.node("Gemm", [a, b, c], **attributes),
                                 [2, 4])
    return build


def einsum(equation, shapes, out_shape):
    def build(case):
        operands = [case.param(f"p{index}", case.normal(shape))
                    for index, shape in enumerate(shapes)]
        return case.weighted_sum(
            case.node("Einsum", operands, equation=equation), out_shape)
    return build


# Reductions and normalizations.

def reduce(op, axes, keepdims, out_shape, values=None):
    def build(case):
        x = case.param("x", values(case) if values else case.normal([2, 3, 4]))
        node_inputs = [x]
        attributes = {"keepdims": keepdims}
        if op == "ReduceSum":  # axes became an input in opset 13
            node_inputs.append(case.constant(int64(axes)))
        else:
            attributes["axes"] = axes
        return case.weighted_sum(case.node(op, node_inputs, **attributes),
                                 out_shape)
    return build


def softmax(op, shape, axis):
    def build(case):
        x = case.param("x", case.normal(shape))
        return case.weighted_sum(case.node(op, [x], axis=axis), shape)
    return build


def layer_norm(case):
    x = case.param("x", case.normal([2, 3, 4]))
    scale = case.param("scale", 1.0 + case.normal([4], 0.3))
    bias = case.param("bias", case.normal([4]))
    y = case.node("LayerNormalization", [x, scale, bias], axis=-1,
                  epsilon=1e-5)
    return case.weighted_sum(y, [2, 3, 4])


def layer_norm_two_axes(case):
    x = case.param("x", case.normal([2, 3, 4]))
    scale = case.param("scale", 1.0 + case.normal([3, 4], 0.3))
    y = case.node("LayerNormalization", [x, scale], axis=1, epsilon=1e-5)
    return case.weighted_sum(y, [2, 3, 4])


def softmax_cross_entropy(case):
    # Class weights (a parameter too) and an ignored position; mean over
    # the weights of the positions counted.
    scores = case.param("scores", case.normal([5, 3]))
    weights = case.param("class_weights", case.uniform([3], 0.5, 1.5))
    labels = case.input("labels", int64([2, -1, 0, 2, 1]))
    return case.node("SoftmaxCrossEntropyLoss", [scores, labels, weights],
                     reduction="mean", ignore_index=-1)


def softmax_cross_entropy_spatial(case):
    # [N, C, d] scores, class weights, summed.
    scores = case.param("scores", case.normal([2, 3, 2]))
    weights = case.param("class_weights", case.uniform([3], 0.5, 1.5))
    labels = case.input("labels", int64([[0, 2], [1, 1]]))
    return case.node("SoftmaxCrossEntropyLoss", [scores, labels, weights],
                     reduction="sum")


def nll_loss(case):
    # Class 2 is ignored (a valid class); mean over the positions counted.
    scores = case.param("x", case.normal([4, 3]))
    labels = case.input("labels", int64([1, 2, 0, 1]))
    return case.node("NegativeLogLikelihoodLoss", [scores, labels],
                     reduction="mean", ignore_index=2)


def nll_loss_weighted_none(case):
    # Per-position losses with class weights, then weighted and summed.
    scores = case.param("x", case.normal([4, 3]))
    weights = case.param("class_weights", case.uniform([3], 0.5, 1.5))
    labels = case.input("labels", int64([1, 2, 0, 1]))
    losses = case.node("NegativeLogLikelihoodLoss", [scores, labels, weights],
                       reduction="none")
    return case.weighted_sum(losses, [4])


# Shape ops.

def reshape(case):
    x = case.param("x", case.normal([2, 3, 4]))
    shape = case.constant(int64([4, 6]))
    return case.weighted_sum(case.node("Reshape", [x, shape]), [4, 6])


def transpose(case):
    x = case.param("x", case.normal([2, 3, 4]))
    return case.weighted_sum(case.node("Transpose", [x], perm=[2, 0, 1]),
                             [4, 2, 3])


def concat(case):
    # A graph input between two parameters.
    a = case.param("a", case.normal([2, 3]))
    x = case.input("x", case.normal([2, 1]))
    b = case.param("b", case.normal([2, 2]))
    return case.weighted_sum(case.node("Concat", [a, x, b], axis=1), [2, 6])


def slice_negative_step(case):
    # Rows 0..2, columns 5, 3, 1.
    x = case.param("x", case.normal([4, 6]))
    inputs = [x] + [case.constant(int64(v)) for v in
                    ([0, 5], [3, 0], [0, 1], [1, -2])]
    return case.weighted_sum(case.node("Slice", inputs), [3, 3])


def expand(case):
    x = case.param("x", case.normal([3, 1]))
    shape = case.constant(int64([2, 3, 4]))
    return case.weighted_sum(case.node("Expand", [x, shape]), [2, 3, 4])


def split(case):
    # Two windows of one parameter, each weighted.
    x = case.param("x", case.normal([2, 6]))
    sizes = case.constant(int64([2, 4]))
    left, right = case.node("Split", [x, sizes], outputs=2, axis=1)
    return case.node("Add", [case.weighted_sum(left, [2, 2]),
                             case.weighted_sum(right, [2, 4])])


def flatten_unsqueeze(case):
    x = case.param("x", case.normal([2, 3, 2]))
    flat = case.node("Flatten", [x], axis=1)
    y = case.node("Unsqueeze", [flat, case.constant(int64([0]))])
    return case.weighted_sum(y, [1, 2, 6])


def squeeze(case):
    x = case.param("x", case.normal([1, 3, 1, 2]))
    axes = case.constant(int64([0, 2]))
    return case.weighted_sum(case.node("Squeeze", [x, axes]), [3, 2])


# Indexing ops.

def gather_embedding(case):
    # Repeated and negative token ids: their gradients add up.
    table = case.param("table", case.normal([5, 3]))
    tokens = case.constant(int64([[0, 4, -1], [2, 0, 4]]))
    return case.weighted_sum(case.node("Gather", [table, tokens], axis=0),
                             [2, 3, 3])


def gather_axis1(case):
    x = case.param("x", case.normal([2, 5, 3]))
    indices = case.constant(int64([1, -2, 1, 0]))
    return case.weighted_sum(case.node("Gather", [x, indices], axis=1),
                             [2, 4, 3])


def gather_elements(case):
    x = case.param("x", case.normal([3, 4]))
    indices = case.constant(int64([[0, 3, 3, 1, -1],
                                   [2, 2, 0, 1, 1],
                                   [1, 0, 3, 2, 1]]))
    return case.weighted_sum(
        case.node("GatherElements", [x, indices], axis=1), [3, 5])


def scatter_elements(reduction, indices):
    def build(case):
        data = case.param("data", case.normal([3, 4]))
        updates = case.param("updates", case.normal([3, 2]))
        index = case.constant(int64(indices))
        y = case.node("ScatterElements", [data, index, updates], axis=1,
                      reduction=reduction)
        return case.weighted_sum(y, [3, 4])
    return build


def trilu(upper, k, shape):
    def build(case):
        x = case.param("x", case.normal(shape))
        y = case.node("Trilu", [x, case.constant(int64(k))], upper=upper)
        return case.weighted_sum(y, shape)
    return build


def topk(case):
    x = case.param("x", case.distinct([3, 5], gap=0.2))
    values, _ = case.node("TopK", [x, case.constant(int64([2]))], outputs=2,
                          axis=1)
    return case.weighted_sum(values, [3, 2])


def dropout(case):
    # Training mode: the mask is a fixed function of the seed and position.
    x = case.param("x", case.normal([4, 5]))
    ratio = case.constant(np.array(0.3, dtype=np.float32))
    training = case.constant(np.array(True))
    y, _ = case.node("Dropout", [x, ratio, training], outputs=2, seed=3)
    return case.weighted_sum(y, [4, 5])


def cast_double(case):
    # Through float64 and back.
    x = case.param("x", case.normal([2, 3]))
    wide = case.node("Cast", [x], to=TensorProto.DOUBLE)
    weights = case.constant(case.normal([2, 3]).astype(np.float64))
    total = case.node("ReduceSum", [case.node("Mul", [wide, weights])],
                      keepdims=0)
    return case.node("Cast", [total], to=TensorProto.FLOAT)


def positive(low, high):
    return lambda case, shape=(2, 3): case.uniform(shape, low, high)


def signed(low, high):
    return lambda case, shape=(2, 3): case.away_from_zero(shape, low, high)


def gaussian(scale=1.0):
    return lambda case, shape=(2, 3): case.normal(shape, scale)


CASES = {
    # Elementwise, with broadcasting between the operands.
    "add": binary("Add", [2, 3], [3], [2, 3]),
    "sub": binary("Sub", [2, 1], [2, 3], [2, 3]),
    "mul": binary("Mul", [2, 3], [2, 1], [2, 3]),
    "div": binary("Div", [2, 3], [3], [2, 3], b_values=signed(0.8, 1.6)),
    "pow": binary("Pow", [2, 3], [3], [2, 3], a_values=positive(0.5, 1.5),
                  b_values=positive(0.5, 2.5)),
    "pow_square": pow_square,
    "neg": unary("Neg", gaussian()),
    "exp": unary("Exp", gaussian(0.5)),
    "log": unary("Log", positive(0.5, 2.0)),
    "tanh": unary("Tanh", gaussian()),
    "sigmoid": unary("Sigmoid", gaussian()),
    "sqrt": unary("Sqrt", positive(0.5, 2.0)),
    "relu": unary("Relu", signed(0.1, 1.0)),
    "leaky_relu": unary("LeakyRelu", signed(0.1, 1.0), alpha=0.1),
    "abs": unary("Abs", signed(0.1, 1.0)),
    "erf": unary("Erf", gaussian()),
    "reciprocal": unary("Reciprocal", signed(0.5, 1.5)),
    "max": apart("Max"),
    "min": apart("Min"),
    "where": where,
    "clip": clip,
    # Contractions.
    "matmul": matmul([2, 3], [3, 4], [2, 4]),
    "matmul_broadcast_batch": matmul([2, 2, 3], [3, 4], [2, 2, 4]),
    "matmul_vector": matmul([3], [2, 3, 4], [2, 4]),
    "gemm": gemm([2, 3], [3, 4], [2, 4]),
    "gemm_trans_a_vector_bias": gemm([3, 2], [3, 4], [4], transA=1,
                                     alpha=0.5, beta=2.0),
    "gemm_trans_b": gemm([2, 3], [4, 3], [1, 4], transB=1),
    "gemm_trans_both": gemm([3, 2], [4, 3], [1], transA=1, transB=1),
    "einsum_batched": einsum("bij,bjk->bik", [[2, 2, 3], [2, 3, 4]],
                             [2, 2, 4]),
    "einsum_three_operands": einsum("ij,jk,k->i", [[2, 3], [3, 4], [4]],
                                    [2]),
    # Reductions, normalizations, losses.
    "reduce_sum": reduce("ReduceSum", [1], 0, [2, 4]),
    "reduce_mean": reduce("ReduceMean", [0, 2], 1, [1, 3, 1]),
    "reduce_max": reduce("ReduceMax", [1], 0, [2, 4],
                         values=lambda case: case.distinct([2, 3, 4])),
    "reduce_min": reduce("ReduceMin", [0, 2], 0, [3],
                         values=lambda case: case.distinct([2, 3, 4])),
    "softmax": softmax("Softmax", [2, 5], -1),
    "log_softmax": softmax("LogSoftmax", [2, 3, 4], 1),
    "layer_norm": layer_norm,
    "layer_norm_two_axes": layer_norm_two_axes,
    "softmax_cross_entropy": softmax_cross_entropy,
    "softmax_cross_entropy_spatial": softmax_cross_entropy_spatial,
    "nll_loss": nll_loss,
    "nll_loss_weighted_none": nll_loss_weighted_none,
    # Shape ops.
    "reshape": reshape,
    "transpose": transpose,
    "concat": concat,
    "slice_negative_step": slice_negative_step,
    "expand": expand,
    "squeeze": squeeze,
    "split": split,
    "flatten_unsqueeze": flatten_unsqueeze,
    # Indexing ops.
    "gather_embedding": gather_embedding,
    "gather_axis1": gather_axis1,
    "gather_elements": gather_elements,
    "scatter_elements": scatter_elements("none", [[1, 3], [0, 2], [3, 0]]),
    "scatter_elements_add": scatter_elements("add",
                                             [[1, 1], [0, 2], [3, -1]]),
    "trilu_upper": trilu(1, 1, [3, 4]),
    "trilu_lower": trilu(0, -1, [2, 4, 3]),
    "topk": topk,
    "dropout": dropout,
    "cast_double": cast_double,
}


#===----------------------------------------------------------------------===#
# Checking
#===----------------------------------------------------------------------===#

def check(name, build, args):
    case = Case(seed=sum(map(ord, name)))
    model = case.model(build(case))
    folder = os.path.join(args.work, name)
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, "model.onnx")
    onnx.save(model, path)
    stem = os.path.join(folder, "model")
    subprocess.run([os.path.join(args.build, "bin", "quernc"), path,
                    "--train", "--optimizer=sgd", "-o", stem], check=True)

    compiled = CompiledModel(stem)
    inputs = [array for _, array in case.inputs]
    initial = compiled.state.copy()

    def restore():
        compiled.state[...] = initial

    # Analytic: one SGD step with lr = 1 subtracts the gradient.
    restore()
    compiled.train_step(inputs, 1.0)
    analytic = {}
    for param in case.params:
        before = state_view(compiled, initial, param).astype(np.float64)
        analytic[param] = before - compiled.tensor(param).astype(np.float64)

    def loss():
        return float(compiled.forward(inputs)[0])

    worst_error, worst_ratio, worst_where = 0.0, -1.0, ""
    for param in case.params:
        for index in np.ndindex(case.params[param].shape):
            restore()
            view = compiled.tensor(param)
            value = np.float64(view[index])
            view[index] = np.float32(value + args.eps)
            plus_at = np.float64(view[index])
            plus = loss()
            restore()
            view[index] = np.float32(value - args.eps)
            minus_at = np.float64(view[index])
            minus = loss()
            numeric = (plus - minus) / (plus_at - minus_at)
            error = abs(analytic[param][index] - numeric)
            ratio = error / (args.atol + args.rtol * abs(numeric))
            if ratio > worst_ratio:
                worst_error, worst_ratio = error, ratio
                worst_where = (f"{param}{list(index)}: analytic "
                               f"{analytic[param][index]:.6g}, numeric "
                               f"{numeric:.6g}")
    restore()
    verdict = "ok" if worst_ratio <= 1.0 else "FAIL"
    print(f"{name}: worst |analytic - numeric| {worst_error:.3g} "
          f"({worst_ratio:.2f} of the tolerance) at {worst_where}: "
          f"{verdict}")
    return worst_ratio <= 1.0


def state_view(compiled, state, param):
    """A parameter's value in a copy of the state buffer."""
    for tensor in compiled.manifest["state"]["tensors"]:
        if tensor["name"] == param:
            data = state[tensor["offset"]:tensor["offset"] + tensor["bytes"]]
            return data.view(np.float32).reshape(tensor["shape"])
    raise KeyError(param)


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--build", required=True)
    parser.add_argument("--work", required=True)
    parser.add_argument("--eps", type=float, default=1e-3)
    parser.add_argument("--rtol", type=float, default=1e-2)
    parser.add_argument("--atol", type=float, default=1e-3)
    parser.add_argument("cases", nargs="*", metavar="CASE",
                        help="cases to check (default: all)")
    args = parser.parse_args()
    unknown = [name for name in args.cases if name not in CASES]
    if unknown:
        parser.error(f"unknown cases {unknown}; known: {sorted(CASES)}")

    names = args.cases or list(CASES)
    failures = [name for name in names if not check(name, CASES[name], args)]
    print(f"tolerance: |analytic - numeric| <= {args.atol:g} + {args.rtol:g} "
          f"* |numeric|, central differences with eps {args.eps:g}")
    for name in failures:
        print(f"FAIL: {name}")
    if not failures:
        print(f"PASS: {len(names)} cases")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
