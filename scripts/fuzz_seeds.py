#!/usr/bin/env python3
"""Writes the seed corpus of one of the data and state fuzzers.

    fuzz_seeds.py READER OUT_DIR     READER: npy, tensorproto, safetensors, manifest

Each seed is a valid file of the kind the reader accepts, covering its dtypes,
versions and layouts, so that the fuzzer starts from every branch a real file
takes. The safetensors seeds match the model the safetensors fuzzer loads
state into (tools/quern-fuzzers/safetensors.cpp); a few differ from it on
purpose so that the mismatch paths are seeded too.
"""
import json
import os
import struct
import sys

import numpy as np


def arrays():
    rng = np.random.default_rng(0)
    return {
        "f32_2x3": rng.standard_normal((2, 3)).astype(np.float32),
        "f64_4": rng.standard_normal(4),
        "i64_tokens": rng.integers(0, 256, (2, 8)),
        "i32_3": np.array([1, -2, 3], np.int32),
        "u8_scalar": np.array(7, np.uint8),
        "i8_5": np.array([-128, -1, 0, 1, 127], np.int8),
        "f16_2x2": np.array([[0.5, -1], [2, 65504]], np.float16),
        "bool_2x2": np.array([[True, False], [False, True]]),
        "empty_0x3": np.zeros((0, 3), np.float32),
        "u16_3": np.array([0, 1, 65535], np.uint16),
    }


def npy(out):
    for name, array in arrays().items():
        np.save(os.path.join(out, name + ".npy"), array)
    # Versions 2 and 3 of the format, and a Fortran-order vector.
    for version in ((2, 0), (3, 0)):
        with open(os.path.join(out, "v%d.npy" % version[0]), "wb") as f:
            np.lib.format.write_array(f, arrays()["f32_2x3"], version=version)
    np.save(os.path.join(out, "fortran_1d.npy"),
            np.asfortranarray(np.arange(4, dtype=np.float32)))


def tensorproto(out):
    from onnx import TensorProto, helper, numpy_helper

    for name, array in arrays().items():
        tensor = numpy_helper.from_array(array, name)
        with open(os.path.join(out, name + ".pb"), "wb") as f:
            f.write(tensor.SerializeToString())
    # The typed fields instead of raw_data.
    typed = [
        ("float_data", TensorProto.FLOAT, [2, 2], [1.0, -2.0, 3.5, 0.0]),
        ("double_data", TensorProto.DOUBLE, [2], [1e300, -0.5]),
        ("int64_data", TensorProto.INT64, [3], [0, -(2**63), 2**63 - 1]),
        ("int32_data", TensorProto.INT32, [2], [-5, 5]),
        ("int32_data_bool", TensorProto.BOOL, [3], [1, 0, 1]),
        ("int32_data_f16", TensorProto.FLOAT16, [2], [0x3C00, 0xC000]),
        ("int32_data_bf16", TensorProto.BFLOAT16, [2], [0x3F80, 0x4000]),
        ("uint64_data", TensorProto.UINT64, [2], [0, 2**64 - 1]),
        ("uint64_data_u32", TensorProto.UINT32, [2], [0, 2**32 - 1]),
    ]
    for name, dtype, dims, values in typed:
        tensor = helper.make_tensor(name, dtype, dims, values, raw=False)
        with open(os.path.join(out, name + ".pb"), "wb") as f:
            f.write(tensor.SerializeToString())


def safetensors_bytes(tensors, metadata=None):
    """tensors: list of (name, dtype, shape, bytes), laid out in order."""
    header, data = {}, b""
    if metadata is not None:
        header["__metadata__"] = metadata
    for name, dtype, shape, payload in tensors:
        header[name] = {"dtype": dtype, "shape": shape,
                        "data_offsets": [len(data), len(data) + len(payload)]}
        data += payload
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    return struct.pack("<Q", len(text)) + text + data


def safetensors(out):
    w = np.arange(6, dtype=np.float32).reshape(2, 3).tobytes()
    b = np.array([0x3F80, 0x4000, 0, 0xBF80], np.uint16).tobytes()
    step = np.array(3, np.int64).tobytes()
    model = [("w", "F32", [2, 3], w), ("b", "BF16", [4], b),
             ("step", "I64", [], step)]
    seeds = {
        "state": safetensors_bytes(model),
        "checkpoint": safetensors_bytes(
            model, {"format": "quern-state", "model": "fuzz"}),
        "reordered": safetensors_bytes(model[::-1]),
        "wrong_shape": safetensors_bytes(
            [("w", "F32", [3, 2], w)] + model[1:]),
        "extra_tensor": safetensors_bytes(
            model + [("extra", "U8", [2], b"\x01\x02")]),
        "empty": safetensors_bytes([]),
    }
    for name, data in seeds.items():
        with open(os.path.join(out, name + ".safetensors"), "wb") as f:
            f.write(data)


def manifest(out):
    tensor = lambda name, dtype, shape: {"name": name, "dtype": dtype,
                                         "shape": shape}
    forward = {"symbol": "m_forward",
               "inputs": [dict(tensor("tokens", "i64", [8, 64]),
                               values={"min": -256, "max": 255,
                                       "reader": "indices of node 'wte'"})],
               "outputs": [tensor("logits", "f32", [8, 64, 256])]}
    step = {"symbol": "m_train_step",
            "inputs": forward["inputs"] + [
                dict(tensor("targets", "i64", [8, 64]),
                     values={"min": 0, "max": 255, "ignore": -100,
                             "reader": "class labels of node 'ce'"}),
                tensor("lr", "f32", [])],
            "outputs": [tensor("loss", "f32", [])] + forward["outputs"]}
    state = {"bytes": 320, "tensors": [
        {"name": "w", "dtype": "f32", "shape": [4, 4], "role": "param",
         "offset": 0, "bytes": 64},
        {"name": "norm", "dtype": "bf16", "shape": [4], "role": "frozen",
         "offset": 64, "bytes": 8},
        {"name": "w.exp_avg", "dtype": "f32", "shape": [4, 4],
         "role": "optimizer", "offset": 128, "bytes": 64},
        {"name": "step", "dtype": "i64", "shape": [], "role": "optimizer",
         "offset": 256, "bytes": 8}]}
    full = {
        "format": "quern-manifest", "version": 2, "name": "m",
        "target": {"triple": "x86_64-pc-linux-gnu", "cpu": "znver4",
                   "features": "+avx2,+fma"},
        "entry_points": {"forward": forward, "train_step": step},
        "state": state, "workspace_bytes": 4096,
        "optimizer": {"name": "adamw", "hyperparameters": {
            "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "weight_decay": 0.01}},
        "memory": {"workspace_bytes": 4096, "kept_for_backward_bytes": 2048,
                   "kept_for_backward_values": 3},
        "kernels": [{"symbol": "train_step_matmul_0", "kind": "matmul",
                     "strategy": "tiles [64, 32, 256]",
                     "source": "node 'fc' (Gemm)", "flops": 131072,
                     "bytes": 4096, "loops": [8, 64, 256],
                     "calls": {"forward": 1, "train_step": 1},
                     "estimated_share": 0.5}],
    }
    forward_only = dict(full, entry_points={"forward": forward},
                        state={"bytes": 0, "tensors": []}, optimizer=None)
    del forward_only["kernels"]
    for name, value in (("full", full), ("forward_only", forward_only)):
        with open(os.path.join(out, name + ".json"), "w") as f:
            json.dump(value, f, indent=1)


if __name__ == "__main__":
    reader, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    {"npy": npy, "tensorproto": tensorproto, "safetensors": safetensors,
     "manifest": manifest}[reader](out)
