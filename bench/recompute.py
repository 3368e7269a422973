#!/usr/bin/env python3
"""Recomputation under a memory budget: the memory/time curve of GPT
training steps compiled with quernc --activation-budget, against PyTorch
eager with and without torch.utils.checkpoint on every block. Writes
recompute_step.json.

For each model, Quern's step (AdamW) is compiled without a budget and with
budgets of 50%, 33% and 20% of that step's workspace, and at the least
workspace recomputation reaches (quernc names it when asked for 1 byte).
Each compile reports its workspace, the FLOPs recomputed per step, the
solver's time and gap and the compile time; each step is timed in a child
process of its own (bench/train.py's children) with its peak RSS. A budget
the step cannot meet is recorded with quernc's error.

PyTorch runs the same model, weights and batch eagerly, once plainly and
once with every block under torch.utils.checkpoint (the memory a PyTorch
user gets from one line); "activation memory" for PyTorch is its peak RSS
less the RSS after building the model and optimizer state.

    /usr/bin/python3 bench/recompute.py --out DIR [--build BUILD] [--quick]
"""
import json
import os
import re
import subprocess
import sys
import tempfile

import numpy as np

import common
import train

THREADS = (1, 2)
STEPS, WARMUP = 10, 2
QUICK_STEPS, QUICK_WARMUP = 2, 1
BUDGETS = ("50%", "33%", "20%")
TORCH_VARIANTS = ("torch", "torch_checkpoint")

MODELS = {
    "gpt2_8x256": dict(train.MODELS["gpt2_8x256"]),
    "gpt2_12x768": {
        "label": "GPT-2, 12 layers, d_model 768, 12 heads, seq 256, batch 4, "
                 "vocab 50257",
        "kind": "gpt2", "seed": 15, "steps": (3, 1), "threads": (2,),
        "config": {"vocab": 50257, "d_model": 768, "n_head": 12, "seq": 256,
                   "batch": 4, "n_layer": 12}},
}

# A step too big for the machine without recomputation: this GPT-2 plans
# 27.5 GiB of workspace, more than the 23 GiB of the machine the benchmarks
# are run on; with a budget it trains. Run unless --quick.
TOO_BIG = ("gpt2_12x768_b16", {
    "label": "GPT-2, 12 layers, d_model 768, 12 heads, seq 1024, batch 16, "
             "vocab 50257",
    "kind": "gpt2", "seed": 15, "steps": (1, 1), "threads": 2,
    "budget": "12GiB",
    "config": {"vocab": 50257, "d_model": 768, "n_head": 12, "seq": 1024,
               "batch": 16, "n_layer": 12}})

# quernc's error for a budget below the least it reaches.
LEAST = re.compile(r"the smallest budget recomputation can meet is (\d+) bytes")


# ------------------------------------------------------------ child side ----


def worker_torch(folder, spec, threads, checkpointed):
    import torch
    import torch.utils.checkpoint
    import export_models  # noqa: F401 (build_module's; imported before the baseline)
    torch.set_num_threads(threads)
    baseline = common.rss_bytes()
    model, _, _ = train.build_module(spec)
    model.load_state_dict(torch.load(os.path.join(folder, "weights.pt")))
    model.train()
    if checkpointed:
        for block in model.blocks:
            forward = block.forward
            block.forward = (lambda f: lambda *a: torch.utils.checkpoint.checkpoint(
                f, *a, use_reentrant=False))(forward)
    batch = [torch.from_numpy(np.load(os.path.join(folder, n + ".npy")))
             for n in spec["inputs"]]
    step, _ = train.adamw_step(model, batch, model.parameters())
    step()  # the optimizer's state exists after the first step
    return baseline, step, common.rss_bytes()


def worker(args):
    with open(os.path.join(args.model_dir, "spec.json")) as f:
        spec = json.load(f)
    if args.worker == "quern":
        baseline, step = train.worker_quern(args.model_dir, spec, args.stem)
        ready = common.rss_bytes()
    else:
        baseline, step, ready = worker_torch(
            args.model_dir, spec, args.threads, args.worker == "torch_checkpoint")
    train.report_child(step, args, baseline, rss_ready_bytes=ready)


# ----------------------------------------------------------- parent side ----


def compile_budget(build, folder, stem, budget):
    """quernc with --activation-budget=`budget` (None: without): its
    record (compile seconds, the manifest's memory, or the error)."""
    flags = [f"--activation-budget={budget}"] if budget else []
    seconds, error, _ = train.compile_step(build, folder, stem, "fp32", flags)
    record = {"budget": budget, "compile_seconds": seconds}
    if error:
        record["compile_error"] = error
        return record
    with open(os.path.join(folder, stem + ".json")) as f:
        memory = json.load(f)["memory"]
    record.update(workspace_bytes=memory["workspace_bytes"],
                  kept_for_backward_bytes=memory.get("kept_for_backward_bytes"))
    if "recompute" in memory:
        record.update(recomputed_flops=memory["recompute"]["flops"],
                      solve_seconds=memory["recompute"]["solve_seconds"],
                      optimality_gap=memory["recompute"]["optimality_gap"])
    return record


def least_budget(build, folder):
    """The least workspace recomputation reaches, from quernc's error for a
    1-byte budget; None if quernc does not say."""
    run = subprocess.run(
        [os.path.join(build, "bin", "quernc"), os.path.join(folder, "model.onnx"),
         "--train", "--optimizer=adamw", "--activation-budget=1",
         "-o", os.path.join(folder, "least_probe")],
        capture_output=True, text=True)
    match = LEAST.search(run.stderr)
    return int(match.group(1)) if match else None


def too_big(build, work):
    """TOO_BIG's record: its step compiled without a budget (run only if
    its workspace and state fit in the machine's memory) and with one."""
    name, spec = TOO_BIG
    folder = os.path.join(work, name)
    steps, warmup = spec["steps"]
    record = dict(train.prepare(name, spec, work, build, compile_fp32=False),
                  model=name, label=spec["label"], threads=spec["threads"],
                  tokens=spec["config"]["batch"] * spec["config"]["seq"],
                  machine_memory_bytes=common.memory_bytes())
    for stem, budget in (("keep", None), ("budget", spec["budget"])):
        compiled = compile_budget(build, folder, stem, budget)
        if "compile_error" not in compiled:
            compiled["state_bytes"] = os.path.getsize(
                os.path.join(folder, stem + ".safetensors"))
            needs = compiled["workspace_bytes"] + compiled["state_bytes"]
            # With room for the runtime, the page cache and the parent.
            if needs < 0.85 * record["machine_memory_bytes"]:
                compiled.update(train.run_child("quern", folder, spec["threads"],
                                                steps, warmup, stem=stem,
                                                script=__file__))
            else:
                compiled["not_run"] = "workspace and state exceed the machine's memory"
        record[stem] = compiled
        print(f"{name} {budget or 'none'}: " + ", ".join(
            f"{k} {v}" for k, v in compiled.items()
            if k in ("workspace_bytes", "median_step_seconds", "peak_rss_bytes",
                     "not_run", "compile_error", "error")))
    return record


def main():
    parser = common.arguments(__doc__, "recompute_step",
                              f"{QUICK_WARMUP} warm-up and {QUICK_STEPS} timed steps",
                              out_required=False)
    train.child_arguments(parser, ("quern",) + TORCH_VARIANTS)
    args = parser.parse_args()
    if args.worker:
        return worker(args)
    if not args.out:
        parser.error("--out is required")

    import torch
    build = os.path.abspath(args.build)
    result = {"benchmark": "recompute_step", "quick": args.quick,
              "machine": common.machine(build), "torch_version": torch.__version__,
              "optimizer": {"name": "adamw", "lr": train.LR}, "rows": []}
    with tempfile.TemporaryDirectory() as work:
        for name, spec in MODELS.items():
            steps, warmup = ((QUICK_STEPS, QUICK_WARMUP) if args.quick
                             else spec.get("steps", (STEPS, WARMUP)))
            folder = os.path.join(work, name)
            record = train.prepare(name, spec, work, build, compile_fp32=False)
            compiles = [compile_budget(build, folder, "keep", None)]
            for index, budget in enumerate(BUDGETS):
                compiles.append(compile_budget(build, folder, f"budget{index}", budget))
            least = least_budget(build, folder)
            if least:
                compiles.append(dict(compile_budget(build, folder, "least", str(least)),
                                     least=True))
            stems = ["keep"] + [f"budget{i}" for i in range(len(BUDGETS))] + (
                ["least"] if least else [])
            # Quern at the activation memory PyTorch's checkpointing takes
            # (its peak RSS over its RSS once the model and optimizer are
            # built), or the least it reaches if that is less.
            threads_list = spec.get("threads", THREADS)
            checkpointed = train.run_child("torch_checkpoint", folder,
                                           threads_list[0], steps, warmup,
                                           script=__file__)
            if "peak_rss_bytes" in checkpointed:
                matched = max(checkpointed["peak_rss_bytes"]
                              - checkpointed["rss_ready_bytes"], least or 0)
                compiles.append(dict(compile_budget(build, folder, "matched",
                                                    str(matched)),
                                     matches="torch_checkpoint"))
                stems.append("matched")
            print(f"{name}: " + ", ".join(
                f"{c['budget'] or 'none'} "
                + (f"{c['workspace_bytes'] / 2**20:.1f} MiB in {c['compile_seconds']:.1f} s"
                   if "workspace_bytes" in c else "cannot")
                for c in compiles))
            for threads in threads_list:
                row = dict(record, model=name, label=spec["label"], threads=threads,
                           quern=[])
                for stem, compiled in zip(stems, compiles):
                    run = ({} if "compile_error" in compiled else
                           train.run_child("quern", folder, threads, steps, warmup,
                                           stem=stem, script=__file__))
                    row["quern"].append(dict(compiled, **run))
                for variant in TORCH_VARIANTS:
                    row[variant] = train.run_child(variant, folder, threads, steps,
                                                   warmup, script=__file__)
                keep = row["quern"][0].get("median_step_seconds")
                for entry in row["quern"]:
                    if keep and entry.get("median_step_seconds"):
                        entry["time_over_keep"] = entry["median_step_seconds"] / keep
                result["rows"].append(row)
                print(f"  {threads}T: " + ", ".join(
                    f"{e['budget'] or 'none'} " + (
                        common.duration(e["median_step_seconds"])
                        + f" {e['peak_rss_bytes'] / 2**20:.0f} MiB"
                        if "median_step_seconds" in e else "-")
                    for e in row["quern"]) + "; " + ", ".join(
                    f"{v} " + (common.duration(row[v]["median_step_seconds"])
                               + f" {row[v]['peak_rss_bytes'] / 2**20:.0f} MiB"
                               if "median_step_seconds" in row[v]
                               else row[v].get("error", "?"))
                    for v in TORCH_VARIANTS))
        if not args.quick:
            result["too_big"] = too_big(build, work)
    common.write_result(args.out, result)


if __name__ == "__main__":
    sys.exit(main())
