// RUN: quern-opt %s -split-input-file --quern-make-train-step=optimizer=sgd | FileCheck %s

// The gradients of quern.matmul (C = op(A) op(B) + bias: dA and dB are
// matmuls of g with the other operand, transposed as each case needs) and
// quern.einsum (the einsum of the other operands with g). Each loss sums the
// result, so g is the seed broadcast to the result's shape.

// C = A B: dA = g B^T, dB = A^T g.
// CHECK-LABEL: module @matmul
// CHECK: func.func @train_step(%[[LR:[^:]+]]: tensor<f32> {quern.name = "lr"}, %[[A:[^:]+]]: tensor<2x3xf32> {{.+}}, %[[B:[^:]+]]: tensor<3x4xf32>
// CHECK: %[[G:.+]] = quern.broadcast
// CHECK: %[[DA:.+]] = quern.matmul %[[G]], %[[B]] transpose_rhs : tensor<2x4xf32>, tensor<3x4xf32> -> tensor<2x3xf32>
// CHECK: %[[DB:.+]] = quern.matmul %[[A]], %[[G]] transpose_lhs : tensor<2x3xf32>, tensor<2x4xf32> -> tensor<3x4xf32>
// CHECK: quern.sgd_update %[[A]], %[[DA]], %[[LR]]
// CHECK: quern.sgd_update %[[B]], %[[DB]], %[[LR]]
module @matmul {
func.func @forward(%a: tensor<2x3xf32> {quern.param = {name = "a", trainable = true}}, %b: tensor<3x4xf32> {quern.param = {name = "b", trainable = true}}) -> tensor<f32> {
  %0 = quern.matmul %a, %b : tensor<2x3xf32>, tensor<3x4xf32> -> tensor<2x4xf32>
  %1 = quern.reduce_sum %0 axes = [0, 1] : tensor<2x4xf32> -> tensor<f32>
  return %1 : tensor<f32>
}
}

// -----

// C = A^T B: dA = B g^T, dB = A g.
// CHECK-LABEL: module @matmul_transpose_lhs
// CHECK: func.func @train_step(%[[LR:[^:]+]]: tensor<f32> {quern.name = "lr"}, %[[A:[^:]+]]: tensor<3x2xf32> {{.+}}, %[[B:[^:]+]]: tensor<3x4xf32>
// CHECK: %[[G:.+]] = quern.broadcast
// CHECK: %[[DA:.+]] = quern.matmul %[[B]], %[[G]] transpose_rhs : tensor<3x4xf32>, tensor<2x4xf32> -> tensor<3x2xf32>
// CHECK: %[[DB:.+]] = quern.matmul %[[A]], %[[G]] : tensor<3x2xf32>, tensor<2x4xf32> -> tensor<3x4xf32>
// CHECK: quern.sgd_update %[[A]], %[[DA]], %[[LR]]
// CHECK: quern.sgd_update %[[B]], %[[DB]], %[[LR]]
module @matmul_transpose_lhs {
func.func @forward(%a: tensor<3x2xf32> {quern.param = {name = "a", trainable = true}}, %b: tensor<3x4xf32> {quern.param = {name = "b", trainable = true}}) -> tensor<f32> {
  %0 = quern.matmul %a, %b transpose_lhs : tensor<3x2xf32>, tensor<3x4xf32> -> tensor<2x4xf32>
  %1 = quern.reduce_sum %0 axes = [0, 1] : tensor<2x4xf32> -> tensor<f32>
  return %1 : tensor<f32>
}
}

// -----

// C = A B^T: dA = g B, dB = g^T A.
// CHECK-LABEL: module @matmul_transpose_rhs
// CHECK: func.func @train_step(%[[LR:[^:]+]]: tensor<f32> {quern.name = "lr"}, %[[A:[^:]+]]: tensor<2x3xf32> {{.+}}, %[[B:[^:]+]]: tensor<4x3xf32>
// CHECK: %[[G:.+]] = quern.broadcast
// CHECK: %[[DA:.+]] = quern.matmul %[[G]], %[[B]] : tensor<2x4xf32>, tensor<4x3xf32> -> tensor<2x3xf32>
// CHECK: %[[DB:.+]] = quern.matmul %[[G]], %[[A]] transpose_lhs : tensor<2x4xf32>, tensor<2x3xf32> -> tensor<4x3xf32>
// CHECK: quern.sgd_update %[[A]], %[[DA]], %[[LR]]
// CHECK: quern.sgd_update %[[B]], %[[DB]], %[[LR]]
module @matmul_transpose_rhs {
func.func @forward(%a: tensor<2x3xf32> {quern.param = {name = "a", trainable = true}}, %b: tensor<4x3xf32> {quern.param = {name = "b", trainable = true}}) -> tensor<f32> {
  %0 = quern.matmul %a, %b transpose_rhs : tensor<2x3xf32>, tensor<4x3xf32> -> tensor<2x4xf32>
  %1 = quern.reduce_sum %0 axes = [0, 1] : tensor<2x4xf32> -> tensor<f32>
  return %1 : tensor<f32>
}
}

// -----

// C = A^T B^T: dA = B^T g^T, dB = g^T A^T.
// CHECK-LABEL: module @matmul_transpose_both
// CHECK: func.func @train_step(%[[LR:[^:]+]]: tensor<f32> {quern.name = "lr"}, %[[A:[^:]+]]: tensor<3x2xf32> {{.+}}, %[[B:[^:]+]]: tensor<4x3xf32>
// CHECK: %[[G:.+]] = quern.broadcast
// CHECK: %[[DA:.+]] = quern.matmul %[[B]], %[[G]] transpose_lhs transpose_rhs : tensor<4x3xf32>, tensor<2x4xf32> -> tensor<3x2xf32>
// CHECK: %[[DB:.+]] = quern.matmul %[[G]], %[[A]] transpose_lhs transpose_rhs : tensor<2x4xf32>, tensor<3x2xf32> -> tensor<4x3xf32>
// CHECK: quern.sgd_update %[[A]], %[[DA]], %[[LR]]
// CHECK: quern.sgd_update %[[B]], %[[DB]], %[[LR]]
module @matmul_transpose_both {
func.func @forward(%a: tensor<3x2xf32> {quern.param = {name = "a", trainable = true}}, %b: tensor<4x3xf32> {quern.param = {name = "b", trainable = true}}) -> tensor<f32> {
  %0 = quern.matmul %a, %b transpose_lhs transpose_rhs : tensor<3x2xf32>, tensor<4x3xf32> -> tensor<2x4xf32>
  %1 = quern.reduce_sum %0 axes = [0, 1] : tensor<2x4xf32> -> tensor<f32>
  return %1 : tensor<f32>
}
}

// -----

// A vector bias gets g summed over every dimension but the last (batch
// dimensions included); the input %x, not a parameter, gets no update.
// CHECK-LABEL: module @matmul_vector_bias
// CHECK: func.func @train_step(%[[X:[^:]+]]: tensor<5x2x3xf32>, %[[LR:[^:]+]]: tensor<f32> {quern.name = "lr"}, %[[W:[^:]+]]: tensor<5x3x4xf32> {{.+}}, %[[B:[^:]+]]: tensor<4xf32>
// CHECK: %[[G:.+]] = quern.broadcast
// CHECK: %[[DW:.+]] = quern.matmul %[[X]], %[[G]] transpose_lhs : tensor<5x2x3xf32>, tensor<5x2x4xf32> -> tensor<5x3x4xf32>
// CHECK: %[[SUM:.+]] = quern.reduce_sum %[[G]] axes = [0, 1] keep_dims : tensor<5x2x4xf32> -> tensor<1x1x4xf32>
// CHECK: %[[DB:.+]] = quern.reshape %[[SUM]] : tensor<1x1x4xf32> -> tensor<4xf32>
// CHECK: quern.sgd_update %[[W]], %[[DW]], %[[LR]]
// CHECK: quern.sgd_update %[[B]], %[[DB]], %[[LR]]
module @matmul_vector_bias {
func.func @forward(%x: tensor<5x2x3xf32>, %w: tensor<5x3x4xf32> {quern.param = {name = "w", trainable = true}}, %b: tensor<4xf32> {quern.param = {name = "b", trainable = true}}) -> tensor<f32> {
  %0 = quern.matmul %x, %w bias(%b : tensor<4xf32>) : tensor<5x2x3xf32>, tensor<5x3x4xf32> -> tensor<5x2x4xf32>
  %1 = quern.reduce_sum %0 axes = [0, 1, 2] : tensor<5x2x4xf32> -> tensor<f32>
  return %1 : tensor<f32>
}
}

// -----

// A bias of the result's shape gets g itself.
// CHECK-LABEL: module @matmul_full_bias
// CHECK: func.func @train_step(%[[X:[^:]+]]: tensor<2x3xf32>, %[[LR:[^:]+]]: tensor<f32> {quern.name = "lr"}, %[[W:[^:]+]]: tensor<3x4xf32> {{.+}}, %[[B:[^:]+]]: tensor<2x4xf32>
// CHECK: %[[G:.+]] = quern.broadcast
// CHECK: %[[DW:.+]] = quern.matmul %[[X]], %[[G]] transpose_lhs
// CHECK-NOT: quern.reduce_sum
// CHECK: quern.sgd_update %[[W]], %[[DW]], %[[LR]]
// CHECK: quern.sgd_update %[[B]], %[[G]], %[[LR]]
module @matmul_full_bias {
func.func @forward(%x: tensor<2x3xf32>, %w: tensor<3x4xf32> {quern.param = {name = "w", trainable = true}}, %b: tensor<2x4xf32> {quern.param = {name = "b", trainable = true}}) -> tensor<f32> {
  %0 = quern.matmul %x, %w bias(%b : tensor<2x4xf32>) : tensor<2x3xf32>, tensor<3x4xf32> -> tensor<2x4xf32>
  %1 = quern.reduce_sum %0 axes = [0, 1] : tensor<2x4xf32> -> tensor<f32>
  return %1 : tensor<f32>
}
}

// -----

// Each operand's gradient is the einsum of the other operands and g into
// that operand's letters.
// CHECK-LABEL: module @einsum
// CHECK: func.func @train_step(%[[LR:[^:]+]]: tensor<f32> {quern.name = "lr"}, %[[A:[^:]+]]: tensor<2x3xf32> {{.+}}, %[[B:[^:]+]]: tensor<3x4xf32> {{.+}}, %[[C:[^:]+]]: tensor<4xf32>
// CHECK: %[[G:.+]] = quern.broadcast
// CHECK: %[[DA:.+]] = quern.einsum "jk,k,i->ij" %[[B]], %[[C]], %[[G]] : (tensor<3x4xf32>, tensor<4xf32>, tensor<2xf32>) -> tensor<2x3xf32>
// CHECK: %[[DB:.+]] = quern.einsum "ij,k,i->jk" %[[A]], %[[C]], %[[G]] : (tensor<2x3xf32>, tensor<4xf32>, tensor<2xf32>) -> tensor<3x4xf32>
// CHECK: %[[DC:.+]] = quern.einsum "ij,jk,i->k" %[[A]], %[[B]], %[[G]] : (tensor<2x3xf32>, tensor<3x4xf32>, tensor<2xf32>) -> tensor<4xf32>
// CHECK: quern.sgd_update %[[A]], %[[DA]], %[[LR]]
// CHECK: quern.sgd_update %[[B]], %[[DB]], %[[LR]]
// CHECK: quern.sgd_update %[[C]], %[[DC]], %[[LR]]
module @einsum {
func.func @forward(%a: tensor<2x3xf32> {quern.param = {name = "a", trainable = true}}, %b: tensor<3x4xf32> {quern.param = {name = "b", trainable = true}}, %c: tensor<4xf32> {quern.param = {name = "c", trainable = true}}) -> tensor<f32> {
  %0 = quern.einsum "ij,jk,k->i" %a, %b, %c : (tensor<2x3xf32>, tensor<3x4xf32>, tensor<4xf32>) -> tensor<2xf32>
  %1 = quern.reduce_sum %0 axes = [0] : tensor<2xf32> -> tensor<f32>
  return %1 : tensor<f32>
}
}
