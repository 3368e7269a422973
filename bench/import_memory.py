#!/usr/bin/env python3
"""import_memory: a generated model with 1 GiB of weights in an external
data file (16 MatMuls of 4096x4096 float32): peak RSS of quernc compiling
it (import, code, state file), as a multiple of the weights' size (goal:
under 2). Writes import_memory.json.

    /usr/bin/python3 bench/import_memory.py --out DIR [--build BUILD] [--quick]
"""
import os
import resource
import subprocess
import tempfile
import time

import numpy as np

import common


def bench_import_memory(build, work, layers, size):
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


def main():
    parser = common.arguments(__doc__, "import_memory",
                              "4 MatMuls of 2048x2048 (64 MiB) instead of 1 GiB")
    args = parser.parse_args()
    layers, size = (4, 2048) if args.quick else (16, 4096)
    with tempfile.TemporaryDirectory() as work:
        result = bench_import_memory(os.path.abspath(args.build), work, layers, size)
    result["quick"] = args.quick
    print(f"import_memory: peak RSS {result['quernc_peak_rss_bytes'] / 2**30:.2f}"
          f" GiB for {result['weight_bytes'] / 2**30:.2f} GiB of weights "
          f"({result['peak_rss_over_weights']:.2f}x)")
    common.write_result(args.out, result)


if __name__ == "__main__":
    main()
