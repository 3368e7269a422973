// RUN: not quern-opt %s --quern-lora="targets=emb" 2>&1 | FileCheck %s --check-prefix=GATHER
// RUN: not quern-opt %s --quern-lora="targets=bias" 2>&1 | FileCheck %s --check-prefix=BIAS
// RUN: not quern-opt %s --quern-lora="targets=fc9.*" 2>&1 | FileCheck %s --check-prefix=UNUSED
// RUN: not quern-opt %s --quern-lora="targets=x.lora_A" 2>&1 | FileCheck %s --check-prefix=CLASH
// RUN: not quern-opt %s --quern-lora="rank=0" 2>&1 | FileCheck %s --check-prefix=RANK
// RUN: not quern-opt %s --quern-lora="alpha=-1" 2>&1 | FileCheck %s --check-prefix=ALPHA
// RUN: not quern-opt %s --quern-lora="targets=unread" 2>&1 | FileCheck %s --check-prefix=UNREAD
// RUN: not quern-opt %s --quern-lora="targets=batched" 2>&1 | FileCheck %s --check-prefix=BATCHED
// RUN: not quern-opt %s --quern-lora="targets=shared" 2>&1 | FileCheck %s --check-prefix=SHAPES

// A target that is not a matrix product's weight is an error naming it and
// where it is read otherwise; a glob that matches nothing, an adapter name
// a parameter already has and a rank below 1 are errors.

// GATHER: error: lora: 'emb' is read here by 'quern.gather', not as a matrix product's weight
// BIAS: error: lora: 'bias' is read here by 'quern.matmul' as its bias, not as a matrix product's weight
// UNUSED: error: lora-targets: 'fc9.*' matches no parameter
// CLASH: error: lora: the adapter of 'x.lora_A' would be named 'x.lora_A.lora_A', which a parameter already is
// RANK: error: lora: the rank (0) must be at least 1
// ALPHA: error: lora: alpha (-1) must be positive (0: the rank)
// UNREAD: error: lora: 'unread' is not read by a matrix product
// BATCHED: error: lora: 'batched' is read here by a batched product or one whose left operand is transposed, which adapters do not support
// SHAPES: error: lora: 'shared' is read by products of different shapes

func.func @forward(%x: tensor<8x32xf32> {quern.name = "x"},
                   %w: tensor<32x32xf32> {quern.param = {name = "x.lora_A", trainable = true}},
                   %clash: tensor<32x32xf32> {quern.param = {name = "x.lora_A.lora_A", trainable = true}},
                   %bias: tensor<32xf32> {quern.param = {name = "bias", trainable = true}},
                   %emb: tensor<10x32xf32> {quern.param = {name = "emb", trainable = true}},
                   %ids: tensor<8xi64> {quern.name = "ids"},
                   %unread: tensor<32x32xf32> {quern.param = {name = "unread", trainable = true}},
                   %batched: tensor<2x32x32xf32> {quern.param = {name = "batched", trainable = true}},
                   %shared: tensor<32x16xf32> {quern.param = {name = "shared", trainable = true}},
                   %xb: tensor<2x8x32xf32> {quern.name = "xb"},
                   %x16: tensor<8x16xf32> {quern.name = "x16"})
    -> (tensor<8x32xf32> {quern.name = "y"}, tensor<8x32xf32> {quern.name = "e"}) {
  %b = quern.matmul %xb, %batched : tensor<2x8x32xf32>, tensor<2x32x32xf32> -> tensor<2x8x32xf32>
  %s1 = quern.matmul %x, %shared : tensor<8x32xf32>, tensor<32x16xf32> -> tensor<8x16xf32>
  %s2 = quern.matmul %x16, %shared transpose_rhs : tensor<8x16xf32>, tensor<32x16xf32> -> tensor<8x32xf32>
  %h = quern.matmul %x, %w bias(%bias : tensor<32xf32>) : tensor<8x32xf32>, tensor<32x32xf32> -> tensor<8x32xf32>
  %y = quern.matmul %h, %clash : tensor<8x32xf32>, tensor<32x32xf32> -> tensor<8x32xf32>
  %g = quern.gather %emb, %ids axis = 0 : (tensor<10x32xf32>, tensor<8xi64>) -> tensor<8x32xf32>
  %e = quern.matmul %g, %emb transpose_rhs : tensor<8x32xf32>, tensor<10x32xf32> -> tensor<8x10xf32>
  return %y, %g : tensor<8x32xf32>, tensor<8x32xf32>
}
