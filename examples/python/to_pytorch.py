#!/usr/bin/env python3
"""From PyTorch to Quern and back: export a module's training graph with
torch.onnx.export, train it with Quern, and load Quern's checkpoint into the
same PyTorch module (docs/FromPyTorch.md).

    /usr/bin/python3 examples/python/to_pytorch.py [--out DIR]

Checks that PyTorch, with the weights Quern trained, computes the loss
Quern computes (relative 1e-5), and that the way back (PyTorch weights into
the Quern model) gives PyTorch's loss too; exits 1 otherwise.
"""
import argparse
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

import quern


class Classifier(torch.nn.Module):
    """Returns the loss: what Quern compiles a training step for."""

    def __init__(self):
        super().__init__()
        self.fc1 = torch.nn.Linear(20, 64)
        self.norm = torch.nn.LayerNorm(64)
        self.fc2 = torch.nn.Linear(64, 5)

    def forward(self, x, labels):
        logits = self.fc2(self.norm(F.gelu(self.fc1(x))))
        return F.cross_entropy(logits, labels)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", default="to-pytorch-out")
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    torch.manual_seed(0)
    module = Classifier()
    x = torch.randn(32, 20)
    labels = torch.randint(0, 5, (32,))

    # 1. Export: the training graph (TrainingMode.TRAINING keeps dropout and
    #    normalization in training behaviour), parameters as initializers
    #    named as in module.state_dict() (do_constant_folding=False keeps
    #    them apart from the graph), static shapes.
    path = os.path.join(args.out, "classifier.onnx")
    torch.onnx.export(module, (x, labels), path, opset_version=17,
                      training=torch.onnx.TrainingMode.TRAINING,
                      do_constant_folding=False,
                      input_names=["x", "labels"], output_names=["loss"])

    # 2. Train 20 AdamW steps with Quern and save a checkpoint (the file
    #    quern-train --save writes).
    model = quern.compile(path, os.path.join(args.out, "classifier"),
                          train=True, optimizer="adamw")
    for _ in range(20):
        model.train_step(lr=1e-2, x=x, labels=labels)
    model.save(os.path.join(args.out, "trained.safetensors"))
    quern_loss = float(model.forward(x=x, labels=labels)["loss"])

    # 3. Back into PyTorch: open the checkpoint through the compiled model
    #    and copy the tensors whose names are the module's.
    with quern.load(os.path.join(args.out, "classifier.so")) as trained:
        trained.load(os.path.join(args.out, "trained.safetensors"))
        weights = {name: torch.from_numpy(value.copy())
                   for name, value in trained.state_dict().items()}
    missing, unexpected = module.load_state_dict(weights, strict=False)
    assert not missing and not unexpected, (missing, unexpected)
    with torch.no_grad():
        torch_loss = float(module(x, labels))
    print(f"loss after 20 Quern steps: Quern {quern_loss:.6f}, PyTorch with "
          f"the checkpoint {torch_loss:.6f}")

    # 4. And the other way: PyTorch's weights into the Quern model.
    torch.manual_seed(1)
    fresh = Classifier()
    model.load_state_dict({k: v.detach() for k, v in fresh.state_dict().items()})
    with torch.no_grad():
        fresh_loss = float(fresh(x, labels))
    back = float(model.forward(x=x, labels=labels)["loss"])
    print(f"PyTorch's weights in Quern: PyTorch {fresh_loss:.6f}, "
          f"Quern {back:.6f}")
    model.close()
    ok = all(abs(a - b) <= 1e-5 * abs(b) for a, b in
             ((torch_loss, quern_loss), (back, fresh_loss)))
    print("OK" if ok else "MISMATCH")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
