#!/usr/bin/env python3
"""make bench: measures compiled models against PyTorch eager and numpy
(OpenBLAS) in the same run, on the same thread count, and writes
bench/results/<name>.json plus the table in docs/Performance.md.

Benchmarks:
  mlp_forward    the example MLP (784-256-256-10) forward pass, batch 64:
                 compile time, and the median latency of 200 calls after 20
                 warm-up calls, for quern, torch (eager) and numpy.
  import_memory  a generated model with 1 GiB of weights in an external data
                 file: peak RSS of quernc compiling it (import, code, state
                 file), as a multiple of the weights' size (goal: under 2).
"""
import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time

# One thread everywhere until the generated code is threaded: the ratio
# then compares code generation, not thread counts. Set before numpy loads.
THREADS = 1
for variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[variable] = str(THREADS)

import numpy as np  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "examples", "mlp"))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
import make_mlp  # noqa: E402
from compiled_model import CompiledModel  # noqa: E402


def median_seconds(call, warmup=20, repeat=200):
    for _ in range(warmup):
        call()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def bench_mlp_forward(build, work, batch=64):
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
    quern_out = model.forward([x])[0].copy()
    quern_time = median_seconds(lambda: model.forward([x]))

    def numpy_forward():
        h = x
        for index, (w, b) in enumerate(weights):
            h = h @ w.T + b
            if index < len(weights) - 1:
                h = np.maximum(h, 0)
        return h
    numpy_time = median_seconds(numpy_forward)

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
        torch_time = median_seconds(lambda: net(tx))
    max_diff = float(np.abs(quern_out - torch_out).max())

    flops = 2 * batch * sum(w.size for w, _ in weights)
    return {
        "benchmark": "mlp_forward",
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
        "machine": platform.processor() or platform.machine(),
    }


def bench_import_memory(build, work, layers=16, size=4096):
    """1 GiB of float32 weights (16 MatMuls of 4096x4096) stored as ONNX
    external data; quernc's peak resident memory while compiling it."""
    import resource
    import onnx
    from onnx import TensorProto, helper
    nodes, initializers = [], []
    data_path = os.path.join(work, "weights.bin")
    rng = np.random.default_rng(1)
    with open(data_path, "wb") as data:
        current = "x"
        for index in range(layers):
            name = f"w{index}"
            offset = data.tell()
            rng.standard_normal((size, size), dtype=np.float32).tofile(data)
            tensor = TensorProto()
            tensor.name = name
            tensor.data_type = TensorProto.FLOAT
            tensor.dims.extend([size, size])
            tensor.data_location = TensorProto.EXTERNAL
            for key, value in (("location", "weights.bin"),
                               ("offset", str(offset)),
                               ("length", str(size * size * 4))):
                entry = tensor.external_data.add()
                entry.key, entry.value = key, value
            initializers.append(tensor)
            out = f"h{index}" if index < layers - 1 else "y"
            nodes.append(helper.make_node("MatMul", [current, name], [out],
                                          name=f"mm{index}"))
            current = out
    graph = helper.make_graph(
        nodes, "big",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, size])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, size])],
        initializers)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.save(model, os.path.join(work, "big.onnx"))
    weight_bytes = layers * size * size * 4
    start = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    subprocess.run([os.path.join(build, "bin", "quernc"),
                    os.path.join(work, "big.onnx"), "-o",
                    os.path.join(work, "out", "big")], check=True)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    assert peak >= before * 1024
    return {
        "benchmark": "import_memory",
        "model": f"{layers} MatMuls with {size}x{size} float32 weights in an "
                 "external data file",
        "weight_bytes": weight_bytes,
        "quernc_peak_rss_bytes": peak,
        "peak_rss_over_weights": peak / weight_bytes,
        "compile_seconds": seconds,
    }


def write_markdown(results, path):
    lines = [
        "# Performance",
        "",
        "Generated by `make bench` (bench/run.py); raw numbers in",
        "bench/results/*.json. Same machine, same run, same thread count.",
        "",
        "| benchmark | threads | quern | torch eager | numpy | quern vs torch | quern vs numpy | compile |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        if r["benchmark"] != "mlp_forward":
            continue
        t = r["median_seconds"]
        lines.append(
            f"| {r['benchmark']} (batch {r['batch']}) | {r['threads']} "
            f"| {t['quern'] * 1e6:.0f} µs | {t['torch'] * 1e6:.0f} µs "
            f"| {t['numpy'] * 1e6:.0f} µs | {r['speedup_vs_torch']:.2f}× "
            f"| {r['speedup_vs_numpy']:.2f}× | {r['compile_seconds']:.2f} s |")
    lines += ["", "Ratios above 1 mean Quern is faster.", ""]
    for r in results:
        if r["benchmark"] == "import_memory":
            lines += [
                "## Import memory", "",
                f"{r['model']}: {r['weight_bytes'] / 2**30:.2f} GiB of weights; "
                f"quernc's peak RSS while compiling it (import, code generation, "
                f"state file) was {r['quernc_peak_rss_bytes'] / 2**30:.2f} GiB, "
                f"{r['peak_rss_over_weights']:.2f}x the weights (goal: under 2x), "
                f"in {r['compile_seconds']:.1f} s. The weights are memory-mapped, "
                "never copied.", ""]
    with open(path, "w") as f:
        f.write("\n".join(lines))


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--build", default=os.path.join(ROOT, "build"))
    args = parser.parse_args()
    results_dir = os.path.join(ROOT, "bench", "results")
    os.makedirs(results_dir, exist_ok=True)
    results = []
    build = os.path.abspath(args.build)
    with tempfile.TemporaryDirectory() as work:
        result = bench_mlp_forward(build, work)
        results.append(result)
        t = result["median_seconds"]
        print(f"mlp_forward: quern {t['quern'] * 1e6:.0f} µs, torch "
              f"{t['torch'] * 1e6:.0f} µs, numpy {t['numpy'] * 1e6:.0f} µs "
              f"-> {result['speedup_vs_torch']:.2f}x torch, "
              f"{result['speedup_vs_numpy']:.2f}x numpy "
              f"(max |diff| vs torch {result['max_abs_diff_vs_torch']:.2g})")
    with tempfile.TemporaryDirectory() as work:
        result = bench_import_memory(build, work)
        results.append(result)
        print(f"import_memory: peak RSS {result['quernc_peak_rss_bytes'] / 2**30:.2f}"
              f" GiB for {result['weight_bytes'] / 2**30:.2f} GiB of weights "
              f"({result['peak_rss_over_weights']:.2f}x)")
    for result in results:
        with open(os.path.join(results_dir, result["benchmark"] + ".json"),
                  "w") as f:
            json.dump(result, f, indent=2)
            f.write("\n")
    write_markdown(results, os.path.join(ROOT, "docs", "Performance.md"))


if __name__ == "__main__":
    main()
