//===- Tensor.cpp - ONNX tensors and types to MLIR --------------*- C++ -*-===//

#include "Tensor.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/Diagnostics.h"

#include <cstring>

using namespace mlir;

Type quern::onnx_import::convertElementType(int32_t dataType,
                                            MLIRContext *context) {
  Builder b(context);
  switch (dataType) {
  case onnx::TensorProto::FLOAT:
    return b.getF32Type();
  case onnx::TensorProto::DOUBLE:
    return b.getF64Type();
  case onnx::TensorProto::FLOAT16:
    return b.getF16Type();
  case onnx::TensorProto::BFLOAT16:
    return b.getBF16Type();
  case onnx::TensorProto::INT64:
  case onnx::TensorProto::UINT64:
    return b.getI64Type();
  case onnx::TensorProto::INT32:
  case onnx::TensorProto::UINT32:
    return b.getI32Type();
  case onnx::TensorProto::INT16:
  case onnx::TensorProto::UINT16:
    return b.getI16Type();
  case onnx::TensorProto::INT8:
  case onnx::TensorProto::UINT8:
    return b.getI8Type();
  case onnx::TensorProto::BOOL:
    return b.getI1Type();
  default:
    return {};
  }
}

static std::string dataTypeName(int32_t dataType) {
  return onnx::TensorProto::DataType_Name(
      static_cast<onnx::TensorProto::DataType>(dataType));
}

FailureOr<RankedTensorType>
quern::onnx_import::convertTensorType(const onnx::TypeProto &type,
                                      StringRef what, Location loc,
                                      StringRef dynamicHint) {
  if (!type.has_tensor_type())
    return emitError(loc) << what << " is not a tensor";
  const onnx::TypeProto::Tensor &tensor = type.tensor_type();
  Type elementType = convertElementType(tensor.elem_type(), loc.getContext());
  if (!elementType)
    return emitError(loc) << what << " has unsupported element type "
                          << dataTypeName(tensor.elem_type());
  if (!tensor.has_shape())
    return emitError(loc) << what << " has an unknown rank";
  SmallVector<int64_t> shape;
  for (const auto &[index, dim] : llvm::enumerate(tensor.shape().dim())) {
    if (!dim.has_dim_value() || dim.dim_value() < 0) {
      InFlightDiagnostic diag = emitError(loc)
                                << what << " has dynamic dimension " << index;
      if (dim.has_dim_param())
        diag << " ('" << dim.dim_param() << "')";
      if (!dynamicHint.empty())
        diag << "; " << dynamicHint;
      return diag;
    }
    shape.push_back(dim.dim_value());
  }
  return RankedTensorType::get(shape, elementType);
}

FailureOr<RankedTensorType>
quern::onnx_import::tensorType(const onnx::TensorProto &tensor, Location loc) {
  Type elementType = convertElementType(tensor.data_type(), loc.getContext());
  if (!elementType)
    return emitError(loc) << "tensor '" << tensor.name()
                          << "' has unsupported element type "
                          << dataTypeName(tensor.data_type());
  SmallVector<int64_t> shape(tensor.dims().begin(), tensor.dims().end());
  return RankedTensorType::get(shape, elementType);
}

/// Copies `count` values of a typed repeated field into little-endian
/// storage of `To` (the tensor's element type).
template <typename To, typename Field>
static void packField(const Field &field, std::vector<char> &out) {
  out.resize(field.size() * sizeof(To));
  for (int i = 0; i < field.size(); ++i) {
    To value = static_cast<To>(field.Get(i));
    std::memcpy(out.data() + i * sizeof(To), &value, sizeof(To));
  }
}

FailureOr<ArrayRef<char>>
quern::onnx_import::tensorBytes(const onnx::TensorProto &tensor,
                                RankedTensorType type,
                                std::deque<std::vector<char>> &scratch,
                                Location loc) {
  Type elementType = type.getElementType();
  // Booleans are one byte per element in ONNX and in the state file.
  size_t elementBytes =
      elementType.isInteger(1) ? 1 : elementType.getIntOrFloatBitWidth() / 8;
  size_t expected = type.getNumElements() * elementBytes;

  if (tensor.data_location() == onnx::TensorProto::EXTERNAL)
    return emitError(loc) << "tensor '" << tensor.name()
                          << "' stores its data externally, which this "
                             "import does not read";
  ArrayRef<char> bytes;
  if (tensor.has_raw_data()) {
    bytes = ArrayRef<char>(tensor.raw_data().data(), tensor.raw_data().size());
  } else {
    std::vector<char> &packed = scratch.emplace_back();
    switch (tensor.data_type()) {
    case onnx::TensorProto::FLOAT:
      packField<float>(tensor.float_data(), packed);
      break;
    case onnx::TensorProto::DOUBLE:
      packField<double>(tensor.double_data(), packed);
      break;
    case onnx::TensorProto::INT64:
      packField<int64_t>(tensor.int64_data(), packed);
      break;
    case onnx::TensorProto::UINT64:
      packField<uint64_t>(tensor.uint64_data(), packed);
      break;
    case onnx::TensorProto::INT32:
      packField<int32_t>(tensor.int32_data(), packed);
      break;
    case onnx::TensorProto::UINT32:
      packField<uint32_t>(tensor.uint64_data(), packed);
      break;
    // 16-bit floats travel as their bit patterns in int32_data.
    case onnx::TensorProto::INT16:
    case onnx::TensorProto::UINT16:
    case onnx::TensorProto::FLOAT16:
    case onnx::TensorProto::BFLOAT16:
      packField<uint16_t>(tensor.int32_data(), packed);
      break;
    case onnx::TensorProto::INT8:
    case onnx::TensorProto::UINT8:
    case onnx::TensorProto::BOOL:
      packField<uint8_t>(tensor.int32_data(), packed);
      break;
    default:
      return emitError(loc) << "tensor '" << tensor.name()
                            << "' has unsupported element type "
                            << dataTypeName(tensor.data_type());
    }
    bytes = packed;
  }
  if (bytes.size() != expected)
    return emitError(loc) << "tensor '" << tensor.name() << "' holds "
                          << bytes.size() << " bytes, its shape needs "
                          << expected;
  return bytes;
}

FailureOr<DenseElementsAttr>
quern::onnx_import::tensorAttribute(const onnx::TensorProto &tensor,
                                    Location loc) {
  FailureOr<RankedTensorType> type = tensorType(tensor, loc);
  if (failed(type))
    return failure();
  std::deque<std::vector<char>> scratch;
  FailureOr<ArrayRef<char>> bytes = tensorBytes(tensor, *type, scratch, loc);
  if (failed(bytes))
    return failure();
  if (type->getElementType().isInteger(1)) {
    // DenseElementsAttr packs booleans as bits.
    SmallVector<bool> values(bytes->begin(), bytes->end());
    return DenseElementsAttr::get(*type, values);
  }
  return DenseElementsAttr::getFromRawBuffer(*type, *bytes);
}
