// RUN: quern-opt %s --quern-select-strategy="vector-bits=512 vector-registers=32 min-parallel-work=0" --quern-tile-and-pack --quern-vectorize --quern-lower-vectors --canonicalize --cse | FileCheck %s
// RUN: quern-opt %s --quern-select-strategy="vector-bits=512 vector-registers=32 min-parallel-work=0" --quern-tile-and-pack --quern-vectorize --quern-lower-vectors=bf16-dot=avx512 --canonicalize --cse | FileCheck %s --check-prefix=BF16

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

// A bf16 product in panels with 1009 rows: pieces of 768 rows (cache
// tiles), 240 (register tiles) and the last row. The last row's tile is a
// contraction that the dot rewrite leaves to the generic lowering, its
// block as it is; that does not keep the other pieces from reading each k
// pair's row of a panel as one vector of 64 bf16 (not 32 pairs one at a
// time, shuffled together).
// BF16-LABEL: func.func @bf16_rows_1009
// BF16: scf.for %{{.+}} = %c0 to %c768 step %c256
// BF16: %[[ROWS:.+]] = memref.collapse_shape %{{.+}} {{\[\[}}0], [1], [2, 3]] : memref<4x256x32x2xbf16> into memref<4x256x64xbf16>
// BF16-NEXT: vector.load %[[ROWS]][{{.+}}] : memref<4x256x64xbf16>, vector<64xbf16>
// BF16: llvm.x86.avx512bf16.dpbf16ps.512
// BF16: scf.for %{{.+}} = %c0 to %c240 step %c8
// BF16: %[[ROWS2:.+]] = memref.collapse_shape %{{.+}} {{\[\[}}0], [1], [2, 3]] : memref<4x256x32x2xbf16> into memref<4x256x64xbf16>
// BF16-NEXT: vector.load %[[ROWS2]][{{.+}}] : memref<4x256x64xbf16>, vector<64xbf16>
// BF16: llvm.x86.avx512bf16.dpbf16ps.512
func.func @bf16_rows_1009(%a: memref<1009x256x2xbf16>, %b: memref<4x256x32x2xbf16>, %c: memref<4x1009x32xf32>) {
  linalg.generic {indexing_maps = [affine_map<(j, m, c, p, t) -> (m, p, t)>, affine_map<(j, m, c, p, t) -> (j, p, c, t)>, affine_map<(j, m, c, p, t) -> (j, m, c)>], iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction"]}
      ins(%a, %b : memref<1009x256x2xbf16>, memref<4x256x32x2xbf16>) outs(%c : memref<4x1009x32xf32>) {
  ^bb0(%x: bf16, %y: bf16, %acc: f32):
    %xf = arith.extf %x : bf16 to f32
    %yf = arith.extf %y : bf16 to f32
    %p = arith.mulf %xf, %yf : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  return
}
