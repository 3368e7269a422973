//===- Checks.cpp - ONNX's own checker and shape inference ------*- C++ -*-===//
//
// ONNX reports problems by throwing, so this is the one file of the importer
// that catches exceptions; each becomes a diagnostic.
//
//===----------------------------------------------------------------------===//

#include "Checks.h"

#include "mlir/IR/Diagnostics.h"

#include <onnx/checker.h>
#include <onnx/shape_inference/implementation.h>

using namespace mlir;

/// ONNX's messages append multi-line context; the first line says it.
static llvm::StringRef firstLine(const char *message) {
  return llvm::StringRef(message).split('\n').first.trim();
}

LogicalResult quern::onnx_import::checkModel(onnx::ModelProto &model,
                                             Location loc) {
  try {
    onnx::checker::check_model(model);
  } catch (const std::exception &error) {
    return emitError(loc) << "invalid ONNX model: " << firstLine(error.what());
  }
  try {
    onnx::ShapeInferenceOptions options(/*check_type=*/true,
                                        /*error_mode=*/1,
                                        /*enable_data_propagation=*/true);
    onnx::shape_inference::InferShapes(
        model, onnx::OpSchemaRegistry::Instance(), options);
  } catch (const std::exception &error) {
    return emitError(loc) << "ONNX shape inference failed: "
                          << firstLine(error.what());
  }
  return success();
}
