//===- Checks.h - what is checked before a model is imported ----*- C++ -*-===//
//
// ONNX's own checker, shape inference and version converter, and Quern's
// checks of what those let through. ONNX reports problems by throwing, so
// Checks.cpp is the one file of the importer that catches exceptions; each
// becomes a diagnostic.
//
//===----------------------------------------------------------------------===//

#ifndef QUERN_LIB_IMPORT_ONNX_CHECKS_H
#define QUERN_LIB_IMPORT_ONNX_CHECKS_H

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Location.h"
#include "mlir/Support/LogicalResult.h"
#include "llvm/ADT/StringMap.h"

#include <onnx/onnx_pb.h>

namespace quern::onnx_import {

/// Runs ONNX's checker (external data is looked up relative to
/// `modelDirectory`); `model` is as it was when it returns.
mlir::LogicalResult checkModel(onnx::ModelProto &model,
                               llvm::StringRef modelDirectory,
                               mlir::Location loc);

/// Runs ONNX's shape inference with data propagation, which fills in the
/// model's value_info.
mlir::LogicalResult inferShapes(onnx::ModelProto &model, mlir::Location loc);

/// Converts `model` to opset `target` of the default domain with ONNX's
/// version converter.
mlir::LogicalResult convertOpset(onnx::ModelProto &model, int target,
                                 mlir::Location loc);

/// One input of a node as the importer knows it: its type and, for
/// constants, its value.
struct KnownInput {
  std::string name;
  mlir::RankedTensorType type;
  mlir::DenseElementsAttr value;
};

/// Runs ONNX's shape inference on `node` alone, with its inputs' types and
/// constant values, at `opset`: how result types are found when whole-model
/// inference could not see a value that import has since folded. Returns
/// the output types (entries without a shape when still unknown).
mlir::FailureOr<std::vector<onnx::TypeProto>>
inferNodeOutputTypes(const onnx::NodeProto &node,
                     llvm::ArrayRef<KnownInput> inputs, int opset,
                     mlir::Location loc);

/// Whether `domain` names the default ONNX domain.
bool isDefaultDomain(const std::string &domain);

/// The model's version of the default ONNX domain (Quern's newest if it
/// imports only other domains); refuses versions newer than Quern's.
mlir::FailureOr<int> declaredOpset(const onnx::ModelProto &model,
                                   mlir::Location loc);

/// One diagnostic listing every op type without an importer, with its count
/// and first node, at that node.
mlir::LogicalResult checkOpsSupported(const onnx::GraphProto &graph,
                                      const llvm::StringMap<int> &opsets,
                                      mlir::Location fileLoc);

/// ONNX 1.12's checker lets a graph output that nothing produces through,
/// and its version converter then crashes on it.
mlir::LogicalResult checkOutputsProduced(const onnx::GraphProto &graph,
                                         mlir::Location loc);

/// ONNX 1.12's shape inference indexes with some axis attributes unchecked
/// (LayerNormalization's, for one) and crashes on absurd values; no tensor
/// has anywhere near this many dimensions.
mlir::LogicalResult checkAxisAttributes(const onnx::GraphProto &graph,
                                        mlir::Location fileLoc);

} // namespace quern::onnx_import

#endif // QUERN_LIB_IMPORT_ONNX_CHECKS_H
