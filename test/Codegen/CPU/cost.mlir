// RUN: quern-opt %s --quern-print-cost -verify-diagnostics -split-input-file -o /dev/null
//
// linalg ops answer CostOpInterface as quern ops do (Cost.h): FLOPs are the
// float arith and math ops of the body per iteration (an fma counts two;
// casts, selects and constants none) times the iterations; the distinct
// inputs are read and the inits not among them written, each buffer once.

// expected-remark @+1 {{in all: 1048576 flops, 65536 bytes read, 16384 bytes written}}
func.func @products(%a: tensor<64x128xf32>, %b: tensor<128x64xf32>,
                    %c: tensor<64x64xf32>) -> (tensor<64x64xf32>, tensor<64x64xf32>) {
  // 2 * 64 * 128 * 64; a and b read, c written.
  // expected-remark @+1 {{1048576 flops, 65536 bytes read, 16384 bytes written}}
  %0 = linalg.matmul ins(%a, %b : tensor<64x128xf32>, tensor<128x64xf32>)
                     outs(%c : tensor<64x64xf32>) -> tensor<64x64xf32>
  return %0, %0 : tensor<64x64xf32>, tensor<64x64xf32>
}

// -----

#map = affine_map<(d0, d1) -> (d0, d1)>
// expected-remark @+1 {{in all: 3072 flops, 8192 bytes read, 4096 bytes written}}
func.func @elementwise(%x: tensor<32x32xf32>, %y: tensor<32x32xf32>,
                       %out: tensor<32x32xf32>) -> tensor<32x32xf32> {
  // exp (1) + fma (2); the cast, the compare-free select and the constant
  // move values: 3 per element over 1024 elements. %x is read twice but
  // counted once.
  // expected-remark @+1 {{3072 flops, 8192 bytes read, 4096 bytes written}}
  %0 = linalg.generic {indexing_maps = [#map, #map, #map, #map],
                       iterator_types = ["parallel", "parallel"]}
      ins(%x, %x, %y : tensor<32x32xf32>, tensor<32x32xf32>, tensor<32x32xf32>)
      outs(%out : tensor<32x32xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32, %o: f32):
    %e = math.exp %a : f32
    %f = math.fma %e, %b, %c : f32
    %one = arith.constant 1.0 : f32
    %i = arith.fptosi %f : f32 to i32
    %g = arith.sitofp %i : i32 to f32
    %t = arith.constant true
    %s = arith.select %t, %g, %one : f32
    linalg.yield %s : f32
  } -> tensor<32x32xf32>
  return %0 : tensor<32x32xf32>
}

// -----

// On buffers the same; a dynamic size counts nothing.
// expected-remark @+1 {{in all: 0 flops, 0 bytes read, 256 bytes written}}
func.func @buffers(%x: memref<?xf32>, %y: memref<64xf32>) {
  // expected-remark @+1 {{0 flops, 0 bytes read, 256 bytes written}}
  linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>],
                  iterator_types = ["parallel"]}
      ins(%x : memref<?xf32>) outs(%y : memref<64xf32>) {
  ^bb0(%a: f32, %o: f32):
    %s = arith.addf %a, %o : f32
    linalg.yield %s : f32
  }
  return
}
