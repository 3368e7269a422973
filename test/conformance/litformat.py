"""The lit test format that makes every ONNX backend test one lit test.

It lives in a module of its own because lit pickles test formats to send
them to its worker processes.
"""
import os

import lit.Test
import lit.formats

import harness

ONNX_TEST_DATA = "/usr/share/libonnx-testdata/data"
GROUPS = ("node", "pytorch-converted", "pytorch-operator")


def backend_tests():
    """(group, name, folder) of every backend test Debian ships."""
    for group in GROUPS:
        folder = os.path.join(ONNX_TEST_DATA, group)
        if not os.path.isdir(folder):
            continue
        for name in sorted(os.listdir(folder)):
            if os.path.exists(os.path.join(folder, name, "model.onnx")):
                yield group, name, os.path.join(folder, name)


class OnnxBackendTests(lit.formats.base.TestFormat):
    def __init__(self, build_dir):
        self.build_dir = build_dir

    def getTestsInDirectory(self, testSuite, path_in_suite, litConfig,
                            localConfig):
        if path_in_suite[-1:] != ("conformance",):
            return
        for group, name, _ in backend_tests():
            yield lit.Test.Test(testSuite, path_in_suite + (group, name),
                                localConfig)

    def execute(self, test, litConfig):
        group, name = test.path_in_suite[-2:]
        status, message = harness.run(
            os.path.join(ONNX_TEST_DATA, group, name),
            os.path.join(self.build_dir, "test", "conformance", group, name),
            self.build_dir)
        code = {"PASS": lit.Test.PASS, "FAIL": lit.Test.FAIL,
                "UNSUPPORTED": lit.Test.UNSUPPORTED}[status]
        return lit.Test.Result(code, message)
