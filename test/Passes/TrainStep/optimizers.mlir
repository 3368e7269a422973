// RUN: quern-opt %s --quern-make-train-step=optimizer=sgd | FileCheck %s --check-prefixes=CHECK,SGD
// RUN: quern-opt %s --quern-make-train-step=optimizer=momentum | FileCheck %s --check-prefixes=CHECK,MOMENTUM
// RUN: quern-opt %s --quern-make-train-step=optimizer=nesterov | FileCheck %s --check-prefixes=CHECK,NESTEROV
// RUN: quern-opt %s --quern-make-train-step=optimizer=adam | FileCheck %s --check-prefixes=CHECK,ADAM
// RUN: quern-opt %s --quern-make-train-step=optimizer=adamw | FileCheck %s --check-prefixes=CHECK,ADAMW
// RUN: quern-opt %s --quern-make-train-step=optimizer=adagrad | FileCheck %s --check-prefixes=CHECK,ADAGRAD
// RUN: quern-opt %s --quern-make-train-step="optimizer=nesterov momentum=0.5 weight-decay=0.1" | FileCheck %s --check-prefix=NESTEROV-OPTIONS
// RUN: quern-opt %s --quern-make-train-step="optimizer=adam beta1=0.8 beta2=0.99 eps=1e-6 weight-decay=0.1" | FileCheck %s --check-prefix=ADAM-OPTIONS
// RUN: quern-opt %s --quern-make-train-step="optimizer=adamw weight-decay=0" | FileCheck %s --check-prefix=ADAMW-OPTIONS
// RUN: quern-opt %s --quern-make-train-step="optimizer=adagrad eps=1e-5 weight-decay=0.2" | FileCheck %s --check-prefix=ADAGRAD-OPTIONS

// The layout of @train_step for each optimizer: the inputs of @forward,
// then lr, then the parameters, then each trainable parameter's optimizer
// state (named after it), then the step counter. Every updated argument is
// writable and its new value is a result carrying `quern.updates` with the
// argument's index; results are the loss, the other outputs, then the
// updates in argument order of the parameters, each followed by its state.
// The frozen parameter f has no state, no update and is not writable.

// @forward stays as it was.
// CHECK-LABEL: func.func @forward
// CHECK-SAME: -> (tensor<2x4xf32> {quern.name = "y"}, tensor<f32> {quern.name = "loss"})
// CHECK-NOT: update

// CHECK-LABEL: func.func @train_step
// CHECK-SAME: (%[[X:[^:]+]]: tensor<2x3xf32> {quern.name = "x"},
// CHECK-SAME: %[[LR:[^:]+]]: tensor<f32> {quern.name = "lr"},
// CHECK-SAME: %[[W:[^:]+]]: tensor<3x4xf32> {bufferization.writable = true, quern.param = {name = "w", trainable = true}},
// CHECK-SAME: %[[F:[^:]+]]: tensor<4xf32> {quern.param = {name = "f", trainable = false}},
// CHECK-SAME: %[[B:[^:]+]]: tensor<4xf32> {bufferization.writable = true, quern.param = {name = "b", trainable = true}},

// SGD-SAME: %[[STEP:[^:]+]]: tensor<i64> {bufferization.writable = true, quern.state = {name = "step", role = "optimizer"}})
// SGD-SAME: -> (tensor<f32> {quern.name = "loss"}, tensor<2x4xf32> {quern.name = "y"},
// SGD-SAME: tensor<3x4xf32> {quern.updates = 2 : i64}, tensor<4xf32> {quern.updates = 4 : i64},
// SGD-SAME: tensor<i64> {quern.updates = 5 : i64})
// SGD: %[[Y:.+]] = quern.mul
// SGD: %[[LOSS:.+]] = quern.reduce_sum %[[Y]]
// SGD: %[[NEW_W:.+]] = quern.sgd_update %[[W]], %{{.+}}, %[[LR]] momentum = 0.000000e+00 weight_decay = 0.000000e+00 :
// SGD: %[[NEW_B:.+]] = quern.sgd_update %[[B]], %{{.+}}, %[[LR]] momentum = 0.000000e+00 weight_decay = 0.000000e+00 :
// SGD: %[[ONE:.+]] = quern.constant dense<1> : tensor<i64>
// SGD: %[[NEW_STEP:.+]] = quern.add %[[STEP]], %[[ONE]] : tensor<i64>
// SGD: return %[[LOSS]], %[[Y]], %[[NEW_W]], %[[NEW_B]], %[[NEW_STEP]] :

// MOMENTUM-SAME: %[[WBUF:[^:]+]]: tensor<3x4xf32> {bufferization.writable = true, quern.state = {name = "w.momentum_buffer", role = "optimizer"}},
// MOMENTUM-SAME: %[[BBUF:[^:]+]]: tensor<4xf32> {bufferization.writable = true, quern.state = {name = "b.momentum_buffer", role = "optimizer"}},
// MOMENTUM-SAME: %[[STEP:[^:]+]]: tensor<i64> {bufferization.writable = true, quern.state = {name = "step", role = "optimizer"}})
// MOMENTUM-SAME: -> (tensor<f32> {quern.name = "loss"}, tensor<2x4xf32> {quern.name = "y"},
// MOMENTUM-SAME: tensor<3x4xf32> {quern.updates = 2 : i64}, tensor<3x4xf32> {quern.updates = 5 : i64},
// MOMENTUM-SAME: tensor<4xf32> {quern.updates = 4 : i64}, tensor<4xf32> {quern.updates = 6 : i64},
// MOMENTUM-SAME: tensor<i64> {quern.updates = 7 : i64})
// MOMENTUM: %[[Y:.+]] = quern.mul
// MOMENTUM: %[[LOSS:.+]] = quern.reduce_sum %[[Y]]
// MOMENTUM: %[[NEW_W:.+]], %[[NEW_WBUF:.+]] = quern.sgd_update %[[W]], %{{.+}}, %[[LR]] buffer(%[[WBUF]] : tensor<3x4xf32>) momentum = 9.000000e-01 weight_decay = 0.000000e+00 :
// MOMENTUM: %[[NEW_B:.+]], %[[NEW_BBUF:.+]] = quern.sgd_update %[[B]], %{{.+}}, %[[LR]] buffer(%[[BBUF]] : tensor<4xf32>) momentum = 9.000000e-01 weight_decay = 0.000000e+00 :
// MOMENTUM: %[[NEW_STEP:.+]] = quern.add %[[STEP]],
// MOMENTUM: return %[[LOSS]], %[[Y]], %[[NEW_W]], %[[NEW_WBUF]], %[[NEW_B]], %[[NEW_BBUF]], %[[NEW_STEP]] :

// NESTEROV-SAME: %[[WBUF:[^:]+]]: tensor<3x4xf32> {bufferization.writable = true, quern.state = {name = "w.momentum_buffer", role = "optimizer"}},
// NESTEROV-SAME: %[[BBUF:[^:]+]]: tensor<4xf32> {bufferization.writable = true, quern.state = {name = "b.momentum_buffer", role = "optimizer"}},
// NESTEROV-SAME: %[[STEP:[^:]+]]: tensor<i64> {bufferization.writable = true, quern.state = {name = "step", role = "optimizer"}})
// NESTEROV-SAME: -> (tensor<f32> {quern.name = "loss"}, tensor<2x4xf32> {quern.name = "y"},
// NESTEROV-SAME: tensor<3x4xf32> {quern.updates = 2 : i64}, tensor<3x4xf32> {quern.updates = 5 : i64},
// NESTEROV-SAME: tensor<4xf32> {quern.updates = 4 : i64}, tensor<4xf32> {quern.updates = 6 : i64},
// NESTEROV-SAME: tensor<i64> {quern.updates = 7 : i64})
// NESTEROV: %[[Y:.+]] = quern.mul
// NESTEROV: %[[LOSS:.+]] = quern.reduce_sum %[[Y]]
// NESTEROV: %[[NEW_W:.+]], %[[NEW_WBUF:.+]] = quern.sgd_update %[[W]], %{{.+}}, %[[LR]] buffer(%[[WBUF]] : tensor<3x4xf32>) momentum = 9.000000e-01 nesterov weight_decay = 0.000000e+00 :
// NESTEROV: %[[NEW_B:.+]], %[[NEW_BBUF:.+]] = quern.sgd_update %[[B]], %{{.+}}, %[[LR]] buffer(%[[BBUF]] : tensor<4xf32>) momentum = 9.000000e-01 nesterov weight_decay = 0.000000e+00 :
// NESTEROV: %[[NEW_STEP:.+]] = quern.add %[[STEP]],
// NESTEROV: return %[[LOSS]], %[[Y]], %[[NEW_W]], %[[NEW_WBUF]], %[[NEW_B]], %[[NEW_BBUF]], %[[NEW_STEP]] :

// Adam and AdamW read the step counter (for the bias corrections); Adam's
// weight decay (default 0) is added to the gradient, AdamW's (default 0.01)
// is decoupled.
// ADAM-SAME: %[[WM:[^:]+]]: tensor<3x4xf32> {bufferization.writable = true, quern.state = {name = "w.exp_avg", role = "optimizer"}},
// ADAM-SAME: %[[WV:[^:]+]]: tensor<3x4xf32> {bufferization.writable = true, quern.state = {name = "w.exp_avg_sq", role = "optimizer"}},
// ADAM-SAME: %[[BM:[^:]+]]: tensor<4xf32> {bufferization.writable = true, quern.state = {name = "b.exp_avg", role = "optimizer"}},
// ADAM-SAME: %[[BV:[^:]+]]: tensor<4xf32> {bufferization.writable = true, quern.state = {name = "b.exp_avg_sq", role = "optimizer"}},
// ADAM-SAME: %[[STEP:[^:]+]]: tensor<i64> {bufferization.writable = true, quern.state = {name = "step", role = "optimizer"}})
// ADAM-SAME: -> (tensor<f32> {quern.name = "loss"}, tensor<2x4xf32> {quern.name = "y"},
// ADAM-SAME: tensor<3x4xf32> {quern.updates = 2 : i64}, tensor<3x4xf32> {quern.updates = 5 : i64}, tensor<3x4xf32> {quern.updates = 6 : i64},
// ADAM-SAME: tensor<4xf32> {quern.updates = 4 : i64}, tensor<4xf32> {quern.updates = 7 : i64}, tensor<4xf32> {quern.updates = 8 : i64},
// ADAM-SAME: tensor<i64> {quern.updates = 9 : i64})
// ADAM: %[[Y:.+]] = quern.mul
// ADAM: %[[LOSS:.+]] = quern.reduce_sum %[[Y]]
// ADAM: %[[NEW_W:.+]], %[[NEW_WM:.+]], %[[NEW_WV:.+]] = quern.adam_update %[[W]], %{{.+}}, %[[WM]], %[[WV]], %[[LR]], %[[STEP]] beta1 = 9.000000e-01 beta2 = 0.99899999999999999 eps = 1.000000e-08 weight_decay = 0.000000e+00 :
// ADAM: %[[NEW_B:.+]], %[[NEW_BM:.+]], %[[NEW_BV:.+]] = quern.adam_update %[[B]], %{{.+}}, %[[BM]], %[[BV]], %[[LR]], %[[STEP]] beta1 = 9.000000e-01 beta2 = 0.99899999999999999 eps = 1.000000e-08 weight_decay = 0.000000e+00 :
// ADAM: %[[NEW_STEP:.+]] = quern.add %[[STEP]],
// ADAM: return %[[LOSS]], %[[Y]], %[[NEW_W]], %[[NEW_WM]], %[[NEW_WV]], %[[NEW_B]], %[[NEW_BM]], %[[NEW_BV]], %[[NEW_STEP]] :

// ADAMW-SAME: %[[WM:[^:]+]]: tensor<3x4xf32> {bufferization.writable = true, quern.state = {name = "w.exp_avg", role = "optimizer"}},
// ADAMW-SAME: %[[WV:[^:]+]]: tensor<3x4xf32> {bufferization.writable = true, quern.state = {name = "w.exp_avg_sq", role = "optimizer"}},
// ADAMW-SAME: %[[BM:[^:]+]]: tensor<4xf32> {bufferization.writable = true, quern.state = {name = "b.exp_avg", role = "optimizer"}},
// ADAMW-SAME: %[[BV:[^:]+]]: tensor<4xf32> {bufferization.writable = true, quern.state = {name = "b.exp_avg_sq", role = "optimizer"}},
// ADAMW-SAME: %[[STEP:[^:]+]]: tensor<i64> {bufferization.writable = true, quern.state = {name = "step", role = "optimizer"}})
// ADAMW-SAME: -> (tensor<f32> {quern.name = "loss"}, tensor<2x4xf32> {quern.name = "y"},
// ADAMW-SAME: tensor<3x4xf32> {quern.updates = 2 : i64}, tensor<3x4xf32> {quern.updates = 5 : i64}, tensor<3x4xf32> {quern.updates = 6 : i64},
// ADAMW-SAME: tensor<4xf32> {quern.updates = 4 : i64}, tensor<4xf32> {quern.updates = 7 : i64}, tensor<4xf32> {quern.updates = 8 : i64},
// ADAMW-SAME: tensor<i64> {quern.updates = 9 : i64})
// ADAMW: %[[Y:.+]] = quern.mul
// ADAMW: %[[LOSS:.+]] = quern.reduce_sum %[[Y]]
// ADAMW: %[[NEW_W:.+]], %[[NEW_WM:.+]], %[[NEW_WV:.+]] = quern.adam_update %[[W]], %{{.+}}, %[[WM]], %[[WV]], %[[LR]], %[[STEP]] beta1 = 9.000000e-01 beta2 = 0.99899999999999999 eps = 1.000000e-08 weight_decay = 1.000000e-02 decoupled :
// ADAMW: %[[NEW_B:.+]], %[[NEW_BM:.+]], %[[NEW_BV:.+]] = quern.adam_update %[[B]], %{{.+}}, %[[BM]], %[[BV]], %[[LR]], %[[STEP]] beta1 = 9.000000e-01 beta2 = 0.99899999999999999 eps = 1.000000e-08 weight_decay = 1.000000e-02 decoupled :
// ADAMW: %[[NEW_STEP:.+]] = quern.add %[[STEP]],
// ADAMW: return %[[LOSS]], %[[Y]], %[[NEW_W]], %[[NEW_WM]], %[[NEW_WV]], %[[NEW_B]], %[[NEW_BM]], %[[NEW_BV]], %[[NEW_STEP]] :

// ADAGRAD-SAME: %[[WSUM:[^:]+]]: tensor<3x4xf32> {bufferization.writable = true, quern.state = {name = "w.sum", role = "optimizer"}},
// ADAGRAD-SAME: %[[BSUM:[^:]+]]: tensor<4xf32> {bufferization.writable = true, quern.state = {name = "b.sum", role = "optimizer"}},
// ADAGRAD-SAME: %[[STEP:[^:]+]]: tensor<i64> {bufferization.writable = true, quern.state = {name = "step", role = "optimizer"}})
// ADAGRAD-SAME: -> (tensor<f32> {quern.name = "loss"}, tensor<2x4xf32> {quern.name = "y"},
// ADAGRAD-SAME: tensor<3x4xf32> {quern.updates = 2 : i64}, tensor<3x4xf32> {quern.updates = 5 : i64},
// ADAGRAD-SAME: tensor<4xf32> {quern.updates = 4 : i64}, tensor<4xf32> {quern.updates = 6 : i64},
// ADAGRAD-SAME: tensor<i64> {quern.updates = 7 : i64})
// ADAGRAD: %[[Y:.+]] = quern.mul
// ADAGRAD: %[[LOSS:.+]] = quern.reduce_sum %[[Y]]
// ADAGRAD: %[[NEW_W:.+]], %[[NEW_WSUM:.+]] = quern.adagrad_update %[[W]], %{{.+}}, %[[WSUM]], %[[LR]] eps = 1.000000e-10 weight_decay = 0.000000e+00 :
// ADAGRAD: %[[NEW_B:.+]], %[[NEW_BSUM:.+]] = quern.adagrad_update %[[B]], %{{.+}}, %[[BSUM]], %[[LR]] eps = 1.000000e-10 weight_decay = 0.000000e+00 :
// ADAGRAD: %[[NEW_STEP:.+]] = quern.add %[[STEP]],
// ADAGRAD: return %[[LOSS]], %[[Y]], %[[NEW_W]], %[[NEW_WSUM]], %[[NEW_B]], %[[NEW_BSUM]], %[[NEW_STEP]] :

// The hyper-parameter options reach the update ops.
// NESTEROV-OPTIONS: quern.sgd_update {{.+}} momentum = 5.000000e-01 nesterov weight_decay = 1.000000e-01 :
// ADAM-OPTIONS: quern.adam_update {{.+}} beta1 = 8.000000e-01 beta2 = 0.98999999999999999 eps = 9.9999999999999995E-7 weight_decay = 1.000000e-01 :
// ADAMW-OPTIONS: quern.adam_update {{.+}} weight_decay = 0.000000e+00 decoupled :
// ADAGRAD-OPTIONS: quern.adagrad_update {{.+}} eps = 1.000000e-05 weight_decay = 2.000000e-01 :

func.func @forward(%x: tensor<2x3xf32> {quern.name = "x"},
                   %w: tensor<3x4xf32> {quern.param = {name = "w", trainable = true}},
                   %f: tensor<4xf32> {quern.param = {name = "f", trainable = false}},
                   %b: tensor<4xf32> {quern.param = {name = "b", trainable = true}})
    -> (tensor<2x4xf32> {quern.name = "y"}, tensor<f32> {quern.name = "loss"}) {
  %0 = quern.matmul %x, %w bias(%b : tensor<4xf32>) : tensor<2x3xf32>, tensor<3x4xf32> -> tensor<2x4xf32>
  %1 = quern.broadcast %f : tensor<4xf32> -> tensor<2x4xf32>
  %2 = quern.mul %0, %1 : tensor<2x4xf32>
  %3 = quern.reduce_sum %2 axes = [0, 1] : tensor<2x4xf32> -> tensor<f32>
  return %2, %3 : tensor<2x4xf32>, tensor<f32>
}
