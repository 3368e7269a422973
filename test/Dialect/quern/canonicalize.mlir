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
