"""quern.compile: quernc, run as a process, with its options as keywords."""
import os
import re
import shutil
import subprocess
import tempfile

from . import _config
from ._runtime import load as _load


class CompileError(Exception):
    """quernc refused the model or an option. `node` and `op_type` name the
    ONNX node the error is about (None when it is about the file or a
    flag); `message` is what quernc said after them."""

    def __init__(self, text):
        super().__init__(text)
        self.text = text
        self.node = self.op_type = None
        self.message = text
        match = re.search(r"node '([^']*)' \(([^)]*)\): (.*)", text)
        if match:
            self.node, self.op_type, self.message = match.groups()


def _flag(name, value):
    """--kebab-case[=value] for a keyword (None for an option left out)."""
    flag = "--" + name.replace("_", "-")
    if value is None or value is False:
        return []
    if value is True:
        return [flag]
    if isinstance(value, (list, tuple)) and name == "lora":
        value = ":".join(str(v) for v in value)  # (rank, alpha)
    elif isinstance(value, (list, tuple)):
        value = ",".join(str(v) for v in value)
    elif isinstance(value, dict):  # input_shape={"x": (4, 64)}
        out = []
        for key, dims in value.items():
            dims = "x".join(str(d) for d in dims) if isinstance(
                dims, (list, tuple)) else dims
            out.append(f"{flag}={key}={dims}")
        return out
    return [f"{flag}={value}"]


def compile(model_path, output=None, *, train=False, load=True, **options):
    """Compiles `model_path` with quernc and opens the result.

    Every keyword is a quernc option with `_` for `-`: train=True is
    --train, optimizer="adamw" is --optimizer=adamw, lora=16 or (16, 32)
    is --lora=16[:32], lora_targets=["*q*", "*v*"] is a comma list,
    input_shape={"x": (4, 64)} is --input-shape=x=4x64, precision="bf16",
    quantize_frozen="nf4", activation_budget="50%", target=..., and so on
    (quernc --help lists them). `output` is the path stem of the files
    (default: a temporary folder the model removes when closed).
    load=False only compiles and returns the path of NAME.so (for another
    target than this machine; `output` is then required).

    Raises CompileError (with the ONNX node's name and op type when quernc
    names one) and TypeError for an option quernc does not have."""
    if not os.path.exists(model_path):
        raise FileNotFoundError(model_path)
    if not load and output is None:
        raise TypeError("compile(load=False) needs an output path")
    output = None if output is None else os.fspath(output)
    temporary = None
    if output is None:
        temporary = tempfile.mkdtemp(prefix="quern-")
        stem = os.path.splitext(os.path.basename(model_path))[0]
        output = os.path.join(temporary, re.sub(r"\W", "_", stem) or "model")
    command = [_config.QUERNC, os.fspath(model_path), "-o", os.fspath(output)]
    if train:
        command.append("--train")
    for name, value in options.items():
        command += _flag(name, value)
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        if temporary:
            shutil.rmtree(temporary, ignore_errors=True)
        text = result.stderr.strip()
        unknown = re.search(r"Unknown command line argument '--([^'=]*)", text)
        if unknown:
            raise TypeError(f"compile() got an unexpected option "
                            f"{unknown.group(1).replace('-', '_')!r}")
        errors = [line.split("error: ", 1)[1] for line in text.splitlines()
                  if "error: " in line]
        raise CompileError(errors[0] if errors else text)
    if not load:
        return output + ".so"
    model = _load(output + ".so")
    model._temporary = temporary
    return model
