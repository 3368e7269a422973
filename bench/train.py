#!/usr/bin/env python3
"""Training steps: `quernc --train --optimizer=adamw` against PyTorch eager
training of the same module, on the same weights and the same batch, at 1
and 2 threads. Writes train_step.json.

Each model is a PyTorch module from test/e2e/torch/export_models.py whose
forward returns the loss, exported to ONNX with that file's export_onnx; the
export's initializers are the module's weights. Every (framework, model,
threads) measurement then runs in a child process of its own, so that its
peak RSS is its own:

  quern  loads the compiled step (scripts/compiled_model.py) and calls
         NAME_train_step; QUERN_NUM_THREADS and OMP_NUM_THREADS = n.
  torch  loads the module's weights and runs loss.backward(),
         optimizer.step(), optimizer.zero_grad() with torch.optim.AdamW;
         torch.set_num_threads(n), OMP_NUM_THREADS = OPENBLAS_NUM_THREADS = n.

Both use AdamW with lr 1e-3 and PyTorch's defaults (betas 0.9/0.999, eps
1e-8, weight decay 0.01, which are also quernc's), run the warm-up steps and
then the timed steps on one fixed random batch, and report the median step
time, the loss of the first and the last step, and their peak RSS. The
model FLOP utilization of Quern's step is against the FMA peak measured in
the same run (bench/fma_peak.c).

    /usr/bin/python3 bench/train.py --out DIR [--build BUILD] [--quick]
"""
import argparse
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

import common

sys.path.insert(0, os.path.join(common.ROOT, "test", "e2e", "torch"))

LR = 1e-3
THREADS = (1, 2)
STEPS, WARMUP = 50, 5
QUICK_STEPS, QUICK_WARMUP = 5, 2
# bf16 against fp32: alternating pairs of runs (this VM's speed drifts by
# 10-30% over minutes).
BF16_ROUNDS = 3
CHILD_TIMEOUT_SECONDS = 1800

# name -> how to build it. The small GPT-2 models use a byte-sized
# vocabulary (256); gpt2_small has GPT-2 small's shapes. "steps": (timed,
# warm-up) steps where the default would take too long.
MODELS = {
    "mlp_ce": {"label": "MlpCE 16-32-10, batch 8", "kind": "mlp_ce"},
    "gpt2_2x128": {
        "label": "GPT-2, 2 layers, d_model 128, 4 heads, seq 64, batch 4, vocab 256",
        "kind": "gpt2", "seed": 11,
        "config": {"vocab": 256, "d_model": 128, "n_head": 4, "seq": 64,
                   "batch": 4, "n_layer": 2}},
    "gpt2_8x256": {
        "label": "GPT-2, 8 layers, d_model 256, 8 heads, seq 64, batch 4, vocab 256",
        "kind": "gpt2", "seed": 12,
        "config": {"vocab": 256, "d_model": 256, "n_head": 8, "seq": 64,
                   "batch": 4, "n_layer": 8}},
    "gpt2_qkv_4x128": {
        "label": "GPT-2, 4 layers, d_model 128, fused q/k/v (Linear(d, 3d)), "
                 "4 heads, seq 128, batch 3 (384 tokens), vocab 256",
        "kind": "gpt2", "seed": 14,
        "config": {"vocab": 256, "d_model": 128, "n_head": 4, "seq": 128,
                   "batch": 3, "n_layer": 4, "fused_qkv": True}},
    "gpt2_small": {
        "label": "GPT-2 small's shapes: 12 layers, d_model 768, 12 heads, "
                 "seq 256, batch 2, vocab 50257",
        "kind": "gpt2", "seed": 13, "steps": (5, 1),
        "config": {"vocab": 50257, "d_model": 768, "n_head": 12, "seq": 256,
                   "batch": 2, "n_layer": 12}},
}


def model_flops(spec, parameters):
    """FLOPs of one training step: 6 per parameter and token (forward and
    backward of every product with a weight) plus the attention products
    (Q·Kᵀ and A·V, forward and backward: 12·B·T²·C per layer); 0 for
    models other than GPT-2."""
    if spec["kind"] != "gpt2":
        return 0
    c = spec["config"]
    tokens = c["batch"] * c["seq"]
    return (6 * parameters * tokens
            + 12 * c["n_layer"] * c["batch"] * c["seq"] ** 2 * c["d_model"])


def build_module(spec):
    """(module, example batch, input names), deterministic in `spec`."""
    import torch
    import export_models
    if spec["kind"] == "mlp_ce":
        return export_models.make_mlp_ce()
    if spec["kind"] == "moe":
        c = spec["config"]
        torch.manual_seed(spec["seed"])
        model = export_models.MoELayer(c["d_model"], c["ff"], c["routed"],
                                       c["identity"], c["k"])
        generator = torch.Generator().manual_seed(spec["seed"] + 100)
        shape = (c["tokens"], c["d_model"])
        x = torch.randn(shape, generator=generator)
        target = torch.randn(shape, generator=generator)
        return model, (x, target), ["x", "target"]
    config = spec["config"]
    torch.manual_seed(spec["seed"])
    model = export_models.GPT2(**config)
    generator = torch.Generator().manual_seed(spec["seed"] + 100)
    shape = (config["batch"], config["seq"])
    tokens = torch.randint(0, config["vocab"], shape, generator=generator)
    targets = torch.randint(0, config["vocab"], shape, generator=generator)
    return model, (tokens, targets), ["tokens", "targets"]


# ----------------------------------------------------------- parent side ----


# A top-level phase of --mlir-timing's report: user time, wall time, name
# (nested passes are indented further).
TIMING_PHASE = re.compile(
    r"^\s+[\d.]+ \(\s*[\d.]+%\)\s+([\d.]+) \(\s*[\d.]+%\)  (\S.*)$")


def compile_phases(report):
    """{phase: wall seconds} of quernc's --mlir-timing report."""
    phases = {}
    for line in report.splitlines():
        match = TIMING_PHASE.match(line)
        if match and match.group(2) != "Total":
            phases[match.group(2)] = float(match.group(1))
    return phases


def compile_step(build, folder, stem, precision, flags=()):
    """quernc --train of folder/model.onnx into folder/stem (with `flags`
    more): (seconds, error, {phase: seconds})."""
    start = time.perf_counter()
    run = subprocess.run(
        [os.path.join(build, "bin", "quernc"), os.path.join(folder, "model.onnx"),
         "--train", "--optimizer=adamw", f"--precision={precision}",
         "--mlir-timing", "-o", os.path.join(folder, stem), *flags],
        capture_output=True, text=True)
    # The diagnostics, not the timing report --mlir-timing prints after them.
    diagnostics = [line for line in run.stderr.splitlines() if "error:" in line]
    error = (f"quernc exit {run.returncode}: "
             + ("\n".join(diagnostics) or common.tail(run.stderr))
             if run.returncode != 0 else None)
    return time.perf_counter() - start, error, compile_phases(run.stderr)


def prepare(name, spec, work, build, compile_fp32=True):
    """Exports and (unless not `compile_fp32`) compiles one model into
    work/name/: model.onnx, the module's weights (weights.pt), the batch
    (one .npy per input) and spec.json for the children. Returns the
    compile record."""
    import torch
    import export_models
    folder = os.path.join(work, name)
    os.makedirs(folder)
    model, batch, input_names = build_module(spec)
    model.train()
    # Without autograd the trace keeps no activations (the graph is the
    # same): a 12-layer GPT-2 at batch 16, sequence 1024 exports in a few
    # GiB instead of more than 20.
    with torch.no_grad():
        export_models.export_onnx(model, batch, input_names,
                                  os.path.join(folder, "model.onnx"))
    torch.save(model.state_dict(), os.path.join(folder, "weights.pt"))
    for input_name, value in zip(input_names, batch):
        np.save(os.path.join(folder, input_name + ".npy"), value.numpy())
    with open(os.path.join(folder, "spec.json"), "w") as f:
        json.dump(dict(spec, inputs=input_names), f)
    parameters = sum(p.numel() for p in model.parameters())

    record = {"parameters": parameters,
              "model_flops": model_flops(spec, parameters)}
    if compile_fp32:
        seconds, error, phases = compile_step(build, folder, "step", "fp32")
        record.update(compile_seconds=seconds, compile_phases=phases)
        if error:
            record["compile_error"] = error
    return record


def describe_exit(returncode):
    if returncode < 0:
        return f"killed by {signal.Signals(-returncode).name}"
    return f"exit {returncode}"


def child_arguments(parser, workers):
    """The options run_child gives a benchmark's child process (hidden from
    --help): which of `workers`, the model's folder, threads, steps and the
    compiled model's stem."""
    parser.add_argument("--worker", choices=workers, help=argparse.SUPPRESS)
    parser.add_argument("--model-dir", help=argparse.SUPPRESS)
    parser.add_argument("--threads", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--steps", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--warmup", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--stem", default="step", help=argparse.SUPPRESS)


def run_child(framework, folder, threads, steps, warmup, stem="step",
              script=__file__):
    """Runs `script --worker framework` on the model in `folder`: its
    result, or {"error": ...}. Quern's workers (`framework` starting with
    quern) get the thread count in QUERN_NUM_THREADS, PyTorch's in its
    BLAS variables."""
    env = dict(os.environ)
    if framework.startswith("quern"):
        env.update(QUERN_NUM_THREADS=str(threads), OMP_NUM_THREADS=str(threads),
                   # numpy only reads the batch here: no BLAS pool.
                   OPENBLAS_NUM_THREADS="1")
    else:
        env.update(OMP_NUM_THREADS=str(threads), OPENBLAS_NUM_THREADS=str(threads),
                   MKL_NUM_THREADS=str(threads))
    command = [common.PYTHON, os.path.abspath(script), "--worker", framework,
               "--model-dir", folder, "--threads", str(threads),
               "--steps", str(steps), "--warmup", str(warmup), "--stem", stem]
    try:
        run = subprocess.run(command, env=env, capture_output=True, text=True,
                             timeout=CHILD_TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        return {"error": f"no result within {CHILD_TIMEOUT_SECONDS} s"}
    if run.returncode != 0:
        return {"error": f"{describe_exit(run.returncode)}: "
                         f"{common.tail(run.stderr)}"}
    return json.loads(run.stdout.strip().splitlines()[-1])


# ------------------------------------------------------------ child side ----


def worker_quern(folder, spec, stem):
    from compiled_model import CompiledModel
    baseline = common.rss_bytes()
    model = CompiledModel(os.path.join(folder, stem))
    batch = [np.load(os.path.join(folder, n + ".npy")) for n in spec["inputs"]]
    call, outputs = model.bind("train_step", batch + [np.float32(LR)])

    def step():
        call()
        return outputs[0]
    return baseline, step


def worker_torch(folder, spec, threads, sparse=False):
    import torch
    import export_models  # noqa: F401 (build_module's; imported before the baseline)
    torch.set_num_threads(threads)
    baseline = common.rss_bytes()
    model, _, _ = build_module(spec)
    model.load_state_dict(torch.load(os.path.join(folder, "weights.pt")))
    model.train()
    batch = [torch.from_numpy(np.load(os.path.join(folder, n + ".npy")))
             for n in spec["inputs"]]
    step, _ = adamw_step(model.sparse if sparse else model, batch,
                         model.parameters())
    return baseline, step


def adamw_step(forward, batch, parameters):
    """(step, optimizer): step() runs one PyTorch eager training step of
    `forward` on `batch` with AdamW (lr LR) over `parameters`, and returns
    the loss."""
    import torch
    optimizer = torch.optim.AdamW(parameters, lr=LR)

    def step():
        loss = forward(*batch)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        return loss
    return step, optimizer


def worker(args):
    with open(os.path.join(args.model_dir, "spec.json")) as f:
        spec = json.load(f)
    if args.worker == "quern":
        baseline, step = worker_quern(args.model_dir, spec, args.stem)
    else:
        baseline, step = worker_torch(args.model_dir, spec, args.threads,
                                      sparse=args.worker == "torch_sparse")
    report_child(step, args, baseline)


def report_child(step, args, baseline, **extra):
    """A child's result line for run_child: `step` timed as `args` ask, the
    process's peak RSS, its RSS after imports (`baseline`) and `extra`."""
    result = time_steps(step, args.steps, args.warmup)
    result.update(peak_rss_bytes=common.peak_rss_bytes(),
                  rss_after_imports_bytes=baseline, **extra)
    print(json.dumps(result))


def time_steps(step, steps, warmup):
    """`warmup` then `steps` timed calls of `step` (which returns the loss):
    the median and fastest step and the first and last loss."""
    losses, times = [], []
    for _ in range(warmup + steps):
        start = time.perf_counter()
        loss = step()
        times.append(time.perf_counter() - start)
        losses.append(float(loss))
    timed = times[warmup:]
    return {"median_step_seconds": statistics.median(timed),
            "min_step_seconds": min(timed),
            "first_loss": losses[0], "last_loss": losses[-1]}


def bf16_row(name, folder, threads, steps, warmup, compiled, rounds):
    """Quern's bf16 step of the model in `folder` (folder/step_bf16, whose
    compile_step result is `compiled`) against its fp32 step (folder/step),
    timed like the others in `rounds` alternating pairs of children (fp32,
    then bf16), so that both see the same state of the machine; the speedup
    is the median of the fp32 medians over the median of the bf16 ones."""
    seconds, error, _ = compiled
    row = {"model": name, "threads": threads, "compile_seconds": seconds,
           "rounds": rounds}
    if error:
        return dict(row, compile_error=error)
    fp32_runs, bf16_runs = [], []
    for _ in range(rounds):
        fp32_runs.append(run_child("quern", folder, threads, steps, warmup))
        bf16_runs.append(run_child("quern", folder, threads, steps, warmup,
                                   stem="step_bf16"))
    failed = [run for run in fp32_runs + bf16_runs
              if "median_step_seconds" not in run]
    if failed:
        return dict(row, quern=failed[0])
    bf16_times = [run["median_step_seconds"] for run in bf16_runs]
    fp32_times = [run["median_step_seconds"] for run in fp32_runs]
    # The bf16 child whose median is the median, for its loss and memory.
    row["quern"] = sorted(bf16_runs, key=lambda run: run["median_step_seconds"])[
        len(bf16_runs) // 2]
    row["bf16_round_seconds"] = bf16_times
    row["fp32_round_seconds"] = fp32_times
    row["fp32_step_seconds"] = statistics.median(fp32_times)
    row["speedup_over_fp32"] = (row["fp32_step_seconds"]
                                / statistics.median(bf16_times))
    return row


# ------------------------------------------------------------------ main ----


def main():
    parser = common.arguments(
        __doc__, "train_step",
        f"{QUICK_WARMUP} warm-up and {QUICK_STEPS} timed steps",
        out_required=False)
    child_arguments(parser, ("quern", "torch", "torch_sparse"))
    args = parser.parse_args()
    if args.worker:
        return worker(args)
    if not args.out:
        parser.error("--out is required")

    import torch
    torch.set_num_threads(1)  # the export; the children set their own
    build = os.path.abspath(args.build)
    result = {
        "benchmark": "train_step", "quick": args.quick,
        "machine": common.machine(build), "torch_version": torch.__version__,
        "numpy_version": np.__version__,
        "optimizer": {"name": "adamw", "lr": LR, "betas": [0.9, 0.999],
                      "eps": 1e-8, "weight_decay": 0.01},
        "steps": QUICK_STEPS if args.quick else STEPS,
        "warmup": QUICK_WARMUP if args.quick else WARMUP,
        "steps_by_model": {name: spec["steps"] for name, spec in MODELS.items()
                           if "steps" in spec and not args.quick},
        "precisions": ["fp32", "bf16"],
        # Quern's bf16 steps (GPT-2 models), against its fp32 steps.
        "bf16": {"measured": True, "rows": []},
        "rows": [],
    }
    # Here, not at the top: gemm clears the thread variables of the process
    # that imports it, and the children set theirs.
    import gemm
    with tempfile.TemporaryDirectory() as work:
        peak = gemm.measure_fma_peak(gemm.build_probe(work), args.quick)
        result["fma_peak_gflops"] = peak
        for name, spec in MODELS.items():
            steps, warmup = ((QUICK_STEPS, QUICK_WARMUP) if args.quick
                             else spec.get("steps", (STEPS, WARMUP)))
            folder = os.path.join(work, name)
            record = prepare(name, spec, work, build)
            print(f"{name}: {record['parameters']} parameters, compiled in "
                  f"{record['compile_seconds']:.1f} s"
                  + (f"; {record['compile_error']}" if "compile_error" in record
                     else ""))
            # Quern's bf16 steps, of the GPT-2 models, against its fp32 ones.
            bf16_compiled = (compile_step(build, folder, "step_bf16", "bf16")
                             if spec["kind"] == "gpt2" else None)
            for threads in THREADS:
                row = dict(record, model=name, kind=spec["kind"],
                           label=spec["label"], precision="fp32", threads=threads)
                for framework in ("quern", "torch"):
                    if framework == "quern" and "compile_error" in record:
                        continue
                    row[framework] = run_child(framework, folder, threads,
                                               steps, warmup)
                quern, torch_ = row.get("quern", {}), row["torch"]
                if "median_step_seconds" in quern and "median_step_seconds" in torch_:
                    row["speedup"] = (torch_["median_step_seconds"]
                                      / quern["median_step_seconds"])
                if (record["model_flops"] and str(threads) in peak
                        and "median_step_seconds" in quern):
                    row["model_flops_utilization"] = (
                        record["model_flops"] / quern["median_step_seconds"]
                        / 1e9 / peak[str(threads)])
                result["rows"].append(row)
                if bf16_compiled and "quern" in row:
                    result["bf16"]["rows"].append(bf16_row(
                        name, folder, threads, steps, warmup, bf16_compiled,
                        1 if args.quick else BF16_ROUNDS))
                print(f"  {threads}T: " + ", ".join(
                    f"{fw} " + (f"{common.duration(row[fw]['median_step_seconds'])}/step"
                                f" (loss {row[fw]['first_loss']:.4f} -> "
                                f"{row[fw]['last_loss']:.4f})"
                                if "median_step_seconds" in row[fw]
                                else row[fw]["error"])
                    for fw in ("quern", "torch") if fw in row))
    common.write_result(args.out, result)


if __name__ == "__main__":
    sys.exit(main())
