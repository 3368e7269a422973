#!/usr/bin/env python3
"""Writes an ONNX model with one node, 'mystery', of an op type ONNX does
not have (FooBar): the README's example of an unsupported op."""
import sys

from onnx import TensorProto, helper, save

node = helper.make_node("FooBar", ["x"], ["y"], name="mystery")
graph = helper.make_graph(
    [node], "mystery",
    [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2])],
    [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2])])
save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]),
     sys.argv[1])
