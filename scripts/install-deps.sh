#!/usr/bin/env bash
# Installs the Debian packages Quern needs that are missing.
#
#   scripts/install-deps.sh [build|bench|fuzz]
#
# build (default): compiler, ONNX and test dependencies (the ONNX backend
#                  tests' data; the tests also run AArch64 and RISC-V 64
#                  code under qemu-user, built with the cross gccs, and
#                  threaded AArch64 code with Debian's arm64 OpenMP
#                  runtime, unpacked into the cross root; Open MPI, for
#                  data-parallel training and its tests; the ROCm device
#                  libraries, which AMD GPU code objects are linked with,
#                  and HIP, which their libraries load at run time).
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
  python3-matplotlib python3-torch
  qemu-user gcc-aarch64-linux-gnu libc6-dev-arm64-cross
  gcc-riscv64-linux-gnu libc6-dev-riscv64-cross
  libopenmpi-dev openmpi-bin
  rocm-device-libs libamdhip64-5
)
bench_packages=(libopenblas-dev libhalide14-0-dev)
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
# Libraries quernc builds for AArch64 are linked with LLVM's OpenMP
# runtime for arm64. Debian's libomp5-19:arm64 cannot be installed beside
# the amd64 one (both own /usr/lib/llvm-19/lib/libomp.so.5), so its library
# is unpacked into the cross root, where quernc's linker and qemu-aarch64
# find it. That needs apt to know arm64 packages (nothing arm64 is
# installed).
arm64_openmp=/usr/aarch64-linux-gnu/lib/libomp.so.5

[[ ${#missing[@]} -eq 0 && -e $arm64_openmp ]] && exit 0

command="apt-get update && apt-get install -y --no-install-recommends ${missing[*]}"
[[ -e $arm64_openmp ]] ||
  command="dpkg --add-architecture arm64 && $command && $0"
if [[ $(id -u) -ne 0 ]]; then
  echo "Quern needs these Debian packages: ${missing[*]}" >&2
  [[ -e $arm64_openmp ]] || echo "and Debian's arm64 OpenMP runtime at $arm64_openmp" >&2
  echo "Install them as root with:" >&2
  echo "  $command" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
if [[ ! -e $arm64_openmp ]]; then
  dpkg --print-foreign-architectures | grep -qx arm64 ||
    dpkg --add-architecture arm64
fi
apt-get update -q
if [[ ${#missing[@]} -gt 0 ]]; then
  echo "Installing: ${missing[*]}"
  apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
if [[ ! -e $arm64_openmp ]]; then
  echo "Installing Debian's arm64 OpenMP runtime into $arm64_openmp"
  download=$(mktemp -d)
  chown _apt "$download" 2>/dev/null || true
  trap 'rm -rf "$download"' EXIT
  (cd "$download" && apt-get download -q libomp5-19:arm64)
  dpkg-deb -x "$download"/libomp5-19_*_arm64.deb "$download/root"
  install -m 644 "$download/root/usr/lib/llvm-19/lib/libomp.so.5" "$arm64_openmp"
fi
