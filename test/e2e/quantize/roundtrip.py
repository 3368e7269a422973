#!/usr/bin/env python3
"""Quern's block quantization against scripts/block_quantization.py (numpy).

    roundtrip.py --build BUILD --work DIR

For each scheme, block and double quantization, compiles a model whose
frozen weights only matrix products read (one read directly by MatMul, one
through Gemm's transB) with `quernc --train --quantize-frozen`, and checks
bit for bit:
- the parts quernc stored (codes, scales, ...) against numpy's quantization
  of the ONNX initializers, and the manifest's record of each part;
- the weights the compiled code decodes (the forward pass with an identity
  matrix as input returns them) against numpy's decoding.
The weights hold a block of zeros, values that are a block's largest in
either sign, and levels' exact midpoints. A weight with an infinity or a NaN
must make quernc fail with one clear error and write nothing.
"""
import argparse
import os
import subprocess
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "scripts"))
import block_quantization  # noqa: E402
from compiled_model import CompiledModel  # noqa: E402

K, N = 64, 96
CONFIGS = [("nf4", 64, False), ("nf4", 64, True), ("int4", 32, False),
           ("int4", 64, True), ("int8", 64, False), ("int8", 128, True)]


def weights():
    rng = np.random.default_rng(7)
    w = (rng.standard_normal((K, N)) * 0.05).astype(np.float32)
    w[0, :64] = 0  # a block of zeros (every block size here divides 64)
    w[1, 0] = 1.5  # a block's largest, positive
    w[2, 5] = -2.0  # and negative
    # Exact midpoints between neighbouring NF4 levels, scaled by the block's
    # largest value (1.5 in row 1's first block).
    levels = block_quantization.NF4_LEVELS
    mids = ((levels[:-1] + levels[1:]) / 2).astype(np.float32)
    w[1, 1:16] = (mids * np.float32(1.5)).astype(np.float32)
    w2 = (rng.standard_normal((N, K)) * 0.05).astype(np.float32)
    return w, w2


def model(w, w2, path):
    """y = x @ w + b, z = x @ w2ᵀ (Gemm transB), loss = mean(y) + mean(z)."""
    b = np.zeros(N, np.float32)
    nodes = [
        helper.make_node("MatMul", ["x", "w"], ["xw"], name="product"),
        helper.make_node("Add", ["xw", "b"], ["y"], name="bias"),
        helper.make_node("Gemm", ["x", "w2"], ["z"], name="gemm", transB=1),
        helper.make_node("ReduceMean", ["y"], ["my"], keepdims=0, name="mean_y"),
        helper.make_node("ReduceMean", ["z"], ["mz"], keepdims=0, name="mean_z"),
        helper.make_node("Add", ["my", "mz"], ["loss"], name="loss"),
    ]
    graph = helper.make_graph(
        nodes, "quantized",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [K, K])],
        [helper.make_tensor_value_info("loss", TensorProto.FLOAT, []),
         helper.make_tensor_value_info("y", TensorProto.FLOAT, [K, N]),
         helper.make_tensor_value_info("z", TensorProto.FLOAT, [K, N])],
        [numpy_helper.from_array(w, "w"), numpy_helper.from_array(w2, "w2"),
         numpy_helper.from_array(b, "b")])
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]),
              path)


def quernc(build, onnx_path, stem, scheme, block, double):
    return subprocess.run(
        [os.path.join(build, "bin", "quernc"), onnx_path, "--train", "--loss=loss",
         "--freeze=w*", f"--quantize-frozen={scheme}", f"--quant-block={block}",
         "-o", stem] + (["--double-quant"] if double else []),
        capture_output=True, text=True)


def check(build, work, scheme, block, double, w, w2):
    tag = f"{scheme} block {block}{' double-quant' if double else ''}"
    stem = os.path.join(work, f"{scheme}_{block}_{int(double)}", "m")
    result = quernc(build, os.path.join(work, "model.onnx"), stem, scheme, block,
                    double)
    if result.returncode:
        print(f"FAIL {tag}: quernc: {result.stderr}")
        return 1
    compiled = CompiledModel(stem)
    failures = 0
    tensors = compiled.manifest["state"]["tensors"]
    for name, weight in (("w", w), ("w2", w2)):
        expected = block_quantization.quantize(weight, scheme, block, double)
        parts = {t["quantization"]["part"]: t for t in tensors
                 if t.get("quantization", {}).get("of") == name}
        if set(parts) != set(expected):
            print(f"FAIL {tag}: {name} has parts {sorted(parts)}, "
                  f"expected {sorted(expected)}")
            failures += 1
            continue
        for part, array in expected.items():
            record = parts[part]["quantization"]
            if (record["scheme"], record["block"], record["double_quant"],
                    record["shape"], record["dtype"]) != (
                        scheme, block, double, list(weight.shape), "f32"):
                print(f"FAIL {tag}: {name} {part}: manifest record {record}")
                failures += 1
            stored = compiled.tensor(parts[part]["name"])
            if stored.tobytes() != np.ascontiguousarray(array).tobytes():
                print(f"FAIL {tag}: {name} {part} differs from numpy's")
                failures += 1
            else:
                print(f"{tag}: {name} {part} bit-identical to numpy's")
    # The decoded weights, through the products: identity @ w, identity @ w2ᵀ.
    _, y, z = compiled.forward([np.eye(K, dtype=np.float32)])
    for name, decoded, weight in (("w", y, w), ("w2", z, w2.T)):
        before = failures
        shape = w.shape if name == "w" else w2.shape
        reference = block_quantization.dequantize(
            block_quantization.quantize(w if name == "w" else w2, scheme, block,
                                        double),
            scheme, shape, block)
        if name == "w2":
            reference = reference.T
        if decoded.tobytes() != np.ascontiguousarray(reference).tobytes():
            worst = float(np.abs(decoded - reference).max())
            print(f"FAIL {tag}: decoded {name} differs from numpy's by up to {worst:.3g}")
            failures += 1
        if failures == before:
            error = float(np.abs(reference - weight).max())
            print(f"{tag}: {name} decoded bit-identical to numpy; largest "
                  f"quantization error {error:.3g}")
    return failures


def check_not_finite(build, work, w, w2):
    failures = 0
    for value, word in ((np.inf, "infinite"), (np.nan, "NaN")):
        bad = w.copy()
        bad[3, 7] = value
        path = os.path.join(work, f"bad_{word}.onnx")
        model(bad, w2, path)
        stem = os.path.join(work, f"bad_{word}", "m")
        result = quernc(build, path, stem, "nf4", 64, False)
        expected = (f"--quantize-frozen: 'w': element {3 * N + 7} is {word}, "
                    "which no scale can quantize")
        if result.returncode != 1 or expected not in result.stderr:
            print(f"FAIL: a weight with {word}: exit {result.returncode}, "
                  f"stderr {result.stderr!r}")
            failures += 1
        elif os.path.exists(os.path.dirname(stem)) and os.listdir(os.path.dirname(stem)):
            print(f"FAIL: a weight with {word} left files behind")
            failures += 1
        else:
            print(f"a weight with {word}: {result.stderr.strip()}")
    return failures


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--build", required=True)
    parser.add_argument("--work", required=True)
    args = parser.parse_args()
    os.makedirs(args.work, exist_ok=True)
    w, w2 = weights()
    model(w, w2, os.path.join(args.work, "model.onnx"))
    failures = sum(check(args.build, args.work, *config, w, w2) for config in CONFIGS)
    failures += check_not_finite(args.build, args.work, w, w2)
    print("FAIL" if failures else "OK")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
