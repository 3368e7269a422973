#!/usr/bin/env python3
"""Writes one deliberately broken input for quernc's bad-input tests.

usage: make_bad_model.py KIND OUTPUT
  truncated      the first 300 bytes of a valid model
  random         4096 seeded random bytes
  unknown-op     a valid model with a node 'mystery' of op type FooBar
  dynamic        a model whose input 'x' has the dimension 'batch'
"""
import random
import sys

import onnx
from onnx import TensorProto, helper, numpy_helper
import numpy as np


def relu_model(input_shape, op_type="Relu", node_name="act"):
    w = numpy_helper.from_array(np.ones((8, 8), np.float32), "w")
    nodes = [helper.make_node("MatMul", ["x", "w"], ["h"], name="proj"),
             helper.make_node(op_type, ["h"], ["y"], name=node_name)]
    graph = helper.make_graph(
        nodes, "bad",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, input_shape)],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, input_shape)], [w])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    return model


def main():
    kind, output = sys.argv[1], sys.argv[2]
    if kind == "truncated":
        data = relu_model([4, 8]).SerializeToString()[:300]
    elif kind == "random":
        data = random.Random(7).randbytes(4096)
    elif kind == "unknown-op":
        data = relu_model([4, 8], "FooBar", "mystery").SerializeToString()
    elif kind == "dynamic":
        data = relu_model(["batch", 8]).SerializeToString()
    else:
        sys.exit(f"unknown kind {kind}")
    with open(output, "wb") as f:
        f.write(data)


if __name__ == "__main__":
    main()
