#!/usr/bin/env python3
"""Writes a binary ONNX model from a test file in ONNX's text syntax.

Lines starting with '#' (lit's RUN and CHECK lines) are dropped; the rest is
parsed with onnx.parser and checked with onnx.checker unless --no-check is
given (tests of the importer's own error paths need invalid models) or the
model is newer than opset 17, which onnx 1.12's checker does not know
(quernc checks those itself).
"""
import argparse
import sys

import onnx
import onnx.checker
import onnx.parser


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("source")
    parser.add_argument("output")
    parser.add_argument("--no-check", action="store_true")
    args = parser.parse_args()
    with open(args.source) as f:
        text = "".join(line for line in f if not line.lstrip().startswith("#"))
    model = onnx.parser.parse_model(text)
    opset = max((o.version for o in model.opset_import
                 if o.domain in ("", "ai.onnx")), default=0)
    if not args.no_check and opset <= 17:
        onnx.checker.check_model(model)
    onnx.save(model, args.output)


if __name__ == "__main__":
    sys.exit(main())
