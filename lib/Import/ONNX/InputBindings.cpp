//===- InputBindings.cpp - what the user fixes of a graph's inputs -*- C++ -*-//
//
// Parsing the NAME=DIMS and NAME=FILE specs, and applying them to the graph.
//
//===----------------------------------------------------------------------===//

#include "InputBindings.h"

#include "mlir/IR/Diagnostics.h"

using namespace mlir;
using namespace quern;
using namespace quern::onnx_import;

bool quern::parseInputShape(llvm::StringRef spec, OnnxImportOptions &options,
                            std::string &error) {
  auto [name, dims] = spec.split('=');
  if (name.empty() || dims.empty()) {
    error = "expected NAME=DIMS (e.g. x=4x64), got '" + spec.str() + "'";
    return false;
  }
  std::vector<int64_t> shape;
  // "1" or "4x64": extents separated by x.
  llvm::SmallVector<llvm::StringRef> parts;
  dims.split(parts, 'x');
  for (llvm::StringRef part : parts) {
    int64_t size;
    if (part.getAsInteger(10, size) || size < 0) {
      error = "'" + part.str() + "' in '" + spec.str() +
              "' is not a dimension (a non-negative integer)";
      return false;
    }
    shape.push_back(size);
  }
  if (!options.inputShapes.try_emplace(name, std::move(shape)).second) {
    error = "the shape of '" + name.str() + "' is given twice";
    return false;
  }
  return true;
}

bool quern::parseInputValue(llvm::StringRef spec, OnnxImportOptions &options,
                            std::string &error) {
  auto [name, path] = spec.split('=');
  if (name.empty() || path.empty()) {
    error = "expected NAME=FILE.pb, got '" + spec.str() + "'";
    return false;
  }
  if (!options.inputValues.try_emplace(name, path.str()).second) {
    error = "the value of '" + name.str() + "' is given twice";
    return false;
  }
  return true;
}

LogicalResult quern::onnx_import::applyInputShapes(
    onnx::GraphProto &graph, const OnnxImportOptions &options, Location loc) {
  for (const auto &entry : options.inputShapes) {
    auto input = llvm::find_if(*graph.mutable_input(), [&](const auto &value) {
      return value.name() == entry.getKey();
    });
    if (input == graph.mutable_input()->end())
      return emitError(loc) << "--input-shape names '" << entry.getKey()
                            << "', which is not an input of the graph";
    onnx::TypeProto::Tensor *tensor =
        input->mutable_type()->mutable_tensor_type();
    // Only an input of unknown rank takes any rank; a shape without
    // dimensions is a scalar (rank 0), not an unknown rank.
    size_t rank = entry.getValue().size();
    if (tensor->has_shape() &&
        tensor->shape().dim_size() != static_cast<int>(rank))
      return emitError(loc)
             << "--input-shape gives " << rank << " dimension"
             << (rank == 1 ? "" : "s") << " for '" << entry.getKey()
             << "', which has rank " << tensor->shape().dim_size();
    onnx::TensorShapeProto *shape = tensor->mutable_shape();
    shape->clear_dim();
    for (int64_t size : entry.getValue())
      shape->add_dim()->set_dim_value(size);
  }
  return success();
}

LogicalResult quern::onnx_import::applyInputValues(
    onnx::GraphProto &graph, const OnnxImportOptions &options, Location loc) {
  for (const auto &entry : options.inputValues) {
    StringRef name = entry.getKey();
    auto input = llvm::find_if(*graph.mutable_input(), [&](const auto &value) {
      return value.name() == name;
    });
    if (input == graph.mutable_input()->end())
      return emitError(loc) << "--input-value names '" << name
                            << "', which is not an input of the graph";
    llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> file =
        llvm::MemoryBuffer::getFile(entry.getValue(), /*IsText=*/false,
                                    /*RequiresNullTerminator=*/false);
    onnx::TensorProto tensor;
    if (!file || !tensor.ParseFromArray((*file)->getBufferStart(),
                                        (*file)->getBufferSize()))
      return emitError(loc) << "--input-value: '" << entry.getValue()
                            << "' is not a readable ONNX TensorProto file";
    const onnx::TypeProto::Tensor &declared = input->type().tensor_type();
    if (tensor.data_type() != declared.elem_type())
      return emitError(loc)
             << "--input-value: the value of '" << name << "' has element type "
             << dataTypeName(tensor.data_type()) << ", the input "
             << dataTypeName(declared.elem_type());
    if (declared.has_shape()) {
      const onnx::TensorShapeProto &shape = declared.shape();
      bool matches = shape.dim_size() == tensor.dims_size();
      for (int i = 0; matches && i < tensor.dims_size(); ++i)
        matches = !shape.dim(i).has_dim_value() ||
                  shape.dim(i).dim_value() == tensor.dims(i);
      if (!matches) {
        InFlightDiagnostic diag = emitError(loc)
                                  << "--input-value: the value of '" << name
                                  << "' has shape [";
        llvm::interleaveComma(tensor.dims(), diag);
        diag << "], the input [";
        llvm::interleaveComma(shape.dim(), diag, [&](const auto &dim) {
          if (dim.has_dim_value())
            diag << dim.dim_value();
          else
            diag << (dim.has_dim_param() ? dim.dim_param() : "?");
        });
        return diag << "]";
      }
    }
    tensor.set_name(name.str());
    *graph.add_initializer() = std::move(tensor);
    graph.mutable_input()->erase(input);
  }
  return success();
}

LogicalResult quern::onnx_import::loadExternalConstants(onnx::GraphProto &graph,
                                                        TensorReader &reader,
                                                        Location fileLoc) {
  for (onnx::TensorProto &tensor : *graph.mutable_initializer()) {
    if (tensor.data_location() != onnx::TensorProto::EXTERNAL)
      continue;
    Location loc = NameLoc::get(
        StringAttr::get(fileLoc.getContext(), tensor.name()), fileLoc);
    FailureOr<RankedTensorType> type = tensorType(tensor, loc);
    if (failed(type))
      return failure();
    if (isa<FloatType>(type->getElementType()))
      continue;
    FailureOr<ArrayRef<char>> bytes = reader.bytes(tensor, *type, loc);
    if (failed(bytes))
      return failure();
    tensor.set_raw_data(std::string(bytes->data(), bytes->size()));
    tensor.clear_external_data();
    tensor.set_data_location(onnx::TensorProto::DEFAULT);
  }
  return success();
}
