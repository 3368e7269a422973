#!/usr/bin/env python3
"""Writes DIR/x.pb for the mlp_ce test model in an unusual encoding, written
byte by byte, where onnx's own writer would not produce it.

    make_pb_cases.py DIR CASE

Readable cases (with DIR/labels.pb, the same arrays as make_npy.py):
reordered:     raw_data first, packed dims, a name, a doc_string and unknown
               fields of every wire type, a group with a group inside among
               them
unpacked:      float_data with a tag per value

Broken cases (x.pb alone, since reading stops at the first input):
external, string, complex, segment, count, raw-size, range, misplaced,
wire-type, long-varint, end-group, empty, unknown-type, negative-dim
"""
import argparse
import os
import struct

import numpy as np
from onnx import TensorProto, numpy_helper

from make_npy import make_arrays

VARINT, FIXED64, LENGTH_DELIMITED, START_GROUP, END_GROUP, FIXED32 = range(6)
DIMS, DATA_TYPE, SEGMENT, FLOAT_DATA, INT32_DATA, STRING_DATA = 1, 2, 3, 4, 5, 6
INT64_DATA, NAME, RAW_DATA, DOC_STRING, EXTERNAL_DATA = 7, 8, 9, 12, 13
DATA_LOCATION = 14


def varint(value):
    value &= (1 << 64) - 1
    out = bytearray()
    while value > 0x7F:
        out.append(value & 0x7F | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def tag(field, wire_type):
    return varint(field << 3 | wire_type)


def number(field, value):
    return tag(field, VARINT) + varint(value)


def length_delimited(field, payload):
    return tag(field, LENGTH_DELIMITED) + varint(len(payload)) + payload


def dims(shape):
    """Unpacked, as onnx writes them."""
    return b"".join(number(DIMS, d) for d in shape)


def float_data(values):
    return length_delimited(FLOAT_DATA,
                            np.asarray(values, "<f4").tobytes())


def readable(case, x):
    if case == "reordered":
        group = (tag(40, START_GROUP) + number(1, 7) + tag(2, START_GROUP) +
                 tag(2, END_GROUP) + tag(40, END_GROUP))
        return (length_delimited(RAW_DATA, x.astype("<f4").tobytes()) +
                tag(30, FIXED64) + struct.pack("<d", 1.5) +
                length_delimited(NAME, b"x") + group +
                number(DATA_TYPE, TensorProto.FLOAT) +
                tag(31, FIXED32) + struct.pack("<f", 2.5) +
                length_delimited(DIMS, b"".join(map(varint, x.shape))) +
                number(32, 1 << 40) +
                length_delimited(DOC_STRING, b"made by make_pb_cases.py") +
                length_delimited(33, b"\x08\x01"))
    if case == "unpacked":
        values = b"".join(tag(FLOAT_DATA, FIXED32) + struct.pack("<f", v)
                          for v in x.flatten())
        return number(DATA_TYPE, TensorProto.FLOAT) + dims(x.shape) + values
    return None


def broken(case):
    header = number(DATA_TYPE, TensorProto.FLOAT) + dims([32, 16])
    raw = length_delimited(RAW_DATA, bytes(32 * 16 * 4))
    location = (length_delimited(1, b"location") +
                length_delimited(2, b"x.bin"))
    return {
        "external": header + length_delimited(EXTERNAL_DATA, location) +
        number(DATA_LOCATION, 1),
        "string": number(DATA_TYPE, TensorProto.STRING) + dims([1]) +
        length_delimited(STRING_DATA, b"text"),
        "complex": number(DATA_TYPE, TensorProto.COMPLEX64) + dims([1]) +
        float_data([1, 2]),
        "segment": header + length_delimited(SEGMENT, number(1, 0)) + raw,
        "count": header + float_data(np.zeros(32 * 16 - 1)),
        "raw-size": header + length_delimited(RAW_DATA, bytes(32 * 16 * 4 - 1)),
        "range": number(DATA_TYPE, TensorProto.UINT8) + dims([2]) +
        length_delimited(INT32_DATA, varint(1) + varint(300)),
        "misplaced": header + length_delimited(INT64_DATA, varint(1)),
        "wire-type": length_delimited(DATA_TYPE, b"\x01") + raw,
        "long-varint": header + tag(30, VARINT) + b"\xff" * 10 + b"\x01",
        "end-group": header + tag(30, END_GROUP),
        "empty": b"",
        "unknown-type": number(DATA_TYPE, 99) + dims([1]),
        "negative-dim": number(DATA_TYPE, TensorProto.FLOAT) + dims([-1, 16]),
    }[case]


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("dir")
    parser.add_argument("case")
    args = parser.parse_args()

    x, labels = make_arrays(4)
    os.makedirs(args.dir, exist_ok=True)
    blob = readable(args.case, x)
    if blob is None:
        blob = broken(args.case)
    else:
        with open(os.path.join(args.dir, "labels.pb"), "wb") as f:
            f.write(numpy_helper.from_array(labels).SerializeToString())
    with open(os.path.join(args.dir, "x.pb"), "wb") as f:
        f.write(blob)


if __name__ == "__main__":
    main()
