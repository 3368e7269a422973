#!/usr/bin/env python3
"""Data-parallel training over MPI: weak scaling on this machine and a
paper study for a cluster. Writes data_parallel.json.

The 8-layer GPT of bench/train.py (d_model 256, batch 4 x 64 tokens per
rank) is compiled with --data-parallel and trained by quern-train on the
bundled text:

  1 rank x 1 thread      quern-train alone (the step's communicator calls
                         do nothing);
  2 ranks x 1 thread     mpirun -np 2 quern-train: each rank its own batch,
                         the gradients averaged with MPI_Iallreduce, for
                         buckets of 25 MiB (the default: the model's 24 MiB
                         of gradients are one bucket, started after the
                         backward pass), 4 MiB and 1 MiB (started during
                         it);
  2 ranks x 1 thread,    the same with --shard-optimizer=2 (ZeRO stage 1):
  sharded                each rank keeps half of AdamW's state, the
                         buckets reduce-scattered and the updated pieces
                         all-gathered; its optimizer state per rank is read
                         from the manifests, against the unsharded step's.

Tokens per second count every rank's tokens, from the CSV log's elapsed
time between the first logged step and the last; weak-scaling efficiency is
the 2-rank rate over twice the 1-rank rate. This machine's speed drifts by
a fifth over minutes, so each 2-rank run is paired with a 1-rank run just
before it, ROUNDS times per bucket size, and the median of the pairs'
ratios is reported (with the medians of the rates and of the waits). The communication not hidden by
the backward pass is what quern-train reports the steps waited for the
gradients' means (quern_rt_mpi_wait_seconds), as a share of the steps' time.

The paper study predicts the efficiency of N such nodes (each computing
one step in the measured 1-rank time) on 25 and 100 Gbit/s networks with a
ring all-reduce of the gradients (2 (N-1)/N x bytes / bandwidth, plus
2 (N-1) x 5 µs of latency per bucket), with no overlap (one bucket after
the backward pass: all of it exposed) and with 4 MiB buckets started as
the backward pass (about two thirds of a step) finishes them: all but the
last bucket's all-reduce can hide behind it. Horovod's published 90% is
beside it.

    /usr/bin/python3 bench/data_parallel.py --out DIR [--build BUILD] [--quick]
"""
import csv
import json
import os
import statistics
import subprocess
import tempfile

import common
import train

MODEL = "gpt2_8x256"
STEPS, QUICK_STEPS = 40, 6
BUCKETS = (25 << 20, 4 << 20, 1 << 20)
STUDY_BUCKET = 4 << 20
ROUNDS, QUICK_ROUNDS = 3, 1
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


def optimizer_bytes(stem):
    """Bytes of optimizer state a process keeps (the step counter aside)."""
    with open(stem + ".json") as f:
        manifest = json.load(f)
    return sum(t["bytes"] for t in manifest["state"]["tensors"]
               if t["role"] == "optimizer" and t["name"] != "step")


def compare_ranks(build, folder, name, flags, steps, rounds):
    """Compiles the step with `flags`, then runs it on 1 and 2 ranks,
    `rounds` pairs; returns (stem, the 2-rank record without its bucket,
    the 1-rank rates)."""
    stem = os.path.join(folder, name)
    _, error, _ = train.compile_step(build, folder, name, "fp32", flags)
    if error:
        raise RuntimeError(error)
    pairs = []
    for _ in range(rounds):
        # A sharded step runs on its 2 ranks only: its 1-rank partner is the
        # unsharded step's, of the same work.
        one, _, _ = run_quern_train(build, os.path.join(folder, "alone"), 1,
                                    steps, folder)
        two, waited, stepped = run_quern_train(build, stem, 2, steps, folder)
        pairs.append((one, two, waited / stepped))
    return stem, {
        "weak_scaling_efficiency":
            statistics.median(two / one for one, two, _ in pairs),
        "wait_share": statistics.median(w for _, _, w in pairs),
        "two_rank_steps_per_second": statistics.median(two for _, two, _ in pairs),
        "rounds": [{"one_rank_steps_per_second": one,
                    "two_rank_steps_per_second": two,
                    "wait_share": w} for one, two, w in pairs]}, \
        [one for one, _, _ in pairs]


def paper_study(step_seconds, gradient_bytes):
    """Predicted scaling efficiency per network and node count."""
    rows = []
    for gbit in NETWORKS_GBIT:
        bandwidth = gbit * 1e9 / 8

        def ring(nodes, size):
            return (2 * (nodes - 1) / nodes * size / bandwidth
                    + 2 * (nodes - 1) * LATENCY_SECONDS)

        for nodes in NODES:
            transfer = ring(nodes, gradient_bytes)
            buckets = -(-gradient_bytes // STUDY_BUCKET)
            last = ring(nodes, gradient_bytes - (buckets - 1) * STUDY_BUCKET)
            rest = sum(ring(nodes, STUDY_BUCKET) for _ in range(buckets - 1))
            exposed = last + max(0.0, rest - BACKWARD_SHARE * step_seconds)
            rows.append({
                "gbit_per_second": gbit, "nodes": nodes,
                "allreduce_seconds": transfer,
                "efficiency_no_overlap": step_seconds / (step_seconds + transfer),
                "efficiency_overlapped": step_seconds / (step_seconds + exposed)})
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
    config = spec["config"]
    tokens = config["batch"] * config["seq"]
    with tempfile.TemporaryDirectory() as work:
        record = train.prepare(MODEL, spec, work, args.build,
                               compile_fp32=False)
        folder = os.path.join(work, MODEL)
        rounds = QUICK_ROUNDS if args.quick else ROUNDS
        # The 1-rank partner of every pair: the step without communication.
        _, error, _ = train.compile_step(args.build, folder, "alone", "fp32",
                                         ["--data-parallel"])
        if error:
            raise RuntimeError(error)
        two_rank = []
        one_rates = []
        for bucket in BUCKETS:
            stem, run, ones = compare_ranks(
                args.build, folder, f"step{bucket}",
                ["--data-parallel", f"--bucket-bytes={bucket}"], steps, rounds)
            one_rates += ones
            two_rank.append({"bucket_bytes": bucket, **run})
        whole = optimizer_bytes(stem)
        stem, sharded, ones = compare_ranks(
            args.build, folder, "sharded",
            ["--data-parallel", "--shard-optimizer=2"], steps, rounds)
        one_rates += ones
        sharded.update({"bucket_bytes": BUCKETS[0],
                        "optimizer_bytes_per_rank": optimizer_bytes(stem),
                        "optimizer_bytes_whole": whole})
        one_rate = statistics.median(one_rates)
    for run in two_rank + [sharded]:
        run["tokens_per_second"] = run["two_rank_steps_per_second"] * 2 * tokens
    gradient_bytes = 4 * record["parameters"]
    default = two_rank[0]
    result.update({
        "parameters": record["parameters"], "gradient_bytes": gradient_bytes,
        "tokens_per_rank_step": tokens,
        "one_rank_tokens_per_second": one_rate * tokens,
        "two_rank": two_rank,
        "sharded": sharded,
        # The targets' figures: the default bucket size.
        "weak_scaling_efficiency": default["weak_scaling_efficiency"],
        "two_rank_wait_share": default["wait_share"],
        "study_bucket_bytes": STUDY_BUCKET,
        "paper_study": paper_study(1 / one_rate, gradient_bytes),
        "horovod_efficiency": HOROVOD_EFFICIENCY})
    common.write_result(args.out, result)


if __name__ == "__main__":
    main()
