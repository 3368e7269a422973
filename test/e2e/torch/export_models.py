#!/usr/bin/env python3
"""Exports the small PyTorch training models under test/e2e/torch/.

Each model's forward returns a scalar loss. It is exported with
torch.onnx.export (opset 17, TrainingMode.TRAINING, no constant folding,
parameters kept as initializers, all shapes static) to <name>/model.onnx, with
one ONNX backend-test style data set beside it:

    <name>/model.onnx
    <name>/test_data_set_0/input_<i>.pb   graph inputs in graph order
    <name>/test_data_set_0/output_0.pb    PyTorch's loss (float32)

Every export is checked with onnx.checker (full check); ONNX shape inference
(strict mode, data propagation) is run on it and every value that does not get
a fully static shape is reported (the file is kept as PyTorch wrote it). The
exported graph is then evaluated by a small numpy interpreter of the ops it
uses (float64) and compared with PyTorch's loss; a mismatch fails the run.

Needs PyTorch 1.13 and onnx 1.12 (Debian: python3-torch, python3-onnx); the
tests that use the files do not. Run from anywhere:

    /usr/bin/python3 test/e2e/torch/export_models.py [--out DIR] [--only NAME]
"""
import argparse
import math
import os
import sys

import numpy as np
import onnx
import onnx.numpy_helper
import onnx.shape_inference
import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
OPSET = 17


# ---------------------------------------------------------------- models ----


class MlpCE(nn.Module):
    """Linear(16,32) -> ReLU -> Linear(32,10), mean cross-entropy."""

    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(16, 32)
        self.fc2 = nn.Linear(32, 10)

    def forward(self, x, labels):
        logits = self.fc2(F.relu(self.fc1(x)))
        return F.cross_entropy(logits, labels)


class Block(nn.Module):
    """Pre-LayerNorm decoder block: causal self-attention, then a GELU MLP."""

    def __init__(self, batch, seq, d_model, n_head, fused_qkv=False):
        super().__init__()
        self.B, self.T, self.C, self.H = batch, seq, d_model, n_head
        self.D = d_model // n_head
        self.ln1 = nn.LayerNorm(d_model)
        if fused_qkv:  # GPT-2's c_attn: one Linear(d, 3d), split in three
            self.qkv = nn.Linear(d_model, 3 * d_model)
        else:
            self.q = nn.Linear(d_model, d_model)
            self.k = nn.Linear(d_model, d_model)
            self.v = nn.Linear(d_model, d_model)
        self.proj = nn.Linear(d_model, d_model)
        self.ln2 = nn.LayerNorm(d_model)
        self.fc = nn.Linear(d_model, 4 * d_model)
        self.gelu = nn.GELU()  # exact (erf) GELU
        self.fc_out = nn.Linear(4 * d_model, d_model)

    def heads(self, t):
        # [B, T, C] -> [B, H, T, D]. Shapes are Python ints (not x.size()) so
        # the export has constant Reshape shapes, not Shape->Gather chains.
        return t.reshape(self.B, self.T, self.H, self.D).transpose(1, 2)

    def attention(self, x, mask):
        if hasattr(self, "qkv"):
            q, k, v = map(self.heads, self.qkv(x).split(self.C, dim=-1))
        else:
            q, k, v = self.heads(self.q(x)), self.heads(self.k(x)), self.heads(self.v(x))
        scores = torch.matmul(q, k.transpose(-2, -1)) * (1.0 / math.sqrt(self.D))
        scores = scores.masked_fill(mask, float("-inf"))  # exports as Where
        att = F.softmax(scores, dim=-1)
        y = torch.matmul(att, v).transpose(1, 2).reshape(self.B, self.T, self.C)
        return self.proj(y)

    def forward(self, x, mask):
        x = x + self.attention(self.ln1(x), mask)
        x = x + self.fc_out(self.gelu(self.fc(self.ln2(x))))
        return x


class GPT2(nn.Module):
    """2-layer GPT-style decoder with a tied LM head and token cross-entropy."""

    def __init__(self, vocab=64, d_model=32, n_head=2, seq=16, batch=2, n_layer=2,
                 fused_qkv=False):
        super().__init__()
        self.vocab = vocab
        self.tok_emb = nn.Embedding(vocab, d_model)
        # Learned position embedding; seq equals the context length, so the
        # whole table is added (the same as looking up positions 0..seq-1).
        self.pos_emb = nn.Embedding(seq, d_model)
        self.blocks = nn.ModuleList(
            [Block(batch, seq, d_model, n_head, fused_qkv) for _ in range(n_layer)]
        )
        self.ln_f = nn.LayerNorm(d_model)
        self.lm_head = nn.Linear(d_model, vocab, bias=False)
        self.lm_head.weight = self.tok_emb.weight  # tied
        # True above the diagonal: the future positions a query may not see.
        causal = torch.triu(torch.ones(seq, seq, dtype=torch.bool), diagonal=1)
        self.register_buffer("causal_mask", causal)

    def forward(self, tokens, targets):
        x = self.tok_emb(tokens) + self.pos_emb.weight
        for block in self.blocks:
            x = block(x, self.causal_mask)
        logits = self.lm_head(self.ln_f(x))
        return F.cross_entropy(logits.reshape(-1, self.vocab), targets.reshape(-1))


class Expert(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(16, 32)
        self.fc2 = nn.Linear(32, 16)

    def forward(self, x):
        return self.fc2(F.relu(self.fc1(x)))


class MoE(nn.Module):
    """Top-2 of 4 experts, dense compute; MSE loss. The gates are the top-k
    probabilities scattered into zeros (`gating="scatter"`), or all
    probabilities times a mask of the top-k: a one-hot of each slot summed
    (`"one_hot"`), or the slots compared with every expert's index
    (`"equal"`). With `balance`, the loss adds that times Switch
    Transformer's load-balancing loss: experts * sum over experts of (the
    fraction of slots routed to it) * (its mean probability)."""

    def __init__(self, n_expert=4, k=2, gating="scatter", balance=0.0):
        super().__init__()
        self.k, self.gating, self.balance = k, gating, balance
        self.router = nn.Linear(16, n_expert)
        self.experts = nn.ModuleList([Expert() for _ in range(n_expert)])

    def forward(self, x, target):
        probs = F.softmax(self.router(x), dim=-1)
        top_values, top_indices = torch.topk(probs, k=self.k, dim=-1)
        if self.gating == "one_hot":
            gates = probs * F.one_hot(top_indices, probs.shape[-1]).sum(1)
        elif self.gating == "equal":
            experts = torch.arange(probs.shape[-1])
            gates = probs * (top_indices[..., None] == experts).any(1)
        else:
            gates = torch.zeros_like(probs).scatter(1, top_indices, top_values)
        out = None
        for e, expert in enumerate(self.experts):
            term = gates[:, e : e + 1] * expert(x)
            out = term if out is None else out + term
        # F.mse_loss(out, target), written out: torch 1.13 has no ONNX export
        # for aten::mse_loss ("not supported" at every opset).
        loss = torch.mean((out - target) ** 2)
        if self.balance:
            n_expert = probs.shape[-1]
            routed = F.one_hot(top_indices, n_expert).sum(1).float().mean(0)
            loss = loss + self.balance * n_expert * torch.sum(
                routed / self.k * probs.mean(0))
        return loss


class SwiGLUMoE(nn.Module):
    """A mixture of `routed` SwiGLU experts with stacked weights and
    `identity` identity ("zero-computation") experts: a router Linear, top-k
    with the k picked scores softmaxed (Mixtral's order), gates scattered
    into zeros. forward() runs every expert on every token, as exporters
    write it; sparse() runs each expert on its own tokens only, as Hugging
    Face's Mixtral does (for the benchmarks)."""

    def __init__(self, d_model, ff, routed, identity, k):
        super().__init__()
        self.top, self.routed = k, routed
        self.router = nn.Linear(d_model, routed + identity, bias=False)
        self.w1 = nn.Parameter(torch.randn(routed, d_model, ff) * d_model ** -0.5)
        self.w3 = nn.Parameter(torch.randn(routed, d_model, ff) * d_model ** -0.5)
        self.w2 = nn.Parameter(torch.randn(routed, ff, d_model) * ff ** -0.5)

    def route(self, h):
        top_values, top_indices = torch.topk(self.router(h), self.top, dim=-1)
        return F.softmax(top_values, dim=-1), top_indices

    def forward(self, h):
        weights, indices = self.route(h)
        gates = torch.zeros(h.shape[0], self.w1.shape[0] + self.router.out_features
                            - self.routed, dtype=h.dtype).scatter(1, indices, weights)
        y = torch.matmul(F.silu(torch.matmul(h, self.w1)) * torch.matmul(h, self.w3),
                         self.w2)
        routed = (y * gates[:, :self.routed].T[..., None]).sum(0)
        return routed + gates[:, self.routed:].sum(-1, keepdim=True) * h

    def sparse(self, h):
        weights, indices = self.route(h)
        out = torch.zeros_like(h)
        # One view per expert, as Hugging Face's experts are modules of their
        # own: indexing the stacked weight per expert would make autograd
        # build a gradient of the whole stack for every expert.
        w1, w3, w2 = self.w1.unbind(0), self.w3.unbind(0), self.w2.unbind(0)
        for e in range(self.router.out_features):
            token, slot = torch.where(indices == e)
            if token.numel() == 0:
                continue
            x = h[token]
            if e < self.routed:
                x = (F.silu(x @ w1[e]) * (x @ w3[e])) @ w2[e]
            out.index_add_(0, token, x * weights[token, slot, None])
        return out


class MoELayer(nn.Module):
    """SwiGLUMoE as a residual layer with an MSE loss: the benchmarks'
    mixture-of-experts step. sparse() is the same loss through
    SwiGLUMoE.sparse()."""

    def __init__(self, d_model, ff, routed, identity, k):
        super().__init__()
        self.moe = SwiGLUMoE(d_model, ff, routed, identity, k)

    def forward(self, x, target):
        return torch.mean((x + self.moe(x) - target) ** 2)

    def sparse(self, x, target):
        return torch.mean((x + self.moe.sparse(x) - target) ** 2)


class SwiGLUMoEBlock(nn.Module):
    """A pre-LayerNorm decoder block whose MLP is a mixture of experts:
    causal self-attention (Block's), then SwiGLUMoE over its tokens (8
    SwiGLU experts and 2 identity experts, top-2); MSE loss on the block's
    output."""

    heads = Block.heads
    attention = Block.attention

    def __init__(self, batch=2, seq=16, d_model=16, n_head=2, ff=32, routed=8,
                 identity=2, k=2):
        super().__init__()
        self.B, self.T, self.C, self.H = batch, seq, d_model, n_head
        self.D = d_model // n_head
        self.ln1 = nn.LayerNorm(d_model)
        self.q = nn.Linear(d_model, d_model)
        self.k = nn.Linear(d_model, d_model)
        self.v = nn.Linear(d_model, d_model)
        self.proj = nn.Linear(d_model, d_model)
        self.ln2 = nn.LayerNorm(d_model)
        self.moe = SwiGLUMoE(d_model, ff, routed, identity, k)
        mask = torch.triu(torch.ones(seq, seq, dtype=torch.bool), diagonal=1)
        self.register_buffer("causal_mask", mask, persistent=False)

    def mix(self, x):
        """The block's output for x [B, T, C]."""
        x = x + self.attention(self.ln1(x), self.causal_mask)
        h = self.ln2(x).reshape(self.B * self.T, self.C)
        return x + self.moe(h).reshape(self.B, self.T, self.C)

    def forward(self, x, target):
        return torch.mean((self.mix(x) - target) ** 2)


class LoraLinear(nn.Module):
    """A frozen Linear plus a rank-r adapter: base(x) + scale * B(A(x)).
    B starts non-zero so that the adapters change the loss from the start
    and their gradients reach both A and B."""

    def __init__(self, base, rank=8, alpha=16.0):
        super().__init__()
        self.base = base
        self.lora_A = nn.Linear(base.in_features, rank, bias=False)
        self.lora_B = nn.Linear(rank, base.out_features, bias=False)
        nn.init.normal_(self.lora_B.weight, std=0.02)
        self.scale = alpha / rank

    def forward(self, x):
        return self.base(x) + self.lora_B(self.lora_A(x)) * self.scale


def with_lora(model):
    """Adapters on every attention projection; everything else frozen."""
    for parameter in model.parameters():
        parameter.requires_grad_(False)
    for block in model.blocks:
        for name in ("q", "k", "v", "proj"):
            setattr(block, name, LoraLinear(getattr(block, name)))
    return model


def make_mlp_ce():
    torch.manual_seed(0)
    model = MlpCE()
    g = torch.Generator().manual_seed(100)
    x = torch.randn(8, 16, generator=g)
    labels = torch.randint(0, 10, (8,), generator=g)
    return model, (x, labels), ["x", "labels"]


def make_gpt2():
    torch.manual_seed(1)
    model = GPT2()
    g = torch.Generator().manual_seed(101)
    tokens = torch.randint(0, 64, (2, 16), generator=g)
    targets = torch.randint(0, 64, (2, 16), generator=g)
    return model, (tokens, targets), ["tokens", "targets"]


def make_gpt2_lora():
    model, args, names = make_gpt2()
    torch.manual_seed(3)
    return with_lora(model), args, names


def make_moe():
    torch.manual_seed(2)
    model = MoE()
    g = torch.Generator().manual_seed(102)
    x = torch.randn(8, 16, generator=g)
    target = torch.randn(8, 16, generator=g)
    return model, (x, target), ["x", "target"]


def make_moe_gated(gating):
    """`moe` with the gates a mask of the top-k times the probabilities."""
    torch.manual_seed(2)
    model = MoE(gating=gating)
    g = torch.Generator().manual_seed(102)
    x = torch.randn(8, 16, generator=g)
    target = torch.randn(8, 16, generator=g)
    return model, (x, target), ["x", "target"]


def make_moe_balanced():
    """`moe` with Switch Transformer's load-balancing loss (weight 0.1),
    which reads the router's probabilities and the routing beside the
    experts."""
    torch.manual_seed(2)
    model = MoE(balance=0.1)
    g = torch.Generator().manual_seed(102)
    x = torch.randn(8, 16, generator=g)
    target = torch.randn(8, 16, generator=g)
    return model, (x, target), ["x", "target"]


def make_moe_skewed():
    """`moe` routing top-1 with a router bias that sends every token to
    expert 0: experts 1 to 3 get no token (a gradient of exactly zero;
    AdamW still decays them)."""
    torch.manual_seed(2)
    model = MoE(k=1)
    with torch.no_grad():
        model.router.bias.copy_(torch.tensor([20.0, 0.0, 0.0, 0.0]))
    g = torch.Generator().manual_seed(102)
    x = torch.randn(8, 16, generator=g)
    target = torch.randn(8, 16, generator=g)
    return model, (x, target), ["x", "target"]


def make_moe_ties():
    """`moe` with a router of zeros: every token's four scores tie, and
    ONNX's TopK takes the lowest indices (experts 0 and 1) for all."""
    torch.manual_seed(2)
    model = MoE()
    with torch.no_grad():
        model.router.weight.zero_()
        model.router.bias.zero_()
    g = torch.Generator().manual_seed(102)
    x = torch.randn(8, 16, generator=g)
    target = torch.randn(8, 16, generator=g)
    return model, (x, target), ["x", "target"]


def make_moe_swiglu():
    torch.manual_seed(4)
    model = SwiGLUMoEBlock()
    g = torch.Generator().manual_seed(104)
    x = torch.randn(2, 16, 16, generator=g)
    target = torch.randn(2, 16, 16, generator=g)
    return model, (x, target), ["x", "target"]


# Models whose ONNX graph, by ONNX's rules, computes something other than
# PyTorch did: their data set holds the numpy evaluation of the graph.
ONNX_REFERENCE = {"moe_ties"}

MODELS = {"mlp_ce": make_mlp_ce, "gpt2": make_gpt2,
          "gpt2_lora": make_gpt2_lora, "moe": make_moe,
          "moe_one_hot": lambda: make_moe_gated("one_hot"),
          "moe_equal": lambda: make_moe_gated("equal"),
          "moe_balanced": make_moe_balanced,
          "moe_skewed": make_moe_skewed, "moe_ties": make_moe_ties,
          "moe_swiglu": make_moe_swiglu}


# ------------------------------------------ numpy evaluation of the graph ----
# Only the ops these exports contain, with the attributes they use; float64.


def _erf(x):
    return np.vectorize(math.erf, otypes=[np.float64])(x)


def _softmax(x, axis):
    m = np.max(x, axis=axis, keepdims=True)
    e = np.exp(x - m)
    return e / np.sum(e, axis=axis, keepdims=True)


def _run_node(node, ins):
    a = {x.name: onnx.helper.get_attribute_value(x) for x in node.attribute}
    op = node.op_type
    if op == "Constant":
        return [onnx.numpy_helper.to_array(a["value"])]
    if op in ("Add", "Sub", "Mul", "Div", "Pow", "MatMul"):
        f = {"Add": np.add, "Sub": np.subtract, "Mul": np.multiply,
             "Div": np.divide, "Pow": np.power, "MatMul": np.matmul}[op]
        r = f(ins[0], ins[1])
        return [r.astype(ins[0].dtype) if op != "MatMul" else r]
    if op == "Relu":
        return [np.maximum(ins[0], 0)]
    if op == "Erf":
        return [_erf(ins[0])]
    if op == "Sigmoid":
        return [1.0 / (1.0 + np.exp(-ins[0]))]
    if op == "Unsqueeze":
        return [np.expand_dims(ins[0], tuple(int(i) for i in ins[1]))]
    if op == "ReduceSum":
        axes = None if len(ins) < 2 or ins[1] is None else tuple(int(i) for i in ins[1])
        return [np.sum(ins[0], axis=axes, keepdims=bool(a.get("keepdims", 1)))]
    if op == "Gemm":
        A, B = ins[0], ins[1]
        A = A.T if a.get("transA", 0) else A
        B = B.T if a.get("transB", 0) else B
        r = a.get("alpha", 1.0) * (A @ B)
        if len(ins) > 2 and ins[2] is not None:
            r = r + a.get("beta", 1.0) * ins[2]
        return [r]
    if op == "Transpose":
        return [np.transpose(ins[0], a.get("perm"))]
    if op == "Reshape":
        shape = [d if d != 0 else ins[0].shape[i] for i, d in enumerate(ins[1])]
        return [np.reshape(ins[0], shape)]
    if op == "Gather":
        return [np.take(ins[0], ins[1], axis=a.get("axis", 0))]
    if op == "Where":
        return [np.where(ins[0], ins[1], ins[2])]
    if op == "Softmax":
        return [_softmax(ins[0], a.get("axis", -1))]
    if op == "LayerNormalization":
        axis = a.get("axis", -1)
        axes = tuple(range(axis % ins[0].ndim, ins[0].ndim))
        mean = ins[0].mean(axis=axes, keepdims=True)
        var = ((ins[0] - mean) ** 2).mean(axis=axes, keepdims=True)
        y = (ins[0] - mean) / np.sqrt(var + a.get("epsilon", 1e-5))
        y = y * ins[1]
        if len(ins) > 2 and ins[2] is not None:
            y = y + ins[2]
        return [y]
    if op == "SoftmaxCrossEntropyLoss":
        x, labels = ins[0], ins[1]
        assert len(ins) < 3 or ins[2] is None, "weights not handled"
        assert x.ndim == 2, "only [N, C] scores handled"
        logp = np.log(_softmax(x, 1))
        ignore = a.get("ignore_index", None)
        keep = np.ones(labels.shape, bool) if ignore is None else labels != ignore
        safe = np.where(keep, labels, 0)
        nll = -logp[np.arange(len(labels)), safe] * keep
        red = a.get("reduction", b"mean")
        red = red.decode() if isinstance(red, bytes) else red
        loss = {"mean": nll.sum() / keep.sum(), "sum": nll.sum(), "none": nll}[red]
        return [np.asarray(loss), logp]
    if op == "ReduceMean":
        axes = a.get("axes")
        keep = a.get("keepdims", 1)
        return [np.mean(ins[0], axis=None if axes is None else tuple(axes),
                        keepdims=bool(keep))]
    if op == "TopK":
        axis, k = a.get("axis", -1), int(ins[1].reshape(-1)[0])
        assert a.get("largest", 1) == 1 and a.get("sorted", 1) == 1
        idx = np.argsort(-ins[0], axis=axis, kind="stable")
        idx = np.take(idx, np.arange(k), axis=axis)
        return [np.take_along_axis(ins[0], idx, axis=axis), idx.astype(np.int64)]
    if op == "ScatterElements":
        assert a.get("reduction", b"none") in (b"none", "none")
        r = ins[0].copy()
        np.put_along_axis(r, ins[1], ins[2], axis=a.get("axis", 0))
        return [r]
    if op == "Slice":
        data, starts, ends = ins[0], ins[1], ins[2]
        axes = ins[3] if len(ins) > 3 and ins[3] is not None else range(len(starts))
        steps = ins[4] if len(ins) > 4 and ins[4] is not None else [1] * len(starts)
        idx = [slice(None)] * data.ndim
        for s, e, ax, st in zip(starts, ends, axes, steps):
            idx[int(ax)] = slice(int(s), int(e), int(st))
        return [data[tuple(idx)]]
    if op in ("Equal", "Greater"):
        return [(np.equal if op == "Equal" else np.greater)(ins[0], ins[1])]
    if op == "OneHot":
        depth = int(np.asarray(ins[1]).reshape(-1)[0])
        off, on = np.asarray(ins[2]).reshape(-1)
        indices = np.where(ins[0] < 0, ins[0] + depth, ins[0])
        axis = a.get("axis", -1) % (indices.ndim + 1)
        hot = np.expand_dims(indices, axis) == np.arange(depth).reshape(
            [depth if d == axis else 1 for d in range(indices.ndim + 1)])
        return [np.where(hot, on, off)]
    if op == "Cast":
        return [ins[0].astype(onnx.mapping.TENSOR_TYPE_TO_NP_TYPE[a["to"]])]
    raise NotImplementedError(f"numpy evaluation of {op}")


def _f64(value):
    value = np.asarray(value)
    return value.astype(np.float64) if value.dtype.kind == "f" else value


def evaluate(model, feeds):
    env = {"": None}
    for init in model.graph.initializer:
        env[init.name] = _f64(onnx.numpy_helper.to_array(init))
    for name, value in feeds.items():
        env[name] = _f64(value)
    for node in model.graph.node:
        outs = _run_node(node, [env[i] for i in node.input])
        for name, value in zip(node.output, outs):
            if name:
                env[name] = _f64(value)
    return [env[o.name] for o in model.graph.output]


# ------------------------------------------------------------- reporting ----


def _dims(t):
    shape = t.tensor_type.shape if t.tensor_type.HasField("shape") else None
    if shape is None:
        return None
    return [d.dim_value if d.HasField("dim_value") else (d.dim_param or "?") for d in shape.dim]


def _type_str(vi):
    t = vi.type
    if not t.HasField("tensor_type"):
        return f"{t.WhichOneof('value')} (not a tensor)"
    elem = onnx.TensorProto.DataType.Name(t.tensor_type.elem_type)
    return f"{elem}{_dims(t)}"


def check_static_shapes(model):
    """Returns the values without a fully static shape after strict inference."""
    inferred = onnx.shape_inference.infer_shapes(
        model, check_type=True, strict_mode=True, data_prop=True
    )
    known = {}
    g = inferred.graph
    for vi in list(g.input) + list(g.value_info) + list(g.output):
        known[vi.name] = vi
    for init in g.initializer:
        known.setdefault(init.name, None)
    bad = []
    for node in g.node:
        for out in node.output:
            if not out:
                continue
            vi = known.get(out)
            if vi is None or not vi.type.HasField("tensor_type"):
                bad.append((out, node.op_type, "no type"))
                continue
            dims = _dims(vi.type)
            if dims is None or not all(isinstance(d, int) and d > 0 for d in dims):
                bad.append((out, node.op_type, _type_str(vi)))
    return bad


def summarize(model):
    ops = {}
    for node in model.graph.node:
        key = node.op_type if node.domain in ("", "ai.onnx") else f"{node.domain}::{node.op_type}"
        ops[key] = ops.get(key, 0) + 1
    domains = sorted({n.domain for n in model.graph.node if n.domain not in ("", "ai.onnx")})
    return ops, domains


# ------------------------------------------------------------------ main ----


def export_onnx(model, args, input_names, path):
    """Writes `model` (whose forward returns the loss) to `path` the way
    Quern's training tests expect it, checks it and returns it. The
    benchmarks (bench/train.py) export their models with this too."""
    torch.onnx.export(
        model,
        args,
        path,
        opset_version=OPSET,
        training=torch.onnx.TrainingMode.TRAINING,
        do_constant_folding=False,
        input_names=input_names,
        output_names=["loss"],
    )
    onnx_model = onnx.load(path)
    onnx.checker.check_model(onnx_model, full_check=True)
    return onnx_model


def export_one(name, out_dir):
    model, args, input_names = MODELS[name]()
    model.train()  # no dropout anywhere; TRAINING keeps train-mode semantics
    with torch.no_grad():
        loss = model(*args)
    folder = os.path.join(out_dir, name)
    data_dir = os.path.join(folder, "test_data_set_0")
    os.makedirs(data_dir, exist_ok=True)
    path = os.path.join(folder, "model.onnx")
    onnx_model = export_onnx(model, args, input_names, path)

    init_names = {i.name for i in onnx_model.graph.initializer}
    graph_inputs = [i for i in onnx_model.graph.input if i.name not in init_names]
    assert [i.name for i in graph_inputs] == input_names, [i.name for i in graph_inputs]
    feeds = {}
    for i, (vi, arg) in enumerate(zip(graph_inputs, args)):
        array = arg.detach().numpy()
        feeds[vi.name] = array
        tensor = onnx.numpy_helper.from_array(array, vi.name)
        with open(os.path.join(data_dir, f"input_{i}.pb"), "wb") as f:
            f.write(tensor.SerializeToString())
    out_vi = onnx_model.graph.output[0]
    out_shape = _dims(out_vi.type)
    expected = loss.detach().numpy().astype(np.float32).reshape(out_shape)
    got = evaluate(onnx_model, feeds)[0]
    err = abs(float(got) - float(expected))
    torch_loss = float(expected)
    if name in ONNX_REFERENCE:
        # The data set holds what the ONNX graph computes.
        expected = np.asarray(got, dtype=np.float32).reshape(out_shape)
    tensor = onnx.numpy_helper.from_array(expected, out_vi.name)
    with open(os.path.join(data_dir, "output_0.pb"), "wb") as f:
        f.write(tensor.SerializeToString())

    bad = check_static_shapes(onnx_model)

    ops, domains = summarize(onnx_model)
    print(f"== {name}: {path} ({os.path.getsize(path)} bytes), "
          f"opset {[(o.domain or 'ai.onnx', o.version) for o in onnx_model.opset_import]}")
    for vi in graph_inputs:
        print(f"   input  {vi.name}: {_type_str(vi)}")
    for vi in onnx_model.graph.output:
        print(f"   output {vi.name}: {_type_str(vi)}")
    print(f"   initializers: {len(init_names)}")
    print(f"   ops: {dict(sorted(ops.items()))}")
    print(f"   non-default domains: {domains or 'none'}")
    print(f"   loss (PyTorch, float32): {torch_loss!r}")
    print(f"   loss (numpy evaluation of the ONNX graph, float64): {float(got)!r} "
          f"(|diff| {err:.2e})")
    if bad:
        print("   values without a fully static shape:")
        for out, op, t in bad:
            print(f"     {out} ({op}): {t}")
        print("   (reported only: the exported file is kept as PyTorch wrote it)")
    else:
        print("   every value has a fully static shape (strict inference, data_prop)")
    ok = err <= 1e-5 * max(1.0, abs(torch_loss)) or name in ONNX_REFERENCE
    if name in ONNX_REFERENCE:
        print("   (expected: PyTorch breaks TopK's ties its own way; the data "
              "set holds the ONNX graph's loss)")
    if not ok:
        print(f"   MISMATCH between the ONNX graph and PyTorch's loss")
    return ok


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default=HERE, help="output folder (default: beside this script)")
    parser.add_argument("--only", choices=sorted(MODELS), action="append")
    args = parser.parse_args()
    torch.set_num_threads(1)
    ok = True
    for name in args.only or MODELS:
        ok = export_one(name, args.out) and ok
    if not ok:
        print("FAILED: see above", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
