// RUN: quern-opt %s --quern-flatten-empty-arguments -split-input-file | FileCheck %s

// The bare-pointer calling convention cannot take a memref with a zero extent
// in a higher dimension. Each such argument becomes memref<0xT>, and the body
// reads it through a memref.reinterpret_cast back to its old type (with the
// row-major strides of that shape).

// CHECK-LABEL: func.func @empty_argument
// CHECK-SAME: (%[[FLAT:.+]]: memref<0xf32>)
// CHECK-NEXT: %[[X:.+]] = memref.reinterpret_cast %[[FLAT]] to offset: [0], sizes: [3, 0, 5], strides: [0, 5, 1] : memref<0xf32> to memref<3x0x5xf32>
// CHECK-NEXT: linalg.copy ins(%[[X]] : memref<3x0x5xf32>) outs(%[[X]] : memref<3x0x5xf32>)
// CHECK-NEXT: return
func.func @empty_argument(%x: memref<3x0x5xf32>) {
  linalg.copy ins(%x : memref<3x0x5xf32>) outs(%x : memref<3x0x5xf32>)
  return
}

// -----

// Only zero-element arguments of rank above 1 change: a non-empty buffer, a
// rank-1 empty buffer (already flat) and a scalar stay; the results are
// untouched; each empty argument gets its own cast.
// CHECK-LABEL: func.func @mixed
// CHECK-SAME: (%[[A:[^:]+]]: memref<0xi8>, %[[B:[^:]+]]: memref<2xf32>, %[[C:[^:]+]]: memref<0xi64>, %[[S:[^:]+]]: f32, %[[D:[^:]+]]: memref<0xf16>) -> memref<2xf32>
// CHECK-DAG: %[[A_VIEW:.+]] = memref.reinterpret_cast %[[A]] to offset: [0], sizes: [0, 2], strides: [2, 1] : memref<0xi8> to memref<0x2xi8>
// CHECK-DAG: %[[D_VIEW:.+]] = memref.reinterpret_cast %[[D]] to offset: [0], sizes: [4, 0], strides: [0, 1] : memref<0xf16> to memref<4x0xf16>
// CHECK: linalg.copy ins(%[[A_VIEW]] : memref<0x2xi8>) outs(%[[A_VIEW]] : memref<0x2xi8>)
// CHECK: linalg.copy ins(%[[C]] : memref<0xi64>) outs(%[[C]] : memref<0xi64>)
// CHECK: linalg.copy ins(%[[D_VIEW]] : memref<4x0xf16>) outs(%[[D_VIEW]] : memref<4x0xf16>)
// CHECK: return %[[B]] : memref<2xf32>
func.func @mixed(%a: memref<0x2xi8>, %b: memref<2xf32>, %c: memref<0xi64>, %s: f32, %d: memref<4x0xf16>) -> memref<2xf32> {
  linalg.copy ins(%a : memref<0x2xi8>) outs(%a : memref<0x2xi8>)
  linalg.copy ins(%c : memref<0xi64>) outs(%c : memref<0xi64>)
  linalg.copy ins(%d : memref<4x0xf16>) outs(%d : memref<4x0xf16>)
  return %b : memref<2xf32>
}

// -----

// Argument attributes (the planned workspace's marker) stay in place.
// CHECK-LABEL: func.func @argument_attributes
// CHECK-SAME: (%{{.+}}: memref<0xf32>, %{{.+}}: memref<64xi8> {quern.workspace})
func.func @argument_attributes(%x: memref<2x0xf32>, %ws: memref<64xi8> {quern.workspace}) {
  return
}

// -----

// A declaration has no body to reinterpret in and is left alone.
// CHECK-LABEL: func.func private @declaration
// CHECK-SAME: (memref<3x0xf32>)
func.func private @declaration(%x: memref<3x0xf32>)
