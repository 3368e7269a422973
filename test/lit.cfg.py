# lit configuration of Quern's test suite.
import os

import lit.formats

config.name = "Quern"
config.test_format = lit.formats.ShTest(execute_external=False)
config.suffixes = [".mlir", ".onnxtxt", ".test"]
config.excludes = ["Inputs", "tools", "unit", "lit.cfg.py", "lit.site.cfg.py",
                   "mlp_ce", "gpt2", "gpt2_lora", "moe", "moe_one_hot", "moe_equal", "moe_balanced", "moe_skewed",
                   "moe_ties",
                   "moe_swiglu", "llama18"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.quern_obj_root, "test")

config.environment["PATH"] = os.pathsep.join(
    [config.quern_tools_dir, config.llvm_tools_dir, config.environment["PATH"]]
)
# The Python package as the build lays it out (make python installs it).
config.environment["PYTHONPATH"] = os.path.join(config.quern_obj_root, "python")
# Models compiled by tests run with one thread so results are reproducible.
config.environment["OMP_NUM_THREADS"] = "1"

python = config.python_executable
tools = os.path.join(config.quern_src_root, "test", "tools")
runtime = os.path.join(config.quern_src_root, "runtime")
config.substitutions.extend(
    [
        ("%python", python),
        ("%onnx_from_text", f"{python} {tools}/onnx_from_text.py"),
        ("%quern_src", config.quern_src_root),
        ("%quern_lib", config.quern_lib_dir),
        ("%quern_build", config.quern_obj_root),
        ("%rt_include", os.path.join(runtime, "include")),
        ("%cc", f"{config.c_compiler} -std=c11 -Wall -Werror -ffp-contract=off"),
        # Open MPI's launcher, for data-parallel runs on this one machine:
        # more processes than cores, as root too (CI runs as root), each on
        # one OpenMP thread.
        ("%mpirun", "mpirun --allow-run-as-root --oversubscribe -x OMP_NUM_THREADS=1"),
    ]
)
