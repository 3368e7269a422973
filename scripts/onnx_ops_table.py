#!/usr/bin/env python3
"""The table of ONNX ops and opsets in docs/OnnxSupport.md, from
`quernc --print-onnx-ops`.

    onnx_ops_table.py --quernc QUERNC --write docs/OnnxSupport.md
    onnx_ops_table.py --quernc QUERNC --check docs/OnnxSupport.md

--write replaces the section between the two markers; --check exits 1 (and
prints a diff) if the section is not what --write would write. `make docs`
writes it; `make test` checks it.
"""
import argparse
import difflib
import subprocess
import sys

BEGIN = "<!-- ops: generated from quernc --print-onnx-ops by scripts/onnx_ops_table.py -->"
END = "<!-- end of ops -->"
# The default domain's opsets that quernc imports (lib/Import/ONNX/OpTable.h).
MIN_OPSET, MAX_OPSET = 13, 23


def table(quernc):
    out = subprocess.run([quernc, "--print-onnx-ops"], capture_output=True,
                         text=True, check=True).stdout
    lines = [BEGIN, "",
             "| op | schema versions | model opsets |", "|---|---|---|"]
    for line in out.splitlines():
        op, versions = line.split(None, 1)
        oldest = int(versions.split(",")[0])
        if "." in op:  # Another domain: its own version.
            opsets = f"{op.rsplit('.', 1)[0]} {versions}"
        else:
            first = max(oldest, MIN_OPSET)
            opsets = (f"{first}" if first == MAX_OPSET
                      else f"{first}–{MAX_OPSET}")
        lines.append(f"| {op} | {versions} | {opsets} |")
    lines += ["", END]
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quernc", required=True)
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument("--write", metavar="DOC")
    action.add_argument("--check", metavar="DOC")
    args = parser.parse_args()
    path = args.write or args.check
    with open(path) as f:
        text = f.read()
    if BEGIN not in text or END not in text:
        sys.exit(f"{path}: the markers of the ops table are missing")
    head, rest = text.split(BEGIN, 1)
    current = BEGIN + rest.split(END, 1)[0] + END
    tail = rest.split(END, 1)[1]
    wanted = table(args.quernc)
    if args.write:
        with open(path, "w") as f:
            f.write(head + wanted + tail)
        return 0
    if current != wanted:
        sys.stdout.writelines(difflib.unified_diff(
            current.splitlines(True), wanted.splitlines(True), path,
            "quernc --print-onnx-ops"))
        print(f"\n{path} is out of date: run make docs")
        return 1
    print("up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
