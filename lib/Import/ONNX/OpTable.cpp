//===- OpTable.cpp - ONNX op importers by op type and version ---*- C++ -*-===//

#include "OpTable.h"

using namespace quern::onnx_import;

void OpTable::add(llvm::StringRef opType, std::initializer_list<int> versions,
                  OpImporter importer) {
  for (int version : versions)
    importers[opType][version] = importer;
}

OpTable::Entry OpTable::lookup(llvm::StringRef opType, int opset) const {
  auto found = importers.find(opType);
  if (found == importers.end())
    return {};
  const std::map<int, OpImporter> &versions = found->second;
  auto next = versions.upper_bound(opset);
  if (next == versions.begin())
    return {};
  --next;
  return {next->second, next->first};
}

const OpTable &OpTable::get() {
  static const OpTable table = [] {
    OpTable table;
    registerContractionOps(table);
    registerElementwiseOps(table);
    registerIndexingOps(table);
    registerReductionOps(table);
    registerShapeOps(table);
    return table;
  }();
  return table;
}
