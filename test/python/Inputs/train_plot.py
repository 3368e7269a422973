#!/usr/bin/env python3
"""quern.train on PyTorch's MLP export (its fixed batch, 20 SGD steps) with
a CSV log, then quern.plot_loss. Leaves WORK/mlp.so and WORK/data/ for
quern-train.

    train_plot.py WORK
"""
import csv
import os
import sys

import numpy as np
import onnx
from onnx import numpy_helper

import quern

MLP = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                   "e2e", "torch", "mlp_ce")


def tensor(path):
    proto = onnx.TensorProto()
    with open(path, "rb") as f:
        proto.ParseFromString(f.read())
    return numpy_helper.to_array(proto)


def main():
    work = sys.argv[1]
    data = os.path.join(MLP, "test_data_set_0")
    batch = {"x": tensor(os.path.join(data, "input_0.pb")),
             "labels": tensor(os.path.join(data, "input_1.pb"))}
    os.makedirs(os.path.join(work, "data"), exist_ok=True)
    for name, value in batch.items():
        np.save(os.path.join(work, "data", name + ".npy"), value)
    model = quern.compile(os.path.join(MLP, "model.onnx"),
                          os.path.join(work, "mlp"), train=True)
    log = os.path.join(work, "loss.csv")
    losses = quern.train(model, [batch] * 20, lr=0.1, log=log)
    assert len(losses) == 20 and losses[-1] < losses[0], losses
    print(f"OK 20 steps, loss {losses[0]:.4f} -> {losses[-1]:.4f}")
    with open(log, newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["step", "loss", "lr", "eval_loss", "seconds"], rows[0]
    assert len(rows) == 21 and [float(r[1]) for r in rows[1:]] == [
        float(f"{loss:.9g}") for loss in losses]
    print("OK the log has quern-train's header and 20 rows")
    image = os.path.join(work, "loss.png")
    quern.plot_loss(log, image)
    with open(image, "rb") as f:
        assert f.read(8) == b"\x89PNG\r\n\x1a\n"
    print("OK plot_loss wrote a PNG")


if __name__ == "__main__":
    main()
