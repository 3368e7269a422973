#!/usr/bin/env python3
"""Pretrain a small GPT, then fine-tune it with LoRA adapters, all from
Python: compile both training steps with Quern, move the weights from one
model to the other, train, plot the loss, save the adapters and load them
into a fresh copy.

    /usr/bin/python3 examples/python/finetune.py [--steps N] [--out DIR]

The model is examples/tinygpt/tinygpt.onnx (a byte-level GPT: 2 layers,
d_model 64, 8 windows of 64 bytes per step). It is pretrained on the first
three quarters of the sonnets in examples/tinygpt/sonnets.txt and
fine-tuned on the rest. docs/Python.md walks through it.
"""
import argparse
import os

import numpy as np

import quern

HERE = os.path.dirname(os.path.abspath(__file__))
TINYGPT = os.path.join(HERE, "..", "tinygpt")


def windows(text, batch, length, rng):
    """Endless batches of random windows of `text`: tokens and the bytes
    that follow them (the targets)."""
    while True:
        starts = rng.integers(0, len(text) - length - 1, batch)
        yield {"tokens": np.stack([text[s:s + length] for s in starts]),
               "targets": np.stack([text[s + 1:s + length + 1] for s in starts])}


def mean_loss(model, batches, count=8):
    return float(np.mean([model.forward(**next(batches))["loss"]
                          for _ in range(count)]))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=300,
                        help="steps of pretraining and of fine-tuning each")
    parser.add_argument("--out", default="finetune-out")
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    onnx_path = os.path.join(TINYGPT, "tinygpt.onnx")
    with open(os.path.join(TINYGPT, "sonnets.txt"), "rb") as f:
        raw = f.read()
    text = np.frombuffer(raw, dtype=np.uint8).astype(np.int64)
    # The last quarter of the sonnets, from a sonnet's start: the new text.
    split = raw.rfind(b"\n\n", 0, len(raw) * 3 // 4) + 2
    old, new = text[:split], text[split:]

    # 1. Pretrain every weight with AdamW (quernc --train --optimizer=adamw).
    base = quern.compile(onnx_path, os.path.join(args.out, "base"), train=True,
                         optimizer="adamw", clip_grad_norm=1.0)
    (batch, length), _ = base.inputs(train=True)["tokens"]
    rng = np.random.default_rng(0)
    quern.train(base, windows(old, batch, length, rng), steps=args.steps,
                lr=lambda step: 3e-3 * min(1.0, step / 50))
    base.save(os.path.join(args.out, "base.safetensors"))

    # 2. The LoRA step: rank-16 adapters (alpha 32) on every matrix product;
    #    only they train. It starts from the pretrained weights.
    model = quern.compile(onnx_path, os.path.join(args.out, "lora"),
                          train=True, optimizer="adamw", lora=(16, 32))
    model.load_state_dict(base.state_dict(), strict=False)
    base.close()
    held_out = windows(new, batch, length, np.random.default_rng(1))
    before = mean_loss(model, held_out)

    # 3. Fine-tune on the new sonnets with quern-train's log, and plot it.
    log = os.path.join(args.out, "loss.csv")
    quern.train(model, windows(new, batch, length, rng), steps=args.steps,
                lr=2e-3, log=log)
    after = mean_loss(model, windows(new, batch, length,
                                     np.random.default_rng(1)))
    print(f"loss on the new sonnets: {before:.3f} before fine-tuning, "
          f"{after:.3f} after")
    quern.plot_loss(log, os.path.join(args.out, "loss.png"))

    # 4. Keep the adapters alone (a few hundred KB), and apply them to a
    #    fresh copy of the LoRA model with the pretrained weights.
    model.save_adapters(os.path.join(args.out, "adapters.safetensors"))
    probe = next(held_out)
    trained = float(model.forward(**probe)["loss"])
    with quern.load(os.path.join(args.out, "lora.so")) as fresh:
        fresh.load_state_dict(quern_state(args.out), strict=False)
        fresh.load_adapters(os.path.join(args.out, "adapters.safetensors"))
        applied = float(fresh.forward(**probe)["loss"])
    print(f"a fresh copy with the adapters: loss {applied:.4f} "
          f"(the fine-tuned model: {trained:.4f})")
    model.close()


def quern_state(out):
    """The pretrained weights, from the base model's checkpoint."""
    with quern.load(os.path.join(out, "base.so")) as base:
        base.load(os.path.join(out, "base.safetensors"))
        return {name: value.copy() for name, value in base.state_dict().items()}


if __name__ == "__main__":
    main()
