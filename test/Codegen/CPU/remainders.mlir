// RUN: quern-opt %s --quern-select-strategy="vector-bits=512 vector-registers=32 min-parallel-work=0" --quern-tile-and-pack --quern-vectorize --quern-lower-vectors --canonicalize --cse | FileCheck %s

// Shapes whose tiles do not divide them run as whole vector tiles: no mask,
// no loop of single lanes, in any piece.

// 384 rows: cache tiles of 192 divide them (256 would leave a partial tile
// of 128); the k loop of 256 in cache tiles of 128.
// CHECK-LABEL: func.func @rows_384
// CHECK-NOT: mask
// CHECK-NOT: vector<1xf32>
// CHECK: scf.for %{{.+}} = %c0 to %c384 step %c192
// CHECK: vector.fma {{.+}} : vector<32xf32>
// CHECK-NOT: mask
// CHECK: return
func.func @rows_384(%a: memref<384x256xf32>, %b: memref<256x128xf32>, %c: memref<384x128xf32>) {
  linalg.matmul ins(%a, %b : memref<384x256xf32>, memref<256x128xf32>) outs(%c : memref<384x128xf32>)
  return
}

// 100 columns: three register tiles of 32 in the first piece, then a piece
// of 4 columns, a tile of 8 rows by 4 lanes.
// CHECK-LABEL: func.func @columns_100
// CHECK-NOT: mask
// CHECK-NOT: vector<1xf32>
// CHECK: scf.for %{{.+}} = %c0 to %c96 step %c32
// CHECK: vector.fma {{.+}} : vector<32xf32>
// CHECK: vector.load %{{.+}}[%{{.+}}, %c96] : memref<256x100xf32>, vector<4xf32>
// CHECK: vector.fma {{.+}} : vector<4xf32>
// CHECK-NOT: mask
// CHECK: return
func.func @columns_100(%a: memref<256x256xf32>, %b: memref<256x100xf32>, %c: memref<256x100xf32>) {
  linalg.matmul ins(%a, %b : memref<256x256xf32>, memref<256x100xf32>) outs(%c : memref<256x100xf32>)
  return
}

// 127 x 127 (a prime): 120 rows in register tiles of 8 and 7 more; 96
// columns in register tiles of 32, then 16, 8, 4, 2 and 1: every vector a
// power of two wide.
// CHECK-LABEL: func.func @prime_127
// CHECK-NOT: mask
// CHECK-DAG: vector.fma {{.+}} : vector<32xf32>
// CHECK-DAG: vector.fma {{.+}} : vector<16xf32>
// CHECK-DAG: vector.fma {{.+}} : vector<8xf32>
// CHECK-DAG: vector.fma {{.+}} : vector<4xf32>
// CHECK-DAG: vector.fma {{.+}} : vector<2xf32>
// CHECK-NOT: mask
// CHECK-NOT: vector<31xf32>
// CHECK-NOT: vector<15xf32>
// CHECK: return
func.func @prime_127(%a: memref<127x127xf32>, %b: memref<127x127xf32>, %c: memref<127x127xf32>) {
  linalg.matmul ins(%a, %b : memref<127x127xf32>, memref<127x127xf32>) outs(%c : memref<127x127xf32>)
  return
}

// The weight gradient Aᵀ·B of 1000 rows by 300 columns: whole tiles in
// both (1000 = 8 · 125 rows; 300 columns as 9 tiles of 32 and 12 more, in
// pieces of 8 and 4).
// CHECK-LABEL: func.func @transposed_1000
// CHECK-NOT: mask
// CHECK: vector.fma {{.+}} : vector<32xf32>
// CHECK-NOT: mask
// CHECK: return
func.func @transposed_1000(%a: memref<64x1000xf32>, %b: memref<64x300xf32>, %c: memref<1000x300xf32>) {
  linalg.matmul_transpose_a ins(%a, %b : memref<64x1000xf32>, memref<64x300xf32>) outs(%c : memref<1000x300xf32>)
  return
}
