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

def Quern_CostOpInterface : OpInterface<"CostOpInterface"> {
  let cppNamespace = "::quern";
  let description = [{
    What one execution of an op costs, as the passes that trade work for
    memory weigh it (recomputation, expert fusion, elementwise fusion): its
    floating-point operations, and the bytes of the tensors it reads and
    writes, each operand and result once (the least traffic it can have).
    Every quern op has it (Quern_Op adds it); the counts are in
    QuernCost.cpp, one rule per op family. linalg's structured ops have it
    too, by an external model (lib/Codegen/CPU/Cost.cpp) that elementwise
    fusion and the kernel report read.
  }];
  let methods = [
    InterfaceMethod<"Floating-point operations (a multiply-add counts two)",
      "int64_t", "getFlops", (ins), [{}],
      [{ return ::quern::countFlops($_op); }]>,
    InterfaceMethod<"Bytes of the operands, each once",
      "int64_t", "getBytesRead", (ins), [{}],
      [{ return ::quern::tensorBytes($_op->getOperandTypes()); }]>,
    InterfaceMethod<"Bytes of the results",
      "int64_t", "getBytesWritten", (ins), [{}],
      [{ return ::quern::tensorBytes($_op->getResultTypes()); }]>
  ];
}

#endif // QUERN_INTERFACES_TD
