//===- quern-opt.cpp - the opt tool of Quern --------------------*- C++ -*-===//
//
// Like mlir-opt, with every upstream dialect and pass plus Quern's, so that
// any stage of quernc's pipeline can be reproduced and tested in isolation.
//
//===----------------------------------------------------------------------===//

#include "quern/InitAll.h"

#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::DialectRegistry registry;
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  quern::registerQuernDialects(registry);
  mlir::registerAllPasses();
  quern::registerQuernPasses();
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "Quern optimizer driver\n", registry));
}
