"""The lit test format that makes every ONNX backend test one lit test.

It lives in a module of its own because lit pickles test formats to send
them to its worker processes.
"""
import os

import lit.Test
import lit.formats

import harness

class OnnxBackendTests(lit.formats.base.TestFormat):
    def __init__(self, build_dir):
        self.build_dir = build_dir

    def getTestsInDirectory(self, testSuite, path_in_suite, litConfig,
                            localConfig):
        if path_in_suite[-1:] != ("conformance",):
            return
        for group in harness.missing_groups():
            yield lit.Test.Test(testSuite, path_in_suite + (group,),
                                localConfig)
        for group, name, _ in harness.backend_tests():
            yield lit.Test.Test(testSuite, path_in_suite + (group, name),
                                localConfig)

    def execute(self, test, litConfig):
        if test.path_in_suite[-1] in harness.missing_groups():
            return lit.Test.Result(lit.Test.FAIL, harness.MISSING_MESSAGE)
        group, name = test.path_in_suite[-2:]
        status, message = harness.run(
            os.path.join(harness.ONNX_TEST_DATA, group, name),
            os.path.join(self.build_dir, "test", "conformance", group, name),
            self.build_dir)
        code = {"PASS": lit.Test.PASS, "FAIL": lit.Test.FAIL,
                "UNSUPPORTED": lit.Test.UNSUPPORTED}[status]
        return lit.Test.Result(code, message)
