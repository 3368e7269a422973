"""Quern from Python: compile an ONNX model (and its training step) ahead of
time, then run it on numpy arrays or torch tensors.

    import quern
    model = quern.compile("model.onnx", train=True, optimizer="adamw")
    loss = model.train_step(lr=1e-3, x=x, labels=labels)
    model.save("model.ckpt")          # the same file quern-train writes

quern.compile runs quernc with the same options (keyword arguments, `_` for
`-`), and a model is called through libquern_rt's C API (docs/Python.md).
"""
from ._compiler import CompileError, compile  # noqa: F401
from ._runtime import Model, QuernError, load  # noqa: F401
from ._training import plot_loss, train  # noqa: F401

__all__ = ["compile", "load", "train", "plot_loss", "Model", "CompileError",
           "QuernError"]
