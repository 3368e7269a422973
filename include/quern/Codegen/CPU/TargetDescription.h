//===- TargetDescription.h - what code generation knows of a CPU -*- C++ -*-=//
//
// The few facts about a CPU that decide tile sizes and vector widths. They
// come from the target (lib/Target reads them off LLVM's subtarget) and reach
// the strategy selection as pass options; no pass has its own constants.
//
//===----------------------------------------------------------------------===//

#ifndef QUERN_CODEGEN_CPU_TARGETDESCRIPTION_H
#define QUERN_CODEGEN_CPU_TARGETDESCRIPTION_H

#include <cstdint>

namespace quern {

/// A bf16 dot-product instruction that sums the two products of each pair
/// of bf16 values into one f32 lane.
enum class BF16Dot {
  None,
  /// AVX-512 BF16's vdpbf16ps: 16 lanes.
  AVX512,
  /// Armv8.6's BFDOT (FEAT_BF16) on NEON registers: 4 lanes.
  NEON,
};

/// Vectors of f32 across the register tile of a product (as wide as the
/// columns allow). bf16 right operands are packed in panels of this width,
/// so that a tile's columns are contiguous.
constexpr int64_t kProductTileVectors = 2;

/// Work (multiply-adds or elements) from which an op is worth the fork and
/// join of a parallel loop, a few microseconds: about 10^5.
inline constexpr int64_t kDefaultMinParallelWork = 1 << 17;

struct CPUDescription {
  /// Width of a SIMD register (512 for AVX-512, 256 for AVX2, 128 for SSE
  /// and NEON).
  int64_t vectorBits = 128;
  /// Number of SIMD registers (32 with AVX-512 and on AArch64, else 16).
  int64_t vectorRegisters = 16;
  /// The bf16 dot-product instruction, if the CPU has one.
  BF16Dot bf16Dot = BF16Dot::None;
  /// Per-core data cache sizes.
  int64_t l1Bytes = 32 * 1024;
  int64_t l2Bytes = 512 * 1024;

  /// Columns of a product's register tile of f32: kProductTileVectors
  /// vectors.
  int64_t productTileColumns() const {
    return kProductTileVectors * vectorBits / 32;
  }
};

} // namespace quern

#endif // QUERN_CODEGEN_CPU_TARGETDESCRIPTION_H
