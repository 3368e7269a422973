#!/usr/bin/env python3
"""Writes training data for the mlp_ce test model (x f32[8, 16],
labels i64[8]) into DIR, as .npy or ONNX TensorProto .pb files, with one
deliberate fault.

    make_npy.py DIR [--fault none|shape|dtype|batches|fortran|big-endian|
                             both|truncated|huge|label-high|label-low|
                             label-ignore]
        [--batches K] [--format npy|pb] [--typed] [--narrow]

none:       DIR/x.npy f32[8K, 16], DIR/labels.npy i64[8K] (a learnable rule:
            the label is the index of the largest of the first ten features)
shape:      x is f32[8K, 15]
dtype:      labels is i32
batches:    labels holds one batch fewer than x
fortran:    x.npy is saved in Fortran order
big-endian: x.npy is saved as >f4
both:       x is written both as x.npy and as x.pb
truncated:  x.npy (or x.pb) stops halfway through
huge:       x.npy's header claims 2^40 rows (the data is as for none)
label-high: labels[19] is 10^12 (the model has 10 classes)
label-low:  labels[3] is -10^12
label-ignore: labels[5] is -100, the loss's ignore_index (not a fault)

--format pb writes DIR/x.pb and DIR/labels.pb as
numpy_helper.from_array(arr).SerializeToString() does, the values in
raw_data; with --typed the values are in the field the ONNX rules give the
data type instead (float_data, int64_data, int32_data for the narrow types).
--narrow writes x as f16 and labels as u8 (make_narrow_mlp.py's model).
"""
import argparse
import os

import numpy as np
from onnx import helper, mapping, numpy_helper


def make_arrays(batches):
    """x f32[8 * batches, 16] and labels i64[8 * batches]."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(8 * batches, 16)).astype(np.float32)
    return x, np.argmax(x[:, :10], axis=1).astype(np.int64)


def to_tensor_proto(array, typed):
    if not typed:
        return numpy_helper.from_array(array)
    if hasattr(helper, "np_dtype_to_tensor_dtype"):
        data_type = helper.np_dtype_to_tensor_dtype(array.dtype)
    else:  # onnx < 1.13
        data_type = mapping.NP_TYPE_TO_TENSOR_TYPE[array.dtype]
    # make_tensor turns FLOAT16 values into the bit patterns int32_data holds.
    return helper.make_tensor("", data_type, array.shape, array.flatten(),
                              raw=False)


def save(path_without_extension, array, file_format, typed):
    if file_format == "npy":
        np.save(path_without_extension + ".npy", array)
        return
    with open(path_without_extension + ".pb", "wb") as f:
        f.write(to_tensor_proto(array, typed).SerializeToString())


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("dir")
    parser.add_argument("--fault", default="none",
                        choices=["none", "shape", "dtype", "batches",
                                 "fortran", "big-endian", "both",
                                 "truncated", "huge", "label-high",
                                 "label-low", "label-ignore"])
    parser.add_argument("--batches", type=int, default=4)
    parser.add_argument("--format", default="npy", choices=["npy", "pb"])
    parser.add_argument("--typed", action="store_true")
    parser.add_argument("--narrow", action="store_true")
    args = parser.parse_args()

    x, labels = make_arrays(args.batches)
    if args.narrow:
        x = x.astype(np.float16)
        labels = labels.astype(np.uint8)
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
    elif args.fault == "label-high":
        labels[19] = 10**12 if labels.dtype == np.int64 else 200
    elif args.fault == "label-low":
        labels[3] = -10**12
    elif args.fault == "label-ignore":
        labels[5] = -100
    os.makedirs(args.dir, exist_ok=True)
    base = os.path.join(args.dir, "")
    save(base + "x", x, args.format, args.typed)
    save(base + "labels", labels, args.format, args.typed)
    if args.fault == "both":
        other = "pb" if args.format == "npy" else "npy"
        save(base + "x", x, other, args.typed)
    elif args.fault == "truncated":
        path = f"{base}x.{args.format}"
        with open(path, "rb") as f:
            blob = f.read()
        with open(path, "wb") as f:
            f.write(blob[:len(blob) // 2])
    elif args.fault == "huge":
        with open(base + "x.npy", "rb") as f:
            blob = f.read()
        old = f"({x.shape[0]}, {x.shape[1]})".encode()
        new = f"({1 << 40}, {x.shape[1]})".encode()
        # Keep the header's length: take the growth out of its padding.
        blob = blob.replace(old, new).replace(b" " * (len(new) - len(old)) + b"\n",
                                              b"\n", 1)
        with open(base + "x.npy", "wb") as f:
            f.write(blob)


if __name__ == "__main__":
    main()
