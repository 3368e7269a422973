"""Writes ONNX models with ONNX Runtime's com.microsoft.MatMulNBits op, in
the layout of an ONNX backend test (OUT/<case>/model.onnx and
test_data_set_0/{input,output}_N.pb), for test/conformance/harness.py.

Each model is `y = MatMulNBits(a, B, scales[, bias])` and `loss = mean(y *
y)`, B and scales initializers. The expected outputs are computed here in
float64 from the op's definition (ONNX Runtime's contrib operator docs):

    B [N, K / block_size, block_size * bits / 8] uint8: for column n of the
      result, the codes of W[n, :] in blocks along K, 4-bit codes two a
      byte with the first in the low 4 bits
    W[n, k] = (code - zero_point) * scales[n * K / block_size + k / block_size]
      with the block's zero point from zero_points (uint8, a row of N's
      blocks at a time in whole bytes, 4-bit ones two a byte) or the default
      2^(bits - 1) (8 for 4 bits, 128 for 8)
    y = a @ W^T (+ bias)

    make_matmul_nbits.py OUT
"""
import argparse
import os
import sys

import numpy as np
from onnx import helper, numpy_helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_op_tests import value_info, write_test  # noqa: E402


def case(out, name, a_shape, n, bits, block, bias, seed, zero_points=False):
    rng = np.random.default_rng(seed)
    k = a_shape[-1]
    blocks = k // block
    a = rng.standard_normal(a_shape).astype(np.float32)
    codes = rng.integers(0, 1 << bits, size=(n, k), dtype=np.uint8)
    scales = (rng.random((n, blocks)) * 0.1 + 0.01).astype(np.float32)
    zero = np.full((n, blocks), 1 << (bits - 1), np.int64)
    if zero_points:
        zero = rng.integers(0, 1 << bits, size=(n, blocks))
    weight = (codes.astype(np.float64) - np.repeat(zero, block, axis=1)) * np.repeat(
        scales.astype(np.float64), block, axis=1)
    if bits == 4:
        packed = (codes[:, 0::2] | (codes[:, 1::2] << 4)).astype(np.uint8)
    else:
        packed = codes
    packed = packed.reshape(n, k // block, block * bits // 8)
    y = a.astype(np.float64) @ weight.T
    initializers = [numpy_helper.from_array(packed, "B"),
                    numpy_helper.from_array(scales.reshape(-1), "scales")]
    inputs = ["a", "B", "scales"]
    if zero_points:
        # A row's zero points in whole bytes (the last nibble of an odd
        # count is padding), 4-bit ones two a byte, the first low.
        if bits == 4:
            padded = np.zeros((n, 2 * ((blocks + 1) // 2)), np.uint8)
            padded[:, :blocks] = zero
            stored = (padded[:, 0::2] | (padded[:, 1::2] << 4)).astype(np.uint8)
        else:
            stored = zero.astype(np.uint8)
        initializers.append(numpy_helper.from_array(stored.reshape(-1), "zero_points"))
        inputs.append("zero_points")
    if bias:
        b = (0.1 * rng.standard_normal(n)).astype(np.float32)
        y = y + b
        initializers.append(numpy_helper.from_array(b, "bias"))
        inputs += [""] * (5 - len(inputs)) + ["bias"]
    y = y.astype(np.float32)
    loss = np.asarray(np.mean(y.astype(np.float64) ** 2), np.float32)
    nodes = [
        helper.make_node("MatMulNBits", inputs, ["y"], "quantized", domain="com.microsoft",
                         K=k, N=n, bits=bits, block_size=block),
        helper.make_node("Mul", ["y", "y"], ["square"], "square"),
        helper.make_node("ReduceMean", ["square"], ["loss"], "mean", keepdims=0),
    ]
    graph = helper.make_graph(nodes, name, [value_info("a", a)],
                              [value_info("y", y), value_info("loss", loss)],
                              initializers)
    model = helper.make_model(graph, producer_name="quern-e2e", opset_imports=[
        helper.make_opsetid("", 17), helper.make_opsetid("com.microsoft", 1)])
    write_test(out, name, model, [("a", a)], [("y", y), ("loss", loss)])


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("out")
    out = parser.parse_args().out
    case(out, "nbits4_bias_3d", (2, 8, 64), 48, 4, 32, True, seed=1)
    case(out, "nbits8", (16, 32), 24, 8, 16, False, seed=2)
    case(out, "nbits4_zero_points", (16, 96), 40, 4, 32, True, seed=3,
         zero_points=True)
    case(out, "nbits8_zero_points", (16, 32), 24, 8, 16, False, seed=4,
         zero_points=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
