//===- Passes.td - Quern conversion passes -----------------*- tablegen -*-===//

#ifndef QUERN_CONVERSION_PASSES_TD
#define QUERN_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def ConvertQuernToLinalgPass : Pass<"convert-quern-to-linalg", "mlir::ModuleOp"> {
  let summary = "Lower quern ops to linalg, tensor, arith and math";
  let description = [{
    Rewrites every quern op into destination-passing linalg on tensors:
    elementwise ops and broadcasts become `linalg.generic`, matmuls become a
    contraction `linalg.generic` whose init holds the bias (or zeros),
    reductions and softmax become reduction generics, shape ops become
    `tensor.collapse_shape` / `tensor.expand_shape` / `linalg.transpose`.

    Before:
    ```mlir
    %y = quern.relu %x : tensor<4x8xf32>
    ```
    After:
    ```mlir
    %e = tensor.empty() : tensor<4x8xf32>
    %y = linalg.generic {indexing_maps = [#id, #id],
                         iterator_types = ["parallel", "parallel"]}
        ins(%x : tensor<4x8xf32>) outs(%e : tensor<4x8xf32>) {
    ^bb0(%in: f32, %out: f32):
      %zero = arith.constant 0.0 : f32
      %r = arith.maximumf %in, %zero : f32
      linalg.yield %r : f32
    } -> tensor<4x8xf32>
    ```
    Any quern op left is an error.

    With `bf16-matmuls`, the operands of every f32 matmul are rounded to
    bf16 (round to nearest even) before the product, which reads them as
    bf16 and multiplies and sums in f32: bf16 mixed precision, with every
    other tensor, the parameters and the optimizer state in f32. With
    `bf16-pairs` as well (targets with a bf16 dot-product instruction), the
    product sums over k in pairs (with an odd K, the pairs sum the first
    K - 1 of slices of the operands, and the last k's products are added
    to the result after them; a K of one is padded with a zero k): the left
    operand is viewed
    as `[..., M, K/2, 2]` and the right one packed as `[..., K/2, N, 2]`,
    and the contraction runs over (batch..., m, n, p, t) with k = 2p + t.
    A transposed left operand is packed like a right one, `[..., K/2, M,
    2]` (its rows interleaved in pairs), and read over (p, m, t).
    The panels of a register tile's columns that a CPU reads the right
    operand in are CPU code generation's (`quern-pack-panels`); the
    conversion knows no target.
  }];
  let options = [
    Option<"bf16Matmuls", "bf16-matmuls", "bool", "false",
           "Round f32 matmul operands to bf16; products and sums stay f32">,
    Option<"bf16Pairs", "bf16-pairs", "bool", "false",
           "With bf16-matmuls: sum products in pairs along k, operands laid "
           "out for a bf16 dot-product instruction (an odd K's last k "
           "added after them)">
  ];
  let dependentDialects = [
    "mlir::arith::ArithDialect", "mlir::bufferization::BufferizationDialect",
    "mlir::linalg::LinalgDialect", "mlir::math::MathDialect",
    "mlir::scf::SCFDialect", "mlir::tensor::TensorDialect"
  ];
}

#endif // QUERN_CONVERSION_PASSES_TD
