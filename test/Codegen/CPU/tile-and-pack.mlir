// RUN: quern-opt %s --quern-tile-and-pack -split-input-file | FileCheck %s

// The first step of carrying out a strategy: a 16x32x64 product with 8x32
// register tiles (its cache tile the whole product) is tiled m, then k,
// each register tile a linalg op marked with its vector shape for
// quern-vectorize. The fill of its accumulator is not tiled but marked:
// quern-vectorize starts the register tiles from its constant. The
// strategy is consumed.
// CHECK-LABEL: func.func @gemm
// CHECK: linalg.fill {quern.forward_fill}
// CHECK: scf.for %[[M:.+]] = %{{.+}} to %{{.+}} step %c8
// CHECK-NEXT: scf.for %[[K:.+]] = %{{.+}} to %{{.+}} step %c1
// CHECK: linalg.matmul {quern.vector_sizes = array<i64: 8, 32, 1>} ins(%{{.+}}, %{{.+}} : memref<8x1xf32, {{.+}}>, memref<1x32xf32, {{.+}}>) outs(%{{.+}} : memref<8x32xf32, {{.+}}>)
// CHECK-NOT: quern.strategy
func.func @gemm(%a: memref<16x64xf32>, %b: memref<64x32xf32>, %c: memref<16x32xf32>) {
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%c : memref<16x32xf32>)
  linalg.matmul {quern.strategy = {kind = "contraction", loop_order = array<i64: 1, 0, 2>, dims = array<i64: 0, 1, 2>, cache_tiles = array<i64: 16, 32, 64>, register_tiles = array<i64: 8, 32, 1>, parallel = false}} ins(%a, %b : memref<16x64xf32>, memref<64x32xf32>) outs(%c : memref<16x32xf32>)
  return
}

// -----

// An elementwise op marked parallel: its outer loop, by whole register
// tiles, is an scf.parallel (OpenMP later); the 20 rows of 16 leave no
// remainder, the 20 columns in tiles of 16 a peeled one of 4, itself a
// static tile.
// CHECK-LABEL: func.func @relu
// CHECK: scf.parallel
// CHECK: linalg.generic {{.*}} ins(%{{.+}} : memref<1x16xf32, {{.+}}>) {{.*}} attrs = {quern.vector_sizes = array<i64: 1, 16>}
// CHECK: linalg.generic {{.*}} ins(%{{.+}} : memref<1x4xf32, {{.+}}>) {{.*}} attrs = {quern.vector_sizes = array<i64: 1, 16>}
func.func @relu(%x: memref<20x20xf32>, %y: memref<20x20xf32>) {
  %zero = arith.constant 0.0 : f32
  linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>], iterator_types = ["parallel", "parallel"], quern.strategy = {kind = "elementwise", register_tiles = array<i64: 1, 16>, parallel = true, parallel_tile = 1}} ins(%x : memref<20x20xf32>) outs(%y : memref<20x20xf32>) {
  ^bb0(%in: f32, %out: f32):
    %r = arith.maximumf %in, %zero : f32
    linalg.yield %r : f32
  }
  return
}

// -----

// Without cache_order, the cache tile loops go in the loops' own order:
// m's tiles of 16 rows, n's of 32 columns, k's of 64. k's loop, whose
// iterations all add to the same tile of the output, is marked
// quern.reduction_tiles (for quern-vectorize); m's and n's are not.
// CHECK-LABEL: func.func @rows_outer
// CHECK: scf.for %{{.+}} = %{{.+}} to %{{.+}} step %c16
// CHECK-NEXT: scf.for %{{.+}} = %{{.+}} to %{{.+}} step %c32
// CHECK-NEXT: scf.for %{{.+}} = %{{.+}} to %{{.+}} step %c64
// CHECK: linalg.matmul {{.+}}
// CHECK-NEXT: {{^ *}}}{{$}}
// CHECK-NEXT: {{^ *}}}{{$}}
// CHECK-NEXT: {{^ *}}} {quern.reduction_tiles}{{$}}
// CHECK-NEXT: {{^ *}}}{{$}}
// CHECK-NEXT: {{^ *}}}{{$}}
// CHECK-NEXT: return
func.func @rows_outer(%a: memref<64x128xf32>, %b: memref<128x64xf32>, %c: memref<64x64xf32>) {
  linalg.matmul {quern.strategy = {kind = "contraction", loop_order = array<i64: 1, 0, 2>, dims = array<i64: 0, 1, 2>, cache_tiles = array<i64: 16, 32, 64>, register_tiles = array<i64: 8, 32, 1>, parallel = false}} ins(%a, %b : memref<64x128xf32>, memref<128x64xf32>) outs(%c : memref<64x64xf32>)
  return
}

// -----

// cache_order puts them in its order, outermost first: n's tiles outside
// m's.
// CHECK-LABEL: func.func @columns_outer
// CHECK: scf.for %{{.+}} = %{{.+}} to %{{.+}} step %c32
// CHECK-NEXT: scf.for %{{.+}} = %{{.+}} to %{{.+}} step %c16
// CHECK-NEXT: scf.for %{{.+}} = %{{.+}} to %{{.+}} step %c64
func.func @columns_outer(%a: memref<64x128xf32>, %b: memref<128x64xf32>, %c: memref<64x64xf32>) {
  linalg.matmul {quern.strategy = {kind = "contraction", loop_order = array<i64: 1, 0, 2>, cache_order = array<i64: 1, 0, 2>, dims = array<i64: 0, 1, 2>, cache_tiles = array<i64: 16, 32, 64>, register_tiles = array<i64: 8, 32, 1>, parallel = false}} ins(%a, %b : memref<64x128xf32>, memref<128x64xf32>) outs(%c : memref<64x64xf32>)
  return
}

// -----

// A scalar strategy (an op the vectorizer does not take) is only shared out
// over threads: a parallel loop over the first dimension, each piece left
// whole and unmarked for the vectorizer.
// CHECK-LABEL: func.func @scalar
// CHECK: scf.parallel (%[[ROW:.+]]) =
// CHECK: %[[PIECE:.+]] = memref.subview %{{.*}}[%[[ROW]], 0] [1, 1024] [1, 1]
// CHECK: linalg.generic {{{.*}}} outs(%[[PIECE]]
// CHECK-NOT: quern.vector_sizes
func.func @scalar(%table: memref<1024xf32>, %out: memref<512x1024xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"], quern.strategy = {kind = "scalar", parallel = true, parallel_tile = 1 : i64, register_tiles = array<i64: 1, 1>}} outs(%out : memref<512x1024xf32>) {
  ^bb0(%o: f32):
    %i = linalg.index 0 : index
    %j = linalg.index 1 : index
    %k = arith.addi %i, %j : index
    %c = arith.constant 1023 : index
    %w = arith.minui %k, %c : index
    %v = memref.load %table[%w] : memref<1024xf32>
    linalg.yield %v : f32
  }
  return
}
