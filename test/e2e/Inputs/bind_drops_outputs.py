#!/usr/bin/env python3
"""Calls a compiled model through CompiledModel.bind() while dropping the
outputs it returns, as a caller does with `call, _ = model.bind(...)`.

The compiled code writes through pointers into the output arrays, so bind()
must keep them alive with `call`: otherwise every later call writes into
freed memory. The result is read back from the arrays bind() keeps and
compared with the reference after many allocations have had the chance to
reuse whatever memory was freed.
"""
import argparse
import gc
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "..",
                                "scripts"))
from compiled_model import CompiledModel  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("stem", help="the compiled model, without .so")
    parser.add_argument("x", help="input batch, raw float32")
    parser.add_argument("y", help="expected output, raw float32")
    args = parser.parse_args()
    model = CompiledModel(args.stem)
    spec = model.manifest["entry_points"]["forward"]
    x = np.fromfile(args.x, dtype=np.float32).reshape(spec["inputs"][0]["shape"])
    expected = np.fromfile(args.y, dtype=np.float32).reshape(
        spec["outputs"][0]["shape"])
    call, _ = model.bind("forward", [x])
    del _
    gc.collect()
    for _ in range(200):
        # Allocations of the outputs' size land in freed memory, if any.
        litter = [np.full(expected.shape, np.nan, np.float32) for _ in range(4)]
        call()
        del litter
    kept = call.outputs[0]
    if not np.allclose(kept, expected, rtol=1e-5, atol=1e-6):
        print("FAIL: the kept output differs from the reference")
        return 1
    print("200 calls with dropped outputs: output matches the reference")
    return 0


if __name__ == "__main__":
    sys.exit(main())
