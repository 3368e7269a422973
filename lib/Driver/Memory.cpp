//===- Memory.cpp - what a compiled step keeps in memory --------*- C++ -*-===//

#include "Memory.h"

#include "dialects/quern/QuernAttributes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"

using namespace mlir;
using namespace quern;

std::optional<std::vector<KeptValue>> quern::readKeptValues(ModuleOp module) {
  auto step = module.lookupSymbol<func::FuncOp>("train_step");
  auto values = step ? step->getAttrOfType<ArrayAttr>(kKeptForBackwardAttrName)
                     : ArrayAttr();
  if (!values)
    return std::nullopt;
  std::vector<KeptValue> kept;
  for (auto value : values.getAsRange<DictionaryAttr>())
    kept.push_back({value.getAs<IntegerAttr>("bytes").getInt(),
                    value.getAs<StringAttr>("name").str(),
                    value.getAs<StringAttr>("op").str()});
  return kept;
}

std::optional<int64_t> quern::readKeptBytes(ModuleOp module) {
  Operation *step = module.lookupSymbol("train_step");
  auto bytes =
      step ? step->getAttrOfType<IntegerAttr>(kKeptBytesAttrName) : nullptr;
  if (!bytes)
    return std::nullopt;
  return bytes.getInt();
}

llvm::json::Object quern::memoryJson(const MemoryReport &report) {
  llvm::json::Object memory{{"workspace_bytes", report.workspaceBytes}};
  if (report.keptBytes)
    memory["kept_for_backward_bytes"] = *report.keptBytes;
  if (report.keptValues)
    memory["kept_for_backward_values"] =
        static_cast<int64_t>(report.keptValues->size());
  return memory;
}

/// 1536 -> "1.5 KiB".
static std::string formatBytes(double bytes) {
  const char *units[] = {"B", "KiB", "MiB", "GiB"};
  int unit = 0;
  while (bytes >= 1024 && unit < 3) {
    bytes /= 1024;
    ++unit;
  }
  return llvm::formatv("{0:f1} {1}", bytes, units[unit]).str();
}

void quern::printMemoryReport(llvm::raw_ostream &os, const MemoryReport &report,
                              size_t top) {
  os << "workspace          " << formatBytes(report.workspaceBytes)
     << " (every scratch buffer of a call, planned at compile time)\n";
  if (!report.keptBytes || !report.keptValues) {
    os << "kept for backward  unknown (no training step built from a "
          "forward graph)\n";
    return;
  }
  os << "kept for backward  " << formatBytes(*report.keptBytes)
     << " (workspace buffers the forward pass writes and the backward pass "
        "reads, in the plan)\n";
  const std::vector<KeptValue> &values = *report.keptValues;
  size_t shown = std::min(top, values.size());
  if (shown == 0)
    return;
  os << "largest of the " << values.size()
     << " forward values the backward reads (in the graph, before fusion):\n";
  for (const KeptValue &value : llvm::ArrayRef(values).take_front(shown))
    os << llvm::format("%12s", formatBytes(value.bytes).c_str()) << "  "
       << (value.name.empty() ? "(unnamed)" : value.name)
       << (value.opType.empty() ? "" : " (" + value.opType + ")") << "\n";
}
