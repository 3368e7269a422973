#!/usr/bin/env python3
"""Writes a linear regression whose training step is an ONNX
TrainingInfoProto, and a numpy reference of three of its steps.

    make_training_info.py OUT.onnx REFERENCE.npz [--fault NAME]

Inference graph: Y = X @ W + B (W [4, 3], B [3] initializers).
Algorithm graph: loss = mean((Y - L)^2); dW, dB = Gradient(xs=[W, B],
y=loss); ai.onnx.preview.training.Momentum (alpha 0.9, beta 0.5, standard
mode) on W and B with velocities VW, VB and iteration count T (algorithm
initializers); T_new = T + 1. Update bindings: W, B, VW, VB, T. The
initialization graph computes W's starting value (a Constant), which
replaces the initializer's. Algorithm inputs: L and the learning rate R.

--fault writes a model with one broken binding instead (no reference).
"""
import argparse

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

TRAINING = "ai.onnx.preview.training"
ALPHA, BETA, LR = 0.9, 0.5, 0.05


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("model")
    parser.add_argument("reference", nargs="?")
    parser.add_argument("--fault", choices=["update-key", "update-value",
                                            "init-value", "no-updates"])
    args = parser.parse_args()
    rng = np.random.default_rng(3)
    w = rng.standard_normal((4, 3)).astype(np.float32)
    b = rng.standard_normal(3).astype(np.float32)
    w_init = rng.standard_normal((4, 3)).astype(np.float32)

    inference = helper.make_graph(
        [helper.make_node("MatMul", ["X", "W"], ["XW"], name="matmul"),
         helper.make_node("Add", ["XW", "B"], ["Y"], name="bias")],
        "regression",
        [helper.make_tensor_value_info("X", TensorProto.FLOAT, [8, 4])],
        [helper.make_tensor_value_info("Y", TensorProto.FLOAT, [8, 3])],
        [numpy_helper.from_array(w, "W"), numpy_helper.from_array(b, "B")])

    algorithm = helper.make_graph(
        [helper.make_node("Sub", ["Y", "L"], ["D"], name="residual"),
         helper.make_node("Mul", ["D", "D"], ["D2"], name="square"),
         helper.make_node("ReduceMean", ["D2"], ["loss"], name="mean",
                          keepdims=0),
         helper.make_node("Gradient", ["W", "B"], ["dW", "dB"],
                          name="gradient", domain=TRAINING, xs=["W", "B"],
                          y="loss"),
         helper.make_node("Momentum", ["R", "T", "W", "B", "dW", "dB", "VW", "VB"],
                          ["W_new", "B_new", "VW_new", "VB_new"],
                          name="momentum", domain=TRAINING, alpha=ALPHA,
                          beta=BETA, mode="standard", norm_coefficient=0.0),
         helper.make_node("Add", ["T", "one"], ["T_new"], name="count")],
        "algorithm",
        [helper.make_tensor_value_info("L", TensorProto.FLOAT, [8, 3]),
         helper.make_tensor_value_info("R", TensorProto.FLOAT, [])],
        [helper.make_tensor_value_info(n, TensorProto.FLOAT, s)
         for n, s in (("loss", []), ("W_new", [4, 3]), ("B_new", [3]),
                      ("VW_new", [4, 3]), ("VB_new", [3]))]
        + [helper.make_tensor_value_info("T_new", TensorProto.INT64, [])],
        [numpy_helper.from_array(np.zeros((4, 3), np.float32), "VW"),
         numpy_helper.from_array(np.zeros(3, np.float32), "VB"),
         numpy_helper.from_array(np.array(0, np.int64), "T"),
         numpy_helper.from_array(np.array(1, np.int64), "one")])

    initialization = helper.make_graph(
        [helper.make_node("Constant", [], ["W_start"], name="w_start",
                          value=numpy_helper.from_array(w_init))],
        "initialization", [],
        [helper.make_tensor_value_info("W_start", TensorProto.FLOAT, [4, 3])])

    updates = {"W": "W_new", "B": "B_new", "VW": "VW_new", "VB": "VB_new",
               "T": "T_new"}
    init_binding = {"W": "W_start"}
    if args.fault == "update-key":
        updates["Q"] = updates.pop("B")
    elif args.fault == "update-value":
        updates["B"] = "B_newer"
    elif args.fault == "init-value":
        init_binding["W"] = "W_begin"
    elif args.fault == "no-updates":
        updates = {}
    training = onnx.TrainingInfoProto()
    training.algorithm.CopyFrom(algorithm)
    training.initialization.CopyFrom(initialization)
    for key, value in updates.items():
        entry = training.update_binding.add()
        entry.key, entry.value = key, value
    for key, value in init_binding.items():
        entry = training.initialization_binding.add()
        entry.key, entry.value = key, value

    model = helper.make_model(
        inference, producer_name="quern-test",
        opset_imports=[helper.make_operatorsetid("", 17),
                       helper.make_operatorsetid(TRAINING, 1)])
    model.training_info.append(training)
    onnx.save(model, args.model)
    if args.fault:
        return

    # Three steps of the same algorithm in float64.
    x = rng.standard_normal((3, 8, 4)).astype(np.float32)
    labels = rng.standard_normal((3, 8, 3)).astype(np.float32)
    W, B = w_init.astype(np.float64), b.astype(np.float64)
    VW, VB = np.zeros_like(W), np.zeros_like(B)
    losses, ys = [], []
    for t in range(3):
        y = x[t] @ W + B
        d = y - labels[t]
        losses.append(np.mean(d * d))
        ys.append(y)
        dy = 2 * d / d.size
        grads = (x[t].T.astype(np.float64) @ dy, dy.sum(axis=0))
        beta = 1.0 if t == 0 else BETA
        VW = ALPHA * VW + beta * grads[0]
        VB = ALPHA * VB + beta * grads[1]
        W, B = W - LR * VW, B - LR * VB
    np.savez(args.reference, x=x, labels=labels, lr=np.float32(LR),
             w_start=w_init, loss=np.array(losses), y=np.array(ys),
             W=W, B=B, VW=VW, VB=VB)


if __name__ == "__main__":
    main()
