// RUN: quern-opt %s -split-input-file --quern-make-train-step=optimizer=sgd | FileCheck %s

// The vector-Jacobian products of the elementwise ops. Each case's loss is
// the sum of the op's result, so the result's gradient %G is the seed 1
// broadcast to its shape; the checks follow each operand's gradient from %G
// into the parameter's sgd_update.

// CHECK-LABEL: module @neg
// CHECK: func.func @train_step(%[[LR:[^:]+]]: tensor<f32> {quern.name = "lr"}, %[[W:[^:]+]]: tensor<4xf32>
// CHECK: %[[G:.+]] = quern.broadcast
// CHECK: %[[DW:.+]] = quern.neg %[[G]]
// CHECK: quern.sgd_update %[[W]], %[[DW]], %[[LR]]
module @neg {
func.func @forward(%w: tensor<4xf32> {quern.param = {name = "w", trainable = true}}) -> tensor<f32> {
  %0 = quern.neg %w : tensor<4xf32>
  %1 = quern.reduce_sum %0 axes = [0] : tensor<4xf32> -> tensor<f32>
  return %1 : tensor<f32>
}
}

// -----

// d|x| = -g where x < 0, 0 where x == 0, g elsewhere.
// CHECK-LABEL: module @abs
// CHECK: func.func @train_step(%[[LR:[^:]+]]: tensor<f32> {quern.name = "lr"}, %[[W:[^:]+]]: tensor<4xf32>
// CHECK: %[[G:.+]] = quern.broadcast
// CHECK: %[[ZERO:.+]] = quern.constant dense<0.000000e+00> : tensor<4xf32>
// CHECK: %[[NEGATIVE:.+]] = quern.compare lt, %[[W]], %[[ZERO]]
// CHECK: %[[MINUS_G:.+]] = quern.neg %[[G]]
// CHECK: %[[SIGNED:.+]] = quern.select %[[NEGATIVE]], %[[MINUS_G]], %[[G]]
// CHECK: %[[AT_ZERO:.+]] = quern.compare eq, %[[W]], %[[ZERO]]
// CHECK: %[[DW:.+]] = quern.select %[[AT_ZERO]], %[[ZERO]], %[[SIGNED]]
// CHECK: quern.sgd_update %[[W]], %[[DW]], %[[LR]]
module @abs {
func.func @forward(%w: tensor<4xf32> {quern.param = {name = "w", trainable = true}}) -> tensor<f32> {
  %0 = quern.abs %w : tensor<4xf32>
  %1 = quern.reduce_sum %0 axes = [0] : tensor<4xf32> -> tensor<f32>
  return %1 : tensor<f32>
}
}

// -----

// CHECK-LABEL: module @relu
// CHECK: func.func @train_step(%[[LR:[^:]+]]: tensor<f32> {quern.name = "lr"}, %[[W:[^:]+]]: tensor<4xf32>
// CHECK: %[[G:.+]] = quern.broadcast
// CHECK: %[[ZERO:.+]] = quern.constant dense<0.000000e+00> : tensor<4xf32>
// CHECK: %[[POSITIVE:.+]] = quern.compare gt, %[[W]], %[[ZERO]]
// CHECK: %[[DW:.+]] = quern.select %[[POSITIVE]], %[[G]], %[[ZERO]]
// CHECK: quern.sgd_update %[[W]], %[[DW]], %[[LR]]
module @relu {
func.func @forward(%w: tensor<4xf32> {quern.param = {name = "w", trainable = true}}) -> tensor<f32> {
  %0 = quern.relu %w : tensor<4xf32>
  %1 = quern.reduce_sum %0 axes = [0] : tensor<4xf32> -> tensor<f32>
  return %1 : tensor<f32>
}
}

// -----

// CHECK-LABEL: module @leaky_relu
// CHECK: func.func @train_step(%[[LR:[^:]+]]: tensor<f32> {quern.name = "lr"}, %[[W:[^:]+]]: tensor<4xf32>
// CHECK: %[[G:.+]] = quern.broadcast
// CHECK: %[[ZERO:.+]] = quern.constant dense<0.000000e+00> : tensor<4xf32>
// CHECK: %[[POSITIVE:.+]] = quern.compare gt, %[[W]], %[[ZERO]]
// CHECK: %[[ALPHA:.+]] = quern.constant dense<1.000000e-01> : tensor<4xf32>
// CHECK: %[[SCALED:.+]] = quern.mul %[[G]], %[[ALPHA]]
// CHECK: %[[DW:.+]] = quern.select %[[POSITIVE]], %[[G]], %[[SCALED]]
// CHECK: quern.sgd_update %[[W]], %[[DW]], %[[LR]]
module @leaky_relu {
func.func @forward(%w: tensor<4xf32> {quern.param = {name = "w", trainable = true}}) -> tensor<f32> {
  %0 = quern.leaky_relu %w alpha = 1.000000e-01 : tensor<4xf32>
  %1 = quern.reduce_sum %0 axes = [0] : tensor<4xf32> -> tensor<f32>
  return %1 : tensor<f32>
}
}

// -----

// d e^x = g * e^x, reusing the forward result.
// CHECK-LABEL: module @exp
// CHECK: func.func @train_step(%[[LR:[^:]+]]: tensor<f32> {quern.name = "lr"}, %[[W:[^:]+]]: tensor<4xf32>
// CHECK: %[[Y:.+]] = quern.exp %[[W]]
// CHECK: %[[G:.+]] = quern.broadcast
// CHECK: %[[DW:.+]] = quern.mul %[[G]], %[[Y]]
// CHECK: quern.sgd_update %[[W]], %[[DW]], %[[LR]]
module @exp {
func.func @forward(%w: tensor<4xf32> {quern.param = {name = "w", trainable = true}}) -> tensor<f32> {
  %0 = quern.exp %w : tensor<4xf32>
  %1 = quern.reduce_sum %0 axes = [0] : tensor<4xf32> -> tensor<f32>
  return %1 : tensor<f32>
}
}

// -----

// CHECK-LABEL: module @log
// CHECK: func.func @train_step(%[[LR:[^:]+]]: tensor<f32> {quern.name = "lr"}, %[[W:[^:]+]]: tensor<4xf32>
// CHECK: %[[G:.+]] = quern.broadcast
// CHECK: %[[DW:.+]] = quern.div %[[G]], %[[W]]
// CHECK: quern.sgd_update %[[W]], %[[DW]], %[[LR]]
module @log {
func.func @forward(%w: tensor<4xf32> {quern.param = {name = "w", trainable = true}}) -> tensor<f32> {
  %0 = quern.log %w : tensor<4xf32>
  %1 = quern.reduce_sum %0 axes = [0] : tensor<4xf32> -> tensor<f32>
  return %1 : tensor<f32>
}
}

// -----

// d tanh(x) = g * (1 - tanh(x)^2).
// CHECK-LABEL: module @tanh
// CHECK: func.func @train_step(%[[LR:[^:]+]]: tensor<f32> {quern.name = "lr"}, %[[W:[^:]+]]: tensor<4xf32>
// CHECK: %[[Y:.+]] = quern.tanh %[[W]]
// CHECK: %[[G:.+]] = quern.broadcast
// CHECK: %[[ONE:.+]] = quern.constant dense<1.000000e+00> : tensor<4xf32>
// CHECK: %[[SQUARE:.+]] = quern.mul %[[Y]], %[[Y]]
// CHECK: %[[SLOPE:.+]] = quern.sub %[[ONE]], %[[SQUARE]]
// CHECK: %[[DW:.+]] = quern.mul %[[G]], %[[SLOPE]]
// CHECK: quern.sgd_update %[[W]], %[[DW]], %[[LR]]
module @tanh {
func.func @forward(%w: tensor<4xf32> {quern.param = {name = "w", trainable = true}}) -> tensor<f32> {
  %0 = quern.tanh %w : tensor<4xf32>
  %1 = quern.reduce_sum %0 axes = [0] : tensor<4xf32> -> tensor<f32>
  return %1 : tensor<f32>
}
}

// -----

// d sigmoid(x) = g * s * (1 - s).
// CHECK-LABEL: module @sigmoid
// CHECK: func.func @train_step(%[[LR:[^:]+]]: tensor<f32> {quern.name = "lr"}, %[[W:[^:]+]]: tensor<4xf32>
// CHECK: %[[Y:.+]] = quern.sigmoid %[[W]]
// CHECK: %[[G:.+]] = quern.broadcast
// CHECK: %[[ONE:.+]] = quern.constant dense<1.000000e+00> : tensor<4xf32>
// CHECK: %[[COMPLEMENT:.+]] = quern.sub %[[ONE]], %[[Y]]
// CHECK: %[[SLOPE:.+]] = quern.mul %[[Y]], %[[COMPLEMENT]]
// CHECK: %[[DW:.+]] = quern.mul %[[G]], %[[SLOPE]]
// CHECK: quern.sgd_update %[[W]], %[[DW]], %[[LR]]
module @sigmoid {
func.func @forward(%w: tensor<4xf32> {quern.param = {name = "w", trainable = true}}) -> tensor<f32> {
  %0 = quern.sigmoid %w : tensor<4xf32>
  %1 = quern.reduce_sum %0 axes = [0] : tensor<4xf32> -> tensor<f32>
  return %1 : tensor<f32>
}
}

// -----

// d sqrt(x) = g / (2 sqrt(x)).
// CHECK-LABEL: module @sqrt
// CHECK: func.func @train_step(%[[LR:[^:]+]]: tensor<f32> {quern.name = "lr"}, %[[W:[^:]+]]: tensor<4xf32>
// CHECK: %[[Y:.+]] = quern.sqrt %[[W]]
// CHECK: %[[G:.+]] = quern.broadcast
// CHECK: %[[TWO:.+]] = quern.constant dense<2.000000e+00> : tensor<4xf32>
// CHECK: %[[TWICE:.+]] = quern.mul %[[Y]], %[[TWO]]
// CHECK: %[[DW:.+]] = quern.div %[[G]], %[[TWICE]]
// CHECK: quern.sgd_update %[[W]], %[[DW]], %[[LR]]
module @sqrt {
func.func @forward(%w: tensor<4xf32> {quern.param = {name = "w", trainable = true}}) -> tensor<f32> {
  %0 = quern.sqrt %w : tensor<4xf32>
  %1 = quern.reduce_sum %0 axes = [0] : tensor<4xf32> -> tensor<f32>
  return %1 : tensor<f32>
}
}

// -----

// d (1/x) = -g * (1/x)^2.
// CHECK-LABEL: module @reciprocal
// CHECK: func.func @train_step(%[[LR:[^:]+]]: tensor<f32> {quern.name = "lr"}, %[[W:[^:]+]]: tensor<4xf32>
// CHECK: %[[Y:.+]] = quern.reciprocal %[[W]]
// CHECK: %[[G:.+]] = quern.broadcast
// CHECK: %[[SQUARE:.+]] = quern.mul %[[Y]], %[[Y]]
// CHECK: %[[PRODUCT:.+]] = quern.mul %[[G]], %[[SQUARE]]
// CHECK: %[[DW:.+]] = quern.neg %[[PRODUCT]]
// CHECK: quern.sgd_update %[[W]], %[[DW]], %[[LR]]
module @reciprocal {
func.func @forward(%w: tensor<4xf32> {quern.param = {name = "w", trainable = true}}) -> tensor<f32> {
  %0 = quern.reciprocal %w : tensor<4xf32>
  %1 = quern.reduce_sum %0 axes = [0] : tensor<4xf32> -> tensor<f32>
  return %1 : tensor<f32>
}
}

// -----

// d erf(x) = g * 2/sqrt(pi) * e^(-x^2).
// CHECK-LABEL: module @erf
// CHECK: func.func @train_step(%[[LR:[^:]+]]: tensor<f32> {quern.name = "lr"}, %[[W:[^:]+]]: tensor<4xf32>
// CHECK: %[[G:.+]] = quern.broadcast
// CHECK: %[[SQUARE:.+]] = quern.mul %[[W]], %[[W]]
// CHECK: %[[MINUS:.+]] = quern.neg %[[SQUARE]]
// CHECK: %[[GAUSS:.+]] = quern.exp %[[MINUS]]
// CHECK: %[[FACTOR:.+]] = quern.constant dense<1.12837923> : tensor<4xf32>
// CHECK: %[[SLOPE:.+]] = quern.mul %[[GAUSS]], %[[FACTOR]]
// CHECK: %[[DW:.+]] = quern.mul %[[G]], %[[SLOPE]]
// CHECK: quern.sgd_update %[[W]], %[[DW]], %[[LR]]
module @erf {
func.func @forward(%w: tensor<4xf32> {quern.param = {name = "w", trainable = true}}) -> tensor<f32> {
  %0 = quern.erf %w : tensor<4xf32>
  %1 = quern.reduce_sum %0 axes = [0] : tensor<4xf32> -> tensor<f32>
  return %1 : tensor<f32>
}
}

// -----

// d sin(x) = g * cos(x); d cos(x) = -(g * sin(x)).
// CHECK-LABEL: module @sin_cos
// CHECK: func.func @train_step(%[[LR:[^:]+]]: tensor<f32> {quern.name = "lr"}, %[[U:[^:]+]]: tensor<4xf32> {{.+}}, %[[V:[^:]+]]: tensor<4xf32>
// CHECK-DAG: %[[COS:.+]] = quern.cos %[[U]]
// CHECK-DAG: %[[DU:.+]] = quern.mul %{{.+}}, %[[COS]]
// CHECK-DAG: %[[SIN:.+]] = quern.sin %[[V]]
// CHECK-DAG: %[[PRODUCT:.+]] = quern.mul %{{.+}}, %[[SIN]]
// CHECK-DAG: %[[DV:.+]] = quern.neg %[[PRODUCT]]
// CHECK-DAG: quern.sgd_update %[[U]], %[[DU]], %[[LR]]
// CHECK-DAG: quern.sgd_update %[[V]], %[[DV]], %[[LR]]
module @sin_cos {
func.func @forward(%u: tensor<4xf32> {quern.param = {name = "u", trainable = true}}, %v: tensor<4xf32> {quern.param = {name = "v", trainable = true}}) -> tensor<f32> {
  %0 = quern.sin %u : tensor<4xf32>
  %1 = quern.cos %v : tensor<4xf32>
  %2 = quern.add %0, %1 : tensor<4xf32>
  %3 = quern.reduce_sum %2 axes = [0] : tensor<4xf32> -> tensor<f32>
  return %3 : tensor<f32>
}
}

// -----

// Both operands get g as it is.
// CHECK-LABEL: module @add
// CHECK: func.func @train_step(%[[LR:[^:]+]]: tensor<f32> {quern.name = "lr"}, %[[U:[^:]+]]: tensor<4xf32> {{.+}}, %[[V:[^:]+]]: tensor<4xf32>
// CHECK: %[[G:.+]] = quern.broadcast
// CHECK-NEXT: quern.sgd_update %[[U]], %[[G]], %[[LR]]
// CHECK-NEXT: quern.sgd_update %[[V]], %[[G]], %[[LR]]
module @add {
func.func @forward(%u: tensor<4xf32> {quern.param = {name = "u", trainable = true}}, %v: tensor<4xf32> {quern.param = {name = "v", trainable = true}}) -> tensor<f32> {
  %0 = quern.add %u, %v : tensor<4xf32>
  %1 = quern.reduce_sum %0 axes = [0] : tensor<4xf32> -> tensor<f32>
  return %1 : tensor<f32>
}
}

// -----

// CHECK-LABEL: module @sub
// CHECK: func.func @train_step(%[[LR:[^:]+]]: tensor<f32> {quern.name = "lr"}, %[[U:[^:]+]]: tensor<4xf32> {{.+}}, %[[V:[^:]+]]: tensor<4xf32>
// CHECK: %[[G:.+]] = quern.broadcast
// CHECK: %[[DV:.+]] = quern.neg %[[G]]
// CHECK: quern.sgd_update %[[U]], %[[G]], %[[LR]]
// CHECK: quern.sgd_update %[[V]], %[[DV]], %[[LR]]
module @sub {
func.func @forward(%u: tensor<4xf32> {quern.param = {name = "u", trainable = true}}, %v: tensor<4xf32> {quern.param = {name = "v", trainable = true}}) -> tensor<f32> {
  %0 = quern.sub %u, %v : tensor<4xf32>
  %1 = quern.reduce_sum %0 axes = [0] : tensor<4xf32> -> tensor<f32>
  return %1 : tensor<f32>
}
}

// -----

// Each operand gets g times the other.
// CHECK-LABEL: module @mul
// CHECK: func.func @train_step(%[[LR:[^:]+]]: tensor<f32> {quern.name = "lr"}, %[[U:[^:]+]]: tensor<4xf32> {{.+}}, %[[V:[^:]+]]: tensor<4xf32>
// CHECK: %[[G:.+]] = quern.broadcast
// CHECK: %[[DU:.+]] = quern.mul %[[G]], %[[V]]
// CHECK: %[[DV:.+]] = quern.mul %[[G]], %[[U]]
// CHECK: quern.sgd_update %[[U]], %[[DU]], %[[LR]]
// CHECK: quern.sgd_update %[[V]], %[[DV]], %[[LR]]
module @mul {
func.func @forward(%u: tensor<4xf32> {quern.param = {name = "u", trainable = true}}, %v: tensor<4xf32> {quern.param = {name = "v", trainable = true}}) -> tensor<f32> {
  %0 = quern.mul %u, %v : tensor<4xf32>
  %1 = quern.reduce_sum %0 axes = [0] : tensor<4xf32> -> tensor<f32>
  return %1 : tensor<f32>
}
}

// -----

// d(u/v) = g/v for u and -(g/v) * (u/v) for v.
// CHECK-LABEL: module @div
// CHECK: func.func @train_step(%[[LR:[^:]+]]: tensor<f32> {quern.name = "lr"}, %[[U:[^:]+]]: tensor<4xf32> {{.+}}, %[[V:[^:]+]]: tensor<4xf32>
// CHECK: %[[Q:.+]] = quern.div %[[U]], %[[V]]
// CHECK: %[[G:.+]] = quern.broadcast
// CHECK: %[[DU:.+]] = quern.div %[[G]], %[[V]]
// CHECK: %[[PRODUCT:.+]] = quern.mul %[[DU]], %[[Q]]
// CHECK: %[[DV:.+]] = quern.neg %[[PRODUCT]]
// CHECK: quern.sgd_update %[[U]], %[[DU]], %[[LR]]
// CHECK: quern.sgd_update %[[V]], %[[DV]], %[[LR]]
module @div {
func.func @forward(%u: tensor<4xf32> {quern.param = {name = "u", trainable = true}}, %v: tensor<4xf32> {quern.param = {name = "v", trainable = true}}) -> tensor<f32> {
  %0 = quern.div %u, %v : tensor<4xf32>
  %1 = quern.reduce_sum %0 axes = [0] : tensor<4xf32> -> tensor<f32>
  return %1 : tensor<f32>
}
}

// -----

// d(x^y) = g * y * x^(y-1) for x and g * x^y * ln(x) for y.
// CHECK-LABEL: module @pow
// CHECK: func.func @train_step(%[[LR:[^:]+]]: tensor<f32> {quern.name = "lr"}, %[[X:[^:]+]]: tensor<4xf32> {{.+}}, %[[Y:[^:]+]]: tensor<4xf32>
// CHECK: %[[R:.+]] = quern.pow %[[X]], %[[Y]]
// CHECK: %[[G:.+]] = quern.broadcast
// CHECK: %[[ONE:.+]] = quern.constant dense<1.000000e+00> : tensor<4xf32>
// CHECK: %[[Y_MINUS_1:.+]] = quern.sub %[[Y]], %[[ONE]]
// CHECK: %[[POWER:.+]] = quern.pow %[[X]], %[[Y_MINUS_1]]
// CHECK: %[[SLOPE_X:.+]] = quern.mul %[[Y]], %[[POWER]]
// CHECK: %[[DX:.+]] = quern.mul %[[G]], %[[SLOPE_X]]
// CHECK: %[[LOG:.+]] = quern.log %[[X]]
// CHECK: %[[SLOPE_Y:.+]] = quern.mul %[[R]], %[[LOG]]
// CHECK: %[[DY:.+]] = quern.mul %[[G]], %[[SLOPE_Y]]
// CHECK: quern.sgd_update %[[X]], %[[DX]], %[[LR]]
// CHECK: quern.sgd_update %[[Y]], %[[DY]], %[[LR]]
module @pow {
func.func @forward(%x: tensor<4xf32> {quern.param = {name = "x", trainable = true}}, %y: tensor<4xf32> {quern.param = {name = "y", trainable = true}}) -> tensor<f32> {
  %0 = quern.pow %x, %y : tensor<4xf32>
  %1 = quern.reduce_sum %0 axes = [0] : tensor<4xf32> -> tensor<f32>
  return %1 : tensor<f32>
}
}

// -----

// g goes to lhs where lhs >= rhs (ties included), to rhs elsewhere.
// CHECK-LABEL: module @max
// CHECK: func.func @train_step(%[[LR:[^:]+]]: tensor<f32> {quern.name = "lr"}, %[[U:[^:]+]]: tensor<4xf32> {{.+}}, %[[V:[^:]+]]: tensor<4xf32>
// CHECK: %[[G:.+]] = quern.broadcast
// CHECK: %[[ZERO:.+]] = quern.constant dense<0.000000e+00> : tensor<4xf32>
// CHECK: %[[FIRST:.+]] = quern.compare ge, %[[U]], %[[V]]
// CHECK: %[[DU:.+]] = quern.select %[[FIRST]], %[[G]], %[[ZERO]]
// CHECK: %[[DV:.+]] = quern.select %[[FIRST]], %[[ZERO]], %[[G]]
// CHECK: quern.sgd_update %[[U]], %[[DU]], %[[LR]]
// CHECK: quern.sgd_update %[[V]], %[[DV]], %[[LR]]
module @max {
func.func @forward(%u: tensor<4xf32> {quern.param = {name = "u", trainable = true}}, %v: tensor<4xf32> {quern.param = {name = "v", trainable = true}}) -> tensor<f32> {
  %0 = quern.max %u, %v : tensor<4xf32>
  %1 = quern.reduce_sum %0 axes = [0] : tensor<4xf32> -> tensor<f32>
  return %1 : tensor<f32>
}
}

// -----

// CHECK-LABEL: module @min
// CHECK: func.func @train_step(%[[LR:[^:]+]]: tensor<f32> {quern.name = "lr"}, %[[U:[^:]+]]: tensor<4xf32> {{.+}}, %[[V:[^:]+]]: tensor<4xf32>
// CHECK: %[[G:.+]] = quern.broadcast
// CHECK: %[[ZERO:.+]] = quern.constant dense<0.000000e+00> : tensor<4xf32>
// CHECK: %[[FIRST:.+]] = quern.compare le, %[[U]], %[[V]]
// CHECK: %[[DU:.+]] = quern.select %[[FIRST]], %[[G]], %[[ZERO]]
// CHECK: %[[DV:.+]] = quern.select %[[FIRST]], %[[ZERO]], %[[G]]
// CHECK: quern.sgd_update %[[U]], %[[DU]], %[[LR]]
// CHECK: quern.sgd_update %[[V]], %[[DV]], %[[LR]]
module @min {
func.func @forward(%u: tensor<4xf32> {quern.param = {name = "u", trainable = true}}, %v: tensor<4xf32> {quern.param = {name = "v", trainable = true}}) -> tensor<f32> {
  %0 = quern.min %u, %v : tensor<4xf32>
  %1 = quern.reduce_sum %0 axes = [0] : tensor<4xf32> -> tensor<f32>
  return %1 : tensor<f32>
}
}

// -----

// The condition (booleans) gets nothing; each branch gets g where it was
// chosen.
// CHECK-LABEL: module @select
// CHECK: func.func @train_step(%[[C:[^:]+]]: tensor<4xi1>, %[[LR:[^:]+]]: tensor<f32> {quern.name = "lr"}, %[[U:[^:]+]]: tensor<4xf32> {{.+}}, %[[V:[^:]+]]: tensor<4xf32>
// CHECK: %[[G:.+]] = quern.broadcast
// CHECK: %[[ZERO:.+]] = quern.constant dense<0.000000e+00> : tensor<4xf32>
// CHECK: %[[DU:.+]] = quern.select %[[C]], %[[G]], %[[ZERO]]
// CHECK: %[[DV:.+]] = quern.select %[[C]], %[[ZERO]], %[[G]]
// CHECK: quern.sgd_update %[[U]], %[[DU]], %[[LR]]
// CHECK: quern.sgd_update %[[V]], %[[DV]], %[[LR]]
module @select {
func.func @forward(%c: tensor<4xi1>, %u: tensor<4xf32> {quern.param = {name = "u", trainable = true}}, %v: tensor<4xf32> {quern.param = {name = "v", trainable = true}}) -> tensor<f32> {
  %0 = quern.select %c, %u, %v : tensor<4xi1>, tensor<4xf32>
  %1 = quern.reduce_sum %0 axes = [0] : tensor<4xf32> -> tensor<f32>
  return %1 : tensor<f32>
}
}

// -----

// A float-to-float cast casts the gradient back; the seed of an f32 loss
// computed in f16 goes through the outer cast's gradient first.
// CHECK-LABEL: module @cast
// CHECK: func.func @train_step(%[[LR:[^:]+]]: tensor<f32> {quern.name = "lr"}, %[[W:[^:]+]]: tensor<4xf32> {{.+}}, %[[T:[^:]+]]: tensor<4xf16>
// CHECK: %[[SEED:.+]] = quern.constant dense<1.000000e+00> : tensor<f32>
// CHECK: %[[SEED16:.+]] = quern.cast %[[SEED]] : tensor<f32> to tensor<f16>
// CHECK: %[[ROW:.+]] = quern.reshape %[[SEED16]]
// CHECK: %[[G:.+]] = quern.broadcast %[[ROW]]
// CHECK: %[[DH:.+]] = quern.mul %[[G]], %[[T]] : tensor<4xf16>
// CHECK: %[[DW:.+]] = quern.cast %[[DH]] : tensor<4xf16> to tensor<4xf32>
// CHECK: quern.sgd_update %[[W]], %[[DW]], %[[LR]]
module @cast {
func.func @forward(%w: tensor<4xf32> {quern.param = {name = "w", trainable = true}}, %t: tensor<4xf16>) -> tensor<f32> {
  %0 = quern.cast %w : tensor<4xf32> to tensor<4xf16>
  %1 = quern.mul %0, %t : tensor<4xf16>
  %2 = quern.reduce_sum %1 axes = [0] : tensor<4xf16> -> tensor<f16>
  %3 = quern.cast %2 : tensor<f16> to tensor<f32>
  return %3 : tensor<f32>
}
}
