#!/usr/bin/env bash
# Formats Quern's C and C++ sources with clang-format-19 (.clang-format), or
# with --check lists the files that are not formatted and fails.
#
#   scripts/format.sh [--check] [SOURCE_DIR]
set -euo pipefail

check=0
if [[ "${1:-}" == --check ]]; then
  check=1
  shift
fi
root=${1:-$(cd "$(dirname "$0")/.." && pwd)}
cd "$root"

clang_format=$(command -v clang-format-19 || true)
if [[ -z "$clang_format" ]]; then
  echo "format: clang-format-19 is missing (scripts/install-deps.sh installs it)" >&2
  exit 1
fi

mapfile -t files < <(find dialects include lib passes runtime tools test/unit \
  examples bench -type f \( -name '*.cpp' -o -name '*.h' -o -name '*.c' \) | sort)

if [[ $check -eq 0 ]]; then
  "$clang_format" -i "${files[@]}"
  exit 0
fi
unformatted=()
for file in "${files[@]}"; do
  if ! "$clang_format" --dry-run -Werror "$file" > /dev/null 2>&1; then
    unformatted+=("$file")
  fi
done
if [[ ${#unformatted[@]} -gt 0 ]]; then
  echo "format: ${#unformatted[@]} of ${#files[@]} files are not formatted (make format fixes them):"
  printf '  %s\n' "${unformatted[@]}"
  exit 1
fi
echo "format: ${#files[@]} files formatted"
