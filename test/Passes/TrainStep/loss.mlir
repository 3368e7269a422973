// RUN: quern-opt %s --quern-make-train-step=loss=total | FileCheck %s --check-prefix=INDEX2
// RUN: quern-opt %s --quern-make-train-step=loss=peak | FileCheck %s --check-prefix=INDEX3
// RUN: not quern-opt %s --quern-make-train-step 2>&1 | FileCheck %s --check-prefix=SEVERAL
// RUN: not quern-opt %s --quern-make-train-step=loss=y 2>&1 | FileCheck %s --check-prefix=NOT-SCALAR
// RUN: not quern-opt %s --quern-make-train-step=loss=count 2>&1 | FileCheck %s --check-prefix=INTEGER
// RUN: not quern-opt %s --quern-make-train-step=loss=nope 2>&1 | FileCheck %s --check-prefix=MISSING

// Which result of @forward is the loss: with `loss`, the output of that
// name (a scalar float, of shape [] or [1]); without, the only scalar float result
// (this model has two: total and peak). The loss comes first among
// @train_step's results, then the other outputs in their order.

// INDEX2-LABEL: func.func @train_step
// INDEX2-SAME: -> (tensor<f32> {quern.name = "total"}, tensor<2x4xf32> {quern.name = "y"}, tensor<i64> {quern.name = "count"}, tensor<1xf32> {quern.name = "peak"}, tensor<4xf32> {quern.updates = 1 : i64}, tensor<i64> {quern.updates = 2 : i64})
// INDEX2: %[[Y:.+]] = quern.broadcast
// INDEX2: %[[COUNT:.+]] = quern.constant dense<4> : tensor<i64>
// INDEX2: %[[TOTAL:.+]] = quern.reduce_sum %[[Y]] axes = [0, 1]
// INDEX2: %[[MAX:.+]] = quern.reduce_max %[[Y]]
// INDEX2: %[[PEAK:.+]] = quern.reshape %[[MAX]] : tensor<1x1xf32> -> tensor<1xf32>
// The seed is the gradient of total: the sum spreads it over y; the maximum
// is not differentiated.
// INDEX2: %[[SEED:.+]] = quern.constant dense<1.000000e+00> : tensor<f32>
// INDEX2: %[[SEED_KEPT:.+]] = quern.reshape %[[SEED]] : tensor<f32> -> tensor<1x1xf32>
// INDEX2: quern.broadcast %[[SEED_KEPT]] : tensor<1x1xf32> -> tensor<2x4xf32>
// INDEX2-NOT: quern.compare
// INDEX2: quern.sgd_update
// INDEX2: return %[[TOTAL]], %[[Y]], %[[COUNT]], %[[PEAK]],

// The loss of shape [1] is differentiated through a reshape to a scalar,
// and returned with its own shape.
// INDEX3-LABEL: func.func @train_step
// INDEX3-SAME: -> (tensor<1xf32> {quern.name = "peak"}, tensor<2x4xf32> {quern.name = "y"}, tensor<i64> {quern.name = "count"}, tensor<f32> {quern.name = "total"}, tensor<4xf32> {quern.updates = 1 : i64}, tensor<i64> {quern.updates = 2 : i64})
// INDEX3: %[[MAX:.+]] = quern.reduce_max
// INDEX3: %[[PEAK:.+]] = quern.reshape %[[MAX]] : tensor<1x1xf32> -> tensor<1xf32>
// INDEX3: quern.reshape %[[PEAK]] : tensor<1xf32> -> tensor<f32>
// INDEX3: quern.compare eq
// INDEX3: return %[[PEAK]],

// SEVERAL: error: the model has 2 scalar float outputs; name the loss with --loss
// NOT-SCALAR: error: output 'y' is not a scalar float: it cannot be the loss
// INTEGER: error: output 'count' is not a scalar float: it cannot be the loss
// MISSING: error: the model has no output 'nope'

func.func @forward(%w: tensor<4xf32> {quern.param = {name = "w", trainable = true}})
    -> (tensor<2x4xf32> {quern.name = "y"}, tensor<i64> {quern.name = "count"},
        tensor<f32> {quern.name = "total"}, tensor<1xf32> {quern.name = "peak"}) {
  %0 = quern.broadcast %w : tensor<4xf32> -> tensor<2x4xf32>
  %1 = quern.constant dense<4> : tensor<i64>
  %2 = quern.reduce_sum %0 axes = [0, 1] : tensor<2x4xf32> -> tensor<f32>
  %3 = quern.reduce_max %0 axes = [0, 1] keep_dims : tensor<2x4xf32> -> tensor<1x1xf32>
  %4 = quern.reshape %3 : tensor<1x1xf32> -> tensor<1xf32>
  return %0, %1, %2, %4 : tensor<2x4xf32>, tensor<i64>, tensor<f32>, tensor<1xf32>
}
