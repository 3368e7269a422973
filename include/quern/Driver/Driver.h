//===- Driver.h - ONNX model to compiled artifacts --------------*- C++ -*-===//
//
// What quernc does, as a library: import, run the pipeline, generate code,
// and write NAME.so / NAME.h / NAME.json / NAME.safetensors (or one of the
// intermediate forms) all at once or not at all.
//
//===----------------------------------------------------------------------===//

#ifndef QUERN_DRIVER_DRIVER_H
#define QUERN_DRIVER_DRIVER_H

#include "quern/Import/ONNX.h"
#include "quern/Target/Target.h"

namespace quern {

enum class EmitKind { Shared, Object, Assembly, LLVM, MLIR };

/// The arithmetic of matrix products: f32, or bf16 operands with f32
/// products and sums (mixed precision).
enum class Precision { FP32, BF16 };

/// What `--train` asks for: a training step beside the forward function.
struct TrainOptions {
  /// The graph output that is the loss ("": the only scalar float output).
  std::string loss;
  /// sgd, momentum, nesterov, adam, adamw or adagrad.
  std::string optimizer = "sgd";
  double momentum = 0.9, beta1 = 0.9, beta2 = 0.999;
  /// Negative: PyTorch's default for the optimizer.
  double eps = -1, weightDecay = -1;
  /// 0: no clipping.
  double clipGradNorm = 0;
  /// Micro-batches per step (gradient accumulation); 1: none.
  int accumulate = 1;
  /// Non-empty: the graph computes its own gradients, output
  /// <param><gradientSuffix> being param's.
  std::string gradientSuffix;
  /// Globs over parameter (initializer) names; empty trainable: all.
  std::vector<std::string> trainable, freeze;
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
  unsigned optLevel = 3;
  Precision precision = Precision::FP32;
  OnnxImportOptions import;
  std::optional<TrainOptions> train;
  /// Print the outlined kernels to stdout (lib/Driver/Kernels.h).
  bool printKernelReport = false;
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
