"""A training step built for AArch64 (bf16 with BFDOT, or a QLoRA step),
run under qemu-aarch64, against the same step built for the host.

    bf16_train_aarch64.py A64_STEM HOST_STEM HARNESS

Both libraries come from the same model and flags (quernc --train
--precision=bf16, or --lora --quantize-frozen), and start from their own
state files. Each runs STEPS
training steps on one fixed batch (each step takes seconds under qemu);
the losses must agree within 0.1% at every step (the two instruction sets
round and sum the products differently: measured 1e-4 after ten steps),
and the last loss must be below the first (the step trains).
"""
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "scripts"))
import qemu_aarch64  # noqa: E402
from compiled_model import DTYPES, CompiledModel, initial_state  # noqa: E402

STEPS, LR, TOLERANCE = 3, 3e-3, 1e-3


def main(a64_stem, host_stem, harness):
    with open(a64_stem + ".json") as f:
        manifest = json.load(f)
    spec = manifest["entry_points"]["train_step"]
    rng = np.random.default_rng(5)
    tokens, targets = (rng.integers(0, 256, spec["inputs"][0]["shape"]),
                       rng.integers(0, 256, spec["inputs"][1]["shape"]))
    inputs = [tokens, targets, np.float32(LR)]

    _, a64_losses = qemu_aarch64.run(
        harness, a64_stem, "train_step", inputs,
        [(o["shape"], DTYPES[o["dtype"]]) for o in spec["outputs"]],
        state=initial_state(manifest, a64_stem + ".safetensors"), repeat=STEPS)

    call, outputs = CompiledModel(host_stem).bind("train_step", inputs)
    host_losses = []
    for _ in range(STEPS):
        call()
        host_losses.append(float(outputs[0]))

    worst = max(abs(a - h) / abs(h) for a, h in zip(a64_losses, host_losses))
    print(f"{len(a64_losses)} steps: loss {a64_losses[0]:.4f} -> "
          f"{a64_losses[-1]:.4f} on AArch64, {host_losses[0]:.4f} -> "
          f"{host_losses[-1]:.4f} on the host")
    print(f"largest relative difference {worst:.1e} "
          f"({'ok' if worst < TOLERANCE and len(a64_losses) == STEPS else 'FAIL'}), "
          f"{'trains' if a64_losses[-1] < a64_losses[0] else 'does not train'}")


if __name__ == "__main__":
    main(*sys.argv[1:])
