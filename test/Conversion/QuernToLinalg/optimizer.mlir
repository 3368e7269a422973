// RUN: quern-opt %s --convert-quern-to-linalg -split-input-file | FileCheck %s

// Every update is one generic whose outputs are the parameter and its state
// themselves (updated in place once bufferized); the gradient and the
// scalars are inputs.

// AdamW: the learning rate and the bias corrections become two scalars
// computed once, before the loop (lr / (1 - beta1^t), 1 / sqrt(1 - beta2^t),
// t = step + 1), and the decoupled decay a factor 1 - lr * decay. Per
// element: one square root and one division.
// CHECK-LABEL: func.func @adamw(
// CHECK-SAME: %[[W:[^:]+]]: tensor<4x8xf32>, %[[G:[^:]+]]: tensor<4x8xf32>, %[[M:[^:]+]]: tensor<4x8xf32>, %[[V:[^:]+]]: tensor<4x8xf32>, %[[LR:[^:]+]]: tensor<f32>, %[[STEP:[^:]+]]: tensor<i64>)
// CHECK-DAG: %[[RATE:.+]] = tensor.extract %[[LR]][]
// CHECK-DAG: %[[T:.+]] = tensor.extract %[[STEP]][]
// CHECK: %[[T1:.+]] = arith.addi %[[T]], %{{.+}} : i64
// CHECK: %[[TF:.+]] = arith.sitofp %[[T1]] : i64 to f32
// CHECK: %[[P1:.+]] = math.powf %{{.+}}, %[[TF]] : f32
// CHECK: %[[C1:.+]] = arith.subf %{{.+}}, %[[P1]] : f32
// CHECK: %[[STEPSIZE:.+]] = arith.divf %[[RATE]], %[[C1]] : f32
// CHECK: %[[P2:.+]] = math.powf %{{.+}}, %[[TF]] : f32
// CHECK: %[[C2:.+]] = arith.subf %{{.+}}, %[[P2]] : f32
// CHECK: %[[ROOT:.+]] = math.sqrt %[[C2]] : f32
// CHECK: %[[INVROOT:.+]] = arith.divf %{{.+}}, %[[ROOT]] : f32
// CHECK: %[[DECAY:.+]] = arith.subf
// CHECK: %[[NEW:.+]]:3 = linalg.generic
// CHECK-SAME: ins(%[[G]] : tensor<4x8xf32>) outs(%[[W]], %[[M]], %[[V]] :
// CHECK: ^bb0(%[[GI:.+]]: f32, %[[WI:.+]]: f32, %[[MI:.+]]: f32, %[[VI:.+]]: f32):
// CHECK: %[[WD:.+]] = arith.mulf %[[WI]], %[[DECAY]]
// CHECK: %[[MN:.+]] = arith.addf
// CHECK: %[[VN:.+]] = arith.addf
// CHECK: %[[SQ:.+]] = math.sqrt %[[VN]]
// CHECK: %[[SCALED:.+]] = arith.mulf %[[SQ]], %[[INVROOT]]
// CHECK: %[[DEN:.+]] = arith.addf %[[SCALED]],
// CHECK: %[[RATIO:.+]] = arith.divf %[[MN]], %[[DEN]]
// CHECK: %[[UPD:.+]] = arith.mulf %[[STEPSIZE]], %[[RATIO]]
// CHECK: %[[WN:.+]] = arith.subf %[[WD]], %[[UPD]]
// CHECK: linalg.yield %[[WN]], %[[MN]], %[[VN]]
// CHECK: return %[[NEW]]#0, %[[NEW]]#1, %[[NEW]]#2
func.func @adamw(%w: tensor<4x8xf32>, %g: tensor<4x8xf32>, %m: tensor<4x8xf32>, %v: tensor<4x8xf32>, %lr: tensor<f32>, %step: tensor<i64>) -> (tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>) {
  %0:3 = quern.adam_update %w, %g, %m, %v, %lr, %step beta1 = 0.9 beta2 = 0.999 eps = 1.0e-8 weight_decay = 0.01 decoupled : tensor<4x8xf32>, tensor<f32>, tensor<i64>
  return %0#0, %0#1, %0#2 : tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>
}

// -----

// SGD with Nesterov momentum: buffer = mu * buffer + g; the step is
// lr * (g + mu * buffer).
// CHECK-LABEL: func.func @sgd_nesterov(
// CHECK-SAME: %[[W:[^:]+]]: tensor<4x8xf32>, %[[G:[^:]+]]: tensor<4x8xf32>, %[[LR:[^:]+]]: tensor<f32>, %[[BUF:[^:]+]]: tensor<4x8xf32>)
// CHECK: linalg.generic
// CHECK-SAME: ins(%[[G]], %[[LR]] : tensor<4x8xf32>, tensor<f32>) outs(%[[W]], %[[BUF]] :
// CHECK: ^bb0(%[[GI:.+]]: f32, %[[RATE:.+]]: f32, %[[WI:.+]]: f32, %[[BI:.+]]: f32):
// CHECK: %[[MB:.+]] = arith.mulf %[[MU:.+]], %[[BI]]
// CHECK: %[[BN:.+]] = arith.addf %[[MB]], %[[GI]]
// CHECK: %[[LOOK:.+]] = arith.mulf %[[MU]], %[[BN]]
// CHECK: %[[DIR:.+]] = arith.addf %[[GI]], %[[LOOK]]
// CHECK: %[[UPD:.+]] = arith.mulf %[[RATE]], %[[DIR]]
// CHECK: %[[WN:.+]] = arith.subf %[[WI]], %[[UPD]]
// CHECK: linalg.yield %[[WN]], %[[BN]]
func.func @sgd_nesterov(%w: tensor<4x8xf32>, %g: tensor<4x8xf32>, %lr: tensor<f32>, %buf: tensor<4x8xf32>) -> (tensor<4x8xf32>, tensor<4x8xf32>) {
  %0:2 = quern.sgd_update %w, %g, %lr buffer(%buf : tensor<4x8xf32>) momentum = 0.9 nesterov weight_decay = 0.0 : tensor<4x8xf32>, tensor<f32>, buffer tensor<4x8xf32>
  return %0#0, %0#1 : tensor<4x8xf32>, tensor<4x8xf32>
}

// -----

// Adagrad: sum += g * g; the step is lr * g / (sqrt(sum) + eps).
// CHECK-LABEL: func.func @adagrad(
// CHECK-SAME: %[[W:[^:]+]]: tensor<4x8xf32>, %[[G:[^:]+]]: tensor<4x8xf32>, %[[SUM:[^:]+]]: tensor<4x8xf32>, %[[LR:[^:]+]]: tensor<f32>)
// CHECK: linalg.generic
// CHECK-SAME: ins(%[[G]], %[[LR]] : tensor<4x8xf32>, tensor<f32>) outs(%[[W]], %[[SUM]] :
// CHECK: ^bb0(%[[GI:.+]]: f32, %[[RATE:.+]]: f32, %[[WI:.+]]: f32, %[[SI:.+]]: f32):
// CHECK: %[[SQ:.+]] = arith.mulf %[[GI]], %[[GI]]
// CHECK: %[[SN:.+]] = arith.addf %[[SI]], %[[SQ]]
// CHECK: %[[ROOT:.+]] = math.sqrt %[[SN]]
// CHECK: %[[DEN:.+]] = arith.addf %[[ROOT]],
// CHECK: %[[RATIO:.+]] = arith.divf %[[GI]], %[[DEN]]
// CHECK: %[[UPD:.+]] = arith.mulf %[[RATE]], %[[RATIO]]
// CHECK: %[[WN:.+]] = arith.subf %[[WI]], %[[UPD]]
// CHECK: linalg.yield %[[WN]], %[[SN]]
func.func @adagrad(%w: tensor<4x8xf32>, %g: tensor<4x8xf32>, %sum: tensor<4x8xf32>, %lr: tensor<f32>) -> (tensor<4x8xf32>, tensor<4x8xf32>) {
  %0:2 = quern.adagrad_update %w, %g, %sum, %lr eps = 1.0e-10 weight_decay = 0.0 : tensor<4x8xf32>, tensor<f32>
  return %0#0, %0#1 : tensor<4x8xf32>, tensor<4x8xf32>
}

// -----

// Adam (not decoupled): the weight decay joins the gradient, g + decay * p,
// before the moments; the parameter itself is not scaled.
// CHECK-LABEL: func.func @adam_l2(
// CHECK-SAME: %[[W:[^:]+]]: tensor<4x8xf32>, %[[G:[^:]+]]: tensor<4x8xf32>
// CHECK: linalg.generic
// CHECK-SAME: ins(%[[G]] : tensor<4x8xf32>) outs(%[[W]],
// CHECK: ^bb0(%[[GI:.+]]: f32, %[[WI:.+]]: f32, %[[MI:.+]]: f32, %[[VI:.+]]: f32):
// CHECK: %[[DW:.+]] = arith.mulf %{{.+}}, %[[WI]]
// CHECK: %[[GD:.+]] = arith.addf %[[GI]], %[[DW]]
// CHECK: %[[M1:.+]] = arith.mulf %{{.+}}, %[[MI]]
// CHECK: arith.mulf %{{.+}}, %[[GD]]
// CHECK: arith.mulf %[[GD]], %[[GD]]
// CHECK: %[[WN:.+]] = arith.subf %[[WI]], %{{.+}}
// CHECK: linalg.yield %[[WN]],
func.func @adam_l2(%w: tensor<4x8xf32>, %g: tensor<4x8xf32>, %m: tensor<4x8xf32>, %v: tensor<4x8xf32>, %lr: tensor<f32>, %step: tensor<i64>) -> (tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>) {
  %0:3 = quern.adam_update %w, %g, %m, %v, %lr, %step beta1 = 0.9 beta2 = 0.999 eps = 1.0e-8 weight_decay = 0.01 : tensor<4x8xf32>, tensor<f32>, tensor<i64>
  return %0#0, %0#1, %0#2 : tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>
}

// -----

// The training step's marker is kept for the workspace plan.
// CHECK-LABEL: func.func @backward_begins
// CHECK-NEXT: quern.backward_begins
func.func @backward_begins() {
  quern.backward_begins
  return
}
