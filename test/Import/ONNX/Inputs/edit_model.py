#!/usr/bin/env python3
"""Edits what ONNX's text syntax cannot express in a written model.

The text syntax cannot name nodes and only allows plain identifiers as value
names, so tests of node names (locations, diagnostics), of names such as
`input.1`, and of one model at several opsets write the model from text
first, then run this:

    edit_model.py IN.onnx OUT.onnx [--nodes NAME...] [--value OLD=NEW]...
                  [--opset VERSION]

--nodes names the nodes in graph order, one name per node ("" leaves one
unnamed). --value renames a value everywhere it appears (graph inputs and
outputs, initializers, node inputs and outputs). --opset sets the version of
the default domain. The model is saved without being checked again, so that
error tests can edit models ONNX's checker would reject.
"""
import argparse
import sys

import onnx


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("input")
    parser.add_argument("output")
    parser.add_argument("--nodes", nargs="+", default=[])
    parser.add_argument("--value", action="append", default=[])
    parser.add_argument("--opset", type=int)
    args = parser.parse_args()
    model = onnx.load(args.input)
    graph = model.graph

    if args.nodes:
        if len(args.nodes) != len(graph.node):
            sys.exit(f"{len(args.nodes)} names for {len(graph.node)} nodes")
        for node, name in zip(graph.node, args.nodes):
            node.name = name

    renames = dict(spec.split("=", 1) for spec in args.value)

    def rename(name):
        return renames.get(name, name)

    for info in [*graph.input, *graph.output, *graph.value_info]:
        info.name = rename(info.name)
    for tensor in graph.initializer:
        tensor.name = rename(tensor.name)
    for node in graph.node:
        node.input[:] = [rename(name) for name in node.input]
        node.output[:] = [rename(name) for name in node.output]
    if args.opset is not None:
        for opset in model.opset_import:
            if opset.domain in ("", "ai.onnx"):
                opset.version = args.opset
    onnx.save(model, args.output)


if __name__ == "__main__":
    sys.exit(main())
