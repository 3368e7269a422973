"""Runs STEPS training steps of a compiled model on its data set's inputs
and prints the losses; fails unless the loss fell, and, with --first-loss
I, unless the first step's loss is the data set's output_I.pb (1e-5
relative): a step that starts from the model's own function (LoRA's B at
zero).

    train_steps.py STEM DATA_SET_DIR [--steps N] [--lr LR] [--first-loss I]
"""
import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "..", "scripts"))
from compiled_model import CompiledModel, data_set_inputs  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("stem")
    parser.add_argument("data_set")
    parser.add_argument("--steps", type=int, default=5)
    parser.add_argument("--lr", type=float, default=0.1)
    parser.add_argument("--first-loss", type=int, metavar="I")
    args = parser.parse_args()
    model = CompiledModel(args.stem)
    inputs = data_set_inputs(args.data_set)
    losses = [float(model.train_step(inputs, args.lr)[0]) for _ in range(args.steps)]
    print("losses " + " ".join(f"{loss:.6g}" for loss in losses))
    ok = losses[-1] < losses[0]
    if args.first_loss is not None:
        import onnx
        from onnx import numpy_helper
        proto = onnx.TensorProto()
        with open(os.path.join(args.data_set, f"output_{args.first_loss}.pb"),
                  "rb") as f:
            proto.ParseFromString(f.read())
        expected = float(numpy_helper.to_array(proto))
        error = abs(losses[0] - expected) / abs(expected)
        print(f"first loss {losses[0]:.7g}, expected {expected:.7g} "
              f"(relative error {error:.2g})")
        ok = ok and error <= 1e-5
    print("OK: the loss fell" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
