// RUN: quern-opt %s --pass-pipeline='builtin.module(quern-make-train-step{optimizer=adamw},convert-quern-to-linalg,func.func(linalg-fuse-elementwise-ops),canonicalize,cse,func.func(quern-read-only-arguments),one-shot-bufferize{bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map},canonicalize,func.func(quern-write-back-updates))' | FileCheck %s

// A training step updates the parameters and the optimizer state in place:
// after bufferization (the CPU pipeline up to quern-write-back-updates, in
// the order of lib/Codegen/CPU/Pipeline.cpp), each fused AdamW update
// writes straight into the buffers of its parameter and its two moments,
// nothing copies into or out of them, and the updates are no longer
// results. The only copy left writes the incremented step counter back
// (quern.add makes a new tensor); @train_step returns only the loss. The
// learning rate and the step are read once, and the bias corrections
// computed once, before the updates.

// CHECK-LABEL: func.func @train_step
// CHECK-SAME: (%{{[^:]+}}: memref<2x3xf32> {quern.name = "x"}, %[[LR:[^:]+]]: memref<f32> {quern.name = "lr"},
// CHECK-SAME: %[[W:[^:]+]]: memref<3x4xf32> {quern.param = {name = "w", trainable = true}},
// CHECK-SAME: %[[B:[^:]+]]: memref<4xf32> {quern.param = {name = "b", trainable = true}},
// CHECK-SAME: %[[F:[^:]+]]: memref<4xf32> {quern.param = {name = "f", trainable = false}},
// CHECK-SAME: %[[WM:[^:]+]]: memref<3x4xf32> {quern.state = {name = "w.exp_avg", role = "optimizer"}},
// CHECK-SAME: %[[WV:[^:]+]]: memref<3x4xf32> {quern.state = {name = "w.exp_avg_sq", role = "optimizer"}},
// CHECK-SAME: %[[BM:[^:]+]]: memref<4xf32> {quern.state = {name = "b.exp_avg", role = "optimizer"}},
// CHECK-SAME: %[[BV:[^:]+]]: memref<4xf32> {quern.state = {name = "b.exp_avg_sq", role = "optimizer"}},
// CHECK-SAME: %[[STEP:[^:]+]]: memref<i64> {quern.state = {name = "step", role = "optimizer"}})
// CHECK-SAME: -> (memref<f32> {quern.name = "loss"})
// CHECK-NOT: copy
// CHECK: memref.load %[[LR]][]
// CHECK: memref.load %[[STEP]][]
// CHECK: math.powf
// CHECK: math.powf
// CHECK-NOT: math.powf
// CHECK: linalg.generic {{.+}} ins(%{{.+}} : memref<3x4xf32>)
// CHECK-SAME: outs(%[[W]], %[[WM]], %[[WV]] : memref<3x4xf32>, memref<3x4xf32>, memref<3x4xf32>)
// CHECK-NOT: copy
// CHECK: %[[B_ROW:.+]] = memref.expand_shape %[[B]]
// CHECK: %[[BM_ROW:.+]] = memref.expand_shape %[[BM]]
// CHECK: %[[BV_ROW:.+]] = memref.expand_shape %[[BV]]
// CHECK: linalg.generic {{.+}} ins(%{{.+}} : memref<1x4xf32>)
// CHECK-SAME: outs(%[[B_ROW]], %[[BM_ROW]], %[[BV_ROW]] : memref<1x4xf32>, memref<1x4xf32>, memref<1x4xf32>)
// CHECK-NOT: copy
// CHECK: linalg.copy ins(%{{.+}} : memref<i64>) outs(%[[STEP]] : memref<i64>)
// CHECK-NOT: copy
// CHECK: return %{{[^,]+}} : memref<f32>
// CHECK-NEXT: }

func.func @forward(%x: tensor<2x3xf32> {quern.name = "x"},
                   %w: tensor<3x4xf32> {quern.param = {name = "w", trainable = true}},
                   %b: tensor<4xf32> {quern.param = {name = "b", trainable = true}},
                   %f: tensor<4xf32> {quern.param = {name = "f", trainable = false}})
    -> (tensor<f32> {quern.name = "loss"}) {
  %0 = quern.matmul %x, %w bias(%b : tensor<4xf32>) : tensor<2x3xf32>, tensor<3x4xf32> -> tensor<2x4xf32>
  %1 = quern.tanh %0 : tensor<2x4xf32>
  %2 = quern.broadcast %f : tensor<4xf32> -> tensor<2x4xf32>
  %3 = quern.mul %1, %2 : tensor<2x4xf32>
  %4 = quern.reduce_sum %3 axes = [0, 1] : tensor<2x4xf32> -> tensor<f32>
  return %4 : tensor<f32>
}
