//===- Layout.h - the ABI layout of a compiled model ------------*- C++ -*-===//
//
// The one description of a compiled model's interface that the entry-point
// wrappers, the C header, the manifest and the state file are all written
// from, so they cannot disagree.
//
//===----------------------------------------------------------------------===//

#ifndef QUERN_DRIVER_LAYOUT_H
#define QUERN_DRIVER_LAYOUT_H

#include "mlir/Dialect/Func/IR/FuncOps.h"

#include <string>
#include <vector>

namespace quern {

struct TensorInfo {
  std::string name;
  /// Manifest spelling: f32, f64, f16, bf16, i64..i8, u64..u8, bool.
  std::string dtype;
  std::vector<int64_t> shape;
  uint64_t bytes = 0;
};

struct StateTensor : TensorInfo {
  /// param | frozen | optimizer.
  std::string role;
  /// Byte offset in the state buffer, a multiple of kStateAlignment.
  uint64_t offset = 0;
};

struct ModelLayout {
  std::vector<TensorInfo> inputs, outputs;
  std::vector<StateTensor> state;
  uint64_t stateBytes = 0;
};

/// Alignment of state tensors and of the state and workspace buffers.
constexpr uint64_t kStateAlignment = 64;

/// The layout of an imported `@forward`: arguments with `quern.name` are
/// inputs, those with `quern.param` state tensors (in argument order),
/// results outputs. Fails with a diagnostic on element types the ABI lacks.
mlir::FailureOr<ModelLayout> computeLayout(mlir::func::FuncOp forward);

} // namespace quern

#endif // QUERN_DRIVER_LAYOUT_H
