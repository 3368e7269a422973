// RUN: quern-opt %s -split-input-file --quern-make-train-step=optimizer=sgd | FileCheck %s

// The gradients of the grouped products go through the same tile layout:
// for Y = grouped_matmul(X, W) with W stored [G, N, K] (transpose_rhs),
// dX = grouped_matmul(g, W) reading W as stored, and dW the grouped weight
// gradient of X and g in W's layout (transpose_result). The tile groups get
// none.
// CHECK-LABEL: module @grouped_matmul
// CHECK: func.func @train_step(%[[LR:[^:]+]]: tensor<f32> {quern.name = "lr"}, %[[X:[^:]+]]: tensor<8x4xf32> {{.+}}, %[[W:[^:]+]]: tensor<2x6x4xf32> {{.+}}, %[[T:[^:]+]]: tensor<2xi64>
// CHECK: %[[G:.+]] = quern.broadcast {{.+}} -> tensor<8x6xf32>
// CHECK: %[[DX:.+]] = quern.grouped_matmul %[[G]], %[[W]], %[[T]] : tensor<8x6xf32>, tensor<2x6x4xf32>, tensor<2xi64> -> tensor<8x4xf32>
// CHECK: %[[DW:.+]] = quern.grouped_weight_gradient %[[X]], %[[G]], %[[T]] transpose_result : tensor<8x4xf32>, tensor<8x6xf32>, tensor<2xi64> -> tensor<2x6x4xf32>
// CHECK: quern.sgd_update %[[X]], %[[DX]], %[[LR]]
// CHECK: quern.sgd_update %[[W]], %[[DW]], %[[LR]]
module @grouped_matmul {
func.func @forward(%x: tensor<8x4xf32> {quern.param = {name = "x", trainable = true}}, %w: tensor<2x6x4xf32> {quern.param = {name = "w", trainable = true}}, %t: tensor<2xi64>) -> tensor<f32> {
  %0 = quern.grouped_matmul %x, %w, %t transpose_rhs : tensor<8x4xf32>, tensor<2x6x4xf32>, tensor<2xi64> -> tensor<8x6xf32>
  %1 = quern.reduce_sum %0 axes = [0, 1] : tensor<8x6xf32> -> tensor<f32>
  return %1 : tensor<f32>
}
}

// -----

// R = grouped_weight_gradient(A, B) (R[g] = A_gᵀ B_g, stored [G, K, N]):
// dA = grouped_matmul(B, g) reading g transposed, dB = grouped_matmul(A, g).
// CHECK-LABEL: module @grouped_weight_gradient
// CHECK: func.func @train_step(%[[LR:[^:]+]]: tensor<f32> {quern.name = "lr"}, %[[A:[^:]+]]: tensor<8x4xf32> {{.+}}, %[[B:[^:]+]]: tensor<8x6xf32> {{.+}}, %[[T:[^:]+]]: tensor<2xi64>
// CHECK: %[[G:.+]] = quern.broadcast {{.+}} -> tensor<2x4x6xf32>
// CHECK: %[[DA:.+]] = quern.grouped_matmul %[[B]], %[[G]], %[[T]] transpose_rhs : tensor<8x6xf32>, tensor<2x4x6xf32>, tensor<2xi64> -> tensor<8x4xf32>
// CHECK: %[[DB:.+]] = quern.grouped_matmul %[[A]], %[[G]], %[[T]] : tensor<8x4xf32>, tensor<2x4x6xf32>, tensor<2xi64> -> tensor<8x6xf32>
// CHECK: quern.sgd_update %[[A]], %[[DA]], %[[LR]]
// CHECK: quern.sgd_update %[[B]], %[[DB]], %[[LR]]
module @grouped_weight_gradient {
func.func @forward(%a: tensor<8x4xf32> {quern.param = {name = "a", trainable = true}}, %b: tensor<8x6xf32> {quern.param = {name = "b", trainable = true}}, %t: tensor<2xi64>) -> tensor<f32> {
  %0 = quern.grouped_weight_gradient %a, %b, %t : tensor<8x4xf32>, tensor<8x6xf32>, tensor<2xi64> -> tensor<2x4x6xf32>
  %1 = quern.reduce_sum %0 axes = [0, 1, 2] : tensor<2x4x6xf32> -> tensor<f32>
  return %1 : tensor<f32>
}
}
