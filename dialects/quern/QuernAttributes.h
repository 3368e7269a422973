//===- QuernAttributes.h - the quern.* attributes: the IR contract -*- C++ -*-//
//
// Every attribute the compiler's stages leave for one another, by name, with
// typed accessors for those on function arguments and results. The dialect
// verifies their shape (QuernAttributes.cpp), so hand-written IR with a
// malformed one gets a diagnostic, never a crash. docs/Architecture.md says
// who writes and who reads each.
//
//===----------------------------------------------------------------------===//

#ifndef QUERN_DIALECTS_QUERN_QUERNATTRIBUTES_H
#define QUERN_DIALECTS_QUERN_QUERNATTRIBUTES_H

#include "mlir/Interfaces/FunctionInterfaces.h"

#include <optional>

namespace quern {

//===-- Function arguments and results: the graph's interface ------------===//

/// Argument: a model parameter, `{name = "<ONNX initializer>", trainable =
/// true|false}`. Parameters live in the compiled model's state buffer.
inline constexpr llvm::StringLiteral kParamAttrName = "quern.param";
/// Argument and result: the ONNX name of a graph input or output (and `lr`).
inline constexpr llvm::StringLiteral kNameAttrName = "quern.name";
/// Argument: optimizer state or the step counter, `{name, role =
/// "optimizer"}`.
inline constexpr llvm::StringLiteral kStateAttrName = "quern.state";
/// Result of a training step: the index of the argument whose buffer the
/// result is written into (an update in place).
inline constexpr llvm::StringLiteral kUpdatesAttrName = "quern.updates";
/// Argument: one part of a frozen weight that quern-quantize stores in
/// blocks, `{of = "<weight>", part = "codes" | "scales" | "scale_codes" |
/// "scale_scales" | "scale_offset", scheme = "nf4" | "int4" | "int8",
/// block, double_quant, shape = array<i64: ...>}` (`shape` the weight's):
/// quernc computes its value from the weight's (passes/Quantize).
inline constexpr llvm::StringLiteral kQuantizedAttrName = "quern.quantized";
/// The `part`s of a quern.quantized record, in the order quern-quantize
/// declares them (passes/Quantize/Quantization.h: QuantPart::Kind).
inline constexpr llvm::StringLiteral kQuantPartNames[] = {
    "codes", "scales", "scale_codes", "scale_scales", "scale_offset"};
/// Argument: a parameter the model does not give a value (a LoRA adapter's
/// A), drawn by quernc from --seed: `{uniform_bound = <f64>}`, uniform in
/// [-bound, bound). Parameters without a value and without it start at 0.
inline constexpr llvm::StringLiteral kInitialAttrName = "quern.initial";
/// Argument: optimizer state sharded over the processes of a data-parallel
/// job (`--shard-optimizer`), `{processes = N >= 2, shape = array<i64:
/// ...>}`:
/// the argument is this process's 1-D piece (quern/Shard.h) of a tensor of
/// `shape`, which the manifest and checkpoints show.
inline constexpr llvm::StringLiteral kShardAttrName = "quern.shard";
/// Argument (CPU code generation): the one workspace buffer.
inline constexpr llvm::StringLiteral kWorkspaceAttrName = "quern.workspace";

/// Function (a training step): the values of its forward part that its
/// backward part reads, the activations kept for backward, largest first:
/// `[{bytes, name = "<ONNX node>", op = "<op type>"}, ...]`.
inline constexpr llvm::StringLiteral kKeptForBackwardAttrName =
    "quern.kept_for_backward";

/// Function (a training step quern-recompute chose for): `{flops, gap,
/// solve_seconds, estimated_peak, estimated_peak_keeping_all, values}`, the
/// FLOPs recomputed per step, the solver's optimality gap and time, the
/// peak bytes its model estimates with and without recomputation, and the
/// values recomputed, `[{bytes, name, op, flops}, ...]` largest first.
inline constexpr llvm::StringLiteral kRecomputeAttrName = "quern.recompute";

/// Module: the mixture-of-experts blocks quern-fuse-experts fused, in
/// program order: `[{loc, experts, groups, k, tile_rows, rows, dense_flops,
/// fused_flops}, ...]` (`loc` the block's sum; `groups` its experts with
/// products; `fused_flops` a bound, every row of `rows` computed).
inline constexpr llvm::StringLiteral kExpertBlocksAttrName =
    "quern.expert_blocks";

//===-- Ops and functions: CPU code generation ----------------------------===//

/// Function: the planned workspace size in bytes.
inline constexpr llvm::StringLiteral kWorkspaceBytesAttrName =
    "quern.workspace_bytes";
/// Function (a training step): the bytes of the workspace buffers written
/// before its quern.backward_begins and read after it, in the plan (the
/// most of any micro-batch loop's body).
inline constexpr llvm::StringLiteral kKeptBytesAttrName =
    "quern.kept_for_backward_bytes";
/// Function: the moment of the plan when its buffers hold the most bytes,
/// `{bytes, name, op, buffers = [{bytes, name, op}, ...]}`: those bytes, the
/// ONNX node of the op then running, and the largest buffers live then (by
/// the node of the op that first writes each).
inline constexpr llvm::StringLiteral kPeakAttrName = "quern.peak";
/// Linalg op: how it is tiled (lib/Codegen/CPU/Strategy.h reads and checks
/// it).
inline constexpr llvm::StringLiteral kStrategyAttrName = "quern.strategy";
/// Linalg op: a pack whose input the workspace plan keeps alive until its
/// product.
inline constexpr llvm::StringLiteral kPanelPackAttrName = "quern.panel_pack";
/// Function: an outlined kernel, `{kind, loops, flops, bytes[, strategy]}`.
inline constexpr llvm::StringLiteral kKernelAttrName = "quern.kernel";
/// linalg.fill, from quern-tile-and-pack to quern-vectorize: the
/// accumulator it fills starts its register tiles from its constant.
inline constexpr llvm::StringLiteral kForwardFillAttrName =
    "quern.forward_fill";
/// scf.for, from quern-tile-and-pack to quern-vectorize: a loop of a
/// contraction's cache tiles along a reduced loop. Every iteration adds to
/// the same tile of the accumulator; with its fill forwarded, the first
/// iteration's loads of the accumulator read the fill's constant.
inline constexpr llvm::StringLiteral kReductionTilesAttrName =
    "quern.reduction_tiles";
/// Linalg op, from quern-tile-and-pack to quern-vectorize: a register tile
/// and its vector shape.
inline constexpr llvm::StringLiteral kVectorSizesAttrName =
    "quern.vector_sizes";

//===-- Locations ---------------------------------------------------------===//

/// What an op's location says of the ONNX node it was imported from: the
/// importer gives each op `fused<"OpType">[NameLoc(node), FileLineColLoc(
/// file)]` (the parts missing stay "").
struct OnnxNodeLocation {
  std::string file, name, opType;
};
OnnxNodeLocation describeLocation(mlir::Location loc);

//===-- Typed accessors ---------------------------------------------------===//

struct ParamInfo {
  llvm::StringRef name;
  bool trainable;
};
/// The quern.param of argument `index`, if it has one.
std::optional<ParamInfo> getParam(mlir::FunctionOpInterface func,
                                  unsigned index);
void setParam(mlir::FunctionOpInterface func, unsigned index,
              llvm::StringRef name, bool trainable);

struct StateInfo {
  llvm::StringRef name, role;
};
/// The quern.state of argument `index`, if it has one.
std::optional<StateInfo> getState(mlir::FunctionOpInterface func,
                                  unsigned index);
void setState(mlir::FunctionOpInterface func, unsigned index,
              llvm::StringRef name, llvm::StringRef role);

struct QuantizedInfo {
  llvm::StringRef of, part, scheme;
  int64_t block;
  bool doubleQuant;
  llvm::ArrayRef<int64_t> shape;
};
/// The quern.quantized of argument `index`, if it has one.
std::optional<QuantizedInfo> getQuantized(mlir::FunctionOpInterface func,
                                          unsigned index);
void setQuantized(mlir::FunctionOpInterface func, unsigned index,
                  const QuantizedInfo &info);

struct ShardInfo {
  int64_t processes;
  llvm::ArrayRef<int64_t> shape;
};
/// The quern.shard of argument `index`, if it has one.
std::optional<ShardInfo> getShard(mlir::FunctionOpInterface func,
                                  unsigned index);
void setShard(mlir::FunctionOpInterface func, unsigned index,
              const ShardInfo &info);

/// The uniform_bound of argument `index`'s quern.initial, if it has one.
std::optional<double> getUniformInitial(mlir::FunctionOpInterface func,
                                        unsigned index);
void setUniformInitial(mlir::FunctionOpInterface func, unsigned index,
                       double bound);

/// The argument result `index` updates in place, if it is an update.
std::optional<unsigned> getUpdatedArgument(mlir::FunctionOpInterface func,
                                           unsigned index);

} // namespace quern

#endif // QUERN_DIALECTS_QUERN_QUERNATTRIBUTES_H
