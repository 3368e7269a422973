#!/usr/bin/env python3
"""QLoRA training steps: rank-8 LoRA adapters on every attention and MLP
product (q, k, v, the attention output, both MLP products) of a GPT-2
decoder whose base is frozen, AdamW, at 1 and 2 threads. Writes
qlora_step.json.

Five ways to run the same step on the same base weights and batch, each
timed in a child process of its own as bench/train.py times its models:

  quern_lora        quernc --train --lora=8 --lora-targets=...: the base in f32;
  quern_qlora       ... --quantize-frozen=nf4: the base's products' weights
                    in NF4 (blocks of 64), decoded inside the products;
  quern_qlora_bf16  ... --precision=bf16;
  torch_lora        PyTorch eager, the base in f32 (frozen), the adapters
                    as PEFT adds them (x Aᵀ Bᵀ · alpha/rank);
  torch_dequant     PyTorch eager doing what bitsandbytes' training path
                    does on a CPU: the base's weights stored as NF4 codes
                    (uint8) and absmax, each product decoding the whole
                    weight in the forward pass and again for the input
                    gradient (an autograd Function that saves the codes,
                    not the decoded weight), then an f32 matmul.

Each reports its median step time, its peak RSS, the state bytes (Quern:
the manifest's; PyTorch: its parameters, buffers and optimizer state) and,
for Quern's quantized steps, the bits a quantized parameter takes.

    /usr/bin/python3 bench/qlora.py --out DIR [--build BUILD] [--quick]
"""
import json
import os
import sys
import tempfile

import numpy as np

import common
import train

THREADS = (1, 2)
STEPS, WARMUP = 20, 3
QUICK_STEPS, QUICK_WARMUP = 2, 1
RANK, ALPHA = 8, 16
TARGETS = ("q", "k", "v", "proj", "fc", "fc_out")
LORA_FLAGS = [f"--lora={RANK}:{ALPHA}",
              "--lora-targets=" + ",".join(f"blocks.*.{t}.weight" for t in TARGETS)]
QUERN_VARIANTS = {
    "quern_lora": ("fp32", []),
    "quern_qlora": ("fp32", ["--quantize-frozen=nf4"]),
    "quern_qlora_bf16": ("bf16", ["--quantize-frozen=nf4"]),
}
TORCH_VARIANTS = ("torch_lora", "torch_dequant")

MODELS = {
    "gpt2_8x256": dict(train.MODELS["gpt2_8x256"]),
    "gpt2_small": dict(train.MODELS["gpt2_small"], steps=(5, 1)),
}


# ------------------------------------------------------------ child side ----


def nf4_codes(weight):
    """(codes uint8 [numel], absmax f32 [numel/64]) of a weight: one code a
    byte, as bitsandbytes' CPU path keeps them unpacked for indexing."""
    sys.path.insert(0, os.path.join(common.ROOT, "scripts"))
    import block_quantization
    flat = weight.detach().numpy().reshape(-1)
    parts = block_quantization.quantize(flat, "nf4", 64)
    packed = parts["codes"].view(np.uint8)
    codes = np.empty(flat.size, np.uint8)
    codes[0::2], codes[1::2] = packed & 0xF, packed >> 4
    return codes, parts["scales"]


def adapted(spec, dequantize):
    """The GPT-2 of `spec` with every target Linear frozen and adapted (its
    weight NF4-coded and decoded per use when `dequantize`)."""
    import torch
    import torch.nn as nn
    import export_models
    sys.path.insert(0, os.path.join(common.ROOT, "scripts"))
    import block_quantization
    levels = torch.from_numpy(block_quantization.NF4_LEVELS)

    class Decode(torch.autograd.Function):
        """x Wᵀ with W decoded from its codes in forward and again in
        backward (bitsandbytes' MatMul4Bit): only the codes are saved."""

        @staticmethod
        def forward(ctx, x, codes, absmax, shape):
            ctx.save_for_backward(codes, absmax)
            ctx.shape = shape
            w = (levels[codes.long()].view(-1, 64) * absmax[:, None]).view(shape)
            return x @ w.t()

        @staticmethod
        def backward(ctx, grad):
            codes, absmax = ctx.saved_tensors
            w = (levels[codes.long()].view(-1, 64) * absmax[:, None]).view(ctx.shape)
            return grad @ w, None, None, None

    class Adapted(nn.Module):
        def __init__(self, base):
            super().__init__()
            self.base = base
            self.lora_A = nn.Linear(base.in_features, RANK, bias=False)
            self.lora_B = nn.Linear(RANK, base.out_features, bias=False)
            nn.init.zeros_(self.lora_B.weight)
            if dequantize:
                codes, absmax = nf4_codes(base.weight)
                self.register_buffer("codes", torch.from_numpy(codes))
                self.register_buffer("absmax", torch.from_numpy(absmax))
                self.shape = tuple(base.weight.shape)
                del base.weight  # the f32 weight is gone; only codes remain
                base.weight = None

        def forward(self, x):
            if dequantize:
                y = Decode.apply(x, self.codes, self.absmax, self.shape) + self.base.bias
            else:
                y = self.base(x)
            return y + self.lora_B(self.lora_A(x)) * (ALPHA / RANK)

    model, batch, names = train.build_module(spec)
    for parameter in model.parameters():
        parameter.requires_grad_(False)
    for block in model.blocks:
        for name in TARGETS:
            setattr(block, name, Adapted(getattr(block, name)))
    return model, batch, names


def worker_torch(folder, spec, threads, dequantize):
    import torch
    import export_models  # noqa: F401 (imported before the baseline)
    torch.set_num_threads(threads)
    baseline = common.rss_bytes()
    model, _, _ = adapted(spec, dequantize)
    model.train()
    batch = [torch.from_numpy(np.load(os.path.join(folder, n + ".npy")))
             for n in spec["inputs"]]
    step, optimizer = train.adamw_step(
        model, batch, [p for p in model.parameters() if p.requires_grad])
    step()  # the optimizer state exists after the first step
    state = sum(t.numel() * t.element_size()
                for t in list(model.parameters()) + list(model.buffers()))
    state += sum(v.numel() * v.element_size() for s in optimizer.state.values()
                 for v in s.values() if torch.is_tensor(v))
    return baseline, step, state


def worker(args):
    with open(os.path.join(args.model_dir, "spec.json")) as f:
        spec = json.load(f)
    if args.worker.startswith("quern"):
        baseline, step = train.worker_quern(args.model_dir, spec, args.worker)
        with open(os.path.join(args.model_dir, args.worker + ".json")) as f:
            state = json.load(f)["state"]["bytes"]
    else:
        baseline, step, state = worker_torch(
            args.model_dir, spec, args.threads, args.worker == "torch_dequant")
    train.report_child(step, args, baseline, state_bytes=state)


# ----------------------------------------------------------- parent side ----


def quantized_bits(manifest_path):
    """Bits per parameter of the quantized weights: their parts' bytes over
    their elements."""
    with open(manifest_path) as f:
        tensors = json.load(f)["state"]["tensors"]
    parts = [t for t in tensors if "quantization" in t]
    elements = {t["quantization"]["of"]: int(np.prod(t["quantization"]["shape"]))
                for t in parts}
    if not elements:
        return None
    return 8 * sum(t["bytes"] for t in parts) / sum(elements.values())


def ratios(row):
    """Step time and memory ratios of one row: quantized over f32 base,
    baselines over the quantized step."""
    def seconds(variant):
        return row.get(variant, {}).get("median_step_seconds")

    def rss(variant):
        return row.get(variant, {}).get("peak_rss_bytes")
    pairs = {"qlora_over_lora": (seconds("quern_qlora"), seconds("quern_lora")),
             "qlora_bf16_over_lora": (seconds("quern_qlora_bf16"),
                                      seconds("quern_lora")),
             "torch_dequant_over_qlora": (seconds("torch_dequant"),
                                          seconds("quern_qlora")),
             "torch_lora_over_qlora": (seconds("torch_lora"), seconds("quern_qlora")),
             "torch_dequant_over_qlora_bf16": (seconds("torch_dequant"),
                                               seconds("quern_qlora_bf16")),
             "torch_lora_over_qlora_bf16": (seconds("torch_lora"),
                                            seconds("quern_qlora_bf16")),
             "qlora_rss_over_lora": (rss("quern_qlora"), rss("quern_lora"))}
    return {key: a / b for key, (a, b) in pairs.items() if a and b}


def main():
    parser = common.arguments(__doc__, "qlora_step",
                              f"{QUICK_WARMUP} warm-up and {QUICK_STEPS} timed steps",
                              out_required=False)
    train.child_arguments(parser, tuple(QUERN_VARIANTS) + TORCH_VARIANTS)
    args = parser.parse_args()
    if args.worker:
        return worker(args)
    if not args.out:
        parser.error("--out is required")

    import torch
    torch.set_num_threads(1)
    build = os.path.abspath(args.build)
    result = {"benchmark": "qlora_step", "quick": args.quick,
              "machine": common.machine(build), "torch_version": torch.__version__,
              "rank": RANK, "alpha": ALPHA, "targets": list(TARGETS),
              "optimizer": {"name": "adamw", "lr": train.LR},
              "steps": QUICK_STEPS if args.quick else STEPS,
              "warmup": QUICK_WARMUP if args.quick else WARMUP, "rows": []}
    with tempfile.TemporaryDirectory() as work:
        for name, spec in MODELS.items():
            steps, warmup = ((QUICK_STEPS, QUICK_WARMUP) if args.quick
                             else spec.get("steps", (STEPS, WARMUP)))
            folder = os.path.join(work, name)
            record = train.prepare(name, spec, work, build, compile_fp32=False)
            compiled = {}
            for variant, (precision, flags) in QUERN_VARIANTS.items():
                seconds, error, _ = train.compile_step(
                    build, folder, variant, precision, LORA_FLAGS + flags)
                compiled[variant] = {"compile_seconds": seconds}
                if error:
                    compiled[variant]["compile_error"] = error
                else:
                    compiled[variant]["quantized_bits_per_parameter"] = \
                        quantized_bits(os.path.join(folder, variant + ".json"))
            # Double quantization's storage (compiled, not run).
            seconds, error, _ = train.compile_step(
                build, folder, "quern_qlora_double", "fp32",
                LORA_FLAGS + ["--quantize-frozen=nf4", "--double-quant"])
            record["double_quant_bits_per_parameter"] = (
                None if error else quantized_bits(
                    os.path.join(folder, "quern_qlora_double.json")))
            print(f"{name}: {record['parameters']} parameters; compiled in "
                  + ", ".join(f"{v} {c['compile_seconds']:.1f} s"
                              for v, c in compiled.items()))
            for threads in THREADS:
                row = dict(record, model=name, label=spec["label"], threads=threads)
                for variant in tuple(QUERN_VARIANTS) + TORCH_VARIANTS:
                    if "compile_error" in compiled.get(variant, {}):
                        row[variant] = compiled[variant]
                        continue
                    row[variant] = dict(
                        compiled.get(variant, {}),
                        **train.run_child(variant, folder, threads, steps, warmup,
                                          script=__file__))
                row.update(ratios(row))
                result["rows"].append(row)
                print(f"  {threads}T: " + ", ".join(
                    f"{v} " + (common.duration(row[v]["median_step_seconds"])
                               + f" {row[v]['peak_rss_bytes'] / 2**20:.0f} MiB"
                               if "median_step_seconds" in row[v]
                               else row[v].get("error", row[v].get("compile_error")))
                    for v in tuple(QUERN_VARIANTS) + TORCH_VARIANTS))
    common.write_result(args.out, result)


if __name__ == "__main__":
    sys.exit(main())
