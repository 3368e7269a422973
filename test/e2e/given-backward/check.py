#!/usr/bin/env python3
"""Trains forward.onnx (Quern's autodiff) and backward.onnx (the graph's own
gradients, --gradient-suffix=_grad) with AdamW for three steps on the same
batches and compares losses and parameters.

    check.py DIR --atol A
"""
import argparse
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "scripts"))
from compiled_model import CompiledModel  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("dir")
    parser.add_argument("--atol", type=float, required=True)
    args = parser.parse_args()
    data = np.load(os.path.join(args.dir, "data.npz"))
    autodiff = CompiledModel(os.path.join(args.dir, "forward"))
    given = CompiledModel(os.path.join(args.dir, "backward"))
    worst = 0.0
    for step in range(3):
        batch = [data["x"][step], data["labels"][step]]
        outputs = given.train_step(batch, 1e-2)
        if len(outputs) != 1:
            print(f"the step returns {len(outputs)} outputs, not just the loss")
            return 1
        worst = max(worst, abs(float(outputs[0]) -
                               float(autodiff.train_step(batch, 1e-2)[0])))
    for name in ("W1", "B1", "W2", "W1.exp_avg", "W2.exp_avg_sq"):
        worst = max(worst, float(np.abs(given.tensor(name) -
                                        autodiff.tensor(name)).max()))
    print(f"worst difference {worst:.3g} (tolerance {args.atol})")
    print("OK" if worst <= args.atol else "FAIL")
    return 0 if worst <= args.atol else 1


if __name__ == "__main__":
    sys.exit(main())
