//===- Translation.cpp - quern-translate --quern-to-llvmir ------*- C++ -*-===//
//
// quern IR straight to LLVM IR, through the same CPU pipeline quernc runs, for
// looking at what a model becomes without going through ONNX.
//
//===----------------------------------------------------------------------===//

#include "quern/Driver/Driver.h"

#include "mlir/Target/LLVMIR/Export.h"
#include "mlir/Tools/mlir-translate/Translation.h"
#include "quern/Codegen/CPU/Passes.h"
#include "quern/InitAll.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"

using namespace mlir;

void quern::registerQuernToLLVMIRTranslation() {
  TranslateFromMLIRRegistration registration(
      "quern-to-llvmir",
      "Lower quern IR with the CPU pipeline and translate it to LLVM IR",
      [](Operation *op, raw_ostream &output) {
        PassManager pm(op->getContext(), op->getName().getStringRef());
        buildCPUCodegenPipeline(pm, {});
        if (failed(pm.run(op)))
          return failure();
        llvm::LLVMContext context;
        std::unique_ptr<llvm::Module> module =
            translateModuleToLLVMIR(op, context);
        if (!module)
          return failure();
        module->print(output, nullptr);
        return success();
      },
      [](DialectRegistry &registry) { registerQuernDialects(registry); });
}
