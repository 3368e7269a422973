//===- QuernQuantOps.td - block-quantized storage ----------*- tablegen -*-===//
//
// Frozen weights stored in a few bits per element (QLoRA's NF4, symmetric
// int4 and int8): codes, in blocks of consecutive elements that share one
// f32 scale. quern-quantize stores a weight so; `quern.dequantize` is the
// value the graph reads, which code generation decodes where a product
// packs its operand, so that products do not build an f32 copy of it.
//
//===----------------------------------------------------------------------===//

#ifndef QUERN_QUANT_OPS_TD
#define QUERN_QUANT_OPS_TD

include "dialects/quern/QuernBase.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

def Quern_DequantizeOp : Quern_Op<"dequantize", [Pure, AttrSizedOperandSegments]> {
  let summary = "the f32 value of block-quantized codes";
  let description = [{
    Element `e` of the result, in row-major order, is `level(code(e)) *
    scales[e / block]`, plus `offset` when one is given: one scale per block
    of `block` consecutive elements, the last block possibly shorter. Codes
    are bytes (`i8` or `ui8`):
    - `nf4`: 4-bit indices into QLoRA's 16 NormalFloat levels (bitsandbytes'
      table, -1 to 1), two per byte: element `2i` in bits 0-3 of byte `i`,
      element `2i + 1` in bits 4-7;
    - `int4`: 4-bit two's-complement integers (-7 to 7 as quern-quantize
      writes them), packed as nf4's;
    - `int8`: one signed byte per element (-127 to 127);
    - `uint4` / `uint8`: unsigned codes, the level the code minus the
      block's zero point: 8 / 128, or with `zero_points` the block's own,
      as ONNX Runtime's `MatMulNBits` stores them (4-bit ones packed as
      nf4's). Zero points are per row of the result's last dimension, R =
      its size / `block` blocks a row, each row's in `ceil(R * bits / 8)`
      bytes (4-bit ones two a byte, the first in the low nibble).

    `offset` (one f32) serves the second level of double quantization, where
    the scales of a 4-bit weight are themselves int8 codes around their
    mean:

    ```mlir
    %absmax = quern.dequantize int8 %scale_codes, %scale_scales block = 256
        offset(%mean : tensor<1xf32>)
        : tensor<1024xi8>, tensor<4xf32> -> tensor<1024xf32>
    %w = quern.dequantize nf4 %codes, %absmax block = 64
        : tensor<32768xi8>, tensor<1024xf32> -> tensor<256x256xf32>
    ```
  }];
  let arguments = (ins Quern_QuantScheme:$scheme,
                       StaticShapeTensorOf<[AnyI8]>:$codes,
                       StaticShapeTensorOf<[F32]>:$scales,
                       Optional<StaticShapeTensorOf<[F32]>>:$offset,
                       Optional<StaticShapeTensorOf<[AnyI8]>>:$zero_points,
                       ConfinedAttr<I64Attr, [IntPositive]>:$block);
  let results = (outs StaticShapeTensorOf<[F32]>:$result);
  let assemblyFormat = [{
    $scheme $codes `,` $scales `block` `=` $block
    (`offset` `(` $offset^ `:` type($offset) `)`)?
    (`zero_points` `(` $zero_points^ `:` type($zero_points) `)`)?
    attr-dict `:` type($codes) `,` type($scales) `->` type($result)
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// The bits of one code: 4 or 8.
    static int64_t codeBits(QuantScheme scheme);
    /// QLoRA's 16 NormalFloat levels, as bitsandbytes tabulates them: the
    /// value of nf4 code `i` is `nf4Levels()[i]` times its block's scale.
    static llvm::ArrayRef<float> nf4Levels();
  }];
}

#endif // QUERN_QUANT_OPS_TD
