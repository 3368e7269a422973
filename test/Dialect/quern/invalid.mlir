// RUN: quern-opt %s -split-input-file -verify-diagnostics

// One case per verifier message of the quern dialect (QuernOps.cpp), then the
// constraints that types and traits check before the verifiers run.

//===----------------------------------------------------------------------===//
// quern.matmul
//===----------------------------------------------------------------------===//

func.func @matmul_rank_one(%a: tensor<3xf32>, %b: tensor<3xf32>) -> tensor<1xf32> {
  // expected-error @+1 {{'quern.matmul' op expects operands and result of one rank, at least 2}}
  %0 = quern.matmul %a, %b : tensor<3xf32>, tensor<3xf32> -> tensor<1xf32>
  return %0 : tensor<1xf32>
}

// -----

func.func @matmul_ranks_differ(%a: tensor<4x2x3xf32>, %b: tensor<3x5xf32>) -> tensor<4x2x5xf32> {
  // expected-error @+1 {{'quern.matmul' op expects operands and result of one rank, at least 2}}
  %0 = quern.matmul %a, %b : tensor<4x2x3xf32>, tensor<3x5xf32> -> tensor<4x2x5xf32>
  return %0 : tensor<4x2x5xf32>
}

// -----

func.func @matmul_result_rank(%a: tensor<2x3xf32>, %b: tensor<3x5xf32>) -> tensor<10xf32> {
  // expected-error @+1 {{'quern.matmul' op expects operands and result of one rank, at least 2}}
  %0 = quern.matmul %a, %b : tensor<2x3xf32>, tensor<3x5xf32> -> tensor<10xf32>
  return %0 : tensor<10xf32>
}

// -----

func.func @matmul_element_types(%a: tensor<2x3xf32>, %b: tensor<3x5xf16>) -> tensor<2x5xf32> {
  // expected-error @+1 {{'quern.matmul' op expects operands and result of one element type}}
  %0 = quern.matmul %a, %b : tensor<2x3xf32>, tensor<3x5xf16> -> tensor<2x5xf32>
  return %0 : tensor<2x5xf32>
}

// -----

func.func @matmul_result_element_type(%a: tensor<2x3xf32>, %b: tensor<3x5xf32>) -> tensor<2x5xf64> {
  // expected-error @+1 {{'quern.matmul' op expects operands and result of one element type}}
  %0 = quern.matmul %a, %b : tensor<2x3xf32>, tensor<3x5xf32> -> tensor<2x5xf64>
  return %0 : tensor<2x5xf64>
}

// -----

func.func @matmul_batch(%a: tensor<2x2x3xf32>, %b: tensor<3x3x5xf32>) -> tensor<2x2x5xf32> {
  // expected-error @+1 {{'quern.matmul' op expects equal batch dimensions, got [2] and [3]}}
  %0 = quern.matmul %a, %b : tensor<2x2x3xf32>, tensor<3x3x5xf32> -> tensor<2x2x5xf32>
  return %0 : tensor<2x2x5xf32>
}

// -----

func.func @matmul_contraction(%a: tensor<2x3xf32>, %b: tensor<4x5xf32>) -> tensor<2x5xf32> {
  // expected-error @+1 {{'quern.matmul' op contraction dimensions differ: 3 vs 4}}
  %0 = quern.matmul %a, %b : tensor<2x3xf32>, tensor<4x5xf32> -> tensor<2x5xf32>
  return %0 : tensor<2x5xf32>
}

// -----

// Without transpose_rhs the contraction dimension of %b is its first one.
func.func @matmul_contraction_missing_transpose(%a: tensor<1x784xf32>, %w: tensor<256x784xf32>) -> tensor<1x256xf32> {
  // expected-error @+1 {{'quern.matmul' op contraction dimensions differ: 784 vs 256}}
  %0 = quern.matmul %a, %w : tensor<1x784xf32>, tensor<256x784xf32> -> tensor<1x256xf32>
  return %0 : tensor<1x256xf32>
}

// -----

func.func @matmul_contraction_transpose_lhs(%a: tensor<2x3xf32>, %b: tensor<3x5xf32>) -> tensor<3x5xf32> {
  // expected-error @+1 {{'quern.matmul' op contraction dimensions differ: 2 vs 3}}
  %0 = quern.matmul %a, %b transpose_lhs : tensor<2x3xf32>, tensor<3x5xf32> -> tensor<3x5xf32>
  return %0 : tensor<3x5xf32>
}

// -----

func.func @matmul_result_shape(%a: tensor<2x3xf32>, %b: tensor<3x5xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{'quern.matmul' op expects result shape [2, 5], got [2, 4]}}
  %0 = quern.matmul %a, %b : tensor<2x3xf32>, tensor<3x5xf32> -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

func.func @matmul_batched_result_shape(%a: tensor<4x3x2xf32>, %b: tensor<4x5x3xf32>) -> tensor<4x5x2xf32> {
  // expected-error @+1 {{'quern.matmul' op expects result shape [4, 2, 5], got [4, 5, 2]}}
  %0 = quern.matmul %a, %b transpose_lhs transpose_rhs : tensor<4x3x2xf32>, tensor<4x5x3xf32> -> tensor<4x5x2xf32>
  return %0 : tensor<4x5x2xf32>
}

// -----

func.func @matmul_bias_element_type(%a: tensor<2x3xf32>, %b: tensor<3x5xf32>, %bias: tensor<5xf16>) -> tensor<2x5xf32> {
  // expected-error @+1 {{'quern.matmul' op expects bias of the result's element type}}
  %0 = quern.matmul %a, %b bias(%bias : tensor<5xf16>) : tensor<2x3xf32>, tensor<3x5xf32> -> tensor<2x5xf32>
  return %0 : tensor<2x5xf32>
}

// -----

func.func @matmul_bias_vector_length(%a: tensor<2x3xf32>, %b: tensor<3x5xf32>, %bias: tensor<2xf32>) -> tensor<2x5xf32> {
  // expected-error @+1 {{'quern.matmul' op expects bias of shape [5] or of the result's shape, got [2]}}
  %0 = quern.matmul %a, %b bias(%bias : tensor<2xf32>) : tensor<2x3xf32>, tensor<3x5xf32> -> tensor<2x5xf32>
  return %0 : tensor<2x5xf32>
}

// -----

// Broadcasting a bias is explicit: a [1, n] bias is neither [n] nor [m, n].
func.func @matmul_bias_row(%a: tensor<2x3xf32>, %b: tensor<3x5xf32>, %bias: tensor<1x5xf32>) -> tensor<2x5xf32> {
  // expected-error @+1 {{'quern.matmul' op expects bias of shape [5] or of the result's shape, got [1, 5]}}
  %0 = quern.matmul %a, %b bias(%bias : tensor<1x5xf32>) : tensor<2x3xf32>, tensor<3x5xf32> -> tensor<2x5xf32>
  return %0 : tensor<2x5xf32>
}

// -----

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

func.func @reduce_axis_too_large(%x: tensor<4x8xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'quern.reduce_sum' op axis 2 is out of range for rank 2}}
  %0 = quern.reduce_sum %x axes = [2] : tensor<4x8xf32> -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @reduce_axis_negative(%x: tensor<4x8xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'quern.reduce_mean' op axis -1 is out of range for rank 2}}
  %0 = quern.reduce_mean %x axes = [-1] : tensor<4x8xf32> -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @reduce_axes_descending(%x: tensor<2x3x4xf32>) -> tensor<3xf32> {
  // expected-error @+1 {{'quern.reduce_max' op expects strictly ascending axes}}
  %0 = quern.reduce_max %x axes = [2, 0] : tensor<2x3x4xf32> -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

func.func @reduce_axes_repeated(%x: tensor<4x8xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'quern.reduce_sum' op expects strictly ascending axes}}
  %0 = quern.reduce_sum %x axes = [1, 1] : tensor<4x8xf32> -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @reduce_result_keeps_dims(%x: tensor<4x8xf32>) -> tensor<4x1xf32> {
  // expected-error @+1 {{'quern.reduce_sum' op expects result shape [4], got [4, 1]}}
  %0 = quern.reduce_sum %x axes = [1] : tensor<4x8xf32> -> tensor<4x1xf32>
  return %0 : tensor<4x1xf32>
}

// -----

func.func @reduce_result_drops_dims(%x: tensor<4x8xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'quern.reduce_mean' op expects result shape [4, 1], got [4]}}
  %0 = quern.reduce_mean %x axes = [1] keep_dims : tensor<4x8xf32> -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @reduce_result_wrong_axis(%x: tensor<4x8xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'quern.reduce_max' op expects result shape [8], got [4]}}
  %0 = quern.reduce_max %x axes = [0] : tensor<4x8xf32> -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

//===----------------------------------------------------------------------===//
// Softmax family
//===----------------------------------------------------------------------===//

func.func @softmax_axis(%x: tensor<4x10xf32>) -> tensor<4x10xf32> {
  // expected-error @+1 {{'quern.softmax' op axis 2 is out of range for rank 2}}
  %0 = quern.softmax %x axis = 2 : tensor<4x10xf32>
  return %0 : tensor<4x10xf32>
}

// -----

func.func @log_softmax_negative_axis(%x: tensor<4x10xf32>) -> tensor<4x10xf32> {
  // expected-error @+1 {{'quern.log_softmax' op axis -1 is out of range for rank 2}}
  %0 = quern.log_softmax %x axis = -1 : tensor<4x10xf32>
  return %0 : tensor<4x10xf32>
}

// -----

func.func @softmax_scalar(%x: tensor<f32>) -> tensor<f32> {
  // expected-error @+1 {{'quern.softmax' op axis 0 is out of range for rank 0}}
  %0 = quern.softmax %x axis = 0 : tensor<f32>
  return %0 : tensor<f32>
}

// -----

//===----------------------------------------------------------------------===//
// Shape ops
//===----------------------------------------------------------------------===//

func.func @reshape_count(%x: tensor<4x8xf32>) -> tensor<30xf32> {
  // expected-error @+1 {{'quern.reshape' op cannot reshape 32 elements into 30}}
  %0 = quern.reshape %x : tensor<4x8xf32> -> tensor<30xf32>
  return %0 : tensor<30xf32>
}

// -----

func.func @transpose_perm_rank(%x: tensor<4x8xf32>) -> tensor<8x4xf32> {
  // expected-error @+1 {{'quern.transpose' op expects perm, input and result of one rank}}
  %0 = quern.transpose %x perm = [1, 0, 2] : tensor<4x8xf32> -> tensor<8x4xf32>
  return %0 : tensor<8x4xf32>
}

// -----

func.func @transpose_result_rank(%x: tensor<4x8xf32>) -> tensor<32xf32> {
  // expected-error @+1 {{'quern.transpose' op expects perm, input and result of one rank}}
  %0 = quern.transpose %x perm = [1, 0] : tensor<4x8xf32> -> tensor<32xf32>
  return %0 : tensor<32xf32>
}

// -----

func.func @transpose_perm_repeated(%x: tensor<4x8xf32>) -> tensor<4x4xf32> {
  // expected-error @+1 {{'quern.transpose' op perm [0, 0] is not a permutation of [0, 2)}}
  %0 = quern.transpose %x perm = [0, 0] : tensor<4x8xf32> -> tensor<4x4xf32>
  return %0 : tensor<4x4xf32>
}

// -----

func.func @transpose_perm_out_of_range(%x: tensor<4x8xf32>) -> tensor<8x4xf32> {
  // expected-error @+1 {{'quern.transpose' op perm [2, 0] is not a permutation of [0, 2)}}
  %0 = quern.transpose %x perm = [2, 0] : tensor<4x8xf32> -> tensor<8x4xf32>
  return %0 : tensor<8x4xf32>
}

// -----

func.func @transpose_result_dim(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'quern.transpose' op expects result dimension 0 to be 8, got 4}}
  %0 = quern.transpose %x perm = [1, 0] : tensor<4x8xf32> -> tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

func.func @broadcast_rank(%x: tensor<4x8xf32>) -> tensor<8xf32> {
  // expected-error @+1 {{'quern.broadcast' op cannot broadcast rank 2 to the lower rank 1}}
  %0 = quern.broadcast %x : tensor<4x8xf32> -> tensor<8xf32>
  return %0 : tensor<8xf32>
}

// -----

func.func @broadcast_shape(%x: tensor<3xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'quern.broadcast' op cannot broadcast [3] to [4, 8]}}
  %0 = quern.broadcast %x : tensor<3xf32> -> tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

// Shapes are aligned at the last dimension, not the first.
func.func @broadcast_leading_alignment(%x: tensor<4xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'quern.broadcast' op cannot broadcast [4] to [4, 8]}}
  %0 = quern.broadcast %x : tensor<4xf32> -> tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

//===----------------------------------------------------------------------===//
// Type and trait constraints
//===----------------------------------------------------------------------===//

func.func @exp_integer(%x: tensor<4xi32>) -> tensor<4xi32> {
  // expected-error @+1 {{'quern.exp' op operand #0 must be statically shaped tensor of floating-point values, but got 'tensor<4xi32>'}}
  %0 = quern.exp %x : tensor<4xi32>
  return %0 : tensor<4xi32>
}

// -----

func.func @exp_dynamic(%x: tensor<?x8xf32>) -> tensor<?x8xf32> {
  // expected-error @+1 {{'quern.exp' op operand #0 must be statically shaped tensor of floating-point values, but got 'tensor<?x8xf32>'}}
  %0 = quern.exp %x : tensor<?x8xf32>
  return %0 : tensor<?x8xf32>
}

// -----

// The custom syntax cannot even spell an unranked tensor; the generic form
// reaches the operand's type constraint.
func.func @reshape_unranked(%x: tensor<*xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'quern.reshape' op operand #0 must be statically shaped tensor of any type values, but got 'tensor<*xf32>'}}
  %0 = "quern.reshape"(%x) : (tensor<*xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @add_mismatched(%x: tensor<4x8xf32>, %y: tensor<8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'quern.add' op all non-scalar operands/results must have the same shape and base type}}
  %0 = "quern.add"(%x, %y) : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

func.func @mul_element_types(%x: tensor<4xf32>, %y: tensor<4xf16>) -> tensor<4xf32> {
  // expected-error @+1 {{'quern.mul' op requires the same type for all operands and results}}
  %0 = "quern.mul"(%x, %y) : (tensor<4xf32>, tensor<4xf16>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @softmax_result_type(%x: tensor<4x10xf32>) -> tensor<4x10xf16> {
  // expected-error @+1 {{'quern.softmax' op requires the same type for all operands and results}}
  %0 = "quern.softmax"(%x) {axis = 1 : i64} : (tensor<4x10xf32>) -> tensor<4x10xf16>
  return %0 : tensor<4x10xf16>
}

// -----

func.func @reduce_element_type(%x: tensor<4x8xf32>) -> tensor<4xf16> {
  // expected-error @+1 {{'quern.reduce_sum' op requires the same element type for all operands and results}}
  %0 = quern.reduce_sum %x axes = [1] : tensor<4x8xf32> -> tensor<4xf16>
  return %0 : tensor<4xf16>
}

// -----

func.func @reshape_element_type(%x: tensor<4x8xf32>) -> tensor<32xi32> {
  // expected-error @+1 {{'quern.reshape' op requires the same element type for all operands and results}}
  %0 = quern.reshape %x : tensor<4x8xf32> -> tensor<32xi32>
  return %0 : tensor<32xi32>
}

// -----

func.func @matmul_integer_bias(%a: tensor<2x3xf32>, %b: tensor<3x5xf32>, %bias: tensor<5xi32>) -> tensor<2x5xf32> {
  // expected-error @+1 {{'quern.matmul' op operand #2 must be statically shaped tensor of floating-point values, but got 'tensor<5xi32>'}}
  %0 = quern.matmul %a, %b bias(%bias : tensor<5xi32>) : tensor<2x3xf32>, tensor<3x5xf32> -> tensor<2x5xf32>
  return %0 : tensor<2x5xf32>
}

// -----

func.func @constant_type_mismatch() -> tensor<4xf32> {
  // expected-error @+1 {{'quern.constant' op failed to verify that all of {value, result} have same type}}
  %0 = "quern.constant"() {value = dense<1.0> : tensor<3xf32>} : () -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @reduce_missing_axes(%x: tensor<4x8xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'quern.reduce_sum' op requires attribute 'axes'}}
  %0 = "quern.reduce_sum"(%x) : (tensor<4x8xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}
