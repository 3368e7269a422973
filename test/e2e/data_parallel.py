"""Data-parallel training steps against gradient accumulation, the
processes of a data-parallel job played by threads of one process.

    data_parallel.py DP_STEM ACCUMULATE_STEM RANKS

DP_STEM is a training step built with --data-parallel, ACCUMULATE_STEM the
same model built with --accumulate=RANKS. RANKS copies of the first (each
with its own state and workspace; they share the library, as a process has
one) run their steps at once, each on its own micro-batch in a thread of
its own. Their communicator (the library's NAME_set_communicator) plays an
all-reduce: start() marks a rank's bucket as ready; wait() blocks until
every rank has started that bucket, then the first to get there writes the
mean into every rank's bucket: summed in rank order in f32 and multiplied
by 1/RANKS, as gradient accumulation sums its micro-batches and scales the
sum. The accumulating step runs on the RANKS micro-batches stacked. After
STEPS steps the ranks' parameters must be bitwise equal to each other and
to the accumulating step's; the ranks' mean loss must match the
accumulating step's within LOSS_TOLERANCE (numpy's mean sums in another
order).
"""
import ctypes
import os
import sys
import threading

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "scripts"))
from compiled_model import CompiledModel  # noqa: E402

STEPS, LR, LOSS_TOLERANCE = 3, 3e-3, 1e-6
BUCKET_FN = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_int64,
                             ctypes.c_int64, ctypes.POINTER(ctypes.c_float),
                             ctypes.c_int64)
ALL_REDUCE = 0


class ThreadCommunicator:
    """An all-reduce (mean) over the threads registered as ranks."""

    def __init__(self, ranks):
        self.ranks = ranks
        self.rank_of = {}
        self.condition = threading.Condition()
        # (bucket, generation) -> {rank: values}, and the generations done.
        self.pending, self.done = {}, set()
        self.generation = {}
        self.calls = 0

    def register(self, rank):
        self.rank_of[threading.get_ident()] = rank

    def start(self, _context, bucket, kind, values, count):
        assert kind == ALL_REDUCE, kind
        rank = self.rank_of[threading.get_ident()]
        with self.condition:
            generation = self.generation.get((rank, bucket), 0)
            self.generation[(rank, bucket)] = generation + 1
            array = np.ctypeslib.as_array(values, shape=(count,))
            self.pending.setdefault((bucket, generation), {})[rank] = array
            self.calls += 1
            self.condition.notify_all()

    def wait(self, _context, bucket, _kind, _values, _count):
        rank = self.rank_of[threading.get_ident()]
        with self.condition:
            key = (bucket, self.generation[(rank, bucket)] - 1)
            self.condition.wait_for(
                lambda: len(self.pending[key]) == self.ranks)
            if key not in self.done:
                arrays = [self.pending[key][r] for r in range(self.ranks)]
                total = arrays[0].copy()
                for array in arrays[1:]:
                    total += array
                mean = total * np.float32(1.0 / self.ranks)
                for array in arrays:
                    array[:] = mean
                self.done.add(key)


def main(dp_stem, accumulate_stem, ranks):
    ranks = int(ranks)
    copies = [CompiledModel(dp_stem) for _ in range(ranks)]
    communicator = ThreadCommunicator(ranks)
    callbacks = (BUCKET_FN(communicator.start), BUCKET_FN(communicator.wait))
    # The rank is the library's, one for all the threads: an unsharded
    # step does not read it.
    copies[0].lib[copies[0].name + "_set_communicator"](
        None, *callbacks, ctypes.c_int64(0))

    spec = copies[0].manifest["entry_points"]["train_step"]
    rng = np.random.default_rng(11)
    batches = [[rng.integers(0, 256, spec["inputs"][0]["shape"]),
                rng.integers(0, 256, spec["inputs"][1]["shape"])]
               for _ in range(ranks)]
    losses = [[] for _ in range(ranks)]

    def run(rank):
        communicator.register(rank)
        call, outputs = copies[rank].bind(
            "train_step", batches[rank] + [np.float32(LR)])
        for _ in range(STEPS):
            call()
            losses[rank].append(float(outputs[0]))

    threads = [threading.Thread(target=run, args=(rank,))
               for rank in range(ranks)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    accumulating = CompiledModel(accumulate_stem)
    stacked = [np.concatenate([b[i] for b in batches]) for i in range(2)]
    call, outputs = accumulating.bind("train_step", stacked + [np.float32(LR)])
    accumulated_losses = []
    for _ in range(STEPS):
        call()
        accumulated_losses.append(float(outputs[0]))

    params = [t["name"] for t in accumulating.manifest["state"]["tensors"]
              if t["role"] == "param"]
    same = all(np.array_equal(c.tensor(p), copies[0].tensor(p))
               for c in copies[1:] for p in params)
    exact = all(np.array_equal(copies[0].tensor(p), accumulating.tensor(p))
                for p in params)
    mean_losses = np.mean(np.array(losses), axis=0)
    loss_error = max(abs(a - b) / abs(b)
                     for a, b in zip(mean_losses, accumulated_losses))
    print(f"{ranks} ranks, {STEPS} steps, {communicator.calls} buckets "
          f"started: ranks' parameters "
          f"{'bitwise the same' if same else 'DIFFERENT'}")
    print(f"against --accumulate={ranks}: parameters "
          f"{'bitwise the same' if exact else 'DIFFERENT'}, mean loss within "
          f"{loss_error:.1e} ({'ok' if loss_error < LOSS_TOLERANCE else 'FAIL'})")


if __name__ == "__main__":
    main(*sys.argv[1:])
