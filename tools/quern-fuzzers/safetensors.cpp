//===- safetensors.cpp - libFuzzer target for state files -------*- C++ -*-===//
//
// This file is part of Quern.
//
//===----------------------------------------------------------------------===//
//
// Feeds arbitrary bytes to the runtime as a state file (initial state or a
// checkpoint) of a small model: the safetensors reader validates the file and
// loadState checks it against the model's manifest and copies it into the
// state buffer. Any input may be refused; none may crash, hang, read outside
// the file or write outside the buffer. A file the reader accepts must hold
// its tensors inside the file: every byte of every tensor is read.
//
//===----------------------------------------------------------------------===//

#include "quern/SafeTensors.h"
#include "FuzzFile.h"
#include "Manifest.h"
#include "State.h"

#include <vector>

// Three state tensors of three dtypes, one of them a scalar, as quernc lays
// them out (64-byte aligned offsets).
static const char kManifest[] = R"({
  "format": "quern-manifest", "version": 2, "name": "fuzz",
  "target": {"triple": "x86_64-pc-linux-gnu", "cpu": "", "features": ""},
  "entry_points": {"forward": {"symbol": "fuzz_forward",
    "inputs": [{"name": "x", "dtype": "f32", "shape": [3]}],
    "outputs": [{"name": "y", "dtype": "f32", "shape": [2]}]}},
  "state": {"bytes": 192, "tensors": [
    {"name": "w", "dtype": "f32", "shape": [2, 3], "role": "param",
     "offset": 0, "bytes": 24},
    {"name": "b", "dtype": "bf16", "shape": [4], "role": "frozen",
     "offset": 64, "bytes": 8},
    {"name": "step", "dtype": "i64", "shape": [], "role": "optimizer",
     "offset": 128, "bytes": 8}]},
  "workspace_bytes": 0})";

static const quern::rt::Manifest &manifest() {
  static const quern::rt::Manifest parsed = [] {
    quern::rt::Manifest out;
    std::string error;
    if (!quern::rt::parseManifest(kManifest, out, error))
      std::abort();
    return out;
  }();
  return parsed;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const std::string &path = quern::fuzz::fuzzFile(data, size);
  std::string error;

  quern::rt::SafeTensorsFile file;
  if (file.open(path, error)) {
    unsigned sum = 0;
    for (const auto &entry : file.tensors()) {
      const auto *bytes = static_cast<const uint8_t *>(entry.second.data);
      for (size_t i = 0; i < entry.second.bytes; ++i)
        sum += bytes[i];
    }
    // Keeps the reads from being optimized away.
    if (sum == 0xffffffffu)
      std::abort();
  }
  file.close();

  std::vector<uint8_t> state(manifest().stateBytes);
  quern::rt::loadState(manifest(), path, state.data(), error);
  return 0;
}
