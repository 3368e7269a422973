//===- Diagnostics.cpp - one-line messages about ONNX models ----*- C++ -*-===//
//
// Node locations are `fused<"OpType">[NameLoc(node), FileLineColLoc(file)]`
// (see NodeImporter.cpp, read by describeLocation); users read them as `FILE:
// node 'NAME' (OP): MESSAGE`.
//
//===----------------------------------------------------------------------===//

#include "quern/Import/ONNX.h"

#include "dialects/quern/QuernAttributes.h"

using namespace mlir;
using namespace quern;

/// `node 'NAME' (OP)`, or "" for a location without an op type: a graph
/// input or initializer, which the messages about them already name.
static std::string nodeText(const OnnxNodeLocation &where) {
  if (where.opType.empty())
    return "";
  return "node '" + where.name + "' (" + where.opType + ")";
}

std::string quern::describeOnnxNode(Location loc) {
  return nodeText(describeLocation(loc));
}

std::string quern::formatOnnxDiagnostic(const Diagnostic &diagnostic) {
  OnnxNodeLocation where = describeLocation(diagnostic.getLocation());
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
