//===- Target.h - target machines, LLVM IR to objects, linking --*- C++ -*-===//
//
// Everything that depends on the machine code is produced for: the
// triple/CPU/features triple, LLVM's optimization pipeline, object emission
// and linking a shared library.
//
//===----------------------------------------------------------------------===//

#ifndef QUERN_TARGET_TARGET_H
#define QUERN_TARGET_TARGET_H

#include "quern/Codegen/CPU/TargetDescription.h"

#include "llvm/IR/Module.h"
#include "llvm/Support/CodeGen.h"
#include "llvm/Target/TargetMachine.h"

#include <memory>
#include <string>

namespace quern {

/// What code is generated for. Empty fields mean "the host's" when the
/// triple is the host's, and "generic" otherwise.
struct TargetSpec {
  std::string triple;
  std::string cpu;
  /// Comma-separated `+feature,-feature` list, as in `-mattr`.
  std::string features;
};

/// Fills the empty fields of `spec` (see TargetSpec).
TargetSpec resolveTarget(const TargetSpec &spec);

/// Checks a resolved `spec` before anything is compiled: the triple has a
/// target, its CPU and every feature are ones LLVM knows for it. Returns
/// false with a one-line reason in `error` that names the flag.
bool checkTarget(const TargetSpec &spec, std::string &error);

/// `-mcpu=help` / `-mattr=help`: the CPUs or the features LLVM knows for
/// `spec`'s triple, one per line with its description.
void printTargetHelp(const TargetSpec &spec, bool features,
                     llvm::raw_ostream &os);

/// A target machine for `spec` (resolved) at `optLevel` (0-3), or null with
/// the reason in `error`.
std::unique_ptr<llvm::TargetMachine> createTargetMachine(const TargetSpec &spec,
                                                         unsigned optLevel,
                                                         std::string &error);

/// What code generation needs to know of the machine's CPU: vector width
/// and register count from its subtarget features.
CPUDescription describeCPU(const llvm::TargetMachine &machine);

/// Runs LLVM's default module pipeline at `optLevel` (0-3) in process;
/// MLIR's LLVM IR is unoptimized.
void optimizeModule(llvm::Module &module, llvm::TargetMachine &machine,
                    unsigned optLevel);

/// Writes `module` as an object file or assembly.
bool emitCode(llvm::Module &module, llvm::TargetMachine &machine,
              llvm::CodeGenFileType type, llvm::StringRef path,
              std::string &error);

/// Links `objectPath` into the shared library `outputPath` with lld (ELF
/// .so, or a Mach-O .dylib for Apple triples), with LLVM's OpenMP runtime
/// if `openmp`.
bool linkSharedLibrary(llvm::StringRef objectPath, llvm::StringRef outputPath,
                       const llvm::Triple &triple, bool openmp,
                       std::string &error);

/// Lists the registered LLVM targets (for `--print-targets`).
void printTargets(llvm::raw_ostream &os);

} // namespace quern

#endif // QUERN_TARGET_TARGET_H
