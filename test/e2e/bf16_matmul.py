"""bf16 matrix products against numpy.

    bf16_matmul.py make DIR      writes DIR/products.onnx
    bf16_matmul.py check STEM    runs the compiled STEM (quernc
                                 --precision=bf16) and compares
    bf16_matmul.py check STEM --qemu HARNESS
                                 runs a STEM built for another CPU under
                                 qemu (qemu.py) through HARNESS
                                 (Inputs/entry_raw.c)

The model has a plain product, one whose right operand is a Transpose (a
Linear layer), a batched one (attention), and two of shapes that tile
unevenly: an odd depth (127) with 37 rows and 100 columns (neither a
multiple of a register tile), and a weight gradient (a transposed left
operand) of odd depth 53 and 300 x 70. Each result must match the
product of the operands rounded to bf16 (round to nearest even), computed in
float64, within 1e-5 of the largest magnitude (the sums are f32), and must
differ from the unrounded product by more than 1e-4 of it (the operands were
rounded).
"""
import operator
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper

SHAPES = {"a": [64, 128], "b": [128, 96], "w": [96, 128],
          "q": [2, 3, 16, 32], "k": [2, 3, 32, 48],
          "c": [37, 127], "d": [127, 100], "e": [53, 300], "f": [53, 70]}
# name: (left, right, left transposed, right transposed)
PRODUCTS = {"plain": ("a", "b", False, False),
            "linear": ("a", "w", False, True),
            "batched": ("q", "k", False, False),
            "uneven": ("c", "d", False, False),
            "gradient": ("e", "f", True, False)}
OUTPUT_SHAPES = ([64, 96], [64, 96], [2, 3, 16, 48], [37, 100], [300, 70])


def make(folder):
    nodes = []
    for name, (x, y, transpose_x, transpose_y) in PRODUCTS.items():
        operands = []
        for operand, transposed in ((x, transpose_x), (y, transpose_y)):
            if transposed:
                nodes.append(helper.make_node("Transpose", [operand],
                                              [operand + "_t"], perm=[1, 0],
                                              name=operand + "_t"))
                operand += "_t"
            operands.append(operand)
        nodes.append(helper.make_node("MatMul", operands, [name], name=name))
    inputs = [helper.make_tensor_value_info(name, TensorProto.FLOAT, shape)
              for name, shape in SHAPES.items()]
    outputs = [helper.make_tensor_value_info(name, TensorProto.FLOAT, shape)
               for name, shape in zip(PRODUCTS, OUTPUT_SHAPES)]
    model = helper.make_model(helper.make_graph(nodes, "products", inputs, outputs),
                              opset_imports=[helper.make_opsetid("", 17)])
    onnx.save(model, os.path.join(folder, "products.onnx"))


def to_bf16(x):
    bits = x.view(np.uint32).astype(np.uint64)
    bits = ((bits + 0x7FFF + ((bits >> 16) & 1)) >> 16) << 16
    return bits.astype(np.uint32).view(np.float32)


def run_native(stem, inputs):
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "scripts"))
    from compiled_model import CompiledModel
    call, outputs = CompiledModel(stem).bind("forward", inputs)
    call()
    return outputs


def run_qemu(stem, inputs, harness):
    sys.path.insert(0, os.path.dirname(__file__))
    import qemu
    outputs, _, _ = qemu.run(harness, stem, "forward", inputs,
                             [(shape, np.float32) for shape in OUTPUT_SHAPES])
    return outputs


def check(stem, *runner):
    rng = np.random.default_rng(7)
    values = {name: rng.standard_normal(shape).astype(np.float32)
              for name, shape in SHAPES.items()}
    inputs = list(values.values())
    outputs = (run_qemu(stem, inputs, runner[1])
               if runner[:1] == ("--qemu",) else run_native(stem, inputs))
    wide = {name: value.astype(np.float64) for name, value in values.items()}
    rounded = {name: to_bf16(value).astype(np.float64)
               for name, value in values.items()}
    for (name, (x, y, transpose_x, transpose_y)), result in zip(
            PRODUCTS.items(), outputs):
        def operands(values):
            return (values[x].T if transpose_x else values[x],
                    values[y].T if transpose_y else values[y])
        reference = operator.matmul(*operands(rounded))
        unrounded = operator.matmul(*operands(wide))
        scale = np.abs(reference).max()
        error = np.abs(result - reference).max() / scale
        rounding = np.abs(reference - unrounded).max() / scale
        print(f"{name}: error {error:.1e} ({'ok' if error < 1e-5 else 'FAIL'}), "
              f"bf16 rounding effect {rounding:.1e} "
              f"({'ok' if rounding > 1e-4 else 'FAIL'})")


if __name__ == "__main__":
    {"make": make, "check": check}[sys.argv[1]](*sys.argv[2:])
