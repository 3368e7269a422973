//===- EntryPoints.cpp - the C ABI around the generated code ----*- C++ -*-===//
//
// The lowered function takes one bare pointer per tensor. The ABI takes a
// state buffer, a workspace and two pointer arrays; the wrapper below
// translates one into the other using the layout's offsets, so the pointer
// arithmetic lives in exactly one place.
//
//===----------------------------------------------------------------------===//

#include "Artifacts.h"

#include "llvm/IR/IRBuilder.h"
#include "llvm/Transforms/Utils/ModuleUtils.h"

using namespace llvm;
using namespace quern;

/// `define RET @NAME() { ret VALUE }`.
static void addConstantFunction(Module &module, StringRef name,
                                Constant *value) {
  auto *type = FunctionType::get(value->getType(), false);
  Function *function =
      Function::Create(type, GlobalValue::ExternalLinkage, name, module);
  IRBuilder<> builder(BasicBlock::Create(module.getContext(), "", function));
  builder.CreateRet(value);
}

void quern::addThreadControl(Module &module) {
  // static void init(void) {
  //   const char *n = getenv("QUERN_NUM_THREADS");
  //   if (n && atoi(n) > 0) omp_set_num_threads(atoi(n));
  // }
  LLVMContext &context = module.getContext();
  Type *ptr = PointerType::getUnqual(context);
  Type *i32 = Type::getInt32Ty(context);
  FunctionCallee getenv =
      module.getOrInsertFunction("getenv", FunctionType::get(ptr, ptr, false));
  FunctionCallee atoi =
      module.getOrInsertFunction("atoi", FunctionType::get(i32, ptr, false));
  FunctionCallee setThreads = module.getOrInsertFunction(
      "omp_set_num_threads",
      FunctionType::get(Type::getVoidTy(context), i32, false));
  Function *init = Function::Create(
      FunctionType::get(Type::getVoidTy(context), false),
      GlobalValue::InternalLinkage, "quern.init_threads", module);
  BasicBlock *entry = BasicBlock::Create(context, "", init);
  BasicBlock *parse = BasicBlock::Create(context, "parse", init);
  BasicBlock *set = BasicBlock::Create(context, "set", init);
  BasicBlock *done = BasicBlock::Create(context, "done", init);
  IRBuilder<> builder(entry);
  Value *text = builder.CreateCall(
      getenv, builder.CreateGlobalStringPtr("QUERN_NUM_THREADS"));
  builder.CreateCondBr(builder.CreateIsNull(text), done, parse);
  builder.SetInsertPoint(parse);
  Value *count = builder.CreateCall(atoi, text);
  builder.CreateCondBr(
      builder.CreateICmpSGT(count, ConstantInt::get(i32, 0)), set, done);
  builder.SetInsertPoint(set);
  builder.CreateCall(setThreads, count);
  builder.CreateBr(done);
  builder.SetInsertPoint(done);
  builder.CreateRetVoid();
  appendToGlobalCtors(module, init, 0);
}

void quern::addEntryPoints(Module &module, StringRef name,
                           const ModelLayout &layout, uint64_t workspaceBytes,
                           StringRef manifest) {
  LLVMContext &context = module.getContext();
  // Everything generated so far is an implementation detail.
  for (Function &function : module.functions())
    if (!function.isDeclaration())
      function.setLinkage(GlobalValue::InternalLinkage);
  for (GlobalVariable &global : module.globals())
    if (!global.isDeclaration())
      global.setLinkage(GlobalValue::InternalLinkage);

  Type *ptr = PointerType::getUnqual(context);
  Type *i32 = Type::getInt32Ty(context);
  Type *i64 = Type::getInt64Ty(context);
  Type *i8 = Type::getInt8Ty(context);
  for (const EntryPointLayout &entry : layout.entryPoints) {
    Function *impl = module.getFunction(entry.name);
    assert(impl && "every entry point's function is in the module");
    assert(impl->arg_size() ==
               entry.arguments.size() + entry.outputs.size() + 1 &&
           "lowered signature: arguments, outputs, workspace");
    // The ABI forbids overlapping buffers, and every tensor of the lowered
    // function is a distinct buffer (workspace views are derived from the
    // one workspace pointer): telling LLVM lets it keep values in registers
    // and vectorize without run-time overlap checks.
    for (Argument &argument : impl->args())
      argument.addAttr(Attribute::NoAlias);

    auto *type = FunctionType::get(i32, {ptr, ptr, ptr, ptr}, false);
    Function *wrapper = Function::Create(
        type, GlobalValue::ExternalLinkage, name + "_" + entry.name, module);
    Argument *state = wrapper->getArg(0), *workspace = wrapper->getArg(1),
             *inputs = wrapper->getArg(2), *outputs = wrapper->getArg(3);
    state->setName("state");
    workspace->setName("workspace");
    inputs->setName("inputs");
    outputs->setName("outputs");

    IRBuilder<> builder(BasicBlock::Create(context, "", wrapper));
    auto loadPointer = [&](Value *array, size_t index) {
      Value *slot = builder.CreateConstInBoundsGEP1_64(ptr, array, index);
      return builder.CreateLoad(ptr, slot);
    };
    SmallVector<Value *> args;
    for (int64_t argument : entry.arguments)
      args.push_back(argument >= 0
                         ? builder.CreateConstInBoundsGEP1_64(
                               i8, state, layout.state[argument].offset)
                         : loadPointer(inputs, -1 - argument));
    for (size_t index = 0; index < entry.outputs.size(); ++index)
      args.push_back(loadPointer(outputs, index));
    args.push_back(workspace);
    builder.CreateCall(impl, args);
    builder.CreateRet(ConstantInt::get(i32, 0));
  }

  addConstantFunction(module, (name + "_state_bytes").str(),
                      ConstantInt::get(i64, layout.stateBytes));
  addConstantFunction(module, (name + "_workspace_bytes").str(),
                      ConstantInt::get(i64, workspaceBytes));
  Constant *text = ConstantDataArray::getString(context, manifest);
  auto *manifestGlobal = new GlobalVariable(
      module, text->getType(), /*isConstant=*/true,
      GlobalValue::InternalLinkage, text, (name + "_manifest_text").str());
  addConstantFunction(module, (name + "_manifest").str(), manifestGlobal);
}
