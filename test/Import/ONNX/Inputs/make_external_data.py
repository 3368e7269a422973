#!/usr/bin/env python3
"""Writes a model whose initializers are stored as ONNX external data.

    make_external_data.py OUT.onnx [--weights-only]
                          [--break missing|truncated|length|offset]
                          [--location PATH]

All initializers go to one file, weights.bin, next to OUT.onnx, in this
order: an int64 constant `shape` (bytes 0 to 16), a uint8 constant `bytes`
(16 to 19) and a float parameter `w` (2x3, 19 to 43). --break spoils the
result for the importer's error tests: `missing` deletes weights.bin,
`truncated` cuts its last 13 bytes (within `w`), `length` records a length for
`w` that its shape does not need, `offset` records an offset for `w` past the
end of weights.bin. --weights-only keeps the constants in the model, as
onnx.save's default size threshold does for small tensors: weights.bin then
holds `w` alone (bytes 0 to 24). --location records PATH as the location
of `w` instead (a path outside the model's folder, for the importer's
refusal of it).
"""
import argparse
import os
import sys

import numpy as np
import onnx
from onnx import external_data_helper, helper, numpy_helper


def set_entry(tensor, key, value):
    for entry in tensor.external_data:
        if entry.key == key:
            entry.value = value
            return
    tensor.external_data.add(key=key, value=value)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("output")
    parser.add_argument("--break", dest="spoil",
                        choices=["missing", "truncated", "length", "offset"])
    parser.add_argument("--weights-only", action="store_true")
    parser.add_argument("--location")
    args = parser.parse_args()

    w = numpy_helper.from_array(
        np.arange(6, dtype=np.float32).reshape(2, 3) / 4, "w")
    shape = numpy_helper.from_array(np.array([3, 2], dtype=np.int64), "shape")
    data = numpy_helper.from_array(np.array([200, 7, 1], dtype=np.uint8),
                                   "bytes")
    graph = helper.make_graph(
        [
            helper.make_node("Add", ["x", "w"], ["sum"]),
            helper.make_node("Reshape", ["sum", "shape"], ["y"]),
            helper.make_node("Identity", ["bytes"], ["bytes_out"]),
        ],
        "external",
        [helper.make_tensor_value_info("x", onnx.TensorProto.FLOAT, [2, 3])],
        [
            helper.make_tensor_value_info("y", onnx.TensorProto.FLOAT, [3, 2]),
            helper.make_tensor_value_info("bytes_out", onnx.TensorProto.UINT8,
                                          [3]),
        ],
        [shape, data, w],
    )
    model = helper.make_model(
        graph, opset_imports=[helper.make_opsetid("", 17)], ir_version=8)
    if args.weights_only:
        weight = next(t for t in model.graph.initializer if t.name == "w")
        external_data_helper.set_external_data(weight, "weights.bin")
        onnx.save(model, args.output)
    else:
        onnx.save(model, args.output, save_as_external_data=True,
                  all_tensors_to_one_file=True, location="weights.bin",
                  size_threshold=0)

    weights = os.path.join(os.path.dirname(os.path.abspath(args.output)),
                           "weights.bin")
    if args.spoil == "missing":
        os.remove(weights)
    elif args.spoil == "truncated":
        with open(weights, "r+b") as f:
            f.truncate(os.path.getsize(weights) - 13)
    elif args.spoil in ("length", "offset"):
        model = onnx.load(args.output, load_external_data=False)
        tensor = next(t for t in model.graph.initializer if t.name == "w")
        if args.spoil == "length":
            set_entry(tensor, "length", "20")
        else:
            set_entry(tensor, "offset", str(os.path.getsize(weights) + 8))
        onnx.save(model, args.output)
    if args.location:
        model = onnx.load(args.output, load_external_data=False)
        tensor = next(t for t in model.graph.initializer if t.name == "w")
        set_entry(tensor, "location", args.location)
        onnx.save(model, args.output)


if __name__ == "__main__":
    sys.exit(main())
