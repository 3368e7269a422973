"""What the benchmarks share: paths, timing, the machine's description and
the JSON files they write."""
import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCH = os.path.join(ROOT, "bench")
PYTHON = "/usr/bin/python3"  # Debian's, which sees python3-torch and -onnx
STARTED = time.monotonic()  # each benchmark is a process: its run time
sys.path.insert(0, os.path.join(ROOT, "scripts"))


def arguments(doc, name, quick_help, out_required=True):
    """The options every benchmark takes: --build, --out (the folder for
    NAME.json) and --quick. Benchmarks add their own to the parser."""
    parser = argparse.ArgumentParser(description=doc,
                                     formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--build", default=os.path.join(ROOT, "build"))
    parser.add_argument("--out", required=out_required,
                        help=f"folder for {name}.json")
    parser.add_argument("--quick", action="store_true", help=quick_help)
    return parser


def median_seconds(call, warmup, repeat):
    """Median wall time of `repeat` calls after `warmup` untimed ones."""
    for _ in range(warmup):
        call()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def duration(seconds):
    """3 significant digits in a unit that suits them."""
    if seconds < 1e-3:
        return f"{seconds * 1e6:.3g} µs"
    return f"{seconds * 1e3:.3g} ms" if seconds < 1 else f"{seconds:.3g} s"


def cpu_model():
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine()


def host_cpu(build):
    """The host CPU as LLVM names it, which quernc in `build` compiles for by
    default (`quernc --print-targets`): the microarchitecture, which a
    virtual machine's model name hides."""
    run = subprocess.run([os.path.join(build, "bin", "quernc"),
                          "--print-targets"],
                         capture_output=True, text=True, check=True)
    for line in run.stdout.splitlines():
        if "Host CPU:" in line:
            return line.split(":", 1)[1].strip()
    raise RuntimeError("quernc --print-targets names no host CPU")


def machine(build):
    """The machine and the load on it when a benchmark starts: the other
    processes running then (a build, say) take cores from the measurement."""
    return {"cpu": cpu_model(), "host_cpu": host_cpu(build),
            "cores": os.cpu_count(), "load_average_1min": os.getloadavg()[0]}


def _proc_kib_bytes(path, field):
    """A "field: N kB" line of a /proc file, in bytes."""
    with open(path) as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    raise RuntimeError(f"no {field} in {path}")


def rss_bytes():
    """Current resident set size of this process."""
    return _proc_kib_bytes("/proc/self/status", "VmRSS")


def peak_rss_bytes():
    """Peak resident set size of this process. Not getrusage's ru_maxrss:
    Linux carries that over execve from the process that started this one,
    so a child of a big parent would report at least the parent's peak."""
    return _proc_kib_bytes("/proc/self/status", "VmHWM")


def memory_bytes():
    """The machine's memory."""
    return _proc_kib_bytes("/proc/meminfo", "MemTotal")


def write_result(out_dir, result):
    os.makedirs(out_dir, exist_ok=True)
    result["wall_seconds"] = time.monotonic() - STARTED
    path = os.path.join(out_dir, result["benchmark"] + ".json")
    with open(path, "w") as f:
        json.dump(result, f, indent=2)
        f.write("\n")
    print(f"wrote {path}")


def tail(text, lines=8):
    """The end of a tool's output, for an error report."""
    return "\n".join(text.strip().splitlines()[-lines:])
