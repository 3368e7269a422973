//===- QuernContractionOps.td - matmul and einsum ----------*- tablegen -*-===//

#ifndef QUERN_CONTRACTION_OPS_TD
#define QUERN_CONTRACTION_OPS_TD

include "dialects/quern/QuernBase.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

def Quern_MatMulOp : Quern_Op<"matmul", [Pure, DeclareOpInterfaceMethods<Quern_GradientOpInterface>]> {
  let summary = "(batched) matrix product with optional transposes and bias";
  let description = [{
    `result[b..., m, n] = sum_k op(lhs)[b..., m, k] * op(rhs)[b..., k, n]
    (+ bias[n] or + bias[b..., m, n])`, where `op` transposes the last two
    dimensions when `transpose_lhs` / `transpose_rhs` is set. Both operands
    have the same rank (at least 2) and the same leading batch dimensions.
    The bias, when present, has the result's shape or is a vector over its
    last dimension; it covers ONNX `Gemm`'s `C`.

    ```mlir
    %y = quern.matmul %x, %w bias(%b : tensor<256xf32>) transpose_rhs
        : tensor<1x784xf32>, tensor<256x784xf32> -> tensor<1x256xf32>
    ```
  }];
  let arguments = (ins Quern_FloatTensor:$lhs, Quern_FloatTensor:$rhs,
                       Optional<Quern_FloatTensor>:$bias,
                       UnitAttr:$transpose_lhs, UnitAttr:$transpose_rhs);
  let results = (outs Quern_FloatTensor:$result);
  let assemblyFormat = [{
    $lhs `,` $rhs (`bias` `(` $bias^ `:` type($bias) `)`)?
    (`transpose_lhs` $transpose_lhs^)? (`transpose_rhs` $transpose_rhs^)?
    attr-dict `:` type($lhs) `,` type($rhs) `->` type($result)
  }];
  let hasVerifier = 1;
}

def Quern_EinsumOp : Quern_Op<"einsum", [Pure, DeclareOpInterfaceMethods<Quern_GradientOpInterface>]> {
  let summary = "Einstein summation over one or more operands";
  let description = [{
    `equation` is explicit: one letter per dimension for each operand,
    comma-separated, then `->` and the result's letters (no ellipsis; the
    importer expands ONNX's). Letters missing from the result
    are summed over; a letter repeated within an operand takes its diagonal.

    ```mlir
    %c = quern.einsum "bij,bjk->bik" %a, %b
        : (tensor<2x3x4xf32>, tensor<2x4x5xf32>) -> tensor<2x3x5xf32>
    ```
  }];
  let arguments = (ins StrAttr:$equation,
                       Variadic<Quern_NumericTensor>:$operands);
  let results = (outs Quern_NumericTensor:$result);
  let assemblyFormat = [{
    $equation $operands attr-dict `:` functional-type($operands, $result)
  }];
  let hasVerifier = 1;
}

#endif // QUERN_CONTRACTION_OPS_TD
