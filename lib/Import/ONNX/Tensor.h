//===- Tensor.h - ONNX tensors and types to MLIR ----------------*- C++ -*-===//

#ifndef QUERN_LIB_IMPORT_ONNX_TENSOR_H
#define QUERN_LIB_IMPORT_ONNX_TENSOR_H

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Location.h"

#include <onnx/onnx_pb.h>

#include <deque>
#include <vector>

namespace quern::onnx_import {

/// The MLIR element type of an ONNX data type (integers are signless), or
/// null for types Quern does not handle (strings, complex numbers).
mlir::Type convertElementType(int32_t dataType, mlir::MLIRContext *context);

/// The tensor type an ONNX value has, or failure with a diagnostic at `loc`
/// naming `what` when it is not a tensor, has an unknown element type, or
/// has a dimension that is not a fixed number (the message then ends with
/// `dynamicHint`, if given).
mlir::FailureOr<mlir::RankedTensorType>
convertTensorType(const onnx::TypeProto &type, llvm::StringRef what,
                  mlir::Location loc, llvm::StringRef dynamicHint = "");

/// The little-endian bytes of an initializer or constant. Raw data is
/// referenced in place; typed fields are converted into `scratch`, which
/// must outlive the returned reference.
mlir::FailureOr<llvm::ArrayRef<char>>
tensorBytes(const onnx::TensorProto &tensor, mlir::RankedTensorType type,
            std::deque<std::vector<char>> &scratch, mlir::Location loc);

/// The tensor as an attribute, for constants.
mlir::FailureOr<mlir::DenseElementsAttr>
tensorAttribute(const onnx::TensorProto &tensor, mlir::Location loc);

/// The type of an initializer or constant tensor.
mlir::FailureOr<mlir::RankedTensorType>
tensorType(const onnx::TensorProto &tensor, mlir::Location loc);

} // namespace quern::onnx_import

#endif // QUERN_LIB_IMPORT_ONNX_TENSOR_H
