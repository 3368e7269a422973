//===- OpTable.cpp - ONNX op importers by op type and version ---*- C++ -*-===//

#include "OpTable.h"

#include "Checks.h"
#include "Opsets.h"

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
  // A version ONNX defined after the newest one registered: the op's
  // meaning (or its types) may have changed, and no importer knows how.
  if (versionAfterLibOnnx(opType, opset) > next->first)
    return {};
  return {next->second, next->first};
}

int OpTable::oldestVersion(llvm::StringRef opType) const {
  auto found = importers.find(opType);
  return found == importers.end() ? 0 : found->second.begin()->first;
}

std::string OpTable::key(const onnx::NodeProto &node) {
  return isDefaultDomain(node.domain()) ? node.op_type()
                                        : node.domain() + "." + node.op_type();
}

OpTable::Entry OpTable::lookup(const onnx::NodeProto &node,
                               const llvm::StringMap<int> &opsets) const {
  std::string domain = isDefaultDomain(node.domain()) ? "" : node.domain();
  auto version = opsets.find(domain);
  if (version == opsets.end())
    return {};
  return lookup(key(node), version->getValue());
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
    registerAttentionOps(table);
    registerContractionOps(table);
    registerElementwiseOps(table);
    registerIndexingOps(table);
    registerReductionOps(table);
    registerShapeOps(table);
    registerExpertOps(table);
    registerTrainingOps(table);
    return table;
  }();
  return table;
}
