"""The optimizer state one process keeps with --shard-optimizer, against
the whole of it, from two manifests of the same model.

    shard_bytes.py SHARDED.json WHOLE.json

SHARDED is compiled with --shard-optimizer=N, WHOLE without. Prints the
bytes of optimizer state in a process (the tensors marked "shard", each a
piece of ceil(E/N) elements) and the whole's (every optimizer tensor but
the step counter, which every process keeps), with their ratio, and fails
unless the sharded tensors list the same names and shapes as the whole's
and a process keeps at most whole / N plus one element per tensor and
process (the rounding up of ceil).
"""
import json
import sys


def optimizer_tensors(path):
    with open(path) as file:
        manifest = json.load(file)
    return {tensor["name"]: tensor for tensor in manifest["state"]["tensors"]
            if tensor["role"] == "optimizer" and tensor["name"] != "step"}


def main(sharded_path, whole_path):
    sharded, whole = optimizer_tensors(sharded_path), optimizer_tensors(whole_path)
    if {name: t["shape"] for name, t in sharded.items()} != \
            {name: t["shape"] for name, t in whole.items()}:
        sys.exit("the sharded model's optimizer tensors differ from the whole's")
    processes = {t["shard"]["processes"] for t in sharded.values()}
    if len(processes) != 1:
        sys.exit(f"the tensors are sharded over {sorted(processes)} processes")
    processes = processes.pop()
    mine = sum(t["bytes"] for t in sharded.values())
    total = sum(t["bytes"] for t in whole.values())
    bound = total / processes + 4 * processes * len(sharded)
    print(f"optimizer state per process: {mine} of {total} bytes, "
          f"{mine / total:.3f} over {processes} processes")
    if mine > bound:
        sys.exit(f"more than whole / {processes} ({bound:.0f} bytes)")


if __name__ == "__main__":
    main(*sys.argv[1:])
