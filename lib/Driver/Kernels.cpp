//===- Kernels.cpp - the outlined kernels of a compiled model ---*- C++ -*-===//

#include "Kernels.h"

#include "quern/Codegen/CPU/Passes.h"
#include "quern/Import/ONNX.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "llvm/Support/Format.h"
#include "llvm/TargetParser/Triple.h"

using namespace mlir;
using namespace quern;

/// The roofline the estimate assumes: two FMA pipes of the CPU's vector
/// width, and 16 bytes a cycle from memory. Only shares are reported, so
/// the clock does not matter; the measured profile says how right it is.
static constexpr double kFmaPipes = 2, kBytesPerCycle = 16;

/// "cache 96x128x256 in order 1,0,2, registers 6x32x1, split, parallel"
/// (the order only where the strategy sets one).
static std::string describeStrategy(DictionaryAttr strategy) {
  if (!strategy)
    return "";
  std::string text;
  llvm::raw_string_ostream os(text);
  auto tiles = [&](StringRef key, StringRef label) {
    if (auto sizes = strategy.getAs<DenseI64ArrayAttr>(key)) {
      if (!text.empty())
        os << ", ";
      os << label << " ";
      llvm::interleave(sizes.asArrayRef(), os, "x");
    }
  };
  tiles("cache_tiles", "cache");
  if (auto order = strategy.getAs<DenseI64ArrayAttr>("cache_order")) {
    os << " in order ";
    llvm::interleave(order.asArrayRef(), os, ",");
  }
  tiles("register_tiles", "registers");
  if (strategy.get("split"))
    os << ", split";
  if (auto parallel = strategy.getAs<BoolAttr>("parallel");
      parallel && parallel.getValue())
    os << ", parallel";
  return text;
}

std::vector<KernelInfo> quern::collectKernels(ModuleOp module,
                                              const ModelLayout &layout,
                                              const CPUDescription &cpu) {
  std::vector<KernelInfo> kernels;
  llvm::StringMap<size_t> bySymbol;
  for (auto function : module.getOps<LLVM::LLVMFuncOp>()) {
    auto facts = function->getAttrOfType<DictionaryAttr>(kKernelAttrName);
    if (!facts)
      continue;
    KernelInfo &kernel = kernels.emplace_back();
    kernel.symbol = function.getSymName().str();
    kernel.kind = facts.getAs<StringAttr>("kind").str();
    llvm::append_range(kernel.loops,
                       facts.getAs<DenseI64ArrayAttr>("loops").asArrayRef());
    kernel.strategy = describeStrategy(facts.getAs<DictionaryAttr>("strategy"));
    kernel.source = describeOnnxNode(function.getLoc());
    kernel.flops = facts.getAs<IntegerAttr>("flops").getInt();
    kernel.bytes = facts.getAs<IntegerAttr>("bytes").getInt();
    bySymbol[kernel.symbol] = kernels.size() - 1;
  }
  for (const EntryPointLayout &entry : layout.entryPoints)
    if (auto function = module.lookupSymbol<LLVM::LLVMFuncOp>(entry.name))
      function.walk([&](LLVM::CallOp call) {
        if (std::optional<StringRef> callee = call.getCallee())
          if (auto found = bySymbol.find(*callee); found != bySymbol.end())
            ++kernels[found->second].calls[entry.name];
      });

  // Shares of the training step if there is one, else of forward.
  StringRef reported =
      layout.entryPoint("train_step") ? "train_step" : "forward";
  double flopsPerCycle = kFmaPipes * 2 * cpu.vectorBits / 32;
  std::vector<double> cycles;
  for (const KernelInfo &kernel : kernels) {
    auto calls = kernel.calls.find(reported.str());
    cycles.push_back(
        std::max(kernel.flops / flopsPerCycle, kernel.bytes / kBytesPerCycle) *
        (calls == kernel.calls.end() ? 0 : calls->second));
  }
  double total = 0;
  for (double each : cycles)
    total += each;
  for (auto [kernel, each] : llvm::zip_equal(kernels, cycles))
    kernel.estimatedShare = total > 0 ? each / total : 0;
  return kernels;
}

llvm::json::Array quern::kernelsJson(ArrayRef<KernelInfo> kernels) {
  llvm::json::Array array;
  for (const KernelInfo &kernel : kernels) {
    llvm::json::Object calls;
    for (const auto &[entry, count] : kernel.calls)
      calls[entry] = count;
    array.push_back(
        llvm::json::Object{{"symbol", kernel.symbol},
                           {"kind", kernel.kind},
                           {"loops", llvm::json::Array(kernel.loops)},
                           {"strategy", kernel.strategy},
                           {"source", kernel.source},
                           {"flops", kernel.flops},
                           {"bytes", kernel.bytes},
                           {"calls", std::move(calls)},
                           {"estimated_share", kernel.estimatedShare}});
  }
  return array;
}

void quern::printKernelReport(llvm::raw_ostream &os,
                              ArrayRef<KernelInfo> kernels) {
  std::vector<const KernelInfo *> order;
  for (const KernelInfo &kernel : kernels)
    order.push_back(&kernel);
  llvm::sort(order, [](const KernelInfo *a, const KernelInfo *b) {
    return std::tie(b->estimatedShare, a->symbol) <
           std::tie(a->estimatedShare, b->symbol);
  });
  os << llvm::format("%zu kernels, by estimated share of a step (a "
                     "roofline of the FLOPs and bytes of each call)\n",
                     kernels.size());
  os << "  share calls MFLOP/call  kernel                   loops            "
        "kind (strategy); source\n";
  for (const KernelInfo *kernel : order) {
    int64_t calls = 0;
    for (const auto &entry : kernel->calls)
      calls = std::max(calls, entry.second);
    std::string loops;
    llvm::raw_string_ostream loopsOs(loops);
    llvm::interleave(kernel->loops, loopsOs, "x");
    os << llvm::format("%6.2f%% %5lld %10.3f  %-24s %-16s ",
                       100 * kernel->estimatedShare,
                       static_cast<long long>(calls), kernel->flops / 1e6,
                       kernel->symbol.c_str(), loops.c_str())
       << kernel->kind;
    if (!kernel->strategy.empty())
      os << " (" << kernel->strategy << ")";
    if (!kernel->source.empty())
      os << "; " << kernel->source;
    os << "\n";
  }
}
