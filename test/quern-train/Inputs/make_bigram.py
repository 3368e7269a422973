#!/usr/bin/env python3
"""Writes a byte-level bigram language model as ONNX, for quern-train tests.

    make_bigram.py OUT.onnx [--vocab V] [--batch B] [--length T] [--logits]

The model is the smallest thing --text can train: logits = table[tokens]
(f32[B, T, V]), loss = mean cross-entropy against targets. It compiles in a
second, where the GPT-2 test model takes a minute, and it learns a
deterministic text exactly, which makes greedy sampling checkable. With
--logits the logits are a second graph output, which --sample needs.
"""
import argparse

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out")
    parser.add_argument("--vocab", type=int, default=256)
    parser.add_argument("--batch", type=int, default=4)
    parser.add_argument("--length", type=int, default=8)
    parser.add_argument("--logits", action="store_true")
    args = parser.parse_args()
    b, t, v = args.batch, args.length, args.vocab

    table = np.random.default_rng(0).normal(0, 0.1, (v, v)).astype(np.float32)
    nodes = [
        helper.make_node("Gather", ["table", "tokens"], ["logits"], axis=0,
                         name="lookup"),
        helper.make_node("Reshape", ["logits", "flat_logits_shape"],
                         ["flat_logits"], name="flatten_logits"),
        helper.make_node("Reshape", ["targets", "flat_targets_shape"],
                         ["flat_targets"], name="flatten_targets"),
        helper.make_node("SoftmaxCrossEntropyLoss",
                         ["flat_logits", "flat_targets"], ["loss"],
                         reduction="mean", name="cross_entropy"),
    ]
    outputs = [helper.make_tensor_value_info("loss", TensorProto.FLOAT, [])]
    if args.logits:
        outputs.append(helper.make_tensor_value_info(
            "logits", TensorProto.FLOAT, [b, t, v]))
    graph = helper.make_graph(
        nodes, "bigram",
        [helper.make_tensor_value_info("tokens", TensorProto.INT64, [b, t]),
         helper.make_tensor_value_info("targets", TensorProto.INT64, [b, t])],
        outputs,
        initializer=[
            numpy_helper.from_array(table, "table"),
            numpy_helper.from_array(np.array([b * t, v], np.int64),
                                    "flat_logits_shape"),
            numpy_helper.from_array(np.array([b * t], np.int64),
                                    "flat_targets_shape"),
        ])
    model = helper.make_model(graph,
                              opset_imports=[helper.make_opsetid("", 17)])
    onnx.checker.check_model(model)
    onnx.save(model, args.out)


if __name__ == "__main__":
    main()
