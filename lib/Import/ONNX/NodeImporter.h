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

#include "quern/Import/ONNX.h"

#include <onnx/onnx_pb.h>

namespace quern::onnx_import {

class TensorReader;

/// The location of a node: its name and the file, fused, with the op type
/// as metadata. Unnamed nodes are named by their position in the graph.
mlir::Location nodeLocation(const onnx::NodeProto &node, int index,
                            mlir::Location fileLoc);

/// Values of the graph by ONNX name, with the ONNX-inferred type of each
/// name that shape inference could type.
struct GraphValues {
  llvm::StringMap<mlir::Value> values;
  llvm::StringMap<const onnx::TypeProto *> types;
};

class NodeImporter {
public:
  NodeImporter(const onnx::NodeProto &node, int version, int opset,
               mlir::Location loc, mlir::OpBuilder &builder, GraphValues &graph,
               TensorReader &reader, const OnnxImportOptions &options)
      : node(node), version(version), opset(opset), loc(loc), builder(builder),
        reader(reader), options(options), graph(graph) {}

  const onnx::NodeProto &node;
  /// The version of the op's schema the model uses (from the opset table).
  const int version;
  /// The model's opset of the default domain.
  const int opset;
  const mlir::Location loc;
  mlir::OpBuilder &builder;
  /// Reads tensors held in attributes (Constant's value).
  TensorReader &reader;
  /// The limits of what import may build (maxFoldedElements, ...).
  const OnnxImportOptions &options;

  /// Builds an op, folding it at once when its operands are constants, so
  /// shape computations become constants during import.
  template <typename Op, typename... Args>
  mlir::Value build(mlir::Type resultType, Args &&...args) {
    return builder.createOrFold<Op>(loc, resultType,
                                    std::forward<Args>(args)...);
  }

  /// Whether input `index` is given (ONNX marks omitted optional inputs with
  /// an empty name).
  bool hasInput(int index) const {
    return index < node.input_size() && !node.input(index).empty();
  }
  mlir::Value input(int index) const;
  /// The value of the graph named `name` so far (null if none is yet).
  mlir::Value valueNamed(llvm::StringRef name) const {
    return graph.values.lookup(name);
  }
  mlir::RankedTensorType inputType(int index) const;
  /// The value of input `index`, which must be a compile-time constant;
  /// `reason` says why in the error.
  mlir::FailureOr<mlir::DenseElementsAttr>
  constantInput(int index, llvm::StringRef reason = kDecidesShape);
  /// A constant input holding integers (axes, shapes) as int64 values.
  mlir::FailureOr<llvm::SmallVector<int64_t>>
  constantIntsInput(int index, llvm::StringRef reason = kDecidesShape);
  static constexpr llvm::StringLiteral kDecidesShape =
      "it decides a shape, and shapes are static";

  /// Output `index`'s type from ONNX shape inference; if the whole-model
  /// inference left it open (it cannot see through values that import has
  /// folded since), from inference on this node alone with its inputs' now
  /// known types and values. An error if still unknown or not static.
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

  /// `value` broadcast (numpy rules) to `shape`; no op if it has it.
  mlir::Value broadcastTo(mlir::Value value, llvm::ArrayRef<int64_t> shape);
  mlir::Value broadcastTo(mlir::Value value, mlir::RankedTensorType type) {
    return broadcastTo(value, type.getShape());
  }
  /// Broadcasts `operands` to their common shape (numpy rules); `type`
  /// gets the broadcast type with the first operand's element type.
  mlir::FailureOr<llvm::SmallVector<mlir::Value>>
  broadcastAll(mlir::ValueRange operands, mlir::RankedTensorType &type);
  /// Elementwise `Op` of `lhs` and `rhs` broadcast against each other; for
  /// operands the importer made, whose shapes are known to broadcast.
  template <typename Op> mlir::Value combine(mlir::Value lhs, mlir::Value rhs) {
    mlir::RankedTensorType type;
    llvm::SmallVector<mlir::Value> operands = *broadcastAll({lhs, rhs}, type);
    return build<Op>(type, operands[0], operands[1]);
  }
  /// Elementwise `Op` of `value` and a constant of its type.
  template <typename Op>
  mlir::Value withConstant(mlir::Value value, double constant) {
    auto type = mlir::cast<mlir::RankedTensorType>(value.getType());
    return build<Op>(type, value, splatConstant(type, constant));
  }
  /// `value` with `extent` elements taken along `axis` (negative: from the
  /// end) from `offset` on, every `stride`-th (negative: backwards).
  mlir::Value window(mlir::Value value, int64_t axis, int64_t offset,
                     int64_t extent, int64_t stride = 1);
  /// `value` with each element along `axis` repeated `times` times in a row
  /// (numpy's repeat): [a, b] -> [a, a, b, b].
  mlir::Value repeatEach(mlir::Value value, int64_t axis, int64_t times);
  /// GELU of a float tensor: 0.5 x (1 + erf(x / sqrt 2)), or with `tanh`
  /// 0.5 x (1 + tanh(sqrt(2 / pi) (x + 0.044715 x^3))).
  mlir::Value gelu(mlir::Value x, bool tanh);
  /// A rank-0 constant of `elementType`, which broadcasts against anything.
  mlir::Value scalar(mlir::Type elementType, double value) {
    return splatConstant(mlir::RankedTensorType::get({}, elementType), value);
  }
  /// `value` converted to element type `elementType` (no op if it has it).
  mlir::Value castTo(mlir::Value value, mlir::Type elementType);
  /// `value` reshaped to `type`; no op if it has that type.
  mlir::Value reshapeTo(mlir::Value value, mlir::RankedTensorType type);
  /// A splat constant of `type` (float, or integer from the truncated value).
  mlir::Value splatConstant(mlir::RankedTensorType type, double value);

  /// Fails with "supports X tensors only" unless `type`'s element type is
  /// accepted by `accepts`.
  mlir::LogicalResult
  requireElementType(mlir::Type type,
                     llvm::function_ref<bool(mlir::Type)> accepts,
                     llvm::StringRef what);
  mlir::LogicalResult requireFloat(mlir::Type type) {
    return requireElementType(
        type, [](mlir::Type t) { return mlir::isa<mlir::FloatType>(t); },
        "float");
  }

  /// An error at this node; the message should not repeat the node's name.
  mlir::InFlightDiagnostic emitError() const { return mlir::emitError(loc); }

private:
  mlir::FailureOr<mlir::RankedTensorType> inferAlone(int index);

  GraphValues &graph;
};

/// Imports one node; the table below picks it by op type and version.
using OpImporter = mlir::LogicalResult (*)(NodeImporter &);

} // namespace quern::onnx_import

#endif // QUERN_LIB_IMPORT_ONNX_NODEIMPORTER_H
