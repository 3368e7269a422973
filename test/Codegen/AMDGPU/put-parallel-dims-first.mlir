// RUN: quern-opt %s --quern-put-parallel-dims-first -split-input-file | FileCheck %s

// A column sum, rows outside: its loops become (columns, rows), so that
// each GPU thread sums one column, its rows in their order.

// CHECK-DAG: #[[INPUT:.+]] = affine_map<(d0, d1) -> (d1, d0)>
// CHECK-DAG: #[[OUTPUT:.+]] = affine_map<(d0, d1) -> (d0)>
// CHECK-LABEL: func.func @column_sum
// CHECK: linalg.generic {indexing_maps = [#[[INPUT]], #[[OUTPUT]]], iterator_types = ["parallel", "reduction"]}
func.func @column_sum(%x: memref<512x64xf32>, %sum: memref<64xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>,
                                   affine_map<(d0, d1) -> (d1)>],
                  iterator_types = ["reduction", "parallel"]}
      ins(%x : memref<512x64xf32>) outs(%sum : memref<64xf32>) {
  ^bb0(%a: f32, %s: f32):
    %t = arith.addf %a, %s : f32
    linalg.yield %t : f32
  }
  return
}

// -----

// A product's loops, (parallel, parallel, reduction), stay as they are.

// CHECK-LABEL: func.func @product
// CHECK: iterator_types = ["parallel", "parallel", "reduction"]
func.func @product(%a: memref<4x8xf32>, %b: memref<8x16xf32>, %generic: memref<4x16xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>,
                                   affine_map<(d0, d1, d2) -> (d2, d1)>,
                                   affine_map<(d0, d1, d2) -> (d0, d1)>],
                  iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<4x8xf32>, memref<8x16xf32>) outs(%generic : memref<4x16xf32>) {
  ^bb0(%x: f32, %y: f32, %s: f32):
    %p = arith.mulf %x, %y : f32
    %t = arith.addf %p, %s : f32
    linalg.yield %t : f32
  }
  return
}
