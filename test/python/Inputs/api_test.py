#!/usr/bin/env python3
"""The quern package on test/e2e/torch/mlp_ce (Linear-ReLU-Linear with a
cross-entropy loss, exported by PyTorch): compile, forward, training steps
against PyTorch's references, the state as views, checkpoints shared with
quern-train, torch tensors as inputs, and the errors. Prints one line per
check; any failure raises.

    api_test.py WORK_DIR
"""
import os
import subprocess
import sys

import numpy as np
import torch
import onnx
from onnx import numpy_helper

import quern

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..", "..", "..")
MLP = os.path.join(ROOT, "test", "e2e", "torch", "mlp_ce")
ADAMW = dict(optimizer="adamw", beta1=0.9, beta2=0.999, eps=1e-8,
             weight_decay=0.01)


def tensor(path):
    proto = onnx.TensorProto()
    with open(path, "rb") as f:
        proto.ParseFromString(f.read())
    return numpy_helper.to_array(proto)


def check(condition, what):
    if not condition:
        raise AssertionError(what)
    print("OK", what)


def main():
    work = sys.argv[1]
    os.makedirs(work, exist_ok=True)
    data = os.path.join(MLP, "test_data_set_0")
    batch = {"x": tensor(os.path.join(data, "input_0.pb")),
             "labels": tensor(os.path.join(data, "input_1.pb"))}
    expected_loss = float(tensor(os.path.join(data, "output_0.pb")))

    # Forward, in a temporary folder.
    with quern.compile(os.path.join(MLP, "model.onnx")) as model:
        loss = float(model.forward(**batch)["loss"])
        check(abs(loss - expected_loss) <= 1e-5 * abs(expected_loss),
              f"forward loss {loss:.6f} is PyTorch's {expected_loss:.6f}")
        folder = os.path.dirname(model.path)
    check(not os.path.exists(folder), "the temporary folder is gone after close")

    # Five AdamW steps against PyTorch's references.
    stem = os.path.join(work, "mlp")
    model = quern.compile(os.path.join(MLP, "model.onnx"), stem, train=True,
                          **ADAMW)
    reference = np.load(os.path.join(MLP, "train_adamw.npz"))
    losses = [model.train_step(lr=1e-3, **batch) for _ in range(5)]
    worst = max(abs(a - b) / abs(b) for a, b in zip(losses, reference["loss"]))
    check(worst <= 1e-5, f"5 AdamW losses within {worst:.2g} relative of PyTorch's")
    params = model.state_dict()
    worst = max(np.abs(params[name] - reference[f"step5/{name}"]).max()
                for name in params)
    check(worst <= 2e-4, f"parameters after 5 steps within {worst:.2g} of PyTorch's")

    # The state as views: no copy, writes reach the model.
    check(all(np.shares_memory(view, model._state) for view in params.values()),
          "state_dict() holds views of the state buffer")
    optimizer_names = set(model.state_dict(optimizer=True)) - set(params)
    check(len(optimizer_names) > 0, f"{len(optimizer_names)} optimizer tensors "
          "with optimizer=True")
    model.save(os.path.join(work, "after5.safetensors"))
    saved = {name: value.copy() for name, value in params.items()}
    weight = next(name for name in params if params[name].ndim == 2)
    params[weight][...] = 0
    zeroed = float(model.forward(**batch)["loss"])
    model.load_state_dict(saved)
    restored = float(model.forward(**batch)["loss"])
    check(zeroed != restored, "writing a view changes the forward pass; "
          "load_state_dict restores it")
    try:
        model.load_state_dict({weight: saved[weight]})
        raise AssertionError("a partial state dict was accepted")
    except KeyError as error:
        check("missing" in str(error), "strict load_state_dict names what is missing")

    # Checkpoints shared with quern-train, both ways: quern-train resumes
    # from the Python checkpoint and its checkpoint loads here, equal to
    # what the same steps give in Python.
    os.makedirs(os.path.join(work, "data"), exist_ok=True)
    for name, value in batch.items():
        np.save(os.path.join(work, "data", name + ".npy"), value)
    subprocess.run(["quern-train", stem + ".so", "--data",
                    os.path.join(work, "data"), "--steps", "2", "--lr", "1e-3",
                    "--resume", os.path.join(work, "after5.safetensors"),
                    "--save", os.path.join(work, "after7.safetensors")],
                   check=True, stdout=subprocess.DEVNULL)
    model.load(os.path.join(work, "after5.safetensors"))
    for _ in range(2):
        model.train_step(lr=1e-3, **batch)
    ours = {k: v.copy() for k, v in model.state_dict(optimizer=True).items()}
    model.load(os.path.join(work, "after7.safetensors"))
    theirs = model.state_dict(optimizer=True)
    check(all(np.array_equal(ours[k], theirs[k]) for k in ours),
          "quern-train resumed from save() and its checkpoint equals the "
          "same steps in Python, bit for bit")

    # Torch tensors go in through DLPack, without a copy.
    x = torch.from_numpy(batch["x"].copy())
    labels = torch.from_numpy(batch["labels"].copy())
    from_torch = float(model.forward(x=x, labels=labels)["loss"])
    from_numpy = float(model.forward(**batch)["loss"])
    check(from_torch == from_numpy, "torch tensors give numpy's result")
    check(np.shares_memory(quern._runtime._as_array(x), x.numpy()),
          "a torch tensor is read in place (DLPack)")
    check(float(model.forward(x=x.requires_grad_(), labels=labels)["loss"])
          == from_numpy, "a tensor that requires grad is accepted")

    class Wrapped:
        def __init__(self, array):
            self.array = array

        def __array__(self, dtype=None):
            return self.array

    check(float(model.forward(x=Wrapped(batch["x"]), labels=labels)["loss"])
          == from_numpy, "anything with __array__ is accepted")

    # Errors.
    try:
        model.forward(x=batch["x"][:4], labels=batch["labels"])
        raise AssertionError("a wrong shape was accepted")
    except ValueError as error:
        check("input 'x' has shape" in str(error), f"ValueError: {error}")
    try:
        model.forward(x=batch["x"])
        raise AssertionError("a missing input was accepted")
    except TypeError as error:
        check("the model takes" in str(error), f"TypeError: {error}")
    try:
        model.load(os.path.join(ROOT, "test", "e2e", "torch", "gpt2",
                                "model.onnx"))
        raise AssertionError("a non-checkpoint was loaded")
    except quern.QuernError as error:
        check(True, f"QuernError: {str(error).splitlines()[0][:70]}")
    subprocess.run([sys.executable, os.path.join(ROOT, "test", "docs", "Inputs",
                                                 "make_mystery.py"),
                    os.path.join(work, "mystery.onnx")], check=True)
    try:
        quern.compile(os.path.join(work, "mystery.onnx"))
        raise AssertionError("an unsupported op compiled")
    except quern.CompileError as error:
        check(error.node == "mystery" and error.op_type == "FooBar",
              f"CompileError at node {error.node!r} ({error.op_type}): "
              f"{error.message}")
    try:
        quern.compile(os.path.join(MLP, "model.onnx"), optimiser="adamw")
        raise AssertionError("an unknown option was accepted")
    except TypeError as error:
        check("optimiser" in str(error), f"TypeError: {error}")
    with quern.compile(os.path.join(MLP, "model.onnx")) as forward_only:
        try:
            forward_only.train_step(lr=0.1, **batch)
            raise AssertionError("a forward-only model trained")
        except quern.QuernError as error:
            check("train=True" in str(error), f"QuernError: {error}")
    try:
        model.load_state_dict({weight: saved[weight].astype(np.int32)},
                              strict=False)
        raise AssertionError("integers were written into a float tensor")
    except TypeError as error:
        check("is f32; got int32" in str(error), f"TypeError: {error}")

    # A view outlives its model: the memory goes with the last view.
    kept = model.state_dict()[weight]
    expected = kept.copy()
    model.close()
    del model
    import gc
    gc.collect()
    check(np.array_equal(kept, expected), "a state view stays valid after "
          "close()")
    try:
        closed = quern.load(stem + ".so")
        closed.close()
        closed.forward(**batch)
        raise AssertionError("a closed model ran")
    except quern.QuernError as error:
        check("is closed" in str(error), f"QuernError: {error}")

    # Other options pass through: bf16 products, an NF4 frozen base with
    # LoRA adapters, another target (compiled, not loaded).
    with quern.compile(os.path.join(MLP, "model.onnx"), train=True,
                       precision="bf16", lora=(4, 8),
                       quantize_frozen="int8", quant_block=16) as small:
        trained = sorted(n for n, t in small.state_dict().items() if "lora" in n)
        loss = small.train_step(lr=1e-2, **batch)
        check(np.isfinite(loss) and len(trained) == 4,
              f"bf16 + int8 frozen base + LoRA: loss {loss:.3f}, "
              f"adapters {trained[:2]}")
    path = quern.compile(os.path.join(MLP, "model.onnx"),
                         os.path.join(work, "arm", "mlp"), train=True,
                         target="aarch64-linux-gnu", load=False)
    with open(path, "rb") as f:
        header = f.read(20)
    check(header[:4] == b"\x7fELF" and header[18] == 183,
          "target='aarch64-linux-gnu', load=False: an AArch64 library")


if __name__ == "__main__":
    main()
