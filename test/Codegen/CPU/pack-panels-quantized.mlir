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
