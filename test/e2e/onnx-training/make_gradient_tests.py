#!/usr/bin/env python3
"""Writes ONNX's backend tests test_gradient_of_add and
test_gradient_of_add_and_mul, as onnx/backend/test/case/node/gradient.py
generates them (ONNX 1.12: same graphs, opsets, inputs and expected
outputs), in the backend-test layout: DIR/NAME/model.onnx and
DIR/NAME/test_data_set_0/{input,output}_N.pb. Debian's libonnx-testdata
does not ship these two, so the repository makes them.

    make_gradient_tests.py DIR
"""
import os
import sys

import numpy as np
import onnx
from onnx import helper

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "Inputs"))
from make_op_tests import write_test  # noqa: E402

TRAINING = "ai.onnx.preview.training"


def write(folder, name, nodes, inputs, outputs):
    scalar = [helper.make_tensor_value_info(n, onnx.TensorProto.FLOAT, [])
              for n in ("a", "b")]
    graph = helper.make_graph(
        nodes, name, scalar,
        [helper.make_tensor_value_info(n, onnx.TensorProto.FLOAT, [])
         for n, _ in outputs])
    model = helper.make_model(
        graph, producer_name="backend-test",
        opset_imports=[helper.make_operatorsetid("", 12),
                       helper.make_operatorsetid(TRAINING, 1)])
    write_test(folder, name, model, inputs, outputs)


def main():
    folder = sys.argv[1]
    a = np.array(1.0).astype(np.float32)
    b = np.array(2.0).astype(np.float32)

    add = helper.make_node("Add", ["a", "b"], ["c"], name="my_add")
    gradient = helper.make_node("Gradient", ["a", "b"], ["dc_da", "dc_db"],
                                name="my_gradient", domain=TRAINING,
                                xs=["a", "b"], y="c")
    c = a + b
    write(folder, "test_gradient_of_add", [add, gradient],
          [("a", a), ("b", b)],
          [("c", c), ("dc_da", np.array(1).astype(np.float32)),
           ("dc_db", np.array(1).astype(np.float32))])

    mul = helper.make_node("Mul", ["c", "a"], ["d"], name="my_mul")
    gradient = helper.make_node("Gradient", ["a", "b"], ["dd_da", "dd_db"],
                                name="my_gradient", domain=TRAINING,
                                xs=["a", "b"], y="d")
    d = a * c  # = a*a + a*b
    write(folder, "test_gradient_of_add_and_mul", [add, mul, gradient],
          [("a", a), ("b", b)],
          [("d", d), ("dd_da", (2 * a + b).astype(np.float32)),
           ("dd_db", a)])


if __name__ == "__main__":
    main()
