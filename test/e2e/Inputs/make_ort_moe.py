#!/usr/bin/env python3
"""Writes ONNX models with ONNX Runtime's com.microsoft.MoE op, in the
layout of an ONNX backend test (OUT/<case>/model.onnx and
test_data_set_0/{input,output}_N.pb), for test/conformance/harness.py and
train_check.py --against-dense.

Each model is `output = MoE(x, router, fc1, ...)` and `loss = mean((output -
target)^2)`, the experts' weights and biases initializers (parameters to
train). The expected outputs are computed here in float64 from the op's
definition, as ONNX Runtime's kernels compute it:

    probabilities = softmax(router_probs) over the experts
    the k largest (ties: the lower expert first); their probabilities,
      divided by their sum with normalize_routing_weights = 1
    output[n] = sum over the k experts e of weight * fc2_e(act(fc1_e(x[n])))
      fc_e(v) = v @ W[e]^T + b[e]  (weights [experts, out, in], as Linear)
      act: relu, gelu (erf), silu, identity (times fc3 when it is given,
        as Mixtral's experts), or swiglu on g and l:
        g = min(g, limit), l = clip(l, -limit, limit) when swiglu_limit is
        given; swiglu = g * sigmoid(alpha * g) * (l + beta) (activation_alpha
        1, activation_beta 0 by default); g and l are fc1 and fc3
        (swiglu_fusion 0), fc1's outputs interleaved (1: g even, l odd) or
        concatenated (2: g first)

    make_ort_moe.py OUT
"""
import argparse
import math
import os
import sys

import numpy as np
from onnx import TensorProto, helper, numpy_helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_op_tests import value_info, write_test  # noqa: E402

OPSET = 17


def softmax(x):
    e = np.exp(x - x.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def activation(kind, h, fc3, fusion, limit, alpha, beta):
    if kind != "swiglu" and fc3 is not None:
        # Mixtral's experts: act(fc1) * fc3.
        return activation(kind, h, None, fusion, limit, alpha, beta) * fc3
    if kind == "relu":
        return np.maximum(h, 0)
    if kind == "gelu":
        return 0.5 * h * (1 + np.vectorize(math.erf)(h / math.sqrt(2)))
    if kind == "silu":
        return h / (1 + np.exp(-h))
    if kind == "identity":
        return h
    assert kind == "swiglu"
    if fusion == 0:
        g, l = h, fc3
    elif fusion == 1:
        g, l = h[0::2], h[1::2]
    else:
        g, l = np.split(h, 2)
    if limit is not None:
        g = np.minimum(g, limit)
        l = np.clip(l, -limit, limit)
    return g / (1 + np.exp(-alpha * g)) * (l + beta)


def reference(x, router, w, attrs):
    """The op's output, float64."""
    flat = x.reshape(-1, x.shape[-1]).astype(np.float64)
    probs = softmax(router.astype(np.float64))
    k = attrs["k"]
    order = np.argsort(-probs, axis=1, kind="stable")[:, :k]
    weights = np.take_along_axis(probs, order, axis=1)
    if attrs.get("normalize_routing_weights", 0):
        weights = weights / weights.sum(axis=1, keepdims=True)
    out = np.zeros_like(flat)

    def fc(name, e, v):
        r = v @ w[name][e].astype(np.float64).T
        return r + w[name + "_bias"][e] if name + "_bias" in w else r
    for n in range(flat.shape[0]):
        for s in range(k):
            e = order[n, s]
            fc3 = fc("fc3", e, flat[n]) if "fc3" in w else None
            a = activation(attrs.get("activation_type", "relu"),
                           fc("fc1", e, flat[n]), fc3,
                           attrs.get("swiglu_fusion", 0),
                           attrs.get("swiglu_limit"),
                           attrs.get("activation_alpha", 1.0),
                           attrs.get("activation_beta", 0.0))
            out[n] += weights[n, s] * fc("fc2", e, a)
    return out.reshape(x.shape)


def case(out, name, shape, experts, inter, attrs, biases=True, fc3=False,
         seed=0):
    rng = np.random.default_rng(seed)
    hidden = shape[-1]
    tokens = int(np.prod(shape[:-1]))
    x = rng.standard_normal(shape).astype(np.float32)
    router = rng.standard_normal((tokens, experts)).astype(np.float32)
    target = rng.standard_normal(shape).astype(np.float32)
    fused = attrs.get("activation_type") == "swiglu" and attrs.get(
        "swiglu_fusion", 0) != 0
    fc1_out = 2 * inter if fused else inter
    w = {"fc1": rng.standard_normal((experts, fc1_out, hidden)) / hidden ** 0.5,
         "fc2": rng.standard_normal((experts, hidden, inter)) / inter ** 0.5}
    if biases:
        w["fc1_bias"] = 0.1 * rng.standard_normal((experts, fc1_out))
        w["fc2_bias"] = 0.1 * rng.standard_normal((experts, hidden))
    if fc3:
        w["fc3"] = rng.standard_normal((experts, inter, hidden)) / hidden ** 0.5
        if biases:
            w["fc3_bias"] = 0.1 * rng.standard_normal((experts, inter))
    w = {k: v.astype(np.float32) for k, v in w.items()}
    output = reference(x, router, w, attrs).astype(np.float32)
    loss = np.asarray(np.mean((output.astype(np.float64) - target) ** 2),
                      dtype=np.float32)
    inputs = ["x", "router"] + [
        n if n in w else "" for n in
        ("fc1", "fc1_bias", "fc2", "fc2_bias", "fc3", "fc3_bias")]
    while inputs[-1] == "":
        inputs.pop()
    nodes = [
        helper.make_node("MoE", inputs, ["output"], "moe", domain="com.microsoft",
                         **attrs),
        helper.make_node("Sub", ["output", "target"], ["diff"], "sub"),
        helper.make_node("Mul", ["diff", "diff"], ["square"], "square"),
        helper.make_node("ReduceMean", ["square"], ["loss"], "mean", keepdims=0),
    ]
    graph = helper.make_graph(
        nodes, name,
        [value_info("x", x), value_info("router", router),
         value_info("target", target)],
        [value_info("output", output), value_info("loss", loss)],
        [numpy_helper.from_array(v, n) for n, v in w.items()])
    model = helper.make_model(graph, producer_name="quern-e2e", opset_imports=[
        helper.make_opsetid("", OPSET), helper.make_opsetid("com.microsoft", 1)])
    write_test(out, name, model,
               [("x", x), ("router", router), ("target", target)],
               [("output", output), ("loss", loss)])


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("out")
    out = parser.parse_args().out
    case(out, "moe_relu", (32, 8), 4, 16, {"k": 2}, seed=1)
    case(out, "moe_gelu_normalized", (32, 8), 4, 16,
         {"k": 2, "activation_type": "gelu", "normalize_routing_weights": 1},
         biases=False, seed=2)
    case(out, "moe_silu_3d", (2, 16, 8), 6, 12,
         {"k": 3, "activation_type": "silu"}, seed=3)
    case(out, "moe_identity_top1", (32, 8), 4, 8,
         {"k": 1, "activation_type": "identity"}, seed=4)
    case(out, "moe_silu_fc3", (32, 8), 4, 16,
         {"k": 2, "activation_type": "silu", "normalize_routing_weights": 1},
         fc3=True, seed=8)
    case(out, "moe_swiglu_fc3", (32, 8), 4, 16,
         {"k": 2, "activation_type": "swiglu", "normalize_routing_weights": 1,
          "swiglu_limit": 1.5, "activation_alpha": 1.702,
          "activation_beta": 1.0}, fc3=True, seed=5)
    case(out, "moe_swiglu_interleaved", (32, 8), 4, 16,
         {"k": 2, "activation_type": "swiglu", "swiglu_fusion": 1}, seed=6)
    case(out, "moe_swiglu_concatenated", (32, 8), 4, 16,
         {"k": 2, "activation_type": "swiglu", "swiglu_fusion": 2},
         biases=False, seed=7)
    return 0


if __name__ == "__main__":
    sys.exit(main())
