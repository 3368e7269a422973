// RUN: quern-opt %s -split-input-file -verify-diagnostics --quern-make-train-step=optimizer=sgd | FileCheck %s

// Reverse mode over a block: where a value is used more than once its
// gradient is the sum of every use's contribution; integer values carry no
// gradient; ops that do not lie between the parameters and the loss get no
// gradient ops.

// w feeds exp and tanh: its gradient adds tanh's (g * (1 - tanh^2)) and
// exp's (g * exp) contributions.
// CHECK-LABEL: module @fan_out
// CHECK: func.func @train_step(%[[LR:[^:]+]]: tensor<f32> {quern.name = "lr"}, %[[W:[^:]+]]: tensor<4xf32>
// CHECK: %[[EXP:.+]] = quern.exp %[[W]]
// CHECK: %[[TANH:.+]] = quern.tanh %[[W]]
// CHECK: %[[G:.+]] = quern.broadcast
// CHECK: %[[SQUARE:.+]] = quern.mul %[[TANH]], %[[TANH]]
// CHECK: %[[SLOPE:.+]] = quern.sub %{{.+}}, %[[SQUARE]]
// CHECK: %[[FROM_TANH:.+]] = quern.mul %[[G]], %[[SLOPE]]
// CHECK: %[[FROM_EXP:.+]] = quern.mul %[[G]], %[[EXP]]
// CHECK: %[[DW:.+]] = quern.add %[[FROM_TANH]], %[[FROM_EXP]]
// CHECK: quern.sgd_update %[[W]], %[[DW]], %[[LR]]
module @fan_out {
func.func @forward(%w: tensor<4xf32> {quern.param = {name = "w", trainable = true}}) -> tensor<f32> {
  %0 = quern.exp %w : tensor<4xf32>
  %1 = quern.tanh %w : tensor<4xf32>
  %2 = quern.add %0, %1 : tensor<4xf32>
  %3 = quern.reduce_sum %2 axes = [0] : tensor<4xf32> -> tensor<f32>
  return %3 : tensor<f32>
}
}

// -----

// A tied embedding: the table is looked up by the tokens and is also the
// output projection. Its gradient is the projection's (g^T h) plus the
// lookup's scatter-add of the gradient that reaches the embeddings h
// (g E).
// CHECK-LABEL: module @tied_embedding
// CHECK: func.func @train_step(%[[TOKENS:[^:]+]]: tensor<2xi64>, %[[LR:[^:]+]]: tensor<f32> {quern.name = "lr"}, %[[E:[^:]+]]: tensor<5x3xf32>
// CHECK: %[[H:.+]] = quern.gather %[[E]], %[[TOKENS]] axis = 0
// CHECK: %[[G:.+]] = quern.broadcast
// CHECK: %[[DH:.+]] = quern.matmul %[[G]], %[[E]] : tensor<2x5xf32>, tensor<5x3xf32> -> tensor<2x3xf32>
// CHECK: %[[FROM_PROJECTION:.+]] = quern.matmul %[[G]], %[[H]] transpose_lhs : tensor<2x5xf32>, tensor<2x3xf32> -> tensor<5x3xf32>
// CHECK: %[[ROWS:.+]] = quern.reshape %[[TOKENS]] : tensor<2xi64> -> tensor<2x1xi64>
// CHECK: %[[INDICES:.+]] = quern.broadcast %[[ROWS]] : tensor<2x1xi64> -> tensor<2x3xi64>
// CHECK: %[[ZERO:.+]] = quern.constant dense<0.000000e+00> : tensor<5x3xf32>
// CHECK: %[[FROM_LOOKUP:.+]] = quern.scatter_elements %[[ZERO]], %[[INDICES]], %[[DH]] axis = 0 reduction = add
// CHECK: %[[DE:.+]] = quern.add %[[FROM_PROJECTION]], %[[FROM_LOOKUP]]
// CHECK: quern.sgd_update %[[E]], %[[DE]], %[[LR]]
module @tied_embedding {
func.func @forward(%tokens: tensor<2xi64>, %e: tensor<5x3xf32> {quern.param = {name = "e", trainable = true}}) -> tensor<f32> {
  %0 = quern.gather %e, %tokens axis = 0 : (tensor<5x3xf32>, tensor<2xi64>) -> tensor<2x3xf32>
  %1 = quern.matmul %0, %e transpose_rhs : tensor<2x3xf32>, tensor<5x3xf32> -> tensor<2x5xf32>
  %2 = quern.reduce_sum %1 axes = [0, 1] : tensor<2x5xf32> -> tensor<f32>
  return %2 : tensor<f32>
}
}

// -----

// w also reaches the loss through integers (cast to i64, doubled, used as
// indices): that path has no gradient, so w gets only the product's
// contribution, and no gradient op has an integer type.
// CHECK-LABEL: module @integer_path
// CHECK: func.func @train_step(%{{[^:]+}}: tensor<8xf32>, %[[LR:[^:]+]]: tensor<f32> {quern.name = "lr"}, %[[W:[^:]+]]: tensor<4xf32>
// CHECK: %[[LOOKED_UP:.+]] = quern.gather
// CHECK: %[[SEED:.+]] = quern.constant dense<1.000000e+00> : tensor<f32>
// CHECK-NOT: i64>
// CHECK: %[[DW:.+]] = quern.mul %{{.+}}, %[[LOOKED_UP]]
// CHECK-NOT: i64>
// CHECK-NOT: quern.add
// CHECK: quern.sgd_update %[[W]], %[[DW]], %[[LR]]
module @integer_path {
func.func @forward(%table: tensor<8xf32>, %w: tensor<4xf32> {quern.param = {name = "w", trainable = true}}) -> tensor<f32> {
  %0 = quern.cast %w : tensor<4xf32> to tensor<4xi64>
  %1 = quern.add %0, %0 : tensor<4xi64>
  %2 = quern.gather %table, %1 axis = 0 : (tensor<8xf32>, tensor<4xi64>) -> tensor<4xf32>
  %3 = quern.mul %2, %w : tensor<4xf32>
  %4 = quern.reduce_sum %3 axes = [0] : tensor<4xf32> -> tensor<f32>
  return %4 : tensor<f32>
}
}

// -----

// exp(x) depends on no parameter and tanh(w) is another output, not the
// loss: neither is differentiated. The gradient of the product reaches w
// and the update follows at once; no gradient op reads tanh(w).
// CHECK-LABEL: module @off_path
// CHECK: func.func @train_step(%[[X:[^:]+]]: tensor<4xf32>, %[[LR:[^:]+]]: tensor<f32> {quern.name = "lr"}, %[[W:[^:]+]]: tensor<4xf32>
// CHECK: %[[EXP:.+]] = quern.exp %[[X]]
// CHECK: %[[TANH:.+]] = quern.tanh %[[W]]
// CHECK: quern.constant dense<1.000000e+00> : tensor<f32>
// CHECK-NOT: %[[TANH]]
// CHECK: %[[G:.+]] = quern.broadcast
// CHECK-NOT: %[[TANH]]
// CHECK: %[[DW:.+]] = quern.mul %[[G]], %[[EXP]]
// CHECK-NEXT: quern.sgd_update %[[W]], %[[DW]], %[[LR]]
// CHECK-NOT: %[[TANH]]
// CHECK: return %{{.+}}, %[[TANH]],
module @off_path {
func.func @forward(%x: tensor<4xf32>, %w: tensor<4xf32> {quern.param = {name = "w", trainable = true}}) -> (tensor<4xf32>, tensor<f32>) {
  %0 = quern.exp %x : tensor<4xf32>
  %1 = quern.mul %0, %w : tensor<4xf32>
  %2 = quern.reduce_sum %1 axes = [0] : tensor<4xf32> -> tensor<f32>
  %3 = quern.tanh %w : tensor<4xf32>
  return %3, %2 : tensor<4xf32>, tensor<f32>
}
}

// -----

// A loss of shape [1] is differentiated as a scalar and returned as it is.
// CHECK-LABEL: module @loss_of_shape_1
// CHECK: func.func @train_step(%[[LR:[^:]+]]: tensor<f32> {quern.name = "lr"}, %[[W:[^:]+]]: tensor<4xf32>
// CHECK: %[[LOSS:.+]] = quern.reduce_sum %[[W]]
// CHECK: quern.reshape %[[LOSS]] : tensor<1xf32> -> tensor<f32>
// CHECK: %[[DW:.+]] = quern.broadcast %{{.+}} : tensor<1xf32> -> tensor<4xf32>
// CHECK: quern.sgd_update %[[W]], %[[DW]], %[[LR]]
// CHECK: return %[[LOSS]], {{.+}} : tensor<1xf32>,
module @loss_of_shape_1 {
func.func @forward(%w: tensor<4xf32> {quern.param = {name = "w", trainable = true}}) -> tensor<1xf32> {
  %0 = quern.reduce_sum %w axes = [0] keep_dims : tensor<4xf32> -> tensor<1xf32>
  return %0 : tensor<1xf32>
}
}

// -----

// A trainable parameter the loss does not depend on is warned about and
// updated with a zero gradient.
// CHECK-LABEL: module @unused_parameter
// CHECK: func.func @train_step(%[[LR:[^:]+]]: tensor<f32> {quern.name = "lr"}, %[[W:[^:]+]]: tensor<4xf32> {{.+}}, %[[V:[^:]+]]: tensor<2x2xf32>
// CHECK: %[[ZERO:.+]] = quern.constant dense<0.000000e+00> : tensor<2x2xf32>
// CHECK: quern.sgd_update %[[W]]
// CHECK: quern.sgd_update %[[V]], %[[ZERO]], %[[LR]]
module @unused_parameter {
// expected-warning @+1 {{the loss does not depend on trainable parameter 'v'; its gradient is zero}}
func.func @forward(%w: tensor<4xf32> {quern.param = {name = "w", trainable = true}}, %v: tensor<2x2xf32> {quern.param = {name = "v", trainable = true}}) -> tensor<f32> {
  %0 = quern.reduce_sum %w axes = [0] : tensor<4xf32> -> tensor<f32>
  return %0 : tensor<f32>
}
}
