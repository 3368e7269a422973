#!/usr/bin/env python3
"""Writes a copy of an ONNX model whose initializers hold the parameters of a
quern-train checkpoint: the "pretrained export" that QLoRA starts from, as a
model downloaded with its weights would be.

    bake_weights.py MODEL.onnx CHECKPOINT.safetensors OUT.onnx

Every float initializer named like a tensor of the checkpoint takes its
value (same shape and dtype); the others (the causal mask) stay.
"""
import json
import struct
import sys

import numpy as np
import onnx
from onnx import numpy_helper


def read_safetensors(path):
    with open(path, "rb") as f:
        blob = f.read()
    (size,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8:8 + size])
    header.pop("__metadata__", None)
    tensors = {}
    for name, entry in header.items():
        if entry["dtype"] != "F32":
            continue
        begin, end = entry["data_offsets"]
        tensors[name] = np.frombuffer(blob[8 + size + begin:8 + size + end],
                                      np.float32).reshape(entry["shape"])
    return tensors


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    model_path, checkpoint, out = sys.argv[1:]
    model = onnx.load(model_path)
    values = read_safetensors(checkpoint)
    baked = 0
    for index, initializer in enumerate(model.graph.initializer):
        value = values.get(initializer.name)
        if value is None:
            continue
        if list(value.shape) != list(initializer.dims):
            sys.exit(f"{initializer.name}: the checkpoint's is {list(value.shape)}, "
                     f"the model's {list(initializer.dims)}")
        model.graph.initializer[index].CopyFrom(
            numpy_helper.from_array(value, initializer.name))
        baked += 1
    onnx.save(model, out)
    print(f"{out}: {baked} initializers from {checkpoint}")


if __name__ == "__main__":
    main()
