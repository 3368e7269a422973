#!/usr/bin/env bash
# make qlora: QLoRA fine-tuning of a small pretrained GPT, end to end (about
# a minute on 2 cores): pretrain examples/tinygpt on Shakespeare's sonnets,
# bake the weights into its ONNX export, then compile that plain export with
# adapters added by quernc and its frozen weights in NF4, fine-tune only the
# adapters on lines of sums, save them, and sample with and without them.
set -euo pipefail
build=$(realpath "${1:-build}")
work=$(realpath -m "${2:-$build/qlora}")
cd "$(dirname "$0")/../.."
rm -rf "$work" && mkdir -p "$work"

echo "== 1. A pretrained model: tinygpt trained on the sonnets (fp32, 600 steps)"
"$build/bin/quernc" examples/tinygpt/tinygpt.onnx --train --optimizer=adamw \
  --clip-grad-norm=1 -o "$work/pretrain"
"$build/bin/quern-train" "$work/pretrain.so" --text examples/tinygpt/sonnets.txt \
  --steps 600 --lr 3e-3 --schedule cosine --warmup 50 --seed 1 --log-every 200 \
  --save "$work/pretrained.safetensors"
/usr/bin/python3 examples/qlora/bake_weights.py examples/tinygpt/tinygpt.onnx \
  "$work/pretrained.safetensors" "$work/pretrained.onnx"

echo
echo "== 2. Fine-tuning data: lines of sums, a task the sonnets never showed"
/usr/bin/python3 - "$work/sums.txt" <<'PY'
import random, sys
rng = random.Random(0)
lines = []
while sum(map(len, lines)) < 40000:
    a, b = rng.randrange(100), rng.randrange(100)
    lines.append(f"{a} plus {b} is {a + b}.\n")
open(sys.argv[1], "w").write("".join(lines))
PY
head -3 "$work/sums.txt"

echo
echo "== 3. QLoRA: rank-8 adapters on every attention and MLP product, the"
echo "   frozen base in NF4 (blocks of 64, double-quantized scales)"
"$build/bin/quernc" "$work/pretrained.onnx" --train --optimizer=adamw \
  --lora=8:16 --lora-targets='blocks.*.q.weight,blocks.*.k.weight,blocks.*.v.weight,blocks.*.proj.weight,blocks.*.fc*.weight' \
  --quantize-frozen=nf4 --double-quant -o "$work/qlora"
/usr/bin/python3 - "$work/qlora.json" <<'PY'
import json, sys
tensors = json.load(open(sys.argv[1]))["state"]["tensors"]
trained = [t for t in tensors if t["role"] == "param"]
parts = [t for t in tensors if "quantization" in t]
weights = {t["quantization"]["of"] for t in parts}
print(f"   {len(trained)} adapter tensors trained "
      f"({sum(t['bytes'] for t in trained) / 1024:.0f} KiB); {len(weights)} "
      f"weights stored in NF4 ({sum(t['bytes'] for t in parts) / 1024:.0f} KiB "
      "with their scales)")
PY

echo
echo "== 4. Train the adapters (1000 steps) and save them alone"
"$build/bin/quern-train" "$work/qlora.so" --text "$work/sums.txt" \
  --steps 1000 --lr 3e-3 --seed 1 --log-every 250 --log "$work/qlora.csv" \
  --save-adapters "$work/adapters.safetensors"
ls -l "$work/adapters.safetensors"
/usr/bin/python3 - "$work/qlora.csv" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
first = sum(float(r["loss"]) for r in rows[:20]) / 20
last = sum(float(r["loss"]) for r in rows[-20:]) / 20
print(f"   mean loss over the first 20 steps {first:.3f}, over the last 20 {last:.3f}")
PY

echo
echo "== 5. Sample: the base model, then the base with the adapters"
echo "-- without adapters:"
"$build/bin/quern-train" "$work/qlora.so" --steps 0 --sample 60 \
  --prompt "12 plus 7 is" --seed 3
echo "-- with adapters:"
"$build/bin/quern-train" "$work/qlora.so" --adapters "$work/adapters.safetensors" \
  --steps 0 --sample 60 --prompt "12 plus 7 is" --seed 3
