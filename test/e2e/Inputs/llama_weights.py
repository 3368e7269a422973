#!/usr/bin/env python3
"""Checks examples/llama-qlora/export_llama.py --weights on a Llama of the
same architecture at width 32 (2 layers, 4 query heads sharing 2 key/value
heads, MLP 48, vocabulary 64, 8 tokens).

    llama_weights.py WORK --build BUILD

Writes WORK/weights.safetensors with Hugging Face's Llama names and random
values, the projections in BF16, the embedding in F16, the rest in F32 (the
three types the script reads), and exports with it. Then:
- every initializer of the ONNX file (external data) equals the file's
  tensor widened to float32, bit for bit;
- quernc compiles the export, and its forward loss and logits on a fixed
  batch match PyTorch's module loaded with the same weights (relative
  1e-5 on the loss, absolute 1e-5 on the logits);
- a file without one of the tensors, and one with a tensor of the wrong
  shape, are refused with a message naming the tensor.
Prints OK when all hold.
"""
import argparse
import json
import os
import subprocess
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..", "..", "..")
EXPORT = os.path.join(ROOT, "examples", "llama-qlora", "export_llama.py")
sys.path.insert(0, os.path.join(ROOT, "scripts"))
sys.path.insert(0, os.path.dirname(EXPORT))

CONFIG = {"vocab": 64, "width": 32, "heads": 4, "kv_heads": 2, "ffn": 48,
          "layers": 2, "sequence": 8}


def write_safetensors(path, tensors):
    """tensors: name -> (dtype name, array of that dtype's storage)."""
    header, offset, blobs = {}, 0, []
    for name, (dtype, array) in tensors.items():
        raw = np.ascontiguousarray(array).tobytes()
        header[name] = {"dtype": dtype, "shape": list(array.shape),
                        "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(len(text).to_bytes(8, "little"))
        f.write(text)
        for blob in blobs:
            f.write(blob)


def storage(name, values):
    """(safetensors dtype, stored array) for a parameter, and its value as
    float32 after widening."""
    if name.endswith("_proj.weight") or name == "lm_head.weight":
        bits = values.astype(np.float32).view(np.uint32) >> 16
        stored = bits.astype(np.uint16)
        return ("BF16", stored), (stored.astype(np.uint32) << 16).view(np.float32)
    if name == "model.embed_tokens.weight":
        stored = values.astype(np.float16)
        return ("F16", stored), stored.astype(np.float32)
    stored = values.astype(np.float32)
    return ("F32", stored), stored


def export(work, weights, name):
    return subprocess.run(
        [sys.executable, EXPORT, os.path.join(work, name), "--weights", weights,
         "--layers", str(CONFIG["layers"]), "--sequence", str(CONFIG["sequence"]),
         "--config", json.dumps({k: v for k, v in CONFIG.items()
                                 if k not in ("layers", "sequence")})],
        capture_output=True, text=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("work")
    parser.add_argument("--build", required=True)
    args = parser.parse_args()
    import torch
    import onnx
    from onnx import numpy_helper
    import export_llama
    from compiled_model import CompiledModel

    os.makedirs(args.work, exist_ok=True)
    config = dict(export_llama.CONFIG, **CONFIG)
    shapes = {n: tuple(p.shape)
              for n, p in export_llama.Llama(config).named_parameters()}
    rng = np.random.default_rng(7)
    stored, expected = {}, {}
    for name, shape in shapes.items():
        scale = 1.0 if name.endswith("norm.weight") else 0.1
        values = (1.0 if scale == 1.0 else 0.0) + scale * rng.standard_normal(shape)
        stored[name], expected[name] = storage(name, values)
    weights = os.path.join(args.work, "weights.safetensors")
    write_safetensors(weights, stored)

    failures = []
    run = export(args.work, weights, "export")
    if run.returncode != 0:
        print(run.stdout + run.stderr)
        print("FAIL: the export failed")
        return 1
    path = os.path.join(args.work, "export", "llama.onnx")
    model = onnx.load(path)  # external data from llama.onnx.data
    initializers = {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}
    for name, value in expected.items():
        if name not in initializers:
            failures.append(f"{name} is not an initializer")
        elif (initializers[name].dtype != np.float32
              or not np.array_equal(initializers[name].view(np.uint32),
                                    value.view(np.uint32))):
            failures.append(f"{name} differs from the file's")
    print(f"{len(expected)} initializers compared (BF16, F16 and F32 in the file)")

    stem = os.path.join(args.work, "compiled", "llama")
    subprocess.run([os.path.join(args.build, "bin", "quernc"), path, "-o", stem],
                   check=True)
    tokens = rng.integers(0, CONFIG["vocab"], (1, CONFIG["sequence"]))
    targets = rng.integers(0, CONFIG["vocab"], (1, CONFIG["sequence"]))
    loss, logits = CompiledModel(stem).forward([tokens, targets])
    torch.manual_seed(0)
    module = export_llama.Llama(config)
    with torch.no_grad():
        for name, parameter in module.named_parameters():
            parameter.copy_(torch.from_numpy(expected[name]))
        want_loss, want_logits = module(torch.from_numpy(tokens),
                                        torch.from_numpy(targets))
    loss_error = abs(float(loss) - float(want_loss)) / abs(float(want_loss))
    logit_error = float(np.abs(logits - want_logits.numpy()).max())
    print(f"loss {float(loss):.6f}, PyTorch {float(want_loss):.6f} (relative "
          f"error {loss_error:.2g}); logits within {logit_error:.2g}")
    if loss_error > 1e-5 or logit_error > 1e-5:
        failures.append("the compiled forward differs from PyTorch's")

    missing = dict(stored)
    del missing["model.layers.1.mlp.up_proj.weight"]
    write_safetensors(os.path.join(args.work, "missing.safetensors"), missing)
    run = export(args.work, os.path.join(args.work, "missing.safetensors"), "missing")
    print(run.stderr.strip().splitlines()[-1] if run.stderr.strip() else "(no message)")
    if run.returncode == 0 or "model.layers.1.mlp.up_proj.weight" not in run.stderr:
        failures.append("a file without up_proj of layer 1 was not refused by name")
    wrong = dict(stored)
    wrong["model.norm.weight"] = ("F32", np.ones(CONFIG["width"] + 1, np.float32))
    write_safetensors(os.path.join(args.work, "wrong.safetensors"), wrong)
    run = export(args.work, os.path.join(args.work, "wrong.safetensors"), "wrong")
    print(run.stderr.strip().splitlines()[-1] if run.stderr.strip() else "(no message)")
    if run.returncode == 0 or "model.norm.weight" not in run.stderr:
        failures.append("a norm of the wrong shape was not refused by name")

    for failure in failures:
        print("FAIL:", failure)
    print("FAIL" if failures else "OK")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
