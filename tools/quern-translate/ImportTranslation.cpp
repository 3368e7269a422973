//===- ImportTranslation.cpp - quern-translate --import-onnx ----*- C++ -*-===//
//
// A tool's registration, kept out of the importer library so that the
// importer depends on the dialect and the graph passes only.
//
//===----------------------------------------------------------------------===//

#include "quern/Import/ONNX.h"

#include "mlir/Tools/mlir-translate/Translation.h"
#include "quern/InitAll.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/SourceMgr.h"

using namespace mlir;
using namespace quern;

static llvm::cl::list<std::string>
    inputShapes("input-shape",
                llvm::cl::desc("Fix the shape of a graph input, as "
                               "NAME=DIMS (e.g. x=4x64); repeatable"),
                llvm::cl::value_desc("NAME=DIMS"));
static llvm::cl::list<std::string>
    inputValues("input-value",
                llvm::cl::desc("Fix a graph input to the value in an ONNX "
                               "TensorProto file; repeatable"),
                llvm::cl::value_desc("NAME=FILE.pb"));

void registerOnnxImportTranslation() {
  TranslateToMLIRRegistration registration(
      "import-onnx", "Import an ONNX model (binary protobuf) into quern",
      [](llvm::SourceMgr &sourceMgr,
         MLIRContext *context) -> OwningOpRef<Operation *> {
        // The same one-line messages as quernc, instead of MLIR's default
        // rendering of fused locations.
        ScopedDiagnosticHandler handler(context, [](Diagnostic &diagnostic) {
          llvm::errs() << formatOnnxDiagnostic(diagnostic) << "\n";
          return success();
        });
        OnnxImportOptions options;
        for (const std::string &spec : inputShapes) {
          std::string error;
          if (!parseInputShape(spec, options, error)) {
            llvm::errs() << "error: --input-shape: " << error << "\n";
            return nullptr;
          }
        }
        for (const std::string &spec : inputValues) {
          std::string error;
          if (!parseInputValue(spec, options, error)) {
            llvm::errs() << "error: --input-value: " << error << "\n";
            return nullptr;
          }
        }
        const llvm::MemoryBuffer *buffer =
            sourceMgr.getMemoryBuffer(sourceMgr.getMainFileID());
        FailureOr<ImportedModel> imported =
            importOnnxModel(buffer->getMemBufferRef(), *context, options);
        if (failed(imported))
          return nullptr;
        return OwningOpRef<Operation *>(imported->module.release());
      },
      [](DialectRegistry &registry) { registerQuernDialects(registry); });
}
