#!/usr/bin/env python3
"""Data-parallel training over MPI: weak scaling on this machine and a
paper study for a cluster. Writes data_parallel.json.

The 8-layer GPT of bench/train.py (d_model 256, batch 4 x 64 tokens per
rank) is compiled with --data-parallel and trained by quern-train on the
bundled text:

  1 rank x 1 thread      quern-train alone (the step's communicator calls
                         do nothing);
  2 ranks x 1 thread     mpirun -np 2 quern-train: each rank its own batch,
                         the gradients averaged with MPI_Iallreduce.

Tokens per second count every rank's tokens, from the CSV log's elapsed
time between the first logged step and the last; weak-scaling efficiency is
the 2-rank rate over twice the 1-rank rate. The communication not hidden by
the backward pass is what quern-train reports the steps waited for the
gradients' means (quern_rt_mpi_wait_seconds), as a share of the steps' time.

The paper study predicts the efficiency of N such nodes (each computing
one step in the measured 1-rank time) on 25 and 100 Gbit/s networks with a
ring all-reduce of the gradients (2 (N-1)/N x bytes / bandwidth, plus
2 (N-1) x 5 µs of latency), with no overlap (all of it exposed) and with the
overlap Quern's buckets allow (the all-reduce hidden behind the backward
pass, about two thirds of a step, but for the last bucket's share), beside
Horovod's published 90%.

    /usr/bin/python3 bench/data_parallel.py --out DIR [--build BUILD] [--quick]
"""
import csv
import os
import subprocess
import tempfile

import common
import train

MODEL = "gpt2_8x256"
STEPS, QUICK_STEPS = 40, 6
NODES = (8, 64, 512)
NETWORKS_GBIT = (25, 100)
LATENCY_SECONDS = 5e-6
BACKWARD_SHARE = 2 / 3
HOROVOD_EFFICIENCY = 0.90


def run_quern_train(build, stem, ranks, steps, folder):
    """Trains `steps` steps on `ranks` processes of one thread; returns
    (tokens per second over all ranks, seconds waited for means, seconds of
    steps)."""
    log = os.path.join(folder, f"log{ranks}.csv")
    command = [os.path.join(build, "bin", "quern-train"), stem + ".so",
               "--text", os.path.join(common.ROOT, "examples", "tinygpt",
                                      "sonnets.txt"),
               "--steps", str(steps), "--log", log, "--log-every", "1",
               "--threads", "1"]
    if ranks > 1:
        command = ["mpirun", "--allow-run-as-root", "--oversubscribe", "-np",
                   str(ranks), "-x", "OMP_NUM_THREADS=1", *command]
    run = subprocess.run(command, capture_output=True, text=True)
    if run.returncode != 0:
        raise RuntimeError(f"quern-train on {ranks} ranks: exit "
                           f"{run.returncode}\n{common.tail(run.stderr)}")
    with open(log) as f:
        rows = list(csv.DictReader(f))
    first, last = rows[0], rows[-1]
    elapsed = float(last["seconds"]) - float(first["seconds"])
    steps_timed = int(last["step"]) - int(first["step"])
    waited = stepped = 0.0
    for line in run.stdout.splitlines():
        if line.startswith("mpi     waited"):
            words = line.split()
            waited, stepped = float(words[2]), float(words[8])
    return steps_timed / elapsed, waited, stepped


def paper_study(step_seconds, gradient_bytes):
    """Predicted scaling efficiency per network and node count."""
    rows = []
    for gbit in NETWORKS_GBIT:
        bandwidth = gbit * 1e9 / 8
        for nodes in NODES:
            transfer = (2 * (nodes - 1) / nodes * gradient_bytes / bandwidth
                        + 2 * (nodes - 1) * LATENCY_SECONDS)
            hidden = min(transfer, BACKWARD_SHARE * step_seconds)
            rows.append({
                "gbit_per_second": gbit, "nodes": nodes,
                "allreduce_seconds": transfer,
                "efficiency_no_overlap": step_seconds / (step_seconds + transfer),
                "efficiency_overlapped":
                    step_seconds / (step_seconds + transfer - hidden)})
    return rows


def main():
    parser = common.arguments(__doc__, "data_parallel",
                              f"{QUICK_STEPS} steps instead of {STEPS}")
    args = parser.parse_args()
    steps = QUICK_STEPS if args.quick else STEPS
    spec = train.MODELS[MODEL]
    result = {"benchmark": "data_parallel", "quick": args.quick,
              "machine": common.machine(args.build), "model": MODEL,
              "label": spec["label"], "steps": steps}
    with tempfile.TemporaryDirectory() as work:
        record = train.prepare(MODEL, spec, work, args.build,
                               compile_fp32=False)
        folder = os.path.join(work, MODEL)
        seconds, error, _ = train.compile_step(
            args.build, folder, "step", "fp32", ["--data-parallel"])
        if error:
            raise RuntimeError(error)
        stem = os.path.join(folder, "step")
        one_rate, _, _ = run_quern_train(args.build, stem, 1, steps, folder)
        two_rate, waited, stepped = run_quern_train(args.build, stem, 2, steps,
                                                    folder)
    config = spec["config"]
    tokens = config["batch"] * config["seq"]
    gradient_bytes = 4 * record["parameters"]
    result.update({
        "parameters": record["parameters"], "gradient_bytes": gradient_bytes,
        "compile_seconds": seconds, "tokens_per_rank_step": tokens,
        "one_rank_tokens_per_second": one_rate * tokens,
        "two_rank_tokens_per_second": two_rate * 2 * tokens,
        "weak_scaling_efficiency": two_rate / one_rate,
        "two_rank_wait_seconds": waited, "two_rank_step_seconds": stepped,
        "two_rank_wait_share": waited / stepped if stepped else None,
        "paper_study": paper_study(1 / one_rate, gradient_bytes),
        "horovod_efficiency": HOROVOD_EFFICIENCY})
    common.write_result(args.out, result)


if __name__ == "__main__":
    main()
