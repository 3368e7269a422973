#!/usr/bin/env bash
# make llama-qlora: QLoRA fine-tuning of a 1.1-billion-parameter Llama-style
# model on this machine's CPU, end to end. Exports the model once (cached in
# WORK), compiles its training step with rank-16 adapters on every attention
# and MLP product and the frozen base in NF4, trains the adapters for a few
# steps on the bundled sonnets with quern-train, saves them, and samples a
# few bytes with them applied. Prints the compile time, the training
# throughput and the training process's peak memory.
#
#   examples/llama-qlora/run.sh [BUILD [WORK]]
#   LLAMA_QLORA_STEPS=N (default 4), LLAMA_QLORA_THREADS=N (default: cores),
#   LLAMA_QLORA_WEIGHTS=model.safetensors (real Llama weights, e.g.
#   TinyLlama-1.1B's), LLAMA_QLORA_PRECISION=bf16 (default fp32)
set -euo pipefail
build=$(realpath "${1:-build}")
work=$(realpath -m "${2:-$build/llama-qlora}")
cd "$(dirname "$0")/../.."
mkdir -p "$work"
steps=${LLAMA_QLORA_STEPS:-4}
threads=${LLAMA_QLORA_THREADS:-$(nproc)}
precision=${LLAMA_QLORA_PRECISION:-fp32}
weights=${LLAMA_QLORA_WEIGHTS:-}

echo "== 1. The model: a Llama-style decoder of 1.1 B parameters (TinyLlama's shape)"
stamp="$work/export.stamp"
source="examples/llama-qlora/export_llama.py ${weights}"
if [[ -f "$work/llama.onnx.data" && -f "$stamp" && "$(cat "$stamp")" == "$source" \
      && "$work/llama.onnx" -nt examples/llama-qlora/export_llama.py ]]; then
  echo "   cached: $work/llama.onnx (+ llama.onnx.data, $(du -h "$work/llama.onnx.data" | cut -f1))"
else
  /usr/bin/python3 examples/llama-qlora/export_llama.py "$work" \
    ${weights:+--weights "$weights"}
  echo "$source" > "$stamp"
fi

echo
echo "== 2. Compile the QLoRA training step: rank-16 adapters (alpha 32) on the"
echo "   q, k, v, o, gate, up and down products; the frozen base in NF4"
targets='*q_proj.weight,*k_proj.weight,*v_proj.weight,*o_proj.weight,*gate_proj.weight,*up_proj.weight,*down_proj.weight'
start=$(date +%s%N)
"$build/bin/quernc" "$work/llama.onnx" --train --optimizer=adamw \
  --lora=16:32 --lora-targets="$targets" --quantize-frozen=nf4 --double-quant \
  --precision="$precision" --activation-budget=1800MiB -o "$work/qlora"
end=$(date +%s%N)
echo "   compiled in $(( (end - start) / 1000000 )) ms"

echo
echo "== 3. Train the adapters: $steps steps of 512 bytes of the sonnets, $threads threads"
/usr/bin/time -f "   peak memory of quern-train: %M KiB" \
  "$build/bin/quern-train" "$work/qlora.so" --text examples/tinygpt/sonnets.txt \
  --vocab 32000 --steps "$steps" --lr 1e-3 --seed 1 --threads "$threads" \
  --log-every 1 --log "$work/qlora.csv" --save-adapters "$work/adapters.safetensors"
ls -l "$work/adapters.safetensors"

echo
echo "== 4. Sample 8 bytes after a prompt, through the forward entry point, with the adapters"
"$build/bin/quern-train" "$work/qlora.so" --adapters "$work/adapters.safetensors" \
  --threads "$threads" --steps 0 --sample 8 --prompt "Shall I compare thee" --seed 3
