#!/usr/bin/env python3
"""Exports a 1.1-billion-parameter Llama-style decoder's training graph to
ONNX, with Debian's PyTorch, for QLoRA fine-tuning with Quern.

    /usr/bin/python3 export_llama.py OUT_DIR [--weights model.safetensors]
        [--layers N] [--sequence S] [--config JSON]

The shape is TinyLlama-1.1B's: 22 layers, width 2048, 32 query heads
sharing 4 key/value heads (head size 64), SwiGLU MLP 5632, RMSNorm (eps
1e-5), rotary embeddings (theta 10000), vocabulary 32000, untied LM head:
1,100,048,384 parameters. The forward takes `tokens` and `targets`
([1, S] int64, S = 512) and returns the mean cross-entropy and the logits
([1, S, 32000], which quern-train samples through).

Without --weights the weights are drawn from a fixed seed (normal, std
0.02; RMSNorm weights 1). With --weights, they are read from a safetensors
file with Hugging Face's Llama names (model.layers.N.self_attn.q_proj.weight,
...), such as TinyLlama-1.1B's model.safetensors; the parameters keep those
names in the ONNX file, which --lora-targets matches. Tensors may be F32,
F16 or BF16; they are widened to float32 exactly.

--config overrides the shape with a JSON object of CONFIG's other keys
(vocab, width, heads, kv_heads, ffn, eps, theta; --layers and --sequence
set the last two), for smaller models of the same architecture: the test
suite exports one of width 32.

Writes OUT_DIR/llama.onnx and its weights as external data,
OUT_DIR/llama.onnx.data (float32, 4.4 GB; the model is over ONNX's 2 GB
protobuf limit). Peak memory is about the weights' size.
"""
import argparse
import json
import math
import os
import struct
import sys

import numpy as np
import torch
import torch.nn.functional as F

CONFIG = dict(vocab=32000, width=2048, layers=22, heads=32, kv_heads=4,
              ffn=5632, eps=1e-5, theta=10000.0, sequence=512)


class RMSNorm(torch.nn.Module):
    def __init__(self, width, eps):
        super().__init__()
        self.weight = torch.nn.Parameter(torch.ones(width))
        self.eps = eps

    def forward(self, x):
        return self.weight * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True)
                                              + self.eps))


def rotate_half(x):
    half = x.shape[-1] // 2
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


class Attention(torch.nn.Module):
    def __init__(self, c):
        super().__init__()
        self.heads, self.kv_heads = c["heads"], c["kv_heads"]
        self.head = c["width"] // c["heads"]
        width, kv = c["width"], c["kv_heads"] * self.head
        self.q_proj = torch.nn.Linear(width, width, bias=False)
        self.k_proj = torch.nn.Linear(width, kv, bias=False)
        self.v_proj = torch.nn.Linear(width, kv, bias=False)
        self.o_proj = torch.nn.Linear(width, width, bias=False)

    def forward(self, x, cos, sin, mask):
        b, s, _ = x.shape
        q = self.q_proj(x).view(b, s, self.heads, self.head).transpose(1, 2)
        k = self.k_proj(x).view(b, s, self.kv_heads, self.head).transpose(1, 2)
        v = self.v_proj(x).view(b, s, self.kv_heads, self.head).transpose(1, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        repeats = self.heads // self.kv_heads
        k = k[:, :, None].expand(b, self.kv_heads, repeats, s, self.head)
        k = k.reshape(b, self.heads, s, self.head)
        v = v[:, :, None].expand(b, self.kv_heads, repeats, s, self.head)
        v = v.reshape(b, self.heads, s, self.head)
        scores = q @ k.transpose(-2, -1) / math.sqrt(self.head) + mask
        out = torch.softmax(scores, dim=-1) @ v
        return self.o_proj(out.transpose(1, 2).reshape(b, s, -1))


class MLP(torch.nn.Module):
    def __init__(self, c):
        super().__init__()
        self.gate_proj = torch.nn.Linear(c["width"], c["ffn"], bias=False)
        self.up_proj = torch.nn.Linear(c["width"], c["ffn"], bias=False)
        self.down_proj = torch.nn.Linear(c["ffn"], c["width"], bias=False)

    def forward(self, x):
        return self.down_proj(F.silu(self.gate_proj(x)) * self.up_proj(x))


class Layer(torch.nn.Module):
    def __init__(self, c):
        super().__init__()
        self.input_layernorm = RMSNorm(c["width"], c["eps"])
        self.self_attn = Attention(c)
        self.post_attention_layernorm = RMSNorm(c["width"], c["eps"])
        self.mlp = MLP(c)

    def forward(self, x, cos, sin, mask):
        x = x + self.self_attn(self.input_layernorm(x), cos, sin, mask)
        return x + self.mlp(self.post_attention_layernorm(x))


class Decoder(torch.nn.Module):
    def __init__(self, c):
        super().__init__()
        self.embed_tokens = torch.nn.Embedding(c["vocab"], c["width"])
        self.layers = torch.nn.ModuleList(Layer(c) for _ in range(c["layers"]))
        self.norm = RMSNorm(c["width"], c["eps"])


class Llama(torch.nn.Module):
    """Hugging Face's LlamaForCausalLM parameter names; returns the loss
    and the logits."""

    def __init__(self, c):
        super().__init__()
        self.config = c
        self.model = Decoder(c)
        self.lm_head = torch.nn.Linear(c["width"], c["vocab"], bias=False)

    def forward(self, tokens, targets):
        c = self.config
        s = tokens.shape[1]
        head = c["width"] // c["heads"]
        inv_freq = 1.0 / (c["theta"] ** (torch.arange(0, head, 2).float() / head))
        freqs = torch.outer(torch.arange(s, dtype=torch.float32), inv_freq)
        emb = torch.cat((freqs, freqs), dim=-1)
        cos, sin = emb.cos(), emb.sin()
        mask = torch.triu(torch.full((s, s), float("-inf")), diagonal=1)
        x = self.model.embed_tokens(tokens)
        for layer in self.model.layers:
            x = layer(x, cos, sin, mask)
        logits = self.lm_head(self.model.norm(x))
        loss = F.cross_entropy(logits.view(-1, c["vocab"]), targets.view(-1))
        # The logits too: quern-train samples through them.
        return loss, logits


DTYPES = {"F32": np.float32, "F16": np.float16, "BF16": np.uint16}


def read_safetensors(path):
    """name -> float32 array, from a safetensors file (F32, F16 or BF16)."""
    with open(path, "rb") as f:
        length = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(length))
        base = 8 + length
        out = {}
        for name, info in header.items():
            if name == "__metadata__":
                continue
            begin, end = info["data_offsets"]
            f.seek(base + begin)
            raw = np.frombuffer(f.read(end - begin), DTYPES[info["dtype"]])
            if info["dtype"] == "BF16":
                raw = (raw.astype(np.uint32) << 16).view(np.float32)
            out[name] = raw.astype(np.float32).reshape(info["shape"])
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out")
    parser.add_argument("--weights", help="a safetensors file with Hugging "
                        "Face Llama names (e.g. TinyLlama-1.1B's)")
    parser.add_argument("--layers", type=int, default=CONFIG["layers"])
    parser.add_argument("--sequence", type=int, default=CONFIG["sequence"])
    parser.add_argument("--config", type=json.loads, default={},
                        help="a JSON object overriding the shape's keys")
    args = parser.parse_args()
    keys = [key for key in CONFIG if key not in ("layers", "sequence")]
    unknown = sorted(set(args.config) - set(keys))
    if unknown:
        parser.error(f"--config: unknown key {unknown[0]!r}; the keys are "
                     f"{', '.join(keys)} (--layers and --sequence set the "
                     "others)")
    config = dict(CONFIG, layers=args.layers, sequence=args.sequence)
    config.update(args.config)
    torch.manual_seed(0)
    with torch.no_grad():
        model = Llama(config)
        for name, parameter in model.named_parameters():
            if name.endswith("layernorm.weight") or name == "model.norm.weight":
                parameter.fill_(1.0)
            else:
                parameter.normal_(0.0, 0.02)
        if args.weights:
            weights = read_safetensors(args.weights)
            missing = [n for n, _ in model.named_parameters() if n not in weights]
            if missing:
                sys.exit(f"{args.weights}: no {missing[0]} (and "
                         f"{len(missing) - 1} more); expected Llama names")
            for name, parameter in model.named_parameters():
                if tuple(weights[name].shape) != tuple(parameter.shape):
                    sys.exit(f"{args.weights}: {name} is {weights[name].shape}, "
                             f"the model's {tuple(parameter.shape)}")
                parameter.copy_(torch.from_numpy(weights[name]))
    count = sum(p.numel() for p in model.parameters())
    print(f"{count:,} parameters ({config['layers']} layers)", flush=True)
    os.makedirs(args.out, exist_ok=True)
    path = os.path.join(args.out, "llama.onnx")
    export(model, config, path)
    print(f"wrote {path} and its weights, {path}.data")


def export(model, config, path):
    """torch.onnx.export of the graph alone (export_params=False: the
    parameters become graph inputs), then each parameter appended to
    PATH.data and made an initializer that points there. The exporter
    would otherwise hold a serialized copy of every weight in memory."""
    import onnx
    from onnx import TensorProto

    tokens = torch.zeros(1, config["sequence"], dtype=torch.int64)
    with torch.no_grad():
        torch.onnx.export(model, (tokens, tokens), path, opset_version=17,
                          training=torch.onnx.TrainingMode.TRAINING,
                          do_constant_folding=False, export_params=False,
                          input_names=["tokens", "targets"],
                          output_names=["loss", "logits"])
    graph_model = onnx.load(path)
    graph = graph_model.graph
    parameters = dict(model.named_parameters())
    data_name = os.path.basename(path) + ".data"
    kept_inputs = [i for i in graph.input if i.name not in parameters]
    offset = 0
    with open(path + ".data", "wb") as data:
        for graph_input in graph.input:
            if graph_input.name not in parameters:
                continue
            array = parameters[graph_input.name].detach().numpy()
            raw = np.ascontiguousarray(array, dtype=np.float32).tobytes()
            data.write(raw)
            tensor = graph.initializer.add()
            tensor.name = graph_input.name
            tensor.data_type = TensorProto.FLOAT
            tensor.dims.extend(array.shape)
            tensor.data_location = TensorProto.EXTERNAL
            for key, value in (("location", data_name), ("offset", str(offset)),
                               ("length", str(len(raw)))):
                entry = tensor.external_data.add()
                entry.key, entry.value = key, value
            offset += len(raw)
            # 4 KiB-aligned offsets, so the weights can be memory-mapped.
            padding = -offset % 4096
            data.write(b"\0" * padding)
            offset += padding
    del graph.input[:]
    graph.input.extend(kept_inputs)
    onnx.save(graph_model, path)


if __name__ == "__main__":
    main()
