//===- PackedProduct.h - products on packed operands ------------*- C++ -*-===//
//
// This file is part of Quern.
//
//===----------------------------------------------------------------------===//

#ifndef QUERN_CONVERSION_PACKEDPRODUCT_H
#define QUERN_CONVERSION_PACKEDPRODUCT_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"

#include <optional>

namespace quern {

/// lhs · rhs, both f32, with the right operand packed. With `pairs`: rounded
/// to bf16 and summed in pairs along k, the form of a bf16 dot-product
/// instruction (AVX-512 BF16's vdpbf16ps), with k = 2p + t: the product
/// sums over the pair index p and the pair member t. Transposed operands
/// are untransposed as they are packed.
/// - lhs [..., M, K] is rounded and read as [..., M, K/2, 2], a reshape.
///   A transposed lhs ([..., K, M]) is packed like an untransposed rhs,
///   [..., K/2, M, 2]: each row's pair is still one 32-bit word, and
///   packing interleaves whole rows where rounding it untransposed would
///   transpose it element by element.
/// - rhs [..., K, N] (f32, or [..., N, K] when `transposeRhs`) is packed
///   as [..., K/2, N, 2] (each k pair of a column side by side), or, in
///   panels of `panel` columns (N wider; N padded with zero columns to a
///   multiple), as [..., N/panel, K/2, panel, 2]: the columns of a register
///   tile are one contiguous panel rather than rows N pairs apart, whose
///   power-of-two strides fall into a few cache sets. The product then
///   runs over (batch..., j, m, c, p, t) with n = panel * j + c, into the
///   result viewed as [..., M, N/panel, panel]; j leads, like a batch
///   dimension.
/// - An odd K takes a zero more: both operands are copied once, padded, so
///   that the last pair sums the last product and zero.
///
/// The panel width is a register tile's, so it is CPU code generation's:
/// the target-neutral conversion builds every paired product with `panel`
/// 0, and quern-pack-panels reads it back (matchPackableProduct) and
/// rebuilds it with the target's.
///
/// Without `pairs` the operands stay f32 and the right one is packed in
/// panels alone (`panel` > 0, N wider): [..., N/panel, K, panel], the
/// product over (batch..., j, m, c, k). Tiles that read a power-of-two-wide
/// operand row by row hit a few cache sets; in panels they read one
/// contiguous run.
///
/// With `accumulateInPanels` (and panels), the product accumulates into
/// [..., N/panel, M, panel] instead, so that a register tile's rows of the
/// result are a panel apart rather than N columns, and a copy moves it to
/// [..., M, N/panel, panel] (a 1024-column f32 product: 84 GFLOP/s on one
/// core, 95 with its operand in panels, 107 with the accumulator too).
mlir::Value buildPackedProduct(mlir::OpBuilder &b, mlir::Location loc,
                               mlir::RankedTensorType resultType,
                               mlir::Value lhs, bool transposeLhs,
                               mlir::Value rhs, bool transposeRhs,
                               mlir::Value bias, int64_t panel, bool pairs,
                               bool accumulateInPanels);

/// Whether `op` computes its one output element by element from the
/// element's position alone: no inputs, every loop parallel, the output
/// written through the identity and never read (on tensors or buffers).
bool computesFromPosition(mlir::linalg::GenericOp op);

/// The linalg.generic that computes `value` element by element from the
/// element's position alone (no inputs; its body reads linalg.index and
/// values defined above it, as a quantized weight's decoding does), when
/// `value` is one; null otherwise. buildPackedProduct computes such a right
/// operand as it packs it in panels, so the operand is never stored whole.
mlir::linalg::GenericOp computedFromPosition(mlir::Value value);

/// The element of `producer` (computedFromPosition) at `position` (one index
/// per dimension), its body cloned at `b`.
mlir::Value buildComputedAt(mlir::OpBuilder &b, mlir::Location loc,
                            mlir::linalg::GenericOp producer,
                            mlir::ValueRange position);

/// `view` (a linalg.transpose, tensor.expand_shape or tensor.collapse_shape
/// of an operand computed from position) computed from position itself, at
/// `b`.
mlir::Value buildViewComputedFromPosition(mlir::OpBuilder &b,
                                          mlir::Operation *view);

/// The value that `value` copies with its last two dimensions swapped, when
/// `value` is a linalg.transpose that only one op reads (how the conversion
/// packs a transposed operand); null otherwise.
mlir::Value transposedSource(mlir::Value value);

/// The operands a product was built from (after an odd K's padding).
struct PackedProductOperands {
  mlir::Value lhs, rhs, bias;
  bool transposeLhs, transposeRhs;
  /// A paired bf16 product, else an f32 one.
  bool pairs;
};

/// The operands of `product` when it is a product the conversion built and
/// CPU code generation may pack in panels: a paired bf16 product without
/// panels, or an f32 product (one generic over (batch..., m, n, k), the
/// right operand read back from before a transpose the conversion packed
/// it with). None for any other op.
std::optional<PackedProductOperands>
matchPackableProduct(mlir::linalg::GenericOp product);

} // namespace quern

#endif // QUERN_CONVERSION_PACKEDPRODUCT_H
