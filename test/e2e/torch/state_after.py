#!/usr/bin/env python3
"""Runs a compiled training step on a model's fixed batch and writes its
state afterwards, byte for byte:

    state_after.py MODEL_DIR STEM STEPS OUT

MODEL_DIR/test_data_set_0 holds the batch; STEM.so the step (learning rate
0.1). Two runs at different thread counts must write the same bytes.
"""
import os
import sys


HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "scripts"))
from compiled_model import CompiledModel, data_set_inputs  # noqa: E402


def main():
    model_dir, stem, steps, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    data = os.path.join(model_dir, "test_data_set_0")
    inputs = data_set_inputs(data)
    model = CompiledModel(stem)
    for _ in range(steps):
        model.train_step(inputs, 0.1)
    with open(out, "wb") as f:
        f.write(model.state.tobytes())
    return 0


if __name__ == "__main__":
    sys.exit(main())
