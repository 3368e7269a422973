#!/usr/bin/env python3
"""Interrupts quernc while it compiles into a folder it created, and checks
that nothing is left behind: neither the folder nor a temporary file.

    interrupt_quernc.py QUERNC MODEL.onnx OUT_DIR SIGNAL [quernc flags...]

OUT_DIR must not exist; quernc is run with -o OUT_DIR/model. Prints what it
saw and OK, or the problem and exits 1.
"""
import os
import signal
import subprocess
import sys
import time


def main():
    quernc, model, out_dir, name = sys.argv[1:5]
    flags = sys.argv[5:]
    if os.path.exists(out_dir):
        sys.exit(f"{out_dir} exists")
    # quernc keeps a SIGINT its parent ignores ignored, as a background job
    # of a shell gets it: the test restores the default first.
    process = subprocess.Popen([quernc, model, "-o", out_dir + "/model"] + flags,
                               stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL,
                               preexec_fn=lambda: signal.signal(
                                   signal.SIGINT, signal.SIG_DFL))
    deadline = time.monotonic() + 60
    while not os.path.isdir(out_dir):
        if process.poll() is not None or time.monotonic() > deadline:
            print(f"FAIL: quernc ended ({process.returncode}) before creating {out_dir}")
            return 1
        time.sleep(0.001)
    process.send_signal(getattr(signal, name))
    status = process.wait(timeout=60)
    if status == 0:
        print("FAIL: quernc finished before the signal arrived")
        return 1
    left = os.listdir(out_dir) if os.path.exists(out_dir) else None
    if left is not None:
        print(f"FAIL: {out_dir} left behind, holding {sorted(left)}")
        return 1
    print(f"{name}: exit {status}, nothing left behind: OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
