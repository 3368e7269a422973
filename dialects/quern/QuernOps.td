//===- QuernOps.td - quern op definitions ------------------*- tablegen -*-===//
//
// Op definitions of the quern dialect. See QuernDialect.td for the ground
// rules (static shapes, explicit broadcasting).
//
//===----------------------------------------------------------------------===//

#ifndef QUERN_OPS_TD
#define QUERN_OPS_TD

include "dialects/quern/QuernDialect.td"
include "mlir/IR/BuiltinAttributeInterfaces.td"
include "mlir/IR/CommonAttrConstraints.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

def Quern_FloatTensor : StaticShapeTensorOf<[AnyFloat]>;
def Quern_Tensor : StaticShapeTensorOf<[AnyType]>;

//===----------------------------------------------------------------------===//
// Elementwise ops
//===----------------------------------------------------------------------===//

class Quern_UnaryOp<string mnemonic, string math, list<Trait> traits = []>
    : Quern_Op<mnemonic, !listconcat(traits, [Pure, Elementwise,
                                              SameOperandsAndResultType])> {
  let summary = "elementwise " # math;
  let description = [{
    Computes `}] # math # [{` of every element of `input`.

    ```mlir
    %y = quern.}] # mnemonic # [{ %x : tensor<4x8xf32>
    ```
  }];
  let arguments = (ins Quern_FloatTensor:$input);
  let results = (outs Quern_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($result)";
}

def Quern_NegOp : Quern_UnaryOp<"neg", "-x">;
def Quern_ReluOp : Quern_UnaryOp<"relu", "max(x, 0)">;
def Quern_ExpOp : Quern_UnaryOp<"exp", "e^x">;
def Quern_LogOp : Quern_UnaryOp<"log", "ln(x)">;
def Quern_TanhOp : Quern_UnaryOp<"tanh", "tanh(x)">;
def Quern_SigmoidOp : Quern_UnaryOp<"sigmoid", "1 / (1 + e^-x)">;
def Quern_SqrtOp : Quern_UnaryOp<"sqrt", "sqrt(x)">;

class Quern_BinaryOp<string mnemonic, string math, list<Trait> traits = []>
    : Quern_Op<mnemonic, !listconcat(traits, [Pure, Elementwise,
                                              SameOperandsAndResultType])> {
  let summary = "elementwise " # math;
  let description = [{
    Computes `}] # math # [{` element by element. Both operands have the
    result's type; broadcasting is done beforehand with `quern.broadcast`.

    ```mlir
    %z = quern.}] # mnemonic # [{ %x, %y : tensor<4x8xf32>
    ```
  }];
  let arguments = (ins Quern_FloatTensor:$lhs, Quern_FloatTensor:$rhs);
  let results = (outs Quern_FloatTensor:$result);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` type($result)";
}

def Quern_AddOp : Quern_BinaryOp<"add", "lhs + rhs", [Commutative]>;
def Quern_SubOp : Quern_BinaryOp<"sub", "lhs - rhs">;
def Quern_MulOp : Quern_BinaryOp<"mul", "lhs * rhs", [Commutative]>;
def Quern_DivOp : Quern_BinaryOp<"div", "lhs / rhs">;

//===----------------------------------------------------------------------===//
// Contractions
//===----------------------------------------------------------------------===//

def Quern_MatMulOp : Quern_Op<"matmul", [Pure]> {
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

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

class Quern_ReduceOp<string mnemonic, string what>
    : Quern_Op<mnemonic, [Pure, SameOperandsAndResultElementType]> {
  let summary = "reduces dimensions by " # what;
  let description = [{
    Reduces `input` over the dimensions listed in `axes` (non-negative,
    unique) by }] # what # [{. With `keep_dims` the reduced dimensions stay
    in the result with extent 1; otherwise they are dropped.

    ```mlir
    %s = quern.}] # mnemonic # [{ %x axes = [1] keep_dims
        : tensor<4x8xf32> -> tensor<4x1xf32>
    ```
  }];
  let arguments = (ins Quern_FloatTensor:$input, DenseI64ArrayAttr:$axes,
                       UnitAttr:$keep_dims);
  let results = (outs Quern_FloatTensor:$result);
  let assemblyFormat = [{
    $input `axes` `=` $axes (`keep_dims` $keep_dims^)? attr-dict
    `:` type($input) `->` type($result)
  }];
  let hasVerifier = 1;
}

def Quern_ReduceSumOp : Quern_ReduceOp<"reduce_sum", "summation">;
def Quern_ReduceMeanOp : Quern_ReduceOp<"reduce_mean", "the arithmetic mean">;
def Quern_ReduceMaxOp : Quern_ReduceOp<"reduce_max", "the maximum">;

//===----------------------------------------------------------------------===//
// Normalizations
//===----------------------------------------------------------------------===//

class Quern_SoftmaxBaseOp<string mnemonic, string math>
    : Quern_Op<mnemonic, [Pure, SameOperandsAndResultType]> {
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

//===----------------------------------------------------------------------===//
// Shape ops
//===----------------------------------------------------------------------===//

def Quern_ReshapeOp : Quern_Op<"reshape", [Pure,
                                           SameOperandsAndResultElementType]> {
  let summary = "reinterprets the elements in row-major order with a new shape";
  let description = [{
    The result has the same elements, in row-major order, as `input`; only
    the shape differs. The element counts must agree.

    ```mlir
    %y = quern.reshape %x : tensor<4x8xf32> -> tensor<32xf32>
    ```
  }];
  let arguments = (ins Quern_Tensor:$input);
  let results = (outs Quern_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Quern_TransposeOp : Quern_Op<"transpose", [Pure,
                                               SameOperandsAndResultElementType]> {
  let summary = "permutes dimensions";
  let description = [{
    `result[i_perm[0], ..., i_perm[n-1]]` takes the element
    `input[i_0, ..., i_n-1]`: dimension `d` of the result is dimension
    `perm[d]` of the input.

    ```mlir
    %y = quern.transpose %x perm = [1, 0] : tensor<4x8xf32> -> tensor<8x4xf32>
    ```
  }];
  let arguments = (ins Quern_Tensor:$input, DenseI64ArrayAttr:$perm);
  let results = (outs Quern_Tensor:$result);
  let assemblyFormat = [{
    $input `perm` `=` $perm attr-dict `:` type($input) `->` type($result)
  }];
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Quern_BroadcastOp : Quern_Op<"broadcast", [Pure,
                                               SameOperandsAndResultElementType]> {
  let summary = "numpy-style broadcast to a larger shape";
  let description = [{
    Aligns the shapes at their last dimension; every input dimension must be
    1 or equal to the result's, and missing leading dimensions are added.

    ```mlir
    %y = quern.broadcast %b : tensor<8xf32> -> tensor<4x8xf32>
    ```
  }];
  let arguments = (ins Quern_Tensor:$input);
  let results = (outs Quern_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Constants
//===----------------------------------------------------------------------===//

def Quern_ConstantOp : Quern_Op<"constant", [ConstantLike, Pure,
    AllTypesMatch<["value", "result"]>]> {
  let summary = "a constant tensor";
  let description = [{
    A tensor known at compile time: ONNX `Constant` nodes and initializers
    that are not parameters (integer tensors, shapes).

    ```mlir
    %c = quern.constant dense<1.0> : tensor<4xf32>
    ```
  }];
  let arguments = (ins ElementsAttr:$value);
  let results = (outs Quern_Tensor:$result);
  let assemblyFormat = "attr-dict $value";
  let hasFolder = 1;
}

#endif // QUERN_OPS_TD
