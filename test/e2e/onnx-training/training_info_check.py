#!/usr/bin/env python3
"""Runs the model of make_training_info.py, compiled with quernc --train,
for three steps and compares with its numpy reference.

    training_info_check.py STEM REFERENCE.npz --atol A

Checks: the initial W is the initialization graph's value, not the
initializer's; the loss and Y of each step; W, B and the velocities after
three steps; the algorithm's own count T and Quern's step counter (3
each). Prints the worst errors.
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
    parser.add_argument("stem")
    parser.add_argument("reference")
    parser.add_argument("--atol", type=float, required=True)
    args = parser.parse_args()
    ref = np.load(args.reference)
    model = CompiledModel(args.stem)
    failures = []

    def compare(what, actual, expected):
        error = float(np.abs(np.asarray(actual, np.float64) - expected).max())
        if error > args.atol:
            failures.append(f"{what} differs by {error:.3g}")
        return error

    worst = compare("initial W", model.tensor("W"), ref["w_start"])
    for step in range(3):
        y, loss = model._call("train_step",
                              [ref["x"][step], ref["labels"][step], ref["lr"]])
        worst = max(worst, compare(f"step {step + 1} Y", y, ref["y"][step]),
                    compare(f"step {step + 1} loss", loss, ref["loss"][step]))
    for name, key in (("W", "W"), ("B", "B"), ("VW", "VW"), ("VB", "VB")):
        worst = max(worst, compare(name, model.tensor(name), ref[key]))
    for counter in ("T", "step"):
        if int(model.tensor(counter)) != 3:
            failures.append(f"{counter} is {int(model.tensor(counter))}, not 3")
    print("\n".join(failures))
    print(f"worst error {worst:.3g} (tolerance {args.atol})")
    print("FAIL" if failures else "OK")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
