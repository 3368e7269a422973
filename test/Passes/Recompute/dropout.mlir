// RUN: quern-opt %s --quern-lora="rank=2 dropout=0.25 seed=3" --quern-make-train-step --quern-place-updates --quern-recompute=budget=0 | FileCheck %s

// A dropout mask is a function of the seed, the step and the position: the
// least memory recomputes it in the backward pass, from the same step
// counter, instead of keeping it.
// CHECK-LABEL: func.func @train_step
// CHECK:      quern.dropout %arg0 step(%[[STEP:arg[0-9]+]] : tensor<i64>) ratio = 2.500000e-01 seed = [[SEED:-?[0-9]+]] training_only
// CHECK:      quern.backward_begins
// CHECK:      %[[AGAIN:.*]] = quern.recompute_input %[[STEP]] : tensor<i64>
// CHECK:      quern.dropout %{{.*}} step(%[[AGAIN]] : tensor<i64>) ratio = 2.500000e-01 seed = [[SEED]] training_only
func.func @forward(%x: tensor<256x64xf32> {quern.name = "x"},
                   %w: tensor<64x64xf32> {quern.param = {name = "fc.weight", trainable = true}})
    -> (tensor<f32> {quern.name = "loss"}) {
  %y = quern.matmul %x, %w : tensor<256x64xf32>, tensor<64x64xf32> -> tensor<256x64xf32>
  %t = quern.tanh %y : tensor<256x64xf32>
  %s = quern.mul %t, %t : tensor<256x64xf32>
  %l = quern.reduce_mean %s axes = [0, 1] : tensor<256x64xf32> -> tensor<f32>
  return %l : tensor<f32>
}
