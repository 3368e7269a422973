#!/usr/bin/env python3
"""Writes OUT.npy with a valid magic and version but a header that does not
parse (a dictionary cut short), ending in the newline every header ends in.

    bad_npy_header.py OUT.npy
"""
import struct
import sys

header = b"{'descr': '<f4', 'fortran_order': False, 'sha\n"
with open(sys.argv[1], "wb") as f:
    f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header)
