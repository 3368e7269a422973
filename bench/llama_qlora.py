#!/usr/bin/env python3
"""QLoRA fine-tuning of the 1.1-billion-parameter Llama-style model of
examples/llama-qlora against PyTorch eager LoRA on the same model.

Quern: `quernc --train --optimizer=adamw --lora=16:32` on the q, k, v, o,
gate, up and down products, the frozen base in NF4 (double-quantized),
compiled without a budget and with --activation-budget=1800MiB; each
trained by quern-train on the sonnets (1 x 512 tokens a step) at 2
threads, fp32 and bf16. Measured: compile time and peak RSS, the training
process's peak RSS, tokens/s (the median step of the log after the first);
then, in a run of its own of PROFILE_STEPS steps with QUERN_PROFILE=1,
where the step's time goes: the ten longest kernels quern-train prints.

PyTorch: the same module (examples/llama-qlora/export_llama.py) with
rank-16 adapters (alpha 32) on the same products, the base frozen in fp32,
AdamW over the adapters, 2 threads; median step after one warm-up; the
process's peak RSS. Writes llama_qlora.json.
"""
import csv
import json
import os
import re
import statistics
import subprocess
import sys
import time

import common

STEPS, QUICK_STEPS = 4, 2
PROFILE_STEPS = 2
# A line of quern-train's kernel profile: time, share, estimated share,
# calls, GFLOP/s, kernel (kind; strategy; source).
PROFILE_TOTAL = re.compile(r"^profile ([\d.]+) s in (\d+) kernels")
PROFILE_LINE = re.compile(r"^\s*([\d.]+) ms\s+([\d.]+)%\s+([\d.]+)%\s+(\d+)"
                          r"\s+([\d.]+)\s+(\S+) \((\w+); (.*)\)$")
TARGETS = ("*q_proj.weight,*k_proj.weight,*v_proj.weight,*o_proj.weight,"
           "*gate_proj.weight,*up_proj.weight,*down_proj.weight")
BUDGET = "1800MiB"
TEXT = os.path.join(common.ROOT, "examples", "tinygpt", "sonnets.txt")
EXAMPLE = os.path.join(common.ROOT, "examples", "llama-qlora")


def timed(command, **kwargs):
    """Runs `command` under /usr/bin/time: (seconds, peak RSS bytes, output)."""
    start = time.perf_counter()
    run = subprocess.run(["/usr/bin/time", "-f", "%M"] + command,
                         capture_output=True, text=True, **kwargs)
    seconds = time.perf_counter() - start
    if run.returncode:
        sys.exit(f"{' '.join(command)} failed:\n{common.tail(run.stderr)}")
    peak = int(run.stderr.strip().splitlines()[-1]) * 1024
    return seconds, peak, run.stdout


def train_command(build, library, steps):
    """quern-train on the sonnets, 2 threads, for `steps` steps."""
    return [os.path.join(build, "bin", "quern-train"), library, "--text", TEXT,
            "--vocab", "32000", "--steps", str(steps), "--lr", "1e-3",
            "--threads", "2"]


def kernel_profile(build, library):
    """quern-train's kernel profile of PROFILE_STEPS steps of `library`:
    the kernels' total seconds and the ten longest kernels."""
    run = subprocess.run(train_command(build, library, PROFILE_STEPS),
                         capture_output=True, text=True,
                         env=dict(os.environ, QUERN_PROFILE="1"))
    if run.returncode:
        sys.exit(f"quern-train with QUERN_PROFILE=1 failed:\n"
                 f"{common.tail(run.stderr)}")
    profile = {"steps": PROFILE_STEPS, "kernels": []}
    for line in run.stdout.splitlines():
        if total := PROFILE_TOTAL.match(line):
            profile["seconds"] = float(total.group(1))
            profile["kernel_count"] = int(total.group(2))
        elif kernel := PROFILE_LINE.match(line):
            profile["kernels"].append({
                "seconds": float(kernel.group(1)) / 1000,
                "share": float(kernel.group(2)) / 100,
                "estimated_share": float(kernel.group(3)) / 100,
                "calls": int(kernel.group(4)),
                "gflops": float(kernel.group(5)),
                "symbol": kernel.group(6), "kind": kernel.group(7),
                "detail": kernel.group(8)})
    if "seconds" not in profile or not profile["kernels"]:
        sys.exit("quern-train printed no kernel profile:\n"
                 + common.tail(run.stdout))
    return profile


def quern_run(build, work, precision, budget, steps):
    stem = os.path.join(work, f"{precision}_{'budget' if budget else 'all'}")
    command = [os.path.join(build, "bin", "quernc"),
               os.path.join(work, "llama.onnx"), "--train", "--optimizer=adamw",
               "--lora=16:32", f"--lora-targets={TARGETS}",
               "--quantize-frozen=nf4", "--double-quant",
               f"--precision={precision}", "-o", stem]
    if budget:
        command.append(f"--activation-budget={budget}")
    compile_seconds, compile_peak, _ = timed(command)
    log = stem + ".csv"
    _, train_peak, _ = timed(train_command(build, stem + ".so", steps)
                             + ["--log", log])
    with open(log, newline="") as f:
        seconds = [float(row["seconds"]) for row in csv.DictReader(f)]
    steps_seconds = [b - a for a, b in zip(seconds, seconds[1:])]
    step = statistics.median(steps_seconds)
    with open(stem + ".json") as f:
        manifest = json.load(f)
    return {"precision": precision, "budget": budget,
            "compile_seconds": compile_seconds,
            "compile_peak_rss_bytes": compile_peak,
            "train_peak_rss_bytes": train_peak,
            "state_bytes": manifest["state"]["bytes"],
            "workspace_bytes": manifest["workspace_bytes"],
            "step_seconds": step, "tokens_per_second": 512 / step,
            "profile": kernel_profile(build, stem + ".so")}


TORCH_SCRIPT = r"""
import json, os, statistics, sys, time
import numpy as np
import torch
sys.path.insert(0, sys.argv[1])
import export_llama
torch.set_num_threads(2)
torch.manual_seed(0)
steps = int(sys.argv[3])

class LoRA(torch.nn.Module):
    def __init__(self, base, rank=16, alpha=32):
        super().__init__()
        self.base = base
        self.A = torch.nn.Parameter(torch.randn(rank, base.in_features) * 0.01)
        self.B = torch.nn.Parameter(torch.zeros(base.out_features, rank))
        self.scale = alpha / rank
    def forward(self, x):
        return self.base(x) + (x @ self.A.t() @ self.B.t()) * self.scale

with torch.no_grad():
    model = export_llama.Llama(export_llama.CONFIG)
for p in model.parameters():
    p.requires_grad_(False)
for layer in model.model.layers:
    for parent, names in ((layer.self_attn, ("q_proj", "k_proj", "v_proj", "o_proj")),
                          (layer.mlp, ("gate_proj", "up_proj", "down_proj"))):
        for name in names:
            setattr(parent, name, LoRA(getattr(parent, name)))
adapters = [p for p in model.parameters() if p.requires_grad]
optimizer = torch.optim.AdamW(adapters, lr=1e-3)
text = np.frombuffer(open(sys.argv[2], "rb").read(), np.uint8).astype(np.int64)
times = []
for step in range(steps + 1):
    start_at = step * 512 % (len(text) - 513)
    tokens = torch.from_numpy(text[start_at:start_at + 512]).view(1, 512)
    targets = torch.from_numpy(text[start_at + 1:start_at + 513]).view(1, 512)
    begin = time.perf_counter()
    optimizer.zero_grad()
    loss, _ = model(tokens, targets)
    loss.backward()
    optimizer.step()
    times.append(time.perf_counter() - begin)
with open("/proc/self/status") as f:
    peak = next(int(l.split()[1]) * 1024 for l in f if l.startswith("VmHWM"))
print(json.dumps({"step_seconds": statistics.median(times[1:]),
                  "peak_rss_bytes": peak, "loss": float(loss)}))
"""


def torch_run(steps):
    run = subprocess.run([common.PYTHON, "-c", TORCH_SCRIPT, EXAMPLE, TEXT,
                          str(steps)], capture_output=True, text=True)
    if run.returncode:
        sys.exit(f"PyTorch LoRA failed:\n{common.tail(run.stderr)}")
    result = json.loads(run.stdout.strip().splitlines()[-1])
    result["tokens_per_second"] = 512 / result["step_seconds"]
    return result


def main():
    parser = common.arguments(__doc__, "llama_qlora",
                              f"{QUICK_STEPS} steps instead of {STEPS}")
    parser.add_argument("--work", help="where the export is cached "
                        "(default BUILD/llama-qlora, as make llama-qlora)")
    args = parser.parse_args()
    steps = QUICK_STEPS if args.quick else STEPS
    work = args.work or os.path.join(args.build, "llama-qlora")
    if not os.path.exists(os.path.join(work, "llama.onnx.data")):
        subprocess.run([common.PYTHON, os.path.join(EXAMPLE, "export_llama.py"),
                        work], check=True)
    result = {"benchmark": "llama_qlora", "machine": common.machine(args.build),
              "steps": steps, "tokens_per_step": 512, "quern": []}
    for precision, budget in (("fp32", None), ("fp32", BUDGET),
                              ("bf16", BUDGET)):
        row = quern_run(args.build, work, precision, budget, steps)
        print(json.dumps(row), flush=True)
        result["quern"].append(row)
    result["torch"] = torch_run(steps)
    print(json.dumps(result["torch"]), flush=True)
    common.write_result(args.out, result)


if __name__ == "__main__":
    main()
