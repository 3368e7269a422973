// RUN: quern-opt %s -split-input-file -verify-diagnostics --quern-make-train-step=optimizer=sgd

// Where reverse mode cannot go: an op without a gradient between a
// parameter and the loss, and the forms of differentiable ops that have
// none.

func.func @forward(%d: tensor<8xf32> {quern.param = {name = "d", trainable = true}}, %i: tensor<4x1xi64>, %u: tensor<4xf32>) -> tensor<f32> {
  // expected-error @+1 {{'quern.scatter_nd' lies between the parameters and the loss but has no gradient}}
  %0 = quern.scatter_nd %d, %i, %u reduction = none : (tensor<8xf32>, tensor<4x1xi64>, tensor<4xf32>) -> tensor<8xf32>
  %1 = quern.reduce_sum %0 axes = [0] : tensor<8xf32> -> tensor<f32>
  return %1 : tensor<f32>
}

// -----

// The loss uses the saved inverse standard deviation, not only the result.
func.func @forward(%x: tensor<2x4xf32> {quern.param = {name = "x", trainable = true}}, %s: tensor<4xf32> {quern.param = {name = "s", trainable = true}}) -> tensor<f32> {
  // expected-error @+1 {{'quern.layer_norm' op cannot be differentiated through its saved mean and inverse standard deviation}}
  %0, %1, %2 = quern.layer_norm %x, %s axis = 1 epsilon = 1.000000e-05 : (tensor<2x4xf32>, tensor<4xf32>) -> (tensor<2x4xf32>, tensor<2x1xf32>, tensor<2x1xf32>)
  %3 = quern.reduce_sum %0 axes = [0, 1] : tensor<2x4xf32> -> tensor<f32>
  %4 = quern.reduce_sum %2 axes = [0, 1] : tensor<2x1xf32> -> tensor<f32>
  %5 = quern.add %3, %4 : tensor<f32>
  return %5 : tensor<f32>
}

// -----

// The mean alone.
func.func @forward(%x: tensor<2x4xf32> {quern.param = {name = "x", trainable = true}}, %s: tensor<4xf32> {quern.param = {name = "s", trainable = true}}) -> tensor<f32> {
  // expected-error @+1 {{'quern.layer_norm' op cannot be differentiated through its saved mean and inverse standard deviation}}
  %0, %1, %2 = quern.layer_norm %x, %s axis = 1 epsilon = 1.000000e-05 : (tensor<2x4xf32>, tensor<4xf32>) -> (tensor<2x4xf32>, tensor<2x1xf32>, tensor<2x1xf32>)
  %3 = quern.reduce_sum %1 axes = [0, 1] : tensor<2x1xf32> -> tensor<f32>
  return %3 : tensor<f32>
}

// -----

func.func @forward(%w: tensor<3x3xf32> {quern.param = {name = "w", trainable = true}}) -> tensor<f32> {
  // expected-error @+1 {{'quern.einsum' op cannot be differentiated with respect to operand 0: its dimension 'i' is a diagonal or is summed within it alone}}
  %0 = quern.einsum "ii->i" %w : (tensor<3x3xf32>) -> tensor<3xf32>
  %1 = quern.reduce_sum %0 axes = [0] : tensor<3xf32> -> tensor<f32>
  return %1 : tensor<f32>
}

// -----

func.func @forward(%w: tensor<3x4xf32> {quern.param = {name = "w", trainable = true}}, %v: tensor<4xf32> {quern.param = {name = "v", trainable = true}}) -> tensor<f32> {
  // expected-error @+1 {{'quern.einsum' op cannot be differentiated with respect to operand 0: its dimension 'i' is a diagonal or is summed within it alone}}
  %0 = quern.einsum "ij,j->" %w, %v : (tensor<3x4xf32>, tensor<4xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

func.func @forward(%d: tensor<3x4xf32> {quern.param = {name = "d", trainable = true}}, %i: tensor<3x2xi64>, %u: tensor<3x2xf32>) -> tensor<f32> {
  // expected-error @+1 {{'quern.scatter_elements' op cannot be differentiated with reduction mul}}
  %0 = quern.scatter_elements %d, %i, %u axis = 1 reduction = mul : (tensor<3x4xf32>, tensor<3x2xi64>, tensor<3x2xf32>) -> tensor<3x4xf32>
  %1 = quern.reduce_sum %0 axes = [0, 1] : tensor<3x4xf32> -> tensor<f32>
  return %1 : tensor<f32>
}
