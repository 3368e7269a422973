#!/usr/bin/env python3
"""Checks what a quern-train run wrote.

    check_run.py csv LOG.csv --first-step S --rows N [--eval-every E]
        The header is step,loss,lr,eval_loss,seconds; N rows for steps
        S+1..S+N; eval_loss set exactly on multiples of E; finite losses;
        seconds never decrease.
    check_run.py loss-decreased LOG.csv
        The mean loss of the last five rows is below that of the first five.
    check_run.py same-losses A.csv B.csv
        Both logs hold the same steps with the same losses, bit for bit
        (the log writes them with %.9g, which round-trips an f32).
    check_run.py reference-losses LOG.csv REFERENCE.npz --rtol R
        The log's losses, step by step, are the reference's `loss` array
        (as train_references.py writes it) within relative tolerance R.
    check_run.py checkpoint INITIAL.safetensors CHECKPOINT.safetensors
        (--step N | --step-of LOG.csv)
        CHECKPOINT holds the tensors of INITIAL with format quern-state
        and model metadata, its `step` is N (or the step of LOG.csv's last row), and
        at least one other tensor changed.
    check_run.py profile OUTPUT.txt MANIFEST.json --steps N
        The kernel profile quern-train printed (QUERN_PROFILE=1) counts
        N times the kernel calls of one train_step the manifest lists, and
        its rows (the ten longest kernels, or all if fewer) are kernels of
        the manifest in order of decreasing time.
    check_run.py adapters MANIFEST.json ADAPTERS.safetensors CHECKPOINT
        ADAPTERS (quern-train --save-adapters) holds exactly the model's
        trained parameters (role param), with format quern-adapters, equal
        to CHECKPOINT's.
    check_run.py same-params MANIFEST.json A.safetensors B.safetensors
                 [--tolerance T]
        A and B hold the same trained parameters, bit for bit, or (with
        --tolerance) within T times the largest magnitude of B's.

Prints what it saw and OK, or the problem and exits 1.
"""
import argparse
import csv
import json
import math
import struct
import sys

import numpy as np

DTYPES = {"F32": np.float32, "F64": np.float64, "F16": np.float16,
          "I64": np.int64, "I32": np.int32, "I16": np.int16, "I8": np.int8,
          "U8": np.uint8, "BOOL": np.bool_}


def read_safetensors(path):
    """The whole file as ({name: array}, metadata): the format is an 8-byte
    little-endian header size, a JSON header and the tensor bytes."""
    with open(path, "rb") as f:
        blob = f.read()
    (size,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8:8 + size])
    metadata = header.pop("__metadata__", {})
    base = 8 + size
    tensors = {}
    for name, entry in header.items():
        begin, end = entry["data_offsets"]
        tensors[name] = np.frombuffer(
            blob[base + begin:base + end],
            dtype=DTYPES[entry["dtype"]]).reshape(entry["shape"])
    return tensors, metadata


def fail(message):
    print(f"FAIL: {message}")
    sys.exit(1)


def check_csv(args):
    with open(args.log, newline="") as f:
        rows = list(csv.reader(f))
    if rows[0] != ["step", "loss", "lr", "eval_loss", "seconds"]:
        fail(f"header {rows[0]}")
    rows = rows[1:]
    if len(rows) != args.rows:
        fail(f"{len(rows)} rows, expected {args.rows}")
    previous_seconds = 0.0
    for i, (step, loss, lr, eval_loss, seconds) in enumerate(rows):
        if int(step) != args.first_step + i + 1:
            fail(f"row {i + 1} is step {step}")
        if not math.isfinite(float(loss)) or float(lr) < 0:
            fail(f"step {step}: loss {loss}, lr {lr}")
        evaluated = args.eval_every and int(step) % args.eval_every == 0
        if bool(eval_loss) != bool(evaluated):
            fail(f"step {step}: eval_loss '{eval_loss}'")
        if eval_loss and not math.isfinite(float(eval_loss)):
            fail(f"step {step}: eval_loss {eval_loss}")
        if float(seconds) < previous_seconds:
            fail(f"step {step}: seconds went back to {seconds}")
        previous_seconds = float(seconds)
    print(f"{len(rows)} rows, steps {rows[0][0]}..{rows[-1][0]}: OK")


def check_loss_decreased(args):
    with open(args.log, newline="") as f:
        losses = [float(row["loss"]) for row in csv.DictReader(f)]
    first, last = np.mean(losses[:5]), np.mean(losses[-5:])
    print(f"first five {first:.4f}, last five {last:.4f}: "
          f"{'OK' if last < first else 'FAIL'}")
    if not last < first:
        sys.exit(1)


def check_same_losses(args):
    logs = []
    for path in (args.log, args.other_log):
        with open(path, newline="") as f:
            rows = csv.DictReader(f)
            logs.append([(row["step"], row["loss"]) for row in rows])
    if not logs[0] or logs[0] != logs[1]:
        differences = [(a, b) for a, b in zip(*logs) if a != b]
        fail(f"{len(logs[0])} and {len(logs[1])} rows; "
             f"first difference {differences[:1]}")
    print(f"{len(logs[0])} identical losses: OK")


def check_reference_losses(args):
    with open(args.log, newline="") as f:
        losses = [float(row["loss"]) for row in csv.DictReader(f)]
    expected = np.load(args.reference)["loss"]
    if len(losses) != len(expected):
        fail(f"{len(losses)} logged losses, {len(expected)} in the reference")
    worst = max(abs(a - b) / abs(b) for a, b in zip(losses, expected))
    if not worst <= args.rtol:
        fail(f"losses {losses}, reference {list(expected)}: worst relative "
             f"error {worst:.3g} above {args.rtol}")
    print(f"{len(losses)} losses within {worst:.3g} relative of the "
          f"reference: OK")


def check_checkpoint(args):
    initial, _ = read_safetensors(args.initial)
    saved, metadata = read_safetensors(args.checkpoint)
    if metadata.get("format") != "quern-state" or "model" not in metadata:
        fail(f"metadata {metadata}")
    if sorted(initial) != sorted(saved):
        fail(f"tensors {sorted(saved)}, expected {sorted(initial)}")
    expected = args.step
    if args.step_of:
        with open(args.step_of, newline="") as f:
            expected = int(list(csv.DictReader(f))[-1]["step"])
    if int(saved["step"]) != expected:
        fail(f"step {int(saved['step'])}, expected {expected}")
    changed = [name for name in initial if name != "step"
               and not np.array_equal(initial[name], saved[name])]
    if not changed:
        fail("no tensor changed")
    print(f"step {int(saved['step'])}, {len(changed)} of {len(initial)} "
          f"tensors changed: OK")


def trained(manifest_path):
    with open(manifest_path) as f:
        return [t["name"] for t in json.load(f)["state"]["tensors"]
                if t["role"] == "param"]


def check_adapters(args):
    names = trained(args.manifest)
    adapters, metadata = read_safetensors(args.adapters)
    checkpoint, _ = read_safetensors(args.checkpoint)
    if metadata.get("format") != "quern-adapters":
        fail(f"metadata {metadata}")
    if sorted(adapters) != sorted(names):
        fail(f"tensors {sorted(adapters)}, expected {sorted(names)}")
    different = [n for n in names if not np.array_equal(adapters[n], checkpoint[n])]
    if different:
        fail(f"{different} differ from the checkpoint's")
    print(f"{len(names)} adapters (every trained parameter, none other): "
          f"{', '.join(names[:2])}, ...: OK")


def check_same_params(args):
    a, _ = read_safetensors(args.a)
    b, _ = read_safetensors(args.b)
    names = trained(args.manifest)
    if args.tolerance is None:
        different = [n for n in names if not np.array_equal(a[n], b[n])]
        if different:
            fail(f"{different} differ")
        print("same trained parameters: OK")
        return
    scale = max(float(np.abs(b[n]).max()) for n in names)
    worst = max(float(np.abs(a[n].astype(np.float64) - b[n]).max())
                for n in names) / scale
    if worst > args.tolerance:
        fail(f"trained parameters differ by {worst:.1e} of the largest, "
             f"more than {args.tolerance:g}")
    print(f"trained parameters within {args.tolerance:g}: OK")


def check_profile(args):
    with open(args.output) as f:
        lines = f.read().splitlines()
    with open(args.manifest) as f:
        kernels = {k["symbol"]: k for k in json.load(f)["kernels"]}
    heads = [i for i, line in enumerate(lines) if line.startswith("profile ")]
    if len(heads) != 1:
        fail(f"{len(heads)} profile lines")
    head = lines[heads[0]]
    calls = int(head.split("(")[1].split(" calls")[0])
    expected = args.steps * sum(k["calls"].get("train_step", 0)
                                for k in kernels.values())
    if calls != expected:
        fail(f"{calls} kernel calls, expected {expected}")
    rows = lines[heads[0] + 2:heads[0] + 2 + min(10, len(kernels))]
    times = [float(row.split()[0]) for row in rows]
    symbols = [row.split()[6] for row in rows]
    if times != sorted(times, reverse=True) or not all(
            s in kernels for s in symbols):
        fail(f"rows {rows}")
    print(f"{calls} calls of {len(kernels)} kernels; {len(rows)} rows: OK")


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    command = commands.add_parser("csv")
    command.add_argument("log")
    command.add_argument("--first-step", type=int, default=0)
    command.add_argument("--rows", type=int, required=True)
    command.add_argument("--eval-every", type=int, default=0)
    command = commands.add_parser("loss-decreased")
    command.add_argument("log")
    command = commands.add_parser("same-losses")
    command.add_argument("log")
    command.add_argument("other_log")
    command = commands.add_parser("reference-losses")
    command.add_argument("log")
    command.add_argument("reference")
    command.add_argument("--rtol", type=float, required=True)
    command = commands.add_parser("checkpoint")
    command.add_argument("initial")
    command.add_argument("checkpoint")
    step = command.add_mutually_exclusive_group(required=True)
    step.add_argument("--step", type=int)
    step.add_argument("--step-of", metavar="LOG.csv")
    command = commands.add_parser("profile")
    command.add_argument("output")
    command.add_argument("manifest")
    command.add_argument("--steps", type=int, required=True)
    command = commands.add_parser("adapters")
    command.add_argument("manifest")
    command.add_argument("adapters")
    command.add_argument("checkpoint")
    command = commands.add_parser("same-params")
    command.add_argument("manifest")
    command.add_argument("a")
    command.add_argument("b")
    command.add_argument("--tolerance", type=float)
    args = parser.parse_args()
    {"adapters": check_adapters, "same-params": check_same_params,
     "profile": check_profile, "csv": check_csv, "loss-decreased": check_loss_decreased,
     "same-losses": check_same_losses,
     "reference-losses": check_reference_losses,
     "checkpoint": check_checkpoint}[args.command](args)


if __name__ == "__main__":
    main()
