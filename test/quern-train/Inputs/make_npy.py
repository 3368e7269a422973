#!/usr/bin/env python3
"""Writes .npy training data for the mlp_ce test model (x f32[8, 16],
labels i64[8]) into DIR, with one deliberate fault.

    make_npy.py DIR [--fault none|shape|dtype|batches|fortran|big-endian]
        [--batches K]

none:       DIR/x.npy f32[8K, 16], DIR/labels.npy i64[8K] (a learnable rule:
            the label is the index of the largest of the first ten features)
shape:      x.npy is f32[8K, 15]
dtype:      labels.npy is i32
batches:    labels.npy holds one batch fewer than x.npy
fortran:    x.npy is saved in Fortran order
big-endian: x.npy is saved as >f4
"""
import argparse
import os

import numpy as np


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("dir")
    parser.add_argument("--fault", default="none",
                        choices=["none", "shape", "dtype", "batches",
                                 "fortran", "big-endian"])
    parser.add_argument("--batches", type=int, default=4)
    args = parser.parse_args()

    rng = np.random.default_rng(0)
    n = 8 * args.batches
    x = rng.normal(size=(n, 16)).astype(np.float32)
    labels = np.argmax(x[:, :10], axis=1).astype(np.int64)
    if args.fault == "shape":
        x = x[:, :15]
    elif args.fault == "dtype":
        labels = labels.astype(np.int32)
    elif args.fault == "batches":
        labels = labels[:-8]
    elif args.fault == "fortran":
        x = np.asfortranarray(x)
    elif args.fault == "big-endian":
        x = x.astype(">f4")
    os.makedirs(args.dir, exist_ok=True)
    np.save(os.path.join(args.dir, "x.npy"), x)
    np.save(os.path.join(args.dir, "labels.npy"), labels)


if __name__ == "__main__":
    main()
