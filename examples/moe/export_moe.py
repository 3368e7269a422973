#!/usr/bin/env python3
"""Exports examples/moe/moe.onnx: a small byte-level mixture-of-experts GPT.

tinygpt's decoder (vocabulary 256 bytes, d_model 64, 4 heads, context 64,
batch 8, 2 layers) with a mixture of experts for each block's MLP: a
router over 4 SwiGLU experts (ff 96, stacked weights) and 2 identity
("zero-computation") experts, top-2 with the two scores softmaxed
(test/e2e/torch/export_models.py's SwiGLUMoEBlock). Returns the mean token
cross-entropy (`loss`) and the logits (`logits`). Exported with opset 17 in
training mode, no constant folding, parameters as initializers, static
shapes.

quernc fuses both blocks: each expert runs on its routed tokens only
(`quernc --print-expert-fusion` says so). Needs PyTorch (Debian's
python3-torch); the tests use the committed file.

    /usr/bin/python3 examples/moe/export_moe.py
"""
import os
import sys

import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "test", "e2e", "torch"))
sys.path.insert(0, os.path.join(HERE, "..", "tinygpt"))
from export_models import SwiGLUMoEBlock  # noqa: E402
from export_tinygpt import (  # noqa: E402
    BATCH, CONTEXT, D_MODEL, HEADS, LAYERS, VOCAB, TinyGPT, export_decoder)

FF, ROUTED, IDENTITY, TOP = 96, 4, 2, 2


class MoEGPT(TinyGPT):
    def __init__(self):
        super().__init__(VOCAB, D_MODEL, HEADS, CONTEXT, BATCH, LAYERS)
        self.blocks = nn.ModuleList(
            [SwiGLUMoEBlock(BATCH, CONTEXT, D_MODEL, HEADS, FF, ROUTED, IDENTITY,
                            TOP) for _ in range(LAYERS)])

    def run_block(self, block, x):
        return block.mix(x)


def main():
    export_decoder(MoEGPT, os.path.join(HERE, "moe.onnx"))


if __name__ == "__main__":
    main()
