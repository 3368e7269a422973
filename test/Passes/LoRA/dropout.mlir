// RUN: quern-opt %s --quern-lora="rank=2 dropout=0.25 seed=3" --quern-make-train-step | FileCheck %s

// With dropout, an adapter reads its input through a training-only dropout
// (PEFT's lora_dropout): the training step keeps it, drawing a new mask at
// every step (its step counter), and @forward, which serves inference,
// passes the input through.

// CHECK-LABEL: func.func @forward
// CHECK-NOT: quern.dropout
// CHECK: return
// CHECK-LABEL: func.func @train_step
// CHECK: quern.dropout %{{.*}} step(%{{.*}} : tensor<i64>) ratio = 2.500000e-01 seed = {{-?[0-9]+}} training_only : tensor<4x8xf32> -> tensor<4x8xi1>
func.func @forward(%x: tensor<4x8xf32> {quern.name = "x"},
                   %w: tensor<8x8xf32> {quern.param = {name = "fc.weight", trainable = true}})
    -> (tensor<f32> {quern.name = "loss"}) {
  %y = quern.matmul %x, %w : tensor<4x8xf32>, tensor<8x8xf32> -> tensor<4x8xf32>
  %s = quern.mul %y, %y : tensor<4x8xf32>
  %l = quern.reduce_mean %s axes = [0, 1] : tensor<4x8xf32> -> tensor<f32>
  return %l : tensor<f32>
}
