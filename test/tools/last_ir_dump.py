#!/usr/bin/env python3
"""Prints the last module of an --mlir-print-ir-after-all log (stdin): the
IR as the pipeline left it, without the dump's header and trailing blank
lines."""
import sys

HEADER = "// -----// IR Dump After"

text = sys.stdin.read()
if HEADER not in text:
    sys.exit("no IR dump in the input")
last = text[text.rindex(HEADER):].split("\n", 1)[1]
# Ended as quern-opt ends a module: a blank line after it.
print(last.rstrip() + "\n")
