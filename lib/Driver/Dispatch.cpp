//===- Dispatch.cpp - parallel loops on libdispatch -------------*- C++ -*-===//
//
// MLIR lowers a parallel loop to OpenMP: a __kmpc_fork_call of an outlined
// function (its captures in one struct), which asks
// __kmpc_global_thread_num who it is and __kmpc_for_static_init_8u which
// iterations of the canonical loop (0 to trip count - 1, step 1) are its
// own. macOS has no OpenMP runtime but has libdispatch: here those calls
// become a dispatch_apply_f over one work item per thread, each running the
// outlined function as thread `index` of the team, and the static schedule
// is computed in the library, as libomp's balanced one: the first
// trip % team threads take one iteration more. Threads still split output
// tiles, never a sum, so results do not depend on the thread count.
//
//===----------------------------------------------------------------------===//

#include "Artifacts.h"

#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/Instructions.h"

using namespace llvm;
using namespace quern;

/// OpenMP's kmp_sch_static: the iterations in one block per thread.
static constexpr int kStaticSchedule = 34;

/// sysconf's _SC_NPROCESSORS_ONLN.
static int processorsOnline(const Triple &triple) {
  return triple.isOSDarwin() ? 58 : 84;
}

/// Gives the declaration `name`, if the module has it, a body that `build`
/// makes, internal to the library.
static void
defineInternal(Module &module, StringRef name,
               function_ref<void(IRBuilder<> &, Function *)> build) {
  Function *function = module.getFunction(name);
  if (!function || !function->isDeclaration())
    return;
  function->setLinkage(GlobalValue::InternalLinkage);
  IRBuilder<> builder(BasicBlock::Create(module.getContext(), "", function));
  build(builder, function);
}

bool quern::lowerOpenMPToDispatch(Module &module, const Triple &triple,
                                  std::string &error) {
  LLVMContext &context = module.getContext();
  Type *ptr = PointerType::getUnqual(context);
  Type *i32 = Type::getInt32Ty(context);
  Type *i64 = Type::getInt64Ty(context);
  Type *voidType = Type::getVoidTy(context);
  auto *zero32 = ConstantInt::get(i32, 0);

  // Threads per parallel loop: omp_set_num_threads's (QUERN_NUM_THREADS),
  // else OMP_NUM_THREADS, else one per processor online. Only the
  // library's constructors set it, so every loop's team is this many.
  auto *threads =
      new GlobalVariable(module, i32, false, GlobalValue::InternalLinkage,
                         zero32, "quern.dispatch.threads");
  defineInternal(module, "omp_set_num_threads",
                 [&](IRBuilder<> &builder, Function *function) {
                   builder.CreateStore(function->getArg(0), threads);
                   builder.CreateRetVoid();
                 });
  addEnvironmentConstructor(
      module, "OMP_NUM_THREADS", "quern.dispatch.init_threads",
      [&](IRBuilder<> &builder, Value *count) {
        // if (threads <= 0) threads = count > 0 ? count : sysconf(ONLN);
        FunctionCallee sysconf = module.getOrInsertFunction(
            "sysconf", FunctionType::get(i64, {i32}, false));
        Value *online = builder.CreateTrunc(
            builder.CreateCall(
                sysconf, {ConstantInt::get(i32, processorsOnline(triple))}),
            i32);
        Value *fallback = builder.CreateSelect(
            builder.CreateICmpSGT(count, zero32), count,
            builder.CreateSelect(builder.CreateICmpSGT(online, zero32), online,
                                 ConstantInt::get(i32, 1)));
        Value *set = builder.CreateLoad(i32, threads);
        builder.CreateStore(
            builder.CreateSelect(builder.CreateICmpSGT(set, zero32), set,
                                 fallback),
            threads);
      });

  // static void worker(void *context, size_t index): the outlined function
  // of context[0] on its captures context[1], as thread `index`.
  Function *worker = Function::Create(
      FunctionType::get(voidType, {ptr, i64}, false),
      GlobalValue::InternalLinkage, "quern.dispatch.worker", module);
  auto *closure = StructType::get(ptr, ptr);
  {
    IRBuilder<> builder(BasicBlock::Create(context, "", worker));
    Value *task = builder.CreateLoad(
        ptr, builder.CreateStructGEP(closure, worker->getArg(0), 0));
    Value *captures = builder.CreateLoad(
        ptr, builder.CreateStructGEP(closure, worker->getArg(0), 1));
    Value *id = builder.CreateAlloca(i32);
    builder.CreateStore(builder.CreateTrunc(worker->getArg(1), i32), id);
    Value *bound = builder.CreateAlloca(i32);
    builder.CreateStore(zero32, bound);
    builder.CreateCall(FunctionType::get(voidType, {ptr, ptr, ptr}, false),
                       task, {id, bound, captures});
    builder.CreateRetVoid();
  }

  // Each fork becomes: dispatch_apply_f(threads, auto queue,
  // {task, captures}, worker).
  FunctionCallee apply = module.getOrInsertFunction(
      "dispatch_apply_f",
      FunctionType::get(voidType, {i64, ptr, ptr, ptr}, false));
  SmallPtrSet<Function *, 16> tasks;
  if (Function *fork = module.getFunction("__kmpc_fork_call")) {
    for (User *user : llvm::make_early_inc_range(fork->users())) {
      auto *call = dyn_cast<CallInst>(user);
      auto *captureCount =
          call ? dyn_cast<ConstantInt>(call->getArgOperand(1)) : nullptr;
      auto *task = call ? dyn_cast<Function>(call->getArgOperand(2)) : nullptr;
      if (!captureCount || !task || captureCount->getZExtValue() != 1 ||
          call->arg_size() != 4) {
        error = "a parallel region that is not one outlined function of one "
                "capture struct cannot run on libdispatch";
        return false;
      }
      // The task now reads its thread from its first argument.
      if (tasks.insert(task).second)
        task->removeParamAttr(0, Attribute::ReadNone);
      Function *caller = call->getFunction();
      IRBuilder<> entry(&*caller->getEntryBlock().getFirstInsertionPt());
      Value *context = entry.CreateAlloca(closure);
      IRBuilder<> builder(call);
      builder.CreateStore(task, builder.CreateStructGEP(closure, context, 0));
      builder.CreateStore(call->getArgOperand(3),
                          builder.CreateStructGEP(closure, context, 1));
      Value *count = builder.CreateLoad(i32, threads);
      builder.CreateCall(apply,
                         {builder.CreateZExt(count, i64),
                          ConstantPointerNull::get(cast<PointerType>(ptr)),
                          context, worker});
      call->eraseFromParent();
    }
    fork->eraseFromParent();
  }

  // A task's thread is the index its worker passed; outside tasks, 0.
  if (Function *threadNum = module.getFunction("__kmpc_global_thread_num")) {
    for (User *user : llvm::make_early_inc_range(threadNum->users())) {
      auto *call = cast<CallInst>(user);
      Function *in = call->getFunction();
      Value *id = zero32;
      if (tasks.contains(in)) {
        IRBuilder<> builder(call);
        id = builder.CreateLoad(i32, in->getArg(0));
      }
      call->replaceAllUsesWith(id);
      call->eraseFromParent();
    }
    threadNum->eraseFromParent();
  }

  // void __kmpc_for_static_init_8u(ident, thread, schedule, *last, *lower,
  //                                *upper, *stride, increment, chunk)
  // on the canonical loop [*lower, *upper], step 1: thread t of n takes
  // trip / n iterations, one more if t < trip % n, after those before it.
  if (Function *init = module.getFunction("__kmpc_for_static_init_8u")) {
    for (User *user : init->users()) {
      auto *call = cast<CallInst>(user);
      auto *schedule = dyn_cast<ConstantInt>(call->getArgOperand(2));
      auto *increment = dyn_cast<ConstantInt>(call->getArgOperand(7));
      if (!schedule || schedule->getSExtValue() != kStaticSchedule ||
          !increment || increment->getZExtValue() != 1) {
        error = "a parallel loop other than a static schedule of step 1 "
                "cannot run on libdispatch";
        return false;
      }
    }
  }
  defineInternal(
      module, "__kmpc_for_static_init_8u",
      [&](IRBuilder<> &builder, Function *function) {
        Value *last = function->getArg(3), *lowerPtr = function->getArg(4),
              *upperPtr = function->getArg(5), *stridePtr = function->getArg(6);
        Value *lower = builder.CreateLoad(i64, lowerPtr);
        Value *upper = builder.CreateLoad(i64, upperPtr);
        Value *one = ConstantInt::get(i64, 1);
        Value *trip = builder.CreateAdd(builder.CreateSub(upper, lower), one);
        Value *size = builder.CreateZExt(builder.CreateLoad(i32, threads), i64);
        Value *thread = builder.CreateZExt(function->getArg(1), i64);
        Value *share = builder.CreateUDiv(trip, size);
        Value *extra = builder.CreateURem(trip, size);
        Value *before = builder.CreateSelect(
            builder.CreateICmpULT(thread, extra), thread, extra);
        Value *begin = builder.CreateAdd(
            lower, builder.CreateAdd(builder.CreateMul(thread, share), before));
        Value *count = builder.CreateAdd(
            share,
            builder.CreateZExt(builder.CreateICmpULT(thread, extra), i64));
        builder.CreateStore(begin, lowerPtr);
        builder.CreateStore(
            builder.CreateSub(builder.CreateAdd(begin, count), one), upperPtr);
        builder.CreateStore(trip, stridePtr);
        // The thread with the loop's last iteration: the last of the team,
        // or of the first `trip` threads when there are fewer iterations.
        Value *lastThread = builder.CreateSub(
            builder.CreateSelect(builder.CreateICmpULT(trip, size), trip, size),
            one);
        builder.CreateStore(
            builder.CreateZExt(builder.CreateICmpEQ(thread, lastThread), i32),
            last);
        builder.CreateRetVoid();
      });
  defineInternal(
      module, "__kmpc_for_static_fini",
      [](IRBuilder<> &builder, Function *) { builder.CreateRetVoid(); });

  for (Function &function : module.functions())
    if (function.isDeclaration() && !function.use_empty() &&
        (function.getName().starts_with("__kmpc_") ||
         function.getName().starts_with("omp_"))) {
      error = "the OpenMP runtime call " + function.getName().str() +
              " has no libdispatch counterpart";
      return false;
    }
  return true;
}
