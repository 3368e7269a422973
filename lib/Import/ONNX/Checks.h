//===- Checks.h - ONNX's own checker and shape inference --------*- C++ -*-===//

#ifndef QUERN_LIB_IMPORT_ONNX_CHECKS_H
#define QUERN_LIB_IMPORT_ONNX_CHECKS_H

#include "mlir/IR/Location.h"
#include "mlir/Support/LogicalResult.h"

#include <onnx/onnx_pb.h>

namespace quern::onnx_import {

/// Runs ONNX's checker, then ONNX's shape inference (with data propagation,
/// so shapes computed by Shape/Gather/Concat chains become known), which
/// fills in the model's value_info.
mlir::LogicalResult checkModel(onnx::ModelProto &model, mlir::Location loc);

} // namespace quern::onnx_import

#endif // QUERN_LIB_IMPORT_ONNX_CHECKS_H
