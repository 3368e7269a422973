// RUN: quern-opt %s -split-input-file --quern-make-train-step=optimizer=sgd | FileCheck %s

// The gradients of the indexing ops: gathers scatter-add g back to where
// they read; scatters gather it from where they wrote. Indices get no
// gradient. Each loss is sum(op(w) * %t), so g = %t * seed.

// An embedding lookup: g's index dimensions are flattened into one, and the
// indices are spread over the embedding dimension for a scatter-add along
// axis 0.
// CHECK-LABEL: module @gather
// CHECK: func.func @train_step(%[[LR:[^:]+]]: tensor<f32> {quern.name = "lr"}, %[[E:[^:]+]]: tensor<5x3xf32> {{.+}}, %[[I:[^:]+]]: tensor<2x4xi64>, %[[T:[^:]+]]: tensor<2x4x3xf32>
// CHECK: %[[SEED:.+]] = quern.broadcast
// CHECK: %[[G:.+]] = quern.mul %[[SEED]], %[[T]]
// CHECK: %[[ROWS:.+]] = quern.reshape %[[G]] : tensor<2x4x3xf32> -> tensor<8x3xf32>
// CHECK: %[[FLAT_I:.+]] = quern.reshape %[[I]] : tensor<2x4xi64> -> tensor<8x1xi64>
// CHECK: %[[SPREAD_I:.+]] = quern.broadcast %[[FLAT_I]] : tensor<8x1xi64> -> tensor<8x3xi64>
// CHECK: %[[ZERO:.+]] = quern.constant dense<0.000000e+00> : tensor<5x3xf32>
// CHECK: %[[DE:.+]] = quern.scatter_elements %[[ZERO]], %[[SPREAD_I]], %[[ROWS]] axis = 0 reduction = add
// CHECK: quern.sgd_update %[[E]], %[[DE]], %[[LR]]
module @gather {
func.func @forward(%e: tensor<5x3xf32> {quern.param = {name = "e", trainable = true}}, %i: tensor<2x4xi64>, %t: tensor<2x4x3xf32>) -> tensor<f32> {
  %0 = quern.gather %e, %i axis = 0 : (tensor<5x3xf32>, tensor<2x4xi64>) -> tensor<2x4x3xf32>
  %1 = quern.mul %0, %t : tensor<2x4x3xf32>
  %2 = quern.reduce_sum %1 axes = [0, 1, 2] : tensor<2x4x3xf32> -> tensor<f32>
  return %2 : tensor<f32>
}
}

// -----

// Along a middle axis, with i32 indices.
// CHECK-LABEL: module @gather_axis1
// CHECK: func.func @train_step(%[[LR:[^:]+]]: tensor<f32> {quern.name = "lr"}, %[[E:[^:]+]]: tensor<2x5x3xf32> {{.+}}, %[[I:[^:]+]]: tensor<4xi32>, %[[T:[^:]+]]: tensor<2x4x3xf32>
// CHECK: %[[SEED:.+]] = quern.broadcast
// CHECK: %[[G:.+]] = quern.mul %[[SEED]], %[[T]]
// CHECK: %[[KEPT_I:.+]] = quern.reshape %[[I]] : tensor<4xi32> -> tensor<1x4x1xi32>
// CHECK: %[[SPREAD_I:.+]] = quern.broadcast %[[KEPT_I]] : tensor<1x4x1xi32> -> tensor<2x4x3xi32>
// CHECK: %[[ZERO:.+]] = quern.constant dense<0.000000e+00> : tensor<2x5x3xf32>
// CHECK: %[[DE:.+]] = quern.scatter_elements %[[ZERO]], %[[SPREAD_I]], %[[G]] axis = 1 reduction = add
// CHECK: quern.sgd_update %[[E]], %[[DE]], %[[LR]]
module @gather_axis1 {
func.func @forward(%e: tensor<2x5x3xf32> {quern.param = {name = "e", trainable = true}}, %i: tensor<4xi32>, %t: tensor<2x4x3xf32>) -> tensor<f32> {
  %0 = quern.gather %e, %i axis = 1 : (tensor<2x5x3xf32>, tensor<4xi32>) -> tensor<2x4x3xf32>
  %1 = quern.mul %0, %t : tensor<2x4x3xf32>
  %2 = quern.reduce_sum %1 axes = [0, 1, 2] : tensor<2x4x3xf32> -> tensor<f32>
  return %2 : tensor<f32>
}
}

// -----

// CHECK-LABEL: module @gather_elements
// CHECK: func.func @train_step(%[[LR:[^:]+]]: tensor<f32> {quern.name = "lr"}, %[[W:[^:]+]]: tensor<3x4xf32> {{.+}}, %[[I:[^:]+]]: tensor<3x2xi64>, %[[T:[^:]+]]: tensor<3x2xf32>
// CHECK: %[[SEED:.+]] = quern.broadcast
// CHECK: %[[G:.+]] = quern.mul %[[SEED]], %[[T]]
// CHECK: %[[ZERO:.+]] = quern.constant dense<0.000000e+00> : tensor<3x4xf32>
// CHECK: %[[DW:.+]] = quern.scatter_elements %[[ZERO]], %[[I]], %[[G]] axis = 1 reduction = add
// CHECK: quern.sgd_update %[[W]], %[[DW]], %[[LR]]
module @gather_elements {
func.func @forward(%w: tensor<3x4xf32> {quern.param = {name = "w", trainable = true}}, %i: tensor<3x2xi64>, %t: tensor<3x2xf32>) -> tensor<f32> {
  %0 = quern.gather_elements %w, %i axis = 1 : (tensor<3x4xf32>, tensor<3x2xi64>) -> tensor<3x2xf32>
  %1 = quern.mul %0, %t : tensor<3x2xf32>
  %2 = quern.reduce_sum %1 axes = [0, 1] : tensor<3x2xf32> -> tensor<f32>
  return %2 : tensor<f32>
}
}

// -----

// Overwritten positions of data get no gradient (g with zeros scattered over
// them); the updates get g at the positions they were written to.
// CHECK-LABEL: module @scatter_elements
// CHECK: func.func @train_step(%[[LR:[^:]+]]: tensor<f32> {quern.name = "lr"}, %[[D:[^:]+]]: tensor<3x4xf32> {{.+}}, %[[I:[^:]+]]: tensor<3x2xi64>, %[[U:[^:]+]]: tensor<3x2xf32> {{.+}}, %[[T:[^:]+]]: tensor<3x4xf32>
// CHECK: %[[SEED:.+]] = quern.broadcast
// CHECK: %[[G:.+]] = quern.mul %[[SEED]], %[[T]]
// CHECK: %[[ZERO:.+]] = quern.constant dense<0.000000e+00> : tensor<3x2xf32>
// CHECK: %[[DD:.+]] = quern.scatter_elements %[[G]], %[[I]], %[[ZERO]] axis = 1 reduction = none
// CHECK: %[[DU:.+]] = quern.gather_elements %[[G]], %[[I]] axis = 1
// CHECK: quern.sgd_update %[[D]], %[[DD]], %[[LR]]
// CHECK: quern.sgd_update %[[U]], %[[DU]], %[[LR]]
module @scatter_elements {
func.func @forward(%d: tensor<3x4xf32> {quern.param = {name = "d", trainable = true}}, %i: tensor<3x2xi64>, %u: tensor<3x2xf32> {quern.param = {name = "u", trainable = true}}, %t: tensor<3x4xf32>) -> tensor<f32> {
  %0 = quern.scatter_elements %d, %i, %u axis = 1 reduction = none : (tensor<3x4xf32>, tensor<3x2xi64>, tensor<3x2xf32>) -> tensor<3x4xf32>
  %1 = quern.mul %0, %t : tensor<3x4xf32>
  %2 = quern.reduce_sum %1 axes = [0, 1] : tensor<3x4xf32> -> tensor<f32>
  return %2 : tensor<f32>
}
}

// -----

// With reduction = add, data gets g as it is.
// CHECK-LABEL: module @scatter_elements_add
// CHECK: func.func @train_step(%[[LR:[^:]+]]: tensor<f32> {quern.name = "lr"}, %[[D:[^:]+]]: tensor<3x4xf32> {{.+}}, %[[I:[^:]+]]: tensor<3x2xi64>, %[[U:[^:]+]]: tensor<3x2xf32> {{.+}}, %[[T:[^:]+]]: tensor<3x4xf32>
// CHECK: %[[SEED:.+]] = quern.broadcast
// CHECK: %[[G:.+]] = quern.mul %[[SEED]], %[[T]]
// CHECK: %[[DU:.+]] = quern.gather_elements %[[G]], %[[I]] axis = 1
// CHECK: quern.sgd_update %[[D]], %[[G]], %[[LR]]
// CHECK: quern.sgd_update %[[U]], %[[DU]], %[[LR]]
module @scatter_elements_add {
func.func @forward(%d: tensor<3x4xf32> {quern.param = {name = "d", trainable = true}}, %i: tensor<3x2xi64>, %u: tensor<3x2xf32> {quern.param = {name = "u", trainable = true}}, %t: tensor<3x4xf32>) -> tensor<f32> {
  %0 = quern.scatter_elements %d, %i, %u axis = 1 reduction = add : (tensor<3x4xf32>, tensor<3x2xi64>, tensor<3x2xf32>) -> tensor<3x4xf32>
  %1 = quern.mul %0, %t : tensor<3x4xf32>
  %2 = quern.reduce_sum %1 axes = [0, 1] : tensor<3x4xf32> -> tensor<f32>
  return %2 : tensor<f32>
}
}

// -----

// The values' gradient is scatter-added at the indices top-k chose.
// CHECK-LABEL: module @topk
// CHECK: func.func @train_step(%[[LR:[^:]+]]: tensor<f32> {quern.name = "lr"}, %[[W:[^:]+]]: tensor<3x4xf32> {{.+}}, %[[T:[^:]+]]: tensor<3x2xf32>
// CHECK: %{{.+}}, %[[INDICES:.+]] = quern.topk %[[W]] k = 2 axis = 1
// CHECK: %[[SEED:.+]] = quern.broadcast
// CHECK: %[[G:.+]] = quern.mul %[[SEED]], %[[T]]
// CHECK: %[[ZERO:.+]] = quern.constant dense<0.000000e+00> : tensor<3x4xf32>
// CHECK: %[[DW:.+]] = quern.scatter_elements %[[ZERO]], %[[INDICES]], %[[G]] axis = 1 reduction = add
// CHECK: quern.sgd_update %[[W]], %[[DW]], %[[LR]]
module @topk {
func.func @forward(%w: tensor<3x4xf32> {quern.param = {name = "w", trainable = true}}, %t: tensor<3x2xf32>) -> tensor<f32> {
  %0, %1 = quern.topk %w k = 2 axis = 1 : tensor<3x4xf32> -> (tensor<3x2xf32>, tensor<3x2xi64>)
  %2 = quern.mul %0, %t : tensor<3x2xf32>
  %3 = quern.reduce_sum %2 axes = [0, 1] : tensor<3x2xf32> -> tensor<f32>
  return %3 : tensor<f32>
}
}

// -----

// The same triangle of g.
// CHECK-LABEL: module @trilu
// CHECK: func.func @train_step(%[[LR:[^:]+]]: tensor<f32> {quern.name = "lr"}, %[[W:[^:]+]]: tensor<3x4xf32> {{.+}}, %[[T:[^:]+]]: tensor<3x4xf32>
// CHECK: %[[SEED:.+]] = quern.broadcast
// CHECK: %[[G:.+]] = quern.mul %[[SEED]], %[[T]]
// CHECK: %[[DW:.+]] = quern.trilu %[[G]] k = 1 upper
// CHECK: quern.sgd_update %[[W]], %[[DW]], %[[LR]]
module @trilu {
func.func @forward(%w: tensor<3x4xf32> {quern.param = {name = "w", trainable = true}}, %t: tensor<3x4xf32>) -> tensor<f32> {
  %0 = quern.trilu %w k = 1 upper : tensor<3x4xf32>
  %1 = quern.mul %0, %t : tensor<3x4xf32>
  %2 = quern.reduce_sum %1 axes = [0, 1] : tensor<3x4xf32> -> tensor<f32>
  return %2 : tensor<f32>
}
}

// -----

// Kept elements get g / (1 - ratio), through the forward mask.
// CHECK-LABEL: module @dropout
// CHECK: func.func @train_step(%[[LR:[^:]+]]: tensor<f32> {quern.name = "lr"}, %[[W:[^:]+]]: tensor<3x4xf32> {{.+}}, %[[T:[^:]+]]: tensor<3x4xf32>
// CHECK: %{{.+}}, %[[MASK:.+]] = quern.dropout %[[W]] {{.*}}ratio = 2.500000e-01 seed = 7
// CHECK: %[[SEED:.+]] = quern.broadcast
// CHECK: %[[G:.+]] = quern.mul %[[SEED]], %[[T]]
// CHECK: %[[FACTOR:.+]] = quern.constant dense<1.33333337> : tensor<3x4xf32>
// CHECK: %[[SCALED:.+]] = quern.mul %[[G]], %[[FACTOR]]
// CHECK: %[[ZERO:.+]] = quern.constant dense<0.000000e+00> : tensor<3x4xf32>
// CHECK: %[[DW:.+]] = quern.select %[[MASK]], %[[SCALED]], %[[ZERO]]
// CHECK: quern.sgd_update %[[W]], %[[DW]], %[[LR]]
module @dropout {
func.func @forward(%w: tensor<3x4xf32> {quern.param = {name = "w", trainable = true}}, %t: tensor<3x4xf32>) -> tensor<f32> {
  %0, %1 = quern.dropout %w ratio = 2.500000e-01 seed = 7 : tensor<3x4xf32> -> tensor<3x4xi1>
  %2 = quern.mul %0, %t : tensor<3x4xf32>
  %3 = quern.reduce_sum %2 axes = [0, 1] : tensor<3x4xf32> -> tensor<f32>
  return %3 : tensor<f32>
}
}
