// RUN: quern-opt %s --quern-vectorize --canonicalize --cse | FileCheck %s

#map = affine_map<(d0, d1, d2) -> (d0, d1, d2)>

// An NF4 weight [64, 64] (blocks of 64 along a row, two codes a byte, the
// first in the low nibble) decoded into panels of 32 columns, [2, 64, 32],
// as a product's input gradient reads it: the panel's columns are
// consecutive elements of a row. Each tile of 16 lanes loads its 8 code
// bytes at once and repeats each for its two nibbles, shifts by 0 and 4
// in turn (which nibble a lane takes is known: the tile starts at an
// even position), looks the 16 levels up with a gather, and reads its one
// scale as a scalar.
// CHECK-LABEL: func.func @nf4_panels
// CHECK-DAG: %[[SHIFTS:.+]] = arith.constant dense<[0, 4, 0, 4, 0, 4, 0, 4, 0, 4, 0, 4, 0, 4, 0, 4]> : vector<16xi32>
// CHECK: scf.for %[[J:.+]] = %c0 to %c2 step %c1
// CHECK: scf.for %[[K:.+]] = %c0 to %c64 step %c1
// CHECK: scf.for %[[C:.+]] = %c0 to %c32 step %c16
// CHECK: %[[BYTES:.+]] = vector.load %{{.+}}[%{{.+}}] : memref<2048xi8>, vector<8xi8>
// CHECK: vector.shuffle %[[BYTES]], %[[BYTES]] [0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7] : vector<8xi8>, vector<8xi8>
// CHECK: %[[WIDE:.+]] = arith.extui %{{.+}} : vector<16xi8> to vector<16xi32>
// CHECK-NEXT: arith.shrui %[[WIDE]], %[[SHIFTS]] : vector<16xi32>
// CHECK: vector.gather %{{.+}}[%c0] [%{{.+}}], %{{.+}}, %{{.+}} : memref<16xf32>, vector<16xindex>, vector<16xi1>, vector<16xf32> into vector<16xf32>
// CHECK: %[[SCALE:.+]] = memref.load %{{.+}}[%{{.+}}] : memref<64xf32>
// CHECK: %[[SCALES:.+]] = vector.broadcast %[[SCALE]] : f32 to vector<16xf32>
// CHECK: %[[VALUES:.+]] = arith.mulf %{{.+}}, %[[SCALES]] : vector<16xf32>
// CHECK: vector.transfer_write %[[VALUES]], %{{.+}}[%[[J]], %[[K]], %[[C]]] {in_bounds = [true]} : vector<16xf32>, memref<2x64x32xf32>
// CHECK-NOT: linalg.generic
func.func @nf4_panels(%codes: memref<2048xi8>, %levels: memref<16xf32>, %scales: memref<64xf32>, %out: memref<2x64x32xf32>) {
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : i32
  %c15 = arith.constant 15 : i32
  %c32 = arith.constant 32 : index
  %c64 = arith.constant 64 : index
  linalg.generic {indexing_maps = [#map], iterator_types = ["parallel", "parallel", "parallel"]} outs(%out : memref<2x64x32xf32>) attrs = {quern.vector_sizes = array<i64: 1, 1, 16>} {
  ^bb0(%o: f32):
    %j = linalg.index 0 : index
    %k = linalg.index 1 : index
    %c = linalg.index 2 : index
    %column = arith.muli %j, %c32 : index
    %n = arith.addi %column, %c : index
    %row = arith.muli %k, %c64 : index
    %position = arith.addi %row, %n : index
    %byte = arith.shrui %position, %c1 : index
    %b = memref.load %codes[%byte] : memref<2048xi8>
    %odd = arith.andi %position, %c1 : index
    %oddi = arith.index_cast %odd : index to i32
    %shift = arith.muli %oddi, %c4 : i32
    %wide = arith.extui %b : i8 to i32
    %shifted = arith.shrui %wide, %shift : i32
    %code = arith.andi %shifted, %c15 : i32
    %level = arith.index_cast %code : i32 to index
    %l = memref.load %levels[%level] : memref<16xf32>
    %block = arith.divui %position, %c64 : index
    %s = memref.load %scales[%block] : memref<64xf32>
    %v = arith.mulf %l, %s : f32
    linalg.yield %v : f32
  }
  return
}

// The same weight decoded into bf16 pairs for a bf16 product's input
// gradient, [2, 32, 32, 2] (panel, k pair, column, pair member): the pair
// is narrower than a vector, so the lanes run along the columns
// (consecutive codes) and the body is computed once per member, each a
// vector; the two are transposed into the tile's 16 pairs.
// CHECK-LABEL: func.func @nf4_pairs
// CHECK: scf.for %[[C:.+]] = %c0 to %c32 step %c16
// CHECK-COUNT-2: vector.load %{{.+}}[%{{.+}}] : memref<2048xi8>, vector<8xi8>
// CHECK: %[[STACKED:.+]] = vector.insert %{{.+}}, %{{.+}} [1] : vector<16xbf16> into vector<2x16xbf16>
// CHECK: %[[TILE:.+]] = vector.transpose %[[STACKED]], [1, 0] : vector<2x16xbf16> to vector<16x2xbf16>
// CHECK: vector.transfer_write %[[TILE]], %{{.+}}[%{{.+}}, %{{.+}}, %[[C]], %c0] {in_bounds = [true, true]} : vector<16x2xbf16>, memref<2x32x32x2xbf16>
#pairs = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
func.func @nf4_pairs(%codes: memref<2048xi8>, %levels: memref<16xf32>, %scales: memref<64xf32>, %out: memref<2x32x32x2xbf16>) {
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c4 = arith.constant 4 : i32
  %c15 = arith.constant 15 : i32
  %c32 = arith.constant 32 : index
  %c64 = arith.constant 64 : index
  linalg.generic {indexing_maps = [#pairs], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} outs(%out : memref<2x32x32x2xbf16>) attrs = {quern.vector_sizes = array<i64: 1, 1, 16, 2>} {
  ^bb0(%o: bf16):
    %j = linalg.index 0 : index
    %p = linalg.index 1 : index
    %c = linalg.index 2 : index
    %t = linalg.index 3 : index
    %column = arith.muli %j, %c32 : index
    %n = arith.addi %column, %c : index
    %pair = arith.muli %p, %c2 : index
    %k = arith.addi %pair, %t : index
    %row = arith.muli %k, %c64 : index
    %position = arith.addi %row, %n : index
    %byte = arith.shrui %position, %c1 : index
    %b = memref.load %codes[%byte] : memref<2048xi8>
    %odd = arith.andi %position, %c1 : index
    %oddi = arith.index_cast %odd : index to i32
    %shift = arith.muli %oddi, %c4 : i32
    %wide = arith.extui %b : i8 to i32
    %shifted = arith.shrui %wide, %shift : i32
    %code = arith.andi %shifted, %c15 : i32
    %level = arith.index_cast %code : i32 to index
    %l = memref.load %levels[%level] : memref<16xf32>
    %block = arith.divui %position, %c64 : index
    %s = memref.load %scales[%block] : memref<64xf32>
    %v = arith.mulf %l, %s : f32
    %r = arith.truncf %v : f32 to bf16
    linalg.yield %r : bf16
  }
  return
}

// A common part that may be negative (4 * j - 4) wraps when divided as
// unsigned: the quotient is not split into the common part's and the
// offsets', but computed on vectors, lane by lane as the scalar code does
// (here folded whole: lane 0's quotient is out of the table, the others
// read j - 1).
// CHECK-LABEL: func.func @negative_common_part
// CHECK-DAG: %[[AT:.+]] = arith.constant dense<[0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]> : vector<16xindex>
// CHECK-DAG: %[[IN:.+]] = arith.constant dense<[false, true, true, true, true, true, true, true, true, true, true, true, true, true, true, true]> : vector<16xi1>
// CHECK: %[[READ:.+]] = vector.gather %{{.+}}[%c0] [%[[AT]]]
// CHECK: arith.select %[[IN]], %[[READ]], %{{.+}} : vector<16xi1>, vector<16xf32>
func.func @negative_common_part(%table: memref<64xf32>, %out: memref<2x16xf32>) {
  %c0 = arith.constant 0 : index
  %c2 = arith.constant 2 : index
  %c4 = arith.constant 4 : index
  %cm4 = arith.constant -4 : index
  %c64 = arith.constant 64 : index
  %zero = arith.constant 0.0 : f32
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} outs(%out : memref<2x16xf32>) attrs = {quern.vector_sizes = array<i64: 1, 16>} {
  ^bb0(%o: f32):
    %j = linalg.index 1 : index
    %a = arith.muli %j, %c4 : index
    %b = arith.addi %a, %cm4 : index
    %d = arith.shrui %b, %c2 : index
    %in = arith.cmpi ult, %d, %c64 : index
    %i = arith.select %in, %d, %c0 : index
    %v = memref.load %table[%i] : memref<64xf32>
    %r = arith.select %in, %v, %zero : f32
    linalg.yield %r : f32
  }
  return
}
