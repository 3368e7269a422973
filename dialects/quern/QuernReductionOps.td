//===- QuernReductionOps.td - reductions, norms, losses ----*- tablegen -*-===//

#ifndef QUERN_REDUCTION_OPS_TD
#define QUERN_REDUCTION_OPS_TD

include "dialects/quern/QuernBase.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

class Quern_ReduceOp<string mnemonic, string what, TypeConstraint operand>
    : Quern_Op<mnemonic, [Pure, SameOperandsAndResultElementType,
                          DeclareOpInterfaceMethods<Quern_GradientOpInterface>]> {
  let summary = "reduces dimensions by " # what;
  let description = [{
    Reduces `input` over the dimensions listed in `axes` (non-negative,
    ascending) by }] # what # [{. With `keep_dims` the reduced dimensions stay
    in the result with extent 1; otherwise they are dropped.

    ```mlir
    %s = quern.}] # mnemonic # [{ %x axes = [1] keep_dims
        : tensor<4x8xf32> -> tensor<4x1xf32>
    ```
  }];
  let arguments = (ins operand:$input, DenseI64ArrayAttr:$axes,
                       UnitAttr:$keep_dims);
  let results = (outs operand:$result);
  let assemblyFormat = [{
    $input `axes` `=` $axes (`keep_dims` $keep_dims^)? attr-dict
    `:` type($input) `->` type($result)
  }];
  let hasVerifier = 1;
}

def Quern_ReduceSumOp
    : Quern_ReduceOp<"reduce_sum", "summation", Quern_NumericTensor>;
def Quern_ReduceMeanOp
    : Quern_ReduceOp<"reduce_mean", "the arithmetic mean", Quern_FloatTensor>;
def Quern_ReduceMaxOp
    : Quern_ReduceOp<"reduce_max", "the maximum", Quern_NumericTensor>;
def Quern_ReduceMinOp
    : Quern_ReduceOp<"reduce_min", "the minimum", Quern_NumericTensor>;

class Quern_SoftmaxBaseOp<string mnemonic, string math>
    : Quern_Op<mnemonic, [Pure, SameOperandsAndResultType,
                          DeclareOpInterfaceMethods<Quern_GradientOpInterface>]> {
  let summary = math # " along one dimension";
  let description = [{
    Computes `}] # math # [{` of `input` along dimension `axis`
    (non-negative), in the numerically stable form that subtracts the
    maximum first.

    ```mlir
    %p = quern.}] # mnemonic # [{ %x axis = 1 : tensor<4x10xf32>
    ```
  }];
  let arguments = (ins Quern_FloatTensor:$input, I64Attr:$axis);
  let results = (outs Quern_FloatTensor:$result);
  let assemblyFormat = "$input `axis` `=` $axis attr-dict `:` type($result)";
  let hasVerifier = 1;
}

def Quern_SoftmaxOp : Quern_SoftmaxBaseOp<"softmax", "exp(x) / sum(exp(x))">;
def Quern_LogSoftmaxOp
    : Quern_SoftmaxBaseOp<"log_softmax", "x - log(sum(exp(x)))">;

def Quern_LayerNormOp : Quern_Op<"layer_norm", [Pure, DeclareOpInterfaceMethods<Quern_GradientOpInterface>]> {
  let summary = "layer normalization, with its saved statistics";
  let description = [{
    Normalizes `input` over its dimensions `axis` and after:
    `y = (x - mean) * inv_std * scale + bias` with
    `inv_std = 1 / sqrt(var + epsilon)` (biased variance). `scale` and
    `bias` have the normalized dimensions' shape. `mean` and `inv_std` have
    the input's shape with the normalized dimensions set to 1; backward
    passes reuse them.

    ```mlir
    %y, %mean, %inv_std = quern.layer_norm %x, %gamma, %beta axis = 2
        epsilon = 1.000000e-05
        : (tensor<2x16x32xf32>, tensor<32xf32>, tensor<32xf32>)
        -> (tensor<2x16x32xf32>, tensor<2x16x1xf32>, tensor<2x16x1xf32>)
    ```
  }];
  let arguments = (ins Quern_FloatTensor:$input, Quern_FloatTensor:$scale,
                       Optional<Quern_FloatTensor>:$bias, I64Attr:$axis,
                       F64Attr:$epsilon);
  let results = (outs Quern_FloatTensor:$result, Quern_FloatTensor:$mean,
                      Quern_FloatTensor:$inv_std);
  let assemblyFormat = [{
    $input `,` $scale (`,` $bias^)? `axis` `=` $axis `epsilon` `=` $epsilon
    attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Quern_NllLossOp : Quern_Op<"nll_loss", [Pure, DeclareOpInterfaceMethods<Quern_GradientOpInterface>]> {
  let summary = "negative log-likelihood loss";
  let description = [{
    `input` holds log-probabilities `[N, C, d...]`, `target` class indices
    `[N, d...]`. Each position contributes `-input[n, target, d...] *
    weight[target]` (weight 1 without `weight`); positions whose target is
    `ignore_index` contribute 0 with weight 0. `none` returns the per-position
    losses, `sum` their sum, `mean` their sum divided by the sum of the
    weights of the positions counted (ONNX NegativeLogLikelihoodLoss).

    ```mlir
    %l = quern.nll_loss %logp, %labels reduction = mean
        : (tensor<8x10xf32>, tensor<8xi64>) -> tensor<f32>
    ```
  }];
  let arguments = (ins Quern_FloatTensor:$input, Quern_IndexTensor:$target,
                       Optional<Quern_FloatTensor>:$weight,
                       Quern_LossReduction:$reduction,
                       OptionalAttr<I64Attr>:$ignore_index);
  let results = (outs Quern_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $target (`,` $weight^)? `reduction` `=` $reduction
    (`ignore_index` `=` $ignore_index^)? attr-dict
    `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

#endif // QUERN_REDUCTION_OPS_TD
