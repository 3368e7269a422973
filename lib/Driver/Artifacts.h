//===- Artifacts.h - the writers of a compiled model's files ----*- C++ -*-===//

#ifndef QUERN_LIB_DRIVER_ARTIFACTS_H
#define QUERN_LIB_DRIVER_ARTIFACTS_H

#include "Kernels.h"
#include "quern/Driver/Layout.h"
#include "quern/Target/Target.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/JSON.h"

#include "mlir/IR/BuiltinOps.h"

namespace quern {

/// The manifest's record of a quantized part (a state tensor's
/// "quantization"), also the state file's metadata for it.
llvm::json::Object quantizationJson(const QuantizedPartInfo &part);

/// NAME.json: the manifest (format quern-manifest, version 2; 3 for a GPU's
/// library, whose buffers are device memory). `target` is
/// the machine the library runs on, `device` null or the GPU it launches
/// kernels on (gpuJson). `optimizer` is null or an object naming the
/// optimizer and its
/// hyper-parameters; `kernels` lists the outlined kernels (kernelsJson),
/// `memory` is memoryJson's, `experts` expertBlocksJson's.
std::string buildManifest(llvm::StringRef name, const ModelLayout &layout,
                          const TargetSpec &target,
                          const llvm::json::Value &device,
                          uint64_t workspaceBytes,
                          const llvm::json::Value &optimizer,
                          llvm::json::Array kernels, llvm::json::Object memory,
                          llvm::json::Array experts);

/// The manifest's `experts`: per mixture-of-experts block quern-fuse-experts
/// fused (the module's quern.expert_blocks), its ONNX node, its experts
/// (and how many run products), k, its tiles and the expert products'
/// FLOPs per forward pass, dense and fused (a bound).
llvm::json::Array expertBlocksJson(mlir::ModuleOp module);

/// NAME.h: the C declarations of the entry points, with the inputs, outputs
/// and state tensors listed in comments and as constants.
std::string buildHeader(llvm::StringRef name, const ModelLayout &layout,
                        llvm::StringRef sourceName, bool communicator,
                        bool device);

/// Adds a constructor NAME, run as the library loads, that reads the
/// environment variable VARIABLE as a number (0 when unset) and then does
/// what `body` builds with it (the builder at the end of the constructor,
/// `count` the i32 read).
void addEnvironmentConstructor(
    llvm::Module &module, llvm::StringRef variable, llvm::StringRef name,
    llvm::function_ref<void(llvm::IRBuilder<> &, llvm::Value *)> body);

/// A constructor, for code that uses OpenMP, that applies the environment
/// variable QUERN_NUM_THREADS (a positive count) to its thread pool.
void addThreadControl(llvm::Module &module);

/// The manifest's `device` of a library for the AMD GPU `gpu`: its triple,
/// chip and wavefront size, and whether the code was lowered for the host
/// instead (--gpu-on-host).
llvm::json::Object gpuJson(const TargetSpec &gpu, bool onHost);

/// The code object of the kernels, from `module`'s `gpu.binary` after the
/// AMD GPU pipeline; empty if there is none.
llvm::StringRef codeObjectOf(mlir::ModuleOp module);

/// Links the HIP glue (runtime/hip/Glue.c) into `module`, whose launches
/// call MLIR's GPU runtime interface: its quern_* functions become the
/// library's NAME_* (NAME_device_error, NAME_device_alloc, ...), the rest
/// is internal, and the entry points of `layout` (addEntryPoints) wait for
/// their kernels and return 1 when NAME_device_error has a reason. False, with
/// the reason in `error`, if the glue does not link.
bool addHIPGlue(llvm::Module &module, llvm::StringRef name,
                const ModelLayout &layout, std::string &error);

/// Runs the parallel loops of `module` (OpenMP runtime calls, as MLIR lowers
/// scf.parallel) on libdispatch's dispatch_apply_f instead, with the static
/// schedule computed in the library (Dispatch.cpp). False, with the reason
/// in `error`, for OpenMP code it does not know.
bool lowerOpenMPToDispatch(llvm::Module &module, const llvm::Triple &triple,
                           std::string &error);

/// For a data-parallel step (its code calls quern_collective_start and
/// quern_collective_wait, lib/Codegen/CPU/Collective.cpp): defines those
/// two around the functions the host gives
/// `void NAME_set_communicator(void *context, start, wait, rank)`, each
/// called as `fn(context, bucket, kind, values, count)`, and
/// quern_process_rank, which returns `rank`; until it is called they do
/// nothing, as for one process. Returns whether the module needed them.
bool addCommunicator(llvm::Module &module, llvm::StringRef name);

/// Times every kernel call when the environment variable QUERN_PROFILE is a
/// positive number as the library loads, and adds
/// `uint64_t NAME_kernel_profile(uint64_t *nanoseconds, uint64_t *calls,
/// uint64_t capacity)`, which copies the totals since then (in the order of
/// `kernels`, at most `capacity` of each) and returns how many kernels
/// there are. Untimed, a kernel call costs one load and branch more.
void addKernelProfile(llvm::Module &module, llvm::StringRef name,
                      llvm::ArrayRef<KernelInfo> kernels,
                      const llvm::Triple &triple);

/// Adds the C ABI around the lowered entry-point functions (arguments as
/// the layout says, then outputs and the workspace, as bare pointers):
/// NAME_forward (and NAME_train_step), NAME_state_bytes,
/// NAME_workspace_bytes, NAME_manifest. Everything else in the module
/// becomes internal.
void addEntryPoints(llvm::Module &module, llvm::StringRef name,
                    const ModelLayout &layout, uint64_t workspaceBytes,
                    llvm::StringRef manifest);

/// The files of one compilation. Each is written to a temporary name beside
/// its final one and renamed only by commit(), so a failed compilation
/// leaves nothing behind (not even the folder, if it made it).
class OutputSet {
public:
  explicit OutputSet(llvm::StringRef stem) : stem(stem.str()) {}
  ~OutputSet();

  /// Creates the output folder if needed; false with `error` if it cannot.
  bool prepare(std::string &error);
  /// The temporary path to write STEM.EXTENSION to.
  std::string add(llvm::StringRef extension);
  /// Writes `contents` to STEM.EXTENSION (temporarily, until commit()).
  bool write(llvm::StringRef extension, llvm::StringRef contents,
             std::string &error);
  /// Renames every file to its final name.
  bool commit(std::string &error);

private:
  std::string stem;
  std::vector<std::pair<std::string, std::string>> files; // temp, final
  std::vector<std::string> createdDirectories;
  bool committed = false;
};

} // namespace quern

#endif // QUERN_LIB_DRIVER_ARTIFACTS_H
