// RUN: quern-opt %s --quern-print-cost -split-input-file -verify-diagnostics -o /dev/null

// What each quern op costs (CostOpInterface): FLOPs by the op family's rule
// (QuernCost.cpp), bytes of the operands and of the results, each once.

// A product of 4x8 by 8x2 plus a bias: each of the 8 results sums 8
// products (2 flops each) and adds its bias, 8 * 17 = 136; it reads
// 128 + 64 + 8 bytes and writes 32.
// expected-remark @+1 {{in all: 432 flops, 616 bytes read, 252 bytes written}}
func.func @classifier(%x: tensor<4x8xf32>, %w: tensor<8x2xf32>, %b: tensor<2xf32>, %t: tensor<4xi64>,
                      %e1: tensor<2x3x4xf32>, %e2: tensor<2x4x5xf32>) -> tensor<f32> {
  // expected-remark @+1 {{136 flops, 200 bytes read, 32 bytes written}}
  %y = quern.matmul %x, %w bias(%b : tensor<2xf32>) : tensor<4x8xf32>, tensor<8x2xf32> -> tensor<4x2xf32>
  // A compare per element.
  // expected-remark @+1 {{8 flops, 32 bytes read, 32 bytes written}}
  %r = quern.relu %y : tensor<4x2xf32>
  // Five per element.
  // expected-remark @+1 {{40 flops, 32 bytes read, 32 bytes written}}
  %s = quern.log_softmax %r axis = 1 : tensor<4x2xf32>
  // Two per row picked.
  // expected-remark @+1 {{8 flops, 64 bytes read, 4 bytes written}}
  %l = quern.nll_loss %s, %t reduction = mean : (tensor<4x2xf32>, tensor<4xi64>) -> tensor<f32>
  // Moving data costs no flops.
  // expected-remark @+1 {{0 flops, 32 bytes read, 32 bytes written}}
  %tr = quern.transpose %y perm = [1, 0] : tensor<4x2xf32> -> tensor<2x4xf32>
  // A multiply-add per point of b, i, j, k: 2 * 2*3*4*5.
  // expected-remark @+1 {{240 flops, 256 bytes read, 120 bytes written}}
  %z = quern.einsum "bij,bjk->bik" %e1, %e2 : (tensor<2x3x4xf32>, tensor<2x4x5xf32>) -> tensor<2x3x5xf32>
  return %l : tensor<f32>
}

// -----

// An Adam step: 14 per parameter element; it reads the parameter, the
// gradient, both moments (16 bytes each), lr and the step counter, and
// writes the new parameter and moments.
// expected-remark @+1 {{in all: 56 flops, 76 bytes read, 48 bytes written}}
func.func @adam(%p: tensor<4xf32>, %g: tensor<4xf32>, %m: tensor<4xf32>, %v: tensor<4xf32>, %lr: tensor<f32>, %step: tensor<i64>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) {
  // expected-remark @+1 {{56 flops, 76 bytes read, 48 bytes written}}
  %0, %1, %2 = quern.adam_update %p, %g, %m, %v, %lr, %step beta1 = 9.0e-01 beta2 = 9.99e-01 eps = 1.0e-08 weight_decay = 0.0 : tensor<4xf32>, tensor<f32>, tensor<i64>
  return %0, %1, %2 : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
}

// -----

// Layer normalization: 8 per element; a scale of 4, statistics per row.
// expected-remark @+1 {{in all: 64 flops, 48 bytes read, 48 bytes written}}
func.func @norm(%x: tensor<2x4xf32>, %g: tensor<4xf32>) -> tensor<2x4xf32> {
  // expected-remark @+1 {{64 flops, 48 bytes read, 48 bytes written}}
  %y, %m, %s = quern.layer_norm %x, %g axis = 1 epsilon = 1.0e-5
      : (tensor<2x4xf32>, tensor<4xf32>) -> (tensor<2x4xf32>, tensor<2x1xf32>, tensor<2x1xf32>)
  return %y : tensor<2x4xf32>
}

// Every op has a rule (countFlops has no default): the ops of the
// round-trip test, nearly every op of the dialect, all get a remark.
// RUN: quern-opt %S/../../Dialect/quern/ops.mlir -split-input-file --quern-print-cost -o /dev/null 2>&1 | FileCheck %s --check-prefix=EVERY
// EVERY-NOT: error
// EVERY: remark: {{[0-9]+}} flops

// -----

// Mixture-of-experts ops: the dispatch moves indices; a grouped product and
// its weight gradient are a multiply-add per row (padding included), column
// and depth: 2 * 28 * 16 * 32.
// expected-remark @+1 {{in all: 57344 flops, 13552 bytes read, 10136 bytes written}}
func.func @experts(%ids: tensor<8x2xi64>, %x: tensor<28x16xf32>, %w: tensor<3x16x32xf32>, %g: tensor<28x32xf32>) {
  // expected-remark @+1 {{0 flops, 128 bytes read, 408 bytes written}}
  %rows, %tiles, %slots = quern.moe_dispatch %ids groups = [0, 1, 2, -1] : tensor<8x2xi64> -> (tensor<28xi64>, tensor<7xi64>, tensor<8x2xi64>)
  // expected-remark @+1 {{28672 flops, 7992 bytes read, 3584 bytes written}}
  %h = quern.grouped_matmul %x, %w, %tiles : tensor<28x16xf32>, tensor<3x16x32xf32>, tensor<7xi64> -> tensor<28x32xf32>
  // expected-remark @+1 {{28672 flops, 5432 bytes read, 6144 bytes written}}
  %dw = quern.grouped_weight_gradient %x, %g, %tiles : tensor<28x16xf32>, tensor<28x32xf32>, tensor<7xi64> -> tensor<3x16x32xf32>
  return
}

// -----

// A grouped_matmul_epilogue: its two products (2 * 28 * 16 * 32 each), and
// its epilogue once per tile of 4 rows (7 tiles of 128 elements: a sigmoid,
// 3 each, and two multiplies); the ops in its region are not counted again.
// expected-remark @+1 {{in all: 61824 flops, 14136 bytes read, 10752 bytes written}}
func.func @epilogue(%x: tensor<28x16xf32>, %w1: tensor<3x16x32xf32>, %w3: tensor<3x16x32xf32>, %t: tensor<7xi64>) {
  // expected-remark @+1 {{61824 flops, 14136 bytes read, 10752 bytes written}}
  %gate, %up, %h = quern.grouped_matmul_epilogue %x, [%w1, %w3], %t : tensor<28x16xf32>, [tensor<3x16x32xf32>, tensor<3x16x32xf32>], tensor<7xi64> -> (tensor<28x32xf32>, tensor<28x32xf32>, tensor<28x32xf32>) {
  ^bb0(%a: tensor<4x32xf32>, %b: tensor<4x32xf32>):
    %s = quern.sigmoid %a : tensor<4x32xf32>
    %silu = quern.mul %a, %s : tensor<4x32xf32>
    %m = quern.mul %silu, %b : tensor<4x32xf32>
    quern.epilogue_yield %m : tensor<4x32xf32>
  }
  return
}
