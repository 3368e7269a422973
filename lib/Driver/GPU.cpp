//===- GPU.cpp - what a library for an AMD GPU adds -------------*- C++ -*-===//
//
// A library built for an AMD GPU is a host library: its entry points
// compute views into the caller's buffers and launch kernels from a code
// object it embeds. The launches call MLIR's GPU runtime interface, which
// the HIP glue (runtime/hip/Glue.c, linked in as bitcode) implements.
//
//===----------------------------------------------------------------------===//

#include "Artifacts.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "llvm/Bitcode/BitcodeReader.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/Linker/Linker.h"
#include "llvm/Support/MemoryBuffer.h"

using namespace llvm;
using namespace quern;

/// The glue's bitcode, built with the compiler.
static const unsigned char kHIPGlue[] = {
#include "HipGlue.inc"
};

json::Object quern::gpuJson(const TargetSpec &gpu, bool onHost) {
  return json::Object{{"triple", gpu.triple},
                      {"chip", gpu.cpu},
                      {"features", gpu.features},
                      {"wavefront_size", describeGPU(gpu).wavefrontSize},
                      {"on_host", onHost}};
}

StringRef quern::codeObjectOf(mlir::ModuleOp module) {
  for (auto binary : module.getOps<mlir::gpu::BinaryOp>())
    for (auto object : binary.getObjects().getAsRange<mlir::gpu::ObjectAttr>())
      return object.getObject().getValue();
  return {};
}

bool quern::addHIPGlue(Module &module, StringRef name,
                       const ModelLayout &layout, std::string &error) {
  std::unique_ptr<MemoryBuffer> buffer = MemoryBuffer::getMemBuffer(
      StringRef(reinterpret_cast<const char *>(kHIPGlue), sizeof(kHIPGlue)),
      "HipGlue.bc", /*RequiresNullTerminator=*/false);
  Expected<std::unique_ptr<Module>> glue =
      parseBitcodeFile(*buffer, module.getContext());
  if (!glue) {
    error = "the HIP glue: " + toString(glue.takeError());
    return false;
  }
  (*glue)->setTargetTriple(module.getTargetTriple());
  (*glue)->setDataLayout(module.getDataLayout());
  std::vector<std::string> defined;
  for (Function &function : **glue)
    if (!function.isDeclaration())
      defined.push_back(function.getName().str());
  if (Linker::linkModules(module, std::move(*glue))) {
    error = "cannot link the HIP glue";
    return false;
  }
  for (const std::string &symbol : defined) {
    Function *function = module.getFunction(symbol);
    StringRef api = function->getName();
    if (api.consume_front("quern_"))
      function->setName(name + "_" + api);
    else
      function->setLinkage(GlobalValue::InternalLinkage);
  }
  Function *finish = module.getFunction("glueFinish");
  Function *deviceError = module.getFunction((name + "_device_error").str());
  for (const EntryPointLayout &entry : layout.entryPoints) {
    Function *wrapper = module.getFunction((name + "_" + entry.name).str());
    auto *ret = cast<ReturnInst>(wrapper->back().getTerminator());
    IRBuilder<> builder(ret);
    builder.CreateCall(finish);
    Value *failed = builder.CreateIsNotNull(builder.CreateCall(deviceError));
    ret->setOperand(0, builder.CreateZExt(failed, builder.getInt32Ty()));
  }
  return true;
}
