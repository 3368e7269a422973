//===- quern-translate.cpp - Quern's translations ---------------*- C++ -*-===//
//
// Like mlir-translate: `--import-onnx` turns an ONNX model into quern IR;
// `--quern-to-llvmir` lowers quern IR to LLVM IR with quernc's CPU pipeline;
// the upstream translations (e.g. `--mlir-to-llvmir`) are there too.
//
//===----------------------------------------------------------------------===//

#include "quern/Driver/Driver.h"

#include "mlir/InitAllTranslations.h"
#include "mlir/Tools/mlir-translate/MlirTranslateMain.h"

/// `--import-onnx` (ImportTranslation.cpp).
void registerOnnxImportTranslation();

int main(int argc, char **argv) {
  mlir::registerAllTranslations();
  registerOnnxImportTranslation();
  quern::registerQuernToLLVMIRTranslation();
  return mlir::failed(
      mlir::mlirTranslateMain(argc, argv, "Quern translation driver\n"));
}
