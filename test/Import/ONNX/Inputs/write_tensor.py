#!/usr/bin/env python3
"""Writes one ONNX TensorProto file, for --input-value tests.

    write_tensor.py OUT.pb TYPE VALUE... [--shape DIM...]

TYPE is a numpy type name (int64, float32, ...); the values form a 1-D
tensor unless --shape gives other dimensions.
"""
import argparse
import sys

import numpy as np
from onnx import numpy_helper


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("output")
    parser.add_argument("type")
    parser.add_argument("values", nargs="+")
    parser.add_argument("--shape", type=int, nargs="*")
    args = parser.parse_args()
    array = np.array([float(v) for v in args.values]).astype(args.type)
    if args.shape is not None:
        array = array.reshape(args.shape)
    with open(args.output, "wb") as f:
        f.write(numpy_helper.from_array(array).SerializeToString())


if __name__ == "__main__":
    sys.exit(main())
