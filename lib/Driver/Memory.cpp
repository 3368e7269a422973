//===- Memory.cpp - what a compiled step keeps in memory --------*- C++ -*-===//

#include "Memory.h"

#include "quern/Bytes.h"

#include "dialects/quern/QuernAttributes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"

using namespace mlir;
using namespace quern;

/// The value of a `{bytes, name, op[, flops]}` record.
static KeptValue readValue(DictionaryAttr value) {
  auto flops = value.getAs<IntegerAttr>("flops");
  return {value.getAs<IntegerAttr>("bytes").getInt(),
          value.getAs<StringAttr>("name").str(),
          value.getAs<StringAttr>("op").str(), flops ? flops.getInt() : 0};
}

/// The values of a `[{bytes, name, op[, flops]}, ...]` record.
static std::vector<KeptValue> readValues(ArrayAttr values) {
  auto range = llvm::map_range(values.getAsRange<DictionaryAttr>(), readValue);
  return {range.begin(), range.end()};
}

std::optional<std::vector<KeptValue>> quern::readKeptValues(ModuleOp module) {
  auto step = module.lookupSymbol<func::FuncOp>("train_step");
  auto values = step ? step->getAttrOfType<ArrayAttr>(kKeptForBackwardAttrName)
                     : ArrayAttr();
  if (!values)
    return std::nullopt;
  return readValues(values);
}

std::optional<RecomputeReport> quern::readRecompute(ModuleOp module) {
  auto step = module.lookupSymbol<func::FuncOp>("train_step");
  auto record = step ? step->getAttrOfType<DictionaryAttr>(kRecomputeAttrName)
                     : DictionaryAttr();
  if (!record)
    return std::nullopt;
  auto integer = [&](StringRef key) {
    return record.getAs<IntegerAttr>(key).getInt();
  };
  auto real = [&](StringRef key) {
    return record.getAs<FloatAttr>(key).getValueAsDouble();
  };
  return RecomputeReport{integer("flops"),
                         real("gap"),
                         real("solve_seconds"),
                         integer("estimated_peak"),
                         integer("estimated_peak_keeping_all"),
                         readValues(record.getAs<ArrayAttr>("values"))};
}

std::optional<PeakReport> quern::readPeak(ModuleOp module) {
  std::optional<PeakReport> most;
  for (Operation &function : module.getBody()->getOperations()) {
    auto record = function.getAttrOfType<DictionaryAttr>(kPeakAttrName);
    if (!record)
      continue;
    KeptValue at = readValue(record);
    if (most && most->at.bytes >= at.bytes)
      continue;
    most = PeakReport{at, readValues(record.getAs<ArrayAttr>("buffers")),
                      record.getAs<IntegerAttr>("count").getInt()};
  }
  return most;
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
  if (report.budget) {
    memory["activation_budget_bytes"] = report.budget->budget;
    memory["workspace_without_recompute_bytes"] =
        report.budget->workspaceWithout;
  }
  if (const std::optional<RecomputeReport> &chosen = report.recompute)
    memory["recompute"] = llvm::json::Object{
        {"flops", chosen->flops},
        {"values", static_cast<int64_t>(chosen->values.size())},
        {"optimality_gap", chosen->gap},
        {"solve_seconds", chosen->solveSeconds},
        {"estimated_peak_bytes", chosen->estimatedPeak},
        {"estimated_peak_without_bytes", chosen->estimatedPeakKeepingAll}};
  return memory;
}

/// The `top` largest of `values`, under "largest of the N <what>:", N being
/// `count` (how many there are, when `values` lists only the largest) or
/// their number.
static void printValues(llvm::raw_ostream &os, ArrayRef<KeptValue> values,
                        size_t top, StringRef what,
                        std::optional<int64_t> count = std::nullopt) {
  size_t shown = std::min(top, values.size());
  if (shown == 0)
    return;
  os << "largest of the " << count.value_or(values.size()) << " " << what
     << ":\n";
  for (const KeptValue &value : values.take_front(shown)) {
    os << llvm::format("%12s", formatBytes(value.bytes).c_str()) << "  "
       << (value.name.empty() ? "(unnamed)" : value.name)
       << (value.opType.empty() ? "" : " (" + value.opType + ")");
    if (value.flops)
      os << llvm::formatv(", {0:f1} MFLOP", value.flops / 1e6);
    os << "\n";
  }
}

/// The peak's bytes, where it is, and its largest buffers.
static void printPeak(llvm::raw_ostream &os, const PeakReport &peak,
                      size_t top) {
  const KeptValue &at = peak.at;
  os << "at the peak        " << formatBytes(at.bytes)
     << " in buffers at once, during "
     << (at.name.empty() ? std::string("an op of no ONNX node")
                         : at.name + " (" + at.opType + ")")
     << "\n";
  printValues(os, peak.buffers, top,
              "buffers then (by the node that first writes each)", peak.count);
}

/// What the step keeps for backward, its budget and what it recomputes.
static void printKept(llvm::raw_ostream &os, const MemoryReport &report,
                      size_t top) {
  if (!report.keptBytes || !report.keptValues) {
    os << "kept for backward  unknown (no training step built from a "
          "forward graph)\n";
    return;
  }
  os << "kept for backward  " << formatBytes(*report.keptBytes)
     << " (workspace buffers the forward pass writes and the backward pass "
        "reads, in the plan)\n";
  if (const std::optional<BudgetFit> &budget = report.budget)
    os << "activation budget  " << formatBytes(budget->budget)
       << " of workspace (" << formatBytes(budget->workspaceWithout)
       << " without recomputation)\n";
  if (const std::optional<RecomputeReport> &chosen = report.recompute)
    os << "recomputed         " << chosen->values.size() << " values, "
       << (chosen->flops >= 1e9
               ? llvm::formatv("{0:f2} GFLOP", chosen->flops / 1e9)
               : llvm::formatv("{0:f2} MFLOP", chosen->flops / 1e6))
       << " a step (solver: "
       << (chosen->gap == 0
               ? std::string("optimal")
               : llvm::formatv("within {0:f1}% of optimal", chosen->gap * 100)
                     .str())
       << llvm::formatv(", {0:f2} s)\n", chosen->solveSeconds);
  printValues(os, *report.keptValues, top,
              "forward values the backward reads (in the graph, before "
              "fusion)");
  if (report.recompute)
    printValues(os, report.recompute->values, top,
                "values the backward recomputes");
}

void quern::printMemoryReport(llvm::raw_ostream &os, const MemoryReport &report,
                              size_t top) {
  os << "workspace          " << formatBytes(report.workspaceBytes)
     << " (every scratch buffer of a call, planned at compile time)\n";
  printKept(os, report, top);
  if (report.peak)
    printPeak(os, *report.peak, top);
}
