// RUN: quern-opt %s -verify-diagnostics --quern-make-train-step="gradient-suffix=.grad"

// expected-error @+1 {{no output is named after a trainable parameter with the suffix '.grad'}}
func.func @forward(%w: tensor<3xf32> {quern.param = {name = "w", trainable = true}})
    -> (tensor<f32> {quern.name = "loss"}, tensor<3xf32> {quern.name = "w_grad"}) {
  %s = quern.reduce_sum %w axes = [0] : tensor<3xf32> -> tensor<f32>
  return %s, %w : tensor<f32>, tensor<3xf32>
}
