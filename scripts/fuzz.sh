#!/usr/bin/env bash
# Runs fuzz targets: scripts/fuzz.sh BUILD_DIR SECONDS TARGET...
# TARGET is onnx, safetensors, manifest, npy or tensorproto (make fuzz
# passes them all).
# They run at the same time, each for SECONDS, from a seed corpus of the
# repository's files (scripts/fuzz_seeds.py) and the inputs fuzzing found
# before (test/fuzz/Inputs/, test/Import/ONNX/Inputs/). Each target's corpus
# grows in BUILD_DIR/fuzz/TARGET/corpus; crashes are written to
# BUILD_DIR/fuzz/TARGET/crashes/ and its log to BUILD_DIR/fuzz/TARGET.log.
set -euo pipefail
[ $# -ge 3 ] || { echo "usage: $0 BUILD_DIR SECONDS TARGET..." >&2; exit 1; }
build=$1
seconds=$2
shift 2
targets=("$@")

seed() {
  local target=$1 corpus=$2
  case $target in
  onnx)
    find examples test -name '*.onnx' -exec cp {} "$corpus"/ \;
    /usr/bin/python3 examples/mlp/make_mlp.py "$corpus/mlp.onnx"
    for text in test/Import/ONNX/*.onnxtxt; do
      /usr/bin/python3 test/tools/onnx_from_text.py --no-check "$text" \
        "$corpus/$(basename "$text" .onnxtxt).onnx" 2>/dev/null || true
    done
    ;;
  *)
    /usr/bin/python3 scripts/fuzz_seeds.py "$target" "$corpus"
    cp test/fuzz/Inputs/"$target"/* "$corpus"/
    ;;
  esac
}

pids=()
for target in "${targets[@]}"; do
  dir=$build/fuzz/$target
  mkdir -p "$dir/corpus" "$dir/crashes"
  seed "$target" "$dir/corpus"
  echo "$target: $(ls "$dir/corpus" | wc -l) inputs in the corpus;" \
    "fuzzing for $seconds s (log: $dir.log)"
  "$build/bin/quern-$target-fuzzer" "$dir/corpus" \
    -max_total_time="$seconds" -timeout=30 -rss_limit_mb=4096 \
    -artifact_prefix="$dir/crashes/" -print_final_stats=1 >"$dir.log" 2>&1 &
  pids+=($!)
done

failed=0
for i in "${!targets[@]}"; do
  target=${targets[$i]}
  # An input is also a finding when the process lived on: the importer runs
  # ONNX's shape inference in a child process, whose crash the sanitizers
  # still report (and quernc turns into a diagnostic).
  found=$(ls "$build/fuzz/$target/crashes" | wc -l)
  if wait "${pids[$i]}" && [ "$found" -eq 0 ]; then
    status=clean
  else
    status="FAILED ($found inputs in $build/fuzz/$target/crashes)"
    failed=1
  fi
  stats=$(grep -E '^#[0-9]+.*DONE' "$build/fuzz/$target.log" | tail -1)
  echo "$target: $status; ${stats:-no final statistics}"
done
exit $failed
