#!/usr/bin/env bash
# make demo: compile a small GPT's training step ahead of time, train it for
# under a minute on 2 cores with quern-train on Shakespeare's sonnets, then
# sample text through the compiled forward entry point.
set -euo pipefail
build=${1:-build}
work=$build/demo
rm -rf "$work" && mkdir -p "$work"

echo "== 1. Compile the training step of examples/tinygpt/tinygpt.onnx"
echo "   (byte-level GPT: 2 layers, d_model 64, context 64, batch 8; AdamW)"
start=$(date +%s%N)
"$build/bin/quernc" examples/tinygpt/tinygpt.onnx --train --optimizer=adamw \
  --clip-grad-norm=1 -o "$work/tinygpt"
end=$(date +%s%N)
echo "compiled in $(( (end - start) / 1000000 )) ms:"
ls -l "$work"
sed -n '/tinygpt_train_step inputs/,/tinygpt_train_step outputs/p' "$work/tinygpt.h"

echo
echo "== 2. Train it with quern-train (800 steps, under a minute)"
"$build/bin/quern-train" "$work/tinygpt.so" --text examples/tinygpt/sonnets.txt \
  --steps 800 --lr 3e-3 --schedule cosine --warmup 50 --seed 1 \
  --eval-every 200 --eval-batches 4 --log-every 100 \
  --log "$work/loss.csv" --save "$work/trained.safetensors"

echo
echo "== 3. The loss fell (from $work/loss.csv):"
/usr/bin/python3 - "$work/loss.csv" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
first = [float(r["loss"]) for r in rows[:10]]
last = [float(r["loss"]) for r in rows[-10:]]
print(f"   mean loss over the first 10 steps {sum(first) / 10:.3f}, "
      f"over the last 10 steps {sum(last) / 10:.3f}")
PY

echo
echo "== 4. Sample 300 bytes through the compiled forward entry point"
"$build/bin/quern-train" "$work/tinygpt.so" --init "$work/trained.safetensors" \
  --text examples/tinygpt/sonnets.txt --steps 0 --sample 300 \
  --prompt "Shall I compare thee" --temperature 0.8 --seed 3
