#!/usr/bin/env python3
"""Writes PyTorch's training references for the models in this folder.

For each model and optimizer (SGD lr 0.1; AdamW lr 1e-3, betas 0.9/0.999,
eps 1e-8, weight decay 0.01), five steps on the model's fixed batch
(test_data_set_0): the loss at each step and every parameter after steps 1
and 5, to <model>/train_<optimizer>.npz:

    loss            float32[5]
    step1/<param>   the parameter after one step (ONNX initializer name)
    step5/<param>   after five steps
    grad1/<param>   the largest absolute gradient element at step 1

Needs PyTorch (Debian's python3-torch); the tests that read the files do not.

    /usr/bin/python3 test/e2e/torch/train_references.py
"""
import os
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import export_models  # noqa: E402

sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "scripts"))
import block_quantization  # noqa: E402

OPTIMIZERS = {
    "sgd": lambda params: torch.optim.SGD(params, lr=0.1),
    "adamw": lambda params: torch.optim.AdamW(
        params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01),
}
# QLoRA: the model with its frozen Linear weights quantized.
QUANTIZED = (("gpt2_lora", "nf4"),)
MODELS = ("mlp_ce", "gpt2", "gpt2_lora", "moe", "moe_one_hot", "moe_equal", "moe_balanced",
          "moe_skewed",
          "moe_swiglu")


def quantize_frozen_linears(model, scheme):
    """Replaces the weight of every frozen Linear (but an embedding's) by
    its `scheme` blocks decoded (block_quantization, numpy): the weights quernc
    --quantize-frozen stores quantized (frozen, read only by products)."""
    # A Linear tied to an embedding (an LM head) is read by a Gather too.
    embeddings = {id(module.weight) for module in model.modules()
                  if isinstance(module, torch.nn.Embedding)}
    for module in model.modules():
        if (isinstance(module, torch.nn.Linear) and not module.weight.requires_grad
                and id(module.weight) not in embeddings):
            weight = module.weight.detach().numpy()
            decoded = block_quantization.dequantize(
                block_quantization.quantize(weight, scheme), scheme, weight.shape)
            with torch.no_grad():
                module.weight.copy_(torch.from_numpy(decoded))


def references(name, optimizer, quantized=None):
    model, inputs, _ = export_models.MODELS[name]()
    if quantized:
        quantize_frozen_linears(model, quantized)
    model.train()
    # Frozen parameters (the LoRA base) are not given to the optimizer.
    opt = OPTIMIZERS[optimizer](
        [p for p in model.parameters() if p.requires_grad])
    out = {"loss": []}
    for step in range(1, 6):
        opt.zero_grad()
        loss = model(*inputs)
        loss.backward()
        if step == 1:
            for param_name, param in model.named_parameters():
                if param.grad is not None:
                    out[f"grad1/{param_name}"] = np.float32(
                        param.grad.abs().max().item())
        opt.step()
        out["loss"].append(loss.item())
        if step in (1, 5):
            for param_name, param in model.named_parameters():
                out[f"step{step}/{param_name}"] = param.detach().numpy().copy()
    out["loss"] = np.array(out["loss"], dtype=np.float32)
    return out


def main():
    for name in MODELS:
        for optimizer in OPTIMIZERS:
            path = os.path.join(HERE, name, f"train_{optimizer}.npz")
            np.savez(path, **references(name, optimizer))
            print(path)
    for name, scheme in QUANTIZED:
        for optimizer in OPTIMIZERS:
            path = os.path.join(HERE, name, f"train_{optimizer}_{scheme}.npz")
            np.savez(path, **references(name, optimizer, scheme))
            print(path)


if __name__ == "__main__":
    main()
