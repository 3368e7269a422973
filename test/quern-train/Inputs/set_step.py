#!/usr/bin/env python3
"""Copies a state file (safetensors) with its step counter set to STEP:
the state a stranger could hand quern-train.

    set_step.py IN.safetensors OUT.safetensors STEP
"""
import json
import struct
import sys

import numpy as np


def main():
    source, target, step = sys.argv[1], sys.argv[2], int(sys.argv[3])
    with open(source, "rb") as f:
        blob = bytearray(f.read())
    (size,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8:8 + size])
    begin, end = header["step"]["data_offsets"]
    base = 8 + size
    blob[base + begin:base + end] = np.array(step, dtype=np.int64).tobytes()
    with open(target, "wb") as f:
        f.write(blob)


if __name__ == "__main__":
    main()
