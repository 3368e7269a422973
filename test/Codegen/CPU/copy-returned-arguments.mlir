// RUN: quern-opt %s --quern-copy-returned-arguments -split-input-file | FileCheck %s

// After bufferization, every returned buffer that is not an allocation of its
// own - a function argument, or a buffer returned a second time - is copied
// into a new 64-byte aligned allocation with linalg.copy, so that
// buffer-results-to-out-params has an allocation to replace for every result.

// CHECK-LABEL: func.func @argument
// CHECK-SAME: (%[[X:.+]]: memref<4xf32>) -> memref<4xf32>
// CHECK: %[[COPY:.+]] = memref.alloc() {alignment = 64 : i64} : memref<4xf32>
// CHECK: linalg.copy ins(%[[X]] : memref<4xf32>) outs(%[[COPY]] : memref<4xf32>)
// CHECK: return %[[COPY]] : memref<4xf32>
func.func @argument(%x: memref<4xf32>) -> memref<4xf32> {
  return %x : memref<4xf32>
}

// -----

// A buffer of the function's own is returned as it is.
// CHECK-LABEL: func.func @own_buffer
// CHECK-SAME: (%[[X:.+]]: memref<4xf32>)
// CHECK: %[[A:.+]] = memref.alloc() : memref<4xf32>
// CHECK: linalg.copy ins(%[[X]] : memref<4xf32>) outs(%[[A]] : memref<4xf32>)
// CHECK-NOT: memref.alloc
// CHECK-NOT: linalg.copy
// CHECK: return %[[A]] : memref<4xf32>
func.func @own_buffer(%x: memref<4xf32>) -> memref<4xf32> {
  %a = memref.alloc() : memref<4xf32>
  linalg.copy ins(%x : memref<4xf32>) outs(%a : memref<4xf32>)
  return %a : memref<4xf32>
}

// -----

// The first return of a buffer keeps it; the second gets a copy.
// CHECK-LABEL: func.func @returned_twice
// CHECK: %[[A:.+]] = memref.alloc() : memref<2x3xf32>
// CHECK: linalg.copy ins(%{{.+}} : memref<2x3xf32>) outs(%[[A]] : memref<2x3xf32>)
// CHECK: %[[COPY:.+]] = memref.alloc() {alignment = 64 : i64} : memref<2x3xf32>
// CHECK: linalg.copy ins(%[[A]] : memref<2x3xf32>) outs(%[[COPY]] : memref<2x3xf32>)
// CHECK: return %[[A]], %[[COPY]] : memref<2x3xf32>, memref<2x3xf32>
func.func @returned_twice(%x: memref<2x3xf32>) -> (memref<2x3xf32>, memref<2x3xf32>) {
  %a = memref.alloc() : memref<2x3xf32>
  linalg.copy ins(%x : memref<2x3xf32>) outs(%a : memref<2x3xf32>)
  return %a, %a : memref<2x3xf32>, memref<2x3xf32>
}

// -----

// An argument returned twice is copied twice, into distinct buffers; results
// that are not memrefs are left alone.
// CHECK-LABEL: func.func @argument_twice_and_scalar
// CHECK-SAME: (%[[X:[^:]+]]: memref<2x3xi64>, %[[S:[^:]+]]: f32)
// CHECK: %[[C1:.+]] = memref.alloc() {alignment = 64 : i64} : memref<2x3xi64>
// CHECK: linalg.copy ins(%[[X]] : memref<2x3xi64>) outs(%[[C1]] : memref<2x3xi64>)
// CHECK: %[[C2:.+]] = memref.alloc() {alignment = 64 : i64} : memref<2x3xi64>
// CHECK: linalg.copy ins(%[[X]] : memref<2x3xi64>) outs(%[[C2]] : memref<2x3xi64>)
// CHECK: return %[[C1]], %[[S]], %[[C2]] : memref<2x3xi64>, f32, memref<2x3xi64>
func.func @argument_twice_and_scalar(%x: memref<2x3xi64>, %s: f32) -> (memref<2x3xi64>, f32, memref<2x3xi64>) {
  return %x, %s, %x : memref<2x3xi64>, f32, memref<2x3xi64>
}

// -----

// Zero-element and rank-0 buffers are copied like any other.
// CHECK-LABEL: func.func @empty_and_scalar_buffers
// CHECK-SAME: (%[[E:[^:]+]]: memref<0x4xf32>, %[[S:[^:]+]]: memref<i1>)
// CHECK: %[[C1:.+]] = memref.alloc() {alignment = 64 : i64} : memref<0x4xf32>
// CHECK: linalg.copy ins(%[[E]] : memref<0x4xf32>) outs(%[[C1]] : memref<0x4xf32>)
// CHECK: %[[C2:.+]] = memref.alloc() {alignment = 64 : i64} : memref<i1>
// CHECK: linalg.copy ins(%[[S]] : memref<i1>) outs(%[[C2]] : memref<i1>)
// CHECK: return %[[C1]], %[[C2]] : memref<0x4xf32>, memref<i1>
func.func @empty_and_scalar_buffers(%e: memref<0x4xf32>, %s: memref<i1>) -> (memref<0x4xf32>, memref<i1>) {
  return %e, %s : memref<0x4xf32>, memref<i1>
}

// -----

// A collapsed view of an allocation (a product computed in panels of rows)
// is returned as an allocation of its own shape: the original allocation
// becomes the expanded view of it, so that buffer-results-to-out-params
// writes into the caller's buffer and nothing is copied.
// CHECK-LABEL: func.func @collapsed_view
// CHECK-SAME: (%[[X:.+]]: memref<4x2x8xf32>)
// CHECK: %[[WHOLE:.+]] = memref.alloc() {alignment = 64 : i64} : memref<4x16xf32>
// CHECK: %[[PANELS:.+]] = memref.expand_shape %[[WHOLE]] {{\[\[}}0], [1, 2]] output_shape [4, 2, 8] : memref<4x16xf32> into memref<4x2x8xf32>
// CHECK: linalg.copy ins(%[[X]] : memref<4x2x8xf32>) outs(%[[PANELS]] : memref<4x2x8xf32>)
// CHECK-NOT: linalg.copy
// CHECK: return %[[WHOLE]] : memref<4x16xf32>
func.func @collapsed_view(%x: memref<4x2x8xf32>) -> memref<4x16xf32> {
  %a = memref.alloc() {alignment = 64 : i64} : memref<4x2x8xf32>
  linalg.copy ins(%x : memref<4x2x8xf32>) outs(%a : memref<4x2x8xf32>)
  %c = memref.collapse_shape %a [[0], [1, 2]] : memref<4x2x8xf32> into memref<4x16xf32>
  return %c : memref<4x16xf32>
}

// -----

// A collapsed view of an argument is left as it is: not being an
// allocation, buffer-results-to-out-params copies it into the caller's
// buffer.
// CHECK-LABEL: func.func @collapsed_argument
// CHECK: %[[C:.+]] = memref.collapse_shape
// CHECK-NOT: memref.alloc
// CHECK: return %[[C]] : memref<4x16xf32>
func.func @collapsed_argument(%x: memref<4x2x8xf32>) -> memref<4x16xf32> {
  %c = memref.collapse_shape %x [[0], [1, 2]] : memref<4x2x8xf32> into memref<4x16xf32>
  return %c : memref<4x16xf32>
}
