//===- InputShape.cpp - parsing NAME=DIMS and NAME=FILE ---------*- C++ -*-===//

#include "quern/Import/ONNX.h"

bool quern::parseInputShape(llvm::StringRef spec, OnnxImportOptions &options,
                            std::string &error) {
  auto [name, dims] = spec.split('=');
  if (name.empty() || dims.empty()) {
    error = "expected NAME=DIMS (e.g. x=4x64), got '" + spec.str() + "'";
    return false;
  }
  std::vector<int64_t> shape;
  // "1" or "4x64": extents separated by x.
  llvm::SmallVector<llvm::StringRef> parts;
  dims.split(parts, 'x');
  for (llvm::StringRef part : parts) {
    int64_t size;
    if (part.getAsInteger(10, size) || size < 0) {
      error = "'" + part.str() + "' in '" + spec.str() +
              "' is not a dimension (a non-negative integer)";
      return false;
    }
    shape.push_back(size);
  }
  if (!options.inputShapes.try_emplace(name, std::move(shape)).second) {
    error = "the shape of '" + name.str() + "' is given twice";
    return false;
  }
  return true;
}

bool quern::parseInputValue(llvm::StringRef spec, OnnxImportOptions &options,
                            std::string &error) {
  auto [name, path] = spec.split('=');
  if (name.empty() || path.empty()) {
    error = "expected NAME=FILE.pb, got '" + spec.str() + "'";
    return false;
  }
  if (!options.inputValues.try_emplace(name, path.str()).second) {
    error = "the value of '" + name.str() + "' is given twice";
    return false;
  }
  return true;
}
