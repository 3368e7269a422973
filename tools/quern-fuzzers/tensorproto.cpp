//===- tensorproto.cpp - libFuzzer target for quern-train's .pb reader ----===//
//
// This file is part of Quern.
//
//===----------------------------------------------------------------------===//
//
// Feeds arbitrary bytes to quern-train as a --data .pb file (one serialized
// onnx.TensorProto). Any input may be refused with one message; none may crash,
// hang or allocate what the file does not hold. An array the reader accepts has
// as many bytes as its shape and dtype say.
//
//===----------------------------------------------------------------------===//

#include "TensorProto.h"
#include "ArrayReader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  return quern::fuzz::fuzzArrayReader(quern::train::readTensorProto, data,
                                      size);
}
