// RUN: quern-opt %s --quern-make-train-step | FileCheck %s

// The step records the forward's values its backward reads, largest first,
// by the ONNX node that computes them: here only tanh's result, which its
// gradient reads. The input x, which w's gradient reads, is an argument the
// caller keeps anyway; the product and the loss are read by nothing
// backward.
// quern.backward_begins separates the forward ops from the backward ones,
// for the workspace plan to measure what is live across it.
// CHECK-LABEL: func.func @train_step
// CHECK-SAME: quern.kept_for_backward = [{bytes = 32 : i64, name = "act", op = "Tanh"}]
// CHECK: quern.tanh
// CHECK: quern.reduce_sum
// CHECK-NEXT: quern.backward_begins
// CHECK-NOT: quern.backward_begins
// CHECK: quern.sgd_update
func.func @forward(%x: tensor<4x2xf32> {quern.name = "x"},
                   %w: tensor<2x2xf32> {quern.param = {name = "w", trainable = true}})
    -> (tensor<f32> {quern.name = "loss"}) {
  %y = quern.matmul %x, %w : tensor<4x2xf32>, tensor<2x2xf32> -> tensor<4x2xf32> loc(fused<"MatMul">["mm", "model.onnx":0:0])
  %t = quern.tanh %y : tensor<4x2xf32> loc(fused<"Tanh">["act", "model.onnx":0:0])
  %l = quern.reduce_sum %t axes = [0, 1] : tensor<4x2xf32> -> tensor<f32> loc(fused<"ReduceSum">["sum", "model.onnx":0:0])
  return %l : tensor<f32>
}
