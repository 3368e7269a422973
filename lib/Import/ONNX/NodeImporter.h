//===- NodeImporter.h - what an op importer sees of its node ----*- C++ -*-===//
//
// Each ONNX op family has its own file of importers; they all work through
// this class: inputs as MLIR values, attributes with their ONNX defaults,
// result types from ONNX shape inference, and diagnostics that name the node.
//
//===----------------------------------------------------------------------===//

#ifndef QUERN_LIB_IMPORT_ONNX_NODEIMPORTER_H
#define QUERN_LIB_IMPORT_ONNX_NODEIMPORTER_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/StringMap.h"

#include <onnx/onnx_pb.h>

namespace quern::onnx_import {

/// Values of the graph by ONNX name, with the ONNX-inferred type of each
/// name that shape inference could type.
struct GraphValues {
  llvm::StringMap<mlir::Value> values;
  llvm::StringMap<const onnx::TypeProto *> types;
};

class NodeImporter {
public:
  NodeImporter(const onnx::NodeProto &node, int version, mlir::Location loc,
               mlir::OpBuilder &builder, GraphValues &graph)
      : node(node), version(version), loc(loc), builder(builder),
        graph(graph) {}

  const onnx::NodeProto &node;
  /// The version of the op's schema the model uses (from the opset table).
  const int version;
  const mlir::Location loc;
  mlir::OpBuilder &builder;

  /// Whether input `index` is given (ONNX marks omitted optional inputs with
  /// an empty name).
  bool hasInput(int index) const {
    return index < node.input_size() && !node.input(index).empty();
  }
  mlir::Value input(int index) const;
  mlir::RankedTensorType inputType(int index) const;
  /// The value of input `index`, which must be a compile-time constant.
  mlir::FailureOr<mlir::DenseElementsAttr> constantInput(int index);
  /// A constant input holding integers (axes, shapes) as int64 values.
  mlir::FailureOr<llvm::SmallVector<int64_t>> constantIntsInput(int index);

  /// Output `index`'s type from ONNX shape inference; an error if unknown or
  /// not static.
  mlir::FailureOr<mlir::RankedTensorType> resultType(int index);
  void setResult(int index, mlir::Value value);

  const onnx::AttributeProto *attribute(llvm::StringRef name) const;
  int64_t intAttribute(llvm::StringRef name, int64_t defaultValue) const;
  float floatAttribute(llvm::StringRef name, float defaultValue) const;
  /// An INTS attribute, or std::nullopt if the node does not have it.
  std::optional<llvm::SmallVector<int64_t>>
  intsAttribute(llvm::StringRef name) const;

  /// Turns a possibly negative ONNX axis into one in [0, rank).
  mlir::FailureOr<int64_t> normalizeAxis(int64_t axis, int64_t rank);
  /// Normalizes, sorts and checks a list of axes.
  mlir::FailureOr<llvm::SmallVector<int64_t>>
  normalizeAxes(llvm::ArrayRef<int64_t> axes, int64_t rank);

  /// `value` broadcast (numpy rules) to `type`'s shape; no op if it has it.
  mlir::Value broadcastTo(mlir::Value value, mlir::RankedTensorType type);
  /// `value` reshaped to `type`; no op if it has that type.
  mlir::Value reshapeTo(mlir::Value value, mlir::RankedTensorType type);
  /// A splat float constant of `type`.
  mlir::Value splatConstant(mlir::RankedTensorType type, double value);

  /// An error at this node; the message should not repeat the node's name.
  mlir::InFlightDiagnostic emitError() const { return mlir::emitError(loc); }

private:
  GraphValues &graph;
};

/// Imports one node; the table below picks it by op type and version.
using OpImporter = mlir::LogicalResult (*)(NodeImporter &);

} // namespace quern::onnx_import

#endif // QUERN_LIB_IMPORT_ONNX_NODEIMPORTER_H
