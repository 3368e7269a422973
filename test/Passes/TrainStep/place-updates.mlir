// RUN: quern-opt %s --quern-make-train-step="optimizer=adam" --quern-place-updates | FileCheck %s
// RUN: quern-opt %s --quern-make-train-step="optimizer=sgd clip-grad-norm=1" --quern-place-updates | FileCheck %s --check-prefix=CLIP

// Two layers. w2 is updated as soon as its gradient is computed and the
// input gradient, its last reader, has run, before the backward pass
// continues to w1; the step counter, which Adam's updates read, is
// incremented after the last of them.
// CHECK-LABEL: func.func @train_step
// CHECK:      quern.backward_begins
// CHECK:      %[[D1:.*]] = quern.matmul %{{.*}}, %arg3 transpose_rhs
// CHECK:      %[[DW2:.*]] = quern.matmul %{{.*}} transpose_lhs
// CHECK-NEXT: quern.adam_update %arg3, %[[DW2]]
// CHECK:      %[[DW1:.*]] = quern.matmul %arg0, %{{.*}} transpose_lhs
// CHECK-NEXT: quern.adam_update %arg2, %[[DW1]]
// CHECK:      quern.add %arg{{[0-9]+}}, %{{.*}} : tensor<i64>
// CHECK-NEXT: return

// With clipping, every update reads the global norm of all the gradients:
// they stay after it.
// CLIP-LABEL: func.func @train_step
// CLIP:     quern.sqrt
// CLIP-NOT: quern.matmul
// CLIP:     quern.sgd_update
// CLIP:     quern.sgd_update
func.func @forward(%x: tensor<64x32xf32> {quern.name = "x"},
                   %w1: tensor<32x32xf32> {quern.param = {name = "w1", trainable = true}},
                   %w2: tensor<32x32xf32> {quern.param = {name = "w2", trainable = true}})
    -> (tensor<f32> {quern.name = "loss"}) {
  %h1 = quern.matmul %x, %w1 : tensor<64x32xf32>, tensor<32x32xf32> -> tensor<64x32xf32>
  %a1 = quern.tanh %h1 : tensor<64x32xf32>
  %h2 = quern.matmul %a1, %w2 : tensor<64x32xf32>, tensor<32x32xf32> -> tensor<64x32xf32>
  %l = quern.reduce_sum %h2 axes = [0, 1] : tensor<64x32xf32> -> tensor<f32>
  return %l : tensor<f32>
}
