//===- Diagnostics.cpp - one-line messages about ONNX models ----*- C++ -*-===//
//
// Node locations are `fused<"OpType">[NameLoc(node), FileLineColLoc(file)]`
// (see Importer.cpp); users read them as `FILE: node 'NAME' (OP): MESSAGE`.
//
//===----------------------------------------------------------------------===//

#include "quern/Import/ONNX.h"

#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;

namespace {
struct Described {
  std::string file, nodeName, opType;
};

void describe(Location loc, Described &out) {
  llvm::TypeSwitch<Location>(loc)
      .Case([&](FusedLoc fused) {
        if (auto opType = dyn_cast_if_present<StringAttr>(fused.getMetadata()))
          out.opType = opType.str();
        for (Location inner : fused.getLocations())
          describe(inner, out);
      })
      .Case([&](NameLoc name) {
        if (out.nodeName.empty())
          out.nodeName = name.getName().str();
        describe(name.getChildLoc(), out);
      })
      .Case([&](FileLineColLoc file) {
        if (out.file.empty())
          out.file = file.getFilename().str();
      })
      .Case([&](CallSiteLoc call) { describe(call.getCallee(), out); });
}
} // namespace

/// `node 'NAME' (OP)`, or "" for a location without an op type: a graph
/// input or initializer, which the messages about them already name.
static std::string nodeText(const Described &where) {
  if (where.opType.empty())
    return "";
  return "node '" + where.nodeName + "' (" + where.opType + ")";
}

std::string quern::describeOnnxNode(Location loc) {
  Described where;
  describe(loc, where);
  return nodeText(where);
}

std::string quern::formatOnnxDiagnostic(const Diagnostic &diagnostic) {
  Described where;
  describe(diagnostic.getLocation(), where);
  std::string text;
  llvm::raw_string_ostream os(text);
  switch (diagnostic.getSeverity()) {
  case DiagnosticSeverity::Error:
    os << "error: ";
    break;
  case DiagnosticSeverity::Warning:
    os << "warning: ";
    break;
  case DiagnosticSeverity::Note:
    os << "note: ";
    break;
  case DiagnosticSeverity::Remark:
    os << "remark: ";
    break;
  }
  if (!where.file.empty())
    os << where.file << ": ";
  if (std::string node = nodeText(where); !node.empty())
    os << node << ": ";
  os << diagnostic.str();
  return text;
}
