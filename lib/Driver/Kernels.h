//===- Kernels.h - the outlined kernels of a compiled model -----*- C++ -*-===//
//
// What `quernc --print-kernel-report` prints and the manifest's `kernels`
// lists, read off the lowered module (each kernel function carries the
// quern.kernel attribute outlining gave it). EntryPoints.cpp adds the timers
// that let the library measure the same kernels (addKernelProfile).
//
//===----------------------------------------------------------------------===//

#ifndef QUERN_LIB_DRIVER_KERNELS_H
#define QUERN_LIB_DRIVER_KERNELS_H

#include "quern/Codegen/CPU/TargetDescription.h"
#include "quern/Driver/Layout.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/JSON.h"

#include <map>

namespace quern {

struct KernelInfo {
  /// The kernel's function in the library.
  std::string symbol;
  /// Its op's strategy kind, else the linalg op's name.
  std::string kind;
  /// That op's loop extents.
  std::vector<int64_t> loops;
  /// Its strategy in a few words ("" without one).
  std::string strategy;
  /// The ONNX node of its first call site ("" if it has none).
  std::string source;
  /// Per call.
  int64_t flops = 0, bytes = 0;
  /// Call sites per entry point.
  std::map<std::string, int64_t> calls;
  /// Of the estimated time of the report's entry point (train_step if the
  /// model has one, else forward): calls there times the roofline estimate
  /// of one call, over the sum of that for every kernel.
  double estimatedShare = 0;
};

/// The kernels of `module` (lowered to the LLVM dialect), in the order of
/// their symbols, with estimates for `cpu`.
std::vector<KernelInfo> collectKernels(mlir::ModuleOp module,
                                       const ModelLayout &layout,
                                       const CPUDescription &cpu);

/// The manifest's `kernels` array.
llvm::json::Array kernelsJson(llvm::ArrayRef<KernelInfo> kernels);

/// The table of `quernc --print-kernel-report`, kernels by estimated share.
void printKernelReport(llvm::raw_ostream &os,
                       llvm::ArrayRef<KernelInfo> kernels);

} // namespace quern

#endif // QUERN_LIB_DRIVER_KERNELS_H
