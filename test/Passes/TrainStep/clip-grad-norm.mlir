// RUN: quern-opt %s --quern-make-train-step="optimizer=sgd clip-grad-norm=1.5" | FileCheck %s
// RUN: quern-opt %s --quern-make-train-step=optimizer=sgd | FileCheck %s --check-prefix=NO-CLIP

// Global-norm clipping as PyTorch's clip_grad_norm_: the norm of all
// gradients together (the rank-0 gradient's square needs no reduction),
// then every gradient times min(1, max_norm / (norm + 1e-6)) before its
// update.

// CHECK-LABEL: func.func @train_step
// CHECK-SAME: %[[LR:[^:]+]]: tensor<f32> {quern.name = "lr"}, %[[W:[^:]+]]: tensor<3x4xf32> {{.+}}, %[[S:[^:]+]]: tensor<f32>
// CHECK: %[[DS:.+]] = quern.reshape %{{.+}} : tensor<1x1xf32> -> tensor<f32>
// CHECK: %[[DW:.+]] = quern.matmul %{{.+}} transpose_lhs
// CHECK: %[[DW2:.+]] = quern.mul %[[DW]], %[[DW]] : tensor<3x4xf32>
// CHECK: %[[DW2_SUM:.+]] = quern.reduce_sum %[[DW2]] axes = [0, 1] : tensor<3x4xf32> -> tensor<f32>
// CHECK: %[[DS2:.+]] = quern.mul %[[DS]], %[[DS]] : tensor<f32>
// CHECK: %[[TOTAL:.+]] = quern.add %[[DW2_SUM]], %[[DS2]] : tensor<f32>
// CHECK: %[[NORM:.+]] = quern.sqrt %[[TOTAL]] : tensor<f32>
// CHECK: %[[ONE:.+]] = quern.constant dense<1.000000e+00> : tensor<f32>
// CHECK: %[[MAX_NORM:.+]] = quern.constant dense<1.500000e+00> : tensor<f32>
// CHECK: %[[TINY:.+]] = quern.constant dense<9.99999997E-7> : tensor<f32>
// CHECK: %[[DENOMINATOR:.+]] = quern.add %[[NORM]], %[[TINY]]
// CHECK: %[[RATIO:.+]] = quern.div %[[MAX_NORM]], %[[DENOMINATOR]]
// CHECK: %[[FACTOR:.+]] = quern.min %[[ONE]], %[[RATIO]]
// CHECK: %[[FACTOR_W:.+]] = quern.broadcast %[[FACTOR]] : tensor<f32> -> tensor<3x4xf32>
// CHECK: %[[CLIPPED_W:.+]] = quern.mul %[[DW]], %[[FACTOR_W]]
// CHECK: %[[FACTOR_S:.+]] = quern.broadcast %[[FACTOR]] : tensor<f32> -> tensor<f32>
// CHECK: %[[CLIPPED_S:.+]] = quern.mul %[[DS]], %[[FACTOR_S]]
// CHECK: quern.sgd_update %[[W]], %[[CLIPPED_W]], %[[LR]]
// CHECK: quern.sgd_update %[[S]], %[[CLIPPED_S]], %[[LR]]

// NO-CLIP-LABEL: func.func @train_step
// NO-CLIP-NOT: quern.sqrt
// NO-CLIP-NOT: quern.min
// NO-CLIP: quern.sgd_update

func.func @forward(%x: tensor<2x3xf32> {quern.name = "x"},
                   %w: tensor<3x4xf32> {quern.param = {name = "w", trainable = true}},
                   %s: tensor<f32> {quern.param = {name = "s", trainable = true}})
    -> (tensor<f32> {quern.name = "loss"}) {
  %0 = quern.matmul %x, %w : tensor<2x3xf32>, tensor<3x4xf32> -> tensor<2x4xf32>
  %1 = quern.broadcast %s : tensor<f32> -> tensor<2x4xf32>
  %2 = quern.add %0, %1 : tensor<2x4xf32>
  %3 = quern.reduce_sum %2 axes = [0, 1] : tensor<2x4xf32> -> tensor<f32>
  return %3 : tensor<f32>
}
