#!/usr/bin/env bash
# Runs the importer fuzzer: scripts/fuzz.sh BUILD_DIR SECONDS
# The seed corpus is every ONNX model in the repository plus a few generated
# ones; crashes are written to BUILD_DIR/fuzz/crashes/.
set -euo pipefail
build=$1
seconds=$2
corpus=$build/fuzz/corpus
crashes=$build/fuzz/crashes
mkdir -p "$corpus" "$crashes"
find examples test -name '*.onnx' -exec cp {} "$corpus"/ \; 2>/dev/null || true
/usr/bin/python3 examples/mlp/make_mlp.py "$corpus/mlp.onnx"
for text in test/Import/ONNX/*.onnxtxt; do
  /usr/bin/python3 test/tools/onnx_from_text.py --no-check "$text" \
    "$corpus/$(basename "$text" .onnxtxt).onnx" 2>/dev/null || true
done
echo "seed corpus: $(ls "$corpus" | wc -l) models; fuzzing for $seconds s"
"$build/bin/quern-onnx-fuzzer" "$corpus" \
  -max_total_time="$seconds" -timeout=30 -rss_limit_mb=4096 \
  -artifact_prefix="$crashes/" -print_final_stats=1
