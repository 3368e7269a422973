#!/usr/bin/env python3
"""Trains a model of this folder with Quern and compares with PyTorch.

    train_check.py MODEL_DIR OPTIMIZER --build BUILD --work DIR
        --param-atol A --loss-rtol R

Compiles MODEL_DIR/model.onnx with `quernc --train --optimizer=OPTIMIZER`
(hyper-parameters as in train_references.py), runs five steps of
NAME_train_step on the model's fixed batch, and compares the loss at each
step (relative tolerance) and every parameter after steps 1 and 5 (absolute
tolerance) with MODEL_DIR/train_OPTIMIZER.npz. Prints the worst errors.

With --against-dense (which fails unless the compile fused a block) the
reference is not PyTorch but the same model
compiled with --no-expert-fusion (its mixture-of-experts blocks dense):
every state tensor (parameters and optimizer state) after steps 1 and 5
and the loss at each step are compared, for routings PyTorch's top-k does
not promise to resolve as ONNX does (ties). --against-flag=FLAG does the
same against the model compiled with FLAG (--no-epilogue-fusion: with
tolerances of 0, the two must be bitwise equal).

A parameter whose exact gradient is zero but which PyTorch sees a gradient
of rounding noise for (its largest gradient element below 1e-6 but not 0:
the key bias of attention, to which softmax is invariant) gets only that
noise as gradient; Adam-style optimizers divide by its
magnitude, so every implementation moves it by its own noise, up to lr per
step. Such parameters are checked against that bound instead, and named.
"""
import argparse
import os
import subprocess
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "scripts"))
from compiled_model import CompiledModel, data_set_inputs  # noqa: E402

SETTINGS = {
    "sgd": (["--optimizer=sgd"], 0.1),
    "adamw": (["--optimizer=adamw", "--beta1=0.9", "--beta2=0.999",
               "--eps=1e-8", "--weight-decay=0.01"], 1e-3),
}


class Reference(dict):
    """What np.load gives for a reference file, from a dict."""

    @property
    def files(self):
        return list(self)


def compiled_reference(other, inputs, lr):
    """The references of train_OPTIMIZER.npz from five steps of the
    compiled model `other`: every state tensor after steps 1 and 5."""
    out = Reference(loss=[])
    for step in range(1, 6):
        out["loss"].append(float(other.train_step(inputs, lr)[0]))
        if step in (1, 5):
            for t in other.manifest["state"]["tensors"]:
                out[f"step{step}/{t['name']}"] = other.tensor(t["name"]).copy()
    out["loss"] = np.array(out["loss"])
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("model_dir")
    parser.add_argument("optimizer", choices=sorted(SETTINGS))
    parser.add_argument("--build", required=True)
    parser.add_argument("--work", required=True)
    parser.add_argument("--param-atol", type=float, required=True)
    parser.add_argument("--loss-rtol", type=float, required=True)
    parser.add_argument("--trainable", help="passed to quernc --trainable")
    parser.add_argument("--quernc-flag", action="append", default=[],
                        help="another flag for quernc (repeatable)")
    parser.add_argument("--quantize-frozen", metavar="SCHEME",
                        help="compile with --quantize-frozen=SCHEME; the "
                             "reference is train_OPTIMIZER_SCHEME.npz")
    parser.add_argument("--reference-dir", metavar="DIR",
                        help="read train_OPTIMIZER.npz from DIR, not MODEL_DIR")
    parser.add_argument("--initial-from", metavar="MODEL_ONNX",
                        help="start the trained parameters named like an "
                             "initializer of MODEL_ONNX from its value (the "
                             "adapters quernc --lora added, from a model that "
                             "has them); the reference's parameters the "
                             "compiled model lacks are not compared, but every "
                             "trained one must be")
    against = parser.add_mutually_exclusive_group()
    against.add_argument("--against-dense", action="store_const",
                         dest="against", const="--no-expert-fusion",
                         help="compare with the model compiled with "
                              "--no-expert-fusion instead of PyTorch")
    against.add_argument("--against-flag", metavar="FLAG", dest="against",
                         help="compare with the model compiled with FLAG "
                              "added instead of PyTorch")
    args = parser.parse_args()

    flags, lr = SETTINGS[args.optimizer]
    os.makedirs(args.work, exist_ok=True)

    def compile_model(name, extra):
        stem = os.path.join(args.work, name)
        subprocess.run([os.path.join(args.build, "bin", "quernc"),
                        os.path.join(args.model_dir, "model.onnx"), "--train",
                        *flags, "-o", stem]
                       + ([f"--trainable={args.trainable}"] if args.trainable else [])
                       + args.quernc_flag + extra
                       + ([f"--quantize-frozen={args.quantize_frozen}"]
                          if args.quantize_frozen else []),
                       check=True)
        return CompiledModel(stem)

    model = compile_model("model", [])
    if args.initial_from:
        import onnx
        from onnx import numpy_helper
        names = {t["name"] for t in model.manifest["state"]["tensors"]
                 if t["role"] == "param"}
        for initializer in onnx.load(args.initial_from).graph.initializer:
            if initializer.name in names:
                model.tensor(initializer.name)[...] = numpy_helper.to_array(initializer)
    data = os.path.join(args.model_dir, "test_data_set_0")
    inputs = data_set_inputs(data)
    if args.against:
        # Against another compile of itself (dense, or fused otherwise) the
        # check means something only if the compile fused a block.
        if not model.manifest["experts"]:
            print("FAIL: no mixture-of-experts block was fused")
            return 1
        reference = compiled_reference(
            compile_model("against", [args.against]), inputs, lr)
    else:
        suffix = f"_{args.quantize_frozen}" if args.quantize_frozen else ""
        reference = np.load(os.path.join(args.reference_dir or args.model_dir,
                                         f"train_{args.optimizer}{suffix}.npz"))

    failures = 0
    compared = set()
    worst_loss = 0.0
    worst_param = {1: 0.0, 5: 0.0}
    for step in range(1, 6):
        loss = float(model.train_step(inputs, lr)[0])
        expected = float(reference["loss"][step - 1])
        error = abs(loss - expected) / abs(expected)
        worst_loss = max(worst_loss, error)
        # Written so that a NaN fails.
        if not error <= args.loss_rtol:
            print(f"step {step}: loss {loss!r}, reference {expected!r} "
                  f"(relative error {error:.3g})")
            failures += 1
        if step in (1, 5):
            for key in reference.files:
                if not key.startswith(f"step{step}/"):
                    continue
                name = key.split("/", 1)[1]
                if args.initial_from and not model.has_weight(name):
                    continue
                compared.add(name)
                actual = model.weight(name)
                # With a tolerance of 0, the bits must be equal (a NaN
                # equals nothing, -0 is not +0).
                same_bits = np.array_equal(
                    np.ascontiguousarray(actual, np.float32).view(np.uint32),
                    np.ascontiguousarray(reference[key], np.float32).view(np.uint32))
                diff = float(np.abs(actual - reference[key]).max())
                gradient = f"grad1/{name}"
                # An exactly zero gradient (an expert no token reached) is
                # no noise: the parameter only decays, and is compared.
                noise_only = (args.optimizer != "sgd" and gradient in reference.files
                              and 0 < float(reference[gradient]) < 1e-6)
                if noise_only:
                    bound = 2 * lr * step
                    print(f"step {step}: {name} has a zero exact gradient; "
                          f"differs by {diff:.3g} (bound {bound:.3g})")
                    failures += diff > bound
                    continue
                worst_param[step] = max(worst_param[step], diff)
                if not diff <= args.param_atol or (args.param_atol == 0
                                                   and not same_bits):
                    print(f"step {step}: parameter {name} differs by {diff:.3g}")
                    failures += 1
    untested = [t["name"] for t in model.manifest["state"]["tensors"]
                if t["role"] == "param" and t["name"] not in compared]
    if untested:
        print(f"FAIL: trained parameters the reference lacks: {untested}")
        failures += 1
    print(f"{args.optimizer}: worst loss error {worst_loss:.3g} relative "
          f"(tolerance {args.loss_rtol}); worst parameter error "
          f"{worst_param[1]:.3g} after step 1, {worst_param[5]:.3g} after step 5 "
          f"(tolerance {args.param_atol})")
    print("FAIL" if failures else "OK")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
