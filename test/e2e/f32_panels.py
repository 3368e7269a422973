"""Large f32 products against numpy (quern-pack-panels' f32 panels).

    f32_panels.py make DIR      writes DIR/products.onnx
    f32_panels.py check STEM    runs the compiled STEM and compares

Products of at least 512 in every size have their right operand packed in
panels and accumulate panel after panel: a plain one, a Linear layer's
(Gemm with a bias and a transposed weight of 1000 rows, padded to 1024
columns), a weight gradient (a transposed left operand, 600 columns) and a
batched product (MatMul). From 128 rows, so are products whose right
operand is 4 MiB or more and has rows 4 KiB apart (1024 f32) or is
transposed (1400 rows, padded to 1408 columns). So is the right operand of
a product 256 deep whose result's rows are 4 KiB apart (1024 f32), which
accumulates in rows.
Each result must match the float64 product within 1e-5 of the largest
magnitude.
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper

# name: (left shape, right shape, transA, transB, bias)
PRODUCTS = {"plain": ([512, 512], [512, 1024], False, False, False),
            "linear": ([512, 768], [1000, 768], False, True, True),
            "gradient": ([512, 768], [512, 600], True, False, False),
            "batched": ([2, 512, 512], [2, 512, 544], False, False, False),
            "few_rows": ([128, 1024], [1024, 1024], False, False, False),
            "few_rows_transposed": ([160, 768], [1400, 768], False, True,
                                    False),
            "aliased": ([256, 256], [256, 1024], False, False, False)}


def result_shape(spec):
    left, right, trans_a, trans_b, _ = spec
    rows = left[-1] if trans_a else left[-2]
    columns = right[-2] if trans_b else right[-1]
    return left[:-2] + [rows, columns]


def make(folder):
    inputs, nodes, outputs = [], [], []
    for name, spec in PRODUCTS.items():
        left, right, trans_a, trans_b, bias = spec
        names = [name + "_a", name + "_b"] + ([name + "_c"] if bias else [])
        inputs += [helper.make_tensor_value_info(names[0], TensorProto.FLOAT, left),
                   helper.make_tensor_value_info(names[1], TensorProto.FLOAT, right)]
        if bias:
            inputs.append(helper.make_tensor_value_info(
                names[2], TensorProto.FLOAT, [result_shape(spec)[-1]]))
        if len(left) == 2:
            nodes.append(helper.make_node("Gemm", names, [name], name=name,
                                          transA=int(trans_a),
                                          transB=int(trans_b)))
        else:
            nodes.append(helper.make_node("MatMul", names, [name], name=name))
        outputs.append(helper.make_tensor_value_info(name, TensorProto.FLOAT,
                                                     result_shape(spec)))
    graph = helper.make_graph(nodes, "products", inputs, outputs)
    os.makedirs(folder, exist_ok=True)
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]),
              os.path.join(folder, "products.onnx"))


def check(stem):
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "scripts"))
    from compiled_model import CompiledModel
    rng = np.random.default_rng(0)
    arrays, references = [], []
    for spec in PRODUCTS.values():
        left, right, trans_a, trans_b, bias = spec
        a = rng.standard_normal(left).astype(np.float32)
        b = rng.standard_normal(right).astype(np.float32)
        arrays += [a, b]
        reference = ((a.T if trans_a else a).astype(np.float64)
                     @ (b.T if trans_b else b).astype(np.float64))
        if bias:
            c = rng.standard_normal(result_shape(spec)[-1]).astype(np.float32)
            arrays.append(c)
            reference += c
        references.append(reference)
    results = CompiledModel(stem).forward(arrays)
    for name, result, reference in zip(PRODUCTS, results, references):
        error = np.abs(result - reference).max() / np.abs(reference).max()
        print(f"{name}: {'OK' if error < 1e-5 else 'WRONG'} (error {error:.1e})")


if __name__ == "__main__":
    {"make": make, "check": check}[sys.argv[1]](sys.argv[2])
