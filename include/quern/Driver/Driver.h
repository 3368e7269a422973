//===- Driver.h - ONNX model to compiled artifacts --------------*- C++ -*-===//
//
// What quernc does, as a library: import, run the pipeline, generate code,
// and write NAME.so / NAME.h / NAME.json / NAME.safetensors (or one of the
// intermediate forms) all at once or not at all.
//
//===----------------------------------------------------------------------===//

#ifndef QUERN_DRIVER_DRIVER_H
#define QUERN_DRIVER_DRIVER_H

#include "passes/Passes.h"
#include "quern/Import/ONNX.h"
#include "quern/Target/Target.h"

namespace quern {

enum class EmitKind { Shared, Object, Assembly, LLVM, MLIR };

/// The arithmetic of matrix products: f32, or bf16 operands with f32
/// products and sums (mixed precision).
enum class Precision { FP32, BF16 };

/// --recompute and --activation-budget: which activations the step keeps.
struct RecomputeOptions {
  enum class Mode {
    /// Elementwise fusion recomputes cheap elementwise values whose inputs
    /// are kept anyway; nothing else.
    Auto,
    /// Every activation the backward pass reads is kept.
    None,
    /// quern-recompute fits the step's workspace in the budget.
    Budget
  };
  Mode mode = Mode::Auto;
  /// The budget, on the step's planned workspace: bytes, or (when
  /// `percent` is set) a percentage of the workspace with Mode::Auto.
  uint64_t bytes = 0;
  std::optional<double> percent;
};

/// Parses --activation-budget's BYTES (a number, optionally with KiB, MiB
/// or GiB) or N% (0 < N <= 100) into `options`; false with `error` set if it
/// is neither.
bool parseActivationBudget(llvm::StringRef text, RecomputeOptions &options,
                           std::string &error);

/// What `--train` asks for: a training step beside the forward function.
struct TrainOptions {
  /// What to train, the loss, the optimizer and its hyper-parameters,
  /// clipping, accumulation: the options of the training-step passes.
  TrainStepOptions passes;
  RecomputeOptions recompute;
  /// The flags above that the user gave (e.g. "--optimizer"): a model whose
  /// TrainingInfoProto defines the step takes none of them.
  std::vector<std::string> givenFlags;
};

struct CompileOptions {
  std::string inputPath;
  /// DIR/NAME: artifacts are DIR/NAME.so etc.; NAME prefixes the symbols.
  std::string outputStem;
  EmitKind emit = EmitKind::Shared;
  TargetSpec target;
  /// For an AMD GPU target: where the device libraries and the linker are
  /// (a ROCm installation's layout; empty: the one beside quernc).
  std::string rocmPath;
  /// For an AMD GPU target: the GPU-mapped code lowered for the host CPU,
  /// workgroups and threads as loops, to test the mapping without a GPU.
  bool gpuOnHost = false;
  /// With gpuOnHost: the last workgroup and thread first, which makes a
  /// thread reading another's result, or two storing one element, show as
  /// a different result.
  bool gpuThreadsReversed = false;
  unsigned optLevel = 3;
  Precision precision = Precision::FP32;
  OnnxImportOptions import;
  /// The graph passes (expert fusion), for forward and training compiles.
  GraphOptions graph;
  /// The activation after fused experts' first products is computed tile
  /// by tile with them (quern-fuse-grouped-epilogues).
  bool fuseGroupedEpilogues = true;
  std::optional<TrainOptions> train;
  /// Seeds the values quernc draws: parameters the model does not give
  /// (LoRA adapters' A).
  uint64_t seed = 0;
  /// Print the outlined kernels to stdout (lib/Driver/Kernels.h).
  bool printKernelReport = false;
  /// Print the workspace and the activations kept for backward to stdout
  /// (lib/Driver/Memory.h).
  bool printMemoryReport = false;
};

/// Compiles as `options` say. User errors are emitted as diagnostics on
/// `context`; on failure no output file is left behind.
mlir::LogicalResult compileModel(mlir::MLIRContext &context,
                                 const CompileOptions &options);

/// Registers quern-translate's `--quern-to-llvmir`: the CPU pipeline, then
/// translation to LLVM IR.
void registerQuernToLLVMIRTranslation();

} // namespace quern

#endif // QUERN_DRIVER_DRIVER_H
