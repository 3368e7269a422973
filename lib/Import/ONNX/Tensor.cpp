//===- Tensor.cpp - ONNX tensors and types to MLIR --------------*- C++ -*-===//

#include "Tensor.h"

#include "quern/Import/ONNX.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MathExtras.h"
#include "llvm/Support/Path.h"

#include <cstring>

using namespace mlir;
using namespace quern::onnx_import;

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
    return b.getI64Type();
  case onnx::TensorProto::INT32:
    return b.getI32Type();
  case onnx::TensorProto::INT16:
    return b.getI16Type();
  case onnx::TensorProto::INT8:
    return b.getI8Type();
  case onnx::TensorProto::UINT64:
    return b.getIntegerType(64, /*isSigned=*/false);
  case onnx::TensorProto::UINT32:
    return b.getIntegerType(32, /*isSigned=*/false);
  case onnx::TensorProto::UINT16:
    return b.getIntegerType(16, /*isSigned=*/false);
  case onnx::TensorProto::UINT8:
    return b.getIntegerType(8, /*isSigned=*/false);
  case onnx::TensorProto::BOOL:
    return b.getI1Type();
  default:
    return {};
  }
}

int32_t quern::onnx_import::onnxDataType(Type type) {
  if (type.isF32())
    return onnx::TensorProto::FLOAT;
  if (type.isF64())
    return onnx::TensorProto::DOUBLE;
  if (type.isF16())
    return onnx::TensorProto::FLOAT16;
  if (type.isBF16())
    return onnx::TensorProto::BFLOAT16;
  if (type.isInteger(1))
    return onnx::TensorProto::BOOL;
  bool isUnsigned = type.isUnsignedInteger();
  switch (type.getIntOrFloatBitWidth()) {
  case 8:
    return isUnsigned ? onnx::TensorProto::UINT8 : onnx::TensorProto::INT8;
  case 16:
    return isUnsigned ? onnx::TensorProto::UINT16 : onnx::TensorProto::INT16;
  case 32:
    return isUnsigned ? onnx::TensorProto::UINT32 : onnx::TensorProto::INT32;
  default:
    return isUnsigned ? onnx::TensorProto::UINT64 : onnx::TensorProto::INT64;
  }
}

std::string quern::onnx_import::dataTypeName(int32_t dataType) {
  return onnx::TensorProto::DataType_Name(
      static_cast<onnx::TensorProto::DataType>(dataType));
}

FailureOr<RankedTensorType>
quern::onnx_import::convertTensorType(const onnx::TypeProto &type,
                                      StringRef what, Location loc,
                                      StringRef dynamicHint) {
  if (!type.has_tensor_type())
    return emitError(loc) << what
                          << " is not a tensor (sequences, maps and optional "
                             "values are unsupported)";
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

FailureOr<ArrayRef<char>> TensorReader::bytes(const onnx::TensorProto &tensor,
                                              RankedTensorType type,
                                              Location loc) {
  Type elementType = type.getElementType();
  // Booleans are one byte per element in ONNX and in the state file.
  size_t elementBytes =
      elementType.isInteger(1) ? 1 : elementType.getIntOrFloatBitWidth() / 8;
  size_t expected = type.getNumElements() * elementBytes;

  if (tensor.data_location() == onnx::TensorProto::EXTERNAL)
    return externalBytes(tensor, expected, loc);
  ArrayRef<char> bytes;
  if (tensor.has_raw_data()) {
    bytes = ArrayRef<char>(tensor.raw_data().data(), tensor.raw_data().size());
  } else {
    std::vector<char> &packed = converted.emplace_back();
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
      return emitError(loc)
             << "tensor '" << tensor.name() << "' has unsupported element type "
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
TensorReader::attribute(const onnx::TensorProto &tensor, Location loc) {
  FailureOr<RankedTensorType> type = tensorType(tensor, loc);
  if (failed(type))
    return failure();
  FailureOr<ArrayRef<char>> bytes = this->bytes(tensor, *type, loc);
  if (failed(bytes))
    return failure();
  if (type->getElementType().isInteger(1)) {
    // DenseElementsAttr packs booleans as bits.
    SmallVector<bool> values(bytes->begin(), bytes->end());
    return DenseElementsAttr::get(*type, values);
  }
  return DenseElementsAttr::getFromRawBuffer(*type, *bytes);
}

FailureOr<ArrayRef<char>>
TensorReader::externalBytes(const onnx::TensorProto &tensor, size_t expected,
                            Location loc) {
  std::string location;
  uint64_t offset = 0, length = expected;
  for (const onnx::StringStringEntryProto &entry : tensor.external_data()) {
    if (entry.key() == "location")
      location = entry.value();
    else if ((entry.key() == "offset" &&
              llvm::StringRef(entry.value()).getAsInteger(10, offset)) ||
             (entry.key() == "length" &&
              llvm::StringRef(entry.value()).getAsInteger(10, length)))
      return emitError(loc)
             << "tensor '" << tensor.name() << "' has " << entry.key() << " '"
             << entry.value() << "', which is not a number";
  }
  if (location.empty())
    return emitError(loc) << "tensor '" << tensor.name()
                          << "' is external but names no location";
  llvm::SmallString<256> path(modelDirectory);
  llvm::sys::path::append(path, location);
  // A model is untrusted input: its external data must lie inside its
  // folder (after symlinks and `..`), as the ONNX specification intends,
  // never a file elsewhere that the bytes of would end up in the state.
  llvm::SmallString<256> folder, resolved;
  if (!llvm::sys::fs::real_path(modelDirectory.empty() ? "." : modelDirectory,
                                folder) &&
      !llvm::sys::fs::real_path(path, resolved) &&
      (llvm::sys::path::is_absolute(location) ||
       !llvm::StringRef(resolved).starts_with(
           (folder + llvm::sys::path::get_separator()).str())))
    return emitError(loc) << "tensor '" << tensor.name()
                          << "' has its data in '" << location
                          << "', outside the model's folder '" << folder
                          << "': external data must be inside it";
  std::unique_ptr<llvm::MemoryBuffer> &file = files[path.str().str()];
  if (!file) {
    // Mapped, not read: the weights are paged in once, when written out.
    llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> opened =
        llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                    /*RequiresNullTerminator=*/false);
    if (!opened) {
      files.erase(path.str().str());
      return emitError(loc)
             << "tensor '" << tensor.name() << "' has its data in '" << path
             << "', which cannot be read: " << opened.getError().message();
    }
    file = std::move(*opened);
  }
  if (length != expected)
    return emitError(loc) << "tensor '" << tensor.name() << "' has length "
                          << length << ", its shape needs " << expected
                          << " bytes";
  if (offset > file->getBufferSize() || file->getBufferSize() - offset < length)
    return emitError(loc) << "tensor '" << tensor.name() << "' needs bytes ["
                          << offset << ", " << offset + length << ") of '"
                          << path << "', which holds only "
                          << file->getBufferSize();
  return ArrayRef<char>(file->getBufferStart() + offset, length);
}

onnx::TensorProto quern::onnx_import::tensorProto(DenseElementsAttr value,
                                                  StringRef name) {
  onnx::TensorProto tensor;
  tensor.set_name(name.str());
  Type elementType = value.getElementType();
  tensor.set_data_type(onnxDataType(elementType));
  for (int64_t size : value.getType().getShape())
    tensor.add_dims(size);
  if (elementType.isInteger(1)) {
    std::string bytes;
    for (bool bit : value.getValues<bool>())
      bytes.push_back(bit ? 1 : 0);
    tensor.set_raw_data(bytes);
    return tensor;
  }
  // A splat stores one element; the proto needs all of them.
  size_t elementBytes = elementType.getIntOrFloatBitWidth() / 8;
  ArrayRef<char> raw = value.getRawData();
  std::string bytes;
  if (value.isSplat())
    for (int64_t i = 0; i < value.getNumElements(); ++i)
      bytes.append(raw.data(), elementBytes);
  else
    bytes.assign(raw.data(), raw.size());
  tensor.set_raw_data(bytes);
  return tensor;
}

uint64_t quern::tensorByteSize(RankedTensorType type) {
  uint64_t bytes = llvm::divideCeil(type.getElementTypeBitWidth(), 8);
  bool overflow = false;
  for (int64_t size : type.getShape())
    bytes = llvm::SaturatingMultiply(
        bytes, static_cast<uint64_t>(std::max<int64_t>(size, 0)), &overflow);
  return bytes;
}
