#!/usr/bin/env python3
"""make bench: measures compiled models against OpenBLAS, PyTorch eager and
numpy in the same run, on the same thread counts, writes
bench/results/<name>.json and regenerates docs/Performance.md from them.

Benchmarks (each runs in a process of its own):
  gemm           bench/gemm.py: fp32 GEMM GFLOP/s (A·B, Aᵀ·B, A·Bᵀ; 256 to
                 2048) against OpenBLAS at 1 and 2 threads, and as a share of
                 the measured FMA peak (bench/fma_peak.c).
  gemm_shapes    bench/gemm_shapes.py: the shape sweep, 43 products of
                 the shapes models have (primes, 3·2^k, 5·2^k, hundreds and
                 thousands, a 50257 vocabulary) and their power-of-two
                 neighbours, fp32 and bf16, 1 and 2 threads, against OpenBLAS.
  train          bench/train.py: median training-step time, peak RSS,
                 compile time and model FLOP utilization of an MLP and four
                 GPT-2 models (up to GPT-2 small's shapes, vocabulary
                 50257), quernc --train --optimizer=adamw against PyTorch
                 eager, 1 and 2 threads, fp32 and bf16.
  moe            bench/moe.py: a mixture-of-experts layer's training step,
                 fused, dense, and PyTorch eager dense and sparse (each
                 expert on its own tokens), 1 and 2 threads.
  qlora          bench/qlora.py: QLoRA steps (adapters on every product, the
                 base in f32, NF4, NF4 with bf16) against PyTorch eager LoRA
                 and dequantize-then-matmul, 1 and 2 threads.
  recompute      bench/recompute.py: training steps under activation budgets
                 (50%, 33%, 20%, the least, PyTorch's checkpointing memory)
                 against PyTorch eager with and without checkpointing.
  halide_nf4     bench/halide_nf4.py: the NF4 dequantize-matmul of Quern's
                 MLIR path against a Halide 14 generator, the QLoRA models'
                 products, 1 and 2 threads.
  mlp_forward    bench/mlp_forward.py: the example MLP's forward pass against
                 torch and numpy, 1 thread.
  import_memory  bench/import_memory.py: quernc's peak RSS compiling 1 GiB of
                 external-data weights.
  llama_qlora    bench/llama_qlora.py: QLoRA fine-tuning of the 1.1B Llama-style
                 model of examples/llama-qlora (compile time, tokens/s, peak
                 RSS; fp32 and bf16) against PyTorch eager LoRA, 2 threads.
  data_parallel  bench/data_parallel.py: weak scaling of the 8-layer GPT's
                 --data-parallel step, mpirun -np 2 quern-train against one
                 process, and a paper study for 8 to 512 nodes.
  amdgpu         bench/amdgpu.py: GPT-2 training steps compiled for AMD GPUs
                 (gfx90a, gfx942, gfx1100) and the host: compile time, code
                 objects, registers. Nothing runs on a GPU.

--quick is a smoke test (fewer sizes, calls and steps); unless --out is
given its results go to a temporary folder, not into the repository.
"""
import argparse
import glob
import os
import subprocess
import sys
import tempfile
import time

import common
import report

SCRIPTS = {"gemm": "gemm.py", "gemm_shapes": "gemm_shapes.py",
           "train": "train.py", "moe": "moe.py", "qlora": "qlora.py",
           "recompute": "recompute.py", "halide_nf4": "halide_nf4.py",
           "mlp_forward": "mlp_forward.py", "import_memory": "import_memory.py",
           "data_parallel": "data_parallel.py", "llama_qlora": "llama_qlora.py",
           "amdgpu": "amdgpu.py"}


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--build", default=os.path.join(common.ROOT, "build"))
    parser.add_argument("--only", default=",".join(SCRIPTS),
                        help="comma-separated benchmarks to run (default: all); "
                             "the page is made from every result in the folder")
    parser.add_argument("--quick", action="store_true",
                        help="a fast smoke run of the same code paths")
    parser.add_argument("--out", help="write DIR/<name>.json and "
                        "DIR/Performance.md (default: bench/results and "
                        "docs/Performance.md; with --quick, a folder in $TMPDIR)")
    parser.add_argument("--report-only", action="store_true",
                        help="only regenerate the page from the JSON files")
    args = parser.parse_args()
    selected = [name for name in args.only.split(",") if name]
    unknown = set(selected) - set(SCRIPTS)
    if unknown:
        parser.error(f"unknown benchmark(s) {', '.join(sorted(unknown))}; "
                     f"choose from {', '.join(SCRIPTS)}")

    if args.out:
        results_dir = doc_dir = os.path.abspath(args.out)
    elif args.quick:
        results_dir = doc_dir = os.path.join(tempfile.gettempdir(),
                                             "quern-bench-quick")
    else:
        results_dir = os.path.join(common.BENCH, "results")
        doc_dir = os.path.join(common.ROOT, "docs")
    os.makedirs(results_dir, exist_ok=True)

    # PyTorch multiplies with whatever libblas.so.3 Debian's alternatives
    # name: the reference BLAS, one thread and many times slower, unless
    # libopenblas-dev is installed (make bench installs it). A baseline that
    # slow would make every ratio against PyTorch a flattering fiction.
    blas = [os.path.realpath(path)
            for path in glob.glob("/etc/alternatives/libblas.so.3*")]
    if not args.report_only and not any("openblas" in path for path in blas):
        sys.exit("bench: libblas.so.3 is not OpenBLAS ("
                 + (", ".join(blas) or "none") + "), so PyTorch would run "
                 "the reference BLAS; `make bench` installs libopenblas-dev "
                 "(scripts/install-deps.sh bench)")

    failed = []
    for name in [] if args.report_only else selected:
        command = [common.PYTHON, os.path.join(common.BENCH, SCRIPTS[name]),
                   "--build", os.path.abspath(args.build), "--out", results_dir]
        if args.quick:
            command.append("--quick")
        print(f"== {name}", flush=True)
        start = time.perf_counter()
        status = subprocess.run(command).returncode
        print(f"== {name}: {time.perf_counter() - start:.0f} s"
              + (f", FAILED (exit {status})" if status else ""), flush=True)
        if status:
            failed.append(name)

    doc = os.path.join(doc_dir, "Performance.md")
    report.write_markdown(report.load_results(results_dir), doc)
    print(f"wrote {doc}")
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
