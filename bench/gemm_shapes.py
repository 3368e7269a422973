#!/usr/bin/env python3
"""GEMM shape sweep: matrix products of the shapes models have (primes,
3·2^k and 5·2^k, hundreds and thousands, batch × sequence products, a
50257-token vocabulary), not only powers of two. Each shape as A·B, Aᵀ·B and
A·Bᵀ, compiled by quernc in fp32 and in bf16 (`--precision=bf16`: operands
rounded to bf16, sums in f32), at 1 and 2 threads, against OpenBLAS's
cblas_sgemm on the same shape in the same process (OpenBLAS has no bf16
product: both precisions are compared with its fp32 one). Writes
gemm_shapes.json.

Every shape's power-of-two neighbour (each dimension rounded up to a power
of two) is measured too, so that a cliff shows as a shape far slower than
the larger power-of-two product next to it.

    /usr/bin/python3 bench/gemm_shapes.py --out DIR [--build BUILD] [--quick]
"""
import glob
import os
import sys
import tempfile

import numpy as np

import common
import gemm
from compiled_model import CompiledModel

# (M, K, N), C[M, N] = A[M, K] · B[K, N].
SHAPES = (
    # primes
    (17, 17, 17), (127, 127, 127), (97, 211, 53), (521, 1031, 263),
    (1009, 256, 128), (256, 256, 1009),
    # 3·2^k and 5·2^k
    (96, 96, 96), (192, 192, 192), (384, 384, 384), (768, 768, 768),
    (1536, 1536, 1536), (160, 160, 160), (320, 320, 320), (640, 640, 640),
    (1280, 1280, 1280), (384, 256, 128), (640, 256, 128), (768, 256, 128),
    (3072, 256, 256),
    # hundreds and thousands
    (100, 100, 100), (300, 300, 300), (1000, 1000, 1000), (300, 256, 128),
    (1000, 256, 128), (256, 256, 100), (100, 256, 128), (2000, 256, 512),
    (1000, 512, 512), (500, 500, 500),
    # transformer products: GPT-2 small (d 768, 256 tokens), a fused q/k/v
    # projection at d 128 over 384 tokens and its weight gradient, and the
    # vocabulary projection
    (256, 768, 2304), (256, 768, 768), (256, 768, 3072), (256, 3072, 768),
    (300, 768, 768), (384, 128, 384), (128, 384, 384), (128, 768, 50257),
    (96, 64, 50257), (50257, 64, 96),
    # sizes up to 4096
    (4096, 256, 256), (256, 4096, 256), (2048, 2048, 2048),
)
QUICK_SHAPES = ((384, 256, 128), (256, 256, 100), (127, 127, 127),
                (96, 64, 50257))
PRECISIONS = (("fp32", ()), ("bf16", ("--precision=bf16",)))
# bf16 operands carry 8 bits of mantissa: the sums of K products of
# rounded values stay within about 1% of the largest output.
TOLERANCES = {"fp32": gemm.TOLERANCE, "bf16": 2e-2}
# Calls of each product fill about this long (after the warm-up): the sweep
# makes some 800 measurements.
FILL_SECONDS = 0.1


def power_of_two_above(shape):
    return tuple(1 << (size - 1).bit_length() for size in shape)


def swept_shapes(quick):
    """The shapes, each followed by its power-of-two neighbour (once)."""
    shapes = []
    for shape in QUICK_SHAPES if quick else SHAPES:
        for candidate in (shape, power_of_two_above(shape)):
            if candidate not in shapes:
                shapes.append(candidate)
    return shapes


def label(shape):
    return "×".join(map(str, shape))


# The products furthest below OpenBLAS are profiled kernel by kernel.
WORST_PROFILED = 8
PROFILE_CALLS_SECONDS = 0.2


def profile_worst(sweep, runtimes, build, work, rng):
    """[{shape, variant, label, precision, threads, ratio, kernels}] of the
    WORST_PROFILED products furthest below OpenBLAS, each compiled again
    and run with QUERN_PROFILE=1: per kernel its time per call and share,
    GFLOP/s, loops and strategy, so that the table says where a slow shape
    loses."""
    worst = sorted((r for r in sweep["rows"] if "ratio" in r),
                   key=lambda r: r["ratio"])[:WORST_PROFILED]
    # Read as each library loads (docs/ABI.md, "Kernel profile").
    os.environ["QUERN_PROFILE"] = "1"
    transposes = {v: (ta, tb) for v, _, ta, tb in gemm.VARIANTS}
    profiles = []
    for index, r in enumerate(worst):
        m, k, n = r["shape"]
        trans_a, trans_b = transposes[r["variant"]]
        flags = dict(PRECISIONS)[r["precision"]]
        stem, _, error = gemm.compile_model(
            build, work, f"worst{index}", m, k, n, trans_a, trans_b, flags)
        if error:
            continue
        model = CompiledModel(stem)
        a, b, _ = gemm.operands(m, k, n, trans_a, trans_b, rng)
        call, _ = model.bind("forward", [a, b])
        loop = gemm.quern_loop(runtimes.probe, call)
        runtimes.use_quern(r["threads"])
        calls = max(1, int(PROFILE_CALLS_SECONDS / max(loop(1), 1e-9)))
        kernels = model.manifest["kernels"]
        before, _ = model.kernel_profile()
        seconds = loop(calls)
        after, _ = model.kernel_profile()
        total = sum(a - b for a, b in zip(after, before)) or 1
        rows = []
        for i, kernel in enumerate(kernels):
            nanoseconds = after[i] - before[i]
            rows.append({
                "symbol": kernel["symbol"], "kind": kernel["kind"],
                "loops": kernel["loops"], "strategy": kernel["strategy"],
                "seconds_per_call": nanoseconds / 1e9 / calls,
                "share": nanoseconds / total,
                "gflops": (kernel["flops"] * calls / nanoseconds
                           if nanoseconds and kernel["flops"] else None)})
        profiles.append({key: r[key] for key in (
            "shape", "variant", "label", "precision", "threads", "ratio",
            "quern_gflops", "openblas_gflops")} | {
                "profiled_seconds_per_call": seconds,
                "profiled_gflops": 2 * m * k * n / seconds / 1e9,
                "kernels": rows})
    del os.environ["QUERN_PROFILE"]
    return profiles


def main():
    parser = common.arguments(__doc__, "gemm_shapes",
                              "four shapes, 3 timed calls each")
    args = parser.parse_args()
    build = os.path.abspath(args.build)
    shapes = swept_shapes(args.quick)
    rng = np.random.default_rng(11)
    with tempfile.TemporaryDirectory() as work:
        probe = gemm.build_probe(work)
        runtimes = gemm.Runtimes(probe)
        result = {"benchmark": "gemm_shapes", "quick": args.quick,
                  "machine": common.machine(build), "numpy_version": np.__version__,
                  "openblas": runtimes.openblas_config,
                  "switch_pause_seconds": gemm.SWITCH_PAUSE_SECONDS,
                  "tolerances": TOLERANCES, "rows": []}
        peak = gemm.measure_fma_peak(probe, args.quick)
        for m, k, n in shapes:
            for variant, product, trans_a, trans_b in gemm.VARIANTS:
                stems = {
                    precision: gemm.compile_model(
                        build, work, f"{variant}_{m}_{k}_{n}_{precision}",
                        m, k, n, trans_a, trans_b, flags)
                    for precision, flags in PRECISIONS}
                a, b, reference = gemm.operands(m, k, n, trans_a, trans_b, rng)
                for threads in gemm.THREADS:
                    blas = gemm.time_openblas(runtimes, a, b, reference,
                                              trans_a, trans_b, threads,
                                              args.quick, FILL_SECONDS)
                    for precision, (stem, seconds, error) in stems.items():
                        row = {"shape": [m, k, n], "variant": variant,
                               "label": product, "precision": precision,
                               "threads": threads, "compile_seconds": seconds,
                               "power_of_two": power_of_two_above((m, k, n))
                               == (m, k, n), **blas}
                        if error:
                            row["quern_error"] = error
                        else:
                            row.update(gemm.time_quern(
                                runtimes, stem, a, b, reference, trans_a,
                                threads, args.quick, TOLERANCES[precision],
                                FILL_SECONDS))
                            row["ratio"] = (row["openblas_seconds"]
                                            / row["quern_seconds"])
                        result["rows"].append(row)
                        quern = (f"{row['quern_gflops']:7.1f}"
                                 if "quern_gflops" in row else " failed")
                        print(f"  {label((m, k, n)):>16s} {product:5s} "
                              f"{precision} {threads}T: quern {quern} openblas "
                              f"{row['openblas_gflops']:6.1f} GFLOP/s",
                              flush=True)
                # The compiled products are not needed again: 390 of them
                # would fill the temporary folder.
                for path in glob.glob(os.path.join(work, f"{variant}_{m}_{k}_{n}_*")):
                    os.remove(path)
        result["worst_profiles"] = profile_worst(result, runtimes, build,
                                                 work, rng)
        peak = gemm.best_peak(probe, args.quick, peak)
    result["fma_peak_gflops"] = peak
    gemm.percent_of_peak(result["rows"], peak)
    common.write_result(args.out, result)
    failed = [r for r in result["rows"]
              if "quern_error" in r or not r.get("quern_correct", True)]
    if failed:
        print(f"{len(failed)} products failed or were wrong", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
