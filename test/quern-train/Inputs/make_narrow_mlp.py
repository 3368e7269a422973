#!/usr/bin/env python3
"""Writes a variant of the mlp_ce test model whose inputs are narrow types,
for the int32_data encoding of .pb data.

    make_narrow_mlp.py MLP_CE.onnx OUT.onnx

The variant takes x f16[8, 16] and labels u8[8] and casts them to the f32
and i64 of the original first, so it trains like mlp_ce on the same
numbers (x rounded to f16).
"""
import argparse

import onnx
from onnx import TensorProto, helper


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("model")
    parser.add_argument("out")
    args = parser.parse_args()

    model = onnx.load(args.model)
    graph = model.graph
    narrow = {"x": TensorProto.FLOAT16, "labels": TensorProto.UINT8}
    wide = {"x": TensorProto.FLOAT, "labels": TensorProto.INT64}
    for value in graph.input:
        value.type.tensor_type.elem_type = narrow[value.name]
    for node in graph.node:
        for i, name in enumerate(node.input):
            if name in narrow:
                node.input[i] = name + "_wide"
    casts = [helper.make_node("Cast", [name], [name + "_wide"], to=wide[name],
                              name="widen_" + name) for name in narrow]
    nodes = casts + list(graph.node)
    del graph.node[:]
    graph.node.extend(nodes)
    onnx.checker.check_model(model)
    onnx.save(model, args.out)


if __name__ == "__main__":
    main()
