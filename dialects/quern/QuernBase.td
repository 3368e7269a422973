//===- QuernBase.td - quern types and enums ----------------*- tablegen -*-===//
//
// The tensor constraints and enum attributes the op definitions share.
// Integer tensors carry ONNX's signedness in their type: int8 is the
// signless i8 (read as signed), uint8 is ui8, bool is i1.
//
//===----------------------------------------------------------------------===//

#ifndef QUERN_BASE_TD
#define QUERN_BASE_TD

include "dialects/quern/QuernDialect.td"
include "mlir/IR/EnumAttr.td"
include "dialects/quern/QuernInterfaces.td"

def Quern_FloatTensor : StaticShapeTensorOf<[AnyFloat]>;
def Quern_NumericTensor : StaticShapeTensorOf<[AnyFloat, AnyInteger]>;
def Quern_BoolTensor : StaticShapeTensorOf<[I1]>;
def Quern_IndexTensor : StaticShapeTensorOf<[I32, I64]>;
def Quern_Tensor : StaticShapeTensorOf<[AnyType]>;

def Quern_ComparePredicate : I32EnumAttr<"ComparePredicate",
    "how quern.compare compares", [
      I32EnumAttrCase<"eq", 0>, I32EnumAttrCase<"lt", 1>,
      I32EnumAttrCase<"le", 2>, I32EnumAttrCase<"gt", 3>,
      I32EnumAttrCase<"ge", 4>]> {
  let cppNamespace = "::quern";
}

def Quern_ScatterReduction : I32EnumAttr<"ScatterReduction",
    "how a scatter combines an update with the value it lands on", [
      I32EnumAttrCase<"none", 0>, I32EnumAttrCase<"add", 1>,
      I32EnumAttrCase<"mul", 2>, I32EnumAttrCase<"max", 3>,
      I32EnumAttrCase<"min", 4>]> {
  let cppNamespace = "::quern";
}

def Quern_LossReduction : I32EnumAttr<"LossReduction",
    "how a loss reduces its per-element values", [
      I32EnumAttrCase<"none", 0>, I32EnumAttrCase<"sum", 1>,
      I32EnumAttrCase<"mean", 2>]> {
  let cppNamespace = "::quern";
}

def Quern_QuantScheme : I32EnumAttr<"QuantScheme",
    "how block-quantized codes encode a weight", [
      I32EnumAttrCase<"nf4", 0>, I32EnumAttrCase<"int4", 1>,
      I32EnumAttrCase<"int8", 2>, I32EnumAttrCase<"uint4", 3>,
      I32EnumAttrCase<"uint8", 4>]> {
  let cppNamespace = "::quern";
}

def Quern_CollectiveKind : I32EnumAttr<"CollectiveKind",
    "what a data-parallel collective computes over the processes", [
      I32EnumAttrCase<"all_reduce", 0>, I32EnumAttrCase<"reduce_scatter", 1>,
      I32EnumAttrCase<"all_gather", 2>]> {
  let cppNamespace = "::quern";
}

#endif // QUERN_BASE_TD
