// RUN: quern-opt %s -split-input-file --quern-make-train-step=optimizer=sgd | FileCheck %s

// The gradients of the reductions, softmax, log_softmax, layer_norm and
// nll_loss.

// The reduced gradient is broadcast back over the summed axis. The loss
// squares the sums, so g = 2 * sum arrives as the add of two uses' gradients.
// CHECK-LABEL: module @reduce_sum
// CHECK: func.func @train_step(%[[LR:[^:]+]]: tensor<f32> {quern.name = "lr"}, %[[W:[^:]+]]: tensor<2x3xf32>
// CHECK: %[[G:.+]] = quern.add
// CHECK: %[[ROWS:.+]] = quern.reshape %[[G]] : tensor<2xf32> -> tensor<2x1xf32>
// CHECK: %[[DW:.+]] = quern.broadcast %[[ROWS]] : tensor<2x1xf32> -> tensor<2x3xf32>
// CHECK: quern.sgd_update %[[W]], %[[DW]], %[[LR]]
module @reduce_sum {
func.func @forward(%w: tensor<2x3xf32> {quern.param = {name = "w", trainable = true}}) -> tensor<f32> {
  %0 = quern.reduce_sum %w axes = [1] : tensor<2x3xf32> -> tensor<2xf32>
  %1 = quern.mul %0, %0 : tensor<2xf32>
  %2 = quern.reduce_sum %1 axes = [0] : tensor<2xf32> -> tensor<f32>
  return %2 : tensor<f32>
}
}

// -----

// With keep_dims the gradient has the kept shape already; the mean scales
// it by 1/3.
// CHECK-LABEL: module @reduce_mean
// CHECK: func.func @train_step(%[[LR:[^:]+]]: tensor<f32> {quern.name = "lr"}, %[[W:[^:]+]]: tensor<2x3xf32>
// CHECK: %[[G:.+]] = quern.add
// CHECK-NOT: quern.reshape
// CHECK: %[[SPREAD:.+]] = quern.broadcast %[[G]] : tensor<2x1xf32> -> tensor<2x3xf32>
// CHECK: %[[THIRD:.+]] = quern.constant dense<0.333333343> : tensor<2x3xf32>
// CHECK: %[[DW:.+]] = quern.mul %[[SPREAD]], %[[THIRD]]
// CHECK: quern.sgd_update %[[W]], %[[DW]], %[[LR]]
module @reduce_mean {
func.func @forward(%w: tensor<2x3xf32> {quern.param = {name = "w", trainable = true}}) -> tensor<f32> {
  %0 = quern.reduce_mean %w axes = [1] keep_dims : tensor<2x3xf32> -> tensor<2x1xf32>
  %1 = quern.mul %0, %0 : tensor<2x1xf32>
  %2 = quern.reduce_sum %1 axes = [0, 1] : tensor<2x1xf32> -> tensor<f32>
  return %2 : tensor<f32>
}
}

// -----

// The gradient goes to the positions that hold the maximum.
// CHECK-LABEL: module @reduce_max
// CHECK: func.func @train_step(%[[LR:[^:]+]]: tensor<f32> {quern.name = "lr"}, %[[W:[^:]+]]: tensor<2x3xf32>
// CHECK: %[[MAX:.+]] = quern.reduce_max %[[W]] axes = [1]
// CHECK: %[[G:.+]] = quern.add
// CHECK: %[[G_ROWS:.+]] = quern.reshape %[[G]] : tensor<2xf32> -> tensor<2x1xf32>
// CHECK: %[[SPREAD:.+]] = quern.broadcast %[[G_ROWS]] : tensor<2x1xf32> -> tensor<2x3xf32>
// CHECK: %[[MAX_ROWS:.+]] = quern.reshape %[[MAX]] : tensor<2xf32> -> tensor<2x1xf32>
// CHECK: %[[EXTREME:.+]] = quern.broadcast %[[MAX_ROWS]] : tensor<2x1xf32> -> tensor<2x3xf32>
// CHECK: %[[IS_MAX:.+]] = quern.compare eq, %[[W]], %[[EXTREME]]
// CHECK: %[[ZERO:.+]] = quern.constant dense<0.000000e+00> : tensor<2x3xf32>
// CHECK: %[[DW:.+]] = quern.select %[[IS_MAX]], %[[SPREAD]], %[[ZERO]]
// CHECK: quern.sgd_update %[[W]], %[[DW]], %[[LR]]
module @reduce_max {
func.func @forward(%w: tensor<2x3xf32> {quern.param = {name = "w", trainable = true}}) -> tensor<f32> {
  %0 = quern.reduce_max %w axes = [1] : tensor<2x3xf32> -> tensor<2xf32>
  %1 = quern.mul %0, %0 : tensor<2xf32>
  %2 = quern.reduce_sum %1 axes = [0] : tensor<2xf32> -> tensor<f32>
  return %2 : tensor<f32>
}
}

// -----

// CHECK-LABEL: module @reduce_min
// CHECK: func.func @train_step(%[[LR:[^:]+]]: tensor<f32> {quern.name = "lr"}, %[[W:[^:]+]]: tensor<2x3xf32>
// CHECK: %[[MIN:.+]] = quern.reduce_min %[[W]] axes = [0]
// CHECK: %[[G:.+]] = quern.add
// CHECK: %[[G_COLUMNS:.+]] = quern.reshape %[[G]] : tensor<3xf32> -> tensor<1x3xf32>
// CHECK: %[[SPREAD:.+]] = quern.broadcast %[[G_COLUMNS]] : tensor<1x3xf32> -> tensor<2x3xf32>
// CHECK: %[[MIN_COLUMNS:.+]] = quern.reshape %[[MIN]] : tensor<3xf32> -> tensor<1x3xf32>
// CHECK: %[[EXTREME:.+]] = quern.broadcast %[[MIN_COLUMNS]] : tensor<1x3xf32> -> tensor<2x3xf32>
// CHECK: %[[IS_MIN:.+]] = quern.compare eq, %[[W]], %[[EXTREME]]
// CHECK: %[[ZERO:.+]] = quern.constant dense<0.000000e+00> : tensor<2x3xf32>
// CHECK: %[[DW:.+]] = quern.select %[[IS_MIN]], %[[SPREAD]], %[[ZERO]]
// CHECK: quern.sgd_update %[[W]], %[[DW]], %[[LR]]
module @reduce_min {
func.func @forward(%w: tensor<2x3xf32> {quern.param = {name = "w", trainable = true}}) -> tensor<f32> {
  %0 = quern.reduce_min %w axes = [0] : tensor<2x3xf32> -> tensor<3xf32>
  %1 = quern.mul %0, %0 : tensor<3xf32>
  %2 = quern.reduce_sum %1 axes = [0] : tensor<3xf32> -> tensor<f32>
  return %2 : tensor<f32>
}
}

// -----

// dx = p * (g - sum(g * p)) along the axis, with p the forward result. The
// loss weights p by %t, so g = %t * seed.
// CHECK-LABEL: module @softmax
// CHECK: func.func @train_step(%[[LR:[^:]+]]: tensor<f32> {quern.name = "lr"}, %[[W:[^:]+]]: tensor<2x3xf32> {{.+}}, %[[T:[^:]+]]: tensor<2x3xf32>
// CHECK: %[[P:.+]] = quern.softmax %[[W]] axis = 1
// CHECK: %[[SEED:.+]] = quern.broadcast
// CHECK: %[[G:.+]] = quern.mul %[[SEED]], %[[T]]
// CHECK: %[[GP:.+]] = quern.mul %[[G]], %[[P]]
// CHECK: %[[DOT:.+]] = quern.reduce_sum %[[GP]] axes = [1] : tensor<2x3xf32> -> tensor<2xf32>
// CHECK: %[[DOT_ROWS:.+]] = quern.reshape %[[DOT]] : tensor<2xf32> -> tensor<2x1xf32>
// CHECK: %[[DOT_SPREAD:.+]] = quern.broadcast %[[DOT_ROWS]] : tensor<2x1xf32> -> tensor<2x3xf32>
// CHECK: %[[CENTRED:.+]] = quern.sub %[[G]], %[[DOT_SPREAD]]
// CHECK: %[[DW:.+]] = quern.mul %[[P]], %[[CENTRED]]
// CHECK: quern.sgd_update %[[W]], %[[DW]], %[[LR]]
module @softmax {
func.func @forward(%w: tensor<2x3xf32> {quern.param = {name = "w", trainable = true}}, %t: tensor<2x3xf32>) -> tensor<f32> {
  %0 = quern.softmax %w axis = 1 : tensor<2x3xf32>
  %1 = quern.mul %0, %t : tensor<2x3xf32>
  %2 = quern.reduce_sum %1 axes = [0, 1] : tensor<2x3xf32> -> tensor<f32>
  return %2 : tensor<f32>
}
}

// -----

// dx = g - exp(r) * sum(g) along the axis, with r the forward result.
// CHECK-LABEL: module @log_softmax
// CHECK: func.func @train_step(%[[LR:[^:]+]]: tensor<f32> {quern.name = "lr"}, %[[W:[^:]+]]: tensor<2x3xf32> {{.+}}, %[[T:[^:]+]]: tensor<2x3xf32>
// CHECK: %[[R:.+]] = quern.log_softmax %[[W]] axis = 1
// CHECK: %[[SEED:.+]] = quern.broadcast
// CHECK: %[[G:.+]] = quern.mul %[[SEED]], %[[T]]
// CHECK: %[[P:.+]] = quern.exp %[[R]]
// CHECK: %[[SUM:.+]] = quern.reduce_sum %[[G]] axes = [1] : tensor<2x3xf32> -> tensor<2xf32>
// CHECK: %[[SUM_ROWS:.+]] = quern.reshape %[[SUM]] : tensor<2xf32> -> tensor<2x1xf32>
// CHECK: %[[SUM_SPREAD:.+]] = quern.broadcast %[[SUM_ROWS]] : tensor<2x1xf32> -> tensor<2x3xf32>
// CHECK: %[[SHARE:.+]] = quern.mul %[[P]], %[[SUM_SPREAD]]
// CHECK: %[[DW:.+]] = quern.sub %[[G]], %[[SHARE]]
// CHECK: quern.sgd_update %[[W]], %[[DW]], %[[LR]]
module @log_softmax {
func.func @forward(%w: tensor<2x3xf32> {quern.param = {name = "w", trainable = true}}, %t: tensor<2x3xf32>) -> tensor<f32> {
  %0 = quern.log_softmax %w axis = 1 : tensor<2x3xf32>
  %1 = quern.mul %0, %t : tensor<2x3xf32>
  %2 = quern.reduce_sum %1 axes = [0, 1] : tensor<2x3xf32> -> tensor<f32>
  return %2 : tensor<f32>
}
}

// -----

// From the saved statistics, xhat = (x - mean) * inv_std and, with
// dxhat = g * scale and means over the normalized dimensions (here the last,
// of 4), dx = inv_std * (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat));
// dscale = sum(g * xhat) and dbias = sum(g) over the other dimensions.
// CHECK-LABEL: module @layer_norm
// CHECK: func.func @train_step(%[[LR:[^:]+]]: tensor<f32> {quern.name = "lr"}, %[[X:[^:]+]]: tensor<2x3x4xf32> {{.+}}, %[[S:[^:]+]]: tensor<4xf32> {{.+}}, %[[B:[^:]+]]: tensor<4xf32> {{.+}}, %[[T:[^:]+]]: tensor<2x3x4xf32>
// CHECK: %{{.+}}, %[[MEAN:.+]], %[[INV_STD:.+]] = quern.layer_norm %[[X]], %[[S]], %[[B]]
// CHECK: %[[SEED:.+]] = quern.broadcast
// CHECK: %[[G:.+]] = quern.mul %[[SEED]], %[[T]]
// CHECK: %[[MEAN_SPREAD:.+]] = quern.broadcast %[[MEAN]] : tensor<2x3x1xf32> -> tensor<2x3x4xf32>
// CHECK: %[[INV_STD_SPREAD:.+]] = quern.broadcast %[[INV_STD]] : tensor<2x3x1xf32> -> tensor<2x3x4xf32>
// CHECK: %[[CENTRED_X:.+]] = quern.sub %[[X]], %[[MEAN_SPREAD]]
// CHECK: %[[XHAT:.+]] = quern.mul %[[CENTRED_X]], %[[INV_STD_SPREAD]]
// CHECK: %[[SCALE:.+]] = quern.broadcast %[[S]] : tensor<4xf32> -> tensor<2x3x4xf32>
// CHECK: %[[DXHAT:.+]] = quern.mul %[[G]], %[[SCALE]]
// CHECK: %[[SUM1:.+]] = quern.reduce_sum %[[DXHAT]] axes = [2] : tensor<2x3x4xf32> -> tensor<2x3xf32>
// CHECK: %[[SUM1_KEPT:.+]] = quern.reshape %[[SUM1]] : tensor<2x3xf32> -> tensor<2x3x1xf32>
// CHECK: %[[SUM1_SPREAD:.+]] = quern.broadcast %[[SUM1_KEPT]]
// CHECK: %[[QUARTER1:.+]] = quern.constant dense<2.500000e-01> : tensor<2x3x4xf32>
// CHECK: %[[MEAN1:.+]] = quern.mul %[[SUM1_SPREAD]], %[[QUARTER1]]
// CHECK: %[[DIFF1:.+]] = quern.sub %[[DXHAT]], %[[MEAN1]]
// CHECK: %[[PRODUCT:.+]] = quern.mul %[[DXHAT]], %[[XHAT]]
// CHECK: %[[SUM2:.+]] = quern.reduce_sum %[[PRODUCT]] axes = [2] : tensor<2x3x4xf32> -> tensor<2x3xf32>
// CHECK: %[[SUM2_KEPT:.+]] = quern.reshape %[[SUM2]] : tensor<2x3xf32> -> tensor<2x3x1xf32>
// CHECK: %[[SUM2_SPREAD:.+]] = quern.broadcast %[[SUM2_KEPT]]
// CHECK: %[[QUARTER2:.+]] = quern.constant dense<2.500000e-01> : tensor<2x3x4xf32>
// CHECK: %[[MEAN2:.+]] = quern.mul %[[SUM2_SPREAD]], %[[QUARTER2]]
// CHECK: %[[PROJECTION:.+]] = quern.mul %[[XHAT]], %[[MEAN2]]
// CHECK: %[[DIFF2:.+]] = quern.sub %[[DIFF1]], %[[PROJECTION]]
// CHECK: %[[DX:.+]] = quern.mul %[[INV_STD_SPREAD]], %[[DIFF2]]
// CHECK: %[[G_XHAT:.+]] = quern.mul %[[G]], %[[XHAT]]
// CHECK: %[[DS:.+]] = quern.reduce_sum %[[G_XHAT]] axes = [0, 1] : tensor<2x3x4xf32> -> tensor<4xf32>
// CHECK: %[[DB:.+]] = quern.reduce_sum %[[G]] axes = [0, 1] : tensor<2x3x4xf32> -> tensor<4xf32>
// CHECK: quern.sgd_update %[[X]], %[[DX]], %[[LR]]
// CHECK: quern.sgd_update %[[S]], %[[DS]], %[[LR]]
// CHECK: quern.sgd_update %[[B]], %[[DB]], %[[LR]]
module @layer_norm {
func.func @forward(%x: tensor<2x3x4xf32> {quern.param = {name = "x", trainable = true}}, %s: tensor<4xf32> {quern.param = {name = "s", trainable = true}}, %b: tensor<4xf32> {quern.param = {name = "b", trainable = true}}, %t: tensor<2x3x4xf32>) -> tensor<f32> {
  %0, %1, %2 = quern.layer_norm %x, %s, %b axis = 2 epsilon = 1.000000e-05 : (tensor<2x3x4xf32>, tensor<4xf32>, tensor<4xf32>) -> (tensor<2x3x4xf32>, tensor<2x3x1xf32>, tensor<2x3x1xf32>)
  %3 = quern.mul %0, %t : tensor<2x3x4xf32>
  %4 = quern.reduce_sum %3 axes = [0, 1, 2] : tensor<2x3x4xf32> -> tensor<f32>
  return %4 : tensor<f32>
}
}

// -----

// Normalized over the last two dimensions (12 elements), without a bias:
// the means are over axes [1, 2], the scale (3x4) sums over the batch only.
// CHECK-LABEL: module @layer_norm_two_axes_no_bias
// CHECK: func.func @train_step(%[[LR:[^:]+]]: tensor<f32> {quern.name = "lr"}, %[[X:[^:]+]]: tensor<2x3x4xf32> {{.+}}, %[[S:[^:]+]]: tensor<3x4xf32>
// CHECK: %{{.+}}, %{{.+}}, %[[INV_STD:.+]] = quern.layer_norm %[[X]], %[[S]] axis = 1
// CHECK: %[[INV_STD_SPREAD:.+]] = quern.broadcast %[[INV_STD]] : tensor<2x1x1xf32> -> tensor<2x3x4xf32>
// CHECK: quern.reduce_sum %{{.+}} axes = [1, 2] : tensor<2x3x4xf32> -> tensor<2xf32>
// CHECK: quern.constant dense<0.0833333358> : tensor<2x3x4xf32>
// CHECK: quern.reduce_sum %{{.+}} axes = [1, 2] : tensor<2x3x4xf32> -> tensor<2xf32>
// CHECK: quern.constant dense<0.0833333358> : tensor<2x3x4xf32>
// CHECK: %[[DX:.+]] = quern.mul %[[INV_STD_SPREAD]],
// CHECK: %[[DS:.+]] = quern.reduce_sum %{{.+}} axes = [0] : tensor<2x3x4xf32> -> tensor<3x4xf32>
// CHECK-NEXT: quern.sgd_update %[[X]], %[[DX]], %[[LR]]
// CHECK-NEXT: quern.sgd_update %[[S]], %[[DS]], %[[LR]]
module @layer_norm_two_axes_no_bias {
func.func @forward(%x: tensor<2x3x4xf32> {quern.param = {name = "x", trainable = true}}, %s: tensor<3x4xf32> {quern.param = {name = "s", trainable = true}}, %t: tensor<2x3x4xf32>) -> tensor<f32> {
  %0, %1, %2 = quern.layer_norm %x, %s axis = 1 epsilon = 1.000000e-05 : (tensor<2x3x4xf32>, tensor<3x4xf32>) -> (tensor<2x3x4xf32>, tensor<2x1x1xf32>, tensor<2x1x1xf32>)
  %3 = quern.mul %0, %t : tensor<2x3x4xf32>
  %4 = quern.reduce_sum %3 axes = [0, 1, 2] : tensor<2x3x4xf32> -> tensor<f32>
  return %4 : tensor<f32>
}
}

// -----

// d input[n, c] = -weight[c] * g / total where c is n's target, 0 elsewhere;
// the weight of an ignored target (and so its share of the total) is 0.
// CHECK-LABEL: module @nll_loss_mean
// CHECK: func.func @train_step(%[[LR:[^:]+]]: tensor<f32> {quern.name = "lr"}, %[[W:[^:]+]]: tensor<4x3xf32> {{.+}}, %[[Y:[^:]+]]: tensor<4xi64>, %[[C:[^:]+]]: tensor<3xf32>
// CHECK: %[[G:.+]] = quern.constant dense<1.000000e+00> : tensor<f32>
// CHECK: %[[CLASS_WEIGHT:.+]] = quern.gather %[[C]], %[[Y]] axis = 0 : (tensor<3xf32>, tensor<4xi64>) -> tensor<4xf32>
// CHECK: %[[IGNORE:.+]] = quern.constant dense<-1> : tensor<4xi64>
// CHECK: %[[IGNORED:.+]] = quern.compare eq, %[[Y]], %[[IGNORE]]
// CHECK: %[[ZEROS:.+]] = quern.constant dense<0.000000e+00> : tensor<4xf32>
// CHECK: %[[WEIGHT:.+]] = quern.select %[[IGNORED]], %[[ZEROS]], %[[CLASS_WEIGHT]]
// CHECK: %[[TOTAL:.+]] = quern.reduce_sum %[[WEIGHT]] axes = [0] : tensor<4xf32> -> tensor<f32>
// CHECK: %[[SHARE:.+]] = quern.div %[[G]], %[[TOTAL]]
// CHECK: %[[SHARES:.+]] = quern.broadcast %[[SHARE]] : tensor<f32> -> tensor<4xf32>
// CHECK: %[[WEIGHTED:.+]] = quern.mul %[[WEIGHT]], %[[SHARES]]
// CHECK: %[[PER_ROW:.+]] = quern.neg %[[WEIGHTED]]
// CHECK: %[[TARGET_COLUMN:.+]] = quern.reshape %[[Y]] : tensor<4xi64> -> tensor<4x1xi64>
// CHECK: %[[TARGETS:.+]] = quern.broadcast %[[TARGET_COLUMN]] : tensor<4x1xi64> -> tensor<4x3xi64>
// CHECK: %[[IDS:.+]] = quern.constant dense<[0, 1, 2]> : tensor<3xi64>
// CHECK: %[[ID_ROW:.+]] = quern.reshape %[[IDS]] : tensor<3xi64> -> tensor<1x3xi64>
// CHECK: %[[CLASSES:.+]] = quern.broadcast %[[ID_ROW]] : tensor<1x3xi64> -> tensor<4x3xi64>
// CHECK: %[[ONE_HOT:.+]] = quern.compare eq, %[[TARGETS]], %[[CLASSES]]
// CHECK: %[[PER_ROW_COLUMN:.+]] = quern.reshape %[[PER_ROW]] : tensor<4xf32> -> tensor<4x1xf32>
// CHECK: %[[SPREAD:.+]] = quern.broadcast %[[PER_ROW_COLUMN]] : tensor<4x1xf32> -> tensor<4x3xf32>
// CHECK: %[[ZERO:.+]] = quern.constant dense<0.000000e+00> : tensor<4x3xf32>
// CHECK: %[[DW:.+]] = quern.select %[[ONE_HOT]], %[[SPREAD]], %[[ZERO]]
// CHECK: quern.sgd_update %[[W]], %[[DW]], %[[LR]]
module @nll_loss_mean {
func.func @forward(%w: tensor<4x3xf32> {quern.param = {name = "w", trainable = true}}, %y: tensor<4xi64>, %c: tensor<3xf32>) -> tensor<f32> {
  %0 = quern.nll_loss %w, %y, %c reduction = mean ignore_index = -1 : (tensor<4x3xf32>, tensor<4xi64>, tensor<3xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}
}

// -----

// With extra dimensions ([N, C, d] against [N, d]), sum and i32 targets:
// every position gets -g at its target class.
// CHECK-LABEL: module @nll_loss_sum
// CHECK: func.func @train_step(%[[LR:[^:]+]]: tensor<f32> {quern.name = "lr"}, %[[W:[^:]+]]: tensor<4x3x2xf32> {{.+}}, %[[Y:[^:]+]]: tensor<4x2xi32>
// CHECK: %[[G:.+]] = quern.constant dense<1.000000e+00> : tensor<f32>
// CHECK: %[[WEIGHT:.+]] = quern.constant dense<1.000000e+00> : tensor<4x2xf32>
// CHECK: %[[SHARES:.+]] = quern.broadcast %[[G]] : tensor<f32> -> tensor<4x2xf32>
// CHECK: %[[WEIGHTED:.+]] = quern.mul %[[WEIGHT]], %[[SHARES]]
// CHECK: %[[PER_POSITION:.+]] = quern.neg %[[WEIGHTED]]
// CHECK: %[[TARGET_KEPT:.+]] = quern.reshape %[[Y]] : tensor<4x2xi32> -> tensor<4x1x2xi32>
// CHECK: %[[TARGETS:.+]] = quern.broadcast %[[TARGET_KEPT]] : tensor<4x1x2xi32> -> tensor<4x3x2xi32>
// CHECK: %[[IDS:.+]] = quern.constant dense<[0, 1, 2]> : tensor<3xi32>
// CHECK: %[[IDS_KEPT:.+]] = quern.reshape %[[IDS]] : tensor<3xi32> -> tensor<1x3x1xi32>
// CHECK: %[[CLASSES:.+]] = quern.broadcast %[[IDS_KEPT]] : tensor<1x3x1xi32> -> tensor<4x3x2xi32>
// CHECK: %[[ONE_HOT:.+]] = quern.compare eq, %[[TARGETS]], %[[CLASSES]]
// CHECK: %[[PER_POSITION_KEPT:.+]] = quern.reshape %[[PER_POSITION]] : tensor<4x2xf32> -> tensor<4x1x2xf32>
// CHECK: %[[SPREAD:.+]] = quern.broadcast %[[PER_POSITION_KEPT]] : tensor<4x1x2xf32> -> tensor<4x3x2xf32>
// CHECK: %[[ZERO:.+]] = quern.constant dense<0.000000e+00> : tensor<4x3x2xf32>
// CHECK: %[[DW:.+]] = quern.select %[[ONE_HOT]], %[[SPREAD]], %[[ZERO]]
// CHECK: quern.sgd_update %[[W]], %[[DW]], %[[LR]]
module @nll_loss_sum {
func.func @forward(%w: tensor<4x3x2xf32> {quern.param = {name = "w", trainable = true}}, %y: tensor<4x2xi32>) -> tensor<f32> {
  %0 = quern.nll_loss %w, %y reduction = sum : (tensor<4x3x2xf32>, tensor<4x2xi32>) -> tensor<f32>
  return %0 : tensor<f32>
}
}

// -----

// Without reduction, each position's loss has its own gradient g[n].
// CHECK-LABEL: module @nll_loss_none
// CHECK: func.func @train_step(%[[LR:[^:]+]]: tensor<f32> {quern.name = "lr"}, %[[W:[^:]+]]: tensor<4x3xf32> {{.+}}, %[[Y:[^:]+]]: tensor<4xi64>
// CHECK: %[[G:.+]] = quern.add
// CHECK: %[[WEIGHT:.+]] = quern.constant dense<1.000000e+00> : tensor<4xf32>
// CHECK: %[[WEIGHTED:.+]] = quern.mul %[[WEIGHT]], %[[G]]
// CHECK: %[[PER_ROW:.+]] = quern.neg %[[WEIGHTED]]
// CHECK: %[[ONE_HOT:.+]] = quern.compare eq
// CHECK: %[[PER_ROW_COLUMN:.+]] = quern.reshape %[[PER_ROW]] : tensor<4xf32> -> tensor<4x1xf32>
// CHECK: %[[SPREAD:.+]] = quern.broadcast %[[PER_ROW_COLUMN]] : tensor<4x1xf32> -> tensor<4x3xf32>
// CHECK: %[[ZERO:.+]] = quern.constant dense<0.000000e+00> : tensor<4x3xf32>
// CHECK: %[[DW:.+]] = quern.select %[[ONE_HOT]], %[[SPREAD]], %[[ZERO]]
// CHECK: quern.sgd_update %[[W]], %[[DW]], %[[LR]]
module @nll_loss_none {
func.func @forward(%w: tensor<4x3xf32> {quern.param = {name = "w", trainable = true}}, %y: tensor<4xi64>) -> tensor<f32> {
  %0 = quern.nll_loss %w, %y reduction = none : (tensor<4x3xf32>, tensor<4xi64>) -> tensor<4xf32>
  %1 = quern.mul %0, %0 : tensor<4xf32>
  %2 = quern.reduce_sum %1 axes = [0] : tensor<4xf32> -> tensor<f32>
  return %2 : tensor<f32>
}
}

// -----

// Trainable class weights: d weight[c] scatter-adds, over the positions
// whose target is c, -(input[n, c] + loss) * g / total (the mean's
// numerator and its division by the total weight), 0 where ignored.
// CHECK-LABEL: module @nll_loss_class_weights
// CHECK: func.func @train_step(%[[LR:[^:]+]]: tensor<f32> {quern.name = "lr"}, %[[X:[^:]+]]: tensor<4x3xf32> {{.+}}, %[[Y:[^:]+]]: tensor<4xi64>, %[[C:[^:]+]]: tensor<3xf32>
// CHECK: %[[LOSS:.+]] = quern.nll_loss %[[X]], %[[Y]], %[[C]]
// CHECK: %[[IGNORED:.+]] = quern.compare eq, %[[Y]], %{{.+}} : tensor<4xi64>
// CHECK: %[[SHARE:.+]] = quern.div
// CHECK: %[[SHARES:.+]] = quern.broadcast %[[SHARE]] : tensor<f32> -> tensor<4xf32>
// CHECK: %[[DX:.+]] = quern.select
// CHECK: %[[TARGET_COLUMN:.+]] = quern.reshape %[[Y]] : tensor<4xi64> -> tensor<4x1xi64>
// CHECK: %[[PICKED:.+]] = quern.gather_elements %[[X]], %[[TARGET_COLUMN]] axis = 1 : (tensor<4x3xf32>, tensor<4x1xi64>) -> tensor<4x1xf32>
// CHECK: %[[PICKED_ROW:.+]] = quern.reshape %[[PICKED]] : tensor<4x1xf32> -> tensor<4xf32>
// CHECK: %[[LOSSES:.+]] = quern.broadcast %[[LOSS]] : tensor<f32> -> tensor<4xf32>
// CHECK: %[[SUM:.+]] = quern.add %[[PICKED_ROW]], %[[LOSSES]]
// CHECK: %[[SCALED:.+]] = quern.mul %[[SUM]], %[[SHARES]]
// CHECK: %[[TERMS:.+]] = quern.neg %[[SCALED]]
// CHECK: %[[ZEROS:.+]] = quern.constant dense<0.000000e+00> : tensor<4xf32>
// CHECK: %[[COUNTED:.+]] = quern.select %[[IGNORED]], %[[ZEROS]], %[[TERMS]]
// CHECK: %[[ZERO:.+]] = quern.constant dense<0.000000e+00> : tensor<3xf32>
// CHECK: %[[DC:.+]] = quern.scatter_elements %[[ZERO]], %[[Y]], %[[COUNTED]] axis = 0 reduction = add
// CHECK: quern.sgd_update %[[X]], %[[DX]], %[[LR]]
// CHECK: quern.sgd_update %[[C]], %[[DC]], %[[LR]]
module @nll_loss_class_weights {
func.func @forward(%x: tensor<4x3xf32> {quern.param = {name = "x", trainable = true}}, %y: tensor<4xi64>, %c: tensor<3xf32> {quern.param = {name = "c", trainable = true}}) -> tensor<f32> {
  %0 = quern.nll_loss %x, %y, %c reduction = mean ignore_index = -1 : (tensor<4x3xf32>, tensor<4xi64>, tensor<3xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}
}
