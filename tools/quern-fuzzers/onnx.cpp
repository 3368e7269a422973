//===- onnx.cpp - libFuzzer target for the ONNX importer ------------------===//
//
// This file is part of Quern.
//
//===----------------------------------------------------------------------===//
//
// Feeds arbitrary bytes to the ONNX importer as a model file. Any input may
// be rejected with diagnostics; none may crash, hang, or trip ASan/UBSan. An
// input that imports must also give a module that verifies.
//
//===----------------------------------------------------------------------===//

#include "quern/Import/ONNX.h"
#include "quern/InitAll.h"

#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "llvm/Support/MemoryBuffer.h"

#include <cstdlib>

static mlir::MLIRContext &context() {
  static mlir::MLIRContext *instance = [] {
    mlir::DialectRegistry registry;
    quern::registerQuernDialects(registry);
    auto *created =
        new mlir::MLIRContext(registry, mlir::MLIRContext::Threading::DISABLED);
    // Bad input is expected: its diagnostics are not the fuzzer's business.
    created->getDiagEngine().registerHandler(
        [](mlir::Diagnostic &) { return mlir::success(); });
    return created;
  }();
  return *instance;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  llvm::MemoryBufferRef buffer(
      llvm::StringRef(reinterpret_cast<const char *>(data), size), "fuzz.onnx");
  mlir::FailureOr<quern::ImportedModel> imported =
      quern::importOnnxModel(buffer, context(), {});
  if (succeeded(imported) && failed(mlir::verify(*imported->module)))
    std::abort();
  return 0;
}
