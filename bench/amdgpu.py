#!/usr/bin/env python3
"""amdgpu: the training steps of two GPT-2 models (bench/train.py's
gpt2_8x256 and gpt2_small) compiled for AMD GPUs (gfx90a, gfx942, gfx1100;
fp32 and bf16) and, in the same run, for the host: compile time, the code
object's size, its kernels and the most registers, LDS and scratch a
kernel uses. No AMD GPU is at hand: nothing here runs on one. Writes
amdgpu_compile.json.

    /usr/bin/python3 bench/amdgpu.py --out DIR [--build BUILD] [--quick]
"""
import os
import shutil
import tempfile

import common
import code_object_report
import train

# (model, chip, precision); chip None: the host.
BUILDS = [("gpt2_8x256", None, "fp32"), ("gpt2_8x256", "gfx90a", "fp32"),
          ("gpt2_8x256", "gfx90a", "bf16"), ("gpt2_8x256", "gfx942", "fp32"),
          ("gpt2_8x256", "gfx1100", "fp32"), ("gpt2_8x256", "gfx1100", "bf16"),
          ("gpt2_small", None, "fp32"), ("gpt2_small", "gfx90a", "fp32")]
QUICK_BUILDS = [("gpt2_8x256", None, "fp32"), ("gpt2_8x256", "gfx90a", "fp32")]


def readelf():
    return shutil.which("llvm-readelf-19") or shutil.which("llvm-readelf")


def bench_build(build, folder, chip, precision):
    stem = f"{chip or 'host'}_{precision}"
    flags = ["--target=amdgcn-amd-amdhsa", f"-mcpu={chip}"] if chip else []
    seconds, error, phases = train.compile_step(build, folder, stem, precision,
                                                flags)
    row = {"chip": chip or "host", "precision": precision,
           "compile_seconds": seconds,
           "codegen_seconds": phases.get("MLIR code generation"),
           "emit_seconds": phases.get("Emit (LLVM code generation, link)")}
    if error:
        return dict(row, error=error)
    library = os.path.join(folder, stem + ".so")
    row["library_bytes"] = os.path.getsize(library)
    if chip:
        code_object = os.path.join(folder, stem + ".hsaco")
        target, kernels, problems = code_object_report.inspect(readelf(),
                                                               code_object)
        most = lambda field: code_object_report.most(kernels, field)  # noqa
        row.update(target=target, code_object_bytes=os.path.getsize(code_object),
                   kernels=len(kernels),
                   wavefront_size=kernels[0]["wavefront_size"],
                   max_vgprs=most("vgpr_count"), max_sgprs=most("sgpr_count"),
                   max_lds_bytes=most("group_segment_fixed_size"),
                   max_scratch_bytes=most("private_segment_fixed_size"),
                   over_limits=problems)
    return row


def main():
    parser = common.arguments(__doc__, "amdgpu",
                              "gpt2_8x256 for the host and gfx90a only")
    args = parser.parse_args()
    build = os.path.abspath(args.build)
    rows = []
    with tempfile.TemporaryDirectory() as work:
        for model, chip, precision in QUICK_BUILDS if args.quick else BUILDS:
            folder = os.path.join(work, model)
            if not os.path.isdir(folder):
                train.prepare(model, train.MODELS[model], work, build,
                              compile_fp32=False)
            row = dict(bench_build(build, folder, chip, precision),
                       model=model, label=train.MODELS[model]["label"])
            print(f"amdgpu: {model} {row['chip']} {precision}: "
                  f"{row['compile_seconds']:.1f} s"
                  + (f", {row['kernels']} kernels, "
                     f"{row['code_object_bytes'] / 2**20:.1f} MiB"
                     if "kernels" in row else "")
                  + (f", {row['error']}" if "error" in row else ""),
                  flush=True)
            rows.append(row)
    common.write_result(args.out, {"benchmark": "amdgpu_compile",
                                   "quick": args.quick, "rows": rows})


if __name__ == "__main__":
    main()
