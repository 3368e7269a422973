//===- InputBindings.h - what the user fixes of a graph's inputs -*- C++
//-*-===//
//
// --input-shape fixes the shape of a graph input, --input-value its value
// (the input becomes an initializer); and integer initializers stored as
// external data are read in, since ONNX's shape inference needs their
// values.
//
//===----------------------------------------------------------------------===//

#ifndef QUERN_LIB_IMPORT_ONNX_INPUTBINDINGS_H
#define QUERN_LIB_IMPORT_ONNX_INPUTBINDINGS_H

#include "Tensor.h"
#include "quern/Import/ONNX.h"

namespace quern::onnx_import {

/// Replaces the shapes of graph inputs named in `options`.
mlir::LogicalResult applyInputShapes(onnx::GraphProto &graph,
                                     const OnnxImportOptions &options,
                                     mlir::Location loc);

/// Moves the graph inputs named in `options` into the initializers, with
/// the values read from their files.
mlir::LogicalResult applyInputValues(onnx::GraphProto &graph,
                                     const OnnxImportOptions &options,
                                     mlir::Location loc);

/// ONNX's shape inference cannot read external data, yet it needs the
/// values of integer initializers (Reshape's shape, Slice's bounds); those
/// import as constants anyway, so their external data is read into the
/// model. Float initializers, the weights, stay mapped.
mlir::LogicalResult loadExternalConstants(onnx::GraphProto &graph,
                                          TensorReader &reader,
                                          mlir::Location fileLoc);

} // namespace quern::onnx_import

#endif // QUERN_LIB_IMPORT_ONNX_INPUTBINDINGS_H
