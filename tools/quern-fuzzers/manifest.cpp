//===- manifest.cpp - libFuzzer target for the manifest parser --*- C++ -*-===//
//
// This file is part of Quern.
//
//===----------------------------------------------------------------------===//
//
// Feeds arbitrary bytes to the manifest parser (and so to the runtime's JSON
// parser, which also reads safetensors headers). Any input may be refused;
// none may crash or hang. A manifest the parser accepts must keep what it
// promises: state tensors inside the state buffer, without overlap.
//
//===----------------------------------------------------------------------===//

#include "Manifest.h"

#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  quern::rt::Manifest manifest;
  std::string error;
  if (!quern::rt::parseManifest(
          std::string_view(reinterpret_cast<const char *>(data), size),
          manifest, error))
    return 0;
  size_t end = 0;
  for (const quern::rt::StateTensorSpec &tensor : manifest.stateTensors) {
    if (tensor.offset < end || tensor.offset % quern::rt::kStateAlignment ||
        tensor.bytes > manifest.stateBytes ||
        tensor.offset > manifest.stateBytes - tensor.bytes)
      std::abort();
    if (tensor.bytes)
      end = tensor.offset + tensor.bytes;
  }
  return 0;
}
