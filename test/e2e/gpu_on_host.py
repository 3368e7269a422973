"""The AMD GPU back end's mapping, run on the host against the host's code.

    gpu_on_host.py cases CASES_DIR WORK BUILD [QUERNC_ARG...]
    gpu_on_host.py train HOST_STEM GPU_STEM RTOL

`cases`: every backend-test-style folder in CASES_DIR (model.onnx and
test_data_set_*) is compiled twice, for the host and with
`--target=amdgcn-amd-amdhsa --gpu-on-host` (the GPU-mapped code, each
workgroup and thread loop a plain loop, plus QUERNC_ARGs such as
`--gpu-threads-reversed`), and both run on the data sets' inputs. Integer and boolean outputs must be equal, floats
within a relative 1e-5 (absolute 1e-6): the GPU's threads sum a reduction
in order where the host's vector code sums it as a tree.

`train`: two libraries of one training step (same model, flags and
initial state) run three steps on one fixed batch; the losses must agree
within RTOL at every step, and the last be below the first.
"""
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "conformance"))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "scripts"))
import harness  # noqa: E402
from compiled_model import CompiledModel  # noqa: E402

GPU_ON_HOST = ["--target=amdgcn-amd-amdhsa", "--gpu-on-host"]
RTOL, ATOL = 1e-5, 1e-6


def differs(host, gpu):
    """Why two outputs differ, or None."""
    if host.shape != gpu.shape:
        return f"shape {gpu.shape}, the host's {host.shape}"
    if host.dtype.kind == "f":
        close = np.isclose(gpu.astype(np.float64), host.astype(np.float64),
                           rtol=RTOL, atol=ATOL, equal_nan=True)
    else:
        close = gpu == host
    if close.all():
        return None
    index = np.unravel_index(np.argmin(close), close.shape)
    return (f"{np.count_nonzero(~close)} of {close.size} elements differ, "
            f"first at {index}: {gpu[index]} (the host: {host[index]})")


def cases(folder, work, build, extra):
    failures = 0
    names = sorted(os.listdir(folder))
    for name in names:
        case = os.path.join(folder, name)
        data_sets = sorted(d for d in os.listdir(case)
                           if d.startswith("test_data_set_"))
        problem = None if data_sets else "no test_data_set_* folder"
        for data_set in data_sets:
            runs = []
            for label, args in (("host", []), ("gpu", GPU_ON_HOST + extra)):
                status, message, outputs, _ = harness.run_data_set(
                    case, data_set, os.path.join(work, name, label, data_set),
                    build, args)
                if status != "PASS":
                    problem = f"{label}: {status}: {message}"
                    break
                runs.append(outputs)
            if problem:
                break
            if len(runs[0]) != len(runs[1]):
                problem = (f"{data_set}: {len(runs[1])} outputs, the host's "
                           f"{len(runs[0])}")
                break
            for (info, host), (_, gpu) in zip(*runs):
                why = differs(host, gpu)
                if why:
                    problem = f"{data_set}: output '{info['name']}': {why}"
                    break
            if problem:
                break
        print(f"{'FAIL' if problem else 'PASS'}: {name}"
              + (f": {problem}" if problem else ""))
        failures += bool(problem)
    print(f"{len(names) - failures} of {len(names)} cases match the host")
    return 1 if failures else 0


def losses(stem, steps=3):
    with open(stem + ".json") as f:
        spec = json.load(f)["entry_points"]["train_step"]
    rng = np.random.default_rng(5)
    tokens, targets = (rng.integers(0, 256, spec["inputs"][0]["shape"]),
                       rng.integers(0, 256, spec["inputs"][1]["shape"]))
    call, outputs = CompiledModel(stem).bind(
        "train_step", [tokens, targets, np.float32(3e-3)])
    values = []
    for _ in range(steps):
        call()
        values.append(float(outputs[0]))
    return values


def train(host_stem, gpu_stem, rtol):
    host, gpu = losses(host_stem), losses(gpu_stem)
    worst = max(abs(g - h) / abs(h) for g, h in zip(gpu, host))
    print(f"losses {' '.join(f'{v:.5f}' for v in gpu)} (GPU-mapped), "
          f"{' '.join(f'{v:.5f}' for v in host)} (host)")
    ok = worst <= rtol and gpu[-1] < gpu[0]
    print(f"largest relative difference {worst:.1e}: "
          f"{'ok' if ok else 'FAIL'} (at most {rtol:g}, and it trains)")
    return 0 if ok else 1


if __name__ == "__main__":
    if sys.argv[1] == "cases":
        raise SystemExit(cases(sys.argv[2], sys.argv[3], sys.argv[4],
                               sys.argv[5:]))
    raise SystemExit(train(sys.argv[2], sys.argv[3], float(sys.argv[4])))
