#!/usr/bin/env python3
"""Builds the example MLP (784 -> 256 -> 256 -> 10, Gemm + Relu) as ONNX.

Weights come from a fixed seed, so every run writes the same model. With
--reference DIR it also writes a batch of inputs and numpy's outputs for it:
DIR/x.bin (float32, row-major, the model's input) and DIR/y.bin (the
expected output), the files the end-to-end tests and `make demo` compare
against.
"""
import argparse
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

SIZES = [784, 256, 256, 10]


def make_weights(rng):
    weights = []
    for fan_in, fan_out in zip(SIZES, SIZES[1:]):
        bound = 1.0 / np.sqrt(fan_in)
        # Gemm with transB=1 takes weights as [out, in], like torch.nn.Linear.
        w = rng.uniform(-bound, bound, (fan_out, fan_in)).astype(np.float32)
        b = rng.uniform(-bound, bound, (fan_out,)).astype(np.float32)
        weights.append((w, b))
    return weights


def make_model(weights, batch):
    nodes, initializers = [], []
    current = "x"
    for index, (w, b) in enumerate(weights, start=1):
        w_name, b_name = f"fc{index}.weight", f"fc{index}.bias"
        initializers += [numpy_helper.from_array(w, w_name),
                         numpy_helper.from_array(b, b_name)]
        out = f"fc{index}_out"
        nodes.append(helper.make_node("Gemm", [current, w_name, b_name], [out],
                                      name=f"fc{index}", transB=1))
        current = out
        if index < len(weights):
            relu = f"relu{index}_out"
            nodes.append(helper.make_node("Relu", [current], [relu],
                                          name=f"relu{index}"))
            current = relu
    nodes[-1].output[0] = "logits"
    graph = helper.make_graph(
        nodes, "mlp",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [batch, SIZES[0]])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT,
                                       [batch, SIZES[-1]])],
        initializers)
    model = helper.make_model(graph, producer_name="quern-examples",
                              opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


def reference(weights, x):
    """float64 numpy forward pass: the ground truth the tests compare with."""
    h = x.astype(np.float64)
    for index, (w, b) in enumerate(weights):
        h = h @ w.astype(np.float64).T + b
        if index < len(weights) - 1:
            h = np.maximum(h, 0.0)
    return h.astype(np.float32)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("output", help="path of the .onnx file to write")
    parser.add_argument("--batch", type=int, default=4)
    parser.add_argument("--reference", metavar="DIR")
    args = parser.parse_args()
    rng = np.random.default_rng(2026)
    weights = make_weights(rng)
    onnx.save(make_model(weights, args.batch), args.output)
    if args.reference:
        os.makedirs(args.reference, exist_ok=True)
        x = rng.standard_normal((args.batch, SIZES[0])).astype(np.float32)
        x.tofile(os.path.join(args.reference, "x.bin"))
        reference(weights, x).tofile(os.path.join(args.reference, "y.bin"))


if __name__ == "__main__":
    main()
