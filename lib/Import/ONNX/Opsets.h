//===- Opsets.h - ONNX opsets newer than libonnx's --------------*- C++ -*-===//
//
// Debian's libonnx 1.12 knows the default domain up to opset 17. Quern
// imports up to 23 with two pieces of its own:
// - the versions ONNX gave its ops in opsets 18 to 23, so that an op whose
//   meaning changed after 17 is imported by the importer of that version
//   or reported unsupported, never read with its older meaning;
// - schemas, with type and shape inference, for the op versions of 18 to
//   23 that libonnx lacks. They live in a domain of Quern's own: while
//   ONNX's checker and shape inference run, the nodes they describe are
//   moved into that domain, so libonnx checks them against those schemas
//   and infers through them as through its own.
//
//===----------------------------------------------------------------------===//

#ifndef QUERN_LIB_IMPORT_ONNX_OPSETS_H
#define QUERN_LIB_IMPORT_ONNX_OPSETS_H

#include "llvm/ADT/StringRef.h"

#include <onnx/onnx_pb.h>

#include <string>
#include <utility>
#include <vector>

namespace quern::onnx_import {

/// The newest opset of the default domain that libonnx knows.
constexpr int kLibOnnxMaxOpset = 17;

/// The version of default-domain op `opType` in force at `opset` if ONNX
/// defined one after opset 17 (0 if its version at `opset` is one libonnx
/// knows).
int versionAfterLibOnnx(llvm::StringRef opType, int opset);

/// Moves the nodes that Quern's newer schemas describe into Quern's schema
/// domain (and imports that domain) for as long as it lives, so that ONNX's
/// checker and shape inference can run on `model`. No op for models at
/// opsets libonnx knows.
class NewerSchemaScope {
public:
  explicit NewerSchemaScope(onnx::ModelProto &model);
  ~NewerSchemaScope();
  NewerSchemaScope(const NewerSchemaScope &) = delete;
  NewerSchemaScope &operator=(const NewerSchemaScope &) = delete;

private:
  onnx::ModelProto &model;
  /// The nodes moved, with the domain each had.
  std::vector<std::pair<onnx::NodeProto *, std::string>> moved;
};

} // namespace quern::onnx_import

#endif // QUERN_LIB_IMPORT_ONNX_OPSETS_H
