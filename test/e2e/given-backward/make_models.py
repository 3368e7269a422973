#!/usr/bin/env python3
"""Writes one two-layer regression twice: as forward + loss, and as a graph
that also computes its own backward, the way a joint forward/backward
graph (AOTAutograd's, or a hand-written one) arrives.

    make_models.py DIR

DIR/forward.onnx: H = tanh(X @ W1 + B1); Y = H @ W2; loss = mean((Y-L)^2).
DIR/backward.onnx: the same, plus outputs W1_grad, B1_grad and W2_grad
written out in ONNX ops (the chain rule by hand). DIR/bad_type.onnx gives
W2_grad the wrong shape; DIR/data.npz holds three batches.
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def node(op, inputs, output, **attrs):
    return helper.make_node(op, inputs, [output], name=output, **attrs)


def build(path, with_backward, bad_type=False):
    rng = np.random.default_rng(5)
    params = {"W1": rng.standard_normal((4, 6)).astype(np.float32) * 0.5,
              "B1": rng.standard_normal(6).astype(np.float32) * 0.1,
              "W2": rng.standard_normal((6, 2)).astype(np.float32) * 0.5}
    constants = {"two_over_n": np.array(2.0 / 16, np.float32),
                 "one": np.array(1.0, np.float32)}
    nodes = [node("MatMul", ["X", "W1"], "XW1"),
             node("Add", ["XW1", "B1"], "Z"),
             node("Tanh", ["Z"], "H"),
             node("MatMul", ["H", "W2"], "Y"),
             node("Sub", ["Y", "L"], "D"),
             node("Mul", ["D", "D"], "D2"),
             node("ReduceMean", ["D2"], "loss", keepdims=0)]
    outputs = [helper.make_tensor_value_info("loss", TensorProto.FLOAT, [])]
    if with_backward:
        # bad_type computes W2's gradient transposed, as [2, 6].
        w2_grad = ([node("Transpose", ["dY"], "dYt", perm=[1, 0]),
                    node("MatMul", ["dYt", "H"], "W2_grad")] if bad_type else
                   [node("Transpose", ["H"], "Ht", perm=[1, 0]),
                    node("MatMul", ["Ht", "dY"], "W2_grad")])
        nodes += [node("Mul", ["D", "two_over_n"], "dY"), *w2_grad,
                  node("Transpose", ["W2"], "W2t", perm=[1, 0]),
                  node("MatMul", ["dY", "W2t"], "dH"),
                  node("Mul", ["H", "H"], "H2"),
                  node("Sub", ["one", "H2"], "dtanh"),
                  node("Mul", ["dH", "dtanh"], "dZ"),
                  node("ReduceSum", ["dZ", "axis0"], "B1_grad", keepdims=0),
                  node("Transpose", ["X"], "Xt", perm=[1, 0]),
                  node("MatMul", ["Xt", "dZ"], "W1_grad")]
        constants["axis0"] = np.array([0], np.int64)
        outputs += [helper.make_tensor_value_info(n, TensorProto.FLOAT, s)
                    for n, s in (("W1_grad", [4, 6]), ("B1_grad", [6]),
                                 ("W2_grad", [2, 6] if bad_type else [6, 2]))]
    graph = helper.make_graph(
        nodes, "regression",
        [helper.make_tensor_value_info("X", TensorProto.FLOAT, [8, 4]),
         helper.make_tensor_value_info("L", TensorProto.FLOAT, [8, 2])],
        outputs,
        [numpy_helper.from_array(v, k) for k, v in params.items()]
        + [numpy_helper.from_array(v, k) for k, v in constants.items()
           if with_backward])
    model = helper.make_model(graph, producer_name="quern-test",
                              opset_imports=[helper.make_operatorsetid("", 17)])
    onnx.checker.check_model(model)
    onnx.save(model, path)


def main():
    folder = sys.argv[1]
    os.makedirs(folder, exist_ok=True)
    build(os.path.join(folder, "forward.onnx"), False)
    build(os.path.join(folder, "backward.onnx"), True)
    build(os.path.join(folder, "bad_type.onnx"), True, bad_type=True)
    rng = np.random.default_rng(9)
    np.savez(os.path.join(folder, "data.npz"),
             x=rng.standard_normal((3, 8, 4)).astype(np.float32),
             labels=rng.standard_normal((3, 8, 2)).astype(np.float32))


if __name__ == "__main__":
    main()
