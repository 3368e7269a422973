// RUN: quern-opt %s -verify-diagnostics --quern-make-train-step --quern-recompute=budget=1

// A budget below the least the step's estimate can reach names that least.
// expected-error @+1 {{recompute: no choice of kept and recomputed values fits in 1 bytes; the least the step can estimate is 40960 bytes}}
module {
func.func @forward(%x: tensor<64x32xf32> {quern.name = "x"},
                   %w: tensor<32x32xf32> {quern.param = {name = "w", trainable = true}})
    -> (tensor<f32> {quern.name = "loss"}) {
  %h = quern.matmul %x, %w : tensor<64x32xf32>, tensor<32x32xf32> -> tensor<64x32xf32>
  %a = quern.tanh %h : tensor<64x32xf32>
  %l = quern.reduce_sum %a axes = [0, 1] : tensor<64x32xf32> -> tensor<f32>
  return %l : tensor<f32>
}
}
