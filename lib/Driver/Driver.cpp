//===- Driver.cpp - ONNX model to compiled artifacts ------------*- C++ -*-===//

#include "quern/Driver/Driver.h"

#include "Artifacts.h"
#include "quern/Codegen/CPU/Passes.h"
#include "quern/SafeTensors.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FileUtilities.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace quern;

namespace {

/// NAME must make C identifiers (`NAME_forward`).
bool isCIdentifier(StringRef name) {
  return !name.empty() && !llvm::isDigit(name.front()) &&
         llvm::all_of(name, [](char c) { return llvm::isAlnum(c) || c == '_'; });
}

class Compilation {
public:
  Compilation(MLIRContext &context, const CompileOptions &options)
      : context(context), options(options), outputs(options.outputStem),
        name(llvm::sys::path::filename(options.outputStem).str()),
        flagLoc(UnknownLoc::get(&context)) {}

  LogicalResult run();

private:
  /// A failure with a diagnostic that is not about the model.
  LogicalResult fail(const Twine &message) {
    emitError(flagLoc) << message;
    return failure();
  }
  LogicalResult writeState(const ImportedModel &model);
  LogicalResult generateCode(ModuleOp module);

  MLIRContext &context;
  const CompileOptions &options;
  OutputSet outputs;
  std::string name;
  Location flagLoc;
  ModelLayout layout;
  TargetSpec target;
  std::string manifest;
};

LogicalResult Compilation::writeState(const ImportedModel &model) {
  std::vector<rt::TensorRef> tensors;
  for (auto [tensor, value] : llvm::zip_equal(layout.state, model.parameters))
    tensors.push_back({tensor.name, tensor.dtype, tensor.shape,
                       value.bytes.data(), value.bytes.size()});
  std::string error;
  if (!rt::writeSafeTensors(outputs.add("safetensors"), tensors,
                            {{"format", "quern-state"}, {"model", name}},
                            error))
    return fail(error);
  return success();
}

LogicalResult Compilation::generateCode(ModuleOp module) {
  PassManager pm(&context);
  (void)applyPassManagerCLOptions(pm);
  buildCPUCodegenPipeline(pm, {});
  if (failed(pm.run(module)))
    return failure();

  auto lowered = module.lookupSymbol<LLVM::LLVMFuncOp>("forward");
  assert(lowered && "the CPU pipeline lowers @forward to the LLVM dialect");
  auto workspaceAttr =
      lowered->getAttrOfType<IntegerAttr>(kWorkspaceBytesAttrName);
  uint64_t workspaceBytes = workspaceAttr.getInt();

  llvm::LLVMContext llvmContext;
  std::unique_ptr<llvm::Module> llvmModule =
      translateModuleToLLVMIR(module, llvmContext, name);
  if (!llvmModule)
    return fail("translation to LLVM IR failed");
  manifest = buildManifest(name, layout, target, workspaceBytes);
  addEntryPoints(*llvmModule, name, "forward", layout, workspaceBytes,
                 manifest);

  std::string error;
  std::unique_ptr<llvm::TargetMachine> machine =
      createTargetMachine(target, options.optLevel, error);
  if (!machine)
    return fail("--target: " + error);
  llvmModule->setTargetTriple(target.triple);
  llvmModule->setDataLayout(machine->createDataLayout());
  optimizeModule(*llvmModule, *machine, options.optLevel);

  bool written = false;
  switch (options.emit) {
  case EmitKind::LLVM: {
    std::string text;
    llvm::raw_string_ostream os(text);
    llvmModule->print(os, nullptr);
    written = outputs.write("ll", text, error);
    break;
  }
  case EmitKind::Assembly:
    written = emitCode(*llvmModule, *machine,
                       llvm::CodeGenFileType::AssemblyFile, outputs.add("s"),
                       error);
    break;
  case EmitKind::Object:
    written = emitCode(*llvmModule, *machine, llvm::CodeGenFileType::ObjectFile,
                       outputs.add("o"), error);
    break;
  case EmitKind::Shared: {
    // The object is only the linker's input.
    llvm::SmallString<128> object;
    if (std::error_code code =
            llvm::sys::fs::createTemporaryFile("quern", "o", object))
      return fail("cannot create a temporary file: " + code.message());
    llvm::FileRemover removeObject(object);
    llvm::Triple triple(target.triple);
    written = emitCode(*llvmModule, *machine, llvm::CodeGenFileType::ObjectFile,
                       object, error) &&
              linkSharedLibrary(
                  object, outputs.add(triple.isOSDarwin() ? "dylib" : "so"),
                  triple, error);
    break;
  }
  case EmitKind::MLIR:
    llvm_unreachable("MLIR output is written before code generation");
  }
  return written ? success() : fail(error);
}

LogicalResult Compilation::run() {
  if (!isCIdentifier(name))
    return fail("-o: the output name '" + name +
                "' must be a C identifier: it prefixes the entry points");
  FailureOr<ImportedModel> model =
      importOnnxFile(options.inputPath, context, options.import);
  if (failed(model))
    return failure();
  auto forward = model->module->lookupSymbol<func::FuncOp>("forward");
  FailureOr<ModelLayout> computed = computeLayout(forward);
  if (failed(computed))
    return failure();
  layout = std::move(*computed);
  target = resolveTarget(options.target);

  std::string error;
  if (!outputs.prepare(error))
    return fail(error);
  if (options.emit == EmitKind::MLIR) {
    std::string text;
    llvm::raw_string_ostream os(text);
    model->module->print(os);
    if (!outputs.write("mlir", text, error))
      return fail(error);
  } else if (failed(generateCode(*model->module))) {
    return failure();
  }
  bool linkable =
      options.emit == EmitKind::Shared || options.emit == EmitKind::Object;
  if (linkable) {
    std::string sourceName =
        llvm::sys::path::filename(options.inputPath).str();
    if (!outputs.write("h", buildHeader(name, layout, sourceName), error) ||
        !outputs.write("json", manifest, error))
      return fail(error);
    if (failed(writeState(*model)))
      return failure();
  }
  if (!outputs.commit(error))
    return fail(error);
  return success();
}

} // namespace

LogicalResult quern::compileModel(MLIRContext &context,
                                  const CompileOptions &options) {
  return Compilation(context, options).run();
}
