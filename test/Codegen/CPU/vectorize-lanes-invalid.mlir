// RUN: quern-opt %s --quern-vectorize -split-input-file -verify-diagnostics

#map = affine_map<(d0, d1, d2) -> (d0, d1, d2)>

// An NF4 weight decoded into panels as the forward product reads it,
// transposed: the lanes' code bytes would be a row (32 bytes) apart, which
// quern-select-strategy never runs in lanes. Marked by hand, the op is an
// error, not scalar code.
func.func @nf4_panels_transposed(%codes: memref<2048xi8>, %levels: memref<16xf32>, %scales: memref<64xf32>, %out: memref<2x64x32xf32>) {
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : i32
  %c15 = arith.constant 15 : i32
  %c32 = arith.constant 32 : index
  %c64 = arith.constant 64 : index
  // expected-error @+1 {{'linalg.generic' op cannot run in lanes of register tiles [1, 1, 16]}}
  linalg.generic {indexing_maps = [#map], iterator_types = ["parallel", "parallel", "parallel"]} outs(%out : memref<2x64x32xf32>) attrs = {quern.vector_sizes = array<i64: 1, 1, 16>} {
  ^bb0(%o: f32):
    %j = linalg.index 0 : index
    %k = linalg.index 1 : index
    %c = linalg.index 2 : index
    %column = arith.muli %j, %c32 : index
    %n = arith.addi %column, %c : index
    %row = arith.muli %n, %c64 : index
    %position = arith.addi %row, %k : index
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

// -----

// A tile of lanes wider than the loop they run along.
func.func @lanes_wider_than_loop(%table: memref<16xf32>, %out: memref<4x8xf32>) {
  // expected-error @+1 {{'linalg.generic' op cannot run in lanes of register tiles [1, 16]}}
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} outs(%out : memref<4x8xf32>) attrs = {quern.vector_sizes = array<i64: 1, 16>} {
  ^bb0(%o: f32):
    %j = linalg.index 1 : index
    %v = memref.load %table[%j] : memref<16xf32>
    linalg.yield %v : f32
  }
  return
}

// -----

// An unrolled last loop must follow the lane loop directly.
func.func @unrolled_loop_apart(%table: memref<16xf32>, %out: memref<16x4x2xf32>) {
  // expected-error @+1 {{'linalg.generic' op cannot run in lanes of register tiles [16, 1, 2]}}
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} outs(%out : memref<16x4x2xf32>) attrs = {quern.vector_sizes = array<i64: 16, 1, 2>} {
  ^bb0(%o: f32):
    %i = linalg.index 0 : index
    %v = memref.load %table[%i] : memref<16xf32>
    linalg.yield %v : f32
  }
  return
}
