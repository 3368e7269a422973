//===- Target.h - target machines, LLVM IR to objects, linking --*- C++ -*-===//
//
// Everything that depends on the machine code is produced for: the
// triple/CPU/features triple, LLVM's optimization pipeline, object emission
// and linking a shared library.
//
//===----------------------------------------------------------------------===//

#ifndef QUERN_TARGET_TARGET_H
#define QUERN_TARGET_TARGET_H

#include "quern/Codegen/AMDGPU/TargetDescription.h"
#include "quern/Codegen/CPU/TargetDescription.h"

#include "llvm/IR/Module.h"
#include "llvm/Support/CodeGen.h"
#include "llvm/Target/TargetMachine.h"

#include <memory>
#include <string>

namespace quern {

/// What runs a library's parallel loops.
enum class ThreadRuntime {
  /// The target's own: OpenMP where its runtime is at hand, libdispatch on
  /// Apple, else none.
  Default,
  /// LLVM's OpenMP runtime, libomp.so.5.
  OpenMP,
  /// libdispatch's dispatch_apply_f (in macOS's libSystem).
  Dispatch,
  /// None: the code runs on the calling thread.
  None,
};

/// "openmp", "dispatch", "none" (and "default").
llvm::StringRef threadRuntimeName(ThreadRuntime runtime);

/// What code is generated for. Empty fields mean "the host's" when the
/// triple is the host's, and "generic" otherwise.
struct TargetSpec {
  std::string triple;
  std::string cpu;
  /// Comma-separated `+feature,-feature` list, as in `-mattr`.
  std::string features;
  /// Where the target's C library (and OpenMP runtime) are, for a Linux
  /// triple other than the host's: empty means Debian's cross sysroot,
  /// /usr/ARCH-linux-GNUENV (/usr/aarch64-linux-gnu).
  std::string sysroot;
  ThreadRuntime threads = ThreadRuntime::Default;
};

/// Whether `spec` is an AMD GPU (amdgcn-amd-amdhsa): its code is kernels,
/// launched by a library for the host.
bool isAMDGPU(const TargetSpec &spec);

/// What code generation needs to know of the AMD GPU `spec` (resolved):
/// the chip and its wavefront size.
AMDGPUDescription describeGPU(const TargetSpec &spec);

/// Debian's name of a Linux triple's folders (its multiarch tuple and cross
/// root): "aarch64-linux-gnu" for aarch64-unknown-linux-gnu.
std::string multiarchName(const llvm::Triple &triple);

/// Fills the empty fields of `spec` (see TargetSpec) and chooses its
/// default thread runtime. An AMD GPU's chip is gfx90a by default, and its
/// thread runtime none (its threads are the GPU's). A RISC-V Linux triple's
/// features start with the Linux ABI's baseline, rv64gc (+m,+a,+f,+d,+c), as a
/// C compiler's do.
TargetSpec resolveTarget(const TargetSpec &spec);

/// The directory of the OpenMP runtime (LLVM's libomp.so.5) that code for
/// `spec` (resolved) is linked with, or empty when there is none: then the
/// code runs on one thread. For the host's architecture, Debian's
/// libomp-19-dev; for another Linux one, the sysroot's lib folder if
/// libomp.so.5 is there (scripts/install-deps.sh puts Debian's arm64 one
/// into /usr/aarch64-linux-gnu/lib); Apple targets have none.
std::string openMPRuntime(const TargetSpec &spec);

/// Checks a resolved `spec` before anything is compiled: the triple has a
/// target, its CPU and every feature are ones LLVM knows for it, and an
/// OpenMP runtime asked for is at hand. Returns
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

/// Links `objectPath` into the shared library `outputPath` for `spec`
/// (resolved) with lld, with the target's OpenMP runtime (openMPRuntime)
/// if `openmp`: an ELF NAME.so (soname NAME.so), or for Apple triples a
/// Mach-O NAME.dylib (install name @rpath/NAME.dylib, exporting only
/// `_NAME_*`, linked with libSystem for the triple's macOS version).
/// `name` is the model's: the prefix of its entry points.
bool linkSharedLibrary(llvm::StringRef objectPath, llvm::StringRef outputPath,
                       llvm::StringRef name, const TargetSpec &spec,
                       bool openmp, std::string &error);

/// `--print-targets`: the presets (the CPUs Quern is tested for, each with
/// what its description turns on: vector width, registers, bf16 dot
/// product, threads), the registered LLVM targets and the host.
void printTargets(llvm::raw_ostream &os);

} // namespace quern

#endif // QUERN_TARGET_TARGET_H
