#!/usr/bin/env python3
"""Mixture-of-experts training steps: a residual SwiGLU mixture-of-experts
layer (test/e2e/torch/export_models.py's MoELayer: router, top-k, the k
scores softmaxed, stacked expert weights, identity experts) with an MSE
loss, AdamW, at 1 and 2 threads. Writes moe_step.json.

Five ways to run the same step on the same weights and batch, each timed in
a child process of its own as bench/train.py times its models:

  quern         quernc --train: the block fused (quern-fuse-experts), each
                expert running on its routed tokens only, the activation
                computed tile by tile with the gate and up products;
  quern_apart   the same with --no-epilogue-fusion: the activation in a loop
                of its own over all rows;
  quern_dense   quernc --train --no-expert-fusion: every expert on every
                token, as the exported graph says;
  torch         PyTorch eager on the exported module (dense, likewise);
  torch_sparse  PyTorch eager running each expert on its own tokens
                (index the tokens, the expert's products, index_add back),
                as Hugging Face's Mixtral does.

The dense runs of the large layer are left out: 64 experts on every token
would take seconds a step and gigabytes for nothing the comparison needs.
The executed expert FLOPs (the routed rows' three products, forward and
backward) give each fused step's GFLOP/s.

The grouped products alone, at 1 thread: a child runs the fused step with
QUERN_PROFILE=1 and sums the time of the block's product kernels (its tile
products and weight-gradient chunks, from NAME_kernel_profile); the
executed FLOPs over that time are set beside one dense GEMM of the same
total size (the routed slots times d_model by ff, quernc's MatMul timed in
a C loop as bench/gemm.py times it).

    /usr/bin/python3 bench/moe.py --out DIR [--build BUILD] [--quick]
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

import numpy as np

import common
import train

THREADS = (1, 2)
STEPS, WARMUP = 30, 5
QUICK_STEPS, QUICK_WARMUP = 3, 1

MODELS = {
    "moe_8x2_top2": {
        "label": "8 SwiGLU experts + 2 identity experts, top-2, d_model 128, "
                 "ff 256, 256 tokens",
        "kind": "moe", "seed": 21, "dense": True,
        "config": {"d_model": 128, "ff": 256, "routed": 8, "identity": 2,
                   "k": 2, "tokens": 256}},
    "moe_64_top8": {
        "label": "64 SwiGLU experts, top-8, d_model 512, ff 1024, 1024 tokens",
        "kind": "moe", "seed": 22, "dense": False,
        "config": {"d_model": 512, "ff": 1024, "routed": 64, "identity": 0,
                   "k": 8, "tokens": 1024}},
}


def routed_slots(folder, spec):
    """How many of the batch's token slots go to experts with products, as
    the exported module routes them."""
    import torch
    model, _, _ = train.build_module(spec)
    model.load_state_dict(torch.load(os.path.join(folder, "weights.pt")))
    x = torch.from_numpy(np.load(os.path.join(folder, "x.npy")))
    with torch.no_grad():
        _, indices = model.moe.route(x)
    return int((indices < spec["config"]["routed"]).sum())


def profile_worker(folder, steps):
    """Child, with QUERN_PROFILE=1: the seconds per step spent in the fused
    block's product kernels (the manifest's kernels of kind contraction
    whose source is a fused block's)."""
    from compiled_model import CompiledModel
    model = CompiledModel(os.path.join(folder, "step"))
    batch = [np.load(os.path.join(folder, name + ".npy"))
             for name in ("x", "target")]
    call, _ = model.bind("train_step", batch + [np.float32(train.LR)])
    for _ in range(steps):
        call()
    nanoseconds, _ = model.kernel_profile()
    blocks = {block["source"] for block in model.manifest["experts"]}
    seconds = sum(spent for spent, kernel in zip(nanoseconds,
                                                 model.manifest["kernels"])
                  if kernel["kind"] == "contraction"
                  and kernel["source"] in blocks) / 1e9
    print(json.dumps({"grouped_seconds_per_step": seconds / steps}))


def grouped_against_dense(folder, record, spec, work, build, steps, quick):
    """{grouped_gflops, dense_gflops, ratio} at 1 thread, or an error."""
    env = dict(os.environ, QUERN_PROFILE="1", OMP_NUM_THREADS="1",
               QUERN_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")
    run = subprocess.run(
        [common.PYTHON, os.path.abspath(__file__), "--profile-worker", folder,
         "--steps", str(steps)], env=env, capture_output=True, text=True)
    if run.returncode != 0:
        return {"error": common.tail(run.stderr)}
    grouped = json.loads(run.stdout.strip().splitlines()[-1])
    import gemm
    from compiled_model import CompiledModel
    c = spec["config"]
    rows = record["routed_slots"]
    stem, _, error = gemm.compile_model(build, work, f"dense_{rows}",
                                        rows, c["d_model"], c["ff"], False, False)
    if error:
        return {"error": error}
    runtimes = gemm.Runtimes(gemm.build_probe(work))
    runtimes.use_quern(1)
    model = CompiledModel(stem)
    rng = np.random.default_rng(0)
    a, b, _ = gemm.operands(rows, c["d_model"], c["ff"], False, False, rng)
    call, _ = model.bind("forward", [a, b])
    seconds = gemm.timed(gemm.quern_loop(runtimes.probe, call), quick)
    result = {"grouped_gflops": record["executed_flops"] / 1e9
              / grouped["grouped_seconds_per_step"],
              "dense_gflops": 2 * rows * c["d_model"] * c["ff"] / seconds / 1e9,
              "dense_shape": [rows, c["d_model"], c["ff"]]}
    result["ratio"] = result["grouped_gflops"] / result["dense_gflops"]
    return result


def main():
    parser = common.arguments(
        __doc__, "moe_step", f"{QUICK_WARMUP} warm-up and {QUICK_STEPS} timed "
        "steps", out_required=False)
    parser.add_argument("--profile-worker", help=argparse.SUPPRESS)
    parser.add_argument("--steps", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.profile_worker:
        return profile_worker(args.profile_worker, args.steps)
    if not args.out:
        parser.error("--out is required")
    import torch
    torch.set_num_threads(1)
    build = os.path.abspath(args.build)
    steps, warmup = (QUICK_STEPS, QUICK_WARMUP) if args.quick else (STEPS, WARMUP)
    result = {"benchmark": "moe_step", "quick": args.quick,
              "machine": common.machine(build), "torch_version": torch.__version__,
              "optimizer": {"name": "adamw", "lr": train.LR},
              "steps": steps, "warmup": warmup, "rows": []}
    with tempfile.TemporaryDirectory() as work:
        for name, spec in MODELS.items():
            record = train.prepare(name, spec, work, build)
            folder = os.path.join(work, name)
            frameworks = ["quern", "torch_sparse", "quern_apart"]
            variants = {"quern_apart": ("apart", "--no-epilogue-fusion")}
            if spec["dense"]:
                variants["quern_dense"] = ("dense", "--no-expert-fusion")
                frameworks += ["quern_dense", "torch"]
            for stem, flag in variants.values():
                seconds, error, _ = train.compile_step(
                    build, folder, stem, "fp32", [flag])
                record[f"{stem}_compile_seconds"] = seconds
                if error:
                    record[f"{stem}_compile_error"] = error
            c = spec["config"]
            # Forward and backward of the three products of a routed slot.
            record["routed_slots"] = routed_slots(folder, spec)
            record["executed_flops"] = (3 * 3 * 2 * c["d_model"] * c["ff"]
                                        * record["routed_slots"])
            print(f"{name}: {record['parameters']} parameters, compiled in "
                  f"{record['compile_seconds']:.1f} s", flush=True)
            for threads in THREADS:
                row = dict(record, model=name, label=spec["label"],
                           threads=threads)
                for framework in frameworks:
                    if framework.startswith("quern") and "compile_error" in record:
                        continue
                    if (framework in variants and
                            f"{variants[framework][0]}_compile_error" in record):
                        continue
                    child, stem = (("quern", variants[framework][0])
                                   if framework in variants
                                   else (framework, "step"))
                    row[framework] = train.run_child(child, folder, threads,
                                                     steps, warmup, stem=stem)
                fused = row.get("quern", {}).get("median_step_seconds")
                for other in frameworks[1:]:
                    seconds = row[other].get("median_step_seconds")
                    if fused and seconds:
                        row[f"speedup_over_{other}"] = seconds / fused
                if fused:
                    row["executed_gflops"] = record["executed_flops"] / fused / 1e9
                if threads == 1 and "compile_error" not in record:
                    row["grouped_products"] = grouped_against_dense(
                        folder, record, spec, work, build, steps + warmup,
                        args.quick)
                result["rows"].append(row)
                print(f"  {threads}T: " + ", ".join(
                    f"{fw} " + (common.duration(row[fw]["median_step_seconds"])
                                if "median_step_seconds" in row[fw]
                                else row[fw]["error"])
                    for fw in frameworks if fw in row), flush=True)
    common.write_result(args.out, result)


if __name__ == "__main__":
    sys.exit(main())
