# Quern: make demo | make test | make bench
#
# Each target installs missing Debian packages (scripts/install-deps.sh),
# configures once with clang-19 + lld + ninja, and builds incrementally.

BUILD ?= build
CMAKE_FLAGS ?=

.PHONY: all deps configure build test check conformance demo qlora llama-qlora bench docs fuzz format clean python

all: build

deps:
	@scripts/install-deps.sh build

$(BUILD)/build.ninja: | deps
	cmake -G Ninja -S . -B $(BUILD) \
	  -DCMAKE_BUILD_TYPE=Release \
	  -DCMAKE_C_COMPILER=clang-19 -DCMAKE_CXX_COMPILER=clang++-19 \
	  -DLLVM_USE_LINKER=lld $(CMAKE_FLAGS)

configure: $(BUILD)/build.ninja

build: deps configure
	ninja -C $(BUILD)

# Ends with one line: N passed, N failed (every lit test and gtest case).
test: build
	@ninja -C $(BUILD) check-quern

check: test

# The ONNX backend tests alone (they also run in `make test`): prints each
# result, writes build/conformance/report.json, regenerates the conformance
# table of docs/OnnxSupport.md.
conformance: build
	@/usr/bin/python3 test/conformance/run_conformance.py --build $(BUILD)

demo: build
	@scripts/demo.sh $(BUILD)

# `import quern` in /usr/bin/python3 anywhere: a .pth file in its
# site-packages folder names this build's package folder (build/python).
python: build
	@site=$$(/usr/bin/python3 -c 'import site; print(site.getsitepackages()[0])') && \
	  mkdir -p "$$site" && echo "$(abspath $(BUILD))/python" > "$$site/quern.pth" && \
	  echo "quern: $$site/quern.pth -> $(abspath $(BUILD))/python"

# QLoRA fine-tuning of a small pretrained GPT: examples/qlora/README.md.
qlora: build
	@examples/qlora/run.sh $(BUILD)

# QLoRA fine-tuning of a 1.1-billion-parameter Llama-style model on this
# CPU: docs/Tutorial-QLoRA.md (the export takes about 3 minutes once).
llama-qlora: build
	@examples/llama-qlora/run.sh $(BUILD)

# GEMM against OpenBLAS, training, MoE and QLoRA steps against PyTorch
# eager, the NF4 product against Halide, the MLP forward pass and import
# memory: bench/results/*.json and
# docs/Performance.md. BENCH_FLAGS is passed on to bench/run.py, e.g.
# BENCH_FLAGS="--only gemm,train" or "--quick" (a smoke run, results in $TMPDIR).
BENCH_FLAGS ?=
bench: build
	@scripts/install-deps.sh bench
	@/usr/bin/python3 bench/run.py --build $(BUILD) $(BENCH_FLAGS)

# Fuzzes every reader of untrusted bytes (the ONNX importer, state files,
# the manifest, quern-train's .npy and .pb readers) with libFuzzer + ASan +
# UBSan, in a build of its own (build-fuzz), all at once for FUZZ_SECONDS
# each, from seed corpora of the repository's files. FUZZ_TARGETS chooses
# among them, e.g. FUZZ_TARGETS="npy manifest".
FUZZ_SECONDS ?= 600
FUZZ_TARGETS ?= onnx safetensors manifest npy tensorproto
fuzz: deps
	@scripts/install-deps.sh fuzz
	@test -f build-fuzz/build.ninja || cmake -G Ninja -S . -B build-fuzz \
	  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DQUERN_FUZZ=ON \
	  -DCMAKE_C_COMPILER=clang-19 -DCMAKE_CXX_COMPILER=clang++-19 \
	  -DLLVM_USE_LINKER=lld
	ninja -C build-fuzz $(patsubst %,quern-%-fuzzer,$(FUZZ_TARGETS))
	@scripts/fuzz.sh build-fuzz $(FUZZ_SECONDS) $(FUZZ_TARGETS)

# Regenerates the dialect and pass reference in docs/ from the TableGen
# sources.
docs: configure
	ninja -C $(BUILD) quern-docs

# Formats the C and C++ sources with clang-format-19 (make test checks it).
format: deps
	@scripts/format.sh

clean:
	rm -rf $(BUILD)
