//===- QuernShapeOps.td - shape ops and constants ----------*- tablegen -*-===//

#ifndef QUERN_SHAPE_OPS_TD
#define QUERN_SHAPE_OPS_TD

include "dialects/quern/QuernBase.td"
include "mlir/IR/BuiltinAttributeInterfaces.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

def Quern_ReshapeOp : Quern_Op<"reshape", [Pure, DeclareOpInterfaceMethods<Quern_GradientOpInterface>,
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

def Quern_TransposeOp : Quern_Op<"transpose", [Pure, DeclareOpInterfaceMethods<Quern_GradientOpInterface>,
                                               SameOperandsAndResultElementType]> {
  let summary = "permutes dimensions";
  let description = [{
    Dimension `d` of the result is dimension `perm[d]` of the input.

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

def Quern_BroadcastOp : Quern_Op<"broadcast", [Pure, DeclareOpInterfaceMethods<Quern_GradientOpInterface>,
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

def Quern_ConcatOp : Quern_Op<"concat", [Pure, DeclareOpInterfaceMethods<Quern_GradientOpInterface>]> {
  let summary = "joins tensors along one dimension";
  let description = [{
    ```mlir
    %y = quern.concat %a, %b axis = 1
        : (tensor<2x3xf32>, tensor<2x5xf32>) -> tensor<2x8xf32>
    ```
  }];
  let arguments = (ins Variadic<Quern_Tensor>:$inputs, I64Attr:$axis);
  let results = (outs Quern_Tensor:$result);
  let assemblyFormat = [{
    $inputs `axis` `=` $axis attr-dict `:` functional-type($inputs, $result)
  }];
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Quern_SliceOp : Quern_Op<"slice", [Pure, DeclareOpInterfaceMethods<Quern_GradientOpInterface>,
                                       SameOperandsAndResultElementType]> {
  let summary = "a strided window of a tensor";
  let description = [{
    `result[i...] = input[offsets[d] + i[d] * strides[d] ...]`; the result's
    shape gives the window's extent. Strides may be negative (the window then
    runs backwards from its offset), not zero.

    ```mlir
    %y = quern.slice %x offsets = [0, 7] strides = [1, -2]
        : tensor<4x8xf32> -> tensor<4x4xf32>
    ```
  }];
  let arguments = (ins Quern_Tensor:$input, DenseI64ArrayAttr:$offsets,
                       DenseI64ArrayAttr:$strides);
  let results = (outs Quern_Tensor:$result);
  let assemblyFormat = [{
    $input `offsets` `=` $offsets `strides` `=` $strides attr-dict
    `:` type($input) `->` type($result)
  }];
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Quern_InsertSliceOp : Quern_Op<"insert_slice", [Pure,
    AllTypesMatch<["dest", "result"]>]> {
  let summary = "a copy of dest with a strided window replaced by source";
  let description = [{
    The adjoint of `quern.slice`: `result` is `dest` except that
    `result[offsets[d] + i[d] * strides[d] ...] = source[i...]`. Strides are
    positive.

    ```mlir
    %y = quern.insert_slice %g into %zeros offsets = [0, 2] strides = [1, 2]
        : tensor<4x3xf32> into tensor<4x8xf32>
    ```
  }];
  let arguments = (ins Quern_Tensor:$source, Quern_Tensor:$dest,
                       DenseI64ArrayAttr:$offsets, DenseI64ArrayAttr:$strides);
  let results = (outs Quern_Tensor:$result);
  let assemblyFormat = [{
    $source `into` $dest `offsets` `=` $offsets `strides` `=` $strides
    attr-dict `:` type($source) `into` type($dest)
  }];
  let hasVerifier = 1;
}

def Quern_ConstantOp : Quern_Op<"constant", [ConstantLike, Pure,
    AllTypesMatch<["value", "result"]>]> {
  let summary = "a constant tensor";
  let description = [{
    A tensor known at compile time: ONNX `Constant` nodes, initializers that
    are not parameters (integer tensors, shapes), and whatever the importer
    folds (shape computations).

    ```mlir
    %c = quern.constant dense<1.0> : tensor<4xf32>
    ```
  }];
  let arguments = (ins ElementsAttr:$value);
  let results = (outs Quern_Tensor:$result);
  let assemblyFormat = "attr-dict $value";
  let hasFolder = 1;
  let builders = [
    // A tensor of `type` whose elements are all `value` (converted to the
    // element type: floats round, integers truncate, i1 is value != 0).
    OpBuilder<(ins "mlir::RankedTensorType":$type, "double":$value)>
  ];
  let extraClassDeclaration = [{
    /// The value when every element is the same, else null.
    ::mlir::SplatElementsAttr getSplat() {
      return ::llvm::dyn_cast<::mlir::SplatElementsAttr>(getValue());
    }
    /// The splat value of `value`'s defining constant, or null when it is
    /// not a splat constant.
    static ::mlir::SplatElementsAttr splatOf(::mlir::Value value) {
      auto constant = value.getDefiningOp<ConstantOp>();
      return constant ? constant.getSplat() : nullptr;
    }
  }];
}

#endif // QUERN_SHAPE_OPS_TD
