#!/usr/bin/env bash
# make demo: compile the example MLP ahead of time with quernc, run it from C
# through libquern_rt, and check it against numpy.
set -euo pipefail
build=${1:-build}
work=$build/demo
rm -rf "$work" && mkdir -p "$work"

echo "== 1. Build the example model (784-256-256-10 MLP, ONNX opset 17)"
/usr/bin/python3 examples/mlp/make_mlp.py "$work/mlp.onnx" --reference "$work/ref"
ls -l "$work/mlp.onnx"

echo
echo "== 2. Compile it: quernc mlp.onnx -o $work/out/mlp"
start=$(date +%s%N)
"$build/bin/quernc" "$work/mlp.onnx" -o "$work/out/mlp"
end=$(date +%s%N)
echo "compiled in $(( (end - start) / 1000000 )) ms:"
ls -l "$work/out"

echo
echo "== 3. Its C interface ($work/out/mlp.h)"
sed -n '/^ \* mlp_forward inputs/,/^ \*\//p' "$work/out/mlp.h"

echo
echo "== 4. Run it from C (examples/mlp/run_model.c)"
"$build/bin/run_model" "$work/out/mlp.so" "$work/y" "$work/ref/x.bin"

echo
echo "== 5. Compare with numpy"
/usr/bin/python3 test/e2e/Inputs/compare.py "$work/y0.bin" "$work/ref/y.bin" --rtol 1e-5 --atol 1e-6
