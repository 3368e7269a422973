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

import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "test", "e2e", "torch"))
from export_models import GPT2, SwiGLUMoEBlock  # noqa: E402

VOCAB, D_MODEL, HEADS, CONTEXT, BATCH, LAYERS = 256, 64, 4, 64, 8, 2
FF, ROUTED, IDENTITY, TOP = 96, 4, 2, 2


class MoEGPT(GPT2):
    def __init__(self):
        super().__init__(VOCAB, D_MODEL, HEADS, CONTEXT, BATCH, LAYERS)
        self.blocks = nn.ModuleList(
            [SwiGLUMoEBlock(BATCH, CONTEXT, D_MODEL, HEADS, FF, ROUTED, IDENTITY,
                            TOP) for _ in range(LAYERS)])

    def forward(self, tokens, targets):
        x = self.tok_emb(tokens) + self.pos_emb.weight
        for block in self.blocks:
            x = block.mix(x)
        logits = self.lm_head(self.ln_f(x))
        loss = F.cross_entropy(logits.reshape(-1, self.vocab), targets.reshape(-1))
        return loss, logits


def main():
    torch.manual_seed(2026)
    model = MoEGPT()
    # Small initial embeddings keep the first loss near ln(256).
    with torch.no_grad():
        model.tok_emb.weight.normal_(0.0, 0.02)
        model.pos_emb.weight.normal_(0.0, 0.02)
    tokens = torch.zeros(BATCH, CONTEXT, dtype=torch.int64)
    torch.onnx.export(
        model, (tokens, tokens), os.path.join(HERE, "moe.onnx"),
        opset_version=17, training=torch.onnx.TrainingMode.TRAINING,
        do_constant_folding=False, input_names=["tokens", "targets"],
        output_names=["loss", "logits"])


if __name__ == "__main__":
    main()
