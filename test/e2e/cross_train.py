"""A training step built for another CPU (AArch64 or RISC-V 64), run under
qemu, against the same step built for the host.

    cross_train.py TARGET_STEM HOST_STEM HARNESS [THREADS,...]

Both libraries come from the same model and flags, and start from their
own state files. The target's library runs STEPS training steps on one
fixed batch (each step takes seconds under qemu) on each thread count
given (QUERN_NUM_THREADS; default: the library's own). The losses must
agree with the host's within 0.1% at every step (the two instruction sets
round and sum the products differently: measured 1e-4 after ten steps),
be bitwise the same for every thread count, and the last loss must be
below the first (the step trains).
"""
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "scripts"))
import qemu  # noqa: E402
from compiled_model import DTYPES, CompiledModel, initial_state  # noqa: E402

STEPS, LR, TOLERANCE = 3, 3e-3, 1e-3


def main(target_stem, host_stem, harness, threads=None):
    with open(target_stem + ".json") as f:
        manifest = json.load(f)
    spec = manifest["entry_points"]["train_step"]
    rng = np.random.default_rng(5)
    tokens, targets = (rng.integers(0, 256, spec["inputs"][0]["shape"]),
                       rng.integers(0, 256, spec["inputs"][1]["shape"]))
    inputs = [tokens, targets, np.float32(LR)]

    name = qemu.emulator(target_stem + ".so")[0]
    runs, teams = {}, {}
    for count in (threads.split(",") if threads else [None]):
        _, runs[count], teams[count] = qemu.run(
            harness, target_stem, "train_step", inputs,
            [(o["shape"], DTYPES[o["dtype"]]) for o in spec["outputs"]],
            state=initial_state(manifest, target_stem + ".safetensors"),
            repeat=STEPS, threads=count)
    target_losses = next(iter(runs.values()))

    call, outputs = CompiledModel(host_stem).bind("train_step", inputs)
    host_losses = []
    for _ in range(STEPS):
        call()
        host_losses.append(float(outputs[0]))

    worst = max(abs(a - h) / abs(h) for a, h in zip(target_losses, host_losses))
    print(f"{len(target_losses)} steps: loss {target_losses[0]:.4f} -> "
          f"{target_losses[-1]:.4f} on {name}, {host_losses[0]:.4f} -> "
          f"{host_losses[-1]:.4f} on the host")
    print(f"largest relative difference {worst:.1e} "
          f"({'ok' if worst < TOLERANCE and len(target_losses) == STEPS else 'FAIL'}), "
          f"{'trains' if target_losses[-1] < target_losses[0] else 'does not train'}")
    if threads:
        same = all(losses == target_losses for losses in runs.values())
        print(f"threads {threads}: "
              f"{'bitwise the same losses' if same else 'DIFFERENT losses'}, "
              "teams of "
              + ",".join("none" if team is None else str(team)
                         for team in teams.values()))


if __name__ == "__main__":
    main(*sys.argv[1:])
