//===- OpTable.h - ONNX op importers by op type and version -----*- C++ -*-===//
//
// onnx-mlir's scheme: each op type lists the schema versions Quern imports;
// a model with opset N gets the highest listed version not above N (the
// version whose semantics are in force at opset N).
//
//===----------------------------------------------------------------------===//

#ifndef QUERN_LIB_IMPORT_ONNX_OPTABLE_H
#define QUERN_LIB_IMPORT_ONNX_OPTABLE_H

#include "NodeImporter.h"
#include "llvm/ADT/StringMap.h"

#include <map>

namespace quern::onnx_import {

/// The opsets of the default domain that Quern imports.
constexpr int kMinOpset = 13;
constexpr int kMaxOpset = 23;

class OpTable {
public:
  /// Registers `importer` for the schema versions `versions` of `opType`.
  void add(llvm::StringRef opType, std::initializer_list<int> versions,
           OpImporter importer);

  struct Entry {
    OpImporter importer = nullptr;
    int version = 0;
  };
  /// The importer of `opType` for a model at `opset`, or a null importer
  /// (also when ONNX changed the op after the newest version registered).
  Entry lookup(llvm::StringRef opType, int opset) const;

  /// The importer of `node`: ops of the default domain are registered by
  /// op type, others as `domain.OpType`; `opsets` gives each domain's
  /// version ("" for the default domain).
  Entry lookup(const onnx::NodeProto &node,
               const llvm::StringMap<int> &opsets) const;

  /// The oldest version of `opType` that Quern imports (0 if none).
  int oldestVersion(llvm::StringRef opType) const;

  /// How `node`'s op is named in the table and in diagnostics.
  static std::string key(const onnx::NodeProto &node);

  /// Every op type with its versions, sorted by op type.
  std::vector<std::pair<std::string, std::vector<int>>> list() const;

  /// The one table with every op family registered.
  static const OpTable &get();

private:
  llvm::StringMap<std::map<int, OpImporter>> importers;
};

void registerAttentionOps(OpTable &table);
void registerContractionOps(OpTable &table);
void registerElementwiseOps(OpTable &table);
void registerExpertOps(OpTable &table);
void registerIndexingOps(OpTable &table);
void registerReductionOps(OpTable &table);
void registerShapeOps(OpTable &table);
void registerTrainingOps(OpTable &table);

} // namespace quern::onnx_import

#endif // QUERN_LIB_IMPORT_ONNX_OPTABLE_H
