// RUN: quern-opt %s | quern-opt | FileCheck %s
// RUN: quern-opt %s --mlir-print-op-generic | quern-opt | FileCheck %s

// Every quern op and every optional piece of its syntax survives printing and
// parsing again, in the custom and in the generic form.

//===----------------------------------------------------------------------===//
// Elementwise ops
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @unary
// CHECK-SAME: (%[[X:.+]]: tensor<4x8xf32>)
func.func @unary(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  // CHECK: %[[NEG:.+]] = quern.neg %[[X]] : tensor<4x8xf32>
  %0 = quern.neg %x : tensor<4x8xf32>
  // CHECK: %[[RELU:.+]] = quern.relu %[[NEG]] : tensor<4x8xf32>
  %1 = quern.relu %0 : tensor<4x8xf32>
  // CHECK: %[[EXP:.+]] = quern.exp %[[RELU]] : tensor<4x8xf32>
  %2 = quern.exp %1 : tensor<4x8xf32>
  // CHECK: %[[LOG:.+]] = quern.log %[[EXP]] : tensor<4x8xf32>
  %3 = quern.log %2 : tensor<4x8xf32>
  // CHECK: %[[TANH:.+]] = quern.tanh %[[LOG]] : tensor<4x8xf32>
  %4 = quern.tanh %3 : tensor<4x8xf32>
  // CHECK: %[[SIGMOID:.+]] = quern.sigmoid %[[TANH]] : tensor<4x8xf32>
  %5 = quern.sigmoid %4 : tensor<4x8xf32>
  // CHECK: %[[SQRT:.+]] = quern.sqrt %[[SIGMOID]] : tensor<4x8xf32>
  %6 = quern.sqrt %5 : tensor<4x8xf32>
  // CHECK: return %[[SQRT]]
  return %6 : tensor<4x8xf32>
}

// CHECK-LABEL: func.func @binary
// CHECK-SAME: (%[[X:[^:]+]]: tensor<4x8xf32>, %[[Y:[^:]+]]: tensor<4x8xf32>)
func.func @binary(%x: tensor<4x8xf32>, %y: tensor<4x8xf32>) -> tensor<4x8xf32> {
  // CHECK: %[[ADD:.+]] = quern.add %[[X]], %[[Y]] : tensor<4x8xf32>
  %0 = quern.add %x, %y : tensor<4x8xf32>
  // CHECK: %[[SUB:.+]] = quern.sub %[[ADD]], %[[Y]] : tensor<4x8xf32>
  %1 = quern.sub %0, %y : tensor<4x8xf32>
  // CHECK: %[[MUL:.+]] = quern.mul %[[SUB]], %[[X]] : tensor<4x8xf32>
  %2 = quern.mul %1, %x : tensor<4x8xf32>
  // CHECK: %[[DIV:.+]] = quern.div %[[MUL]], %[[Y]] : tensor<4x8xf32>
  %3 = quern.div %2, %y : tensor<4x8xf32>
  // CHECK: return %[[DIV]]
  return %3 : tensor<4x8xf32>
}

// Elementwise ops take any float element type and any rank, including 0.
// CHECK-LABEL: func.func @element_types
func.func @element_types(%h: tensor<3xf16>, %b: tensor<2x3xbf16>,
                         %d: tensor<f64>) -> (tensor<3xf16>, tensor<2x3xbf16>, tensor<f64>) {
  // CHECK: quern.relu %{{.+}} : tensor<3xf16>
  %0 = quern.relu %h : tensor<3xf16>
  // CHECK: quern.mul %{{.+}}, %{{.+}} : tensor<2x3xbf16>
  %1 = quern.mul %b, %b : tensor<2x3xbf16>
  // CHECK: quern.sqrt %{{.+}} : tensor<f64>
  %2 = quern.sqrt %d : tensor<f64>
  return %0, %1, %2 : tensor<3xf16>, tensor<2x3xbf16>, tensor<f64>
}

//===----------------------------------------------------------------------===//
// quern.matmul
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @matmul_plain
// CHECK-SAME: (%[[A:[^:]+]]: tensor<2x3xf32>, %[[B:[^:]+]]: tensor<3x5xf32>)
func.func @matmul_plain(%a: tensor<2x3xf32>, %b: tensor<3x5xf32>) -> tensor<2x5xf32> {
  // CHECK: quern.matmul %[[A]], %[[B]] : tensor<2x3xf32>, tensor<3x5xf32> -> tensor<2x5xf32>
  %0 = quern.matmul %a, %b : tensor<2x3xf32>, tensor<3x5xf32> -> tensor<2x5xf32>
  return %0 : tensor<2x5xf32>
}

// CHECK-LABEL: func.func @matmul_vector_bias
// CHECK-SAME: (%[[A:[^:]+]]: tensor<1x784xf32>, %[[W:[^:]+]]: tensor<256x784xf32>, %[[BIAS:[^:]+]]: tensor<256xf32>)
func.func @matmul_vector_bias(%a: tensor<1x784xf32>, %w: tensor<256x784xf32>,
                              %bias: tensor<256xf32>) -> tensor<1x256xf32> {
  // CHECK: quern.matmul %[[A]], %[[W]] bias(%[[BIAS]] : tensor<256xf32>) transpose_rhs : tensor<1x784xf32>, tensor<256x784xf32> -> tensor<1x256xf32>
  %0 = quern.matmul %a, %w bias(%bias : tensor<256xf32>) transpose_rhs
      : tensor<1x784xf32>, tensor<256x784xf32> -> tensor<1x256xf32>
  return %0 : tensor<1x256xf32>
}

// CHECK-LABEL: func.func @matmul_full_bias
// CHECK-SAME: (%[[A:[^:]+]]: tensor<3x2xf32>, %[[B:[^:]+]]: tensor<3x5xf32>, %[[BIAS:[^:]+]]: tensor<2x5xf32>)
func.func @matmul_full_bias(%a: tensor<3x2xf32>, %b: tensor<3x5xf32>,
                            %bias: tensor<2x5xf32>) -> tensor<2x5xf32> {
  // CHECK: quern.matmul %[[A]], %[[B]] bias(%[[BIAS]] : tensor<2x5xf32>) transpose_lhs : tensor<3x2xf32>, tensor<3x5xf32> -> tensor<2x5xf32>
  %0 = quern.matmul %a, %b bias(%bias : tensor<2x5xf32>) transpose_lhs
      : tensor<3x2xf32>, tensor<3x5xf32> -> tensor<2x5xf32>
  return %0 : tensor<2x5xf32>
}

// CHECK-LABEL: func.func @matmul_both_transposed
func.func @matmul_both_transposed(%a: tensor<3x2xf64>, %b: tensor<5x3xf64>) -> tensor<2x5xf64> {
  // CHECK: quern.matmul %{{.+}}, %{{.+}} transpose_lhs transpose_rhs : tensor<3x2xf64>, tensor<5x3xf64> -> tensor<2x5xf64>
  %0 = quern.matmul %a, %b transpose_lhs transpose_rhs
      : tensor<3x2xf64>, tensor<5x3xf64> -> tensor<2x5xf64>
  return %0 : tensor<2x5xf64>
}

// CHECK-LABEL: func.func @matmul_batched
func.func @matmul_batched(%a: tensor<4x2x3xbf16>, %b: tensor<4x3x5xbf16>,
                          %bias: tensor<5xbf16>) -> tensor<4x2x5xbf16> {
  // CHECK: quern.matmul %{{.+}}, %{{.+}} bias(%{{.+}} : tensor<5xbf16>) : tensor<4x2x3xbf16>, tensor<4x3x5xbf16> -> tensor<4x2x5xbf16>
  %0 = quern.matmul %a, %b bias(%bias : tensor<5xbf16>)
      : tensor<4x2x3xbf16>, tensor<4x3x5xbf16> -> tensor<4x2x5xbf16>
  return %0 : tensor<4x2x5xbf16>
}

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @reductions
func.func @reductions(%x: tensor<2x3x4xf32>)
    -> (tensor<2x1x1xf32>, tensor<2x4xf32>, tensor<f32>, tensor<1x3x1xf32>) {
  // CHECK: quern.reduce_sum %{{.+}} axes = [1, 2] keep_dims : tensor<2x3x4xf32> -> tensor<2x1x1xf32>
  %0 = quern.reduce_sum %x axes = [1, 2] keep_dims : tensor<2x3x4xf32> -> tensor<2x1x1xf32>
  // CHECK: quern.reduce_mean %{{.+}} axes = [1] : tensor<2x3x4xf32> -> tensor<2x4xf32>
  %1 = quern.reduce_mean %x axes = [1] : tensor<2x3x4xf32> -> tensor<2x4xf32>
  // CHECK: quern.reduce_max %{{.+}} axes = [0, 1, 2] : tensor<2x3x4xf32> -> tensor<f32>
  %2 = quern.reduce_max %x axes = [0, 1, 2] : tensor<2x3x4xf32> -> tensor<f32>
  // CHECK: quern.reduce_max %{{.+}} axes = [0, 2] keep_dims : tensor<2x3x4xf32> -> tensor<1x3x1xf32>
  %3 = quern.reduce_max %x axes = [0, 2] keep_dims : tensor<2x3x4xf32> -> tensor<1x3x1xf32>
  return %0, %1, %2, %3 : tensor<2x1x1xf32>, tensor<2x4xf32>, tensor<f32>, tensor<1x3x1xf32>
}

// An empty axis list reduces nothing.
// CHECK-LABEL: func.func @reduce_no_axes
func.func @reduce_no_axes(%x: tensor<3xf16>) -> tensor<3xf16> {
  // CHECK: quern.reduce_sum %{{.+}} axes = [] : tensor<3xf16> -> tensor<3xf16>
  %0 = quern.reduce_sum %x axes = [] : tensor<3xf16> -> tensor<3xf16>
  return %0 : tensor<3xf16>
}

//===----------------------------------------------------------------------===//
// Softmax family
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @softmax
func.func @softmax(%x: tensor<4x10xf32>) -> (tensor<4x10xf32>, tensor<4x10xf32>) {
  // CHECK: quern.softmax %{{.+}} axis = 1 : tensor<4x10xf32>
  %0 = quern.softmax %x axis = 1 : tensor<4x10xf32>
  // CHECK: quern.log_softmax %{{.+}} axis = 0 : tensor<4x10xf32>
  %1 = quern.log_softmax %x axis = 0 : tensor<4x10xf32>
  return %0, %1 : tensor<4x10xf32>, tensor<4x10xf32>
}

//===----------------------------------------------------------------------===//
// Shape ops and constants
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @reshape
func.func @reshape(%x: tensor<4x8xf32>, %i: tensor<2x3xi64>, %s: tensor<f32>)
    -> (tensor<32xf32>, tensor<3x2xi64>, tensor<1x1xf32>) {
  // CHECK: quern.reshape %{{.+}} : tensor<4x8xf32> -> tensor<32xf32>
  %0 = quern.reshape %x : tensor<4x8xf32> -> tensor<32xf32>
  // Shape ops are not limited to floats.
  // CHECK: quern.reshape %{{.+}} : tensor<2x3xi64> -> tensor<3x2xi64>
  %1 = quern.reshape %i : tensor<2x3xi64> -> tensor<3x2xi64>
  // CHECK: quern.reshape %{{.+}} : tensor<f32> -> tensor<1x1xf32>
  %2 = quern.reshape %s : tensor<f32> -> tensor<1x1xf32>
  return %0, %1, %2 : tensor<32xf32>, tensor<3x2xi64>, tensor<1x1xf32>
}

// CHECK-LABEL: func.func @transpose
func.func @transpose(%x: tensor<2x3x4xf16>) -> tensor<4x2x3xf16> {
  // CHECK: quern.transpose %{{.+}} perm = [2, 0, 1] : tensor<2x3x4xf16> -> tensor<4x2x3xf16>
  %0 = quern.transpose %x perm = [2, 0, 1] : tensor<2x3x4xf16> -> tensor<4x2x3xf16>
  return %0 : tensor<4x2x3xf16>
}

// CHECK-LABEL: func.func @broadcast
func.func @broadcast(%v: tensor<8xf32>, %c: tensor<4x1xf32>, %s: tensor<f32>)
    -> (tensor<4x8xf32>, tensor<2x4x8xf32>, tensor<3x2xf32>) {
  // CHECK: quern.broadcast %{{.+}} : tensor<8xf32> -> tensor<4x8xf32>
  %0 = quern.broadcast %v : tensor<8xf32> -> tensor<4x8xf32>
  // CHECK: quern.broadcast %{{.+}} : tensor<4x1xf32> -> tensor<2x4x8xf32>
  %1 = quern.broadcast %c : tensor<4x1xf32> -> tensor<2x4x8xf32>
  // CHECK: quern.broadcast %{{.+}} : tensor<f32> -> tensor<3x2xf32>
  %2 = quern.broadcast %s : tensor<f32> -> tensor<3x2xf32>
  return %0, %1, %2 : tensor<4x8xf32>, tensor<2x4x8xf32>, tensor<3x2xf32>
}

// CHECK-LABEL: func.func @constant
func.func @constant() -> (tensor<4xf32>, tensor<2xi64>, tensor<2x2xbf16>, tensor<f64>) {
  // CHECK: quern.constant dense<1.000000e+00> : tensor<4xf32>
  %0 = quern.constant dense<1.0> : tensor<4xf32>
  // CHECK: quern.constant dense<[2, -1]> : tensor<2xi64>
  %1 = quern.constant dense<[2, -1]> : tensor<2xi64>
  // CHECK: quern.constant dense<{{\[}}[1.000000e+00, 2.000000e+00], [3.000000e+00, 4.000000e+00]]> : tensor<2x2xbf16>
  %2 = quern.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xbf16>
  // CHECK: quern.constant dense<5.000000e-01> : tensor<f64>
  %3 = quern.constant dense<0.5> : tensor<f64>
  return %0, %1, %2, %3 : tensor<4xf32>, tensor<2xi64>, tensor<2x2xbf16>, tensor<f64>
}
