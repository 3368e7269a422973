// RUN: quern-opt %s -split-input-file -verify-diagnostics --quern-make-train-step

// What quern-make-train-step rejects.

// expected-error @+1 {{no @forward function to train}}
module {
func.func @main(%w: tensor<4xf32> {quern.param = {name = "w", trainable = true}}) -> tensor<f32> {
  %0 = quern.reduce_sum %w axes = [0] : tensor<4xf32> -> tensor<f32>
  return %0 : tensor<f32>
}
}

// -----

// No scalar float result: the integer scalar does not count.
// expected-error @+1 {{the model has 0 scalar float outputs; name the loss with --loss}}
func.func @forward(%w: tensor<4xf32> {quern.param = {name = "w", trainable = true}}) -> (tensor<4xf32>, tensor<i64>) {
  %0 = quern.constant dense<4> : tensor<i64>
  return %w, %0 : tensor<4xf32>, tensor<i64>
}

// -----

// expected-error @+1 {{the model has 2 scalar float outputs; name the loss with --loss}}
func.func @forward(%w: tensor<4xf32> {quern.param = {name = "w", trainable = true}}) -> (tensor<f32>, tensor<1x1xf32>) {
  %0 = quern.reduce_sum %w axes = [0] : tensor<4xf32> -> tensor<f32>
  %1 = quern.reshape %0 : tensor<f32> -> tensor<1x1xf32>
  return %0, %1 : tensor<f32>, tensor<1x1xf32>
}

// -----

// expected-error @+1 {{no parameter is trainable}}
func.func @forward(%w: tensor<4xf32> {quern.param = {name = "w", trainable = false}}) -> tensor<f32> {
  %0 = quern.reduce_sum %w axes = [0] : tensor<4xf32> -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

// expected-error @+1 {{training needs float32 parameters}}
func.func @forward(%w: tensor<4xf16> {quern.param = {name = "w", trainable = true}}) -> tensor<f32> {
  %0 = quern.cast %w : tensor<4xf16> to tensor<4xf32>
  %1 = quern.reduce_sum %0 axes = [0] : tensor<4xf32> -> tensor<f32>
  return %1 : tensor<f32>
}
