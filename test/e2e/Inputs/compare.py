#!/usr/bin/env python3
"""Compares two raw float32 files elementwise and prints the worst error.

Passes when |actual - expected| <= atol + rtol * |expected| everywhere (numpy's
allclose rule); the tolerances are stated by each test's RUN line.
"""
import argparse
import sys

import numpy as np


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("actual")
    parser.add_argument("expected")
    parser.add_argument("--rtol", type=float, required=True)
    parser.add_argument("--atol", type=float, default=0.0)
    args = parser.parse_args()
    actual = np.fromfile(args.actual, dtype=np.float32).astype(np.float64)
    expected = np.fromfile(args.expected, dtype=np.float32).astype(np.float64)
    if actual.shape != expected.shape:
        print(f"FAIL: {actual.size} values, expected {expected.size}")
        return 1
    error = np.abs(actual - expected)
    allowed = args.atol + args.rtol * np.abs(expected)
    worst = int(np.argmax(error - allowed))
    relative = error / np.maximum(np.abs(expected), np.finfo(np.float32).tiny)
    print(f"{actual.size} values; max abs error {error.max():.3g}, "
          f"max rel error {relative.max():.3g}; worst at {worst}: "
          f"{actual[worst]!r} vs {expected[worst]!r} "
          f"(rtol {args.rtol}, atol {args.atol})")
    if not np.all(error <= allowed):
        print(f"FAIL: {(error > allowed).sum()} values out of tolerance")
        return 1
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
