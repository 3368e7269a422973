// RUN: not quern-opt %s --quern-quantize="only=w.trained" 2>&1 | FileCheck %s --check-prefix=TRAINED
// RUN: not quern-opt %s --quern-quantize="only=emb" 2>&1 | FileCheck %s --check-prefix=GATHER
// RUN: not quern-opt %s --quern-quantize="only=w.left" 2>&1 | FileCheck %s --check-prefix=LEFT
// RUN: not quern-opt %s --quern-quantize="only=w.unread" 2>&1 | FileCheck %s --check-prefix=UNREAD
// RUN: not quern-opt %s --quern-quantize="only=w.odd block=64" 2>&1 | FileCheck %s --check-prefix=BLOCK
// RUN: not quern-opt %s --quern-quantize="only=bias" 2>&1 | FileCheck %s --check-prefix=RANK
// RUN: not quern-opt %s --quern-quantize="only=nothing*" 2>&1 | FileCheck %s --check-prefix=UNUSED
// RUN: not quern-opt %s --quern-quantize="scheme=nf3" 2>&1 | FileCheck %s --check-prefix=SCHEME
// RUN: not quern-opt %s --quern-quantize="block=63" 2>&1 | FileCheck %s --check-prefix=ODD
// RUN: quern-opt %s --quern-quantize="block=3 scheme=int8" | FileCheck %s --check-prefix=SKIP

// A weight the user names that cannot be quantized is an error naming it
// (and where it is read when a reader is the reason); without names, such
// weights are skipped, and quantizing nothing at all is an error. A glob
// that matches nothing, an unknown scheme and an odd block for 4-bit codes
// are errors.

// TRAINED: error: quantize: 'w.trained' is trained; only frozen weights are quantized
// GATHER: error: quantize: 'emb' is read here by 'quern.gather', not only as matrix products' weight
// LEFT: error: quantize: 'w.left' is read here by 'quern.matmul' as its left operand, not only as matrix products' weight
// UNREAD: error: quantize: 'w.unread' is not read by a matrix product
// BLOCK: error: quantize: 'w.odd' has 96 elements, which the block (64) does not divide
// RANK: error: quantize: 'bias' is not an f32 tensor of rank 2 or more
// UNUSED: error: quantize-only: 'nothing*' matches no parameter
// SCHEME: error: quantize: unknown scheme 'nf3' (nf4, int4 or int8)
// ODD: error: quantize: the block (63) must be positive, and even for 4-bit codes
// Without names, the weights that cannot be quantized stay: with blocks of
// 3 only w.odd is.
// SKIP-NOT: tensor<{{[0-9]+}}xi8> {quern.param = {name = "w.trained"
// SKIP: quern.dequantize int8 %{{.*}}, %{{.*}} block = 3 : tensor<96xi8>, tensor<32xf32> -> tensor<32x3xf32>

func.func @forward(%x: tensor<8x32xf32> {quern.name = "x"},
                   %w: tensor<32x32xf32> {quern.param = {name = "w.trained", trainable = true}},
                   %odd: tensor<32x3xf32> {quern.param = {name = "w.odd", trainable = false}},
                   %bias: tensor<3xf32> {quern.param = {name = "bias", trainable = false}},
                   %emb: tensor<10x32xf32> {quern.param = {name = "emb", trainable = false}},
                   %ids: tensor<8xi64> {quern.name = "ids"},
                   %left: tensor<8x32xf32> {quern.param = {name = "w.left", trainable = false}},
                   %unread: tensor<8x32xf32> {quern.param = {name = "w.unread", trainable = false}})
    -> (tensor<8x3xf32> {quern.name = "y"}, tensor<8x32xf32> {quern.name = "e"}) {
  %l = quern.matmul %left, %x transpose_rhs : tensor<8x32xf32>, tensor<8x32xf32> -> tensor<8x8xf32>
  %h = quern.matmul %x, %w : tensor<8x32xf32>, tensor<32x32xf32> -> tensor<8x32xf32>
  %y = quern.matmul %h, %odd bias(%bias : tensor<3xf32>) : tensor<8x32xf32>, tensor<32x3xf32> -> tensor<8x3xf32>
  %g = quern.gather %emb, %ids axis = 0 : (tensor<10x32xf32>, tensor<8xi64>) -> tensor<8x32xf32>
  %e = quern.matmul %g, %emb transpose_rhs : tensor<8x32xf32>, tensor<10x32xf32> -> tensor<8x10xf32>
  return %y, %g : tensor<8x3xf32>, tensor<8x32xf32>
}
