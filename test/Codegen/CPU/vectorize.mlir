// RUN: quern-opt %s --quern-vectorize | FileCheck %s

// A register tile quern-tile-and-pack left (an 8x32 product inside its k
// loop, its accumulator filled with zeros and marked so) becomes a
// vector.contract whose accumulator is carried through the k loop in
// registers: no load of it (the fill's constant instead), one store after
// the loop. The fill and the marks go.
// CHECK-LABEL: func.func @gemm
// CHECK-NOT: linalg.fill
// CHECK: %[[ZERO:.+]] = arith.constant dense<0.000000e+00> : vector<8x32xf32>
// CHECK: scf.for %{{.+}} = %{{.+}} to %{{.+}} step %c1 iter_args(%[[ACC:.+]] = %[[ZERO]]) -> (vector<8x32xf32>)
// CHECK: vector.transfer_read %{{.+}} : memref<16x64xf32>, vector<8x1xf32>
// CHECK: vector.transfer_read %{{.+}} : memref<64x32xf32>, vector<32xf32>
// CHECK: %[[SUM:.+]] = vector.contract {{.+}} %[[ACC]] : vector<8x1xf32>, vector<1x32xf32> into vector<8x32xf32>
// CHECK: scf.yield %[[SUM]]
// CHECK: vector.transfer_write %{{.+}} : vector<8x32xf32>, memref<16x32xf32>
// CHECK-NOT: quern.
func.func @gemm(%arg0: memref<16x64xf32>, %arg1: memref<64x32xf32>, %arg2: memref<16x32xf32>) {
  %c64 = arith.constant 64 : index
  %c16 = arith.constant 16 : index
  %c8 = arith.constant 8 : index
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %cst = arith.constant 0.000000e+00 : f32
  linalg.fill {quern.forward_fill} ins(%cst : f32) outs(%arg2 : memref<16x32xf32>)
  scf.for %m = %c0 to %c16 step %c8 {
    scf.for %k = %c0 to %c64 step %c1 {
      %a = memref.subview %arg0[%m, %k] [8, 1] [1, 1] : memref<16x64xf32> to memref<8x1xf32, strided<[64, 1], offset: ?>>
      %b = memref.subview %arg1[%k, 0] [1, 32] [1, 1] : memref<64x32xf32> to memref<1x32xf32, strided<[32, 1], offset: ?>>
      %c = memref.subview %arg2[%m, 0] [8, 32] [1, 1] : memref<16x32xf32> to memref<8x32xf32, strided<[32, 1], offset: ?>>
      linalg.matmul {quern.vector_sizes = array<i64: 8, 32, 1>} ins(%a, %b : memref<8x1xf32, strided<[64, 1], offset: ?>>, memref<1x32xf32, strided<[32, 1], offset: ?>>) outs(%c : memref<8x32xf32, strided<[32, 1], offset: ?>>)
    }
  }
  return
}

// -----

// A fill of a view (a grouped product's tile of rows, at an offset known
// only at run time) stays: the tile's reads are folded into reads of the
// whole buffer, where no walk from the view sees them, so the zeros are
// written and read back as before.
// CHECK-LABEL: func.func @view_fill
// CHECK: %[[ROWS:.+]] = memref.subview %[[OUT:arg[0-9]+]][%[[ROW:arg[0-9]+]], 0] [8, 32]
// CHECK: linalg.fill ins(%{{.+}} : f32) outs(%[[ROWS]] : memref<8x32xf32, strided<[32, 1], offset: ?>>)
// CHECK: %[[ACC:.+]] = vector.transfer_read %[[OUT]][%[[ROW]], %{{.+}}]
// CHECK: scf.for {{.+}} iter_args(%{{.+}} = %[[ACC]])
func.func @view_fill(%arg0: memref<8x64xf32>, %arg1: memref<64x32xf32>, %arg2: memref<64x32xf32>, %row: index) {
  %c64 = arith.constant 64 : index
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %cst = arith.constant 0.000000e+00 : f32
  %rows = memref.subview %arg2[%row, 0] [8, 32] [1, 1] : memref<64x32xf32> to memref<8x32xf32, strided<[32, 1], offset: ?>>
  linalg.fill {quern.forward_fill} ins(%cst : f32) outs(%rows : memref<8x32xf32, strided<[32, 1], offset: ?>>)
  scf.for %k = %c0 to %c64 step %c1 {
    %a = memref.subview %arg0[0, %k] [8, 1] [1, 1] : memref<8x64xf32> to memref<8x1xf32, strided<[64, 1], offset: ?>>
    %b = memref.subview %arg1[%k, 0] [1, 32] [1, 1] : memref<64x32xf32> to memref<1x32xf32, strided<[32, 1], offset: ?>>
    linalg.matmul {quern.vector_sizes = array<i64: 8, 32, 1>} ins(%a, %b : memref<8x1xf32, strided<[64, 1], offset: ?>>, memref<1x32xf32, strided<[32, 1], offset: ?>>) outs(%rows : memref<8x32xf32, strided<[32, 1], offset: ?>>)
  }
  return
}
