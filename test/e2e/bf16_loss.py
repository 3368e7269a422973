"""Prints the relative difference of the mean loss over the last 10 steps of
two quern-train loss logs (fp32, bf16)."""
import csv
import sys


def tail_mean(path):
    losses = [float(row["loss"]) for row in csv.DictReader(open(path))]
    return sum(losses[-10:]) / 10


fp32, bf16 = tail_mean(sys.argv[1]), tail_mean(sys.argv[2])
print(f"fp32 {fp32:.4f} bf16 {bf16:.4f} "
      f"relative difference {abs(bf16 - fp32) / fp32:.4f}")
