//===- ONNX.h - ONNX model importer -----------------------------*- C++ -*-===//
//
// Turns an ONNX model into a module with one `func.func @forward` of quern
// ops. Graph inputs become the leading arguments; float initializers become
// parameter arguments (`quern.param`), whose initial values the importer
// hands back as bytes for the state file; other initializers become
// constants. Every op's location names its ONNX node and op type.
//
//===----------------------------------------------------------------------===//

#ifndef QUERN_IMPORT_ONNX_H
#define QUERN_IMPORT_ONNX_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/MemoryBufferRef.h"

#include <memory>
#include <string>
#include <vector>

namespace quern {

struct OnnxImportOptions {
  /// Shapes that replace those of graph inputs, by input name; this is how
  /// dynamic dimensions are fixed (`--input-shape NAME=DIMS`).
  llvm::StringMap<std::vector<int64_t>> inputShapes;
  /// Graph inputs fixed to a value at compile time, by input name: the path
  /// of an ONNX TensorProto file (`--input-value NAME=FILE.pb`). Inputs that
  /// decide shapes (Reshape's shape, Slice's bounds) must be known when
  /// shapes are static; the input then becomes a constant.
  llvm::StringMap<std::string> inputValues;
  /// Limits on what a model can make the importer build, so that a model of
  /// a few hundred bytes cannot exhaust memory: bytes of one tensor,
  /// elements of a constant computed at import (Range), and bytes of all
  /// parameters together. Each has a quernc flag that raises it.
  uint64_t maxTensorBytes = uint64_t(1) << 34;
  uint64_t maxFoldedElements = uint64_t(1) << 26;
  uint64_t maxStateBytes = uint64_t(1) << 36;
};

/// The bytes of a tensor of `type` (saturating: an absurd shape does not
/// wrap around to a small number).
uint64_t tensorByteSize(mlir::RankedTensorType type);

/// The initial value of one parameter, in the order of the parameter
/// arguments of `@forward`.
struct ParameterValue {
  std::string name;
  llvm::ArrayRef<char> bytes;
};

struct ImportedModel {
  mlir::OwningOpRef<mlir::ModuleOp> module;
  std::vector<ParameterValue> parameters;
  /// Owns the bytes that `parameters` point to (the parsed model, so large
  /// weights are not copied).
  std::shared_ptr<const void> storage;
};

/// Imports the ONNX model in `buffer`; `path` names it in diagnostics.
/// Emits diagnostics and returns failure on bad input.
mlir::FailureOr<ImportedModel>
importOnnxModel(llvm::MemoryBufferRef buffer, mlir::MLIRContext &context,
                const OnnxImportOptions &options);

/// Reads and imports the ONNX file at `path`.
mlir::FailureOr<ImportedModel> importOnnxFile(llvm::StringRef path,
                                              mlir::MLIRContext &context,
                                              const OnnxImportOptions &options);

/// Adds the shape given as `NAME=DIMS` (`x=4x64`) to `options`; on a
/// malformed spec, returns false and says why in `error`.
bool parseInputShape(llvm::StringRef spec, OnnxImportOptions &options,
                     std::string &error);

/// Adds the binding given as `NAME=FILE.pb` to `options`; on a malformed
/// spec, returns false and says why in `error`.
bool parseInputValue(llvm::StringRef spec, OnnxImportOptions &options,
                     std::string &error);

/// Every ONNX op type the importer handles with the schema versions it
/// implements, sorted by op type.
std::vector<std::pair<std::string, std::vector<int>>> supportedOnnxOps();

/// Formats a diagnostic about an imported model on one line,
/// `SEVERITY: FILE: node 'NAME' (OP): MESSAGE`, leaving out what its location
/// lacks.
std::string formatOnnxDiagnostic(const mlir::Diagnostic &diagnostic);

/// `node 'NAME' (OP)` for a location of an imported node (what ops made
/// from it carry), else "".
std::string describeOnnxNode(mlir::Location loc);

} // namespace quern

#endif // QUERN_IMPORT_ONNX_H
