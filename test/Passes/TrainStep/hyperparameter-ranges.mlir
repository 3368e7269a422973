// The pass checks its hyper-parameter options against the ranges PyTorch's
// optimizers accept (passes/TrainStep/Optimizers.h, the check quernc's flags
// use too); -1, the default of each, means "the optimizer's default".
// RUN: quern-opt %s -verify-diagnostics --quern-make-train-step="optimizer=adam beta1=1"
// RUN: quern-opt %s -verify-diagnostics --quern-make-train-step="optimizer=adam beta2=-0.5"
// RUN: quern-opt %s -verify-diagnostics --quern-make-train-step="optimizer=adagrad eps=0"
// RUN: quern-opt %s -verify-diagnostics --quern-make-train-step="optimizer=momentum momentum=1.5"
// RUN: quern-opt %s -verify-diagnostics --quern-make-train-step="optimizer=sgd weight-decay=nan"
// RUN: quern-opt %s -verify-diagnostics --quern-make-train-step="optimizer=sgd clip-grad-norm=-1"
// RUN: quern-opt %s --quern-make-train-step="optimizer=adam beta1=0 beta2=0.5 eps=1e-3 weight-decay=0 clip-grad-norm=0" | FileCheck %s

// expected-error-re @+1 {{option {{beta1: 1 is outside \[0, 1\)|beta2: -0.5 is outside \[0, 1\)|eps: 0 is outside \(0, inf\)|momentum: 1.5 is outside \[0, 1\)|weight-decay: nan is outside \[0, inf\)|clip-grad-norm: -1 is outside \[0, inf\)}}}}
module {
func.func @forward(%w: tensor<4xf32> {quern.param = {name = "w", trainable = true}}) -> tensor<f32> {
  %0 = quern.reduce_sum %w axes = [0] : tensor<4xf32> -> tensor<f32>
  return %0 : tensor<f32>
}
}

// CHECK: quern.adam_update {{.*}} beta1 = 0.000000e+00 beta2 = 5.000000e-01 eps = 1.000000e-03
