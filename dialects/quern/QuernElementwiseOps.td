//===- QuernElementwiseOps.td - elementwise ops ------------*- tablegen -*-===//

#ifndef QUERN_ELEMENTWISE_OPS_TD
#define QUERN_ELEMENTWISE_OPS_TD

include "dialects/quern/QuernBase.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

class Quern_UnaryOp<string mnemonic, string math, TypeConstraint operand,
                    list<Trait> traits = []>
    : Quern_Op<mnemonic, !listconcat(traits, [Pure, Elementwise,
                                              SameOperandsAndResultType])> {
  let summary = "elementwise " # math;
  let description = [{
    Computes `}] # math # [{` of every element of `input`.

    ```mlir
    %y = quern.}] # mnemonic # [{ %x : tensor<4x8xf32>
    ```
  }];
  let arguments = (ins operand:$input);
  let results = (outs operand:$result);
  let assemblyFormat = "$input attr-dict `:` type($result)";
}

def Quern_NegOp : Quern_UnaryOp<"neg", "-x", Quern_NumericTensor, [DeclareOpInterfaceMethods<Quern_GradientOpInterface>]>;
def Quern_AbsOp : Quern_UnaryOp<"abs", "|x|", Quern_NumericTensor, [DeclareOpInterfaceMethods<Quern_GradientOpInterface>]>;
def Quern_ReluOp : Quern_UnaryOp<"relu", "max(x, 0)", Quern_NumericTensor, [DeclareOpInterfaceMethods<Quern_GradientOpInterface>]>;
def Quern_ExpOp : Quern_UnaryOp<"exp", "e^x", Quern_FloatTensor, [DeclareOpInterfaceMethods<Quern_GradientOpInterface>]>;
def Quern_LogOp : Quern_UnaryOp<"log", "ln(x)", Quern_FloatTensor, [DeclareOpInterfaceMethods<Quern_GradientOpInterface>]>;
def Quern_TanhOp : Quern_UnaryOp<"tanh", "tanh(x)", Quern_FloatTensor, [DeclareOpInterfaceMethods<Quern_GradientOpInterface>]>;
def Quern_SigmoidOp
    : Quern_UnaryOp<"sigmoid", "1 / (1 + e^-x)", Quern_FloatTensor, [DeclareOpInterfaceMethods<Quern_GradientOpInterface>]>;
def Quern_SqrtOp : Quern_UnaryOp<"sqrt", "sqrt(x)", Quern_FloatTensor, [DeclareOpInterfaceMethods<Quern_GradientOpInterface>]>;
def Quern_ReciprocalOp
    : Quern_UnaryOp<"reciprocal", "1 / x", Quern_FloatTensor, [DeclareOpInterfaceMethods<Quern_GradientOpInterface>]>;
def Quern_ErfOp : Quern_UnaryOp<"erf", "erf(x)", Quern_FloatTensor, [DeclareOpInterfaceMethods<Quern_GradientOpInterface>]>;
def Quern_SinOp : Quern_UnaryOp<"sin", "sin(x)", Quern_FloatTensor, [DeclareOpInterfaceMethods<Quern_GradientOpInterface>]>;
def Quern_CosOp : Quern_UnaryOp<"cos", "cos(x)", Quern_FloatTensor, [DeclareOpInterfaceMethods<Quern_GradientOpInterface>]>;
def Quern_NotOp : Quern_UnaryOp<"not", "logical not", Quern_BoolTensor>;

def Quern_LeakyReluOp : Quern_Op<"leaky_relu", [Pure, Elementwise,
    SameOperandsAndResultType, DeclareOpInterfaceMethods<Quern_GradientOpInterface>]> {
  let summary = "elementwise x if x >= 0, else alpha * x";
  let description = [{
    ```mlir
    %y = quern.leaky_relu %x alpha = 1.000000e-02 : tensor<4xf32>
    ```
  }];
  let arguments = (ins Quern_FloatTensor:$input, F64Attr:$alpha);
  let results = (outs Quern_FloatTensor:$result);
  let assemblyFormat = "$input `alpha` `=` $alpha attr-dict `:` type($result)";
}

class Quern_BinaryOp<string mnemonic, string math, TypeConstraint operand,
                     list<Trait> traits = []>
    : Quern_Op<mnemonic, !listconcat(traits, [Pure, Elementwise,
                                              SameOperandsAndResultType])> {
  let summary = "elementwise " # math;
  let description = [{
    Computes `}] # math # [{` element by element. Both operands have the
    result's type; broadcasting is done beforehand with `quern.broadcast`.
    Integer division truncates toward zero; signedness comes from the
    element type (`ui8` is unsigned).

    ```mlir
    %z = quern.}] # mnemonic # [{ %x, %y : tensor<4x8xf32>
    ```
  }];
  let arguments = (ins operand:$lhs, operand:$rhs);
  let results = (outs operand:$result);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` type($result)";
  let hasFolder = 1;
}

def Quern_AddOp
    : Quern_BinaryOp<"add", "lhs + rhs", Quern_NumericTensor, [Commutative, DeclareOpInterfaceMethods<Quern_GradientOpInterface>]>;
def Quern_SubOp : Quern_BinaryOp<"sub", "lhs - rhs", Quern_NumericTensor, [DeclareOpInterfaceMethods<Quern_GradientOpInterface>]>;
def Quern_MulOp
    : Quern_BinaryOp<"mul", "lhs * rhs", Quern_NumericTensor, [Commutative, DeclareOpInterfaceMethods<Quern_GradientOpInterface>]>;
def Quern_DivOp : Quern_BinaryOp<"div", "lhs / rhs", Quern_NumericTensor, [DeclareOpInterfaceMethods<Quern_GradientOpInterface>]>;
def Quern_PowOp : Quern_BinaryOp<"pow", "lhs ^ rhs", Quern_FloatTensor, [DeclareOpInterfaceMethods<Quern_GradientOpInterface>]>;
def Quern_MaxOp : Quern_BinaryOp<"max", "max(lhs, rhs) (NaN wins)",
                                 Quern_NumericTensor, [Commutative, DeclareOpInterfaceMethods<Quern_GradientOpInterface>]>;
def Quern_MinOp : Quern_BinaryOp<"min", "min(lhs, rhs) (NaN wins)",
                                 Quern_NumericTensor, [Commutative, DeclareOpInterfaceMethods<Quern_GradientOpInterface>]>;
def Quern_AndOp
    : Quern_BinaryOp<"and", "lhs and rhs", Quern_BoolTensor, [Commutative]>;
def Quern_OrOp
    : Quern_BinaryOp<"or", "lhs or rhs", Quern_BoolTensor, [Commutative]>;

def Quern_CompareOp : Quern_Op<"compare", [Pure, Elementwise,
    SameTypeOperands, AllShapesMatch<["lhs", "result"]>]> {
  let summary = "elementwise comparison";
  let description = [{
    Compares `lhs` with `rhs` element by element with `predicate` (eq, lt,
    le, gt, ge), giving booleans. Comparisons with NaN are false (eq
    included); integers compare by their element type's signedness.

    ```mlir
    %m = quern.compare lt, %x, %y : tensor<4xf32> -> tensor<4xi1>
    ```
  }];
  let arguments = (ins Quern_ComparePredicate:$predicate,
                       Quern_NumericTensor:$lhs, Quern_NumericTensor:$rhs);
  let results = (outs Quern_BoolTensor:$result);
  let assemblyFormat = [{
    $predicate `,` $lhs `,` $rhs attr-dict `:` type($lhs) `->` type($result)
  }];
  let hasFolder = 1;
}

def Quern_SelectOp : Quern_Op<"select", [Pure, Elementwise, DeclareOpInterfaceMethods<Quern_GradientOpInterface>,
    AllTypesMatch<["on_true", "on_false", "result"]>,
    AllShapesMatch<["condition", "result"]>]> {
  let summary = "elementwise choice between two tensors";
  let description = [{
    `result[i] = condition[i] ? on_true[i] : on_false[i]` (ONNX `Where`).

    ```mlir
    %y = quern.select %c, %a, %b : tensor<4xi1>, tensor<4xf32>
    ```
  }];
  let arguments = (ins Quern_BoolTensor:$condition, Quern_Tensor:$on_true,
                       Quern_Tensor:$on_false);
  let results = (outs Quern_Tensor:$result);
  let assemblyFormat = [{
    $condition `,` $on_true `,` $on_false attr-dict `:` type($condition) `,`
    type($result)
  }];
  let hasFolder = 1;
}

def Quern_CastOp : Quern_Op<"cast", [Pure, Elementwise, DeclareOpInterfaceMethods<Quern_GradientOpInterface>,
    AllShapesMatch<["input", "result"]>]> {
  let summary = "elementwise conversion to another element type";
  let description = [{
    Converts each element as ONNX `Cast` does: floats to integers truncate
    toward zero (values out of range are undefined), integers to floats and
    floats to narrower floats round to nearest even, a conversion to
    booleans means `!= 0`, and booleans become 0 or 1.

    ```mlir
    %i = quern.cast %x : tensor<4xf32> to tensor<4xi64>
    ```
  }];
  let arguments = (ins Quern_NumericTensor:$input);
  let results = (outs Quern_NumericTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `to` type($result)";
  let hasFolder = 1;
}

#endif // QUERN_ELEMENTWISE_OPS_TD
