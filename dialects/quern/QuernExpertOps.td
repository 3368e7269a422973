//===- QuernExpertOps.td - mixture-of-experts ops ----------*- tablegen -*-===//
//
// What quern-fuse-experts builds from a dense mixture-of-experts block:
// tokens are dispatched to their experts' rows (moe_dispatch), every
// expert's product runs over exactly those rows (grouped_matmul), and the
// backward pass sums each expert's weight gradient over them
// (grouped_weight_gradient). Rows are grouped in tiles of a fixed number of
// rows, each tile one expert's: the shapes stay static (the row count is a
// bound that no routing can exceed), only which expert a tile belongs to is
// known at run time.
//
//===----------------------------------------------------------------------===//

#ifndef QUERN_EXPERT_OPS_TD
#define QUERN_EXPERT_OPS_TD

include "dialects/quern/QuernBase.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

def Quern_MoeDispatchOp : Quern_Op<"moe_dispatch", [Pure,
    AllShapesMatch<["experts", "slots"]>]> {
  let summary = "lays the routed tokens out in row tiles, expert by expert";
  let description = [{
    `experts[n, s]` is the expert that token `n` is sent to in its slot `s`
    (top-k routing: its k experts). `groups[e]` is the group of expert `e`:
    the index of its weights in the grouped products, or -1 for an expert
    that runs no product (an identity expert, or none at all). Expert ids
    outside `[0, size(groups))` are clamped into it.

    The tokens of each group are laid out, in token order (a stable counting
    sort, so the layout depends only on the routing), in consecutive row
    tiles of `R = rows / size(tile_groups)` rows, the groups one after
    another in group order, each starting on a new tile:
    - `rows[p]` is the token at row `p` (0 for a padding row; its product
      is computed and never read);
    - `tile_groups[t]` is the group of tile `t`, -1 for a tile no group
      needs;
    - `slots[n, s]` is the row of token `n`'s slot `s` (0 where the slot's
      expert has no group).

    `rows` is a bound: at least `N * k + G * (R - 1)` for `G` groups, which
    no routing can exceed.

    ```mlir
    %rows, %tiles, %slots = quern.moe_dispatch %ids groups = [0, 1, 2, 3, -1]
        : tensor<256x2xi64> -> (tensor<576xi64>, tensor<36xi64>, tensor<256x2xi64>)
    ```
  }];
  let arguments = (ins StaticShapeTensorOf<[I64]>:$experts,
                       DenseI64ArrayAttr:$groups);
  let results = (outs StaticShapeTensorOf<[I64]>:$rows,
                      StaticShapeTensorOf<[I64]>:$tile_groups,
                      StaticShapeTensorOf<[I64]>:$slots);
  let assemblyFormat = [{
    $experts `groups` `=` $groups attr-dict `:` type($experts) `->` `(`
    type($rows) `,` type($tile_groups) `,` type($slots) `)`
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// The number of groups: one more than the largest in `groups`.
    int64_t getNumGroups();
    /// The rows of a tile.
    int64_t getTileRows();
  }];
}

def Quern_GroupedMatMulOp : Quern_Op<"grouped_matmul", [Pure, DeclareOpInterfaceMethods<Quern_GradientOpInterface>]> {
  let summary = "per row tile, a matrix product with its group's weights";
  let description = [{
    `result[t*R + r, n] = sum_k lhs[t*R + r, k] * op(rhs)[g, k, n]` with
    `g = tile_groups[t]` and `R = size(lhs, 0) / size(tile_groups)`; the rows
    of a tile whose group is -1 (or outside the weights) are zeros. `op`
    swaps the last two dimensions with `transpose_rhs` (weights stored as
    `[G, N, K]`, as Linear stores them).

    ```mlir
    %h = quern.grouped_matmul %x, %w, %tiles transpose_rhs
        : tensor<576x128xf32>, tensor<8x256x128xf32>, tensor<36xi64>
          -> tensor<576x256xf32>
    ```
  }];
  let arguments = (ins Quern_FloatTensor:$lhs, Quern_FloatTensor:$rhs,
                       StaticShapeTensorOf<[I64]>:$tile_groups,
                       UnitAttr:$transpose_rhs);
  let results = (outs Quern_FloatTensor:$result);
  let assemblyFormat = [{
    $lhs `,` $rhs `,` $tile_groups (`transpose_rhs` $transpose_rhs^)?
    attr-dict `:` type($lhs) `,` type($rhs) `,` type($tile_groups) `->`
    type($result)
  }];
  let hasVerifier = 1;
}

def Quern_GroupedWeightGradientOp : Quern_Op<"grouped_weight_gradient", [Pure, DeclareOpInterfaceMethods<Quern_GradientOpInterface>]> {
  let summary = "per group, the sum over its row tiles of lhsᵀ · rhs";
  let description = [{
    `result[g, k, n] = sum over tiles t with tile_groups[t] = g, rows r of
    lhs[t*R + r, k] * rhs[t*R + r, n]`, the weight gradient of a
    `grouped_matmul`; with `transpose_result` the result is `[G, N, K]`.
    A group that no tile has gets zeros. Each group's tiles must be
    consecutive, as `quern.moe_dispatch` lays them out (the lowering sums a
    group's rows from its first tile on); the tiles of a group are summed in
    their order, so the result does not depend on the thread count.

    ```mlir
    %dw = quern.grouped_weight_gradient %x, %dh, %tiles transpose_result
        : tensor<576x128xf32>, tensor<576x256xf32>, tensor<36xi64>
          -> tensor<8x256x128xf32>
    ```
  }];
  let arguments = (ins Quern_FloatTensor:$lhs, Quern_FloatTensor:$rhs,
                       StaticShapeTensorOf<[I64]>:$tile_groups,
                       UnitAttr:$transpose_result);
  let results = (outs Quern_FloatTensor:$result);
  let assemblyFormat = [{
    $lhs `,` $rhs `,` $tile_groups (`transpose_result` $transpose_result^)?
    attr-dict `:` type($lhs) `,` type($rhs) `,` type($tile_groups) `->`
    type($result)
  }];
  let hasVerifier = 1;
}

def Quern_GroupedMatMulEpilogueOp : Quern_Op<"grouped_matmul_epilogue", [
    Pure, AttrSizedOperandSegments, IsolatedFromAbove]> {
  let summary = "grouped products sharing their rows, and elementwise ops on "
                "their results, tile by tile";
  let description = [{
    The grouped products `quern.grouped_matmul %lhs, %rhs_i, %tile_groups`
    (one per weight stack in `rhs`, all of one shape and layout), and
    elementwise work on their results done while a tile's results are in
    cache: the region runs once per row tile, on tensors of that tile's
    rows. Its arguments are the tile's rows of each product, then of each
    of `row_inputs` (tensors with the products' rows, read row tile by row
    tile). The results are the products, then the values the region
    computes: it yields the tile's rows of each, a result having the rows
    of the products and the columns of what the region yields for it. The
    region holds elementwise ops and splat constants.

    CPU code generation builds it (quern-fuse-grouped-epilogues) from a
    mixture-of-experts block's first products and the activation after
    them: a SwiGLU's gate and up products and `silu(gate) * up` are one
    loop over the tiles, the activation computed on each tile right after
    its products. It has no gradient: it is made after the training step is.

    ```mlir
    %gate, %up, %h = quern.grouped_matmul_epilogue %x, [%w1, %w3], %tiles
        transpose_rhs : tensor<576x128xf32>, [tensor<8x256x128xf32>,
        tensor<8x256x128xf32>], tensor<36xi64>
        -> (tensor<576x256xf32>, tensor<576x256xf32>, tensor<576x256xf32>) {
    ^bb0(%a: tensor<16x256xf32>, %b: tensor<16x256xf32>):
      %s = quern.sigmoid %a : tensor<16x256xf32>
      %silu = quern.mul %a, %s : tensor<16x256xf32>
      %m = quern.mul %silu, %b : tensor<16x256xf32>
      quern.epilogue_yield %m : tensor<16x256xf32>
    }
    ```
  }];
  let arguments = (ins Quern_FloatTensor:$lhs,
                       Variadic<Quern_FloatTensor>:$rhs,
                       StaticShapeTensorOf<[I64]>:$tile_groups,
                       Variadic<Quern_Tensor>:$row_inputs,
                       UnitAttr:$transpose_rhs);
  let results = (outs Variadic<Quern_Tensor>:$results);
  let regions = (region SizedRegion<1>:$epilogue);
  let assemblyFormat = [{
    $lhs `,` `[` $rhs `]` `,` $tile_groups
    (`rows` `(` $row_inputs^ `:` type($row_inputs) `)`)?
    (`transpose_rhs` $transpose_rhs^)? attr-dict `:` type($lhs) `,`
    `[` type($rhs) `]` `,` type($tile_groups) `->` `(` type($results) `)`
    $epilogue
  }];
  let hasVerifier = 1;
  let hasRegionVerifier = 1;
  let extraClassDeclaration = [{
    /// The rows of a tile.
    int64_t getTileRows();
    /// The type of each product: the rows of `lhs`, the weights' columns.
    ::mlir::RankedTensorType getProductType();
  }];
}

def Quern_GroupedEpilogueYieldOp : Op<Quern_Dialect, "epilogue_yield", [Pure,
    Terminator, HasParent<"GroupedMatMulEpilogueOp">]> {
  let summary = "a row tile of each value a grouped_matmul_epilogue's "
                "epilogue computes";
  let arguments = (ins Variadic<Quern_Tensor>:$tiles);
  let assemblyFormat = "attr-dict ($tiles^ `:` type($tiles))?";
}

#endif // QUERN_EXPERT_OPS_TD
