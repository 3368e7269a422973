#!/usr/bin/env python3
"""The NF4 dequantize-matmul: Quern's MLIR path against a Halide 14
generator (bench/halide/nf4_matmul_generator.cpp), on the products of the
QLoRA benchmark's models, 1 and 2 threads. Writes halide_nf4.json.

DESIGN.md §7 chose Halide for kernels on packed low-bit formats, each to be
used only where it beats the MLIR path. This measures both on the same
data: for each shape, Quern compiles `y = x @ W` (or `x @ Wᵀ`, Linear's
layout) with W frozen and quantized (`--quantize-frozen=nf4`) and its
forward entry point is timed (the decoding into panels, the product, a
bias and a mean); the Halide pipeline gets Quern's own codes and scales and
must give the same y (1e-4 relative). Median of CALLS calls after 3, each
framework and thread count in a process of its own.

Halide is a separate build (its package pulls LLVM 14, which cannot share
a CMake project with LLVM 19): this script builds the generator and the
kernels with g++ and Debian's libhalide14-0-dev (scripts/install-deps.sh
bench installs it).

    /usr/bin/python3 bench/halide_nf4.py --out DIR [--build BUILD] [--quick]
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

import numpy as np

import common

CALLS, QUICK_CALLS = 30, 3
THREADS = (1, 2)
# (M, K, N, transposed): the forward products of the QLoRA benchmark's
# GPT-2 models (x @ Wᵀ as Linear stores W; the input gradients read the same
# weights the other way, x @ W).
SHAPES = [(256, 256, 256, True), (256, 256, 1024, True), (256, 1024, 256, True),
          (512, 768, 768, True), (512, 768, 3072, True), (512, 3072, 768, True),
          (512, 768, 768, False), (512, 3072, 768, False), (512, 768, 3072, False)]
HALIDE_INCLUDE = "/usr/include/halide14"
GENGEN = "/usr/src/halide14/GenGen.cpp"
TARGET = ("x86-64-linux-avx-avx2-f16c-fma-sse41-avx512-avx512_skylake-"
          "avx512_cannonlake")
HERE = os.path.join(common.BENCH, "halide")


def quern_model(path, m, k, n, transposed):
    from onnx import TensorProto, helper, numpy_helper
    rng = np.random.default_rng(m * 7 + k * 3 + n)
    w = (rng.standard_normal((n, k) if transposed else (k, n)) * 0.05).astype(np.float32)
    product = (helper.make_node("Gemm", ["x", "w"], ["xw"], name="product", transB=1)
               if transposed else helper.make_node("MatMul", ["x", "w"], ["xw"], name="product"))
    nodes = [product, helper.make_node("Add", ["xw", "b"], ["y"], name="bias"),
             helper.make_node("ReduceMean", ["y"], ["loss"], keepdims=0, name="mean")]
    graph = helper.make_graph(
        nodes, "nf4", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [m, k])],
        [helper.make_tensor_value_info("loss", TensorProto.FLOAT, []),
         helper.make_tensor_value_info("y", TensorProto.FLOAT, [m, n])],
        [numpy_helper.from_array(w, "w"),
         numpy_helper.from_array(np.zeros(n, np.float32), "b")])
    import onnx
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), path)


def worker_quern(stem, x_path, y_path, calls):
    sys.path.insert(0, os.path.join(common.ROOT, "scripts"))
    from compiled_model import CompiledModel
    model = CompiledModel(stem)
    x = np.load(x_path)
    call, outputs = model.bind("forward", [x])
    seconds = common.median_seconds(call, 3, calls)
    np.save(y_path, outputs[1])
    print(seconds)


def run(command, threads):
    env = dict(os.environ, QUERN_NUM_THREADS=str(threads), OMP_NUM_THREADS=str(threads),
               HL_NUM_THREADS=str(threads), OPENBLAS_NUM_THREADS="1")
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    if result.returncode:
        raise RuntimeError(f"{command[0]}: {common.tail(result.stderr)}")
    return float(result.stdout.split()[-1])


def main():
    parser = common.arguments(__doc__, "halide_nf4", f"{QUICK_CALLS} calls",
                              out_required=False)
    parser.add_argument("--worker", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        stem, x_path, y_path, calls = args.worker
        return worker_quern(stem, x_path, y_path, int(calls))
    if not args.out:
        parser.error("--out is required")
    calls = QUICK_CALLS if args.quick else CALLS
    build = os.path.abspath(args.build)
    rows = []
    with tempfile.TemporaryDirectory() as work:
        generator = os.path.join(work, "generator")
        subprocess.run(["g++", "-std=c++17", "-O1", "-fno-rtti", f"-I{HALIDE_INCLUDE}",
                        f"-I{common.ROOT}",
                        os.path.join(HERE, "nf4_matmul_generator.cpp"), GENGEN,
                        "-lHalide14", "-lpthread", "-ldl", "-o", generator], check=True)
        for m, k, n, transposed in SHAPES[:3] if args.quick else SHAPES:
            name = f"nf4_{m}_{k}_{n}_{'t' if transposed else 'n'}"
            folder = os.path.join(work, name)
            os.makedirs(folder)
            quern_model(os.path.join(folder, "model.onnx"), m, k, n, transposed)
            stem = os.path.join(folder, "quern")
            subprocess.run([os.path.join(build, "bin", "quernc"),
                            os.path.join(folder, "model.onnx"), "--train", "--loss=loss",
                            "--freeze=w", "--quantize-frozen=nf4", "-o", stem],
                           check=True)
            sys.path.insert(0, os.path.join(common.ROOT, "scripts"))
            from compiled_model import CompiledModel
            state = CompiledModel(stem)
            codes = state.tensor("w").view(np.uint8)
            scales = state.tensor("w.scales")
            x = np.random.default_rng(1).standard_normal((m, k)).astype(np.float32)
            files = {f: os.path.join(folder, f + ".bin") for f in ("x", "codes", "scales", "y")}
            x.tofile(files["x"])
            codes.tofile(files["codes"])
            scales.tofile(files["scales"])
            np.save(os.path.join(folder, "x.npy"), x)
            subprocess.run([generator, "-g", "nf4_matmul", "-o", folder, "-e",
                            "static_library,h", "-f", "pipeline", f"target={TARGET}",
                            f"rows={m}", f"depth={k}", f"columns={n}",
                            f"transposed={'true' if transposed else 'false'}"], check=True)
            timer = os.path.join(folder, "timer")
            subprocess.run(["g++", "-std=c++17", "-O2", f"-I{HALIDE_INCLUDE}",
                            "-include", os.path.join(folder, "pipeline.h"),
                            "-DPIPELINE=pipeline", os.path.join(HERE, "time_nf4.cpp"),
                            os.path.join(folder, "pipeline.a"), "-lpthread", "-ldl",
                            "-o", timer], check=True)
            flops = 2 * m * k * n
            row = {"shape": [m, k, n], "weight": "[N, K] (x @ Wᵀ)" if transposed
                   else "[K, N] (x @ W)"}
            for threads in THREADS:
                halide = run([timer, str(m), str(k), str(n), "64", files["x"],
                              files["codes"], files["scales"], files["y"], str(calls)],
                             threads)
                quern = run([common.PYTHON, os.path.abspath(__file__), "--worker", stem,
                             os.path.join(folder, "x.npy"),
                             os.path.join(folder, "y.npy"), str(calls)], threads)
                y_halide = np.fromfile(files["y"], np.float32).reshape(m, n)
                y_quern = np.load(os.path.join(folder, "y.npy"))
                error = float(np.abs(y_halide - y_quern).max() / np.abs(y_quern).max())
                row[f"{threads}"] = {"quern_gflops": flops / quern / 1e9,
                                     "halide_gflops": flops / halide / 1e9,
                                     "halide_over_quern": quern / halide,
                                     "largest_difference": error}
                print(f"{name} {threads}T: Quern {flops / quern / 1e9:.0f} GFLOP/s, "
                      f"Halide {flops / halide / 1e9:.0f} GFLOP/s "
                      f"(difference {error:.1e})", flush=True)
            rows.append(row)
    common.write_result(args.out, {"benchmark": "halide_nf4", "quick": args.quick,
                                   "machine": common.machine(build), "calls": calls,
                                   "target": TARGET, "rows": rows})


if __name__ == "__main__":
    sys.exit(main())
