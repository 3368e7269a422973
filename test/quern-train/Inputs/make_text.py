#!/usr/bin/env python3
"""Writes a text file for quern-train tests.

    make_text.py OUT --kind sums|cycle [--bytes N] [--byte VALUE]

sums:  lines "a+b=c" of random small numbers (seed 0). Every byte is below
       64, the vocabulary of the GPT-2 test model.
cycle: "0123456789" repeated, which a bigram model learns exactly.
byte:  N copies of one byte value (for out-of-vocabulary checks).
"""
import argparse
import random


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out")
    parser.add_argument("--kind", choices=["sums", "cycle", "byte"],
                        required=True)
    parser.add_argument("--bytes", type=int, default=20000)
    parser.add_argument("--byte", type=int, default=0)
    args = parser.parse_args()

    if args.kind == "sums":
        rng = random.Random(0)
        text = ""
        while len(text) < args.bytes:
            a, b = rng.randrange(100), rng.randrange(100)
            text += f"{a}+{b}={a + b}\n"
        data = text[:args.bytes].encode()
    elif args.kind == "cycle":
        data = ("0123456789" * (args.bytes // 10 + 1))[:args.bytes].encode()
    else:
        data = bytes([args.byte]) * args.bytes
    with open(args.out, "wb") as f:
        f.write(data)


if __name__ == "__main__":
    main()
