// RUN: quern-opt %s -verify-diagnostics --quern-make-train-step="accumulate=0"

// expected-error @+1 {{accumulate must be at least 1, not 0}}
module {
func.func @forward(%w: tensor<4xf32> {quern.param = {name = "w", trainable = true}}) -> tensor<f32> {
  %0 = quern.reduce_sum %w axes = [0] : tensor<4xf32> -> tensor<f32>
  return %0 : tensor<f32>
}
}
