// RUN: quern-opt %s --quern-make-train-step --quern-place-updates --quern-recompute=budget=0 | FileCheck %s

// A recomputed op reads a constant as it is, not through
// quern.recompute_input: wrapped, a splat could no longer be folded into
// the kernels that read it, and bufferization would materialize it as a
// global of its full size (805 MB for a GPT-2's attention scale at batch 16,
// sequence 1024). The other outside values still go through
// quern.recompute_input.
// CHECK-LABEL: func.func @train_step
// CHECK:      %[[HALF:.*]] = arith.constant dense<5.000000e-01> : tensor<256x32xf32>
// CHECK:      quern.backward_begins
// CHECK-NOT:  quern.recompute_input %[[HALF]]
// CHECK:      %[[X:.*]] = quern.recompute_input %arg0
// CHECK-NEXT: %[[W1:.*]] = quern.recompute_input %arg2
// CHECK-NEXT: %[[H1:.*]] = quern.matmul %[[X]], %[[W1]]
// CHECK-NEXT: quern.add %[[H1]], %[[HALF]]
// CHECK-NOT:  quern.recompute_input %[[HALF]]
// CHECK:      return

func.func @forward(%x: tensor<256x32xf32> {quern.name = "x"},
                   %w1: tensor<32x32xf32> {quern.param = {name = "w1", trainable = true}},
                   %w2: tensor<32x32xf32> {quern.param = {name = "w2", trainable = true}},
                   %w3: tensor<32x32xf32> {quern.param = {name = "w3", trainable = true}},
                   %w4: tensor<32x32xf32> {quern.param = {name = "w4", trainable = true}})
    -> (tensor<f32> {quern.name = "loss"}) {
  %half = arith.constant dense<0.5> : tensor<256x32xf32>
  %h1 = quern.matmul %x, %w1 : tensor<256x32xf32>, tensor<32x32xf32> -> tensor<256x32xf32> loc(fused<"MatMul">["mm1", "model.onnx":0:0])
  %a1 = quern.add %h1, %half : tensor<256x32xf32> loc(fused<"Add">["shift1", "model.onnx":0:0])
  %h2 = quern.matmul %a1, %w2 : tensor<256x32xf32>, tensor<32x32xf32> -> tensor<256x32xf32> loc(fused<"MatMul">["mm2", "model.onnx":0:0])
  %a2 = quern.tanh %h2 : tensor<256x32xf32> loc(fused<"Tanh">["act2", "model.onnx":0:0])
  %h3 = quern.matmul %a2, %w3 : tensor<256x32xf32>, tensor<32x32xf32> -> tensor<256x32xf32> loc(fused<"MatMul">["mm3", "model.onnx":0:0])
  %a3 = quern.tanh %h3 : tensor<256x32xf32> loc(fused<"Tanh">["act3", "model.onnx":0:0])
  %h4 = quern.matmul %a3, %w4 : tensor<256x32xf32>, tensor<32x32xf32> -> tensor<256x32xf32> loc(fused<"MatMul">["mm4", "model.onnx":0:0])
  %a4 = quern.tanh %h4 : tensor<256x32xf32> loc(fused<"Tanh">["act4", "model.onnx":0:0])
  %l = quern.reduce_sum %a4 axes = [0, 1] : tensor<256x32xf32> -> tensor<f32> loc(fused<"ReduceSum">["sum", "model.onnx":0:0])
  return %l : tensor<f32>
}
