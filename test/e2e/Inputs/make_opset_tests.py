#!/usr/bin/env python3
"""Writes small ONNX models of opsets 18 to 23, one per case, in the layout
of an ONNX backend test (OUT/<case>/model.onnx and test_data_set_0), for
test/conformance/harness.py to compile, run and compare.

Each case exercises what changed after opset 17 (axes as inputs, Split's
num_outputs, Pad's axes and wrap mode, scatter max/min, Cast's saturate,
block-wise DequantizeLinear) or an op new since (GroupNormalization, Gelu,
RMSNormalization, RotaryEmbedding, Attention). The expected outputs are
computed here in numpy (float64) from the ops' definitions in ONNX's
Operators.md, as corrected up to ONNX 1.22 for Attention: 3-D inputs split
into heads, grouped key/value heads repeated head by head, the causal mask
aligned to the bottom right, softcap before the mask.

    make_opset_tests.py OUT
"""
import math
import os
import sys

import numpy as np
from onnx import TensorProto, helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_op_tests import constant, main, write_case  # noqa: E402


def f32(array):
    return np.asarray(array, dtype=np.float32)


#===----------------------------------------------------------------------===#
# Reductions with axes as an input (18)
#===----------------------------------------------------------------------===#

def reduction_cases(out):
    rng = np.random.default_rng(18)
    x = f32(rng.standard_normal((2, 3, 4)) + 0.5)
    x64 = x.astype(np.float64)
    nodes = [constant("axes", np.array([-1, 1], np.int64)),
             constant("axis0", np.array([0], np.int64)),
             helper.make_node("ReduceMean", ["x", "axes"], ["mean"],
                              keepdims=0),
             helper.make_node("ReduceMax", ["x", "axis0"], ["max"]),
             helper.make_node("ReduceMin", ["x"], ["min"], keepdims=0),
             helper.make_node("ReduceMean", ["x"], ["noop"],
                              noop_with_empty_axes=1),
             helper.make_node("ReduceL1", ["x", "axes"], ["l1"], keepdims=0),
             helper.make_node("ReduceL2", ["x", "axis0"], ["l2"]),
             helper.make_node("Abs", ["x"], ["abs"]),
             helper.make_node("ReduceLogSum", ["abs", "axes"], ["log_sum"],
                              keepdims=0),
             helper.make_node("ReduceLogSumExp", ["x", "axes"],
                              ["log_sum_exp"], keepdims=0),
             helper.make_node("ReduceSumSquare", ["x", "axis0"],
                              ["sum_square"], keepdims=0)]
    expected = [
        ("mean", x64.mean(axis=(1, 2))),
        ("max", x64.max(axis=0, keepdims=True)),
        ("min", np.array(x64.min())),
        ("noop", x64),
        ("l1", np.abs(x64).sum(axis=(1, 2))),
        ("l2", np.sqrt((x64 ** 2).sum(axis=0, keepdims=True))),
        ("log_sum", np.log(np.abs(x64).sum(axis=(1, 2)))),
        ("log_sum_exp", np.log(np.exp(x64).sum(axis=(1, 2)))),
        ("sum_square", (x64 ** 2).sum(axis=0)),
    ]
    write_case(out, "reductions_18", nodes, [("x", x)],
               [(n, f32(v)) for n, v in expected], opset=18)
    # The same five sums at opset 13, axes as an attribute.
    nodes13 = [
        helper.make_node("ReduceL1", ["x"], ["l1"], axes=[-1, 1], keepdims=0),
        helper.make_node("ReduceL2", ["x"], ["l2"], axes=[0]),
        helper.make_node("Abs", ["x"], ["abs"]),
        helper.make_node("ReduceLogSum", ["abs"], ["log_sum"], axes=[-1, 1],
                         keepdims=0),
        helper.make_node("ReduceLogSumExp", ["x"], ["log_sum_exp"],
                         axes=[-1, 1], keepdims=0),
        helper.make_node("ReduceSumSquare", ["x"], ["sum_square"], axes=[0],
                         keepdims=0)]
    write_case(out, "reductions_13", nodes13, [("x", x)],
               [(n, f32(v)) for n, v in expected[4:]], opset=13)
    # Large values: LogSumExp is shifted by the maximum and does not
    # overflow.
    big = f32([[100.0, 101.0, 99.0], [-50.0, 80.0, 80.0]])
    b64 = big.astype(np.float64)
    m = b64.max(axis=1, keepdims=True)
    write_case(out, "reduce_log_sum_exp_large",
               [constant("axes", np.array([1], np.int64)),
                helper.make_node("ReduceLogSumExp", ["x", "axes"], ["y"])],
               [("x", big)],
               [("y", f32(m + np.log(np.exp(b64 - m).sum(axis=1,
                                                       keepdims=True))))],
               opset=18)


#===----------------------------------------------------------------------===#
# Split (18), Pad (18, 19), scatter max/min (18), Cast (19)
#===----------------------------------------------------------------------===#

def split_cases(out):
    x = f32(np.arange(2 * 7).reshape(2, 7))
    write_case(out, "split_num_outputs",
               [helper.make_node("Split", ["x"], ["a", "b", "c"], axis=1,
                                 num_outputs=3)],
               [("x", x)],
               [("a", x[:, 0:3]), ("b", x[:, 3:6]), ("c", x[:, 6:7])],
               opset=18)


def pad_cases(out):
    x = f32([[1.0, 1.2], [2.3, 3.4], [4.5, 5.7]])
    # ONNX's example of wrap: pads [2, 1, 1, 1].
    write_case(out, "pad_wrap",
               [constant("pads", np.array([2, 1, 1, 1], np.int64)),
                helper.make_node("Pad", ["x", "pads"], ["y"], mode="wrap")],
               [("x", x)],
               [("y", np.pad(x, ((2, 1), (1, 1)), mode="wrap"))], opset=19)
    for mode in ("reflect", "edge"):
        write_case(out, f"pad_{mode}",
                   [constant("pads", np.array([1, 1, 2, 0], np.int64)),
                    helper.make_node("Pad", ["x", "pads"], ["y"], mode=mode)],
                   [("x", x)],
                   [("y", np.pad(x, ((1, 2), (1, 0)), mode=mode))],
                   opset=18)
    # Constant mode on the last axis only (axes = [-1]), a runtime value,
    # and a crop (negative pad) before.
    data = f32(np.arange(24).reshape(2, 3, 4))
    value = f32(7.5)
    expected = np.pad(data[:, :, 1:], ((0, 0), (0, 0), (0, 2)),
                      constant_values=7.5)
    write_case(out, "pad_constant_axes",
               [constant("pads", np.array([-1, 2], np.int64)),
                constant("axes", np.array([-1], np.int64)),
                helper.make_node("Pad", ["x", "pads", "value", "axes"],
                                 ["y"])],
               [("x", data), ("value", value)], [("y", expected)], opset=21)


def scatter_cases(out):
    data = f32(np.arange(12).reshape(3, 4)) / 2
    indices = np.array([[1, 1, 0, 3], [2, 0, 0, 1]], np.int64)
    updates = f32([[9.0, -1.0, 0.25, 3.0], [0.5, 8.0, -2.0, 1.5]])
    for reduction, combine in (("max", np.maximum), ("min", np.minimum)):
        expected = data.copy()
        for i in range(2):
            for j in range(4):
                k = indices[i, j]
                expected[i, k] = combine(expected[i, k], updates[i, j])
        write_case(out, f"scatter_elements_{reduction}_18",
                   [helper.make_node("ScatterElements",
                                     ["data", "indices", "updates"], ["y"],
                                     axis=1, reduction=reduction)],
                   [("data", data), ("indices", indices),
                    ("updates", updates)],
                   [("y", expected)], opset=18)
        nd_indices = np.array([[2], [0], [2]], np.int64)
        nd_updates = f32([[9.0, 0.0, 1.0, -3.0], [-1.0, 5.0, 0.5, 2.0],
                          [0.0, 10.0, -4.0, 6.0]])
        expected = data.copy()
        for row, update in zip(nd_indices[:, 0], nd_updates):
            expected[row] = combine(expected[row], update)
        write_case(out, f"scatter_nd_{reduction}_18",
                   [helper.make_node("ScatterND",
                                     ["data", "indices", "updates"], ["y"],
                                     reduction=reduction)],
                   [("data", data), ("indices", nd_indices),
                    ("updates", nd_updates)],
                   [("y", expected)], opset=18)


def cast_cases(out):
    x = f32([-2.7, 0.0, 3.9, 200.0])
    write_case(out, "cast_saturate_19",
               [helper.make_node("Cast", ["x"], ["y"], to=TensorProto.INT32,
                                 saturate=0),
                helper.make_node("CastLike", ["y", "x"], ["z"], saturate=1)],
               [("x", x)],
               [("y", x.astype(np.int32)),
                ("z", x.astype(np.int32).astype(np.float32))], opset=19)


#===----------------------------------------------------------------------===#
# New ops: GroupNormalization (18, 21), Gelu (20), DequantizeLinear (21),
# Sin and Cos
#===----------------------------------------------------------------------===#

def group_norm_reference(x, groups, scale, bias, epsilon):
    n, c = x.shape[:2]
    grouped = x.astype(np.float64).reshape(n, groups, -1)
    mean = grouped.mean(axis=2, keepdims=True)
    var = grouped.var(axis=2, keepdims=True)
    normalized = ((grouped - mean) / np.sqrt(var + epsilon)).reshape(x.shape)
    ones = (1,) * (x.ndim - 2)
    return scale.reshape(c, *ones) * normalized + bias.reshape(c, *ones)


def group_norm_cases(out):
    rng = np.random.default_rng(21)
    x = f32(rng.standard_normal((2, 6, 3, 2)) * 2 + 1)
    scale = f32(rng.standard_normal(6))
    bias = f32(rng.standard_normal(6))
    write_case(out, "group_norm_21",
               [helper.make_node("GroupNormalization", ["x", "scale", "bias"],
                                 ["y"], num_groups=3, epsilon=1e-3)],
               [("x", x), ("scale", scale), ("bias", bias)],
               [("y", f32(group_norm_reference(x, 3, scale, bias, 1e-3)))],
               opset=21)
    # 18: one scale and bias per group.
    group_scale, group_bias = scale[:2], bias[:2]
    write_case(out, "group_norm_18",
               [helper.make_node("GroupNormalization", ["x", "scale", "bias"],
                                 ["y"], num_groups=2)],
               [("x", x), ("scale", group_scale), ("bias", group_bias)],
               [("y", f32(group_norm_reference(x, 2, np.repeat(group_scale, 3),
                                               np.repeat(group_bias, 3),
                                               1e-5)))],
               opset=18)


def gelu_cases(out):
    x = f32(np.linspace(-4, 4, 17))
    x64 = x.astype(np.float64)
    erf = np.vectorize(math.erf)
    exact = 0.5 * x64 * (1 + erf(x64 / math.sqrt(2)))
    tanh = 0.5 * x64 * (1 + np.tanh(math.sqrt(2 / math.pi)
                                    * (x64 + 0.044715 * x64 ** 3)))
    write_case(out, "gelu_20",
               [helper.make_node("Gelu", ["x"], ["exact"]),
                helper.make_node("Gelu", ["x"], ["tanh"], approximate="tanh")],
               [("x", x)], [("exact", f32(exact)), ("tanh", f32(tanh))],
               opset=20)


def trigonometry_cases(out):
    x = f32(np.linspace(-7, 7, 29))
    write_case(out, "sin_cos_22",
               [helper.make_node("Sin", ["x"], ["sin"]),
                helper.make_node("Cos", ["x"], ["cos"])],
               [("x", x)],
               [("sin", f32(np.sin(x.astype(np.float64)))),
                ("cos", f32(np.cos(x.astype(np.float64))))], opset=22)


def dequantize_cases(out):
    rng = np.random.default_rng(23)
    # Blocks of 3 along axis 1 of a [2, 7] tensor: 3 blocks, the last one
    # partial.
    x = rng.integers(0, 256, (2, 7)).astype(np.uint8)
    scale = f32(rng.uniform(0.01, 0.1, (2, 3)))
    zero = rng.integers(100, 156, (2, 3)).astype(np.uint8)
    repeated = lambda a: np.repeat(a, 3, axis=1)[:, :7]  # noqa: E731
    y = (x.astype(np.float64) - repeated(zero)) * repeated(scale)
    write_case(out, "dequantize_blocked_21",
               [helper.make_node("DequantizeLinear", ["x", "scale", "zero"],
                                 ["y"], axis=1, block_size=3)],
               [("x", x), ("scale", scale), ("zero", zero)], [("y", f32(y))],
               opset=21)
    # Per axis 0 without a zero point, int8, at 19.
    q = rng.integers(-128, 128, (3, 4)).astype(np.int8)
    row_scale = f32([0.5, 0.25, 2.0])
    write_case(out, "dequantize_axis_19",
               [helper.make_node("DequantizeLinear", ["q", "scale"], ["y"],
                                 axis=0)],
               [("q", q), ("scale", row_scale)],
               [("y", f32(q.astype(np.float64) * row_scale[:, None]))],
               opset=19)


def quantize_cases(out):
    # Halves round to even (2.5 -> 2, 3.5 -> 4, -2.5 -> -2), values beyond
    # the code's range saturate; blocks of 2 along axis 1, the last partial.
    x = f32([[0.5, 1.5, 2.5, 3.5, -2.5], [100.0, -100.0, 0.26, 7.0, -0.74]])
    scale = f32([[1.0, 1.0, 1.0], [0.5, 0.25, 0.5]])
    zero = np.array([[10, 10, 10], [128, 128, 0]], np.uint8)
    repeated = lambda a: np.repeat(a, 2, axis=1)[:, :5]  # noqa: E731
    y = np.clip(np.rint(x / repeated(scale)) + repeated(zero), 0, 255)
    write_case(out, "quantize_blocked_21",
               [helper.make_node("QuantizeLinear", ["x", "scale", "zero"],
                                 ["y"], axis=1, block_size=2)],
               [("x", x), ("scale", scale), ("zero", zero)],
               [("y", y.astype(np.uint8))], opset=21)
    # Per axis 0, int8 zero points, at 19; and a round trip through
    # DequantizeLinear.
    row_scale = f32([0.1, 0.02])
    row_zero = np.array([-3, 5], np.int8)
    q = np.clip(np.rint(x / row_scale[:, None]) + row_zero[:, None], -128, 127)
    back = (q - row_zero[:, None]) * row_scale[:, None].astype(np.float64)
    write_case(out, "quantize_axis_19",
               [helper.make_node("QuantizeLinear", ["x", "scale", "zero"],
                                 ["q"], axis=0),
                helper.make_node("DequantizeLinear", ["q", "scale", "zero"],
                                 ["back"], axis=0)],
               [("x", x), ("scale", row_scale), ("zero", row_zero)],
               [("q", q.astype(np.int8)), ("back", f32(back))], opset=19)


#===----------------------------------------------------------------------===#
# Opset 23: RMSNormalization, RotaryEmbedding, Attention
#===----------------------------------------------------------------------===#

def rms_norm_cases(out):
    rng = np.random.default_rng(230)
    x = f32(rng.standard_normal((2, 3, 8)) * 3)
    scale = f32(rng.standard_normal(8))
    x64 = x.astype(np.float64)
    last = x64 / np.sqrt((x64 ** 2).mean(axis=-1, keepdims=True) + 1e-5)
    both = x64 / np.sqrt((x64 ** 2).mean(axis=(1, 2), keepdims=True) + 1e-2)
    scale2 = f32(rng.standard_normal((3, 8)))
    write_case(out, "rms_norm_23",
               [helper.make_node("RMSNormalization", ["x", "scale"], ["last"]),
                helper.make_node("RMSNormalization", ["x", "scale2"], ["both"],
                                 axis=1, epsilon=1e-2)],
               [("x", x), ("scale", scale), ("scale2", scale2)],
               [("last", f32(last * scale)), ("both", f32(both * scale2))],
               opset=23)


def rotary_reference(x, cos, sin, position_ids, interleaved, rotary_dim,
                     num_heads):
    """ONNX's definition: X as [B, S, H, D]; cos and sin [B, S, r/2]."""
    shape = x.shape
    if x.ndim == 4:
        x = x.transpose(0, 2, 1, 3)
    else:
        x = x.reshape(shape[0], shape[1], num_heads, -1)
    head = x.shape[3]
    rotary_dim = rotary_dim or head
    half = rotary_dim // 2
    if position_ids is not None:
        cos, sin = cos[position_ids], sin[position_ids]
    cos = cos[:, :, None, :half]
    sin = sin[:, :, None, :half]
    rotate, keep = x[..., :rotary_dim], x[..., rotary_dim:]
    if interleaved:
        x1, x2 = rotate[..., 0::2], rotate[..., 1::2]
    else:
        x1, x2 = rotate[..., :half], rotate[..., half:]
    real = cos * x1 - sin * x2
    imaginary = sin * x1 + cos * x2
    if interleaved:
        rotated = np.stack([real, imaginary], axis=-1).reshape(rotate.shape)
    else:
        rotated = np.concatenate([real, imaginary], axis=-1)
    y = np.concatenate([rotated, keep], axis=-1)
    return y.reshape(shape) if len(shape) == 3 else y.transpose(0, 2, 1, 3)


def rotary_cases(out):
    rng = np.random.default_rng(231)
    b, s, h, d = 2, 5, 3, 8
    angles = rng.uniform(0, 6.3, (16, d // 2))
    cos, sin = f32(np.cos(angles)), f32(np.sin(angles))
    positions = rng.integers(0, 16, (b, s)).astype(np.int64)
    x4 = f32(rng.standard_normal((b, h, s, d)))
    write_case(out, "rotary_4d",
               [helper.make_node("RotaryEmbedding",
                                 ["x", "cos", "sin", "positions"], ["y"])],
               [("x", x4), ("cos", cos), ("sin", sin),
                ("positions", positions)],
               [("y", f32(rotary_reference(x4.astype(np.float64), cos, sin,
                                           positions, False, 0, 0)))],
               opset=23)
    # 3-D, interleaved pairs, 4 of 8 features rotated, caches per token
    # (no position_ids).
    x3 = f32(rng.standard_normal((b, s, h * d)))
    token_cos, token_sin = cos[positions][:, :, :2], sin[positions][:, :, :2]
    write_case(out, "rotary_3d_interleaved_partial",
               [helper.make_node("RotaryEmbedding", ["x", "cos", "sin"], ["y"],
                                 interleaved=1, rotary_embedding_dim=4,
                                 num_heads=h)],
               [("x", x3), ("cos", token_cos), ("sin", token_sin)],
               [("y", f32(rotary_reference(x3.astype(np.float64), token_cos,
                                           token_sin, None, True, 4, h)))],
               opset=23)


def attention_reference(q, k, v, mask=None, past_key=None, past_value=None,
                        scale=None, is_causal=False, q_heads=None,
                        kv_heads=None, softcap=0.0, mode=0):
    rank = q.ndim

    def heads_first(t, heads):
        if t.ndim == 4:
            return t
        b, length, hidden = t.shape
        return t.reshape(b, length, heads, hidden // heads).transpose(0, 2, 1, 3)

    q, k, v = heads_first(q, q_heads), heads_first(k, kv_heads), \
        heads_first(v, kv_heads)
    past = 0
    if past_key is not None:
        past = past_key.shape[2]
        k = np.concatenate([past_key, k], axis=2)
        v = np.concatenate([past_value, v], axis=2)
    present_key, present_value = k, v
    repeats = q.shape[1] // k.shape[1]
    k, v = np.repeat(k, repeats, axis=1), np.repeat(v, repeats, axis=1)
    scale = 1 / math.sqrt(q.shape[3]) if scale is None else scale
    scores = (q * scale) @ k.transpose(0, 1, 3, 2)
    qk = scores
    if softcap > 0:
        scores = softcap * np.tanh(scores / softcap)
    if mode == 1:
        qk = scores
    total = k.shape[2]
    bias = np.zeros((q.shape[2], total))
    if is_causal:
        rows = np.arange(q.shape[2])[:, None]
        bias = np.where(np.arange(total)[None, :] <= rows + past, 0, -np.inf)
    if mask is not None:
        if mask.shape[-1] < total:
            fill = False if mask.dtype == np.bool_ else -np.inf
            width = [(0, 0)] * (mask.ndim - 1) + [(0, total - mask.shape[-1])]
            mask = np.pad(mask, width, constant_values=fill)
        bias = bias + (np.where(mask, 0, -np.inf) if mask.dtype == np.bool_
                       else mask)
    scores = scores + bias
    if mode == 2:
        qk = scores
    e = np.exp(scores - scores.max(axis=-1, keepdims=True))
    probabilities = e / e.sum(axis=-1, keepdims=True)
    if mode == 3:
        qk = probabilities
    y = probabilities @ v
    if rank == 3:
        y = y.transpose(0, 2, 1, 3).reshape(y.shape[0], y.shape[2], -1)
    return y, present_key, present_value, qk


def attention_cases(out):
    rng = np.random.default_rng(232)
    b, qh, kvh, length, past, d = 2, 4, 2, 3, 2, 4
    q = f32(rng.standard_normal((b, qh, length, d)))
    k = f32(rng.standard_normal((b, kvh, length, d)))
    v = f32(rng.standard_normal((b, kvh, length, 6)))
    past_key = f32(rng.standard_normal((b, kvh, past, d)))
    past_value = f32(rng.standard_normal((b, kvh, past, 6)))
    as64 = lambda *arrays: [a.astype(np.float64) for a in arrays]  # noqa
    y, present_key, present_value, _ = attention_reference(
        *as64(q, k, v), past_key=past_key.astype(np.float64),
        past_value=past_value.astype(np.float64), is_causal=True)
    write_case(out, "attention_causal_gqa_past",
               [helper.make_node("Attention",
                                 ["q", "k", "v", "", "past_key", "past_value"],
                                 ["y", "present_key", "present_value"],
                                 is_causal=1)],
               [("q", q), ("k", k), ("v", v), ("past_key", past_key),
                ("past_value", past_value)],
               [("y", f32(y)), ("present_key", f32(present_key)),
                ("present_value", f32(present_value))], opset=23)

    # 3-D, a bool mask shorter than the keys (the rest masked out), softcap,
    # an explicit scale, and the scores after the mask as a second output.
    q3 = f32(rng.standard_normal((b, length, qh * d)))
    k3 = f32(rng.standard_normal((b, 5, kvh * d)))
    v3 = f32(rng.standard_normal((b, 5, kvh * d)))
    mask = rng.random((length, 4)) < 0.7
    mask[:, 0] = True
    y, _, _, qk = attention_reference(*as64(q3, k3, v3), mask=mask,
                                      scale=0.3, q_heads=qh, kv_heads=kvh,
                                      softcap=2.0, mode=2)
    write_case(out, "attention_3d_mask_softcap",
               [helper.make_node("Attention", ["q", "k", "v", "mask"],
                                 ["y", "", "", "qk"], q_num_heads=qh,
                                 kv_num_heads=kvh, scale=0.3, softcap=2.0,
                                 qk_matmul_output_mode=2)],
               [("q", q3), ("k", k3), ("v", v3), ("mask", mask)],
               [("y", f32(y)), ("qk", f32(qk))], opset=23)

    # A float mask, added; the probabilities as the second output.
    float_mask = f32(rng.standard_normal((b, 1, length, length)))
    y, _, _, probabilities = attention_reference(
        *as64(q, q, q), mask=float_mask.astype(np.float64),
        mode=3)
    write_case(out, "attention_float_mask",
               [helper.make_node("Attention", ["q", "q", "q", "mask"],
                                 ["y", "", "", "probabilities"],
                                 qk_matmul_output_mode=3)],
               [("q", q), ("mask", float_mask)],
               [("y", f32(y)), ("probabilities", f32(probabilities))],
               opset=23)


#===----------------------------------------------------------------------===#
# Ops whose versions 19 to 23 only add element types
#===----------------------------------------------------------------------===#

def type_extension_cases(out):
    x = f32(np.arange(24).reshape(2, 3, 4))
    shape = np.array([4, 6], np.int64)
    nodes = [constant("shape", shape),
             constant("axes", np.array([0], np.int64)),
             helper.make_node("Reshape", ["x", "shape"], ["reshaped"]),
             helper.make_node("Transpose", ["reshaped"], ["transposed"],
                              perm=[1, 0]),
             helper.make_node("Unsqueeze", ["transposed", "axes"],
                              ["unsqueezed"]),
             helper.make_node("Squeeze", ["unsqueezed", "axes"], ["squeezed"]),
             helper.make_node("Flatten", ["x"], ["flat"], axis=2),
             helper.make_node("Identity", ["flat"], ["same"]),
             helper.make_node("Shape", ["x"], ["x_shape"]),
             helper.make_node("ConstantOfShape", ["shape"], ["filled"],
                              value=helper.make_tensor("v", TensorProto.FLOAT,
                                                       [1], [2.5])),
             helper.make_node("Equal", ["x", "x"], ["equal"])]
    expected = [("squeezed", x.reshape(4, 6).T), ("same", x.reshape(6, 4)),
                ("x_shape", np.array([2, 3, 4], np.int64)),
                ("filled", f32(np.full((4, 6), 2.5))),
                ("equal", np.ones((2, 3, 4), np.bool_))]
    write_case(out, "shape_ops_23", nodes, [("x", x)], expected, opset=23)


CASES = [reduction_cases, split_cases, pad_cases, scatter_cases, cast_cases,
         group_norm_cases, gelu_cases, trigonometry_cases, dequantize_cases,
         quantize_cases,
         rms_norm_cases, rotary_cases, attention_cases, type_extension_cases]


if __name__ == "__main__":
    main(CASES, __doc__)
