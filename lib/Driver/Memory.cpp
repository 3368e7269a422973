//===- Memory.cpp - what a compiled step keeps in memory --------*- C++ -*-===//

#include "Memory.h"

#include "dialects/quern/QuernAttributes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"

using namespace mlir;
using namespace quern;

int64_t MemoryReport::keptBytes() const {
  int64_t total = 0;
  if (kept)
    for (const KeptValue &value : *kept)
      total += value.bytes;
  return total;
}

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

llvm::json::Object quern::memoryJson(const MemoryReport &report) {
  llvm::json::Object memory{{"workspace_bytes", report.workspaceBytes}};
  if (report.kept) {
    memory["kept_for_backward_bytes"] = report.keptBytes();
    memory["kept_for_backward_values"] =
        static_cast<int64_t>(report.kept->size());
  }
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
  if (!report.kept) {
    os << "kept for backward  unknown (no training step built from a "
          "forward graph)\n";
    return;
  }
  os << "kept for backward  " << formatBytes(report.keptBytes()) << " in "
     << report.kept->size()
     << " values (the forward's values the backward reads, counted before "
        "fusion, which recomputes some: an upper bound)\n";
  size_t shown = std::min(top, report.kept->size());
  if (shown == 0)
    return;
  os << "largest kept values:\n";
  for (const KeptValue &value : llvm::ArrayRef(*report.kept).take_front(shown))
    os << llvm::format("%12s", formatBytes(value.bytes).c_str()) << "  "
       << (value.name.empty() ? "(unnamed)" : value.name)
       << (value.opType.empty() ? "" : " (" + value.opType + ")") << "\n";
}
