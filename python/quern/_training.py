"""A training loop with a progress bar and quern-train's loss log, and the
loss curve as a picture."""
import csv
import itertools
import math
import sys
import time


def _bar(step, steps, loss, rate):
    width = 24
    done = width if not steps else int(width * step / steps)
    total = f"/{steps}" if steps else ""
    return (f"\r[{'#' * done}{'.' * (width - done)}] step {step}{total}  "
            f"loss {loss:.4f}  {rate:.1f} steps/s")


def train(model, batches, steps=None, lr=1e-3, log=None, progress=None):
    """Runs model.train_step on each batch (a dict of input arrays) of the
    iterable `batches`, at most `steps` of them, at learning rate `lr` (a
    number, or a function of the step number counting from 1).

    log: a CSV file written as quern-train's --log writes it
    (step,loss,lr,eval_loss,seconds), so quern.plot_loss and other tools
    read either. progress: a bar on stderr (default: when stderr is a
    terminal). Returns the losses."""
    if progress is None:
        progress = sys.stderr.isatty()
    if steps is None and hasattr(batches, "__len__"):
        steps = len(batches)
    rows = batches if steps is None else itertools.islice(batches, steps)
    losses = []
    writer = None
    log_file = open(log, "w", newline="") if log else None
    try:
        if log_file:
            writer = csv.writer(log_file)
            writer.writerow(["step", "loss", "lr", "eval_loss", "seconds"])
        start = time.monotonic()
        for step, batch in enumerate(rows, start=1):
            rate = lr(step) if callable(lr) else lr
            loss = model.train_step(lr=rate, **batch)
            losses.append(loss)
            elapsed = time.monotonic() - start
            if writer:
                writer.writerow([step, f"{loss:.9g}", f"{rate:.9g}", "",
                                 f"{elapsed:.3f}"])
            if progress:
                sys.stderr.write(_bar(step, steps, loss, step / max(elapsed,
                                                                   1e-9)))
                sys.stderr.flush()
            if not math.isfinite(loss):
                raise FloatingPointError(f"step {step}: the loss is {loss}")
    finally:
        if log_file:
            log_file.close()
        if progress:
            sys.stderr.write("\n")
    return losses


def plot_loss(log, image, title=None):
    """Draws the loss (and the evaluation loss, where the log has it) of a
    quern-train or quern.train CSV log over the steps into `image` (PNG, or
    any format matplotlib writes by its extension)."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    steps, losses, eval_steps, eval_losses = [], [], [], []
    with open(log, newline="") as f:
        for row in csv.DictReader(f):
            steps.append(int(row["step"]))
            losses.append(float(row["loss"]))
            if row.get("eval_loss"):
                eval_steps.append(int(row["step"]))
                eval_losses.append(float(row["eval_loss"]))
    if not steps:
        raise ValueError(f"{log}: no steps logged")
    figure, axes = plt.subplots(figsize=(7, 4), dpi=100)
    axes.plot(steps, losses, label="training loss", linewidth=1)
    if eval_losses:
        axes.plot(eval_steps, eval_losses, "o-", label="evaluation loss")
    axes.set_xlabel("step")
    axes.set_ylabel("loss")
    axes.set_title(title or log)
    axes.grid(alpha=0.3)
    axes.legend()
    figure.tight_layout()
    figure.savefig(image)
    plt.close(figure)
