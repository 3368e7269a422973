//===- OpTable.cpp - ONNX op importers by op type and version ---*- C++ -*-===//

#include "OpTable.h"

#include "quern/Import/ONNX.h"

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

std::vector<std::pair<std::string, std::vector<int>>> OpTable::list() const {
  std::vector<std::pair<std::string, std::vector<int>>> ops;
  for (const auto &entry : importers) {
    std::vector<int> versions;
    for (const auto &[version, importer] : entry.getValue())
      versions.push_back(version);
    ops.emplace_back(entry.getKey().str(), versions);
  }
  llvm::sort(ops);
  return ops;
}

std::vector<std::pair<std::string, std::vector<int>>>
quern::supportedOnnxOps() {
  return OpTable::get().list();
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
