// RUN: quern-opt %s --quern-make-train-step="optimizer=sgd accumulate=4" | FileCheck %s

// Gradient accumulation over 4 micro-batches: the batched input x grows
// from [2, 3] to [8, 3] while the rank-0 input k is used whole; forward and
// backward run in an scf.for on the rows of one micro-batch, adding loss
// and gradient into loop-carried sums in place (linalg with the sum as its
// init); after the loop both are divided by 4 and one update follows.
// Dropout's counter is step * 4 + micro-batch, so no two micro-batches of
// any step share a mask. The other output (y) is per micro-batch and is
// left out of the step.

// CHECK-LABEL: func.func @train_step
// CHECK-SAME: (%[[X:[^:]+]]: tensor<8x3xf32> {quern.name = "x"}, %[[K:[^:]+]]: tensor<i64> {quern.name = "k"}, %[[LR:[^:]+]]: tensor<f32> {quern.name = "lr"}, %[[W:[^:]+]]: tensor<3x1xf32> {{.+}}, %[[STEP:[^:]+]]: tensor<i64> {bufferization.writable = true, quern.state = {name = "step", role = "optimizer"}})
// CHECK-SAME: -> (tensor<f32> {quern.name = "loss"}, tensor<3x1xf32> {quern.updates = 3 : i64}, tensor<i64> {quern.updates = 4 : i64})
// CHECK: %[[LOSS0:.+]] = linalg.fill ins(%{{.+}} : f32) outs(%{{.+}} : tensor<f32>)
// CHECK: %[[GRAD0:.+]] = linalg.fill ins(%{{.+}} : f32) outs(%{{.+}} : tensor<3x1xf32>)
// CHECK: %[[C0:.+]] = arith.constant 0 : index
// CHECK: %[[C4:.+]] = arith.constant 4 : index
// CHECK: %[[C1:.+]] = arith.constant 1 : index
// CHECK: %[[SUMS:.+]]:2 = scf.for %[[I:.+]] = %[[C0]] to %[[C4]] step %[[C1]] iter_args(%[[LOSS_SUM:.+]] = %[[LOSS0]], %[[GRAD_SUM:.+]] = %[[GRAD0]])
// CHECK: %[[I64:.+]] = arith.index_cast %[[I]] : index to i64
// CHECK: %[[IT:.+]] = tensor.from_elements %[[I64]] : tensor<i64>
// CHECK: %[[FOUR:.+]] = quern.constant dense<4> : tensor<i64>
// CHECK: %[[SCALED:.+]] = quern.mul %[[STEP]], %[[FOUR]]
// CHECK: %[[COUNTER:.+]] = quern.add %[[SCALED]], %[[IT]]
// CHECK: %[[B:.+]] = arith.constant 2 : index
// CHECK: %[[ROW:.+]] = arith.muli %[[I]], %[[B]] : index
// CHECK: %[[SLICE:.+]] = tensor.extract_slice %[[X]][%[[ROW]], 0] [2, 3] [1, 1] : tensor<8x3xf32> to tensor<2x3xf32>
// CHECK: quern.matmul %[[SLICE]], %[[W]]
// CHECK: quern.dropout %{{.+}} step(%[[COUNTER]] : tensor<i64>)
// CHECK: %[[LOSS:.+]] = quern.reduce_mean
// The backward pass begins in the loop, once per micro-batch.
// CHECK: quern.backward_begins
// CHECK: %[[GRAD:.+]] = quern.matmul %[[SLICE]], %{{.+}} transpose_lhs
// CHECK: %[[NEXT_LOSS:.+]] = linalg.generic {{.+}} ins(%[[LOSS]] : tensor<f32>) outs(%[[LOSS_SUM]] : tensor<f32>)
// CHECK: arith.addf
// CHECK: %[[NEXT_GRAD:.+]] = linalg.generic {{.+}} ins(%[[GRAD]] : tensor<3x1xf32>) outs(%[[GRAD_SUM]] : tensor<3x1xf32>)
// CHECK: arith.addf
// CHECK: scf.yield %[[NEXT_LOSS]], %[[NEXT_GRAD]]
// CHECK: %[[QUARTER:.+]] = quern.constant dense<2.500000e-01> : tensor<f32>
// CHECK: %[[MEAN_LOSS:.+]] = quern.mul %[[SUMS]]#0, %[[QUARTER]]
// CHECK: %[[QUARTERS:.+]] = quern.constant dense<2.500000e-01> : tensor<3x1xf32>
// CHECK: %[[MEAN_GRAD:.+]] = quern.mul %[[SUMS]]#1, %[[QUARTERS]]
// CHECK: %[[NEW_W:.+]] = quern.sgd_update %[[W]], %[[MEAN_GRAD]], %[[LR]]
// CHECK: return %[[MEAN_LOSS]], %[[NEW_W]], %{{.+}} : tensor<f32>, tensor<3x1xf32>, tensor<i64>

func.func @forward(%x: tensor<2x3xf32> {quern.name = "x"}, %k: tensor<i64> {quern.name = "k"},
                   %w: tensor<3x1xf32> {quern.param = {name = "w", trainable = true}})
    -> (tensor<f32> {quern.name = "loss"}, tensor<2x1xf32> {quern.name = "y"}) {
  %y = quern.matmul %x, %w : tensor<2x3xf32>, tensor<3x1xf32> -> tensor<2x1xf32>
  %d, %m = quern.dropout %y ratio = 5.000000e-01 seed = 7 : tensor<2x1xf32> -> tensor<2x1xi1>
  %s = quern.reduce_mean %d axes = [0, 1] : tensor<2x1xf32> -> tensor<f32>
  return %s, %y : tensor<f32>, tensor<2x1xf32>
}
