//===- QuernIndexingOps.td - data-dependent indexing -------*- tablegen -*-===//
//
// Ops whose element positions depend on tensor values: gathers, scatters,
// top-k. Indices may be negative (counted from the end, as in ONNX); an
// index still out of range is clamped to the nearest valid one, so no input
// can make the compiled code read or write outside its buffers.
//
//===----------------------------------------------------------------------===//

#ifndef QUERN_INDEXING_OPS_TD
#define QUERN_INDEXING_OPS_TD

include "dialects/quern/QuernBase.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

def Quern_GatherOp : Quern_Op<"gather", [Pure, DeclareOpInterfaceMethods<Quern_GradientOpInterface>]> {
  let summary = "takes slices of data at the given indices along one axis";
  let description = [{
    `result[i..., j..., k...] = data[i..., indices[j...], k...]` where the
    `i` dimensions are those before `axis` (ONNX `Gather`, e.g. an embedding
    lookup).

    ```mlir
    %e = quern.gather %table, %tokens axis = 0
        : (tensor<64x32xf32>, tensor<2x16xi64>) -> tensor<2x16x32xf32>
    ```
  }];
  let arguments = (ins Quern_Tensor:$data, Quern_IndexTensor:$indices,
                       I64Attr:$axis);
  let results = (outs Quern_Tensor:$result);
  let assemblyFormat = [{
    $data `,` $indices `axis` `=` $axis attr-dict
    `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Quern_GatherElementsOp : Quern_Op<"gather_elements", [Pure, DeclareOpInterfaceMethods<Quern_GradientOpInterface>,
    AllShapesMatch<["indices", "result"]>]> {
  let summary = "takes elements of data at indices along one axis";
  let description = [{
    `result[p] = data[p with p[axis] replaced by indices[p]]`.

    ```mlir
    %y = quern.gather_elements %x, %idx axis = 1
        : (tensor<3x4xf32>, tensor<3x2xi64>) -> tensor<3x2xf32>
    ```
  }];
  let arguments = (ins Quern_Tensor:$data, Quern_IndexTensor:$indices,
                       I64Attr:$axis);
  let results = (outs Quern_Tensor:$result);
  let assemblyFormat = [{
    $data `,` $indices `axis` `=` $axis attr-dict
    `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Quern_ScatterElementsOp : Quern_Op<"scatter_elements", [Pure, DeclareOpInterfaceMethods<Quern_GradientOpInterface>,
    AllTypesMatch<["data", "result"]>,
    AllShapesMatch<["indices", "updates"]>]> {
  let summary = "writes updates into a copy of data along one axis";
  let description = [{
    A copy of `data` in which, for each position `p` of `updates`, the
    element at `p` with `p[axis]` replaced by `indices[p]` becomes
    `updates[p]` (`reduction = none`; with duplicate indices the last update
    in row-major order wins) or is combined with it (`add`, `mul`, `max`,
    `min`).

    ```mlir
    %y = quern.scatter_elements %x, %idx, %upd axis = 1 reduction = add
        : (tensor<3x4xf32>, tensor<3x2xi64>, tensor<3x2xf32>) -> tensor<3x4xf32>
    ```
  }];
  let arguments = (ins Quern_Tensor:$data, Quern_IndexTensor:$indices,
                       Quern_Tensor:$updates, I64Attr:$axis,
                       Quern_ScatterReduction:$reduction);
  let results = (outs Quern_Tensor:$result);
  let assemblyFormat = [{
    $data `,` $indices `,` $updates `axis` `=` $axis `reduction` `=`
    $reduction attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Quern_ScatterNDOp : Quern_Op<"scatter_nd", [Pure,
    AllTypesMatch<["data", "result"]>]> {
  let summary = "writes slices of updates into a copy of data";
  let description = [{
    `indices` has shape `[q..., k]`: each of its index tuples names a slice
    `data[t0, ..., tk-1, :...]` that becomes (or is combined with, per
    `reduction`) the matching slice of `updates` (shape `[q..., data dims
    k...]`), in row-major order (ONNX `ScatterND`).

    ```mlir
    %y = quern.scatter_nd %x, %idx, %upd reduction = none
        : (tensor<8xf32>, tensor<4x1xi64>, tensor<4xf32>) -> tensor<8xf32>
    ```
  }];
  let arguments = (ins Quern_Tensor:$data, Quern_IndexTensor:$indices,
                       Quern_Tensor:$updates,
                       Quern_ScatterReduction:$reduction);
  let results = (outs Quern_Tensor:$result);
  let assemblyFormat = [{
    $data `,` $indices `,` $updates `reduction` `=` $reduction attr-dict
    `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Quern_TopKOp : Quern_Op<"topk", [Pure, DeclareOpInterfaceMethods<Quern_GradientOpInterface>]> {
  let summary = "the k largest (or smallest) elements along one axis";
  let description = [{
    `values` and `indices` hold, for each line along `axis`, its `k` largest
    elements (smallest with `smallest`) in descending (ascending) order and
    their positions; equal values keep their original order. NaN counts as
    larger than every number (as in numpy's sort and PyTorch's topk).

    ```mlir
    %v, %i = quern.topk %probs k = 2 axis = 1
        : tensor<8x4xf32> -> (tensor<8x2xf32>, tensor<8x2xi64>)
    ```
  }];
  let arguments = (ins Quern_NumericTensor:$input, I64Attr:$k, I64Attr:$axis,
                       UnitAttr:$smallest);
  let results = (outs Quern_NumericTensor:$values,
                      StaticShapeTensorOf<[I64]>:$indices);
  let assemblyFormat = [{
    $input `k` `=` $k `axis` `=` $axis (`smallest` $smallest^)? attr-dict
    `:` type($input) `->` `(` type($values) `,` type($indices) `)`
  }];
  let hasVerifier = 1;
}

def Quern_TriluOp : Quern_Op<"trilu", [Pure, DeclareOpInterfaceMethods<Quern_GradientOpInterface>, SameOperandsAndResultType]> {
  let summary = "keeps the lower (or upper) triangle of the last two dims";
  let description = [{
    Zeroes `x[..., i, j]` where `j > i + k` (lower) or `j < i + k`
    (`upper`).

    ```mlir
    %y = quern.trilu %x k = 0 : tensor<16x16xf32>
    ```
  }];
  let arguments = (ins Quern_Tensor:$input, I64Attr:$k, UnitAttr:$upper);
  let results = (outs Quern_Tensor:$result);
  let assemblyFormat = [{
    $input `k` `=` $k (`upper` $upper^)? attr-dict `:` type($result)
  }];
  let hasVerifier = 1;
}

def Quern_DropoutOp : Quern_Op<"dropout", [Pure, DeclareOpInterfaceMethods<Quern_GradientOpInterface>,
    AllTypesMatch<["input", "result"]>, AllShapesMatch<["input", "mask"]>]> {
  let summary = "zeroes elements at random, scaling the rest";
  let description = [{
    Each element is kept with probability `1 - ratio` and scaled by
    `1 / (1 - ratio)`; `mask` tells which were kept. The choice is a
    deterministic function (a counter-based hash) of `seed`, of `step` when
    given (a training step passes its step counter, so every step draws a
    new mask) and of the element's position, so a compiled step is
    reproducible and independent of how its loops are tiled or threaded.

    With `training_only` (LoRA's dropout, which quern-lora adds), it drops
    only in the training step: quern-make-train-step leaves it in the step
    and removes it from the forward function, which then passes its input
    through.

    ```mlir
    %y, %mask = quern.dropout %x step(%step) ratio = 5.000000e-01 seed = 7
        : tensor<4x8xf32> -> tensor<4x8xi1>
    ```
  }];
  let arguments = (ins Quern_FloatTensor:$input,
                       Optional<StaticShapeTensorOf<[I64]>>:$step,
                       F64Attr:$ratio, I64Attr:$seed,
                       UnitAttr:$training_only);
  let results = (outs Quern_FloatTensor:$result, Quern_BoolTensor:$mask);
  let assemblyFormat = [{
    $input (`step` `(` $step^ `:` type($step) `)`)? `ratio` `=` $ratio
    `seed` `=` $seed (`training_only` $training_only^)? attr-dict `:`
    type($input) `->` type($mask)
  }];
  let hasVerifier = 1;
}

#endif // QUERN_INDEXING_OPS_TD
