#!/usr/bin/env python3
"""Writes llama18/: a Llama-style decoder written at ONNX opset 18, with
PyTorch's training references for the same weights.

Debian's PyTorch 1.13 exports up to opset 17, so the graph is written here
with onnx.helper, node by node as PyTorch 2's exporters write these blocks
at opset 18 (ReduceMean with its axes as an input, Split with num_outputs),
and the same model is written as a PyTorch module whose parameters have the
ONNX initializers' names and layouts. The decoder:

- token embedding (vocabulary 64, width 32), 2 blocks, untied LM head;
- RMSNorm (x / sqrt(mean(x^2) + 1e-5) * weight) before attention, before
  the MLP and at the end;
- attention with 4 query heads and 2 key/value heads (grouped-query: each
  key/value head serves two consecutive query heads), head size 8, rotary
  embeddings of the positions (theta 10000, rotate_half form; cos and sin
  computed in the graph from the positions, with Cos and Sin), a causal
  mask (Where);
- SwiGLU MLP: one product for gate and up (width 2 x 64) split in two,
  silu(gate) * up, then down;
- mean cross-entropy over all 2 x 16 positions.

Writes, for train_check.py (five steps on the fixed batch):

    llama18/model.onnx
    llama18/test_data_set_0/input_0.pb, input_1.pb, output_0.pb
    llama18/train_sgd.npz, llama18/train_adamw.npz

Seeds are fixed and the files come out byte for byte the same.

    /usr/bin/python3 test/e2e/torch/llama_opset18.py
"""
import math
import os

import numpy as np
import onnx
import torch
from onnx import TensorProto, helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "llama18")

VOCAB, WIDTH, LAYERS, HEADS, KV_HEADS, FFN = 64, 32, 2, 4, 2, 64
HEAD = WIDTH // HEADS
BATCH, SEQUENCE = 2, 16
THETA, EPSILON = 10000.0, 1e-5

OPTIMIZERS = {
    "sgd": lambda params: torch.optim.SGD(params, lr=0.1),
    "adamw": lambda params: torch.optim.AdamW(
        params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01),
}


def initial_parameters():
    """name -> float32 array, in the ONNX graph's layout ([in, out] for
    products)."""
    rng = np.random.default_rng(18)

    def normal(*shape, std=0.02):
        return (rng.standard_normal(shape) * std).astype(np.float32)

    def norm_weight():
        return (1 + rng.standard_normal(WIDTH) * 0.1).astype(np.float32)

    params = {"embed": normal(VOCAB, WIDTH, std=1.0)}
    for layer in range(LAYERS):
        p = f"layers.{layer}."
        params.update({
            p + "attn_norm": norm_weight(),
            p + "wq": normal(WIDTH, HEADS * HEAD, std=0.2),
            p + "wk": normal(WIDTH, KV_HEADS * HEAD, std=0.2),
            p + "wv": normal(WIDTH, KV_HEADS * HEAD, std=0.2),
            p + "wo": normal(HEADS * HEAD, WIDTH, std=0.2),
            p + "mlp_norm": norm_weight(),
            p + "w_gate_up": normal(WIDTH, 2 * FFN, std=0.2),
            p + "w_down": normal(FFN, WIDTH, std=0.2),
        })
    params["final_norm"] = norm_weight()
    params["lm_head"] = normal(WIDTH, VOCAB, std=0.2)
    return params


def rotary_tables():
    """cos and sin [S, head], float32, as the graph computes them."""
    inv_freq = (1.0 / THETA ** (np.arange(0, HEAD, 2) / HEAD)).astype(np.float32)
    positions = np.arange(SEQUENCE, dtype=np.float32)[:, None]
    return inv_freq, positions


#===----------------------------------------------------------------------===#
# PyTorch
#===----------------------------------------------------------------------===#

class Llama(torch.nn.Module):
    def __init__(self, params):
        super().__init__()
        self.names = list(params)
        for name, value in params.items():
            self.register_parameter(name.replace(".", "__"),
                                    torch.nn.Parameter(torch.from_numpy(value.copy())))
        inv_freq, positions = rotary_tables()
        freqs = torch.from_numpy(positions) * torch.from_numpy(inv_freq)
        emb = torch.cat([freqs, freqs], dim=-1)
        self.cos, self.sin = emb.cos(), emb.sin()
        self.causal = torch.tril(torch.ones(SEQUENCE, SEQUENCE, dtype=torch.bool))

    def p(self, name):
        return getattr(self, name.replace(".", "__"))

    def named(self):
        return {name: self.p(name) for name in self.names}

    def rms_norm(self, x, weight):
        return x / torch.sqrt((x * x).mean(-1, keepdim=True) + EPSILON) * weight

    def rotate(self, x):
        x1, x2 = x[..., :HEAD // 2], x[..., HEAD // 2:]
        return x * self.cos + torch.cat([-x2, x1], dim=-1) * self.sin

    def forward(self, tokens, targets):
        x = self.p("embed")[tokens]
        for layer in range(LAYERS):
            pre = f"layers.{layer}."
            h = self.rms_norm(x, self.p(pre + "attn_norm"))
            q = (h @ self.p(pre + "wq")).view(BATCH, SEQUENCE, HEADS, HEAD).transpose(1, 2)
            k = (h @ self.p(pre + "wk")).view(BATCH, SEQUENCE, KV_HEADS, HEAD).transpose(1, 2)
            v = (h @ self.p(pre + "wv")).view(BATCH, SEQUENCE, KV_HEADS, HEAD).transpose(1, 2)
            q, k = self.rotate(q), self.rotate(k)
            k = k.repeat_interleave(HEADS // KV_HEADS, dim=1)
            v = v.repeat_interleave(HEADS // KV_HEADS, dim=1)
            scores = (q @ k.transpose(2, 3)) * (1 / math.sqrt(HEAD))
            scores = torch.where(self.causal, scores,
                                 torch.tensor(float("-inf")))
            attended = torch.softmax(scores, dim=-1) @ v
            attended = attended.transpose(1, 2).reshape(BATCH, SEQUENCE, WIDTH)
            x = x + attended @ self.p(pre + "wo")
            h = self.rms_norm(x, self.p(pre + "mlp_norm"))
            gate, up = (h @ self.p(pre + "w_gate_up")).split(FFN, dim=-1)
            x = x + (torch.nn.functional.silu(gate) * up) @ self.p(pre + "w_down")
        logits = self.rms_norm(x, self.p("final_norm")) @ self.p("lm_head")
        return torch.nn.functional.cross_entropy(logits.reshape(-1, VOCAB),
                                                 targets.reshape(-1))


#===----------------------------------------------------------------------===#
# ONNX, opset 18
#===----------------------------------------------------------------------===#

class GraphWriter:
    def __init__(self):
        self.nodes = []
        self.count = 0

    def __call__(self, op, inputs, outputs=1, **attributes):
        self.count += 1
        names = [f"{op.lower()}_{self.count}_{i}" for i in range(outputs)]
        self.nodes.append(helper.make_node(op, inputs, names,
                                           name=f"/{op}_{self.count}",
                                           **attributes))
        return names[0] if outputs == 1 else names

    def constant(self, array):
        self.count += 1
        name = f"constant_{self.count}"
        self.nodes.append(helper.make_node(
            "Constant", [], [name], name=f"/Constant_{self.count}",
            value=numpy_helper.from_array(np.asarray(array), name + "_value")))
        return name


def onnx_model(params):
    g = GraphWriter()
    last_axis = g.constant(np.array([-1], np.int64))
    epsilon = g.constant(np.array(EPSILON, np.float32))
    inv_freq, positions = rotary_tables()
    freqs = g("Mul", [g.constant(positions), g.constant(inv_freq)])
    emb = g("Concat", [freqs, freqs], axis=-1)
    cos, sin = g("Cos", [emb]), g("Sin", [emb])
    minus_infinity = g.constant(np.array(-np.inf, np.float32))
    causal = g.constant(np.tril(np.ones((SEQUENCE, SEQUENCE), np.bool_)))
    inv_sqrt_head = g.constant(np.array(1 / math.sqrt(HEAD), np.float32))

    def shape(*dims):
        return g.constant(np.array(dims, np.int64))

    def rms_norm(x, weight):
        mean_square = g("ReduceMean", [g("Mul", [x, x]), last_axis])
        rms = g("Sqrt", [g("Add", [mean_square, epsilon])])
        return g("Mul", [g("Div", [x, rms]), weight])

    def heads(x, count):
        split = g("Reshape", [x, shape(BATCH, SEQUENCE, count, HEAD)])
        return g("Transpose", [split], perm=[0, 2, 1, 3])

    def rotate(x):
        x1, x2 = g("Split", [x], outputs=2, axis=-1, num_outputs=2)
        rotated = g("Concat", [g("Neg", [x2]), x1], axis=-1)
        return g("Add", [g("Mul", [x, cos]), g("Mul", [rotated, sin])])

    def repeat_kv(x):
        # [B, KV, S, D] -> [B, KV, r, S, D] -> [B, H, S, D]: np.repeat order.
        expanded = g("Expand", [g("Unsqueeze", [x, g.constant(np.array([2], np.int64))]),
                                shape(BATCH, KV_HEADS, HEADS // KV_HEADS, SEQUENCE, HEAD)])
        return g("Reshape", [expanded, shape(BATCH, HEADS, SEQUENCE, HEAD)])

    x = g("Gather", ["embed", "tokens"])
    for layer in range(LAYERS):
        p = f"layers.{layer}."
        h = rms_norm(x, p + "attn_norm")
        q = rotate(heads(g("MatMul", [h, p + "wq"]), HEADS))
        k = repeat_kv(rotate(heads(g("MatMul", [h, p + "wk"]), KV_HEADS)))
        v = repeat_kv(heads(g("MatMul", [h, p + "wv"]), KV_HEADS))
        scores = g("Mul", [g("MatMul", [q, g("Transpose", [k], perm=[0, 1, 3, 2])]),
                          inv_sqrt_head])
        masked = g("Where", [causal, scores, minus_infinity])
        attended = g("MatMul", [g("Softmax", [masked], axis=-1), v])
        merged = g("Reshape", [g("Transpose", [attended], perm=[0, 2, 1, 3]),
                               shape(BATCH, SEQUENCE, WIDTH)])
        x = g("Add", [x, g("MatMul", [merged, p + "wo"])])
        h = rms_norm(x, p + "mlp_norm")
        gate, up = g("Split", [g("MatMul", [h, p + "w_gate_up"])], outputs=2,
                     axis=-1, num_outputs=2)
        silu = g("Mul", [gate, g("Sigmoid", [gate])])
        x = g("Add", [x, g("MatMul", [g("Mul", [silu, up]), p + "w_down"])])
    logits = g("MatMul", [rms_norm(x, "final_norm"), "lm_head"])
    flat_logits = g("Reshape", [logits, shape(BATCH * SEQUENCE, VOCAB)])
    flat_targets = g("Reshape", ["targets", shape(BATCH * SEQUENCE)])
    g.nodes.append(helper.make_node("SoftmaxCrossEntropyLoss",
                                    [flat_logits, flat_targets], ["loss"],
                                    name="/SoftmaxCrossEntropyLoss",
                                    reduction="mean"))
    graph = helper.make_graph(
        g.nodes, "llama18",
        [helper.make_tensor_value_info("tokens", TensorProto.INT64, [BATCH, SEQUENCE]),
         helper.make_tensor_value_info("targets", TensorProto.INT64, [BATCH, SEQUENCE])],
        [helper.make_tensor_value_info("loss", TensorProto.FLOAT, [])],
        [numpy_helper.from_array(value, name) for name, value in params.items()])
    return helper.make_model(graph, producer_name="quern-llama18",
                             opset_imports=[helper.make_opsetid("", 18)])


def write_tensor(path, array, name):
    with open(path, "wb") as f:
        f.write(numpy_helper.from_array(np.asarray(array), name).SerializeToString())


def main():
    torch.manual_seed(0)
    params = initial_parameters()
    rng = np.random.default_rng(180)
    tokens = rng.integers(0, VOCAB, (BATCH, SEQUENCE)).astype(np.int64)
    targets = np.roll(tokens, -1, axis=1)
    data = os.path.join(OUT, "test_data_set_0")
    os.makedirs(data, exist_ok=True)
    onnx.save(onnx_model(params), os.path.join(OUT, "model.onnx"))
    write_tensor(os.path.join(data, "input_0.pb"), tokens, "tokens")
    write_tensor(os.path.join(data, "input_1.pb"), targets, "targets")
    model = Llama(params)
    loss = model(torch.from_numpy(tokens), torch.from_numpy(targets))
    write_tensor(os.path.join(data, "output_0.pb"),
                 np.float32(loss.item()), "loss")

    for optimizer_name, make in OPTIMIZERS.items():
        model = Llama(params)
        optimizer = make(model.parameters())
        out = {"loss": []}
        for step in range(1, 6):
            optimizer.zero_grad()
            loss = model(torch.from_numpy(tokens), torch.from_numpy(targets))
            loss.backward()
            if step == 1:
                for name, value in model.named().items():
                    out[f"grad1/{name}"] = np.float32(value.grad.abs().max().item())
            optimizer.step()
            out["loss"].append(loss.item())
            if step in (1, 5):
                for name, value in model.named().items():
                    out[f"step{step}/{name}"] = value.detach().numpy().copy()
        out["loss"] = np.array(out["loss"], np.float32)
        np.savez(os.path.join(OUT, f"train_{optimizer_name}.npz"), **out)
        print(optimizer_name, "losses", out["loss"])


if __name__ == "__main__":
    main()
