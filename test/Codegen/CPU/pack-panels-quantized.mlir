// RUN: quern-opt %s --convert-quern-to-linalg --quern-pack-panels=panel=32 --canonicalize -split-input-file | FileCheck %s --check-prefix=F32
// RUN: quern-opt %s --convert-quern-to-linalg="bf16-matmuls bf16-pairs" --quern-pack-panels=panel=32 --canonicalize -split-input-file | FileCheck %s --check-prefix=BF16
// RUN: quern-opt %s -split-input-file --quern-cpu-codegen | FileCheck %s --check-prefix=BUFFERS

// A product whose right operand is a quantized weight decodes it as it
// packs it: the pack is a generic with no inputs that reads the codes and
// scales, writing the panels ([N/32, K, 32] f32, or k pairs of bf16
// [N/32, K/2, 32, 2] for AVX-512 BF16's dot product), whatever the size of
// the product (an f32 product this small is otherwise not packed). No
// tensor or buffer of the weight's shape exists: the decoded weight is
// only ever the panels, which the f32 path of a large product packs too.

// F32-LABEL: func.func @forward
// F32: %[[PANELS:.+]] = linalg.generic {{{.*}}} outs(%{{.*}} : tensor<16x256x32xf32>)
// F32: tensor.extract %arg1
// F32: tensor.extract %arg2
// F32: linalg.generic {{{.*}}} ins(%arg0, %[[PANELS]] : tensor<64x256xf32>, tensor<16x256x32xf32>)
// F32-NOT: tensor<256x512xf32>

// BF16-LABEL: func.func @forward
// BF16: %[[PANELS:.+]] = linalg.generic {{{.*}}} outs(%{{.*}} : tensor<16x128x32x2xbf16>)
// BF16: tensor.extract %arg1
// BF16: arith.truncf %{{.*}} : f32 to bf16
// BF16: linalg.generic {{{.*}}} ins(%{{.*}}, %[[PANELS]] : tensor<64x128x2xbf16>, tensor<16x128x32x2xbf16>)
// BF16-NOT: tensor<256x512xf32>

// BUFFERS-LABEL: llvm.func @forward
// BUFFERS-NOT: 256x512
func.func @forward(%x: tensor<64x256xf32>, %codes: tensor<65536xi8>, %scales: tensor<2048xf32>) -> tensor<64x512xf32> {
  %w = quern.dequantize nf4 %codes, %scales block = 64 : tensor<65536xi8>, tensor<2048xf32> -> tensor<256x512xf32>
  %y = quern.matmul %x, %w : tensor<64x256xf32>, tensor<256x512xf32> -> tensor<64x512xf32>
  return %y : tensor<64x512xf32>
}

// -----

// A weight read transposed (Linear's [N, K], Gemm's transB, and the input
// gradient of any product) is decoded in the packed order too.

// F32-LABEL: func.func @transposed
// F32: %[[PANELS:.+]] = linalg.generic {{{.*}}} outs(%{{.*}} : tensor<16x256x32xf32>)
// F32: tensor.extract %arg1
// F32: linalg.generic {{{.*}}} ins(%arg0, %[[PANELS]] : tensor<64x256xf32>, tensor<16x256x32xf32>)
// F32-NOT: linalg.transpose
// F32-NOT: tensor<512x256xf32>
func.func @transposed(%x: tensor<64x256xf32>, %codes: tensor<65536xi8>, %scales: tensor<2048xf32>) -> tensor<64x512xf32> {
  %w = quern.dequantize nf4 %codes, %scales block = 64 : tensor<65536xi8>, tensor<2048xf32> -> tensor<512x256xf32>
  %y = quern.matmul %x, %w transpose_rhs : tensor<64x256xf32>, tensor<512x256xf32> -> tensor<64x512xf32>
  return %y : tensor<64x512xf32>
}

// -----

// A weight narrower than a panel is packed in one panel of its own width
// (24 columns); one whose width is not a multiple of the panel (48: one
// panel and a half) is padded as it is decoded: the padding columns read
// the last real column and are zero. Neither is copied whole first.

// F32-LABEL: func.func @narrow
// F32: linalg.generic {{{.*}}} outs(%{{.*}} : tensor<1x64x24xf32>)
// F32-NOT: tensor<64x24xf32>
// F32-LABEL: func.func @padded
// F32: linalg.generic {{{.*}}} outs(%{{.*}} : tensor<2x64x32xf32>)
// F32: arith.minui
// F32: tensor.extract %arg1
// F32: arith.select
// F32-NOT: tensor<64x48xf32>
// F32-NOT: tensor.insert_slice
func.func @narrow(%x: tensor<16x64xf32>, %codes: tensor<768xi8>, %scales: tensor<24xf32>) -> tensor<16x24xf32> {
  %w = quern.dequantize nf4 %codes, %scales block = 64 : tensor<768xi8>, tensor<24xf32> -> tensor<64x24xf32>
  %y = quern.matmul %x, %w : tensor<16x64xf32>, tensor<64x24xf32> -> tensor<16x24xf32>
  return %y : tensor<16x24xf32>
}
func.func @padded(%x: tensor<16x64xf32>, %codes: tensor<1536xi8>, %scales: tensor<48xf32>) -> tensor<16x48xf32> {
  %w = quern.dequantize nf4 %codes, %scales block = 64 : tensor<1536xi8>, tensor<48xf32> -> tensor<64x48xf32>
  %y = quern.matmul %x, %w : tensor<16x64xf32>, tensor<64x48xf32> -> tensor<16x48xf32>
  return %y : tensor<16x48xf32>
}

// -----

// A transposed weight read by two products (a forward product and the
// input gradient read it so when the model transposes it itself): the
// transpose is computed from position too, and each product decodes the
// weight into its own panels; no transposed copy is made.

// F32-LABEL: func.func @shared_transpose
// F32-NOT: linalg.transpose
// F32: linalg.generic {{{.*}}} outs(%{{.*}} : tensor<2x64x32xf32>)
// F32: linalg.generic {{{.*}}} outs(%{{.*}} : tensor<2x64x32xf32>)
// F32-NOT: linalg.transpose
func.func @shared_transpose(%x: tensor<16x64xf32>, %z: tensor<8x64xf32>, %codes: tensor<2048xi8>, %scales: tensor<64xf32>) -> (tensor<16x64xf32>, tensor<8x64xf32>) {
  %w = quern.dequantize nf4 %codes, %scales block = 64 : tensor<2048xi8>, tensor<64xf32> -> tensor<64x64xf32>
  %t = quern.transpose %w perm = [1, 0] : tensor<64x64xf32> -> tensor<64x64xf32>
  %y = quern.matmul %x, %t : tensor<16x64xf32>, tensor<64x64xf32> -> tensor<16x64xf32>
  %v = quern.matmul %z, %t : tensor<8x64xf32>, tensor<64x64xf32> -> tensor<8x64xf32>
  return %y, %v : tensor<16x64xf32>, tensor<8x64xf32>
}

// -----

// A weight read through a reshape (stored [32, 128], read as [64, 64]) is
// decoded as it is packed too: the reshape is computed from position, its
// linear order the stored one.

// F32-LABEL: func.func @reshaped
// F32-NOT: tensor.expand_shape
// F32-NOT: tensor.collapse_shape
// F32: linalg.generic {{{.*}}} outs(%{{.*}} : tensor<2x64x32xf32>)
// F32: arith.remui
// F32: tensor.extract %arg1
func.func @reshaped(%x: tensor<16x64xf32>, %codes: tensor<2048xi8>, %scales: tensor<64xf32>) -> tensor<16x64xf32> {
  %w = quern.dequantize nf4 %codes, %scales block = 64 : tensor<2048xi8>, tensor<64xf32> -> tensor<32x128xf32>
  %s = quern.reshape %w : tensor<32x128xf32> -> tensor<64x64xf32>
  %y = quern.matmul %x, %s : tensor<16x64xf32>, tensor<64x64xf32> -> tensor<16x64xf32>
  return %y : tensor<16x64xf32>
}
