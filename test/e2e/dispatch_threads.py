"""A library built with --thread-runtime=dispatch against the same model
built for OpenMP, both on the host.

    dispatch_threads.py STANDIN.so DISPATCH_STEM OPENMP_STEM

Loads the dispatch_apply_f stand-in (Inputs/dispatch_standin.c) into the
process first, then both libraries, whose thread counts come from
QUERN_NUM_THREADS as they load. Runs STEPS training steps of each on one
fixed batch and compares the losses and the final state bitwise (threads
split output tiles, so neither the runtime nor the thread count changes a
bit). Prints how many parallel loops ran on the stand-in and how wide the
widest was.
"""
import ctypes
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "scripts"))
from compiled_model import CompiledModel  # noqa: E402

STEPS, LR = 3, 3e-3


def train(model, inputs):
    call, outputs = model.bind("train_step", inputs)
    losses = []
    for _ in range(STEPS):
        call()
        losses.append(float(outputs[0]))
    return losses


def main(standin, dispatch_stem, openmp_stem):
    runtime = ctypes.CDLL(os.path.abspath(standin), mode=ctypes.RTLD_GLOBAL)
    runtime.standin_calls.restype = ctypes.c_long
    runtime.standin_widest.restype = ctypes.c_long
    dispatch, openmp = CompiledModel(dispatch_stem), CompiledModel(openmp_stem)
    spec = dispatch.manifest["entry_points"]["train_step"]
    rng = np.random.default_rng(5)
    inputs = [rng.integers(0, 256, spec["inputs"][0]["shape"]),
              rng.integers(0, 256, spec["inputs"][1]["shape"]), np.float32(LR)]
    dispatch_losses = train(dispatch, inputs)
    openmp_losses = train(openmp, inputs)
    print(f"{STEPS} steps: loss {dispatch_losses[0]:.4f} -> "
          f"{dispatch_losses[-1]:.4f} on libdispatch, "
          f"{openmp_losses[0]:.4f} -> {openmp_losses[-1]:.4f} on OpenMP")
    same = (dispatch_losses == openmp_losses and
            np.array_equal(dispatch.state, openmp.state))
    print("losses and state " + ("bitwise the same" if same else "DIFFERENT"))
    print(f"{runtime.standin_calls()} parallel loops on the stand-in, "
          f"widest {runtime.standin_widest()}")


if __name__ == "__main__":
    main(*sys.argv[1:])
