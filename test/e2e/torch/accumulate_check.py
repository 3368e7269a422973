#!/usr/bin/env python3
"""Checks quernc --accumulate=N against N separate steps.

    accumulate_check.py MODEL_DIR N --build BUILD --work DIR --atol A --rtol R

Compiles MODEL_DIR/model.onnx twice with SGD (no momentum, no weight
decay): once as is, once with --accumulate=N. Micro-batch j is the model's
fixed batch (MODEL_DIR/test_data_set_0) with its last input rolled by j
along the first axis, so that every micro-batch differs. Plain SGD is
linear in the gradient, so one accumulated step from the initial state must
land on the mean of the N states that single steps from the initial state
reach, one per micro-batch, and its loss must be the mean of their losses.
The accumulated step's workspace may exceed one micro-batch's by at most
three parameter-sized sets of gradients (the running sums, their mean and
the current micro-batch's), never N micro-batches' activations. Prints the worst errors.
"""
import argparse
import os
import subprocess
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "scripts"))
from compiled_model import CompiledModel, data_set_inputs  # noqa: E402

LR = 0.1


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("model_dir")
    parser.add_argument("n", type=int)
    parser.add_argument("--build", required=True)
    parser.add_argument("--work", required=True)
    parser.add_argument("--atol", type=float, required=True)
    parser.add_argument("--rtol", type=float, required=True)
    args = parser.parse_args()

    os.makedirs(args.work, exist_ok=True)
    quernc = os.path.join(args.build, "bin", "quernc")
    onnx_path = os.path.join(args.model_dir, "model.onnx")
    single, accumulated = (os.path.join(args.work, name) for name in ("one", "acc"))
    flags = ["--train", "--optimizer=sgd", "--weight-decay=0"]
    subprocess.run([quernc, onnx_path, *flags, "-o", single], check=True)
    subprocess.run([quernc, onnx_path, *flags, f"--accumulate={args.n}",
                    "-o", accumulated], check=True)

    data = os.path.join(args.model_dir, "test_data_set_0")
    inputs = data_set_inputs(data)
    micro = [inputs[:-1] + [np.roll(inputs[-1], j, axis=0)] for j in range(args.n)]

    losses, states = [], []
    for batch in micro:
        model = CompiledModel(single)
        losses.append(float(model.train_step(batch, LR)[0]))
        states.append(model)
    model = CompiledModel(accumulated)
    stacked = [np.concatenate([batch[i] for batch in micro])
               for i in range(len(inputs))]
    loss = float(model.train_step(stacked, LR)[0])

    failures = 0
    expected = float(np.mean(losses))
    loss_error = abs(loss - expected) / abs(expected)
    if loss_error > args.rtol:
        print(f"loss {loss!r}, mean of micro-batch losses {expected!r}")
        failures += 1
    worst = 0.0
    for tensor in model.manifest["state"]["tensors"]:
        if tensor["role"] != "param":
            continue
        name = tensor["name"]
        mean = np.mean([state.tensor(name) for state in states], axis=0)
        diff = float(np.abs(model.tensor(name) - mean).max())
        worst = max(worst, diff)
        if diff > args.atol:
            print(f"parameter {name} differs by {diff:.3g}")
            failures += 1
    step = model.tensor("step")
    if int(step) != 1:
        print(f"step counter {int(step)} after one accumulated step")
        failures += 1
    param_bytes = sum((t["bytes"] + 63) // 64 * 64
                      for t in model.manifest["state"]["tensors"] if t["role"] == "param")
    one_bytes = states[0].manifest["workspace_bytes"]
    acc_bytes = model.manifest["workspace_bytes"]
    if acc_bytes > one_bytes + 3 * param_bytes:
        print(f"workspace {acc_bytes} bytes, one micro-batch {one_bytes} + "
              f"3 x parameters {param_bytes}")
        failures += 1
    print(f"accumulate {args.n}: loss error {loss_error:.3g} relative "
          f"(tolerance {args.rtol}); worst parameter error {worst:.3g} "
          f"(tolerance {args.atol})")
    print("FAIL" if failures else "OK")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
