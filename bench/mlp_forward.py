#!/usr/bin/env python3
"""mlp_forward: the example MLP (784-256-256-10, Gemm + Relu) forward pass,
batch 64: compile time, and the median latency of 200 calls after 20
warm-up calls, for quern, torch (eager) and numpy. Writes mlp_forward.json.

    /usr/bin/python3 bench/mlp_forward.py --out DIR [--build BUILD] [--quick]
"""
import os
import subprocess
import sys
import tempfile
import time

# One thread everywhere: the ratio then compares code generation, not
# thread counts (bench/gemm.py and bench/train.py compare threads). Set
# before numpy loads.
THREADS = 1
for variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
                 "QUERN_NUM_THREADS"):
    os.environ[variable] = str(THREADS)

import numpy as np  # noqa: E402

import common  # noqa: E402
from compiled_model import CompiledModel  # noqa: E402

sys.path.insert(0, os.path.join(common.ROOT, "examples", "mlp"))
import make_mlp  # noqa: E402


def bench_mlp_forward(build, work, quick, batch=64):
    warmup, repeat = (5, 20) if quick else (20, 200)
    onnx_path = os.path.join(work, "mlp.onnx")
    rng = np.random.default_rng(2026)
    weights = make_mlp.make_weights(rng)
    import onnx
    onnx.save(make_mlp.make_model(weights, batch), onnx_path)
    stem = os.path.join(work, "mlp")
    start = time.perf_counter()
    subprocess.run([os.path.join(build, "bin", "quernc"), onnx_path, "-o", stem],
                   check=True)
    compile_seconds = time.perf_counter() - start

    x = rng.standard_normal((batch, 784)).astype(np.float32)
    model = CompiledModel(stem)
    call, outputs = model.bind("forward", [x])
    call()
    quern_out = outputs[0].copy()
    quern_time = common.median_seconds(call, warmup, repeat)

    def numpy_forward():
        h = x
        for index, (w, b) in enumerate(weights):
            h = h @ w.T + b
            if index < len(weights) - 1:
                h = np.maximum(h, 0)
        return h
    numpy_time = common.median_seconds(numpy_forward, warmup, repeat)

    import torch
    torch.set_num_threads(THREADS)
    layers = []
    for index, (w, b) in enumerate(weights):
        linear = torch.nn.Linear(w.shape[1], w.shape[0])
        with torch.no_grad():
            linear.weight.copy_(torch.from_numpy(w))
            linear.bias.copy_(torch.from_numpy(b))
        layers.append(linear)
        if index < len(weights) - 1:
            layers.append(torch.nn.ReLU())
    net = torch.nn.Sequential(*layers).eval()
    tx = torch.from_numpy(x)
    with torch.no_grad():
        torch_out = net(tx).numpy()
        torch_time = common.median_seconds(lambda: net(tx), warmup, repeat)
    max_diff = float(np.abs(quern_out - torch_out).max())

    flops = 2 * batch * sum(w.size for w, _ in weights)
    return {
        "benchmark": "mlp_forward",
        "quick": quick,
        "precision": "fp32",
        "model": "MLP 784-256-256-10, Gemm+Relu, fp32",
        "batch": batch,
        "threads": THREADS,
        "compile_seconds": compile_seconds,
        "median_seconds": {"quern": quern_time, "torch": torch_time,
                           "numpy": numpy_time},
        "gflops": {"quern": flops / quern_time / 1e9,
                   "torch": flops / torch_time / 1e9,
                   "numpy": flops / numpy_time / 1e9},
        "speedup_vs_torch": torch_time / quern_time,
        "speedup_vs_numpy": numpy_time / quern_time,
        "max_abs_diff_vs_torch": max_diff,
        "torch_version": torch.__version__,
        "numpy_version": np.__version__,
        "machine": common.machine(build),
    }


def main():
    parser = common.arguments(__doc__, "mlp_forward",
                              "5 warm-up and 20 timed calls")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        result = bench_mlp_forward(os.path.abspath(args.build), work, args.quick)
    t = result["median_seconds"]
    print(f"mlp_forward: quern {t['quern'] * 1e6:.0f} µs, torch "
          f"{t['torch'] * 1e6:.0f} µs, numpy {t['numpy'] * 1e6:.0f} µs "
          f"-> {result['speedup_vs_torch']:.2f}x torch, "
          f"{result['speedup_vs_numpy']:.2f}x numpy "
          f"(max |diff| vs torch {result['max_abs_diff_vs_torch']:.2g})")
    common.write_result(args.out, result)


if __name__ == "__main__":
    main()
