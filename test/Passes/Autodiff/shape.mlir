// RUN: quern-opt %s -split-input-file --quern-make-train-step=optimizer=sgd | FileCheck %s

// The gradients of the shape ops: the adjoint shape op applied to g. Each
// loss is sum(op(w) * %t), so g = %t * seed.

// CHECK-LABEL: module @reshape
// CHECK: func.func @train_step(%[[LR:[^:]+]]: tensor<f32> {quern.name = "lr"}, %[[W:[^:]+]]: tensor<2x3xf32> {{.+}}, %[[T:[^:]+]]: tensor<6xf32>
// CHECK: %[[SEED:.+]] = quern.broadcast
// CHECK: %[[G:.+]] = quern.mul %[[SEED]], %[[T]]
// CHECK: %[[DW:.+]] = quern.reshape %[[G]] : tensor<6xf32> -> tensor<2x3xf32>
// CHECK: quern.sgd_update %[[W]], %[[DW]], %[[LR]]
module @reshape {
func.func @forward(%w: tensor<2x3xf32> {quern.param = {name = "w", trainable = true}}, %t: tensor<6xf32>) -> tensor<f32> {
  %0 = quern.reshape %w : tensor<2x3xf32> -> tensor<6xf32>
  %1 = quern.mul %0, %t : tensor<6xf32>
  %2 = quern.reduce_sum %1 axes = [0] : tensor<6xf32> -> tensor<f32>
  return %2 : tensor<f32>
}
}

// -----

// The inverse permutation of [1, 2, 0] is [2, 0, 1].
// CHECK-LABEL: module @transpose
// CHECK: func.func @train_step(%[[LR:[^:]+]]: tensor<f32> {quern.name = "lr"}, %[[W:[^:]+]]: tensor<2x3x4xf32> {{.+}}, %[[T:[^:]+]]: tensor<3x4x2xf32>
// CHECK: %[[SEED:.+]] = quern.broadcast
// CHECK: %[[G:.+]] = quern.mul %[[SEED]], %[[T]]
// CHECK: %[[DW:.+]] = quern.transpose %[[G]] perm = [2, 0, 1] : tensor<3x4x2xf32> -> tensor<2x3x4xf32>
// CHECK: quern.sgd_update %[[W]], %[[DW]], %[[LR]]
module @transpose {
func.func @forward(%w: tensor<2x3x4xf32> {quern.param = {name = "w", trainable = true}}, %t: tensor<3x4x2xf32>) -> tensor<f32> {
  %0 = quern.transpose %w perm = [1, 2, 0] : tensor<2x3x4xf32> -> tensor<3x4x2xf32>
  %1 = quern.mul %0, %t : tensor<3x4x2xf32>
  %2 = quern.reduce_sum %1 axes = [0, 1, 2] : tensor<3x4x2xf32> -> tensor<f32>
  return %2 : tensor<f32>
}
}

// -----

// g is summed over the added leading dimension and the stretched one.
// CHECK-LABEL: module @broadcast
// CHECK: func.func @train_step(%[[LR:[^:]+]]: tensor<f32> {quern.name = "lr"}, %[[W:[^:]+]]: tensor<3x1xf32> {{.+}}, %[[T:[^:]+]]: tensor<2x3x4xf32>
// CHECK: %[[SEED:.+]] = quern.broadcast %{{.+}} : tensor<1x1x1xf32> -> tensor<2x3x4xf32>
// CHECK: %[[G:.+]] = quern.mul %[[SEED]], %[[T]]
// CHECK: %[[SUM:.+]] = quern.reduce_sum %[[G]] axes = [0, 2] keep_dims : tensor<2x3x4xf32> -> tensor<1x3x1xf32>
// CHECK: %[[DW:.+]] = quern.reshape %[[SUM]] : tensor<1x3x1xf32> -> tensor<3x1xf32>
// CHECK: quern.sgd_update %[[W]], %[[DW]], %[[LR]]
module @broadcast {
func.func @forward(%w: tensor<3x1xf32> {quern.param = {name = "w", trainable = true}}, %t: tensor<2x3x4xf32>) -> tensor<f32> {
  %0 = quern.broadcast %w : tensor<3x1xf32> -> tensor<2x3x4xf32>
  %1 = quern.mul %0, %t : tensor<2x3x4xf32>
  %2 = quern.reduce_sum %1 axes = [0, 1, 2] : tensor<2x3x4xf32> -> tensor<f32>
  return %2 : tensor<f32>
}
}

// -----

// Each input gets its window of g; the input %x in the middle shifts %v's.
// CHECK-LABEL: module @concat
// CHECK: func.func @train_step(%[[LR:[^:]+]]: tensor<f32> {quern.name = "lr"}, %[[U:[^:]+]]: tensor<2x3xf32> {{.+}}, %[[X:[^:]+]]: tensor<2x1xf32>, %[[V:[^:]+]]: tensor<2x2xf32> {{.+}}, %[[T:[^:]+]]: tensor<2x6xf32>
// CHECK: %[[SEED:.+]] = quern.broadcast
// CHECK: %[[G:.+]] = quern.mul %[[SEED]], %[[T]]
// CHECK: %[[DU:.+]] = quern.slice %[[G]] offsets = [0, 0] strides = [1, 1] : tensor<2x6xf32> -> tensor<2x3xf32>
// CHECK: %[[DV:.+]] = quern.slice %[[G]] offsets = [0, 4] strides = [1, 1] : tensor<2x6xf32> -> tensor<2x2xf32>
// CHECK: quern.sgd_update %[[U]], %[[DU]], %[[LR]]
// CHECK: quern.sgd_update %[[V]], %[[DV]], %[[LR]]
module @concat {
func.func @forward(%u: tensor<2x3xf32> {quern.param = {name = "u", trainable = true}}, %x: tensor<2x1xf32>, %v: tensor<2x2xf32> {quern.param = {name = "v", trainable = true}}, %t: tensor<2x6xf32>) -> tensor<f32> {
  %0 = quern.concat %u, %x, %v axis = 1 : (tensor<2x3xf32>, tensor<2x1xf32>, tensor<2x2xf32>) -> tensor<2x6xf32>
  %1 = quern.mul %0, %t : tensor<2x6xf32>
  %2 = quern.reduce_sum %1 axes = [0, 1] : tensor<2x6xf32> -> tensor<f32>
  return %2 : tensor<f32>
}
}

// -----

// g is inserted into zeros at the window the slice read.
// CHECK-LABEL: module @slice
// CHECK: func.func @train_step(%[[LR:[^:]+]]: tensor<f32> {quern.name = "lr"}, %[[W:[^:]+]]: tensor<4x8xf32> {{.+}}, %[[T:[^:]+]]: tensor<2x3xf32>
// CHECK: %[[SEED:.+]] = quern.broadcast
// CHECK: %[[G:.+]] = quern.mul %[[SEED]], %[[T]]
// CHECK: %[[ZERO:.+]] = quern.constant dense<0.000000e+00> : tensor<4x8xf32>
// CHECK: %[[DW:.+]] = quern.insert_slice %[[G]] into %[[ZERO]] offsets = [1, 1] strides = [1, 3] : tensor<2x3xf32> into tensor<4x8xf32>
// CHECK: quern.sgd_update %[[W]], %[[DW]], %[[LR]]
module @slice {
func.func @forward(%w: tensor<4x8xf32> {quern.param = {name = "w", trainable = true}}, %t: tensor<2x3xf32>) -> tensor<f32> {
  %0 = quern.slice %w offsets = [1, 1] strides = [1, 3] : tensor<4x8xf32> -> tensor<2x3xf32>
  %1 = quern.mul %0, %t : tensor<2x3xf32>
  %2 = quern.reduce_sum %1 axes = [0, 1] : tensor<2x3xf32> -> tensor<f32>
  return %2 : tensor<f32>
}
}

// -----

// A backward window (columns 7, 5, 3) is the forward window from column 3
// with stride 2, filled with g reversed along that dimension.
// CHECK-LABEL: module @slice_negative_stride
// CHECK: func.func @train_step(%[[LR:[^:]+]]: tensor<f32> {quern.name = "lr"}, %[[W:[^:]+]]: tensor<4x8xf32> {{.+}}, %[[T:[^:]+]]: tensor<4x3xf32>
// CHECK: %[[SEED:.+]] = quern.broadcast
// CHECK: %[[G:.+]] = quern.mul %[[SEED]], %[[T]]
// CHECK: %[[REVERSED:.+]] = quern.slice %[[G]] offsets = [0, 2] strides = [1, -1] : tensor<4x3xf32> -> tensor<4x3xf32>
// CHECK: %[[ZERO:.+]] = quern.constant dense<0.000000e+00> : tensor<4x8xf32>
// CHECK: %[[DW:.+]] = quern.insert_slice %[[REVERSED]] into %[[ZERO]] offsets = [0, 3] strides = [1, 2] : tensor<4x3xf32> into tensor<4x8xf32>
// CHECK: quern.sgd_update %[[W]], %[[DW]], %[[LR]]
module @slice_negative_stride {
func.func @forward(%w: tensor<4x8xf32> {quern.param = {name = "w", trainable = true}}, %t: tensor<4x3xf32>) -> tensor<f32> {
  %0 = quern.slice %w offsets = [0, 7] strides = [1, -2] : tensor<4x8xf32> -> tensor<4x3xf32>
  %1 = quern.mul %0, %t : tensor<4x3xf32>
  %2 = quern.reduce_sum %1 axes = [0, 1] : tensor<4x3xf32> -> tensor<f32>
  return %2 : tensor<f32>
}
}
