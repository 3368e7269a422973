//===- Tensor.h - ONNX tensors and types to MLIR ----------------*- C++ -*-===//

#ifndef QUERN_LIB_IMPORT_ONNX_TENSOR_H
#define QUERN_LIB_IMPORT_ONNX_TENSOR_H

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Location.h"
#include "llvm/Support/MemoryBuffer.h"

#include <onnx/onnx_pb.h>

#include <deque>
#include <map>
#include <memory>
#include <vector>

namespace quern::onnx_import {

/// The MLIR element type of an ONNX data type (signed integers are
/// signless, unsigned ones ui8..ui64, bool i1), or null for types Quern does
/// not handle (strings, complex numbers).
mlir::Type convertElementType(int32_t dataType, mlir::MLIRContext *context);

/// The ONNX data type of an MLIR element type (the inverse of the above).
int32_t onnxDataType(mlir::Type type);

/// ONNX's name of a data type (FLOAT, INT64, ...).
std::string dataTypeName(int32_t dataType);

/// The tensor type an ONNX value has, or failure with a diagnostic at `loc`
/// naming `what` when it is not a tensor, has an unknown element type, or
/// has a dimension that is not a fixed number (the message then ends with
/// `dynamicHint`, if given).
mlir::FailureOr<mlir::RankedTensorType>
convertTensorType(const onnx::TypeProto &type, llvm::StringRef what,
                  mlir::Location loc, llvm::StringRef dynamicHint = "");

/// The type of an initializer or constant tensor.
mlir::FailureOr<mlir::RankedTensorType>
tensorType(const onnx::TensorProto &tensor, mlir::Location loc);

/// The ONNX tensor holding a constant.
onnx::TensorProto tensorProto(mlir::DenseElementsAttr value,
                              llvm::StringRef name);

/// Reads the data of initializers and constants: raw data is referenced in
/// place, typed fields are converted into storage this reader owns, and
/// external data (data_location = EXTERNAL) is memory-mapped from files
/// relative to the model's folder. Returned bytes live as long as the
/// reader.
class TensorReader {
public:
  explicit TensorReader(std::string modelDirectory)
      : modelDirectory(std::move(modelDirectory)) {}

  /// The little-endian bytes of `tensor` (booleans one byte each).
  mlir::FailureOr<llvm::ArrayRef<char>> bytes(const onnx::TensorProto &tensor,
                                              mlir::RankedTensorType type,
                                              mlir::Location loc);

  /// The tensor as an attribute, for constants.
  mlir::FailureOr<mlir::DenseElementsAttr>
  attribute(const onnx::TensorProto &tensor, mlir::Location loc);

private:
  mlir::FailureOr<llvm::ArrayRef<char>>
  externalBytes(const onnx::TensorProto &tensor, size_t expected,
                mlir::Location loc);

  std::string modelDirectory;
  std::deque<std::vector<char>> converted;
  std::map<std::string, std::unique_ptr<llvm::MemoryBuffer>> files;
};

} // namespace quern::onnx_import

#endif // QUERN_LIB_IMPORT_ONNX_TENSOR_H
