"""Running a library quernc built for AArch64 under qemu-aarch64 (-cpu max:
every extension, BF16 included) through Inputs/entry_raw.c, built with
Debian's cross gcc."""
import os
import subprocess

import numpy as np

SYSROOT = "/usr/aarch64-linux-gnu"


def run(harness, stem, entry, inputs, outputs, state=None, repeat=1):
    """Calls NAME_ENTRY of STEM.so `repeat` times on `inputs` (numpy arrays)
    with `state` (a byte buffer, or zeros); `outputs` are (shape, dtype)
    pairs. Returns (the outputs of the last call, the first f32 of output 0
    after each call)."""
    ins = []
    for i, value in enumerate(inputs):
        ins.append(f"{stem}.{entry}.in{i}.bin")
        np.ascontiguousarray(value).tofile(ins[-1])
    outs = [f"{stem}.{entry}.out{i}.bin" for i in range(len(outputs))]
    options = ["--repeat", str(repeat)]
    if state is not None:
        options += ["--state", f"{stem}.state.bin"]
        state.tofile(options[-1])
    result = subprocess.run(
        ["qemu-aarch64", "-cpu", "max", "-L", SYSROOT, harness, stem + ".so",
         os.path.basename(stem), entry, *options, *ins, "--",
         *(f"{out}:{np.dtype(dtype).itemsize * int(np.prod(shape))}"
           for out, (shape, dtype) in zip(outs, outputs))],
        check=True, capture_output=True, text=True)
    firsts = [float(line.split(":")[1]) for line in result.stdout.splitlines()
              if line.startswith("call ")]
    return ([np.fromfile(out, dtype).reshape(shape)
             for out, (shape, dtype) in zip(outs, outputs)], firsts)
