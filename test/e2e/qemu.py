"""Running a library quernc built for another CPU under qemu-user, through
Inputs/entry_raw.c built with Debian's cross gcc for that CPU. The CPU is
read off the library's ELF header: AArch64 runs with `-cpu max` (every
extension, BF16 included), RISC-V 64 with the vector extension at a VLEN
of 256 bits."""
import os
import subprocess

import numpy as np

# ELF e_machine -> (name, qemu and its options)
EMULATORS = {
    183: ("AArch64", ["qemu-aarch64", "-cpu", "max",
                      "-L", "/usr/aarch64-linux-gnu"]),
    243: ("RISC-V 64", ["qemu-riscv64", "-cpu",
                        "rv64,v=true,vlen=256,elen=64,vext_spec=v1.0",
                        "-L", "/usr/riscv64-linux-gnu"]),
}


def emulator(library):
    """The (name, command) that runs `library` (a .so built by quernc)."""
    with open(library, "rb") as f:
        header = f.read(20)
    machine = int.from_bytes(header[18:20], "little")
    if header[:4] != b"\x7fELF" or machine not in EMULATORS:
        raise SystemExit(f"{library}: not an AArch64 or RISC-V 64 library")
    return EMULATORS[machine]


def run(harness, stem, entry, inputs, outputs, state=None, repeat=1,
        threads=None):
    """Calls NAME_ENTRY of STEM.so `repeat` times on `inputs` (numpy arrays)
    with `state` (a byte buffer, or zeros), on `threads` threads
    (QUERN_NUM_THREADS; the library's default if None); `outputs` are
    (shape, dtype) pairs. Returns (the outputs of the last call, the first
    f32 of output 0 after each call, the team size the harness saw (the
    library's OpenMP one, or the widest on its dispatch_apply_f stand-in),
    or None for a library on one thread)."""
    ins = []
    for i, value in enumerate(inputs):
        ins.append(f"{stem}.{entry}.in{i}.bin")
        np.ascontiguousarray(value).tofile(ins[-1])
    outs = [f"{stem}.{entry}.out{i}.bin" for i in range(len(outputs))]
    options = ["--repeat", str(repeat)]
    if state is not None:
        options += ["--state", f"{stem}.state.bin"]
        state.tofile(options[-1])
    environment = dict(os.environ)
    if threads is not None:
        environment["QUERN_NUM_THREADS"] = str(threads)
    result = subprocess.run(
        [*emulator(stem + ".so")[1], harness, stem + ".so",
         os.path.basename(stem), entry, *options, *ins, "--",
         *(f"{out}:{np.dtype(dtype).itemsize * int(np.prod(shape))}"
           for out, (shape, dtype) in zip(outs, outputs))],
        check=True, capture_output=True, text=True, env=environment)
    lines = result.stdout.splitlines()
    firsts = [float(line.split(":")[1]) for line in lines
              if line.startswith("call ")]
    team = next((int(line.split()[1]) for line in lines
                 if line.startswith("threads ")), None)
    return ([np.fromfile(out, dtype).reshape(shape)
             for out, (shape, dtype) in zip(outs, outputs)], firsts, team)
