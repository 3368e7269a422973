"""Runs one ONNX backend test (a folder with model.onnx and
test_data_set_*/{input,output}_*.pb) through Quern: compile with quernc, run
the library with the C example program (build/bin/run_model, one process
per test so a crash is a failure, not a crashed runner), compare every
output with the expected .pb.

Results:
  PASS         every output matched
  UNSUPPORTED  quernc rejected the model as using something Quern does not
               support (an op, an attribute value, an element type), or the
               test is listed in NOT_REPRODUCIBLE
  FAIL         anything else
"""
import json
import os
import re
import shutil
import subprocess

import numpy as np
import onnx
from onnx import numpy_helper

ONNX_TEST_DATA = "/usr/share/libonnx-testdata/data"
GROUPS = ("node", "pytorch-converted", "pytorch-operator")


def missing_groups():
    """The groups whose folder is missing (libonnx-testdata not installed):
    each is a failure, never a suite that silently shrinks."""
    return [group for group in GROUPS
            if not os.path.isdir(os.path.join(ONNX_TEST_DATA, group))]


MISSING_MESSAGE = (f"{ONNX_TEST_DATA} has no such folder: install Debian's "
                   "libonnx-testdata (scripts/install-deps.sh does)")


def backend_tests():
    """(group, name, folder) of every backend test Debian ships."""
    for group in GROUPS:
        folder = os.path.join(ONNX_TEST_DATA, group)
        if not os.path.isdir(folder):
            continue
        for name in sorted(os.listdir(folder)):
            if os.path.exists(os.path.join(folder, name, "model.onnx")):
                yield group, name, os.path.join(folder, name)


# Tests whose expected outputs cannot be reproduced by any implementation
# other than the one that generated them.
NOT_REPRODUCIBLE = {
    name: "its expected output comes from numpy's random number stream"
    for name in ("test_training_dropout", "test_training_dropout_default",
                 "test_training_dropout_default_mask",
                 "test_training_dropout_mask")
}
# ONNX 1.12's generator computed this test's expected outputs with epsilon
# 1e-2 but wrote the node without its epsilon attribute (default 1e-6).
NOT_REPRODUCIBLE["test_adam_multiple"] = (
    "the test data contradicts the model: its outputs were computed with "
    "epsilon 1e-2, the node has the default epsilon 1e-6")

DEFAULT_RTOL = 1e-3
DEFAULT_ATOL = 1e-7
# bfloat16 keeps 8 significant bits: ONNX 1.12's reference converts to it by
# truncation where Quern rounds to nearest even, one unit in the last place
# (2^-7 relative) apart.
BF16_RTOL = 2.0 ** -7

MANIFEST_DTYPES = {
    "f32": np.float32, "f64": np.float64, "f16": np.float16,
    "i64": np.int64, "i32": np.int32, "i16": np.int16, "i8": np.int8,
    "u64": np.uint64, "u32": np.uint32, "u16": np.uint16, "u8": np.uint8,
    "bool": np.bool_,
}


def _load_tensors(folder, prefix):
    tensors = []
    index = 0
    while True:
        path = os.path.join(folder, f"{prefix}_{index}.pb")
        if not os.path.exists(path):
            return tensors
        proto = onnx.TensorProto()
        with open(path, "rb") as f:
            proto.ParseFromString(f.read())
        tensors.append(proto)
        index += 1


def _to_array(proto, dtype=None):
    """A test tensor as numpy. bfloat16 values (which ONNX's test data also
    stores as UINT16 bit patterns) become their float32 values."""
    bits = dtype == "bf16" or proto.data_type == onnx.TensorProto.BFLOAT16
    if bits:
        raw = np.frombuffer(proto.raw_data, dtype=np.uint16) if proto.raw_data \
            else np.array(proto.int32_data, dtype=np.uint16)
        return (raw.astype(np.uint32) << 16).view(np.float32).reshape(proto.dims)
    return numpy_helper.to_array(proto)


def _write_input(array, dtype, path):
    """Raw row-major bytes in the manifest's dtype (bf16: the top half of
    each float32)."""
    if dtype == "bf16":
        bits = np.ascontiguousarray(array, dtype=np.float32).view(np.uint32)
        (bits >> 16).astype(np.uint16).tofile(path)
    else:
        np.ascontiguousarray(array, dtype=MANIFEST_DTYPES[dtype]).tofile(path)


def _read_output(path, info):
    dtype = info["dtype"]
    shape = info["shape"]
    if dtype == "bf16":
        raw = np.fromfile(path, dtype=np.uint16)
        return (raw.astype(np.uint32) << 16).view(np.float32).reshape(shape)
    return np.fromfile(path, dtype=MANIFEST_DTYPES[dtype]).reshape(shape)


def _worst_error(actual, expected):
    """The largest absolute and relative differences (NaN positions that
    agree are equal)."""
    a = actual.astype(np.float64).ravel()
    e = expected.astype(np.float64).ravel()
    both = ~(np.isnan(a) & np.isnan(e))
    if not both.any():
        return 0.0, 0.0
    with np.errstate(invalid="ignore"):  # inf - inf where both are inf
        diff = np.abs(a[both] - e[both])
    diff = np.where(a[both] == e[both], 0.0, diff)
    scale = np.abs(e[both])
    relative = np.where(scale > 0, diff / np.where(scale > 0, scale, 1), diff)
    return float(np.nanmax(diff)), float(np.nanmax(relative))


def _compare(name, actual, expected, rtol, atol):
    """None if equal within tolerance, else a one-line reason."""
    if actual.shape != expected.shape:
        return f"{name}: shape {list(actual.shape)}, expected {list(expected.shape)}"
    if expected.dtype.kind in "fc" or actual.dtype.kind == "f":
        a = actual.astype(np.float64)
        e = expected.astype(np.float64)
        if np.allclose(a, e, rtol=rtol, atol=atol, equal_nan=True):
            return None
        bad = ~np.isclose(a, e, rtol=rtol, atol=atol, equal_nan=True)
        worst = np.argmax(np.where(bad, np.abs(a - e), -1))
        return (f"{name}: {bad.sum()} of {a.size} values differ "
                f"(rtol {rtol}, atol {atol}); e.g. {a.flat[worst]!r} vs "
                f"{e.flat[worst]!r}")
    if np.array_equal(actual, expected.astype(actual.dtype)):
        return None
    bad = actual != expected.astype(actual.dtype)
    return f"{name}: {bad.sum()} of {actual.size} values differ"


INTEGER_TYPES = {onnx.TensorProto.INT32, onnx.TensorProto.INT64}


def _compile(test_dir, stem, build_dir, data_set, quernc_args=()):
    """Compiles the model (with `quernc_args` added); inputs that must be
    compile-time constants (they decide shapes, e.g. Reshape's shape fed as
    a graph input) are fixed to the data set's values with --input-value.
    Returns (status, message, names of the fixed inputs)."""
    model, inputs = load_model(test_dir)
    bound = {}
    while True:
        command = [os.path.join(build_dir, "bin", "quernc"),
                   os.path.join(test_dir, "model.onnx"), "-o", stem]
        command += list(quernc_args)
        command += [f"--input-value={name}={path}" for name, path in bound.items()]
        result = subprocess.run(command, capture_output=True, text=True)
        if result.returncode == 0:
            return "PASS", "", list(bound)
        message = result.stderr.strip()
        needed = re.search(r"\('([^']+)'\) must be a constant", message)
        if (result.returncode == 1 and needed and needed.group(1) in inputs
                and needed.group(1) not in bound):
            name = needed.group(1)
            bound[name] = os.path.join(test_dir, data_set,
                                       f"input_{inputs.index(name)}.pb")
            continue
        # A value computed from inputs (a window's length from its size
        # input): fix every integer input not yet fixed, once.
        integer_inputs = [i.name for i in model.graph.input
                          if i.name in inputs and i.name not in bound
                          and i.type.tensor_type.elem_type in INTEGER_TYPES]
        if result.returncode == 1 and needed and integer_inputs:
            for name in integer_inputs:
                bound[name] = os.path.join(test_dir, data_set,
                                           f"input_{inputs.index(name)}.pb")
            continue
        if result.returncode == 1 and "unsupported" in message:
            return "UNSUPPORTED", message, list(bound)
        return "FAIL", f"quernc exited with {result.returncode}: {message}", \
            list(bound)


def run_data_set(test_dir, data_set, work_dir, build_dir, quernc_args=()):
    """Compiles the model for one data set (quernc with `quernc_args`) and
    runs it on the data set's inputs with run_model. Returns (status,
    message, [(output info, array)], names of the inputs fixed at compile
    time)."""
    stem = os.path.join(work_dir, "model")
    status, message, bound = _compile(test_dir, stem, build_dir, data_set,
                                      quernc_args)
    if status != "PASS":
        return status, message, [], bound
    with open(stem + ".json") as f:
        entry = json.load(f)["entry_points"]["forward"]
    folder = os.path.join(test_dir, data_set)
    inputs = [proto for proto, name in
              zip(_load_tensors(folder, "input"), load_model(test_dir)[1])
              if name not in bound]
    if len(inputs) != len(entry["inputs"]):
        return "FAIL", (f"{data_set}: {len(inputs)} input files, the model "
                        f"takes {len(entry['inputs'])}"), [], bound
    input_paths = []
    for index, (proto, info) in enumerate(zip(inputs, entry["inputs"])):
        path = os.path.join(work_dir, f"input_{index}.bin")
        _write_input(_to_array(proto, info["dtype"]), info["dtype"], path)
        input_paths.append(path)
    prefix = os.path.join(work_dir, "output_")
    result = subprocess.run(
        [os.path.join(build_dir, "bin", "run_model"), stem + ".so", prefix]
        + input_paths, capture_output=True, text=True)
    if result.returncode != 0:
        return "FAIL", (f"{data_set}: run_model exited with "
                        f"{result.returncode}: {result.stderr.strip()}"), \
            [], bound
    return "PASS", "", [(info, _read_output(f"{prefix}{index}.bin", info))
                        for index, info in enumerate(entry["outputs"])], bound


def load_model(test_dir):
    """The test's model (without external data) and the names of its
    inputs that are not initializers."""
    model = onnx.load(os.path.join(test_dir, "model.onnx"),
                      load_external_data=False)
    initializers = {t.name for t in model.graph.initializer}
    return model, [i.name for i in model.graph.input
                   if i.name not in initializers]


def run(test_dir, work_dir, build_dir, rtol=DEFAULT_RTOL, atol=DEFAULT_ATOL,
        quernc_args=()):
    """(status, message) for one backend test folder, compiled with
    `quernc_args` added."""
    name = os.path.basename(os.path.normpath(test_dir))
    if name in NOT_REPRODUCIBLE:
        return "UNSUPPORTED", NOT_REPRODUCIBLE[name]
    shutil.rmtree(work_dir, ignore_errors=True)
    os.makedirs(work_dir)
    model, input_names = load_model(test_dir)
    # Declared shapes of tensor inputs (None: unknown rank or dimension).
    declared = {i.name: [d.dim_value if d.HasField("dim_value") else None
                         for d in i.type.tensor_type.shape.dim]
                for i in model.graph.input
                if i.name in input_names and i.type.HasField("tensor_type")
                and i.type.tensor_type.HasField("shape")}
    data_sets = sorted(d for d in os.listdir(test_dir)
                       if d.startswith("test_data_set_"))
    worst_abs = worst_rel = 0.0
    for data_set in data_sets:
        for name, proto in zip(input_names, _load_tensors(
                os.path.join(test_dir, data_set), "input")):
            dims = list(proto.dims)
            shape = declared.get(name)
            if shape is None:
                continue
            if len(shape) != len(dims) or any(
                    d is not None and d != v for d, v in zip(shape, dims)):
                return "UNSUPPORTED", (
                    f"the test data contradicts the model: input '{name}' is "
                    f"{shape} in the model, {dims} in {data_set}")
        status, message, outputs, bound = run_data_set(
            test_dir, data_set, os.path.join(work_dir, data_set), build_dir,
            quernc_args)
        if status != "PASS":
            return status, message
        expected = _load_tensors(os.path.join(test_dir, data_set), "output")
        for (info, actual), proto in zip(outputs, expected):
            wanted = _to_array(proto, info["dtype"])
            problem = _compare(info["name"], actual, wanted,
                               max(rtol, BF16_RTOL) if info["dtype"] == "bf16"
                               else rtol, atol)
            if problem:
                return "FAIL", f"{data_set}: {problem}"
            if actual.shape == wanted.shape and actual.size:
                error = _worst_error(actual, wanted)
                worst_abs = max(worst_abs, error[0])
                worst_rel = max(worst_rel, error[1])
    fixed = " (inputs fixed at compile time: " + ", ".join(bound) + ")" \
        if bound else ""
    return "PASS", (f"{len(data_sets)} data set(s) matched{fixed}; worst error "
                    f"{worst_abs:.3g} absolute, {worst_rel:.3g} relative "
                    f"(rtol {rtol}, atol {atol})")


def main():
    import argparse
    parser = argparse.ArgumentParser(
        description="Run one backend-test-style folder through Quern.")
    parser.add_argument("folder")
    parser.add_argument("--work", required=True, help="scratch folder")
    parser.add_argument("--build", required=True, help="Quern's build folder")
    parser.add_argument("--rtol", type=float, default=DEFAULT_RTOL)
    parser.add_argument("--atol", type=float, default=DEFAULT_ATOL)
    args = parser.parse_args()
    status, message = run(args.folder, args.work, args.build, args.rtol,
                          args.atol)
    print(f"{status}: {message}")
    return 0 if status == "PASS" else 1


if __name__ == "__main__":
    raise SystemExit(main())
