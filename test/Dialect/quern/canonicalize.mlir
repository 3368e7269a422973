// RUN: quern-opt %s -canonicalize -split-input-file | FileCheck %s

// The folds of QuernFolds.cpp: no-op shape manipulation disappears, shape ops
// of constants become constants. Each fold has a neighbour that must stay.

// CHECK-LABEL: func.func @reshape_same_type
// CHECK-SAME: (%[[X:.+]]: tensor<4x8xf32>)
// CHECK-NOT: quern.reshape
// CHECK: return %[[X]]
func.func @reshape_same_type(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %0 = quern.reshape %x : tensor<4x8xf32> -> tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

// CHECK-LABEL: func.func @reshape_other_type
// CHECK-SAME: (%[[X:.+]]: tensor<4x8xf32>)
// CHECK: %[[R:.+]] = quern.reshape %[[X]] : tensor<4x8xf32> -> tensor<32xf32>
// CHECK: return %[[R]]
func.func @reshape_other_type(%x: tensor<4x8xf32>) -> tensor<32xf32> {
  %0 = quern.reshape %x : tensor<4x8xf32> -> tensor<32xf32>
  return %0 : tensor<32xf32>
}

// -----

// CHECK-LABEL: func.func @reshape_chain
// CHECK-SAME: (%[[X:.+]]: tensor<4x8xf32>)
// CHECK: %[[R:.+]] = quern.reshape %[[X]] : tensor<4x8xf32> -> tensor<2x16xf32>
// CHECK-NOT: quern.reshape
// CHECK: return %[[R]]
func.func @reshape_chain(%x: tensor<4x8xf32>) -> tensor<2x16xf32> {
  %0 = quern.reshape %x : tensor<4x8xf32> -> tensor<32xf32>
  %1 = quern.reshape %0 : tensor<32xf32> -> tensor<2x2x8xf32>
  %2 = quern.reshape %1 : tensor<2x2x8xf32> -> tensor<2x16xf32>
  return %2 : tensor<2x16xf32>
}

// -----

// A chain that comes back to the input's type is no reshape at all.
// CHECK-LABEL: func.func @reshape_round_trip
// CHECK-SAME: (%[[X:.+]]: tensor<4x8xf32>)
// CHECK-NOT: quern.reshape
// CHECK: return %[[X]]
func.func @reshape_round_trip(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %0 = quern.reshape %x : tensor<4x8xf32> -> tensor<32xf32>
  %1 = quern.reshape %0 : tensor<32xf32> -> tensor<4x8xf32>
  return %1 : tensor<4x8xf32>
}

// -----

// The first reshape of a chain stays while something else uses it.
// CHECK-LABEL: func.func @reshape_chain_shared
// CHECK-SAME: (%[[X:.+]]: tensor<4x8xf32>)
// CHECK-DAG: %[[FLAT:.+]] = quern.reshape %[[X]] : tensor<4x8xf32> -> tensor<32xf32>
// CHECK-DAG: %[[R:.+]] = quern.reshape %[[X]] : tensor<4x8xf32> -> tensor<2x16xf32>
// CHECK: return %[[FLAT]], %[[R]]
func.func @reshape_chain_shared(%x: tensor<4x8xf32>) -> (tensor<32xf32>, tensor<2x16xf32>) {
  %0 = quern.reshape %x : tensor<4x8xf32> -> tensor<32xf32>
  %1 = quern.reshape %0 : tensor<32xf32> -> tensor<2x16xf32>
  return %0, %1 : tensor<32xf32>, tensor<2x16xf32>
}

// -----

// Only a reshape feeding a reshape is merged; another producer stays.
// CHECK-LABEL: func.func @reshape_of_transpose
// CHECK-SAME: (%[[X:.+]]: tensor<4x8xf32>)
// CHECK: %[[T:.+]] = quern.transpose %[[X]] perm = [1, 0]
// CHECK: %[[R:.+]] = quern.reshape %[[T]] : tensor<8x4xf32> -> tensor<32xf32>
// CHECK: return %[[R]]
func.func @reshape_of_transpose(%x: tensor<4x8xf32>) -> tensor<32xf32> {
  %0 = quern.transpose %x perm = [1, 0] : tensor<4x8xf32> -> tensor<8x4xf32>
  %1 = quern.reshape %0 : tensor<8x4xf32> -> tensor<32xf32>
  return %1 : tensor<32xf32>
}

// -----

// CHECK-LABEL: func.func @reshape_constant
// CHECK: %[[C:.+]] = quern.constant dense<{{\[}}[1, 2, 3], [4, 5, 6]]> : tensor<2x3xi64>
// CHECK-NOT: quern.reshape
// CHECK: return %[[C]]
func.func @reshape_constant() -> tensor<2x3xi64> {
  %0 = quern.constant dense<[1, 2, 3, 4, 5, 6]> : tensor<6xi64>
  %1 = quern.reshape %0 : tensor<6xi64> -> tensor<2x3xi64>
  return %1 : tensor<2x3xi64>
}

// -----

// CHECK-LABEL: func.func @reshape_splat_constant
// CHECK: %[[C:.+]] = quern.constant dense<2.500000e+00> : tensor<f32>
// CHECK-NOT: quern.reshape
// CHECK: return %[[C]]
func.func @reshape_splat_constant() -> tensor<f32> {
  %0 = quern.constant dense<2.5> : tensor<1x1xf32>
  %1 = quern.reshape %0 : tensor<1x1xf32> -> tensor<f32>
  return %1 : tensor<f32>
}

// -----

// A reshape of a value not known at compile time stays.
// CHECK-LABEL: func.func @reshape_not_constant
// CHECK-SAME: (%[[X:.+]]: tensor<6xi64>)
// CHECK: %[[R:.+]] = quern.reshape %[[X]] : tensor<6xi64> -> tensor<2x3xi64>
// CHECK: return %[[R]]
func.func @reshape_not_constant(%x: tensor<6xi64>) -> tensor<2x3xi64> {
  %0 = quern.reshape %x : tensor<6xi64> -> tensor<2x3xi64>
  return %0 : tensor<2x3xi64>
}

// -----

// CHECK-LABEL: func.func @transpose_identity
// CHECK-SAME: (%[[X:.+]]: tensor<2x3x4xf32>)
// CHECK-NOT: quern.transpose
// CHECK: return %[[X]]
func.func @transpose_identity(%x: tensor<2x3x4xf32>) -> tensor<2x3x4xf32> {
  %0 = quern.transpose %x perm = [0, 1, 2] : tensor<2x3x4xf32> -> tensor<2x3x4xf32>
  return %0 : tensor<2x3x4xf32>
}

// -----

// Swapping two dimensions of one size keeps the type but moves elements.
// CHECK-LABEL: func.func @transpose_square
// CHECK-SAME: (%[[X:.+]]: tensor<4x4xf32>)
// CHECK: %[[T:.+]] = quern.transpose %[[X]] perm = [1, 0] : tensor<4x4xf32> -> tensor<4x4xf32>
// CHECK: return %[[T]]
func.func @transpose_square(%x: tensor<4x4xf32>) -> tensor<4x4xf32> {
  %0 = quern.transpose %x perm = [1, 0] : tensor<4x4xf32> -> tensor<4x4xf32>
  return %0 : tensor<4x4xf32>
}

// -----

// CHECK-LABEL: func.func @broadcast_same_type
// CHECK-SAME: (%[[X:.+]]: tensor<4x8xf32>)
// CHECK-NOT: quern.broadcast
// CHECK: return %[[X]]
func.func @broadcast_same_type(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %0 = quern.broadcast %x : tensor<4x8xf32> -> tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

// CHECK-LABEL: func.func @broadcast_stretch
// CHECK-SAME: (%[[X:.+]]: tensor<1x8xf32>)
// CHECK: %[[B:.+]] = quern.broadcast %[[X]] : tensor<1x8xf32> -> tensor<4x8xf32>
// CHECK: return %[[B]]
func.func @broadcast_stretch(%x: tensor<1x8xf32>) -> tensor<4x8xf32> {
  %0 = quern.broadcast %x : tensor<1x8xf32> -> tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

// CHECK-LABEL: func.func @broadcast_splat_constant
// CHECK: %[[C:.+]] = quern.constant dense<5.000000e-01> : tensor<4x8xf16>
// CHECK-NOT: quern.broadcast
// CHECK: return %[[C]]
func.func @broadcast_splat_constant() -> tensor<4x8xf16> {
  %0 = quern.constant dense<0.5> : tensor<8xf16>
  %1 = quern.broadcast %0 : tensor<8xf16> -> tensor<4x8xf16>
  return %1 : tensor<4x8xf16>
}

// -----

// A small constant broadcast is evaluated (shape computations rely on it).
// CHECK-LABEL: func.func @broadcast_non_splat_constant
// CHECK: %[[C:.+]] = quern.constant dense<{{\[}}[1.000000e+00, 2.000000e+00], [1.000000e+00, 2.000000e+00], [1.000000e+00, 2.000000e+00]]> : tensor<3x2xf32>
// CHECK: return %[[C]]
func.func @broadcast_non_splat_constant() -> tensor<3x2xf32> {
  %0 = quern.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %1 = quern.broadcast %0 : tensor<2xf32> -> tensor<3x2xf32>
  return %1 : tensor<3x2xf32>
}

// -----

// Constants are uniqued like any ConstantLike op.
// CHECK-LABEL: func.func @constant_dedup
// CHECK: %[[C:.+]] = quern.constant dense<1.000000e+00> : tensor<4xf32>
// CHECK-NOT: quern.constant
// CHECK: return %[[C]], %[[C]]
func.func @constant_dedup() -> (tensor<4xf32>, tensor<4xf32>) {
  %0 = quern.constant dense<1.0> : tensor<4xf32>
  %1 = quern.constant dense<1.0> : tensor<4xf32>
  return %0, %1 : tensor<4xf32>, tensor<4xf32>
}

// -----

// Only dense elements are reshaped at compile time; a resource blob (how large
// weights are held) keeps its reshape.
// CHECK-LABEL: func.func @reshape_resource_constant
// CHECK: %[[C:.+]] = quern.constant dense_resource<blob> : tensor<4xf32>
// CHECK: %[[R:.+]] = quern.reshape %[[C]] : tensor<4xf32> -> tensor<2x2xf32>
// CHECK: return %[[R]]
func.func @reshape_resource_constant() -> tensor<2x2xf32> {
  %0 = quern.constant dense_resource<blob> : tensor<4xf32>
  %1 = quern.reshape %0 : tensor<4xf32> -> tensor<2x2xf32>
  return %1 : tensor<2x2xf32>
}

{-#
  dialect_resources: {
    builtin: {
      blob: "0x040000000000803F000000400000404000008040"
    }
  }
#-}

// -----

// Constants over 65536 elements are not evaluated at compile time.
// CHECK-LABEL: func.func @broadcast_large_constant
// CHECK: %[[C:.+]] = quern.constant dense<[1.000000e+00, 2.000000e+00]> : tensor<2xf32>
// CHECK: %[[B:.+]] = quern.broadcast %[[C]] : tensor<2xf32> -> tensor<40000x2xf32>
// CHECK: return %[[B]]
func.func @broadcast_large_constant() -> tensor<40000x2xf32> {
  %0 = quern.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %1 = quern.broadcast %0 : tensor<2xf32> -> tensor<40000x2xf32>
  return %1 : tensor<40000x2xf32>
}

// -----

//===----------------------------------------------------------------------===//
// Constant evaluation of elementwise ops
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @add_sub_mul_float
// CHECK-DAG: %[[ADD:.+]] = quern.constant dense<[4.000000e+00, 1.500000e+00]> : tensor<2xf32>
// CHECK-DAG: %[[SUB:.+]] = quern.constant dense<[-2.000000e+00, 5.000000e+00]> : tensor<2xf32>
// CHECK-DAG: %[[MUL:.+]] = quern.constant dense<[3.000000e+00, -5.687500e+00]> : tensor<2xf32>
// CHECK-NOT: quern.add
// CHECK-NOT: quern.sub
// CHECK-NOT: quern.mul
// CHECK: return %[[ADD]], %[[SUB]], %[[MUL]]
func.func @add_sub_mul_float() -> (tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) {
  %a = quern.constant dense<[1.0, 3.25]> : tensor<2xf32>
  %b = quern.constant dense<[3.0, -1.75]> : tensor<2xf32>
  %0 = quern.add %a, %b : tensor<2xf32>
  %1 = quern.sub %a, %b : tensor<2xf32>
  %2 = quern.mul %a, %b : tensor<2xf32>
  return %0, %1, %2 : tensor<2xf32>, tensor<2xf32>, tensor<2xf32>
}

// -----

// Integer arithmetic wraps around in the element width.
// CHECK-LABEL: func.func @add_sub_mul_integer
// CHECK-DAG: %[[ADD:.+]] = quern.constant dense<[-126, 0]> : tensor<2xi8>
// CHECK-DAG: %[[SUB:.+]] = quern.constant dense<[124, -2]> : tensor<2xi8>
// CHECK-DAG: %[[MUL:.+]] = quern.constant dense<[125, -1]> : tensor<2xi8>
// CHECK: return %[[ADD]], %[[SUB]], %[[MUL]]
func.func @add_sub_mul_integer() -> (tensor<2xi8>, tensor<2xi8>, tensor<2xi8>) {
  %a = quern.constant dense<[127, -1]> : tensor<2xi8>
  %b = quern.constant dense<[3, 1]> : tensor<2xi8>
  %0 = quern.add %a, %b : tensor<2xi8>
  %1 = quern.sub %a, %b : tensor<2xi8>
  %2 = quern.mul %a, %b : tensor<2xi8>
  return %0, %1, %2 : tensor<2xi8>, tensor<2xi8>, tensor<2xi8>
}

// -----

// Shape computations are i64: a splat and a non-splat combine element by
// element.
// CHECK-LABEL: func.func @mul_splat_i64
// CHECK: %[[C:.+]] = quern.constant dense<[2, -8, 12]> : tensor<3xi64>
// CHECK: return %[[C]]
func.func @mul_splat_i64() -> tensor<3xi64> {
  %a = quern.constant dense<[1, -4, 6]> : tensor<3xi64>
  %b = quern.constant dense<2> : tensor<3xi64>
  %0 = quern.mul %a, %b : tensor<3xi64>
  return %0 : tensor<3xi64>
}

// -----

// Signed division truncates toward zero.
// CHECK-LABEL: func.func @div_signed
// CHECK: %[[C:.+]] = quern.constant dense<[-3, 3, -3]> : tensor<3xi32>
// CHECK-NOT: quern.div
// CHECK: return %[[C]]
func.func @div_signed() -> tensor<3xi32> {
  %a = quern.constant dense<[-7, 7, 7]> : tensor<3xi32>
  %b = quern.constant dense<[2, 2, -2]> : tensor<3xi32>
  %0 = quern.div %a, %b : tensor<3xi32>
  return %0 : tensor<3xi32>
}

// -----

// 200 / 7 = 28 as ui8; read as signed, 200 would be -56 and give -8.
// CHECK-LABEL: func.func @div_unsigned
// CHECK: %[[C:.+]] = quern.constant dense<[28, 127]> : tensor<2xui8>
// CHECK-NOT: quern.div
// CHECK: return %[[C]]
func.func @div_unsigned() -> tensor<2xui8> {
  %a = quern.constant dense<[200, 255]> : tensor<2xui8>
  %b = quern.constant dense<[7, 2]> : tensor<2xui8>
  %0 = quern.div %a, %b : tensor<2xui8>
  return %0 : tensor<2xui8>
}

// -----

// Integer division by zero is left to run time, even if only one element
// divides by zero.
// CHECK-LABEL: func.func @div_by_zero_integer
// CHECK-DAG: %[[A:.+]] = quern.constant dense<[6, 8]> : tensor<2xi32>
// CHECK-DAG: %[[B:.+]] = quern.constant dense<[3, 0]> : tensor<2xi32>
// CHECK: %[[D:.+]] = quern.div %[[A]], %[[B]] : tensor<2xi32>
// CHECK: return %[[D]]
func.func @div_by_zero_integer() -> tensor<2xi32> {
  %a = quern.constant dense<[6, 8]> : tensor<2xi32>
  %b = quern.constant dense<[3, 0]> : tensor<2xi32>
  %0 = quern.div %a, %b : tensor<2xi32>
  return %0 : tensor<2xi32>
}

// -----

// Float division by zero is IEEE: infinities and NaN.
// CHECK-LABEL: func.func @div_by_zero_float
// CHECK: %[[C:.+]] = quern.constant dense<[0x7F800000, 0xFF800000, 0x7FC00000, 2.500000e-01]> : tensor<4xf32>
// CHECK-NOT: quern.div
// CHECK: return %[[C]]
func.func @div_by_zero_float() -> tensor<4xf32> {
  %a = quern.constant dense<[1.0, -1.0, 0.0, 1.0]> : tensor<4xf32>
  %b = quern.constant dense<[0.0, 0.0, 0.0, 4.0]> : tensor<4xf32>
  %0 = quern.div %a, %b : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// A fold needs both operands constant.
// CHECK-LABEL: func.func @add_not_constant
// CHECK-SAME: (%[[X:.+]]: tensor<2xf32>)
// CHECK: %[[C:.+]] = quern.constant
// CHECK: %[[S:.+]] = quern.add %[[X]], %[[C]] : tensor<2xf32>
// CHECK: return %[[S]]
func.func @add_not_constant(%x: tensor<2xf32>) -> tensor<2xf32> {
  %c = quern.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %0 = quern.add %x, %c : tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

// pow has no fold.
// CHECK-LABEL: func.func @pow_not_folded
// CHECK: quern.pow
func.func @pow_not_folded() -> tensor<2xf32> {
  %a = quern.constant dense<[2.0, 3.0]> : tensor<2xf32>
  %0 = quern.pow %a, %a : tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

// 200 is the larger as ui8 and the smaller as i8 (where it is -56).
// CHECK-LABEL: func.func @max_min_signedness
// CHECK-DAG: %[[UMAX:.+]] = quern.constant dense<[200, 3]> : tensor<2xui8>
// CHECK-DAG: %[[UMIN:.+]] = quern.constant dense<[100, 1]> : tensor<2xui8>
// CHECK-DAG: %[[SMAX:.+]] = quern.constant dense<[100, 3]> : tensor<2xi8>
// CHECK-DAG: %[[SMIN:.+]] = quern.constant dense<[-56, 1]> : tensor<2xi8>
// CHECK-NOT: quern.max
// CHECK-NOT: quern.min
// CHECK: return %[[UMAX]], %[[UMIN]], %[[SMAX]], %[[SMIN]]
func.func @max_min_signedness() -> (tensor<2xui8>, tensor<2xui8>, tensor<2xi8>, tensor<2xi8>) {
  %ua = quern.constant dense<[200, 1]> : tensor<2xui8>
  %ub = quern.constant dense<[100, 3]> : tensor<2xui8>
  %sa = quern.constant dense<[-56, 1]> : tensor<2xi8>
  %sb = quern.constant dense<[100, 3]> : tensor<2xi8>
  %0 = quern.max %ua, %ub : tensor<2xui8>
  %1 = quern.min %ua, %ub : tensor<2xui8>
  %2 = quern.max %sa, %sb : tensor<2xi8>
  %3 = quern.min %sa, %sb : tensor<2xi8>
  return %0, %1, %2, %3 : tensor<2xui8>, tensor<2xui8>, tensor<2xi8>, tensor<2xi8>
}

// -----

// Float max/min propagate NaN (the lowering's maximumf/minimumf) and order
// -0 below +0.
// CHECK-LABEL: func.func @max_min_float
// CHECK-DAG: %[[MAX:.+]] = quern.constant dense<[0x7FC00000, 2.000000e+00, 0.000000e+00]> : tensor<3xf32>
// CHECK-DAG: %[[MIN:.+]] = quern.constant dense<[0x7FC00000, -1.000000e+00, -0.000000e+00]> : tensor<3xf32>
// CHECK: return %[[MAX]], %[[MIN]]
func.func @max_min_float() -> (tensor<3xf32>, tensor<3xf32>) {
  %a = quern.constant dense<[0x7FC00000, 2.0, -0.0]> : tensor<3xf32>
  %b = quern.constant dense<[1.0, -1.0, 0.0]> : tensor<3xf32>
  %0 = quern.max %a, %b : tensor<3xf32>
  %1 = quern.min %a, %b : tensor<3xf32>
  return %0, %1 : tensor<3xf32>, tensor<3xf32>
}

// -----

// Booleans order false < true, as the lowering compares them (unsigned).
// CHECK-LABEL: func.func @max_min_bool
// CHECK-DAG: %[[MAX:.+]] = quern.constant dense<[true, true, false]> : tensor<3xi1>
// CHECK-DAG: %[[MIN:.+]] = quern.constant dense<[false, true, false]> : tensor<3xi1>
// CHECK: return %[[MAX]], %[[MIN]]
func.func @max_min_bool() -> (tensor<3xi1>, tensor<3xi1>) {
  %a = quern.constant dense<[true, true, false]> : tensor<3xi1>
  %b = quern.constant dense<[false, true, false]> : tensor<3xi1>
  %0 = quern.max %a, %b : tensor<3xi1>
  %1 = quern.min %a, %b : tensor<3xi1>
  return %0, %1 : tensor<3xi1>, tensor<3xi1>
}

// -----

// CHECK-LABEL: func.func @and_or
// CHECK-DAG: %[[AND:.+]] = quern.constant dense<[true, false, false, false]> : tensor<4xi1>
// CHECK-DAG: %[[OR:.+]] = quern.constant dense<[true, true, true, false]> : tensor<4xi1>
// CHECK-NOT: quern.and
// CHECK-NOT: quern.or
// CHECK: return %[[AND]], %[[OR]]
func.func @and_or() -> (tensor<4xi1>, tensor<4xi1>) {
  %a = quern.constant dense<[true, true, false, false]> : tensor<4xi1>
  %b = quern.constant dense<[true, false, true, false]> : tensor<4xi1>
  %0 = quern.and %a, %b : tensor<4xi1>
  %1 = quern.or %a, %b : tensor<4xi1>
  return %0, %1 : tensor<4xi1>, tensor<4xi1>
}

// -----

// Each predicate on [1, 2, NaN] against [2, 2, NaN]: a NaN makes every
// predicate false, eq included (ge gives eq's constant, which is reused).
// CHECK-LABEL: func.func @compare_float_nan
// CHECK-DAG: %[[EQ:.+]] = quern.constant dense<[false, true, false]> : tensor<3xi1>
// CHECK-DAG: %[[LT:.+]] = quern.constant dense<[true, false, false]> : tensor<3xi1>
// CHECK-DAG: %[[LE:.+]] = quern.constant dense<[true, true, false]> : tensor<3xi1>
// CHECK-DAG: %[[FALSE:.+]] = quern.constant dense<false> : tensor<3xi1>
// CHECK-NOT: quern.compare
// CHECK: return %[[EQ]], %[[LT]], %[[LE]], %[[FALSE]], %[[EQ]]
func.func @compare_float_nan() -> (tensor<3xi1>, tensor<3xi1>, tensor<3xi1>, tensor<3xi1>, tensor<3xi1>) {
  %a = quern.constant dense<[1.0, 2.0, 0x7FC00000]> : tensor<3xf32>
  %b = quern.constant dense<[2.0, 2.0, 0x7FC00000]> : tensor<3xf32>
  %0 = quern.compare eq, %a, %b : tensor<3xf32> -> tensor<3xi1>
  %1 = quern.compare lt, %a, %b : tensor<3xf32> -> tensor<3xi1>
  %2 = quern.compare le, %a, %b : tensor<3xf32> -> tensor<3xi1>
  %3 = quern.compare gt, %a, %b : tensor<3xf32> -> tensor<3xi1>
  %4 = quern.compare ge, %a, %b : tensor<3xf32> -> tensor<3xi1>
  return %0, %1, %2, %3, %4 : tensor<3xi1>, tensor<3xi1>, tensor<3xi1>, tensor<3xi1>, tensor<3xi1>
}

// -----

// A NaN against a number is unordered too.
// CHECK-LABEL: func.func @compare_nan_with_number
// CHECK: %[[FALSE:.+]] = quern.constant dense<false> : tensor<2xi1>
// CHECK: return %[[FALSE]], %[[FALSE]]
func.func @compare_nan_with_number() -> (tensor<2xi1>, tensor<2xi1>) {
  %a = quern.constant dense<0x7FC00000> : tensor<2xf32>
  %b = quern.constant dense<[1.0, 0x7F800000]> : tensor<2xf32>
  %0 = quern.compare ge, %a, %b : tensor<2xf32> -> tensor<2xi1>
  %1 = quern.compare le, %b, %a : tensor<2xf32> -> tensor<2xi1>
  return %0, %1 : tensor<2xi1>, tensor<2xi1>
}

// -----

// 200 > 100 as ui8; as i8, -56 < 100.
// CHECK-LABEL: func.func @compare_signedness
// CHECK-DAG: %[[T:.+]] = quern.constant dense<true> : tensor<1xi1>
// CHECK-DAG: %[[F:.+]] = quern.constant dense<false> : tensor<1xi1>
// CHECK: return %[[T]], %[[F]]
func.func @compare_signedness() -> (tensor<1xi1>, tensor<1xi1>) {
  %ua = quern.constant dense<200> : tensor<1xui8>
  %ub = quern.constant dense<100> : tensor<1xui8>
  %sa = quern.constant dense<-56> : tensor<1xi8>
  %sb = quern.constant dense<100> : tensor<1xi8>
  %0 = quern.compare gt, %ua, %ub : tensor<1xui8> -> tensor<1xi1>
  %1 = quern.compare gt, %sa, %sb : tensor<1xi8> -> tensor<1xi1>
  return %0, %1 : tensor<1xi1>, tensor<1xi1>
}

// -----

// false < true for booleans, as in the lowering.
// CHECK-LABEL: func.func @compare_bool
// CHECK: %[[C:.+]] = quern.constant dense<[false, true]> : tensor<2xi1>
// CHECK: return %[[C]]
func.func @compare_bool() -> tensor<2xi1> {
  %a = quern.constant dense<[true, false]> : tensor<2xi1>
  %b = quern.constant dense<[false, true]> : tensor<2xi1>
  %0 = quern.compare lt, %a, %b : tensor<2xi1> -> tensor<2xi1>
  return %0 : tensor<2xi1>
}

// -----

// A splat condition picks a whole operand, constant or not.
// CHECK-LABEL: func.func @select_splat_condition
// CHECK-SAME: (%[[X:[^:]+]]: tensor<3xf32>, %[[Y:[^:]+]]: tensor<3xf32>)
// CHECK-NOT: quern.select
// CHECK: return %[[X]], %[[Y]]
func.func @select_splat_condition(%x: tensor<3xf32>, %y: tensor<3xf32>) -> (tensor<3xf32>, tensor<3xf32>) {
  %t = quern.constant dense<true> : tensor<3xi1>
  %f = quern.constant dense<false> : tensor<3xi1>
  %0 = quern.select %t, %x, %y : tensor<3xi1>, tensor<3xf32>
  %1 = quern.select %f, %x, %y : tensor<3xi1>, tensor<3xf32>
  return %0, %1 : tensor<3xf32>, tensor<3xf32>
}

// -----

// CHECK-LABEL: func.func @select_same_operands
// CHECK-SAME: (%[[C:[^:]+]]: tensor<3xi1>, %[[X:[^:]+]]: tensor<3xf32>)
// CHECK-NOT: quern.select
// CHECK: return %[[X]]
func.func @select_same_operands(%c: tensor<3xi1>, %x: tensor<3xf32>) -> tensor<3xf32> {
  %0 = quern.select %c, %x, %x : tensor<3xi1>, tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

// A non-splat condition picks element by element between constants.
// CHECK-LABEL: func.func @select_non_splat_condition
// CHECK: %[[C:.+]] = quern.constant dense<[1, 20, 3]> : tensor<3xi64>
// CHECK-NOT: quern.select
// CHECK: return %[[C]]
func.func @select_non_splat_condition() -> tensor<3xi64> {
  %c = quern.constant dense<[true, false, true]> : tensor<3xi1>
  %a = quern.constant dense<[1, 2, 3]> : tensor<3xi64>
  %b = quern.constant dense<[10, 20, 30]> : tensor<3xi64>
  %0 = quern.select %c, %a, %b : tensor<3xi1>, tensor<3xi64>
  return %0 : tensor<3xi64>
}

// -----

// ... but not between values unknown at compile time.
// CHECK-LABEL: func.func @select_non_splat_not_constant
// CHECK-SAME: (%[[X:[^:]+]]: tensor<3xf32>, %[[Y:[^:]+]]: tensor<3xf32>)
// CHECK: %[[C:.+]] = quern.constant dense<[true, false, true]> : tensor<3xi1>
// CHECK: %[[S:.+]] = quern.select %[[C]], %[[X]], %[[Y]]
// CHECK: return %[[S]]
func.func @select_non_splat_not_constant(%x: tensor<3xf32>, %y: tensor<3xf32>) -> tensor<3xf32> {
  %c = quern.constant dense<[true, false, true]> : tensor<3xi1>
  %0 = quern.select %c, %x, %y : tensor<3xi1>, tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

// Floats become integers by truncation toward zero.
// CHECK-LABEL: func.func @cast_float_to_int
// CHECK-DAG: %[[I:.+]] = quern.constant dense<[2, -2, 0, 100]> : tensor<4xi32>
// CHECK-DAG: %[[U:.+]] = quern.constant dense<[2, 0, 0, 100]> : tensor<4xui8>
// CHECK-NOT: quern.cast
// CHECK: return %[[I]], %[[U]]
func.func @cast_float_to_int() -> (tensor<4xi32>, tensor<4xui8>) {
  %a = quern.constant dense<[2.9, -2.9, -0.5, 100.7]> : tensor<4xf32>
  %b = quern.constant dense<[2.9, 0.9, 0.0, 100.7]> : tensor<4xf32>
  %0 = quern.cast %a : tensor<4xf32> to tensor<4xi32>
  %1 = quern.cast %b : tensor<4xf32> to tensor<4xui8>
  return %0, %1 : tensor<4xi32>, tensor<4xui8>
}

// -----

// A value the target type cannot hold (ONNX leaves the result undefined) is
// not folded.
// CHECK-LABEL: func.func @cast_float_out_of_range
// CHECK: quern.cast %{{.+}} : tensor<2xf32> to tensor<2xui8>
func.func @cast_float_out_of_range() -> tensor<2xui8> {
  %a = quern.constant dense<[1.0, 300.0]> : tensor<2xf32>
  %0 = quern.cast %a : tensor<2xf32> to tensor<2xui8>
  return %0 : tensor<2xui8>
}

// -----

// The integer's signedness decides its value: 255 as ui8, -1 as i8.
// CHECK-LABEL: func.func @cast_int_to_float
// CHECK-DAG: %[[U:.+]] = quern.constant dense<[2.550000e+02, 1.000000e+00]> : tensor<2xf32>
// CHECK-DAG: %[[S:.+]] = quern.constant dense<[-1.000000e+00, 1.000000e+00]> : tensor<2xf32>
// CHECK-DAG: %[[B:.+]] = quern.constant dense<[1.000000e+00, 0.000000e+00]> : tensor<2xf16>
// CHECK: return %[[U]], %[[S]], %[[B]]
func.func @cast_int_to_float() -> (tensor<2xf32>, tensor<2xf32>, tensor<2xf16>) {
  %u = quern.constant dense<[255, 1]> : tensor<2xui8>
  %s = quern.constant dense<[-1, 1]> : tensor<2xi8>
  %b = quern.constant dense<[true, false]> : tensor<2xi1>
  %0 = quern.cast %u : tensor<2xui8> to tensor<2xf32>
  %1 = quern.cast %s : tensor<2xi8> to tensor<2xf32>
  %2 = quern.cast %b : tensor<2xi1> to tensor<2xf16>
  return %0, %1, %2 : tensor<2xf32>, tensor<2xf32>, tensor<2xf16>
}

// -----

// Widening sign-extends signed and zero-extends unsigned values and booleans;
// narrowing keeps the low bits.
// CHECK-LABEL: func.func @cast_int_to_int
// CHECK-DAG: %[[S:.+]] = quern.constant dense<[-1, 127]> : tensor<2xi32>
// CHECK-DAG: %[[U:.+]] = quern.constant dense<[255, 127]> : tensor<2xi32>
// CHECK-DAG: %[[B:.+]] = quern.constant dense<[1, 0]> : tensor<2xi64>
// CHECK-DAG: %[[N:.+]] = quern.constant dense<[44, -1]> : tensor<2xi8>
// CHECK: return %[[S]], %[[U]], %[[B]], %[[N]]
func.func @cast_int_to_int() -> (tensor<2xi32>, tensor<2xi32>, tensor<2xi64>, tensor<2xi8>) {
  %s = quern.constant dense<[-1, 127]> : tensor<2xi8>
  %u = quern.constant dense<[255, 127]> : tensor<2xui8>
  %b = quern.constant dense<[true, false]> : tensor<2xi1>
  %w = quern.constant dense<[300, 65535]> : tensor<2xi32>
  %0 = quern.cast %s : tensor<2xi8> to tensor<2xi32>
  %1 = quern.cast %u : tensor<2xui8> to tensor<2xi32>
  %2 = quern.cast %b : tensor<2xi1> to tensor<2xi64>
  %3 = quern.cast %w : tensor<2xi32> to tensor<2xi8>
  return %0, %1, %2, %3 : tensor<2xi32>, tensor<2xi32>, tensor<2xi64>, tensor<2xi8>
}

// -----

// To booleans is `!= 0`: -0.0 is false, NaN and fractions are true.
// CHECK-LABEL: func.func @cast_to_bool
// CHECK-DAG: %[[F:.+]] = quern.constant dense<[false, false, true, true, true]> : tensor<5xi1>
// CHECK-DAG: %[[I:.+]] = quern.constant dense<[false, true, true]> : tensor<3xi1>
// CHECK: return %[[F]], %[[I]]
func.func @cast_to_bool() -> (tensor<5xi1>, tensor<3xi1>) {
  %f = quern.constant dense<[0.0, -0.0, 0.25, 0x7FC00000, -3.0]> : tensor<5xf32>
  %i = quern.constant dense<[0, 256, -1]> : tensor<3xi64>
  %0 = quern.cast %f : tensor<5xf32> to tensor<5xi1>
  %1 = quern.cast %i : tensor<3xi64> to tensor<3xi1>
  return %0, %1 : tensor<5xi1>, tensor<3xi1>
}

// -----

// Floats round to nearest even when narrowed: 1 + 2^-11 is halfway between
// two f16 values and goes to the even one, 1.0.
// CHECK-LABEL: func.func @cast_float_to_float
// CHECK: %[[C:.+]] = quern.constant dense<[1.000000e+00, 6.550400e+04]> : tensor<2xf16>
// CHECK: return %[[C]]
func.func @cast_float_to_float() -> tensor<2xf16> {
  %a = quern.constant dense<[1.00048828125, 65504.0]> : tensor<2xf32>
  %0 = quern.cast %a : tensor<2xf32> to tensor<2xf16>
  return %0 : tensor<2xf16>
}

// -----

// A cast to the input's own type is no op; one to another type stays.
// CHECK-LABEL: func.func @cast_identity
// CHECK-SAME: (%[[X:[^:]+]]: tensor<4xf32>, %[[U:[^:]+]]: tensor<4xui8>)
// CHECK: %[[C:.+]] = quern.cast %[[U]] : tensor<4xui8> to tensor<4xi8>
// CHECK-NOT: quern.cast
// CHECK: return %[[X]], %[[C]]
func.func @cast_identity(%x: tensor<4xf32>, %u: tensor<4xui8>) -> (tensor<4xf32>, tensor<4xi8>) {
  %0 = quern.cast %x : tensor<4xf32> to tensor<4xf32>
  %1 = quern.cast %u : tensor<4xui8> to tensor<4xi8>
  return %0, %1 : tensor<4xf32>, tensor<4xi8>
}

// -----

//===----------------------------------------------------------------------===//
// Constant evaluation of shape and indexing ops
//===----------------------------------------------------------------------===//

// Result dimension d is input dimension perm[d].
// CHECK-LABEL: func.func @transpose_constant
// CHECK: %[[C:.+]] = quern.constant dense<{{\[}}{{\[}}[1, 4]], {{\[}}[2, 5]], {{\[}}[3, 6]]]> : tensor<3x1x2xi64>
// CHECK-NOT: quern.transpose
// CHECK: return %[[C]]
func.func @transpose_constant() -> tensor<3x1x2xi64> {
  %0 = quern.constant dense<[[[1, 2, 3]], [[4, 5, 6]]]> : tensor<2x1x3xi64>
  %1 = quern.transpose %0 perm = [2, 1, 0] : tensor<2x1x3xi64> -> tensor<3x1x2xi64>
  return %1 : tensor<3x1x2xi64>
}

// -----

// Shape -> Concat, as ONNX models build a new shape.
// CHECK-LABEL: func.func @concat_constants
// CHECK-DAG: %[[FLAT:.+]] = quern.constant dense<[2, 3, -1, 4]> : tensor<4xi64>
// CHECK-DAG: %[[ROWS:.+]] = quern.constant dense<{{\[}}[1.000000e+00, 2.000000e+00, 5.000000e+00], [3.000000e+00, 4.000000e+00, 5.000000e+00]]> : tensor<2x3xf32>
// CHECK-NOT: quern.concat
// CHECK: return %[[FLAT]], %[[ROWS]]
func.func @concat_constants() -> (tensor<4xi64>, tensor<2x3xf32>) {
  %a = quern.constant dense<[2, 3]> : tensor<2xi64>
  %b = quern.constant dense<-1> : tensor<1xi64>
  %c = quern.constant dense<4> : tensor<1xi64>
  %0 = quern.concat %a, %b, %c axis = 0 : (tensor<2xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<4xi64>
  %m = quern.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %s = quern.constant dense<5.0> : tensor<2x1xf32>
  %1 = quern.concat %m, %s axis = 1 : (tensor<2x2xf32>, tensor<2x1xf32>) -> tensor<2x3xf32>
  return %0, %1 : tensor<4xi64>, tensor<2x3xf32>
}

// -----

// One input of the result's type is the input itself; with an unknown input
// nothing is evaluated.
// CHECK-LABEL: func.func @concat_single_and_unknown
// CHECK-SAME: (%[[X:.+]]: tensor<2xi64>)
// CHECK: %[[C:.+]] = quern.constant dense<7> : tensor<1xi64>
// CHECK: %[[J:.+]] = quern.concat %[[X]], %[[C]] axis = 0
// CHECK: return %[[X]], %[[J]]
func.func @concat_single_and_unknown(%x: tensor<2xi64>) -> (tensor<2xi64>, tensor<3xi64>) {
  %0 = quern.concat %x axis = 0 : (tensor<2xi64>) -> tensor<2xi64>
  %c = quern.constant dense<7> : tensor<1xi64>
  %1 = quern.concat %x, %c axis = 0 : (tensor<2xi64>, tensor<1xi64>) -> tensor<3xi64>
  return %0, %1 : tensor<2xi64>, tensor<3xi64>
}

// -----

// Strided windows, forwards and backwards.
// CHECK-LABEL: func.func @slice_constant
// CHECK-DAG: %[[FWD:.+]] = quern.constant dense<[1, 3, 5]> : tensor<3xi64>
// CHECK-DAG: %[[BACK:.+]] = quern.constant dense<[6, 4, 2]> : tensor<3xi64>
// CHECK-DAG: %[[REV:.+]] = quern.constant dense<{{\[}}[6, 5, 4], [3, 2, 1]]> : tensor<2x3xi64>
// CHECK-NOT: quern.slice
// CHECK: return %[[FWD]], %[[BACK]], %[[REV]]
func.func @slice_constant() -> (tensor<3xi64>, tensor<3xi64>, tensor<2x3xi64>) {
  %v = quern.constant dense<[0, 1, 2, 3, 4, 5, 6]> : tensor<7xi64>
  %0 = quern.slice %v offsets = [1] strides = [2] : tensor<7xi64> -> tensor<3xi64>
  %1 = quern.slice %v offsets = [6] strides = [-2] : tensor<7xi64> -> tensor<3xi64>
  %m = quern.constant dense<[[1, 2, 3], [4, 5, 6]]> : tensor<2x3xi64>
  %2 = quern.slice %m offsets = [1, 2] strides = [-1, -1] : tensor<2x3xi64> -> tensor<2x3xi64>
  return %0, %1, %2 : tensor<3xi64>, tensor<3xi64>, tensor<2x3xi64>
}

// -----

// The whole tensor in order is no slice; a reversal of the same type is.
// CHECK-LABEL: func.func @slice_identity
// CHECK-SAME: (%[[X:.+]]: tensor<4x8xf32>)
// CHECK: %[[R:.+]] = quern.slice %[[X]] offsets = [3, 0] strides = [-1, 1]
// CHECK-NOT: quern.slice
// CHECK: return %[[X]], %[[R]]
func.func @slice_identity(%x: tensor<4x8xf32>) -> (tensor<4x8xf32>, tensor<4x8xf32>) {
  %0 = quern.slice %x offsets = [0, 0] strides = [1, 1] : tensor<4x8xf32> -> tensor<4x8xf32>
  %1 = quern.slice %x offsets = [3, 0] strides = [-1, 1] : tensor<4x8xf32> -> tensor<4x8xf32>
  return %0, %1 : tensor<4x8xf32>, tensor<4x8xf32>
}

// -----

// Shape -> Gather: negative indices count from the end.
// CHECK-LABEL: func.func @gather_constant
// CHECK-DAG: %[[LAST:.+]] = quern.constant dense<8> : tensor<i64>
// CHECK-DAG: %[[PICK:.+]] = quern.constant dense<[8, 2, 4]> : tensor<3xi64>
// CHECK-NOT: quern.gather
// CHECK: return %[[LAST]], %[[PICK]]
func.func @gather_constant() -> (tensor<i64>, tensor<3xi64>) {
  %shape = quern.constant dense<[2, 4, 8]> : tensor<3xi64>
  %i = quern.constant dense<-1> : tensor<i64>
  %0 = quern.gather %shape, %i axis = 0 : (tensor<3xi64>, tensor<i64>) -> tensor<i64>
  %j = quern.constant dense<[-1, 0, 1]> : tensor<3xi32>
  %1 = quern.gather %shape, %j axis = 0 : (tensor<3xi64>, tensor<3xi32>) -> tensor<3xi64>
  return %0, %1 : tensor<i64>, tensor<3xi64>
}

// -----

// Along an inner axis, with a 2-d index tensor: result [2, 2, 2] is
// data[i, idx[j, k]].
// CHECK-LABEL: func.func @gather_constant_inner_axis
// CHECK: %[[C:.+]] = quern.constant dense<{{\[}}{{\[}}[3.000000e+00, 1.000000e+00], [2.000000e+00, 2.000000e+00]], {{\[}}[6.000000e+00, 4.000000e+00], [5.000000e+00, 5.000000e+00]]]> : tensor<2x2x2xf32>
// CHECK: return %[[C]]
func.func @gather_constant_inner_axis() -> tensor<2x2x2xf32> {
  %d = quern.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>
  %i = quern.constant dense<[[2, 0], [1, -2]]> : tensor<2x2xi64>
  %0 = quern.gather %d, %i axis = 1 : (tensor<2x3xf32>, tensor<2x2xi64>) -> tensor<2x2x2xf32>
  return %0 : tensor<2x2x2xf32>
}

// -----

// CHECK-LABEL: func.func @gather_unknown_indices
// CHECK: quern.gather
func.func @gather_unknown_indices(%i: tensor<2xi64>) -> tensor<2xi64> {
  %shape = quern.constant dense<[2, 4, 8]> : tensor<3xi64>
  %0 = quern.gather %shape, %i axis = 0 : (tensor<3xi64>, tensor<2xi64>) -> tensor<2xi64>
  return %0 : tensor<2xi64>
}

// -----

// Splats fold whatever their size, into a splat: the exponent y - 1 of
// a Pow's gradient, so that the product reads no tensor of ones.
// CHECK-LABEL: func.func @sub_large_splats
// CHECK: %[[C:.+]] = quern.constant dense<1.000000e+00> : tensor<1x512x2048xf32>
// CHECK-NOT: quern.sub
// CHECK: return %[[C]]
func.func @sub_large_splats() -> tensor<1x512x2048xf32> {
  %y = quern.constant dense<2.0> : tensor<1x512x2048xf32>
  %one = quern.constant dense<1.0> : tensor<1x512x2048xf32>
  %0 = quern.sub %y, %one : tensor<1x512x2048xf32>
  return %0 : tensor<1x512x2048xf32>
}

