#!/usr/bin/env python3
"""Writes small ONNX models for the ops whose lowering is intricate, each in
the layout of an ONNX backend test (OUT/<case>/model.onnx and
test_data_set_0/{input,output}_N.pb) so that test/conformance/harness.py can
compile, run and compare them.

The expected outputs are computed here with numpy from each op's
definition (in float64 where it matters), not with onnx's reference
implementation: ties, negative indices and duplicate indices are exactly
where references disagree, and the semantics checked are the ones the
quern dialect documents.

    make_op_tests.py OUT
"""
import argparse
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = 17

ELEMENT_TYPES = {
    np.dtype(np.float32): TensorProto.FLOAT,
    np.dtype(np.float64): TensorProto.DOUBLE,
    np.dtype(np.int64): TensorProto.INT64,
    np.dtype(np.int32): TensorProto.INT32,
    np.dtype(np.uint8): TensorProto.UINT8,
    np.dtype(np.int8): TensorProto.INT8,
    np.dtype(np.bool_): TensorProto.BOOL,
}


def constant(name, array):
    """A Constant node: the importer sees its value at compile time."""
    return helper.make_node("Constant", [], [name],
                            value=numpy_helper.from_array(np.asarray(array),
                                                          name + "_value"))


def value_info(name, array):
    array = np.asarray(array)
    return helper.make_tensor_value_info(name, ELEMENT_TYPES[array.dtype],
                                         list(array.shape))


def write_case(out, name, nodes, inputs, outputs, extra_outputs=(),
               opset=OPSET):
    """inputs/outputs: lists of (name, array); extra_outputs: (name, dtype,
    shape) of graph outputs that have no expected value (they come last, and
    the harness compares only the outputs it has a file for). onnx 1.12's
    checker knows opsets up to 17; newer models are checked by quernc."""
    graph = helper.make_graph(
        nodes, name,
        [value_info(n, a) for n, a in inputs],
        [value_info(n, a) for n, a in outputs]
        + [helper.make_tensor_value_info(n, ELEMENT_TYPES[np.dtype(t)], s)
           for n, t, s in extra_outputs])
    model = helper.make_model(graph, producer_name="quern-e2e",
                              opset_imports=[helper.make_opsetid("", opset)])
    write_test(out, name, model, inputs, outputs, check=opset <= 17)


def write_test(out, name, model, inputs, outputs, check=True):
    """Checks `model` and writes it with one data set in the backend-test
    layout: OUT/NAME/model.onnx, test_data_set_0/{input,output}_N.pb."""
    if check:
        onnx.checker.check_model(model)
    folder = os.path.join(out, name)
    data = os.path.join(folder, "test_data_set_0")
    os.makedirs(data, exist_ok=True)
    onnx.save(model, os.path.join(folder, "model.onnx"))
    for prefix, tensors in (("input", inputs), ("output", outputs)):
        for index, (tensor_name, array) in enumerate(tensors):
            proto = numpy_helper.from_array(np.asarray(array), tensor_name)
            with open(os.path.join(data, f"{prefix}_{index}.pb"), "wb") as f:
                f.write(proto.SerializeToString())


#===----------------------------------------------------------------------===#
# TopK
#===----------------------------------------------------------------------===#

def topk_reference(x, k, axis, largest):
    """Sorted top-k along axis. Equal values keep their original order; NaN
    counts as larger than every number (numpy's sort, PyTorch's topk), so it
    comes first for largest and last for smallest."""
    moved = np.moveaxis(x, axis, -1)
    values = np.empty(moved.shape[:-1] + (k,), dtype=x.dtype)
    indices = np.empty(moved.shape[:-1] + (k,), dtype=np.int64)
    for position in np.ndindex(moved.shape[:-1]):
        line = moved[position]

        def key(j):
            v = line[j]
            if np.isnan(v):
                return (0, 0.0, j) if largest else (1, 0.0, j)
            return (1, -float(v), j) if largest else (0, float(v), j)

        order = sorted(range(line.size), key=key)[:k]
        indices[position] = order
        values[position] = line[order]
    return np.moveaxis(values, -1, axis), np.moveaxis(indices, -1, axis)


def topk_case(out, name, x, k, axis, largest):
    values, indices = topk_reference(x, k, axis, largest)
    write_case(out, name,
               [constant("k", np.array([k], dtype=np.int64)),
                helper.make_node("TopK", ["x", "k"], ["values", "indices"],
                                 axis=axis, largest=int(largest))],
               [("x", x)], [("values", values), ("indices", indices)])


def topk_cases(out):
    # Ties inside the top k and across its boundary; a row of one value.
    x = np.array([[1, 3, 3, 2, 3, 0],
                  [5, 5, 5, 5, 5, 5],
                  [-1, 4, 4, -2, 0, 4],
                  [0.5, -0.5, 0.5, -0.5, 0.25, 0.25]], dtype=np.float32)
    topk_case(out, "topk_ties", x, 3, 1, True)
    topk_case(out, "topk_ties_smallest", x, 4, 1, False)
    # Along the leading axis of a 3-d tensor, integers with ties.
    rng = np.random.default_rng(1)
    y = rng.integers(-3, 4, size=(7, 2, 3)).astype(np.int64)
    topk_case(out, "topk_axis0_int", y, 5, 0, True)
    topk_case(out, "topk_axis0_int_smallest", y, 2, 0, False)
    # NaNs: every slot of the result is an element of the line.
    n = np.array([[np.nan, 1, 2, np.nan, 2],
                  [3, np.nan, -1, 3, 0]], dtype=np.float32)
    topk_case(out, "topk_nan", n, 5, 1, True)
    topk_case(out, "topk_nan_smallest", n, 4, 1, False)


#===----------------------------------------------------------------------===#
# Scatter and gather
#===----------------------------------------------------------------------===#

def scatter_elements_reference(data, indices, updates, axis, reduction):
    result = data.copy()
    for position in np.ndindex(indices.shape):
        target = list(position)
        index = int(indices[position])
        target[axis] = index + data.shape[axis] if index < 0 else index
        target = tuple(target)
        update = updates[position]
        if reduction == "none":
            result[target] = update
        elif reduction == "add":
            result[target] += update
        elif reduction == "mul":
            result[target] *= update
        elif reduction == "max":
            result[target] = max(result[target], update)
        elif reduction == "min":
            result[target] = min(result[target], update)
    return result


def scatter_cases(out):
    data = np.arange(15, dtype=np.float32).reshape(3, 5) / 4
    # Row 0 hits column 1 three times (once as -4); row 2 hits column 4
    # twice (once as -1).
    indices = np.array([[1, 1, -4, 0],
                        [0, 2, 3, 4],
                        [4, -1, 2, 2]], dtype=np.int64)
    updates = np.array([[1.5, 2.25, -0.5, 8],
                        [1, 2, 3, 4],
                        [10, -20, 0.75, 0.125]], dtype=np.float32)
    for reduction in ("add", "max", "none"):
        expected = scatter_elements_reference(data, indices, updates, 1,
                                              reduction)
        write_case(out, f"scatter_elements_{reduction}",
                   [helper.make_node("ScatterElements",
                                     ["data", "indices", "updates"], ["y"],
                                     axis=1, reduction=reduction)],
                   [("data", data), ("indices", indices),
                    ("updates", updates)],
                   [("y", expected)])
    # Along axis 0, int32 indices and int64 data, mul.
    idata = np.arange(1, 9, dtype=np.int64).reshape(4, 2)
    iindices = np.array([[3, 0], [-1, 0], [1, 0]], dtype=np.int32)
    iupdates = np.array([[2, 3], [5, -1], [7, 2]], dtype=np.int64)
    write_case(out, "scatter_elements_mul_axis0",
               [helper.make_node("ScatterElements",
                                 ["data", "indices", "updates"], ["y"],
                                 axis=0, reduction="mul")],
               [("data", idata), ("indices", iindices),
                ("updates", iupdates)],
               [("y", scatter_elements_reference(idata, iindices, iupdates,
                                                 0, "mul"))])


def gather_cases(out):
    data = np.arange(15, dtype=np.float32).reshape(5, 3) - 7
    indices = np.array([[-1, 0], [-5, 2]], dtype=np.int64)
    wrapped = np.where(indices < 0, indices + 5, indices)
    write_case(out, "gather_negative_axis0",
               [helper.make_node("Gather", ["data", "indices"], ["y"],
                                 axis=0)],
               [("data", data), ("indices", indices)],
               [("y", data[wrapped])])
    columns = np.array([-1, -3, 1], dtype=np.int32)
    write_case(out, "gather_negative_axis1",
               [helper.make_node("Gather", ["data", "indices"], ["y"],
                                 axis=1)],
               [("data", data), ("indices", columns)],
               [("y", data[:, np.where(columns < 0, columns + 3, columns)])])
    elements = np.array([[2, -1, 0], [-3, 1, 1], [0, 0, -2], [1, 2, 2],
                         [-1, -2, -3]], dtype=np.int64)
    write_case(out, "gather_elements_negative",
               [helper.make_node("GatherElements", ["data", "indices"], ["y"],
                                 axis=1)],
               [("data", data), ("indices", elements)],
               [("y", np.take_along_axis(data, elements % 3, axis=1))])


def one_hot_cases(out):
    """OneHot with negative indices (counted from depth), an index out of
    range (a row of `off`), float indices, and the new axis first."""
    indices = np.array([[0, -1, 2], [5, -4, 1]], dtype=np.int64)
    values = np.array([-2.0, 3.0], dtype=np.float32)

    def one_hot(indices, depth, axis):
        wrapped = np.where(indices < 0, indices + depth, indices)
        hot = np.expand_dims(wrapped, axis) == np.arange(depth).reshape(
            [depth if d == axis % (indices.ndim + 1) else 1
             for d in range(indices.ndim + 1)])
        return np.where(hot, values[1], values[0]).astype(np.float32)
    for name, axis, given in (("one_hot_last", -1, indices),
                              ("one_hot_axis0", 0, indices),
                              ("one_hot_float_indices", -1,
                               indices.astype(np.float32))):
        write_case(out, name,
                   [constant("depth", np.array(4, dtype=np.int64)),
                    helper.make_node("OneHot", ["indices", "depth", "values"],
                                     ["y"], axis=axis)],
                   [("indices", given), ("values", values)],
                   [("y", one_hot(indices, 4, axis))])


#===----------------------------------------------------------------------===#
# Slice, Einsum
#===----------------------------------------------------------------------===#

def slice_cases(out):
    x = np.arange(28, dtype=np.float32).reshape(4, 7)
    int64_min = np.iinfo(np.int64).min
    cases = {
        # Rows backwards from the last, columns 6, 4, 2.
        "slice_negative_steps": ([-1, 6], [int64_min, 0], [0, 1], [-1, -2],
                                 x[::-1, 6:0:-2]),
        # Every third column from the end, all the way to the start.
        "slice_negative_step_to_start": ([-1], [int64_min], [1], [-3],
                                         x[:, ::-3]),
        # A backward window in the middle of both axes, ends out of range.
        "slice_negative_steps_clamped": ([10, -2], [0, -100], [0, 1],
                                         [-2, -1], x[10:0:-2, -2:-100:-1]),
    }
    for name, (starts, ends, axes, steps, expected) in cases.items():
        nodes = [constant(n, np.array(v, dtype=np.int64))
                 for n, v in (("starts", starts), ("ends", ends),
                              ("axes", axes), ("steps", steps))]
        nodes.append(helper.make_node(
            "Slice", ["x", "starts", "ends", "axes", "steps"], ["y"]))
        write_case(out, name, nodes, [("x", x)],
                   [("y", np.ascontiguousarray(expected))])


def einsum_cases(out):
    rng = np.random.default_rng(2)
    square = rng.standard_normal((4, 4)).astype(np.float32)
    batch = rng.standard_normal((2, 3, 3)).astype(np.float32)
    a = rng.standard_normal((2, 3)).astype(np.float32)
    b = rng.standard_normal((3, 4)).astype(np.float32)
    c = rng.standard_normal((4,)).astype(np.float32)
    cases = {
        "einsum_diagonal": ("ii->i", [square]),
        "einsum_trace": ("ii->", [square]),
        "einsum_batch_diagonal": ("bii->bi", [batch]),
        "einsum_diagonal_product": ("ii,i->i", [square, c]),
        "einsum_three_operands": ("ij,jk,k->i", [a, b, c]),
    }
    for name, (equation, operands) in cases.items():
        names = [f"x{i}" for i in range(len(operands))]
        expected = np.einsum(equation,
                             *[o.astype(np.float64) for o in operands])
        write_case(out, name,
                   [helper.make_node("Einsum", names, ["y"],
                                     equation=equation)],
                   list(zip(names, operands)),
                   [("y", np.asarray(expected, dtype=np.float32))])


#===----------------------------------------------------------------------===#
# LayerNormalization, NegativeLogLikelihoodLoss
#===----------------------------------------------------------------------===#

def layer_norm_cases(out):
    rng = np.random.default_rng(3)
    x = (rng.standard_normal((2, 3, 4)) * 3 + 1).astype(np.float32)
    scale = rng.standard_normal((3, 4)).astype(np.float32)
    bias = rng.standard_normal((3, 4)).astype(np.float32)
    epsilon = 1e-3
    x64 = x.astype(np.float64)
    mean = x64.mean(axis=(1, 2), keepdims=True)
    inv_std = 1 / np.sqrt(((x64 - mean) ** 2).mean(axis=(1, 2), keepdims=True)
                          + epsilon)
    y = (x64 - mean) * inv_std * scale + bias
    write_case(out, "layer_norm",
               [helper.make_node("LayerNormalization",
                                 ["x", "scale", "bias"],
                                 ["y", "mean", "inv_std"], axis=1,
                                 epsilon=epsilon)],
               [("x", x), ("scale", scale), ("bias", bias)],
               [("y", y.astype(np.float32)),
                ("mean", mean.astype(np.float32)),
                ("inv_std", inv_std.astype(np.float32))])
    # Last axis only (given as -1), no bias.
    mean = x64.mean(axis=2, keepdims=True)
    inv_std = 1 / np.sqrt(((x64 - mean) ** 2).mean(axis=2, keepdims=True)
                          + 1e-5)
    y = (x64 - mean) * inv_std * scale[0]
    write_case(out, "layer_norm_last_axis_no_bias",
               [helper.make_node("LayerNormalization", ["x", "scale"],
                                 ["y"], axis=-1)],
               [("x", x), ("scale", scale[0])],
               [("y", y.astype(np.float32))])


def nll_loss_cases(out):
    rng = np.random.default_rng(4)
    n, c, d = 4, 5, 3
    logits = rng.standard_normal((n, c, d))
    logp = (logits - np.log(np.exp(logits).sum(axis=1, keepdims=True)))
    logp = logp.astype(np.float32)
    ignore = -1
    target = rng.integers(0, c, size=(n, d)).astype(np.int64)
    target[0, 1] = ignore
    target[2, 0] = ignore
    target[3, 2] = ignore
    weight = np.array([0.5, 2.0, 1.0, 0.25, 3.0], dtype=np.float32)
    counted = target != ignore
    safe = np.where(counted, target, 0)
    picked = np.take_along_axis(logp.astype(np.float64), safe[:, None, :],
                                axis=1)[:, 0, :]
    w = np.where(counted, weight[safe], 0.0)
    losses = -picked * w
    for reduction, expected in (("none", losses), ("sum", losses.sum()),
                                ("mean", losses.sum() / w.sum())):
        write_case(out, f"nll_loss_{reduction}",
                   [helper.make_node("NegativeLogLikelihoodLoss",
                                     ["logp", "target", "weight"], ["loss"],
                                     reduction=reduction,
                                     ignore_index=ignore)],
                   [("logp", logp), ("target", target), ("weight", weight)],
                   [("loss", np.asarray(expected, dtype=np.float32))])


#===----------------------------------------------------------------------===#
# Unsigned arithmetic and casts
#===----------------------------------------------------------------------===#

def uint8_cases(out):
    a = np.array([200, 255, 128, 7, 0, 250, 129, 100], dtype=np.uint8)
    b = np.array([7, 2, 3, 1, 5, 251, 1, 200], dtype=np.uint8)
    write_case(out, "uint8_arithmetic",
               [helper.make_node("Div", ["a", "b"], ["quotient"]),
                helper.make_node("Max", ["a", "b"], ["max"]),
                helper.make_node("Min", ["a", "b"], ["min"]),
                helper.make_node("Less", ["a", "b"], ["less"]),
                helper.make_node("Cast", ["a"], ["as_float"],
                                 to=TensorProto.FLOAT),
                helper.make_node("Cast", ["a"], ["as_int32"],
                                 to=TensorProto.INT32)],
               [("a", a), ("b", b)],
               [("quotient", a // b), ("max", np.maximum(a, b)),
                ("min", np.minimum(a, b)), ("less", a < b),
                ("as_float", a.astype(np.float32)),
                ("as_int32", a.astype(np.int32))])


def cast_cases(out):
    x = np.array([2.9, -2.9, -0.5, 0.5, 100.7, -100.7, 1e9, -2147483520.0],
                 dtype=np.float32)
    small = np.array([0.9, 2.5, 255.9, 0.0, 127.5, 128.5], dtype=np.float32)
    flags = np.array([0.0, -0.0, 0.1, np.nan, -3.0, np.inf],
                     dtype=np.float32)
    ints = np.array([-1, 0, 1, 2 ** 40 + 1, -(2 ** 31)], dtype=np.int64)
    write_case(out, "cast_float_int",
               [helper.make_node("Cast", ["x"], ["to_int32"],
                                 to=TensorProto.INT32),
                helper.make_node("Cast", ["x"], ["to_int64"],
                                 to=TensorProto.INT64),
                helper.make_node("Cast", ["small"], ["to_uint8"],
                                 to=TensorProto.UINT8),
                helper.make_node("Cast", ["flags"], ["to_bool"],
                                 to=TensorProto.BOOL),
                helper.make_node("Cast", ["ints"], ["to_float"],
                                 to=TensorProto.FLOAT),
                helper.make_node("Cast", ["ints"], ["narrowed"],
                                 to=TensorProto.INT32)],
               [("x", x), ("small", small), ("flags", flags),
                ("ints", ints)],
               [("to_int32", np.trunc(x).astype(np.int32)),
                ("to_int64", np.trunc(x).astype(np.int64)),
                ("to_uint8", np.trunc(small).astype(np.uint8)),
                ("to_bool", flags != 0),
                ("to_float", ints.astype(np.float32)),
                ("narrowed", ints.astype(np.int32))])


#===----------------------------------------------------------------------===#
# Dropout
#===----------------------------------------------------------------------===#

def dropout_case(out, name, ratio, seed):
    """Dropout in training mode on ones [256, 256]. Its outputs cannot be
    predicted, so the model also computes what must hold of them: the kept
    fraction (1 - ratio), the fraction of horizontally adjacent pairs both
    kept ((1 - ratio)^2 for independent choices), and the largest
    |y - mask / (1 - ratio)| (0). The raw y and mask come last, without
    expected values, for the determinism check."""
    shape = (256, 256)
    x = np.ones(shape, dtype=np.float32)
    keep = 1 - ratio
    nodes = [
        constant("ratio", np.array(ratio, dtype=np.float32)),
        constant("training", np.array(True)),
        helper.make_node("Dropout", ["x", "ratio", "training"],
                         ["y", "mask"], seed=seed),
        helper.make_node("Cast", ["mask"], ["kept"], to=TensorProto.FLOAT),
        helper.make_node("ReduceMean", ["kept"], ["keep_rate"], keepdims=0),
        constant("scale", np.array(1 / keep, dtype=np.float32)),
        helper.make_node("Mul", ["kept", "scale"], ["expected_y"]),
        helper.make_node("Sub", ["y", "expected_y"], ["difference"]),
        helper.make_node("Abs", ["difference"], ["error"]),
        helper.make_node("ReduceMax", ["error"], ["max_error"], keepdims=0),
        constant("zero", np.array([0], dtype=np.int64)),
        constant("one", np.array([1], dtype=np.int64)),
        constant("last", np.array([shape[1] - 1], dtype=np.int64)),
        constant("end", np.array([shape[1]], dtype=np.int64)),
        helper.make_node("Slice", ["mask", "zero", "last", "one"], ["left"]),
        helper.make_node("Slice", ["mask", "one", "end", "one"], ["right"]),
        helper.make_node("And", ["left", "right"], ["both"]),
        helper.make_node("Cast", ["both"], ["both_float"],
                         to=TensorProto.FLOAT),
        helper.make_node("ReduceMean", ["both_float"], ["pair_rate"],
                         keepdims=0),
    ]
    write_case(out, name, nodes, [("x", x)],
               [("keep_rate", np.array(keep, dtype=np.float32)),
                ("pair_rate", np.array(keep * keep, dtype=np.float32)),
                ("max_error", np.array(0, dtype=np.float32))],
               extra_outputs=[("y", np.float32, list(shape)),
                              ("mask", np.bool_, list(shape))])


def dropout_cases(out):
    dropout_case(out, "dropout_seed7", 0.3, 7)
    dropout_case(out, "dropout_seed7_again", 0.3, 7)
    dropout_case(out, "dropout_seed8", 0.3, 8)
    dropout_case(out, "dropout_ratio09", 0.9, 7)


CASES = [topk_cases, scatter_cases, gather_cases, one_hot_cases, slice_cases,
         einsum_cases,
         layer_norm_cases, nll_loss_cases, uint8_cases, cast_cases,
         dropout_cases]


def main(cases=CASES, doc=__doc__):
    """Writes every case of `cases` into the folder the command line names."""
    parser = argparse.ArgumentParser(description=doc.split("\n")[0])
    parser.add_argument("out")
    args = parser.parse_args()
    for make in cases:
        make(args.out)


if __name__ == "__main__":
    main()
