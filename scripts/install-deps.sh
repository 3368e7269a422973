#!/usr/bin/env bash
# Installs the Debian packages Quern needs that are missing.
#
#   scripts/install-deps.sh [build|bench|fuzz]
#
# build (default): compiler, ONNX and test dependencies (the ONNX backend
#                  tests' data; the tests also run AArch64 code under
#                  qemu-user, built with the cross gcc).
# bench:           those plus the baselines (PyTorch, OpenBLAS) and Halide 14
#                  (bench/halide_nf4.py; it pulls LLVM 14, which only that
#                  separate g++ build uses).
# fuzz:            the build packages plus libFuzzer and the sanitizer
#                  runtimes (make fuzz).
# As root, missing packages are installed (after apt-get update); otherwise
# the exact command is printed and the script fails.
set -euo pipefail

build_packages=(
  clang-19 lld-19 llvm-19-dev llvm-19-tools libmlir-19-dev mlir-19-tools
  clang-format-19
  libomp-19-dev
  cmake ninja-build ccache pkg-config
  coinor-libcbc-dev
  libonnx-dev libprotobuf-dev protobuf-compiler
  python3 python3-numpy python3-onnx libgtest-dev libonnx-testdata
  qemu-user gcc-aarch64-linux-gnu libc6-dev-arm64-cross
)
bench_packages=(python3-torch libopenblas-dev libhalide14-0-dev)
fuzz_packages=(libclang-rt-19-dev)

packages=("${build_packages[@]}")
case "${1:-build}" in
build) ;;
bench) packages+=("${bench_packages[@]}") ;;
fuzz) packages+=("${fuzz_packages[@]}") ;;
*)
  echo "usage: $0 [build|bench|fuzz]" >&2
  exit 1
  ;;
esac

missing=()
for package in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$package" 2>/dev/null || true)
  [[ "$status" == installed ]] || missing+=("$package")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

command="apt-get update && apt-get install -y --no-install-recommends ${missing[*]}"
if [[ $(id -u) -ne 0 ]]; then
  echo "Quern needs these Debian packages: ${missing[*]}" >&2
  echo "Install them as root with:" >&2
  echo "  $command" >&2
  exit 1
fi
echo "Installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
