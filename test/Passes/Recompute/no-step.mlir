// RUN: quern-opt %s -verify-diagnostics --quern-recompute

// Recomputation needs the backward pass quern-make-train-step builds.
// expected-error @+1 {{recompute: no training step whose backward pass quern-make-train-step built (@train_step with a quern.backward_begins)}}
module {
func.func @forward(%x: tensor<4xf32>) -> tensor<4xf32> {
  %y = quern.tanh %x : tensor<4xf32>
  return %y : tensor<4xf32>
}
}
