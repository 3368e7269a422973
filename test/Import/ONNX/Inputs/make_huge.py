#!/usr/bin/env python3
"""Writes a small model that asks for a huge tensor:

    make_huge.py OUT.onnx range             Range(0, 1e12, 1): a constant
                                            of 10^12 elements
    make_huge.py OUT.onnx constant-of-shape ConstantOfShape([2^40, 2^40])
    make_huge.py OUT.onnx expand            Expand of a constant [[1], [2]]
                                            to [2, 2^28] (2 GiB), plus an
                                            input x f32[1]
"""
import sys

import numpy as np
from onnx import TensorProto, helper, numpy_helper, save


def main():
    path, kind = sys.argv[1], sys.argv[2]
    inputs = []
    if kind == "range":
        nodes = [
            helper.make_node("Constant", [], ["start"], name="start",
                             value=numpy_helper.from_array(np.array(0, np.int64))),
            helper.make_node("Constant", [], ["limit"], name="limit",
                             value=numpy_helper.from_array(
                                 np.array(10**12, np.int64))),
            helper.make_node("Constant", [], ["delta"], name="delta",
                             value=numpy_helper.from_array(np.array(1, np.int64))),
            helper.make_node("Range", ["start", "limit", "delta"], ["y"],
                             name="huge_range"),
        ]
        output = helper.make_tensor_value_info("y", TensorProto.INT64, [10**12])
    elif kind == "expand":
        nodes = [
            helper.make_node("Constant", [], ["column"], name="column",
                             value=numpy_helper.from_array(
                                 np.array([[1], [2]], np.float32))),
            helper.make_node("Constant", [], ["shape"], name="shape",
                             value=numpy_helper.from_array(
                                 np.array([2, 2**28], np.int64))),
            helper.make_node("Expand", ["column", "shape"], ["wide"],
                             name="huge_expand"),
            helper.make_node("Add", ["wide", "x"], ["y"], name="add"),
        ]
        output = helper.make_tensor_value_info("y", TensorProto.FLOAT,
                                               [2, 2**28])
        inputs = [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1])]
    else:
        nodes = [
            helper.make_node("Constant", [], ["shape"], name="shape",
                             value=numpy_helper.from_array(
                                 np.array([2**40, 2**40], np.int64))),
            helper.make_node("ConstantOfShape", ["shape"], ["y"],
                             name="huge_fill"),
        ]
        output = helper.make_tensor_value_info("y", TensorProto.FLOAT,
                                               [2**40, 2**40])
    graph = helper.make_graph(nodes, "huge", inputs, [output])
    save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]),
         path)


if __name__ == "__main__":
    main()
