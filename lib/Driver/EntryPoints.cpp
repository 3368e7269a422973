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

void quern::addEnvironmentConstructor(
    Module &module, StringRef variable, StringRef name,
    function_ref<void(IRBuilder<> &, Value *)> body) {
  // static void NAME(void) {
  //   const char *text = getenv(VARIABLE);
  //   int count = text ? atoi(text) : 0;
  //   BODY
  // }
  LLVMContext &context = module.getContext();
  Type *ptr = PointerType::getUnqual(context);
  Type *i32 = Type::getInt32Ty(context);
  FunctionCallee getenv =
      module.getOrInsertFunction("getenv", FunctionType::get(ptr, ptr, false));
  FunctionCallee atoi =
      module.getOrInsertFunction("atoi", FunctionType::get(i32, ptr, false));
  Function *init =
      Function::Create(FunctionType::get(Type::getVoidTy(context), false),
                       GlobalValue::InternalLinkage, name, module);
  BasicBlock *entry = BasicBlock::Create(context, "", init);
  BasicBlock *parse = BasicBlock::Create(context, "parse", init);
  BasicBlock *read = BasicBlock::Create(context, "read", init);
  IRBuilder<> builder(entry);
  Value *text =
      builder.CreateCall(getenv, builder.CreateGlobalStringPtr(variable));
  builder.CreateCondBr(builder.CreateIsNull(text), read, parse);
  builder.SetInsertPoint(parse);
  Value *parsed = builder.CreateCall(atoi, text);
  builder.CreateBr(read);
  builder.SetInsertPoint(read);
  PHINode *count = builder.CreatePHI(i32, 2);
  count->addIncoming(ConstantInt::get(i32, 0), entry);
  count->addIncoming(parsed, parse);
  body(builder, count);
  builder.CreateRetVoid();
  appendToGlobalCtors(module, init, 0);
}

void quern::addThreadControl(Module &module) {
  // if (QUERN_NUM_THREADS > 0) omp_set_num_threads(QUERN_NUM_THREADS);
  LLVMContext &context = module.getContext();
  Type *i32 = Type::getInt32Ty(context);
  FunctionCallee setThreads = module.getOrInsertFunction(
      "omp_set_num_threads",
      FunctionType::get(Type::getVoidTy(context), i32, false));
  addEnvironmentConstructor(
      module, "QUERN_NUM_THREADS", "quern.init_threads",
      [&](IRBuilder<> &builder, Value *count) {
        Function *init = builder.GetInsertBlock()->getParent();
        BasicBlock *set = BasicBlock::Create(context, "set", init);
        BasicBlock *done = BasicBlock::Create(context, "done", init);
        builder.CreateCondBr(
            builder.CreateICmpSGT(count, ConstantInt::get(i32, 0)), set, done);
        builder.SetInsertPoint(set);
        builder.CreateCall(setThreads, count);
        builder.CreateBr(done);
        builder.SetInsertPoint(done);
      });
}

bool quern::addCommunicator(Module &module, StringRef name) {
  Function *start = module.getFunction("quern_collective_start");
  Function *wait = module.getFunction("quern_collective_wait");
  if (!start && !wait)
    return false;
  LLVMContext &context = module.getContext();
  Type *ptr = PointerType::getUnqual(context);
  Type *i64 = Type::getInt64Ty(context);
  Type *voidType = Type::getVoidTy(context);
  auto makeGlobal = [&](StringRef global, Type *type) {
    return new GlobalVariable(module, type, false, GlobalValue::InternalLinkage,
                              Constant::getNullValue(type), global);
  };
  GlobalVariable *slots[] = {makeGlobal("quern.communicator.context", ptr),
                             makeGlobal("quern.communicator.start", ptr),
                             makeGlobal("quern.communicator.wait", ptr),
                             makeGlobal("quern.communicator.rank", i64)};

  // void NAME_set_communicator(void *context, fn start, fn wait,
  //                            int64_t rank)
  Function *set = Function::Create(
      FunctionType::get(voidType, {ptr, ptr, ptr, i64}, false),
      GlobalValue::ExternalLinkage, name + "_set_communicator", module);
  IRBuilder<> builder(BasicBlock::Create(context, "", set));
  for (auto [slot, argument] : llvm::zip_equal(slots, set->args()))
    builder.CreateStore(&argument, slot);
  builder.CreateRetVoid();

  // int64_t quern_process_rank(void) { return rank; }
  if (Function *rank = module.getFunction("quern_process_rank")) {
    rank->setLinkage(GlobalValue::InternalLinkage);
    builder.SetInsertPoint(BasicBlock::Create(context, "", rank));
    builder.CreateRet(builder.CreateLoad(i64, slots[3]));
  }

  // quern_collective_X(bucket, kind, values, count):
  //   if (X) X(context, bucket, kind, values, count);
  auto *bucketFn =
      FunctionType::get(voidType, {ptr, i64, i64, ptr, i64}, false);
  for (auto [function, slot] :
       {std::pair(start, slots[1]), std::pair(wait, slots[2])}) {
    if (!function)
      continue;
    function->setLinkage(GlobalValue::InternalLinkage);
    BasicBlock *entry = BasicBlock::Create(context, "", function);
    BasicBlock *call = BasicBlock::Create(context, "call", function);
    BasicBlock *done = BasicBlock::Create(context, "done", function);
    builder.SetInsertPoint(entry);
    Value *callee = builder.CreateLoad(ptr, slot);
    builder.CreateCondBr(builder.CreateIsNull(callee), done, call);
    builder.SetInsertPoint(call);
    builder.CreateCall(bucketFn, callee,
                       {builder.CreateLoad(ptr, slots[0]), function->getArg(0),
                        function->getArg(1), function->getArg(2),
                        function->getArg(3)});
    builder.CreateBr(done);
    builder.SetInsertPoint(done);
    builder.CreateRetVoid();
  }
  return true;
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
    Function *wrapper = Function::Create(type, GlobalValue::ExternalLinkage,
                                         name + "_" + entry.name, module);
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

void quern::addKernelProfile(llvm::Module &module, StringRef name,
                             ArrayRef<KernelInfo> kernels,
                             const llvm::Triple &triple) {
  LLVMContext &context = module.getContext();
  Type *ptr = PointerType::getUnqual(context);
  Type *i8 = Type::getInt8Ty(context);
  Type *i32 = Type::getInt32Ty(context);
  Type *i64 = Type::getInt64Ty(context);
  auto *counters = ArrayType::get(i64, kernels.size());
  auto makeGlobal = [&](Type *type, StringRef globalName) {
    return new GlobalVariable(module, type, /*isConstant=*/false,
                              GlobalValue::InternalLinkage,
                              Constant::getNullValue(type), globalName);
  };
  GlobalVariable *enabled = makeGlobal(i8, "quern.profile.enabled");
  GlobalVariable *nanoseconds = makeGlobal(counters, "quern.profile.ns");
  GlobalVariable *callCounts = makeGlobal(counters, "quern.profile.calls");

  // enabled = QUERN_PROFILE > 0, when the library loads.
  addEnvironmentConstructor(
      module, "QUERN_PROFILE", "quern.init_profile",
      [&](IRBuilder<> &builder, Value *count) {
        builder.CreateStore(
            builder.CreateZExt(
                builder.CreateICmpSGT(count, ConstantInt::get(i32, 0)), i8),
            enabled);
      });

  // static uint64_t now(void): monotonic nanoseconds.
  FunctionCallee clockGettime = module.getOrInsertFunction(
      "clock_gettime", FunctionType::get(i32, {i32, ptr}, false));
  Function *now = Function::Create(FunctionType::get(i64, false),
                                   GlobalValue::InternalLinkage,
                                   "quern.profile.now", module);
  {
    IRBuilder<> builder(BasicBlock::Create(context, "", now));
    auto *timespec = StructType::get(i64, i64);
    Value *time = builder.CreateAlloca(timespec);
    // CLOCK_MONOTONIC.
    builder.CreateCall(
        clockGettime,
        {ConstantInt::get(i32, triple.isOSDarwin() ? 6 : 1), time});
    Value *seconds =
        builder.CreateLoad(i64, builder.CreateStructGEP(timespec, time, 0));
    Value *nanos =
        builder.CreateLoad(i64, builder.CreateStructGEP(timespec, time, 1));
    builder.CreateRet(builder.CreateAdd(
        builder.CreateMul(seconds, ConstantInt::get(i64, 1000000000)), nanos));
  }

  // Each kernel's calls go through KERNEL.timed, which calls it, timed or
  // not. It is not inlined: a step calls thousands of kernels (more with
  // recomputation), and the timing code inlined at each call made the step's
  // function several times longer, and LLVM's work on it several times
  // slower, for nothing when no profile is asked for.
  for (size_t index = 0; index < kernels.size(); ++index) {
    const KernelInfo &kernel = kernels[index];
    Function *function = module.getFunction(kernel.symbol);
    assert(function && "every kernel listed is in the module");
    Function *timed = Function::Create(function->getFunctionType(),
                                       GlobalValue::InternalLinkage,
                                       kernel.symbol + ".timed", module);
    timed->addFnAttr(Attribute::NoInline);
    for (Use &use : llvm::make_early_inc_range(function->uses()))
      if (auto *call = dyn_cast<CallInst>(use.getUser());
          call && call->isCallee(&use))
        call->setCalledFunction(timed);
    SmallVector<Value *> args;
    for (Argument &argument : timed->args())
      args.push_back(&argument);
    BasicBlock *entry = BasicBlock::Create(context, "", timed);
    BasicBlock *plain = BasicBlock::Create(context, "plain", timed);
    BasicBlock *measured = BasicBlock::Create(context, "timed", timed);
    IRBuilder<> builder(entry);
    builder.CreateCondBr(
        builder.CreateIsNotNull(builder.CreateLoad(i8, enabled)), measured,
        plain);
    builder.SetInsertPoint(plain);
    builder.CreateCall(function, args);
    builder.CreateRetVoid();
    builder.SetInsertPoint(measured);
    Value *start = builder.CreateCall(now);
    builder.CreateCall(function, args);
    Value *elapsed = builder.CreateSub(builder.CreateCall(now), start);
    // Atomic: calls with distinct workspaces may run concurrently.
    auto accumulate = [&](GlobalVariable *array, Value *amount) {
      builder.CreateAtomicRMW(
          AtomicRMWInst::Add,
          builder.CreateConstInBoundsGEP2_64(counters, array, 0, index), amount,
          MaybeAlign(8), AtomicOrdering::Monotonic);
    };
    accumulate(nanoseconds, elapsed);
    accumulate(callCounts, ConstantInt::get(i64, 1));
    builder.CreateRetVoid();
  }

  // uint64_t NAME_kernel_profile(uint64_t *ns, uint64_t *calls,
  //                              uint64_t capacity)
  Function *copy = Function::Create(
      FunctionType::get(i64, {ptr, ptr, i64}, false),
      GlobalValue::ExternalLinkage, name + "_kernel_profile", module);
  IRBuilder<> builder(BasicBlock::Create(context, "", copy));
  Value *count = ConstantInt::get(i64, kernels.size());
  Value *bytes = builder.CreateMul(
      builder.CreateBinaryIntrinsic(Intrinsic::umin, copy->getArg(2), count),
      ConstantInt::get(i64, 8));
  builder.CreateMemCpy(copy->getArg(0), MaybeAlign(8), nanoseconds,
                       MaybeAlign(8), bytes);
  builder.CreateMemCpy(copy->getArg(1), MaybeAlign(8), callCounts,
                       MaybeAlign(8), bytes);
  builder.CreateRet(count);
}
