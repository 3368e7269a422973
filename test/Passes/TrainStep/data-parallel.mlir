// RUN: quern-opt %s --quern-make-train-step="optimizer=sgd data-parallel=true bucket-bytes=48" | FileCheck %s
// RUN: quern-opt %s --quern-make-train-step="optimizer=sgd data-parallel=true" | FileCheck %s --check-prefix=ONE-BUCKET
// RUN: quern-opt %s --quern-make-train-step="optimizer=sgd data-parallel=true bucket-bytes=48 accumulate=2" | FileCheck %s --check-prefix=LOOP
// RUN: quern-opt %s --pass-pipeline='builtin.module(quern-make-train-step{optimizer=sgd data-parallel=true bucket-bytes=48},convert-quern-to-linalg,canonicalize,cse,func.func(quern-read-only-arguments),one-shot-bufferize{bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map},canonicalize,cse)' | FileCheck %s --check-prefix=CALLS
// RUN: quern-opt %s --pass-pipeline='builtin.module(quern-make-train-step{optimizer=sgd data-parallel=true},convert-quern-to-linalg,canonicalize,cse,func.func(quern-read-only-arguments),one-shot-bufferize{bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map},canonicalize,cse)' | FileCheck %s --check-prefix=PACKED

// Data parallel: the gradients are packed into buckets of at most 48 bytes
// in the order the backward pass finishes them (w's 12 floats first, then
// b's 4): each bucket's reduction starts right after its last gradient is
// computed, before the rest of the backward pass (b's gradient comes after
// w's start), and the means are waited for after the backward pass, before
// the updates read them.

// CHECK-LABEL: func.func @train_step
// CHECK: %[[DW:.+]] = quern.matmul %{{.+}} transpose_lhs : tensor<2x3xf32>, tensor<2x4xf32> -> tensor<3x4xf32>
// CHECK-NEXT: %[[FLAT_DW:.+]] = quern.reshape %[[DW]] : tensor<3x4xf32> -> tensor<12xf32>
// CHECK-NEXT: %[[PENDING0:.+]] = quern.collective_start all_reduce %[[FLAT_DW]] bucket = 0 : tensor<12xf32> -> tensor<12xf32>
// CHECK-NEXT: %[[DB_ROW:.+]] = quern.reduce_sum
// CHECK-NEXT: %[[DB:.+]] = quern.reshape %[[DB_ROW]] : tensor<1x4xf32> -> tensor<4xf32>
// CHECK-NEXT: %[[PENDING1:.+]] = quern.collective_start all_reduce %[[DB]] bucket = 1 : tensor<4xf32> -> tensor<4xf32>
// CHECK-NEXT: %[[MEAN0:.+]] = quern.collective_wait all_reduce %[[PENDING0]] bucket = 0 : tensor<12xf32>
// CHECK-NEXT: %[[MEAN_DW:.+]] = quern.reshape %[[MEAN0]] : tensor<12xf32> -> tensor<3x4xf32>
// CHECK-NEXT: %[[MEAN_DB:.+]] = quern.collective_wait all_reduce %[[PENDING1]] bucket = 1 : tensor<4xf32>
// CHECK-NEXT: quern.sgd_update %{{.+}}, %[[MEAN_DW]], %{{.+}}
// CHECK-NEXT: quern.sgd_update %{{.+}}, %[[MEAN_DB]], %{{.+}}

// With the default 25 MiB, both are one bucket, packed by its start after
// the last, and sliced from its mean again.
// ONE-BUCKET: %[[PENDING:.+]] = quern.collective_start all_reduce %{{.+}}, %{{.+}} bucket = 0 : tensor<12xf32>, tensor<4xf32> -> tensor<16xf32>
// ONE-BUCKET-NEXT: %[[MEAN:.+]] = quern.collective_wait all_reduce %[[PENDING]] bucket = 0 : tensor<16xf32>
// ONE-BUCKET-NEXT: tensor.extract_slice %[[MEAN]][0] [12] [1]
// ONE-BUCKET: tensor.extract_slice %[[MEAN]][12] [4] [1]
// ONE-BUCKET-NOT: collective_start

// With micro-batches, the loop finishes every gradient: the buckets start
// after it, in order.
// LOOP: scf.yield
// LOOP: quern.collective_start all_reduce %{{.+}} bucket = 0
// LOOP: quern.collective_start all_reduce %{{.+}} bucket = 1
// LOOP: quern.collective_wait all_reduce %{{.+}} bucket = 0
// LOOP: quern.collective_wait all_reduce %{{.+}} bucket = 1

// Bufferized, start and wait are calls of the communicator on a view of
// the bucket's buffer (its first element), which both name. A bucket of one
// gradient is that gradient's own buffer: nothing is copied. A bucket of
// several is a buffer the start copies them into (PACKED).
// CALLS-DAG: func.func private @quern_collective_start(i64, i64, memref<1xf32>, i64)
// CALLS-DAG: func.func private @quern_collective_wait(i64, i64, memref<1xf32>, i64)
// CALLS-LABEL: func.func @train_step
// CALLS: %[[DW:.+]] = memref.alloc() {{.*}}: memref<3x4xf32>
// CALLS: %[[BUCKET0:.+]] = memref.collapse_shape %[[DW]] {{\[}}[0, 1]] : memref<3x4xf32> into memref<12xf32>
// CALLS-NEXT: %[[FIRST0:.+]] = memref.reinterpret_cast %[[BUCKET0]] to offset: [0], sizes: [1], strides: [1] : memref<12xf32> to memref<1xf32>
// CALLS-NEXT: call @quern_collective_start(%{{.+}}, %{{.+}}, %[[FIRST0]], %{{.+}}) : (i64, i64, memref<1xf32>, i64) -> ()
// CALLS: %[[FIRST1:.+]] = memref.reinterpret_cast %{{.+}} : memref<4xf32> to memref<1xf32>
// CALLS-NEXT: call @quern_collective_start(%{{.+}}, %{{.+}}, %[[FIRST1]], %{{.+}})
// CALLS-NEXT: call @quern_collective_wait(%{{.+}}, %{{.+}}, %[[FIRST0]], %{{.+}}) : (i64, i64, memref<1xf32>, i64) -> ()
// CALLS-NEXT: call @quern_collective_wait(%{{.+}}, %{{.+}}, %[[FIRST1]], %{{.+}})
// PACKED-LABEL: func.func @train_step
// PACKED: %[[BUCKET:.+]] = memref.alloc() {{.*}}: memref<16xf32>
// PACKED-NEXT: %[[W_SLOT:.+]] = memref.subview %[[BUCKET]][0] [12] [1]
// PACKED-NEXT: memref.copy %{{.+}}, %[[W_SLOT]]
// PACKED-NEXT: %[[B_SLOT:.+]] = memref.subview %[[BUCKET]][12] [4] [1]
// PACKED-NEXT: memref.copy %{{.+}}, %[[B_SLOT]]
// PACKED-NEXT: %[[FIRST:.+]] = memref.reinterpret_cast %[[BUCKET]]
// PACKED-NEXT: call @quern_collective_start(%{{.+}}, %{{.+}}, %[[FIRST]], %{{.+}})

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
