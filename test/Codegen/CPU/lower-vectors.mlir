// RUN: quern-opt %s --quern-lower-vectors | FileCheck %s

// The contraction of an 8x32 register tile by one k becomes eight FMAs of a
// broadcast element of A with the row of B (outer products), and its
// transfers 1-D loads.
// CHECK-LABEL: func.func @tile
// CHECK: %[[ROW:.+]] = vector.load %{{.+}} : memref<64x32xf32>, vector<32xf32>
// CHECK-COUNT-8: vector.fma %{{.+}}, %[[ROW]], %{{.+}} : vector<32xf32>
// CHECK-NOT: vector.contract
#a = affine_map<(m, n, k) -> (m, k)>
#b = affine_map<(m, n, k) -> (k, n)>
#c = affine_map<(m, n, k) -> (m, n)>
func.func @tile(%A: memref<16x64xf32>, %B: memref<64x32xf32>, %m: index, %k: index, %acc: vector<8x32xf32>) -> vector<8x32xf32> {
  %c0 = arith.constant 0 : index
  %f0 = arith.constant 0.0 : f32
  %a = vector.transfer_read %A[%m, %k], %f0 {in_bounds = [true, true]} : memref<16x64xf32>, vector<8x1xf32>
  %row = vector.transfer_read %B[%k, %c0], %f0 {in_bounds = [true]} : memref<64x32xf32>, vector<32xf32>
  %b = vector.broadcast %row : vector<32xf32> to vector<1x32xf32>
  %r = vector.contract {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction"], kind = #vector.kind<add>} %a, %b, %acc : vector<8x1xf32>, vector<1x32xf32> into vector<8x32xf32>
  return %r : vector<8x32xf32>
}

// x^2 (RMSNorm's Pow(x, 2)) is a product, x^1 (in its gradient) x and x^0
// one, vector or scalar: a powf would be a libm call per element. Other
// exponents stay powf.
// CHECK-LABEL: func.func @small_powers
// CHECK-SAME: (%[[V:.+]]: vector<16xf32>, %[[S:.+]]: f32)
// CHECK-DAG: %[[ONE:.+]] = arith.constant dense<1.000000e+00> : vector<16xf32>
// CHECK-DAG: %[[SQ:.+]] = arith.mulf %[[V]], %[[V]] : vector<16xf32>
// CHECK-DAG: %[[SS:.+]] = arith.mulf %[[S]], %[[S]] : f32
// CHECK-DAG: %[[CUBE:.+]] = math.powf %[[V]], %{{.+}} : vector<16xf32>
// CHECK: return %[[SQ]], %[[SS]], %[[V]], %[[ONE]], %[[CUBE]]
func.func @small_powers(%v: vector<16xf32>, %s: f32) -> (vector<16xf32>, f32, vector<16xf32>, vector<16xf32>, vector<16xf32>) {
  %zero = arith.constant dense<0.0> : vector<16xf32>
  %one = arith.constant dense<1.0> : vector<16xf32>
  %two = arith.constant dense<2.0> : vector<16xf32>
  %three = arith.constant dense<3.0> : vector<16xf32>
  %c2 = arith.constant 2.0 : f32
  %sq = math.powf %v, %two : vector<16xf32>
  %ss = math.powf %s, %c2 : f32
  %same = math.powf %v, %one : vector<16xf32>
  %unit = math.powf %v, %zero : vector<16xf32>
  %cube = math.powf %v, %three : vector<16xf32>
  return %sq, %ss, %same, %unit, %cube : vector<16xf32>, f32, vector<16xf32>, vector<16xf32>, vector<16xf32>
}
