#!/usr/bin/env python3
"""Exports examples/tinygpt/tinygpt.onnx: a small byte-level GPT.

The decoder is the 2-layer GPT of Quern's PyTorch tests
(test/e2e/torch/export_models.py) at a larger size (vocabulary 256 bytes,
d_model 64, 4 heads, context 64, batch 8), returning both the mean token
cross-entropy (`loss`, what training minimizes) and the logits (`logits`,
what sampling reads). Exported with opset 17 in training mode, no constant
folding, parameters as initializers, static shapes.

Needs PyTorch (Debian's python3-torch); `make demo` uses the committed file.

    /usr/bin/python3 examples/tinygpt/export_tinygpt.py
"""
import os
import sys

import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "test", "e2e", "torch"))
from export_models import GPT2  # noqa: E402

VOCAB, D_MODEL, HEADS, CONTEXT, BATCH, LAYERS = 256, 64, 4, 64, 8, 2


class TinyGPT(GPT2):
    def run_block(self, block, x):
        return block(x, self.causal_mask)

    def forward(self, tokens, targets):
        x = self.tok_emb(tokens) + self.pos_emb.weight
        for block in self.blocks:
            x = self.run_block(block, x)
        logits = self.lm_head(self.ln_f(x))
        loss = F.cross_entropy(logits.reshape(-1, self.vocab), targets.reshape(-1))
        return loss, logits


def export_decoder(make_model, path):
    """Builds a byte-level decoder with make_model() from a fixed seed and
    exports it to `path` as the examples are: tokens and targets [BATCH,
    CONTEXT] in, loss and logits out."""
    torch.manual_seed(2026)
    model = make_model()
    # Small initial embeddings keep the first loss near ln(256).
    with torch.no_grad():
        model.tok_emb.weight.normal_(0.0, 0.02)
        model.pos_emb.weight.normal_(0.0, 0.02)
    tokens = torch.zeros(BATCH, CONTEXT, dtype=torch.int64)
    torch.onnx.export(
        model, (tokens, tokens), path,
        opset_version=17, training=torch.onnx.TrainingMode.TRAINING,
        do_constant_folding=False, input_names=["tokens", "targets"],
        output_names=["loss", "logits"])


def main():
    export_decoder(lambda: TinyGPT(VOCAB, D_MODEL, HEADS, CONTEXT, BATCH, LAYERS),
                   os.path.join(HERE, "tinygpt.onnx"))


if __name__ == "__main__":
    main()
