// RUN: quern-opt %s --quern-make-train-step --quern-place-updates --quern-recompute=budget=0 | FileCheck %s
// RUN: quern-opt %s --quern-make-train-step --quern-place-updates --quern-recompute=budget=1000000 | FileCheck %s --check-prefix=ROOMY
// RUN: quern-opt %s --quern-make-train-step --quern-place-updates --quern-recompute="budget=0 gap=0.01" | FileCheck %s

// Four tanh layers. For the least memory (budget=0), the first layer's
// product and tanh are recomputed in the backward pass, just before w2's
// gradient reads tanh's result, from x and w1 read through
// quern.recompute_input (so that CSE leaves the copies apart); the forward
// keeps computing them for the second layer but no longer keeps them.
// The step records what was recomputed, with its FLOPs (the product's
// 2*256*32*32 and tanh's 256*32), and the estimated peaks.
// CHECK-LABEL: func.func @train_step
// CHECK-SAME: quern.kept_for_backward = [{bytes = 32768 : i64, name = "act2", op = "Tanh"}, {bytes = 32768 : i64, name = "act3", op = "Tanh"}, {bytes = 32768 : i64, name = "act4", op = "Tanh"}]
// CHECK-SAME: quern.recompute = {estimated_peak = 229376 : i64, estimated_peak_keeping_all = 262144 : i64, flops = 532480 : i64, gap = 0.000000e+00 : f64
// CHECK-SAME: values = [{bytes = 32768 : i64, flops = 8192 : i64, name = "act1", op = "Tanh"}]}
// CHECK:      %[[H1:.*]] = quern.matmul %arg0, %arg2
// CHECK-NEXT: %[[A1:.*]] = quern.tanh %[[H1]]
// CHECK-NEXT: quern.matmul %[[A1]], %arg3
// CHECK:      quern.backward_begins
// CHECK-NOT:  quern.matmul %[[A1]],
// CHECK:      %[[X:.*]] = quern.recompute_input %arg0
// CHECK-NEXT: %[[W1:.*]] = quern.recompute_input %arg2
// CHECK-NEXT: %[[H1AGAIN:.*]] = quern.matmul %[[X]], %[[W1]]
// CHECK-NEXT: %[[A1AGAIN:.*]] = quern.tanh %[[H1AGAIN]]
// CHECK-NEXT: quern.matmul %[[A1AGAIN]], %{{.*}} transpose_lhs
// CHECK-NOT:  %[[A1]]{{[,: ]}}
// CHECK:      return

// With room for everything, nothing is recomputed.
// ROOMY-LABEL: func.func @train_step
// ROOMY-SAME: quern.recompute = {estimated_peak = 262144 : i64, estimated_peak_keeping_all = 262144 : i64, flops = 0 : i64
// ROOMY-SAME: values = []}
// ROOMY-NOT: quern.recompute_input

func.func @forward(%x: tensor<256x32xf32> {quern.name = "x"},
                   %w1: tensor<32x32xf32> {quern.param = {name = "w1", trainable = true}},
                   %w2: tensor<32x32xf32> {quern.param = {name = "w2", trainable = true}},
                   %w3: tensor<32x32xf32> {quern.param = {name = "w3", trainable = true}},
                   %w4: tensor<32x32xf32> {quern.param = {name = "w4", trainable = true}})
    -> (tensor<f32> {quern.name = "loss"}) {
  %h1 = quern.matmul %x, %w1 : tensor<256x32xf32>, tensor<32x32xf32> -> tensor<256x32xf32> loc(fused<"MatMul">["mm1", "model.onnx":0:0])
  %a1 = quern.tanh %h1 : tensor<256x32xf32> loc(fused<"Tanh">["act1", "model.onnx":0:0])
  %h2 = quern.matmul %a1, %w2 : tensor<256x32xf32>, tensor<32x32xf32> -> tensor<256x32xf32> loc(fused<"MatMul">["mm2", "model.onnx":0:0])
  %a2 = quern.tanh %h2 : tensor<256x32xf32> loc(fused<"Tanh">["act2", "model.onnx":0:0])
  %h3 = quern.matmul %a2, %w3 : tensor<256x32xf32>, tensor<32x32xf32> -> tensor<256x32xf32> loc(fused<"MatMul">["mm3", "model.onnx":0:0])
  %a3 = quern.tanh %h3 : tensor<256x32xf32> loc(fused<"Tanh">["act3", "model.onnx":0:0])
  %h4 = quern.matmul %a3, %w4 : tensor<256x32xf32>, tensor<32x32xf32> -> tensor<256x32xf32> loc(fused<"MatMul">["mm4", "model.onnx":0:0])
  %a4 = quern.tanh %h4 : tensor<256x32xf32> loc(fused<"Tanh">["act4", "model.onnx":0:0])
  %l = quern.reduce_sum %a4 axes = [0, 1] : tensor<256x32xf32> -> tensor<f32> loc(fused<"ReduceSum">["sum", "model.onnx":0:0])
  return %l : tensor<f32>
}
