// RUN: quern-opt %s --quern-make-train-step="optimizer=sgd gradient-suffix=_grad" | FileCheck %s

// A graph that computes its own gradients: the result named w_grad is w's
// gradient and feeds the update as it is, no reverse mode runs (the update
// follows the graph's own ops), w_grad is not an output of the step, and b, which
// has no gradient output, is frozen.

// CHECK-LABEL: func.func @forward
// CHECK-SAME: quern.param = {name = "b", trainable = false}
// CHECK-LABEL: func.func @train_step
// CHECK-SAME: (%{{[^:]+}}: tensor<2x3xf32> {quern.name = "x"}, %[[LR:[^:]+]]: tensor<f32> {quern.name = "lr"}, %[[W:[^:]+]]: tensor<3xf32> {bufferization.writable = true, quern.param = {name = "w", trainable = true}}, %{{[^:]+}}: tensor<f32> {quern.param = {name = "b", trainable = false}}
// CHECK-SAME: -> (tensor<f32> {quern.name = "loss"}, tensor<3xf32> {quern.updates = 2 : i64}, tensor<i64> {quern.updates = 4 : i64})
// CHECK: %[[GRAD:.+]] = quern.reduce_sum %{{.+}} axes = [0]
// CHECK-NEXT: quern.sgd_update %[[W]], %[[GRAD]], %[[LR]]

func.func @forward(%x: tensor<2x3xf32> {quern.name = "x"},
                   %w: tensor<3xf32> {quern.param = {name = "w", trainable = true}},
                   %b: tensor<f32> {quern.param = {name = "b", trainable = true}})
    -> (tensor<f32> {quern.name = "loss"}, tensor<3xf32> {quern.name = "w_grad"}) {
  %wb = quern.broadcast %w : tensor<3xf32> -> tensor<2x3xf32>
  %p = quern.mul %x, %wb : tensor<2x3xf32>
  %s = quern.reduce_sum %p axes = [0, 1] : tensor<2x3xf32> -> tensor<f32>
  %l = quern.add %s, %b : tensor<f32>
  %g = quern.reduce_sum %x axes = [0] : tensor<2x3xf32> -> tensor<3xf32>
  return %l, %g : tensor<f32>, tensor<3xf32>
}
