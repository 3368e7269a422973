#!/usr/bin/env python3
"""GEMM: single-precision matrix products compiled by quernc against
OpenBLAS's cblas_sgemm, in the same process, at 1 and 2 threads, with the
machine's measured FMA peak as the ceiling. Writes gemm.json.

Every product is its own ONNX model (MatMul of two graph inputs) compiled
to a shared library and called through its forward entry point. Besides
C = A B there are the two products a backward pass needs, C = A^T B (weight
gradients) and C = A B^T (input gradients); in ONNX they are a Transpose
feeding the MatMul, which Quern folds into the contraction, and OpenBLAS
gets the same memory with its transpose flag.

Threads are switched inside the process: OpenBLAS with
openblas_set_num_threads(n), Quern's generated code (LLVM's OpenMP runtime)
with omp_set_num_threads(n). After every switch from one library to the
other the process sleeps, because each runtime's idle workers spin for a
while after a call (libomp: KMP_BLOCKTIME, 200 ms by default) and would take
the cores from the other library's measurement.

    /usr/bin/python3 bench/gemm.py --out DIR [--build BUILD] [--quick]
"""
import ctypes
import ctypes.util
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time

# Both runtimes size their thread pools when they load: leave them the
# whole machine and set the count per measurement below.
for variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "QUERN_NUM_THREADS",
                 "MKL_NUM_THREADS"):
    os.environ.pop(variable, None)

import numpy as np  # noqa: E402

import common  # noqa: E402
from compiled_model import CompiledModel  # noqa: E402

LIBOMP = "/usr/lib/llvm-19/lib/libomp.so.5"
OPENBLAS_FALLBACK = "/usr/lib/x86_64-linux-gnu/libopenblas.so.0"
SIZES = (256, 512, 1024, 2048, 4096)
QUICK_SIZES = (256, 512, 1024)
THREADS = (1, 2)
SWITCH_PAUSE_SECONDS = 0.3
# max |C - reference| / max |reference|, reference computed in float64.
# fp32 accumulation over K <= 2048 stays near 1e-6; 1e-4 means wrong code.
TOLERANCE = 1e-4

# (variant, label, transposed A, transposed B)
VARIANTS = (("nn", "A·B", False, False),
            ("tn", "Aᵀ·B", True, False),
            ("nt", "A·Bᵀ", False, True))

CBLAS_ROW_MAJOR, CBLAS_NO_TRANS, CBLAS_TRANS = 101, 111, 112


def operand_shapes(m, k, n, trans_a, trans_b):
    """Shapes of A and B as stored (and as the graph inputs are declared)."""
    return ([k, m] if trans_a else [m, k]), ([n, k] if trans_b else [k, n])


def make_model(m, k, n, trans_a, trans_b):
    from onnx import TensorProto, helper
    shape_a, shape_b = operand_shapes(m, k, n, trans_a, trans_b)
    nodes, lhs, rhs = [], "a", "b"
    if trans_a:
        nodes.append(helper.make_node("Transpose", ["a"], ["at"], perm=[1, 0],
                                      name="transpose_a"))
        lhs = "at"
    if trans_b:
        nodes.append(helper.make_node("Transpose", ["b"], ["bt"], perm=[1, 0],
                                      name="transpose_b"))
        rhs = "bt"
    nodes.append(helper.make_node("MatMul", [lhs, rhs], ["c"], name="matmul"))
    graph = helper.make_graph(
        nodes, "gemm",
        [helper.make_tensor_value_info("a", TensorProto.FLOAT, shape_a),
         helper.make_tensor_value_info("b", TensorProto.FLOAT, shape_b)],
        [helper.make_tensor_value_info("c", TensorProto.FLOAT, [m, n])])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    return model


class Runtimes:
    """libomp (global, before any compiled model is loaded, so the models
    bind to this copy) and OpenBLAS, with their thread controls, and the
    probe library (build_probe) that times calls of either in a loop."""

    def __init__(self, probe):
        self.probe = probe
        self.omp = ctypes.CDLL(LIBOMP, mode=ctypes.RTLD_GLOBAL)
        self.omp.omp_set_num_threads.argtypes = [ctypes.c_int]
        path = ctypes.util.find_library("openblas") or OPENBLAS_FALLBACK
        self.blas = ctypes.CDLL(path)
        self.blas.openblas_set_num_threads.argtypes = [ctypes.c_int]
        self.blas.openblas_get_num_threads.restype = ctypes.c_int
        self.blas.openblas_get_config.restype = ctypes.c_char_p
        self.blas.cblas_sgemm.restype = None
        self.blas.cblas_sgemm.argtypes = (
            [ctypes.c_int] * 6 + [ctypes.c_float, ctypes.c_void_p, ctypes.c_int,
                                  ctypes.c_void_p, ctypes.c_int, ctypes.c_float,
                                  ctypes.c_void_p, ctypes.c_int])
        self.openblas_path = path
        self.openblas_config = self.blas.openblas_get_config().decode()

    running = None  # the library and thread count of the last call

    def _switch(self, library, threads):
        """Pauses when the library or the thread count changes."""
        if self.running != (library, threads):
            time.sleep(SWITCH_PAUSE_SECONDS)
            self.running = (library, threads)

    def use_quern(self, threads):
        self.omp.omp_set_num_threads(threads)
        self._switch("quern", threads)

    def use_openblas(self, threads):
        self.blas.openblas_set_num_threads(threads)
        got = self.blas.openblas_get_num_threads()
        if got != threads:
            raise RuntimeError(f"OpenBLAS runs {got} threads, not {threads}")
        self._switch("openblas", threads)

    def sgemm_loop(self, a, b, c, trans_a, trans_b):
        """loop(calls): seconds per call of `calls` calls of cblas_sgemm
        computing c = op(a) op(b), row-major."""
        m, n = c.shape
        k = a.shape[0] if trans_a else a.shape[1]
        args = (ctypes.cast(self.blas.cblas_sgemm, ctypes.c_void_p),
                CBLAS_ROW_MAJOR, CBLAS_TRANS if trans_a else CBLAS_NO_TRANS,
                CBLAS_TRANS if trans_b else CBLAS_NO_TRANS, m, n, k,
                a.ctypes.data, a.shape[1], b.ctypes.data, b.shape[1],
                c.ctypes.data, c.shape[1])
        return lambda calls: self.probe.sgemm_seconds(*args, calls)

def quern_loop(probe, call):
    """loop(calls): seconds per call of `calls` calls of a call that
    CompiledModel.bind made, looped in the probe library."""
    fn, state, workspace, inputs, outputs = call.entry
    entry = ctypes.cast(fn, ctypes.c_void_p)

    def loop(calls):
        seconds = probe.quern_entry_seconds(entry, state, workspace, inputs,
                                            outputs, calls)
        if seconds < 0:
            raise RuntimeError("the compiled product returned an error")
        return seconds
    return loop


def build_probe(work):
    """bench/fma_peak.c and bench/call_loop.c as one library."""
    library = os.path.join(work, "probe.so")
    build = subprocess.run(
        ["clang-19", "-O2", "-march=native", "-shared", "-fPIC", "-pthread",
         os.path.join(common.BENCH, "fma_peak.c"),
         os.path.join(common.BENCH, "call_loop.c"), "-o", library],
        capture_output=True, text=True)
    if build.returncode != 0:
        raise RuntimeError("clang-19 fma_peak.c call_loop.c: "
                           + common.tail(build.stderr))
    probe = ctypes.CDLL(library)
    probe.fma_peak_gflops.restype = ctypes.c_double
    probe.fma_peak_gflops.argtypes = [ctypes.c_int, ctypes.c_long]
    probe.fma_peak_isa.restype = ctypes.c_char_p
    pointer, integer = ctypes.c_void_p, ctypes.c_int
    probe.quern_entry_seconds.restype = ctypes.c_double
    probe.quern_entry_seconds.argtypes = [pointer] * 5 + [ctypes.c_long]
    probe.sgemm_seconds.restype = ctypes.c_double
    probe.sgemm_seconds.argtypes = (
        [pointer] + [integer] * 6
        + [pointer, integer, pointer, integer, pointer, integer, ctypes.c_long])
    return probe


def measure_fma_peak(probe, quick):
    """{"isa", "1": GFLOP/s, "2": GFLOP/s}, or an "error". Best of several
    trials: a peak is what the cores reach when nothing interrupts them."""
    peak = {"isa": probe.fma_peak_isa().decode()}
    iterations = 10_000_000  # about 0.02 s per thread at 200 GFLOP/s
    for threads in THREADS:
        trials = [probe.fma_peak_gflops(threads, iterations)
                  for _ in range(3 if quick else 10)]
        if min(trials) < 0:
            return {"error": f"fma_peak_gflops({threads}) failed"}
        peak[str(threads)] = max(trials)
    return peak


WARMUP_SECONDS = 0.1


# A timed sample of a short product is a loop of calls at least this long.
SAMPLE_SECONDS = 1e-3


def timed(loop, quick, fill_seconds=0.3):
    """Median seconds of one call, of samples that each run `loop(calls)`
    (seconds per call of `calls` calls, timed in C): calls for
    WARMUP_SECONDS (at least two; after the pause of a switch, a core of
    this VM takes milliseconds to run at full speed again, which 30 calls
    of a small product would measure), then samples of enough calls to
    last SAMPLE_SECONDS (one call for a longer product), as many as fill
    about `fill_seconds` (at least 5, at most 30; 3 with --quick)."""
    start = time.perf_counter()
    calls = 0
    while calls < 2 or (not quick and
                        time.perf_counter() - start < WARMUP_SECONDS):
        loop(1)
        calls += 1
    once = (time.perf_counter() - start) / calls
    batch = max(1, math.ceil(SAMPLE_SECONDS / max(once, 1e-9)))
    repeat = 3 if quick else max(
        5, min(30, math.ceil(fill_seconds / max(once * batch, 1e-9))))
    return statistics.median(loop(batch) for _ in range(repeat))


def relative_error(got, reference):
    return float(np.abs(got - reference).max() / np.abs(reference).max())


def compile_model(build, work, name, m, k, n, trans_a, trans_b, flags=()):
    """(stem or None, compile seconds, error or None) of one product."""
    import onnx
    path = os.path.join(work, name + ".onnx")
    onnx.save(make_model(m, k, n, trans_a, trans_b), path)
    stem = os.path.join(work, name)
    start = time.perf_counter()
    run = subprocess.run([os.path.join(build, "bin", "quernc"), path,
                          "-o", stem, *flags], capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if run.returncode != 0:
        error = f"quernc exit {run.returncode}: {common.tail(run.stderr)}"
        print(f"  {name}: {error}", file=sys.stderr)
        return None, seconds, error
    return stem, seconds, None


def compile_models(build, work, sizes):
    """{(size, variant): (stem or None, compile seconds, error or None)}."""
    return {(size, variant): compile_model(build, work, f"gemm_{variant}_{size}",
                                           size, size, size, trans_a, trans_b)
            for size in sizes for variant, _, trans_a, trans_b in VARIANTS}


def uses_openmp(stem):
    with open(stem + ".so", "rb") as f:
        return b"__kmpc_fork_call" in f.read()


def operands(m, k, n, trans_a, trans_b, rng):
    """Random A and B as stored, and the float64 reference of the product."""
    shape_a, shape_b = operand_shapes(m, k, n, trans_a, trans_b)
    a = rng.standard_normal(shape_a, dtype=np.float32)
    b = rng.standard_normal(shape_b, dtype=np.float32)
    a64, b64 = a.astype(np.float64), b.astype(np.float64)
    return a, b, (a64.T if trans_a else a64) @ (b64.T if trans_b else b64)


def time_openblas(runtimes, a, b, reference, trans_a, trans_b, threads, quick,
                  fill_seconds=0.3):
    """{openblas_seconds, openblas_gflops, openblas_max_rel_error}."""
    m, n = reference.shape
    k = a.shape[0] if trans_a else a.shape[1]
    out = np.zeros((m, n), np.float32)
    runtimes.use_openblas(threads)
    seconds = timed(runtimes.sgemm_loop(a, b, out, trans_a, trans_b), quick,
                    fill_seconds)
    return {"openblas_seconds": seconds,
            "openblas_gflops": 2.0 * m * n * k / seconds / 1e9,
            "openblas_max_rel_error": relative_error(out, reference)}


def time_quern(runtimes, stem, a, b, reference, trans_a, threads, quick,
               tolerance=TOLERANCE, fill_seconds=0.3):
    """{quern_seconds, quern_gflops, quern_max_rel_error, quern_correct}."""
    m, n = reference.shape
    k = a.shape[0] if trans_a else a.shape[1]
    call, outputs = CompiledModel(stem).bind("forward", [a, b])
    runtimes.use_quern(threads)
    seconds = timed(quern_loop(runtimes.probe, call), quick, fill_seconds)
    error = relative_error(outputs[0], reference)
    return {"quern_seconds": seconds,
            "quern_gflops": 2.0 * m * n * k / seconds / 1e9,
            "quern_max_rel_error": error, "quern_correct": error <= tolerance}


def bench_one(runtimes, stem, size, trans_a, trans_b, threads, rng, quick):
    a, b, reference = operands(size, size, size, trans_a, trans_b, rng)
    row = time_openblas(runtimes, a, b, reference, trans_a, trans_b, threads,
                        quick)
    if stem is not None:
        row.update(time_quern(runtimes, stem, a, b, reference, trans_a,
                              threads, quick))
        row["ratio"] = row["openblas_seconds"] / row["quern_seconds"]
    return row


def percent_of_peak(rows, peak, who=("quern", "openblas")):
    """Adds WHO_percent_of_peak to each row (peak: {"1": GFLOP/s, ...})."""
    for row in rows:
        for name in who:
            if str(row["threads"]) in peak and name + "_gflops" in row:
                row[name + "_percent_of_peak"] = (
                    100 * row[name + "_gflops"] / peak[str(row["threads"])])


def best_peak(probe, quick, first):
    """The FMA peak measured again, each thread count's best of both runs:
    the closer to what the cores reach."""
    again = measure_fma_peak(probe, quick)
    peak = dict(first)
    for threads in map(str, THREADS):
        if threads in peak and threads in again:
            peak[threads] = max(peak[threads], again[threads])
    return peak


def main():
    parser = common.arguments(__doc__, "gemm",
                              "sizes 256-1024, 3 timed calls each")
    args = parser.parse_args()
    build = os.path.abspath(args.build)
    sizes = QUICK_SIZES if args.quick else SIZES
    rng = np.random.default_rng(7)
    with tempfile.TemporaryDirectory() as work:
        probe = build_probe(work)
        runtimes = Runtimes(probe)
        result = {"benchmark": "gemm", "precision": "fp32",
                  "quick": args.quick, "machine": common.machine(build),
                  "numpy_version": np.__version__,
                  "openblas": runtimes.openblas_config,
                  "openblas_library": runtimes.openblas_path,
                  "switch_pause_seconds": SWITCH_PAUSE_SECONDS,
                  "tolerance": TOLERANCE, "rows": []}
        peak = measure_fma_peak(probe, args.quick)
        compiled = compile_models(build, work, sizes)
        result["quern_target"] = next(
            (CompiledModel(stem).manifest["target"]["cpu"]
             for stem, _, _ in compiled.values() if stem), None)
        for threads in THREADS:
            for size in sizes:
                for variant, label, trans_a, trans_b in VARIANTS:
                    stem, seconds, error = compiled[size, variant]
                    row = {"size": size, "variant": variant, "label": label,
                           "threads": threads, "compile_seconds": seconds}
                    if error:
                        row["quern_error"] = error
                    else:
                        row["quern_uses_openmp"] = uses_openmp(stem)
                    row.update(bench_one(runtimes, stem, size, trans_a, trans_b,
                                         threads, rng, args.quick))
                    result["rows"].append(row)
                    quern = (f"{row['quern_gflops']:.1f}" if "quern_gflops" in row
                             else "failed")
                    print(f"  {size:5d} {label:5s} {threads}T: quern {quern} "
                          f"openblas {row['openblas_gflops']:.1f} GFLOP/s")
        # Once more at the end: the best of both is the closer to the peak.
        peak = best_peak(probe, args.quick, peak)
    result["fma_peak_gflops"] = peak
    print(f"FMA peak: {peak}")
    percent_of_peak(result["rows"], peak)
    common.write_result(args.out, result)


if __name__ == "__main__":
    main()
