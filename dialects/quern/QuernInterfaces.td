//===- QuernInterfaces.td - quern op interfaces ------------*- tablegen -*-===//

#ifndef QUERN_INTERFACES_TD
#define QUERN_INTERFACES_TD

include "mlir/IR/OpBase.td"

def Quern_GradientOpInterface : OpInterface<"GradientOpInterface"> {
  let cppNamespace = "::quern";
  let description = [{
    An op that reverse-mode differentiation can go through. Given the
    gradient of the loss with respect to each result (null where the loss
    does not depend on a result), the op builds, from quern ops, the
    gradient with respect to each operand: its vector-Jacobian product.
    Operands without a gradient (integer and boolean operands, indices)
    get null.
  }];
  let methods = [
    InterfaceMethod<[{
        Appends one gradient per operand to `operandGradients` (null where
        there is none). Fails, with a diagnostic, where the op cannot be
        differentiated in the form it has.
      }],
      "::mlir::LogicalResult", "buildGradients",
      (ins "::mlir::OpBuilder &":$builder,
           "::mlir::ArrayRef<::mlir::Value>":$resultGradients,
           "::llvm::SmallVectorImpl<::mlir::Value> &":$operandGradients)>
  ];
}

#endif // QUERN_INTERFACES_TD
