#!/usr/bin/env python3
"""Interrupts a training run the way Ctrl-C does.

    interrupt.py LOG.csv -- quern-train ... --log LOG.csv ...

Starts the command, waits until LOG.csv holds a row (the first step is
done), sends SIGINT and waits for the command to exit. Prints its exit
status and its standard output and error. Gives up after 60 seconds of
either wait, killing the command, so that a hung run fails the test instead
of hanging it.
"""
import os
import signal
import subprocess
import sys
import tempfile
import time

TIMEOUT = 60


def has_row(path):
    try:
        with open(path) as f:
            return len(f.readlines()) >= 2
    except FileNotFoundError:
        return False


def main():
    log, separator, command = sys.argv[1], sys.argv[2], sys.argv[3:]
    assert separator == "--" and command, __doc__
    if os.path.exists(log):
        os.remove(log)
    with tempfile.TemporaryFile() as output:
        process = subprocess.Popen(command, stdout=output,
                                   stderr=subprocess.STDOUT)
        deadline = time.monotonic() + TIMEOUT
        while not has_row(log) and process.poll() is None:
            if time.monotonic() > deadline:
                process.kill()
                print(f"no row in {log} after {TIMEOUT} s")
                sys.exit(1)
            time.sleep(0.02)
        process.send_signal(signal.SIGINT)
        try:
            status = process.wait(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            print(f"still running {TIMEOUT} s after SIGINT")
            sys.exit(1)
        output.seek(0)
        print(f"exit {status}")
        sys.stdout.write(output.read().decode(errors="replace"))


if __name__ == "__main__":
    main()
