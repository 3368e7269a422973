#!/usr/bin/env python3
"""Runs lit over the given test suites and ends with one line,
`N passed, N failed, N skipped`, counting every lit test and every gtest
case (skipped: ONNX backend tests that use what Quern does not support).

usage: run-tests.py LIT_PY SUITE_DIR...
Exit status 0 only if nothing failed.
"""
import os
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET


def main():
    lit, suites = sys.argv[1], sys.argv[2:]
    with tempfile.TemporaryDirectory() as tmp:
        report = os.path.join(tmp, "results.xml")
        jobs = os.environ.get("QUERN_TEST_JOBS", str(os.cpu_count() or 2))
        status = subprocess.call(
            [sys.executable, lit, "-sv", "-j", jobs, "--xunit-xml-output", report]
            + suites
        )
        passed = failed = skipped = 0
        if os.path.exists(report):
            for case in ET.parse(report).getroot().iter("testcase"):
                if case.find("skipped") is not None:
                    skipped += 1
                    continue
                if case.find("failure") is not None or case.find("error") is not None:
                    failed += 1
                else:
                    passed += 1
    if status != 0 and failed == 0:
        failed = 1  # lit itself failed (e.g. a broken configuration)
    print(f"{passed} passed, {failed} failed, {skipped} skipped")
    return 0 if failed == 0 and passed > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
