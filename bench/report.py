"""docs/Performance.md from the JSON files the benchmarks write: the
performance targets with met/missed computed from the numbers, then one
section per benchmark."""
import json
import os
import statistics
import time

from common import duration

GEMM_TARGET = 0.90    # Quern GFLOP/s over OpenBLAS's, everywhere
TRAIN_TARGET = 1.5    # PyTorch eager step time over Quern's, GPT-2 models
BF16_TARGET = 1.6     # bf16 step speed over fp32, 8-layer GPT-2
SWEEP_RATIO_TARGET = 1.0   # every swept shape against OpenBLAS
SWEEP_PEAK_TARGET = 60     # % of the FMA peak, fp32, M, K and N all >= 256
SWEEP_CLIFF = 0.5          # of the power-of-two neighbour's GFLOP/s
MFU_TARGETS = {1: 0.60, 2: 0.55}  # GPT-2 small's step, by thread count
SQUARE_TARGETS = {1: 80, 2: 75}   # % of peak, square products from 1024
SMALL_TRAIN_TARGET = 3.0   # PyTorch eager step time over Quern's, GPT-2 small
SMALL_BF16_TARGET = 1.7    # bf16 step speed over fp32, GPT-2 small
COMPILE_TARGETS = {"gpt2_8x256": 6.0, "gpt2_small": 15.0}  # seconds
# The fused MoE step at 1 thread against PyTorch eager: model -> {baseline:
# step time over Quern's}.
MOE_TARGETS = {"moe_8x2_top2": {"torch": 5.0, "torch_sparse": 2.0},
               "moe_64_top8": {"torch_sparse": 3.0}}
GROUPED_TARGET = 0.75  # grouped products' GFLOP/s over a dense GEMM's
# QLoRA (bench/qlora.py): bits a quantized parameter takes; the 12-layer
# step's peak RSS over the f32-base LoRA step's; the NF4 step's time over
# the f32-base LoRA step's at 1 thread; baselines' step time over the NF4
# step's, 1 and 2 threads.
QLORA_BITS, QLORA_DOUBLE_BITS = 4.5, 4.13
QLORA_RSS = 0.4
QLORA_TIME = 1.10
QLORA_OVER = {"torch_dequant": 3.0, "torch_lora": 1.5}
MOE_BASELINES = {"quern_dense": "Quern dense", "torch": "PyTorch dense",
                 "torch_sparse": "PyTorch sparse"}


def load_results(folder):
    results = {}
    for name, _ in SECTIONS:
        path = os.path.join(folder, name + ".json")
        if os.path.exists(path):
            with open(path) as f:
                results[name] = json.load(f)
    return results


def percent(fraction):
    return "–" if fraction is None else f"{100 * fraction:.0f}%"


def mib(n):
    return f"{n / 2**20:.0f} MiB"


def ratio(x):
    return f"{x:.2f}×" if x < 100 else f"{x:.0f}×"


def ratio_against(x, target):
    """ratio(x), with a third decimal where two would round it onto the
    other side of `target` (1.596 is not 1.60 against 1.6)."""
    if (x >= target) != (round(x, 2) >= target):
        return f"{x:.3f}×"
    return ratio(x)


def worst_cell(value, target, where, threads):
    """The (measured, status) cells of a target from its worst case."""
    return (f"worst {ratio_against(value, target)} ({where}{', ' if where else ''}"
            f"{threads} thread{'s' * (threads > 1)})",
            status(value >= target))


def status(ok):
    return "met" if ok else "**missed**"


# ------------------------------------------------------------- targets ----


def gemm_target(gemm):
    if gemm is None:
        return "not run", "not measured"
    failed = [r for r in gemm["rows"] if "quern_gflops" not in r]
    wrong = [r for r in gemm["rows"] if r.get("quern_correct") is False]
    if failed or wrong:
        r = (failed or wrong)[0]
        what = "failed" if failed else "wrong result"
        return (f"{len(failed) + len(wrong)} of {len(gemm['rows'])} products "
                f"{what}, e.g. {r['size']} {r['label']} {r['threads']}T",
                status(False))
    worst = min(gemm["rows"], key=lambda r: r["ratio"])
    return worst_cell(worst["ratio"], GEMM_TARGET,
                      f"{worst['size']} {worst['label']}", worst["threads"])


def sweep_misses(sweep):
    """{id(row): [reasons]} of the swept products below a target: slower
    than OpenBLAS, under SWEEP_PEAK_TARGET of the peak (fp32, every
    dimension at least 256), or under SWEEP_CLIFF of the GFLOP/s of the
    power-of-two shape above it."""
    def key(row, shape):
        return (tuple(shape), row["variant"], row["precision"], row["threads"])
    rows = {key(r, r["shape"]): r for r in sweep["rows"]}
    misses = {}
    for r in sweep["rows"]:
        reasons = []
        if "quern_gflops" not in r or not r["quern_correct"]:
            reasons.append("failed" if "quern_gflops" not in r else "wrong")
        else:
            if r["ratio"] < SWEEP_RATIO_TARGET:
                reasons.append(f"{r['ratio']:.2f}× OpenBLAS")
            if (r["precision"] == "fp32" and min(r["shape"]) >= 256
                    and r.get("quern_percent_of_peak", 100) < SWEEP_PEAK_TARGET):
                reasons.append(f"{r['quern_percent_of_peak']:.0f}% of peak")
            neighbour = rows.get(key(r, [1 << (x - 1).bit_length()
                                         for x in r["shape"]]))
            if (neighbour and "quern_gflops" in neighbour and r["quern_gflops"]
                    < SWEEP_CLIFF * neighbour["quern_gflops"]):
                reasons.append(f"{r['quern_gflops'] / neighbour['quern_gflops']:.0%}"
                               " of its power-of-two neighbour")
        if reasons:
            misses[id(r)] = reasons
    return misses


def sweep_target(sweep):
    if sweep is None:
        return "not run", "not measured"
    misses = sweep_misses(sweep)
    return (f"{len(misses)} of {len(sweep['rows'])} products below target "
            "(marked in the table)", status(not misses))


def train_target(train):
    if train is None:
        return "not run", "not measured"
    rows = [r for r in train["rows"] if r["kind"] == "gpt2"]
    failed = [r for r in rows if "speedup" not in r]
    if failed or not rows:
        names = ", ".join(f"{r['model']} {r['threads']}T" for r in failed)
        return f"no Quern time for {names or 'the GPT-2 models'}", status(False)
    worst = min(rows, key=lambda r: r["speedup"])
    return worst_cell(worst["speedup"], TRAIN_TARGET, worst["model"],
                      worst["threads"])


def model_rows(rows, model):
    """The rows of `model` among `rows` of the training benchmark."""
    return [r for r in rows if r["model"] == model]


def worst_model_target(rows, model, key, target, missing):
    """The (measured, status) cells of a target on `model`'s worst value of
    `key` among `rows` (`missing`: the text when a row lacks it)."""
    rows = model_rows(rows, model)
    if not rows:
        return "not run", "not measured"
    if any(key not in r for r in rows):
        return missing, status(False)
    worst = min(rows, key=lambda r: r[key])
    return worst_cell(worst[key], target, "", worst["threads"])


def mfu_target(train):
    rows = model_rows((train or {}).get("rows", []), "gpt2_small")
    if not rows:
        return "not run", "not measured"
    if any("model_flops_utilization" not in r for r in rows):
        return "no Quern time for GPT-2 small", status(False)
    # A decimal, so that a miss never reads as the target (54.9%, not 55%).
    cells = [f"{100 * r['model_flops_utilization']:.1f}% at {r['threads']} "
             f"thread{'s' * (r['threads'] > 1)}" for r in rows]
    met = all(r["model_flops_utilization"] >= MFU_TARGETS.get(r["threads"], 0)
              for r in rows)
    return ", ".join(cells), status(met)


def bf16_target(train):
    return worst_model_target((train or {}).get("bf16", {}).get("rows", []),
                              "gpt2_8x256", "speedup_over_fp32", BF16_TARGET,
                              "no bf16 time for the 8-layer model")


def square_target(gemm):
    rows = [r for r in (gemm or {}).get("rows", []) if r["size"] >= 1024]
    if not rows:
        return "not run", "not measured"
    if any("quern_percent_of_peak" not in r for r in rows):
        return "no Quern time or no peak for some product", status(False)
    cells, met = [], True
    for threads, target in SQUARE_TARGETS.items():
        mine = [r for r in rows if r["threads"] == threads]
        if not mine:
            continue
        worst = min(mine, key=lambda r: r["quern_percent_of_peak"])
        met = met and worst["quern_percent_of_peak"] >= target
        cells.append(f"worst {worst['quern_percent_of_peak']:.1f}% at "
                     f"{threads} thread{'s' * (threads > 1)} "
                     f"({worst['size']} {worst['label']})")
    sizes = sorted({r["size"] for r in rows})
    return (", ".join(cells) + f"; sizes {', '.join(map(str, sizes))}",
            status(met))


def small_train_target(train):
    return worst_model_target((train or {}).get("rows", []), "gpt2_small",
                              "speedup", SMALL_TRAIN_TARGET,
                              "no Quern time for GPT-2 small")


def small_bf16_target(train):
    return worst_model_target((train or {}).get("bf16", {}).get("rows", []),
                              "gpt2_small", "speedup_over_fp32",
                              SMALL_BF16_TARGET, "no bf16 time for GPT-2 small")


def compile_target(train):
    seconds = {r["model"]: r["compile_seconds"]
               for r in (train or {}).get("rows", [])
               if r["model"] in COMPILE_TARGETS and "compile_seconds" in r}
    if not seconds:
        return "not run", "not measured"
    cells = [f"{model} {seconds[model]:.1f} s" if model in seconds
             else f"{model} not compiled" for model in COMPILE_TARGETS]
    met = all(model in seconds and seconds[model] <= limit
              for model, limit in COMPILE_TARGETS.items())
    return ", ".join(cells), status(met)


# Data parallel (issue targets): weak scaling at 2 ranks, and the
# communication the backward pass does not hide.
DATA_PARALLEL_EFFICIENCY = 0.90
DATA_PARALLEL_WAIT = 0.05


def data_parallel_targets(study):
    """Target rows (text, measured, status) of the data-parallel study."""
    texts = [f"Data parallel: weak-scaling efficiency ≥ "
             f"{DATA_PARALLEL_EFFICIENCY:.0%} at 2 ranks × 1 thread "
             "(8-layer GPT)",
             f"Data parallel: communication wait ≤ "
             f"{DATA_PARALLEL_WAIT:.0%} of the step at 2 ranks"]
    texts.append("Data parallel: `--shard-optimizer` optimizer state per "
                 "rank = total / N (± one bucket)")
    if not study:
        return [(text, "not run", "not measured") for text in texts]
    efficiency = study["weak_scaling_efficiency"]
    wait = study["two_rank_wait_share"]
    rows = [(texts[0], f"{efficiency:.1%}",
             status(efficiency >= DATA_PARALLEL_EFFICIENCY)),
            (texts[1], f"{wait:.1%}", status(wait <= DATA_PARALLEL_WAIT))]
    sharded = study.get("sharded")
    if not sharded:
        return rows + [(texts[2], "not run", "not measured")]
    mine, whole = (sharded["optimizer_bytes_per_rank"],
                   sharded["optimizer_bytes_whole"])
    return rows + [(texts[2], f"{mine / whole:.4f} of {mib(whole)} at N = 2",
                    status(abs(mine - whole / 2) <= sharded["bucket_bytes"]))]


def moe_targets(moe):
    """Target rows (text, measured, status) of the MoE step, at 1 thread."""
    rows = []
    for model, baselines in MOE_TARGETS.items():
        for baseline, target in baselines.items():
            text = (f"MoE step {model} ≥ {target:.0f}× "
                    f"{MOE_BASELINES[baseline]} eager at 1 thread")
            row = next((r for r in (moe or {}).get("rows", [])
                        if r["model"] == model and r["threads"] == 1), None)
            value = row and row.get(f"speedup_over_{baseline}")
            if value is None:
                rows.append((text, "not measured" if moe else "not run",
                             "not measured"))
            else:
                rows.append((text, ratio_against(value, target),
                             status(value >= target)))
    ratios = [(row["model"], row["grouped_products"]["ratio"])
              for row in (moe or {}).get("rows", [])
              if "ratio" in row.get("grouped_products", {})]
    text = (f"MoE grouped products ≥ {GROUPED_TARGET:.0%} of a dense GEMM's "
            "GFLOP/s at the same total size, 1 thread")
    if not ratios:
        rows.append((text, "not measured" if moe else "not run",
                     "not measured"))
    else:
        model, worst = min(ratios, key=lambda item: item[1])
        rows.append((text, f"worst {worst:.0%} ({model})",
                     status(worst >= GROUPED_TARGET)))
    return rows


def qlora_targets(qlora):
    """Target rows (text, measured, status) of the QLoRA steps."""
    rows_ = (qlora or {}).get("rows", [])
    missing = "not measured" if qlora else "not run"

    def worst(values, text, target, higher_is_better=True):
        values = [v for v in values if v[1] is not None]
        if not values:
            return (text, missing, "not measured")
        pick = min if higher_is_better else max
        where, value = pick(values, key=lambda item: item[1])
        ok = value >= target if higher_is_better else value <= target
        shown = f"{value:.4g}" if "bits" in text else ratio_against(value, target)
        return (text, f"worst {shown} ({where})", status(ok))
    bits = [(r["model"], r.get("quern_qlora", {}).get("quantized_bits_per_parameter"))
            for r in rows_ if r["threads"] == 1]
    double = [(r["model"], r.get("double_quant_bits_per_parameter"))
              for r in rows_ if r["threads"] == 1]
    result = [
        worst(bits, f"QLoRA: NF4 weights ≤ {QLORA_BITS} bits a parameter",
              QLORA_BITS, higher_is_better=False),
        worst(double, f"QLoRA: with --double-quant ≤ {QLORA_DOUBLE_BITS} bits "
              "a parameter", QLORA_DOUBLE_BITS, higher_is_better=False),
        worst([(f"{r['threads']}T", r.get("qlora_rss_over_lora")) for r in rows_
               if r["model"] == "gpt2_small"],
              f"QLoRA: peak RSS of the 12-layer step ≤ {QLORA_RSS}× the f32-base "
              "LoRA step's", QLORA_RSS, higher_is_better=False),
        worst([(r["model"], r.get("qlora_over_lora")) for r in rows_
               if r["threads"] == 1],
              f"QLoRA: NF4 step ≤ {QLORA_TIME}× Quern's f32-base LoRA step, 1 "
              "thread", QLORA_TIME, higher_is_better=False),
        worst([(r["model"], r.get("qlora_bf16_over_lora")) for r in rows_
               if r["threads"] == 1],
              "QLoRA: NF4 step with --precision=bf16 faster than Quern's "
              "f32-base LoRA step, 1 thread", 1.0, higher_is_better=False),
    ]
    for baseline, target in QLORA_OVER.items():
        label = {"torch_dequant": "PyTorch's dequantize-then-matmul step",
                 "torch_lora": "PyTorch's f32 LoRA step"}[baseline]
        result.append(worst(
            [(f"{r['model']} {r['threads']}T", r.get(f"{baseline}_over_qlora"))
             for r in rows_],
            f"QLoRA: NF4 step (fp32 compute) ≥ {target}× {label}, 1 and 2 "
            "threads", target))
    return result


# The 1.1B QLoRA showcase (bench/llama_qlora.py, examples/llama-qlora).
LLAMA_RSS_BYTES = 4e9
LLAMA_TOKENS = {"fp32": 50, "bf16": 80}
LLAMA_COMPILE_SECONDS = 60


def llama_qlora_targets(study):
    """Target rows (text, measured, status) of the 1.1B QLoRA run: the
    budgeted runs (the configuration make llama-qlora uses)."""
    if not study:
        return [("1.1B QLoRA (make llama-qlora): measured", "not run",
                 "not measured")]
    runs = {(r["precision"], r["budget"]): r for r in study["quern"]}
    budgeted = [r for r in study["quern"] if r["budget"]]
    rows = [
        (f"1.1B QLoRA: peak RSS of quern-train ≤ {LLAMA_RSS_BYTES / 1e9:.0f} GB",
         ", ".join(f"{r['precision']} {r['train_peak_rss_bytes'] / 1e9:.2f} GB"
                   for r in budgeted),
         status(all(r["train_peak_rss_bytes"] <= LLAMA_RSS_BYTES
                    for r in budgeted)))]
    for precision, target in LLAMA_TOKENS.items():
        run = next((r for r in budgeted if r["precision"] == precision), None)
        if run:
            rows.append((f"1.1B QLoRA: ≥ {target} tokens/s at 2 threads, "
                         f"{precision}", f"{run['tokens_per_second']:.1f}",
                         status(run["tokens_per_second"] >= target)))
    compiles = ", ".join(
        f"{p}{' with a budget' if b else ''} {r['compile_seconds']:.0f} s"
        for (p, b), r in runs.items())
    rows.append((f"1.1B QLoRA: compile time ≤ {LLAMA_COMPILE_SECONDS} s",
                 compiles, status(all(r["compile_seconds"] <= LLAMA_COMPILE_SECONDS
                                      for r in budgeted))))
    return rows


def llama_qlora_section(study):
    torch = study["torch"]
    lines = [
        "## 1.1B-parameter QLoRA fine-tuning", "",
        "bench/llama_qlora.py, the model of examples/llama-qlora (`make "
        "llama-qlora`): TinyLlama-1.1B's shape (22 layers, width 2048, 32 "
        "query and 4 key/value heads, SwiGLU 5632, vocabulary 32000), one "
        "sequence of 512 bytes a step, rank-16 adapters (alpha 32) on the q, "
        "k, v, o, gate, up and down products, AdamW, 2 threads. Quern: the "
        "frozen base in NF4 (double-quantized), trained by quern-train "
        f"({study['steps']} steps; the median step after the first). "
        "PyTorch eager: the same module with the same adapters, the base in "
        "f32 (its own weights), the median of as many steps after one "
        "warm-up. Peak RSS is the whole training process's.", "",
        "| run | activation budget | compile | compiler peak RSS | state | "
        "workspace | step | tokens/s | peak RSS | over PyTorch |",
        "|---|---|---|---|---|---|---|---|---|---|"]
    for r in study["quern"]:
        lines.append(
            f"| Quern {r['precision']} | {r['budget'] or 'none'} | "
            f"{r['compile_seconds']:.0f} s | "
            f"{r['compile_peak_rss_bytes'] / 1e9:.2f} GB | "
            f"{r['state_bytes'] / 1e9:.2f} GB | "
            f"{r['workspace_bytes'] / 1e9:.2f} GB | "
            f"{duration(r['step_seconds'])} | {r['tokens_per_second']:.1f} | "
            f"{r['train_peak_rss_bytes'] / 1e9:.2f} GB | "
            f"{ratio(r['tokens_per_second'] / torch['tokens_per_second'])} |")
    lines.append(
        f"| PyTorch eager, f32 base | – | – | – | – | – | "
        f"{duration(torch['step_seconds'])} | "
        f"{torch['tokens_per_second']:.1f} | "
        f"{torch['peak_rss_bytes'] / 1e9:.2f} GB | 1.00× |")
    return lines + [""] + llama_profile_lines(study)


def llama_profile_lines(study):
    """Where the 1.1B step's time goes: the ten longest kernels of each run
    by kind, and those of the last run one by one."""
    runs = [r for r in study["quern"] if r.get("profile")]
    if not runs:
        return []
    kinds = sorted({k["kind"] for r in runs for k in r["profile"]["kernels"]})
    lines = [
        f"Where a step's time goes: each run again for "
        f"{runs[0]['profile']['steps']} steps with `QUERN_PROFILE=1`, "
        "quern-train's ten longest kernels, their share of the kernels' time "
        "by kind. A scalar kernel on a product's node is its NF4 weight "
        "decoded into panels: in vector lanes where the panel's columns "
        "are consecutive codes (registers with a tile wider than 1), "
        "element by element where they are a row apart (the forward "
        "product's transposed weight).", "",
        "| run | activation budget | kernels' time a step | "
        + " | ".join(kinds) + " | rest |",
        "|---|---|---|" + "---|" * (len(kinds) + 1)]
    for r in runs:
        profile = r["profile"]
        shares = {kind: sum(k["share"] for k in profile["kernels"]
                            if k["kind"] == kind) for kind in kinds}
        lines.append(
            f"| Quern {r['precision']} | {r['budget'] or 'none'} | "
            f"{duration(profile['seconds'] / profile['steps'])} | "
            + " | ".join(f"{shares[kind]:.0%}" for kind in kinds)
            + f" | {1 - sum(shares.values()):.0%} |")
    last = runs[-1]
    lines += [
        "", f"The ten longest kernels of Quern {last['precision']} "
        f"({last['budget'] or 'no budget'}):", "",
        "| kernel | kind; strategy; source | time a step | share | "
        "estimated share | GFLOP/s |", "|---|---|---|---|---|---|"]
    for k in last["profile"]["kernels"]:
        lines.append(
            f"| {k['symbol']} | {k['kind']}; {k['detail']} | "
            f"{duration(k['seconds'] / last['profile']['steps'])} | "
            f"{k['share']:.1%} | {k['estimated_share']:.1%} | "
            f"{k['gflops']:.1f} |")
    return lines + [""]


# Recomputation (bench/recompute.py): step time at a budget over the step
# keeping everything, and Quern at PyTorch's checkpointing memory against
# PyTorch's checkpointed step.
RECOMPUTE_TIME = {"33%": 1.10, "20%": 1.25}
RECOMPUTE_OVER_CHECKPOINT = 2.0
RECOMPUTE_SOLVE_SECONDS = 2.0
RECOMPUTE_COMPILE = 1.25


def recompute_targets(study):
    """Target rows (text, measured, status) of the recomputation curve."""
    rows_ = (study or {}).get("rows", [])
    missing = "not measured" if study else "not run"
    result = []
    for budget, target in RECOMPUTE_TIME.items():
        values, unmet = [], []
        for row in rows_:
            for entry in row["quern"]:
                if entry.get("budget") != budget:
                    continue
                where = f"{row['model']} {row['threads']}T"
                if "time_over_keep" in entry:
                    values.append((where, entry["time_over_keep"]))
                else:
                    unmet.append(where)
        text = (f"Recomputation: step at a {budget} budget ≤ {target}× the "
                "step keeping everything")
        if unmet:
            result.append((text, "budget not met: " + ", ".join(unmet),
                           "**missed**"))
        elif not values:
            result.append((text, missing, "not measured"))
        else:
            where, value = max(values, key=lambda item: item[1])
            result.append((text, f"worst {ratio_against(value, target)} ({where})",
                           status(value <= target)))
    speedups = []
    for row in rows_:
        matched = [e for e in row["quern"] if e.get("matches")]
        checkpointed = row.get("torch_checkpoint", {}).get("median_step_seconds")
        if matched and checkpointed and matched[0].get("median_step_seconds"):
            speedups.append((f"{row['model']} {row['threads']}T",
                             checkpointed / matched[0]["median_step_seconds"]))
    text = (f"Recomputation: at PyTorch's per-block checkpointing memory, ≥ "
            f"{RECOMPUTE_OVER_CHECKPOINT:.0f}× PyTorch's checkpointed step")
    if speedups:
        where, value = min(speedups, key=lambda item: item[1])
        result.append((text, f"worst {ratio_against(value, RECOMPUTE_OVER_CHECKPOINT)}"
                       f" ({where})", status(value >= RECOMPUTE_OVER_CHECKPOINT)))
    else:
        result.append((text, missing, "not measured"))
    solves = [(row["model"], max((e.get("solve_seconds") or 0) for e in row["quern"]))
              for row in rows_ if row["model"] == "gpt2_12x768"]
    text = (f"Recomputation: solve time ≤ {RECOMPUTE_SOLVE_SECONDS:.0f} s for the "
            "12-layer model")
    if solves:
        where, value = max(solves, key=lambda item: item[1])
        result.append((text, f"worst {value:.2f} s", status(value <= RECOMPUTE_SOLVE_SECONDS)))
    else:
        result.append((text, missing, "not measured"))
    # "Compile time otherwise unchanged": within noise of the compile
    # without a budget.
    compiles = [(budget_label(e), e["compile_seconds"] / row["quern"][0]["compile_seconds"])
                for row in rows_ if row["model"] == "gpt2_12x768"
                for e in row["quern"][1:] if "compile_error" not in e]
    text = (f"Recomputation: compile with a budget ≤ {RECOMPUTE_COMPILE:.2f}× "
            "the compile without (12-layer model)")
    if compiles:
        where, value = max(compiles, key=lambda item: item[1])
        result.append((text, f"worst {ratio_against(value, RECOMPUTE_COMPILE)} "
                       f"(budget {where})", status(value <= RECOMPUTE_COMPILE)))
    else:
        result.append((text, missing, "not measured"))
    return result


def targets_section(results):
    gemm_measured, gemm_status = gemm_target(results.get("gemm"))
    sweep_measured, sweep_status = sweep_target(results.get("gemm_shapes"))
    train_measured, train_status = train_target(results.get("train_step"))
    bf16_measured, bf16_status = bf16_target(results.get("train_step"))
    mfu_measured, mfu_status = mfu_target(results.get("train_step"))
    square_measured, square_status = square_target(results.get("gemm"))
    small_measured, small_status = small_train_target(
        results.get("train_step"))
    small_bf16_measured, small_bf16_status = small_bf16_target(
        results.get("train_step"))
    compile_measured, compile_status = compile_target(
        results.get("train_step"))
    return [
        "## Targets", "",
        "| target | measured | status |",
        "|---|---|---|",
        f"| GEMM: Quern ≥ {GEMM_TARGET:.0%} of OpenBLAS at every size, product "
        f"and thread count | {gemm_measured} | {gemm_status} |",
        f"| Shape sweep: every shape ≥ {SWEEP_RATIO_TARGET:.1f}× OpenBLAS, "
        f"≥ {SWEEP_PEAK_TARGET}% of peak (fp32, M, K, N ≥ 256), none under "
        f"{SWEEP_CLIFF:.0%} of its power-of-two neighbour | {sweep_measured} "
        f"| {sweep_status} |",
        f"| Training step ≥ {TRAIN_TARGET}× PyTorch eager on every GPT-2 model, "
        f"1 and 2 threads | {train_measured} | {train_status} |",
        f"| GPT-2 small's step: model FLOP utilization ≥ "
        f"{MFU_TARGETS[1]:.0%} at 1 thread, ≥ {MFU_TARGETS[2]:.0%} at 2 "
        f"| {mfu_measured} | {mfu_status} |",
        f"| bf16 training step ≥ {BF16_TARGET}× fp32 on the 8-layer GPT-2 "
        f"| {bf16_measured} | {bf16_status} |",
        f"| Square products from 1024 (fp32): ≥ {SQUARE_TARGETS[1]}% of peak "
        f"at 1 thread, ≥ {SQUARE_TARGETS[2]}% at 2 | {square_measured} "
        f"| {square_status} |",
        f"| GPT-2 small's step ≥ {SMALL_TRAIN_TARGET:.0f}× PyTorch eager, 1 "
        f"and 2 threads | {small_measured} | {small_status} |",
        f"| GPT-2 small's bf16 step ≥ {SMALL_BF16_TARGET}× fp32 "
        f"| {small_bf16_measured} | {small_bf16_status} |",
        "| Compile time of the training step: "
        + ", ".join(f"{model} ≤ {limit:.0f} s"
                    for model, limit in COMPILE_TARGETS.items())
        + f" | {compile_measured} | {compile_status} |",
    ] + [f"| {text} | {measured} | {state} |"
         for text, measured, state in moe_targets(results.get("moe_step"))] + [
        f"| {text} | {measured} | {state} |"
        for text, measured, state in qlora_targets(results.get("qlora_step"))] + [
        f"| {text} | {measured} | {state} |"
        for text, measured, state in recompute_targets(
            results.get("recompute_step"))] + [
        f"| {text} | {measured} | {state} |"
        for text, measured, state in data_parallel_targets(
            results.get("data_parallel"))] + [
        f"| {text} | {measured} | {state} |"
        for text, measured, state in llama_qlora_targets(
            results.get("llama_qlora"))] + [
        "",
    ]


# ---------------------------------------------------------------- GEMM ----


def gemm_section(gemm):
    peak = gemm["fma_peak_gflops"]
    if "error" in peak:
        peak_text = f"The FMA peak could not be measured: {peak['error']}."
    else:
        peak_text = (f"Measured FP32 FMA peak (bench/fma_peak.c, {peak['isa']}, "
                     f"best of several runs): {peak['1']:.0f} GFLOP/s on 1 core, "
                     f"{peak['2']:.0f} on 2.")
    lines = [
        "## GEMM", "",
        "C = A·B and the two products a backward pass needs (Aᵀ·B for weight "
        "gradients, A·Bᵀ for input gradients), square, fp32. Quern: one ONNX "
        "model per product (a Transpose feeding MatMul for the transposed "
        "ones), compiled by quernc and called through its forward entry point; "
        f"OpenBLAS: `cblas_sgemm` with the transpose flag ({gemm['openblas']}). "
        + (f"Quern compiles for the host, `{gemm['quern_target']}`. "
           if gemm.get("quern_target") else "")
        + peak_text, "",
        "| size | product | threads | Quern GFLOP/s | OpenBLAS GFLOP/s "
        "| Quern / OpenBLAS | Quern % of peak | OpenBLAS % of peak |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in gemm["rows"]:
        peak_cells = [f"{r[k]:.0f}%" if k in r else "–"
                      for k in ("quern_percent_of_peak", "openblas_percent_of_peak")]
        if "quern_gflops" in r:
            quern = f"{r['quern_gflops']:.1f}"
            if not r["quern_correct"]:
                quern += f" (wrong: error {r['quern_max_rel_error']:.1e})"
            ratio = f"{r['ratio']:.2f}×"
        else:
            quern, ratio = "failed", "–"
        lines.append(f"| {r['size']} | {r['label']} | {r['threads']} | {quern} "
                     f"| {r['openblas_gflops']:.1f} | {ratio} | {peak_cells[0]} "
                     f"| {peak_cells[1]} |")
    errors = [r["quern_max_rel_error"] for r in gemm["rows"]
              if "quern_max_rel_error" in r]
    threaded = {r.get("quern_uses_openmp") for r in gemm["rows"]} - {None}
    lines += [
        "",
        "Each number is the median of several samples (enough to fill about "
        "0.3 s, at least 5) after 0.1 s of warm-up calls (after the pause "
        "of a switch, a core of this VM needs milliseconds to run at full "
        "speed again), in one process. A sample is one call, or for a "
        "product shorter than 1 ms as many calls as last 1 ms, looped and "
        "timed in C for both libraries (bench/call_loop.c): a call from "
        "Python costs some 0.3 µs, as much as a 17×17×17 product. Threads are "
        "set in the process: `openblas_set_num_threads(n)` for OpenBLAS, "
        "`omp_set_num_threads(n)` for Quern's generated code (LLVM's OpenMP "
        f"runtime). After each switch between the libraries the process sleeps "
        f"{gemm['switch_pause_seconds']} s: the runtime that just ran keeps its "
        "idle workers spinning for a while (libomp: 200 ms) and would take the "
        "cores from the other's measurement.",
    ]
    if any(r.get(who + "_percent_of_peak", 0) > 100 for r in gemm["rows"]
           for who in ("quern", "openblas")):
        lines += ["", "A share of the peak above 100% means that the peak "
                  "measurement itself lost cycles to other processes."]
    if errors:
        lines += ["", f"Every Quern result is checked against numpy in float64: "
                  f"the largest error seen was {max(errors):.1e} of the largest "
                  f"output (tolerance {gemm['tolerance']:.0e})."]
    if threaded == {True}:
        lines += ["", "Every compiled GEMM of this run is OpenMP code."]
    elif threaded == {False}:
        lines += ["", "The compiled GEMMs of this run contain no OpenMP code: "
                  "their 2-thread numbers are single-threaded."]
    elif threaded == {True, False}:
        lines += ["", "Some compiled GEMMs of this run contain no OpenMP code "
                  "(`quern_uses_openmp` in gemm.json)."]
    for r in gemm["rows"]:
        if "quern_error" in r and r["threads"] == 1:
            lines += ["", f"quernc failed on {r['size']} {r['label']}:",
                      "```", r["quern_error"], "```"]
    return lines + [""]


# --------------------------------------------------------- shape sweep ----


def gemm_shapes_section(sweep):
    misses = sweep_misses(sweep)
    peak = sweep["fma_peak_gflops"]
    columns = [(precision, threads) for precision in ("fp32", "bf16")
               for threads in (1, 2)]
    lines = [
        "## GEMM shape sweep", "",
        "Products of the shapes models have, not only powers of two "
        "(bench/gemm_shapes.py): primes, 3·2^k and 5·2^k, hundreds and "
        "thousands, transformer projections and a 50257-token vocabulary, "
        "each with its power-of-two neighbour (every dimension rounded up). "
        "Each cell: Quern GFLOP/s, its ratio to OpenBLAS `cblas_sgemm` (fp32: "
        "OpenBLAS has no bf16 product) on the same shape in the same process, "
        "and the share of the measured FP32 FMA peak "
        + (f"({peak['1']:.0f} GFLOP/s on 1 core, {peak['2']:.0f} on 2). "
           if "1" in peak and "2" in peak else "(not measured). ")
        + "A cell marked ✗ is below a target; the reasons follow the table. "
        f"Tolerance against numpy in float64: {sweep['tolerances']['fp32']:.0e} "
        f"(fp32), {sweep['tolerances']['bf16']:.0e} (bf16).", "",
        "| M×K×N | product | " + " | ".join(
            f"{precision} {threads}T" for precision, threads in columns) + " |",
        "|---|---|" + "---|" * len(columns),
    ]
    cells = {}
    for r in sweep["rows"]:
        cells[tuple(r["shape"]), r["variant"], r["precision"], r["threads"]] = r
    order = []
    for r in sweep["rows"]:
        if (tuple(r["shape"]), r["variant"], r["label"]) not in order:
            order.append((tuple(r["shape"]), r["variant"], r["label"]))
    notes = []
    for shape, variant, label in order:
        row = [f"{'×'.join(map(str, shape))}", label]
        for precision, threads in columns:
            r = cells.get((shape, variant, precision, threads))
            if r is None:
                row.append("–")
                continue
            if "quern_gflops" in r:
                text = (f"{r['quern_gflops']:.0f} ({r['ratio']:.2f}×, "
                        f"{r.get('quern_percent_of_peak', 0):.0f}%)")
            else:
                text = "failed"
            if id(r) in misses:
                text += " ✗"
                notes.append(f"- {'×'.join(map(str, shape))} {label} "
                             f"{precision} {threads}T: "
                             + ", ".join(misses[id(r)]))
            row.append(text)
        lines.append("| " + " | ".join(row) + " |")
    lines += ["", f"Below target: {len(misses)} of {len(sweep['rows'])}."]
    if notes:
        lines += [""] + notes
    return lines + [""] + worst_profiles_section(sweep)


def worst_profiles_section(sweep):
    """The kernel profiles of the products furthest below OpenBLAS."""
    profiles = sweep.get("worst_profiles", [])
    if not profiles:
        return []
    lines = [
        "### Where the slowest shapes lose", "",
        f"The {len(profiles)} products furthest below OpenBLAS, compiled "
        "again and run with `QUERN_PROFILE=1` for about 0.2 s: the call's "
        "speed in that run (a sweep measurement much below it was the "
        "machine's, not the code's), then each kernel's time per call, its "
        "share of the kernels' time and its GFLOP/s (products only).", ""]
    for p in profiles:
        lines += [
            f"**{'×'.join(map(str, p['shape']))} {p['label']} {p['precision']} "
            f"{p['threads']}T**: {p['quern_gflops']:.0f} GFLOP/s, OpenBLAS "
            f"{p['openblas_gflops']:.0f} ({p['ratio']:.2f}×); profiled "
            f"{p['profiled_gflops']:.0f} GFLOP/s, "
            f"{duration(p['profiled_seconds_per_call'])} per call", "",
            "| kernel | loops | strategy | time per call | share | GFLOP/s |",
            "|---|---|---|---|---|---|"]
        for k in sorted(p["kernels"], key=lambda k: -k["share"]):
            gflops = f"{k['gflops']:.0f}" if k["gflops"] else "–"
            lines.append(
                f"| {k['symbol']} ({k['kind']}) | "
                f"{'×'.join(map(str, k['loops']))} | {k['strategy']} | "
                f"{duration(k['seconds_per_call'])} | {k['share']:.0%} | "
                f"{gflops} |")
        lines.append("")
    return lines


# ------------------------------------------------------------ training ----


def side(row, framework, key, fmt):
    run = row.get(framework)
    if run is None:
        return "–"
    if "error" in run:
        return "failed"
    return fmt(run[key])


def compile_phase_lines(rows):
    """The compile time of each model by phase (quernc --mlir-timing)."""
    phases, models = [], {}
    for r in rows:
        if r.get("compile_phases") and r["model"] not in models:
            models[r["model"]] = r
            phases += [p for p in r["compile_phases"] if p not in phases]
    if not models:
        return []
    lines = ["", "Compile time of the training step by phase (wall seconds, "
             "`quernc --mlir-timing`; code generation includes every MLIR "
             "pass, Emit is LLVM's code generation and the link):", "",
             "| model | total | " + " | ".join(phases) + " |",
             "|---|---|" + "---|" * len(phases)]
    for name, r in models.items():
        lines.append(f"| {name} | {r['compile_seconds']:.1f} | " + " | ".join(
            f"{r['compile_phases'][p]:.2f}" if p in r["compile_phases"]
            else "–" for p in phases) + " |")
    return lines


def train_section(train):
    opt = train["optimizer"]
    lines = [
        "## Training step", "",
        f"Median time of one training step over {train['steps']} steps after "
        f"{train['warmup']} warm-up steps, AdamW (lr {opt['lr']}, betas "
        f"{opt['betas'][0]}/{opt['betas'][1]}, eps {opt['eps']}, weight decay "
        f"{opt['weight_decay']}), fp32. Quern: `quernc --train "
        "--optimizer=adamw` of the module's ONNX export. PyTorch "
        f"{train['torch_version']} eager: forward, `loss.backward()`, "
        "`optimizer.step()`, `optimizer.zero_grad()` with `torch.optim.AdamW`. "
        "Speedup is PyTorch's time over Quern's (above 1: Quern faster); "
        "the next column divides by PyTorch's time at whichever thread count "
        "was fastest for it.", "",
        "| model | threads | Quern step | PyTorch step | speedup "
        "| vs PyTorch's best | Quern MFU | Quern peak RSS | PyTorch peak RSS "
        "| compile |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    torch_best = {}
    for r in train["rows"]:
        if "median_step_seconds" in r["torch"]:
            seconds = r["torch"]["median_step_seconds"]
            torch_best[r["model"]] = min(torch_best.get(r["model"], seconds),
                                         seconds)
    slower_with_threads = set()
    for r in train["rows"]:
        speedup = ratio(r["speedup"]) if "speedup" in r else "–"
        best = "–"
        if "speedup" in r:
            best = ratio(torch_best[r["model"]]
                         / r["quern"]["median_step_seconds"])
            if r["threads"] > 1 and (r["torch"]["median_step_seconds"]
                                     > torch_best[r["model"]]):
                slower_with_threads.add(r["model"])
        compile_time = ("failed" if "compile_error" in r
                        else f"{r['compile_seconds']:.1f} s")
        lines.append(
            f"| {r['model']} | {r['threads']} "
            f"| {side(r, 'quern', 'median_step_seconds', duration)} "
            f"| {side(r, 'torch', 'median_step_seconds', duration)} | {speedup} "
            f"| {best} "
            f"| {percent(r.get('model_flops_utilization'))} "
            f"| {side(r, 'quern', 'peak_rss_bytes', mib)} "
            f"| {side(r, 'torch', 'peak_rss_bytes', mib)} | {compile_time} |")
    peak = train.get("fma_peak_gflops", {})
    if "1" in peak and "2" in peak:
        lines += ["", "MFU (model FLOP utilization): 6 FLOPs per parameter and "
                  "token plus the attention products (12·B·T²·C per layer), "
                  "per step time, against the FP32 FMA peak measured in the "
                  f"same run ({peak['1']:.0f} GFLOP/s on 1 core, "
                  f"{peak['2']:.0f} on 2)."]
    if train.get("steps_by_model"):
        lines += ["", "Fewer steps for the largest models: " + ", ".join(
            f"`{name}` {steps} timed after {warmup} warm-up"
            for name, (steps, warmup) in train["steps_by_model"].items()) + "."]
    if slower_with_threads:
        lines += ["", "PyTorch's step took longer at 2 threads than at 1 for "
                  + ", ".join(f"`{m}`" for m in sorted(slower_with_threads))
                  + ": there its 2-thread ratio flatters Quern, and the "
                  "column against its best is the fairer one."]
    lines += compile_phase_lines(train["rows"])
    lines += ["", "Models (test/e2e/torch/export_models.py, one fixed random "
              "batch):", ""]
    seen = set()
    for r in train["rows"]:
        if r["model"] not in seen:
            seen.add(r["model"])
            lines.append(f"- `{r['model']}`: {r['label']}; "
                         f"{r['parameters']:,} parameters")
    loss = lambda v: f"{v:.4f}"  # noqa: E731
    lines += [
        "", "Both start from the same weights (the export's initializers are "
        "the module's) and train on the same batch, so their losses should "
        "agree:", "",
        "| model | threads | first step: Quern | PyTorch | last step: Quern "
        "| PyTorch |",
        "|---|---|---|---|---|---|",
    ]
    for r in train["rows"]:
        lines.append(f"| {r['model']} | {r['threads']} "
                     f"| {side(r, 'quern', 'first_loss', loss)} "
                     f"| {side(r, 'torch', 'first_loss', loss)} "
                     f"| {side(r, 'quern', 'last_loss', loss)} "
                     f"| {side(r, 'torch', 'last_loss', loss)} |")
    baselines = {fw: [r[fw]["rss_after_imports_bytes"] for r in train["rows"]
                      if "rss_after_imports_bytes" in r.get(fw, {})]
                 for fw in ("quern", "torch")}
    lines += [
        "", "Every (framework, model, threads) measurement runs in a process "
        "of its own; peak RSS is that process's high-water mark (`VmHWM`; "
        "`ru_maxrss` would include the parent's, which Linux carries over "
        "`exec`), the Python interpreter included. Threads: Quern's process gets "
        "`QUERN_NUM_THREADS=n OMP_NUM_THREADS=n`; PyTorch's "
        "`torch.set_num_threads(n)` with `OMP_NUM_THREADS=n "
        "OPENBLAS_NUM_THREADS=n`."]
    if baselines["quern"] and baselines["torch"]:
        lines[-1] += (f" After its imports, before any model is loaded, a Quern "
                      f"process holds about {mib(min(baselines['quern']))} "
                      f"(numpy) and a PyTorch process about "
                      f"{mib(min(baselines['torch']))}.")
    for r in train["rows"]:
        if "compile_error" in r and r["threads"] == 1:
            lines += ["", f"quernc --train failed on {r['model']}:", "```",
                      r["compile_error"], "```"]
        for fw in ("quern", "torch"):
            if "error" in r.get(fw, {}):
                lines += ["", f"The {fw} step of {r['model']} at {r['threads']} "
                          f"thread(s) failed:", "```", r[fw]["error"], "```"]
    bf16_rounds = max((r.get("rounds", 1) for r in train["bf16"]["rows"]),
                      default=1)
    lines += [
        "", "### bf16", "",
        "`quernc --train --optimizer=adamw --precision=bf16`: matmul operands "
        "rounded to bf16, products and sums in f32, parameters and AdamW "
        "state in f32. Speedup is Quern's fp32 step time over its bf16 one "
        "(above 1: bf16 faster). Both are measured in alternating runs (fp32, "
        f"bf16, fp32, ...; {bf16_rounds} of each, each the median of its "
        "steps, and the table gives the median run), apart from the fp32 runs "
        "against PyTorch above, because this machine's speed drifts over "
        "minutes.", "",
        "| model | threads | bf16 step | fp32 step | speedup over fp32 "
        "| last loss | bf16 peak RSS | compile |",
        "|---|---|---|---|---|---|---|---|"]
    for r in train["bf16"]["rows"]:
        if "compile_error" in r:
            lines.append(f"| {r['model']} | {r['threads']} | compile failed "
                         "| | | | | |")
            continue
        lines.append(
            f"| {r['model']} | {r['threads']} "
            f"| {side(r, 'quern', 'median_step_seconds', duration)} "
            f"| {duration(r['fp32_step_seconds']) if 'fp32_step_seconds' in r else '–'} "
            f"| {ratio(r['speedup_over_fp32']) if 'speedup_over_fp32' in r else '–'} "
            f"| {side(r, 'quern', 'last_loss', loss)} "
            f"| {side(r, 'quern', 'peak_rss_bytes', mib)} "
            f"| {r['compile_seconds']:.1f} s |")
    lines.append("")
    return lines


# ------------------------------------------------- forward and import ----


def moe_section(moe):
    lines = [
        "## Mixture-of-experts training step", "",
        "bench/moe.py: a residual SwiGLU mixture-of-experts layer (router, "
        "top-k, the k scores softmaxed, stacked expert weights, identity "
        "experts) with an MSE loss, AdamW, median of "
        f"{moe['steps']} steps after {moe['warmup']} warm-up ones, each in a "
        "process of its own. Quern fuses the block (quern-fuse-experts: "
        "each expert runs on its routed tokens); Quern dense is "
        "`--no-expert-fusion`; Quern apart is `--no-epilogue-fusion` (the "
        "activation in a loop of its own over all rows instead of tile by "
        "tile with the gate and up products); PyTorch dense runs the "
        "exported module (every "
        "expert on every token), PyTorch sparse each expert on its own "
        "tokens (index, products, index_add), as Hugging Face's Mixtral "
        "does. GFLOP/s counts the executed expert products (the routed "
        "slots' three products, forward and backward) over Quern's step. "
        "The large layer has no dense runs: 64 experts on every token would "
        "take seconds a step.", "",
        "| layer | threads | Quern | Quern apart | Quern dense | PyTorch "
        "dense | PyTorch sparse | over Quern apart | over Quern dense | over "
        "PyTorch dense | over PyTorch sparse | Quern GFLOP/s | Quern peak RSS "
        "| PyTorch sparse peak RSS |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for row in moe["rows"]:
        def cell(framework):
            run = row.get(framework)
            if run is None:
                return "–"
            return (duration(run["median_step_seconds"])
                    if "median_step_seconds" in run else run["error"])

        def speedup(framework):
            value = row.get(f"speedup_over_{framework}")
            return "–" if value is None else ratio(value)

        def rss(framework):
            run = row.get(framework, {})
            return mib(run["peak_rss_bytes"]) if "peak_rss_bytes" in run else "–"
        gflops = row.get("executed_gflops")
        lines.append(
            f"| {row['label']} | {row['threads']} | {cell('quern')} | "
            f"{cell('quern_apart')} | {cell('quern_dense')} | {cell('torch')} "
            f"| {cell('torch_sparse')} | {speedup('quern_apart')} | "
            f"{speedup('quern_dense')} | {speedup('torch')} | "
            f"{speedup('torch_sparse')} | "
            f"{'–' if gflops is None else f'{gflops:.0f}'} | {rss('quern')} | "
            f"{rss('torch_sparse')} |")
    lines += ["", "The grouped products alone (1 thread): the executed FLOPs of "
              "the block's products over the time of its product kernels "
              "(QUERN_PROFILE), beside one dense GEMM of the same total size "
              "(routed slots × d_model by ff).", "",
              "| layer | grouped GFLOP/s | dense GEMM | dense GFLOP/s | grouped / dense |",
              "|---|---|---|---|---|"]
    for row in moe["rows"]:
        grouped = row.get("grouped_products")
        if grouped is None:
            continue
        if "error" in grouped:
            lines.append(f"| {row['label']} | {grouped['error']} | | | |")
            continue
        m, k, n = grouped["dense_shape"]
        lines.append(f"| {row['label']} | {grouped['grouped_gflops']:.0f} | "
                     f"{m}×{k}×{n} | {grouped['dense_gflops']:.0f} | "
                     f"{grouped['ratio']:.0%} |")
    return lines + [""]


QLORA_VARIANTS = {"quern_lora": "Quern f32 base", "quern_qlora": "Quern NF4",
                  "quern_qlora_bf16": "Quern NF4 bf16",
                  "torch_lora": "PyTorch f32 base",
                  "torch_dequant": "PyTorch dequantize + matmul"}


def qlora_section(qlora):
    lines = [
        "## QLoRA training step", "",
        f"bench/qlora.py: rank-{qlora['rank']} LoRA adapters (alpha "
        f"{qlora['alpha']}) on {', '.join(qlora['targets'])} of every block of "
        "a GPT-2 decoder whose base is frozen, AdamW, median of "
        f"{qlora['steps']} steps after {qlora['warmup']} warm-up ones (GPT-2 "
        "small's shapes: 5 after 1), each in a process of its own. Quern "
        "inserts the adapters itself (`--lora`); NF4 is `--quantize-frozen=nf4` "
        "(blocks of 64), decoded inside the products. PyTorch f32 base adds "
        "PEFT-style adapters to the frozen module; PyTorch dequantize + matmul "
        "keeps the base's weights as NF4 codes and decodes each whole weight "
        "for every product, forward and backward, as bitsandbytes' training "
        "path does.", "",
        "| model | threads | " + " | ".join(QLORA_VARIANTS.values())
        + " | NF4 over f32 base | PyTorch f32 over NF4 | PyTorch dequantize "
        "over NF4 | PyTorch f32 over NF4 bf16 |",
        "|---|---|" + "---|" * (len(QLORA_VARIANTS) + 4)]

    def cell(run):
        if "median_step_seconds" not in run:
            return run.get("error", run.get("compile_error", "–"))
        return duration(run["median_step_seconds"])

    def r(row, key):
        return ratio(row[key]) if key in row else "–"
    for row in qlora["rows"]:
        lines.append(
            f"| {row['label']} | {row['threads']} | "
            + " | ".join(cell(row.get(v, {})) for v in QLORA_VARIANTS)
            + f" | {r(row, 'qlora_over_lora')} | {r(row, 'torch_lora_over_qlora')} "
            f"| {r(row, 'torch_dequant_over_qlora')} "
            f"| {r(row, 'torch_lora_over_qlora_bf16')} |")
    lines += ["", "Memory: the state (Quern: parameters, adapters, optimizer "
              "state as the manifest lays them out; PyTorch: parameters, "
              "buffers and optimizer state) and each process's peak RSS.", "",
              "| model | threads | " + " | ".join(
                  f"{label} state / peak RSS" for label in QLORA_VARIANTS.values())
              + " | NF4 bits a parameter (double-quant) |",
              "|---|---|" + "---|" * (len(QLORA_VARIANTS) + 1)]
    for row in qlora["rows"]:
        def memory(run):
            if "peak_rss_bytes" not in run:
                return "–"
            return f"{mib(run['state_bytes'])} / {mib(run['peak_rss_bytes'])}"
        bits = row.get("quern_qlora", {}).get("quantized_bits_per_parameter")
        double = row.get("double_quant_bits_per_parameter")
        lines.append(
            f"| {row['label']} | {row['threads']} | "
            + " | ".join(memory(row.get(v, {})) for v in QLORA_VARIANTS)
            + f" | {bits or 0:.3f} ({double or 0:.3f}) |")
    return lines + [""]


def budget_label(entry):
    """How the recomputation table names the budget of `entry`."""
    if entry.get("least"):
        return f"least ({mib(int(entry['budget']))})"
    if entry.get("matches"):
        return f"PyTorch checkpointing's ({mib(int(entry['budget']))})"
    return entry.get("budget") or "none"


def recompute_section(study):
    lines = [
        "## Recomputation under a memory budget", "",
        "bench/recompute.py: GPT training steps (AdamW) compiled with "
        "`--activation-budget` at 50%, 33% and 20% of the step's workspace "
        "without recomputation, at the least workspace recomputation reaches, "
        "and at the activation memory PyTorch's per-block checkpointing "
        "takes; against PyTorch eager with and without "
        "`torch.utils.checkpoint` on every block. Workspace: the planned "
        "bytes of every scratch buffer of Quern's step (activations "
        "included); PyTorch's activation memory: its peak RSS over its RSS "
        "once the model and optimizer state exist. Median step times, each "
        "run in a process of its own.", "",
        "| model | threads | budget | workspace | recomputed GFLOP a step "
        "| solve | compile | step | over keeping all | peak RSS "
        "| losses = keeping all's |",
        "|---|---|---|---|---|---|---|---|---|---|---|"]
    for row in study["rows"]:
        keep = row["quern"][0]
        for entry in row["quern"]:
            budget = budget_label(entry)
            if "compile_error" in entry:
                lines.append(f"| {row['label']} | {row['threads']} | {budget} "
                             f"| cannot: {entry['compile_error']} | | | | | | | |")
                continue
            flops = entry.get("recomputed_flops")
            cells = [
                mib(entry["workspace_bytes"]),
                "–" if flops is None else f"{flops / 1e9:.2f}",
                (f"{entry['solve_seconds']:.2f} s" if "solve_seconds" in entry
                 else "–"),
                f"{entry['compile_seconds']:.1f} s",
                (duration(entry["median_step_seconds"])
                 if "median_step_seconds" in entry else entry.get("error", "–")),
                (ratio(entry["time_over_keep"]) if "time_over_keep" in entry
                 else "–"),
                (mib(entry["peak_rss_bytes"]) if "peak_rss_bytes" in entry
                 else "–"),
                # Bit for bit: the first and last step's losses.
                ("–" if "last_loss" not in entry or "last_loss" not in keep
                 else "yes" if (entry["first_loss"], entry["last_loss"])
                 == (keep["first_loss"], keep["last_loss"]) else "**no**")]
            lines.append(f"| {row['label']} | {row['threads']} | {budget} | "
                         + " | ".join(cells) + " |")
        for variant, label in (("torch", "PyTorch eager"),
                               ("torch_checkpoint", "PyTorch checkpointed")):
            run = row.get(variant, {})
            if "median_step_seconds" not in run:
                lines.append(f"| {row['label']} | {row['threads']} | {label} "
                             f"| {run.get('error', '–')} | | | | | | | |")
                continue
            activations = run["peak_rss_bytes"] - run["rss_ready_bytes"]
            lines.append(f"| {row['label']} | {row['threads']} | {label} "
                         f"| {mib(activations)} (RSS growth) | | | "
                         f"| {duration(run['median_step_seconds'])} | "
                         f"| {mib(run['peak_rss_bytes'])} | |")
    return lines + too_big_lines(study.get("too_big")) + [""]


def too_big_lines(record):
    """The step too big for the machine without recomputation, compiled
    without and with a budget."""
    if not record:
        return []
    lines = [
        "", f"**A step too big for the machine without recomputation**: "
        f"{record['label']}, {record['threads']} threads, on a machine with "
        f"{mib(record['machine_memory_bytes'])} of memory. The state (parameters "
        "and AdamW moments) is the size of the state file.", "",
        "| budget | workspace | state | recomputed GFLOP a step | compile "
        "| step | tokens/s | peak RSS |", "|---|---|---|---|---|---|---|---|"]
    for stem in ("keep", "budget"):
        entry = record.get(stem)
        if not entry:
            continue
        budget = budget_label(entry)
        if "compile_error" in entry:
            lines.append(f"| {budget} | cannot: {entry['compile_error']} "
                         "| | | | | | |")
            continue
        flops = entry.get("recomputed_flops")
        step = entry.get("median_step_seconds")
        cells = [
            budget, mib(entry["workspace_bytes"]), mib(entry["state_bytes"]),
            "–" if flops is None else f"{flops / 1e9:.0f}",
            f"{entry['compile_seconds']:.1f} s",
            (duration(step) if step
             else entry.get("not_run") or entry.get("error", "–")),
            f"{record['tokens'] / step:.0f}" if step else "–",
            mib(entry["peak_rss_bytes"]) if "peak_rss_bytes" in entry else "–"]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def halide_nf4_section(study):
    lines = [
        "## NF4 dequantize-matmul: MLIR against Halide", "",
        "bench/halide_nf4.py: `y = x · W` with W frozen in NF4 (blocks of 64), "
        "Quern's forward entry point (the decoding into the product's panels, "
        "the product, a bias and a mean) against a Halide 14 generator "
        "(bench/halide/nf4_matmul_generator.cpp: a 128-column panel of W "
        "decoded once for all rows, register tiles of 2 vectors × 8 rows) "
        f"given Quern's own codes and scales; median of {study['calls']} "
        "calls, each in a process of its own; both give the same y.", "",
        "| M × K × N | W stored | threads | Quern GFLOP/s | Halide GFLOP/s "
        "| Halide over Quern |",
        "|---|---|---|---|---|---|"]
    for row in study["rows"]:
        m, k, n = row["shape"]
        for threads in ("1", "2"):
            cell = row.get(threads)
            if cell:
                lines.append(
                    f"| {m} × {k} × {n} | {row['weight']} | {threads} | "
                    f"{cell['quern_gflops']:.0f} | {cell['halide_gflops']:.0f} | "
                    f"{ratio(cell['halide_over_quern'])} |")
    return lines + [""]


def waited_per_step(run):
    """Median seconds a step of `run` (one bucket size's rounds) waited for
    its gradients' means."""
    return statistics.median(
        p["wait_share"] / p["two_rank_steps_per_second"] for p in run["rounds"])


def sharded_row(r):
    """The table row of the run with the optimizer state sharded, and what
    a rank keeps, if it was measured."""
    run = r.get("sharded")
    if not run:
        return []
    return [
        f"| `mpirun -np 2`, `--shard-optimizer=2` | {mib(run['bucket_bytes'])} "
        f"| {run['tokens_per_second']:,.0f} "
        f"| {run['weak_scaling_efficiency']:.1%} "
        f"| {run['wait_share']:.1%} of the steps' time |", "",
        f"Sharded (ZeRO stage 1), each rank keeps "
        f"{mib(run['optimizer_bytes_per_rank'])} of AdamW's "
        f"{mib(run['optimizer_bytes_whole'])} of state "
        f"({run['optimizer_bytes_per_rank'] / run['optimizer_bytes_whole']:.4f}"
        "), and its waits include the gradients' reduce-scatter and the "
        "updated pieces' all-gather."]


def data_parallel_section(r):
    lines = [
        "## Data-parallel training (MPI)", "",
        f"{r['label']}, compiled with `--data-parallel` "
        f"({r['parameters']:,} parameters, {r['gradient_bytes'] / 2**20:.1f} "
        "MiB of gradients), trained by quern-train on the bundled text for "
        f"{r['steps']} steps; every rank on one thread "
        "(bench/data_parallel.py). Each 2-rank run is paired with a 1-rank "
        f"run just before it, {len(r['two_rank'][0]['rounds'])} times per "
        "bucket size: medians of the rates, of the pairs' ratios and of the "
        "waits.", "",
        "| run | buckets | tokens/s (all ranks) | weak-scaling efficiency "
        "| waited for gradient means |",
        "|---|---|---|---|---|",
        f"| 1 rank × 1 thread | — | {r['one_rank_tokens_per_second']:,.0f} "
        "| — | — |"] + [
        f"| `mpirun -np 2`, 1 thread each | {mib(run['bucket_bytes'])}"
        f"{' (default)' if i == 0 else ''} | {run['tokens_per_second']:,.0f} "
        f"| {run['weak_scaling_efficiency']:.1%} "
        f"| {run['wait_share']:.1%} of the steps' time |"
        for i, run in enumerate(r["two_rank"])] + sharded_row(r) + [
        "",
        "Both ranks share this machine's two cores, its caches and its "
        "memory bandwidth, and the all-reduce is Open MPI copying through "
        "shared memory on those same cores: there is no idle core or network "
        "engine to hide it behind, so smaller buckets, started during the "
        "backward pass, shorten the wait but lengthen the steps (Open MPI "
        "moves a non-blocking all-reduce along only when the rank calls "
        "into MPI, at the next bucket's start). The wait also holds the "
        "time one rank waits for the other to finish its backward pass: "
        "alone, a 24 MiB all-reduce of two processes took 6.0 ms here (Open "
        "MPI's ring, which libquern_rt selects), against "
        f"{waited_per_step(r['two_rank'][0]) * 1e3:.1f} ms per step waited "
        "at the default bucket size. The targets are read at that size.",
        "",
        "Paper study: N nodes, each computing the measured 1-rank step, "
        "with a ring all-reduce of the gradients (2 (N−1)/N × bytes / "
        "bandwidth + 2 (N−1) × 5 µs per bucket); *no overlap* is one bucket "
        f"after the backward pass, *overlapped* {mib(r['study_bucket_bytes'])} "
        "buckets started as the backward pass (two thirds of a step) "
        "finishes them, all but the last hidden behind it. Horovod's "
        f"published efficiency: {r['horovod_efficiency']:.0%}.", "",
        "| network | nodes | all-reduce | efficiency, no overlap "
        "| efficiency, overlapped |",
        "|---|---|---|---|---|"]
    for row in r["paper_study"]:
        lines.append(
            f"| {row['gbit_per_second']} Gbit/s | {row['nodes']} "
            f"| {row['allreduce_seconds'] * 1e3:.2f} ms "
            f"| {row['efficiency_no_overlap']:.1%} "
            f"| {row['efficiency_overlapped']:.1%} |")
    return lines + [""]


def mlp_forward_section(r):
    t = r["median_seconds"]
    return [
        "## MLP forward", "",
        "| benchmark | threads | quern | torch eager | numpy | quern vs torch "
        "| quern vs numpy | compile |",
        "|---|---|---|---|---|---|---|---|",
        f"| mlp_forward (batch {r['batch']}) | {r['threads']} "
        f"| {t['quern'] * 1e6:.0f} µs | {t['torch'] * 1e6:.0f} µs "
        f"| {t['numpy'] * 1e6:.0f} µs | {r['speedup_vs_torch']:.2f}× "
        f"| {r['speedup_vs_numpy']:.2f}× | {r['compile_seconds']:.2f} s |",
        "", "Ratios above 1 mean Quern is faster.", ""]


def import_memory_section(r):
    return [
        "## Import memory", "",
        f"{r['model']}: {r['weight_bytes'] / 2**30:.2f} GiB of weights; "
        f"quernc's peak RSS while compiling it (import, code generation, "
        f"state file) was {r['quernc_peak_rss_bytes'] / 2**30:.2f} GiB, "
        f"{r['peak_rss_over_weights']:.2f}x the weights (goal: under 2x), "
        f"in {r['compile_seconds']:.1f} s. The weights are memory-mapped, "
        "never copied.", ""]


def amdgpu_section(r):
    lines = [
        "## AMD GPU code objects", "",
        "bench/amdgpu.py: training steps (AdamW) compiled with "
        "`--target=amdgcn-amd-amdhsa -mcpu=CHIP` and, in the same run, for "
        "the host. **No AMD GPU was at hand: the kernels were compiled and "
        "inspected, not run or timed on a GPU.** Their arithmetic is tested on "
        "the host (`--gpu-on-host`, test/e2e/gpu-on-host.test). Each kernel "
        "runs one thread per element of its result (no matrix cores, no LDS "
        "tiling yet); the registers are the most any kernel of the step uses.",
        "",
        "| model | chip | precision | compile | code generation | emit | code "
        "object | kernels | wavefront | VGPRs | SGPRs | LDS | scratch |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for row in r["rows"]:
        if "error" in row:
            lines.append(f"| {row['label']} | {row['chip']} | "
                         f"{row['precision']} | failed: {row['error']} "
                         "| | | | | | | | | |")
            continue
        timing = (f"{row['compile_seconds']:.1f} s | "
                  + " | ".join(f"{row[key]:.1f} s" if row.get(key) else ""
                               for key in ("codegen_seconds", "emit_seconds")))
        if row["chip"] == "host":
            lines.append(f"| {row['label']} | host | {row['precision']} | "
                         f"{timing} | | | | | | | |")
            continue
        lines.append(
            f"| {row['label']} | {row['chip']} | {row['precision']} | {timing} | "
            f"{row['code_object_bytes'] / 2**20:.1f} MiB | {row['kernels']} | "
            f"{row['wavefront_size']} | {row['max_vgprs']} | {row['max_sgprs']} | "
            f"{row['max_lds_bytes']} B | {row['max_scratch_bytes']} B |")
    over = [f"{row['model']} {row['chip']}: {problem}" for row in r["rows"]
            for problem in row.get("over_limits", [])]
    lines += ["", "Over the hardware's limits: " + ("; ".join(over) if over
                                                     else "none") + ".", ""]
    return lines


# ---------------------------------------------------------------- page ----


def machine_lines(results):
    lines = []
    any_result = next(iter(results.values()))
    machine = any_result.get("machine")
    if isinstance(machine, dict):
        lines.append(f"Machine: {machine['cpu']}, {machine['cores']} cores.")
    # Results of earlier runs may come from another machine of the same
    # name: the microarchitecture says which ran where.
    by_cpu = {}
    for name, result in results.items():
        if isinstance(result.get("machine"), dict):
            by_cpu.setdefault(result["machine"].get("host_cpu", "not recorded"),
                              []).append(name)
    if len(by_cpu) > 1:
        lines.append("Host CPU (as LLVM names it; the benchmarks ran on "
                     "different machines): " + "; ".join(
                         f"{cpu}: {', '.join(names)}"
                         for cpu, names in by_cpu.items()) + ".")
    elif by_cpu:
        lines.append(f"Host CPU (as LLVM names it): {next(iter(by_cpu))}.")
    versions = []
    if "train_step" in results:
        versions.append(f"PyTorch {results['train_step']['torch_version']}")
    elif "mlp_forward" in results:
        versions.append(f"PyTorch {results['mlp_forward']['torch_version']}")
    numpy_version = next((r["numpy_version"] for r in results.values()
                          if "numpy_version" in r), None)
    if numpy_version:
        versions.append(f"numpy {numpy_version}")
    if "gemm" in results:
        versions.append(results["gemm"]["openblas"].split(" NO_")[0]
                        .split(" DYNAMIC")[0])
    if versions:
        lines.append("Versions: " + ", ".join(versions) + ".")
    loads = [f"{name} {r['machine']['load_average_1min']:.1f}"
             for name, r in results.items()
             if isinstance(r.get("machine"), dict)]
    times = [f"{name} {r['wall_seconds']:.0f} s"
             for name, r in results.items() if "wall_seconds" in r]
    if times:
        lines.append("Run time: " + ", ".join(times) + ".")
    if loads:
        lines.append("Load average (1 min) when each benchmark started: "
                     + ", ".join(loads) + ". A load near the core count means "
                     "something else was running: its numbers, those at 2 "
                     "threads most, are then low.")
    return lines


# The page's sections, in order, by the result each is made from.
SECTIONS = [("gemm", gemm_section), ("gemm_shapes", gemm_shapes_section),
            ("train_step", train_section), ("moe_step", moe_section),
            ("qlora_step", qlora_section), ("recompute_step", recompute_section),
            ("halide_nf4", halide_nf4_section),
            ("data_parallel", data_parallel_section),
            ("llama_qlora", llama_qlora_section),
            ("mlp_forward", mlp_forward_section),
            ("import_memory", import_memory_section),
            ("amdgpu_compile", amdgpu_section)]


def write_markdown(results, path):
    lines = [
        "# Performance", "",
        "Generated by `make bench` (bench/run.py) on "
        f"{time.strftime('%Y-%m-%d')}; raw numbers in bench/results/*.json. "
        "Every benchmark runs in a process of its own, and Quern and its "
        "baseline run in the same invocation on the same machine with the "
        "same thread count.", "",
        "Run everything with `make bench`; one or more benchmarks with "
        "`make bench BENCH_FLAGS=--only=gemm,train` (the page is then made "
        "from the new results and the previous ones of the others); a smoke "
        "run of the same code with `BENCH_FLAGS=--quick` (results in $TMPDIR, "
        "not here).", ""]
    quick = [name for name, r in results.items() if r.get("quick")]
    if quick:
        lines += [f"**Quick run** of {', '.join(quick)} (`--quick`: fewer "
                  "sizes, calls and steps): a smoke test more than a "
                  "measurement; `make bench` runs them in full.", ""]
    if results:
        lines += machine_lines(results) + [""]
    lines += targets_section(results)
    for name, section in SECTIONS:
        if name in results:
            lines += section(results[name])
    with open(path, "w") as f:
        f.write("\n".join(lines))
