//===- QuernDialect.td - The quern dialect -----------------*- tablegen -*-===//
//
// The quern dialect is the graph level of the compiler: value semantics on
// ranked, statically shaped tensors, one op per mathematical operation that a
// training graph needs. Shapes are static so that memory can be planned at
// compile time and tile sizes can be chosen per op.
//
//===----------------------------------------------------------------------===//

#ifndef QUERN_DIALECT_TD
#define QUERN_DIALECT_TD

include "mlir/IR/OpBase.td"
include "dialects/quern/QuernInterfaces.td"

def Quern_Dialect : Dialect {
  let name = "quern";
  let cppNamespace = "::quern";
  let summary = "Graph-level ops for compiling training steps";
  let description = [{
    The `quern` dialect holds the forward graph imported from ONNX and, later
    in the pipeline, the backward graph and optimizer updates built from it.
    All ops have value semantics on statically shaped builtin tensors.
    Broadcasting is explicit (`quern.broadcast`): elementwise ops take
    operands of one type, which keeps their gradients and lowerings simple.

    Function arguments that carry a `quern.param` attribute are model
    parameters; they live in the persistent state buffer of the compiled
    artifact. Other arguments are per-call inputs.
  }];
  let useDefaultAttributePrinterParser = 0;
  let hasConstantMaterializer = 1;
  // The quern.* attributes of dialects/quern/QuernAttributes.h.
  let hasOperationAttrVerify = 1;
  let hasRegionArgAttrVerify = 1;
  let hasRegionResultAttrVerify = 1;
}

// Every op states its cost (QuernCost.cpp).
class Quern_Op<string mnemonic, list<Trait> traits = []>
    : Op<Quern_Dialect, mnemonic, !listconcat(traits, [Quern_CostOpInterface])>;

#endif // QUERN_DIALECT_TD
