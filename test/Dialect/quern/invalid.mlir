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

func.func @concat_no_inputs() -> tensor<0xf32> {
  // expected-error @+1 {{'quern.concat' op expects at least one input}}
  %0 = "quern.concat"() {axis = 0 : i64} : () -> tensor<0xf32>
  return %0 : tensor<0xf32>
}

// -----

func.func @concat_axis(%a: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{'quern.concat' op axis 2 is out of range for rank 2}}
  %0 = quern.concat %a axis = 2 : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @concat_input_rank(%a: tensor<2x3xf32>, %b: tensor<3xf32>) -> tensor<2x6xf32> {
  // expected-error @+1 {{'quern.concat' op expects inputs of the result's rank and element type}}
  %0 = quern.concat %a, %b axis = 1 : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x6xf32>
  return %0 : tensor<2x6xf32>
}

// -----

func.func @concat_input_element_type(%a: tensor<2x3xf32>, %b: tensor<2x3xf16>) -> tensor<2x6xf32> {
  // expected-error @+1 {{'quern.concat' op expects inputs of the result's rank and element type}}
  %0 = quern.concat %a, %b axis = 1 : (tensor<2x3xf32>, tensor<2x3xf16>) -> tensor<2x6xf32>
  return %0 : tensor<2x6xf32>
}

// -----

func.func @concat_other_dimension(%a: tensor<2x3xf32>, %b: tensor<4x3xf32>) -> tensor<2x6xf32> {
  // expected-error @+1 {{'quern.concat' op expects inputs to agree with the result outside dimension 1}}
  %0 = quern.concat %a, %b axis = 1 : (tensor<2x3xf32>, tensor<4x3xf32>) -> tensor<2x6xf32>
  return %0 : tensor<2x6xf32>
}

// -----

func.func @concat_total(%a: tensor<2x3xf32>, %b: tensor<2x5xf32>) -> tensor<2x9xf32> {
  // expected-error @+1 {{'quern.concat' op expects result dimension 1 to be 8}}
  %0 = quern.concat %a, %b axis = 1 : (tensor<2x3xf32>, tensor<2x5xf32>) -> tensor<2x9xf32>
  return %0 : tensor<2x9xf32>
}

// -----

func.func @slice_rank(%x: tensor<4x8xf32>) -> tensor<4x4xf32> {
  // expected-error @+1 {{'quern.slice' op expects offsets, strides, input and result of one rank}}
  %0 = quern.slice %x offsets = [0] strides = [1, 2] : tensor<4x8xf32> -> tensor<4x4xf32>
  return %0 : tensor<4x4xf32>
}

// -----

func.func @slice_result_rank(%x: tensor<4x8xf32>) -> tensor<32xf32> {
  // expected-error @+1 {{'quern.slice' op expects offsets, strides, input and result of one rank}}
  %0 = quern.slice %x offsets = [0, 0] strides = [1, 1] : tensor<4x8xf32> -> tensor<32xf32>
  return %0 : tensor<32xf32>
}

// -----

func.func @slice_zero_stride(%x: tensor<4x8xf32>) -> tensor<4x1xf32> {
  // expected-error @+1 {{'quern.slice' op stride of dimension 1 is 0}}
  %0 = quern.slice %x offsets = [0, 0] strides = [1, 0] : tensor<4x8xf32> -> tensor<4x1xf32>
  return %0 : tensor<4x1xf32>
}

// -----

// The last element of the window, 2 + 3 * 2 = 8, is past the end.
func.func @slice_window_past_end(%x: tensor<4x8xf32>) -> tensor<4x4xf32> {
  // expected-error @+1 {{'quern.slice' op window of dimension 1 (offset 2, stride 2, size 4) leaves [0, 8)}}
  %0 = quern.slice %x offsets = [0, 2] strides = [1, 2] : tensor<4x8xf32> -> tensor<4x4xf32>
  return %0 : tensor<4x4xf32>
}

// -----

// Backwards from 2 with step -1, four elements would reach -1.
func.func @slice_window_before_start(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'quern.slice' op window of dimension 0 (offset 2, stride -1, size 4) leaves [0, 4)}}
  %0 = quern.slice %x offsets = [2, 0] strides = [-1, 1] : tensor<4x8xf32> -> tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

func.func @slice_offset_negative(%x: tensor<4xf32>) -> tensor<1xf32> {
  // expected-error @+1 {{'quern.slice' op window of dimension 0 (offset -1, stride 1, size 1) leaves [0, 4)}}
  %0 = quern.slice %x offsets = [-1] strides = [1] : tensor<4xf32> -> tensor<1xf32>
  return %0 : tensor<1xf32>
}

// -----

func.func @slice_element_type(%x: tensor<4xf32>) -> tensor<4xf16> {
  // expected-error @+1 {{'quern.slice' op requires the same element type for all operands and results}}
  %0 = quern.slice %x offsets = [0] strides = [1] : tensor<4xf32> -> tensor<4xf16>
  return %0 : tensor<4xf16>
}

// -----

func.func @insert_slice_rank(%s: tensor<4xf32>, %d: tensor<4x8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'quern.insert_slice' op expects offsets, strides, source and dest of one rank}}
  %0 = quern.insert_slice %s into %d offsets = [0, 0] strides = [1, 1] : tensor<4xf32> into tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

func.func @insert_slice_element_type(%s: tensor<4x3xf16>, %d: tensor<4x8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'quern.insert_slice' op expects source and dest of one element type}}
  %0 = quern.insert_slice %s into %d offsets = [0, 0] strides = [1, 1] : tensor<4x3xf16> into tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

// Unlike quern.slice, insert_slice takes no negative strides.
func.func @insert_slice_negative_stride(%s: tensor<4x3xf32>, %d: tensor<4x8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'quern.insert_slice' op stride of dimension 1 is not positive}}
  %0 = quern.insert_slice %s into %d offsets = [0, 7] strides = [1, -2] : tensor<4x3xf32> into tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

// The last element of the window, 4 + 2 * 2 = 8, is past the end of dest.
func.func @insert_slice_window_past_end(%s: tensor<4x3xf32>, %d: tensor<4x8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'quern.insert_slice' op window of dimension 1 (offset 4, stride 2, size 3) leaves [0, 8)}}
  %0 = quern.insert_slice %s into %d offsets = [0, 4] strides = [1, 2] : tensor<4x3xf32> into tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

//===----------------------------------------------------------------------===//
// quern.einsum
//===----------------------------------------------------------------------===//

func.func @einsum_implicit(%a: tensor<2x3xf32>, %b: tensor<3x4xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{'quern.einsum' op expects an explicit equation of letters such as "ij,jk->ik", got "ij,jk"}}
  %0 = quern.einsum "ij,jk" %a, %b : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

// The importer expands ONNX's ellipsis; the op never sees one.
func.func @einsum_ellipsis(%a: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{'quern.einsum' op expects an explicit equation of letters such as "ij,jk->ik", got "...i->...i"}}
  %0 = quern.einsum "...i->...i" %a : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @einsum_two_arrows(%a: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{'quern.einsum' op expects an explicit equation of letters such as "ij,jk->ik", got "ij->ij->ij"}}
  %0 = quern.einsum "ij->ij->ij" %a : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @einsum_operand_count(%a: tensor<2x3xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{'quern.einsum' op equation names 2 operands, got 1}}
  %0 = quern.einsum "ij,jk->ik" %a : (tensor<2x3xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

func.func @einsum_element_types(%a: tensor<2x3xf32>, %b: tensor<3x4xf16>) -> tensor<2x4xf32> {
  // expected-error @+1 {{'quern.einsum' op expects operands and result of one element type}}
  %0 = quern.einsum "ij,jk->ik" %a, %b : (tensor<2x3xf32>, tensor<3x4xf16>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

func.func @einsum_result_element_type(%a: tensor<2x3xi32>) -> tensor<2xi64> {
  // expected-error @+1 {{'quern.einsum' op expects operands and result of one element type}}
  %0 = quern.einsum "ij->i" %a : (tensor<2x3xi32>) -> tensor<2xi64>
  return %0 : tensor<2xi64>
}

// -----

func.func @einsum_operand_rank(%a: tensor<2x3x4xf32>, %b: tensor<3x4xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{'quern.einsum' op operand subscripts 'ij' do not match rank 3}}
  %0 = quern.einsum "ij,jk->ik" %a, %b : (tensor<2x3x4xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

func.func @einsum_extents(%a: tensor<2x3xf32>, %b: tensor<5x4xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{'quern.einsum' op dimension 'j' has two different extents}}
  %0 = quern.einsum "ij,jk->ik" %a, %b : (tensor<2x3xf32>, tensor<5x4xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

// A diagonal needs a square operand.
func.func @einsum_diagonal_not_square(%a: tensor<2x3xf32>) -> tensor<2xf32> {
  // expected-error @+1 {{'quern.einsum' op dimension 'i' has two different extents}}
  %0 = quern.einsum "ii->i" %a : (tensor<2x3xf32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

func.func @einsum_result_rank(%a: tensor<2x3xf32>, %b: tensor<3x4xf32>) -> tensor<2xf32> {
  // expected-error @+1 {{'quern.einsum' op result subscripts 'ik' do not match rank 1}}
  %0 = quern.einsum "ij,jk->ik" %a, %b : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

// A letter twice in the result would leave all but a diagonal of it unwritten
// (numpy rejects it too).
func.func @einsum_result_repeats(%a: tensor<3x3xf32>) -> tensor<3x3xf32> {
  // expected-error @+1 {{'quern.einsum' op result subscripts 'ii' repeat 'i'}}
  %0 = quern.einsum "ij->ii" %a : (tensor<3x3xf32>) -> tensor<3x3xf32>
  return %0 : tensor<3x3xf32>
}

// -----

func.func @einsum_result_letter_unknown(%a: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{'quern.einsum' op result dimension 'z' appears in no operand}}
  %0 = quern.einsum "ij->iz" %a : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @einsum_result_extent(%a: tensor<2x3xf32>, %b: tensor<3x4xf32>) -> tensor<2x5xf32> {
  // expected-error @+1 {{'quern.einsum' op result dimension 'k' has extent 5, operands say 4}}
  %0 = quern.einsum "ij,jk->ik" %a, %b : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<2x5xf32>
  return %0 : tensor<2x5xf32>
}

// -----

//===----------------------------------------------------------------------===//
// quern.layer_norm and quern.nll_loss
//===----------------------------------------------------------------------===//

func.func @layer_norm_axis(%x: tensor<2x4xf32>, %g: tensor<4xf32>)
    -> (tensor<2x4xf32>, tensor<2x1xf32>, tensor<2x1xf32>) {
  // expected-error @+1 {{'quern.layer_norm' op axis 2 is out of range for rank 2}}
  %y, %m, %s = quern.layer_norm %x, %g axis = 2 epsilon = 1.0e-5
      : (tensor<2x4xf32>, tensor<4xf32>) -> (tensor<2x4xf32>, tensor<2x1xf32>, tensor<2x1xf32>)
  return %y, %m, %s : tensor<2x4xf32>, tensor<2x1xf32>, tensor<2x1xf32>
}

// -----

func.func @layer_norm_negative_axis(%x: tensor<2x4xf32>, %g: tensor<4xf32>)
    -> (tensor<2x4xf32>, tensor<2x1xf32>, tensor<2x1xf32>) {
  // expected-error @+1 {{'quern.layer_norm' op axis -1 is out of range for rank 2}}
  %y, %m, %s = quern.layer_norm %x, %g axis = -1 epsilon = 1.0e-5
      : (tensor<2x4xf32>, tensor<4xf32>) -> (tensor<2x4xf32>, tensor<2x1xf32>, tensor<2x1xf32>)
  return %y, %m, %s : tensor<2x4xf32>, tensor<2x1xf32>, tensor<2x1xf32>
}

// -----

// The scale covers every normalized dimension: [3, 4] from axis 1, not [4].
func.func @layer_norm_scale_shape(%x: tensor<2x3x4xf32>, %g: tensor<4xf32>)
    -> (tensor<2x3x4xf32>, tensor<2x1x1xf32>, tensor<2x1x1xf32>) {
  // expected-error @+1 {{'quern.layer_norm' op expects scale and bias of shape [3, 4] and the input's element type}}
  %y, %m, %s = quern.layer_norm %x, %g axis = 1 epsilon = 1.0e-5
      : (tensor<2x3x4xf32>, tensor<4xf32>) -> (tensor<2x3x4xf32>, tensor<2x1x1xf32>, tensor<2x1x1xf32>)
  return %y, %m, %s : tensor<2x3x4xf32>, tensor<2x1x1xf32>, tensor<2x1x1xf32>
}

// -----

func.func @layer_norm_bias_element_type(%x: tensor<2x4xf32>, %g: tensor<4xf32>, %b: tensor<4xf16>)
    -> (tensor<2x4xf32>, tensor<2x1xf32>, tensor<2x1xf32>) {
  // expected-error @+1 {{'quern.layer_norm' op expects scale and bias of shape [4] and the input's element type}}
  %y, %m, %s = quern.layer_norm %x, %g, %b axis = 1 epsilon = 1.0e-5
      : (tensor<2x4xf32>, tensor<4xf32>, tensor<4xf16>) -> (tensor<2x4xf32>, tensor<2x1xf32>, tensor<2x1xf32>)
  return %y, %m, %s : tensor<2x4xf32>, tensor<2x1xf32>, tensor<2x1xf32>
}

// -----

func.func @layer_norm_result_type(%x: tensor<2x4xf32>, %g: tensor<4xf32>)
    -> (tensor<4x2xf32>, tensor<2x1xf32>, tensor<2x1xf32>) {
  // expected-error @+1 {{'quern.layer_norm' op expects a result of the input's type}}
  %y, %m, %s = quern.layer_norm %x, %g axis = 1 epsilon = 1.0e-5
      : (tensor<2x4xf32>, tensor<4xf32>) -> (tensor<4x2xf32>, tensor<2x1xf32>, tensor<2x1xf32>)
  return %y, %m, %s : tensor<4x2xf32>, tensor<2x1xf32>, tensor<2x1xf32>
}

// -----

// The statistics keep the normalized dimensions as ones.
func.func @layer_norm_stats_shape(%x: tensor<2x4xf32>, %g: tensor<4xf32>)
    -> (tensor<2x4xf32>, tensor<2xf32>, tensor<2xf32>) {
  // expected-error @+1 {{'quern.layer_norm' op expects mean and inv_std of shape [2, 1] and the input's element type}}
  %y, %m, %s = quern.layer_norm %x, %g axis = 1 epsilon = 1.0e-5
      : (tensor<2x4xf32>, tensor<4xf32>) -> (tensor<2x4xf32>, tensor<2xf32>, tensor<2xf32>)
  return %y, %m, %s : tensor<2x4xf32>, tensor<2xf32>, tensor<2xf32>
}

// -----

// Statistics of another element type could not be produced by the lowering.
func.func @layer_norm_stats_element_type(%x: tensor<2x4xf32>, %g: tensor<4xf32>)
    -> (tensor<2x4xf32>, tensor<2x1xf32>, tensor<2x1xf16>) {
  // expected-error @+1 {{'quern.layer_norm' op expects mean and inv_std of shape [2, 1] and the input's element type}}
  %y, %m, %s = quern.layer_norm %x, %g axis = 1 epsilon = 1.0e-5
      : (tensor<2x4xf32>, tensor<4xf32>) -> (tensor<2x4xf32>, tensor<2x1xf32>, tensor<2x1xf16>)
  return %y, %m, %s : tensor<2x4xf32>, tensor<2x1xf32>, tensor<2x1xf16>
}

// -----

func.func @nll_loss_input_rank(%x: tensor<10xf32>, %t: tensor<1xi64>) -> tensor<f32> {
  // expected-error @+1 {{'quern.nll_loss' op expects input of shape [N, C, d...]}}
  %0 = quern.nll_loss %x, %t reduction = mean : (tensor<10xf32>, tensor<1xi64>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

func.func @nll_loss_target_shape(%x: tensor<8x10xf32>, %t: tensor<8x10xi64>) -> tensor<f32> {
  // expected-error @+1 {{'quern.nll_loss' op expects target of shape [8], got [8, 10]}}
  %0 = quern.nll_loss %x, %t reduction = mean : (tensor<8x10xf32>, tensor<8x10xi64>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

// The class dimension is dropped from the target, the others stay.
func.func @nll_loss_target_spatial(%x: tensor<2x5x3xf32>, %t: tensor<2x5xi64>) -> tensor<f32> {
  // expected-error @+1 {{'quern.nll_loss' op expects target of shape [2, 3], got [2, 5]}}
  %0 = quern.nll_loss %x, %t reduction = sum : (tensor<2x5x3xf32>, tensor<2x5xi64>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

func.func @nll_loss_weight_shape(%x: tensor<8x10xf32>, %t: tensor<8xi64>, %w: tensor<8xf32>) -> tensor<f32> {
  // expected-error @+1 {{'quern.nll_loss' op expects weight of shape [10] and the input's element type}}
  %0 = quern.nll_loss %x, %t, %w reduction = mean : (tensor<8x10xf32>, tensor<8xi64>, tensor<8xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

func.func @nll_loss_weight_element_type(%x: tensor<8x10xf32>, %t: tensor<8xi64>, %w: tensor<10xf16>) -> tensor<f32> {
  // expected-error @+1 {{'quern.nll_loss' op expects weight of shape [10] and the input's element type}}
  %0 = quern.nll_loss %x, %t, %w reduction = mean : (tensor<8x10xf32>, tensor<8xi64>, tensor<10xf16>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

func.func @nll_loss_reduced_result_shape(%x: tensor<8x10xf32>, %t: tensor<8xi64>) -> tensor<8xf32> {
  // expected-error @+1 {{'quern.nll_loss' op expects a result of shape []}}
  %0 = quern.nll_loss %x, %t reduction = sum : (tensor<8x10xf32>, tensor<8xi64>) -> tensor<8xf32>
  return %0 : tensor<8xf32>
}

// -----

func.func @nll_loss_per_position_result_shape(%x: tensor<8x10xf32>, %t: tensor<8xi64>) -> tensor<f32> {
  // expected-error @+1 {{'quern.nll_loss' op expects a result of shape [8]}}
  %0 = quern.nll_loss %x, %t reduction = none : (tensor<8x10xf32>, tensor<8xi64>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

func.func @nll_loss_result_element_type(%x: tensor<8x10xf32>, %t: tensor<8xi64>) -> tensor<f64> {
  // expected-error @+1 {{'quern.nll_loss' op expects a result of the input's element type}}
  %0 = quern.nll_loss %x, %t reduction = mean : (tensor<8x10xf32>, tensor<8xi64>) -> tensor<f64>
  return %0 : tensor<f64>
}

// -----

//===----------------------------------------------------------------------===//
// Indexing ops
//===----------------------------------------------------------------------===//

func.func @gather_axis(%x: tensor<4x8xf32>, %i: tensor<3xi64>) -> tensor<4x3xf32> {
  // expected-error @+1 {{'quern.gather' op axis 2 is out of range for rank 2}}
  %0 = quern.gather %x, %i axis = 2 : (tensor<4x8xf32>, tensor<3xi64>) -> tensor<4x3xf32>
  return %0 : tensor<4x3xf32>
}

// -----

func.func @gather_result_shape(%x: tensor<4x8xf32>, %i: tensor<2x3xi64>) -> tensor<4x3xf32> {
  // expected-error @+1 {{'quern.gather' op expects result shape [4, 2, 3] of the data's element type}}
  %0 = quern.gather %x, %i axis = 1 : (tensor<4x8xf32>, tensor<2x3xi64>) -> tensor<4x3xf32>
  return %0 : tensor<4x3xf32>
}

// -----

func.func @gather_result_element_type(%x: tensor<4x8xf32>, %i: tensor<3xi64>) -> tensor<3x8xi64> {
  // expected-error @+1 {{'quern.gather' op expects result shape [3, 8] of the data's element type}}
  %0 = quern.gather %x, %i axis = 0 : (tensor<4x8xf32>, tensor<3xi64>) -> tensor<3x8xi64>
  return %0 : tensor<3x8xi64>
}

// -----

func.func @gather_elements_axis(%x: tensor<3x4xf32>, %i: tensor<3x2xi64>) -> tensor<3x2xf32> {
  // expected-error @+1 {{'quern.gather_elements' op axis -1 is out of range for rank 2}}
  %0 = quern.gather_elements %x, %i axis = -1 : (tensor<3x4xf32>, tensor<3x2xi64>) -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}

// -----

func.func @gather_elements_rank(%x: tensor<3x4xf32>, %i: tensor<6xi64>) -> tensor<6xf32> {
  // expected-error @+1 {{'quern.gather_elements' op expects indices of the data's rank and a result of its element type}}
  %0 = quern.gather_elements %x, %i axis = 1 : (tensor<3x4xf32>, tensor<6xi64>) -> tensor<6xf32>
  return %0 : tensor<6xf32>
}

// -----

func.func @gather_elements_element_type(%x: tensor<3x4xf32>, %i: tensor<3x2xi64>) -> tensor<3x2xf16> {
  // expected-error @+1 {{'quern.gather_elements' op expects indices of the data's rank and a result of its element type}}
  %0 = quern.gather_elements %x, %i axis = 1 : (tensor<3x4xf32>, tensor<3x2xi64>) -> tensor<3x2xf16>
  return %0 : tensor<3x2xf16>
}

// -----

// Outside the axis an index position is a data position: row 4 of 3 rows
// would be read out of bounds.
func.func @gather_elements_beyond_data(%x: tensor<3x4xf32>, %i: tensor<5x2xi64>) -> tensor<5x2xf32> {
  // expected-error @+1 {{'quern.gather_elements' op expects indices of shape [5, 2] to fit in data of shape [3, 4] outside dimension 1}}
  %0 = quern.gather_elements %x, %i axis = 1 : (tensor<3x4xf32>, tensor<5x2xi64>) -> tensor<5x2xf32>
  return %0 : tensor<5x2xf32>
}

// -----

func.func @gather_elements_shapes(%x: tensor<3x4xf32>, %i: tensor<3x2xi64>) -> tensor<3x3xf32> {
  // expected-error @+1 {{'quern.gather_elements' op failed to verify that all of {indices, result} have same shape}}
  %0 = quern.gather_elements %x, %i axis = 1 : (tensor<3x4xf32>, tensor<3x2xi64>) -> tensor<3x3xf32>
  return %0 : tensor<3x3xf32>
}

// -----

func.func @scatter_elements_axis(%x: tensor<3x4xf32>, %i: tensor<3x2xi64>, %u: tensor<3x2xf32>) -> tensor<3x4xf32> {
  // expected-error @+1 {{'quern.scatter_elements' op axis 2 is out of range for rank 2}}
  %0 = quern.scatter_elements %x, %i, %u axis = 2 reduction = none
      : (tensor<3x4xf32>, tensor<3x2xi64>, tensor<3x2xf32>) -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

// -----

func.func @scatter_elements_rank(%x: tensor<3x4xf32>, %i: tensor<6xi64>, %u: tensor<6xf32>) -> tensor<3x4xf32> {
  // expected-error @+1 {{'quern.scatter_elements' op expects updates of the data's rank and element type}}
  %0 = quern.scatter_elements %x, %i, %u axis = 0 reduction = none
      : (tensor<3x4xf32>, tensor<6xi64>, tensor<6xf32>) -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

// -----

func.func @scatter_elements_element_type(%x: tensor<3x4xf32>, %i: tensor<3x2xi64>, %u: tensor<3x2xf16>) -> tensor<3x4xf32> {
  // expected-error @+1 {{'quern.scatter_elements' op expects updates of the data's rank and element type}}
  %0 = quern.scatter_elements %x, %i, %u axis = 1 reduction = add
      : (tensor<3x4xf32>, tensor<3x2xi64>, tensor<3x2xf16>) -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

// -----

// Outside the axis an update position is a data position: row 3 of 3 rows
// would be written out of bounds.
func.func @scatter_elements_beyond_data(%x: tensor<3x4xf32>, %i: tensor<4x2xi64>, %u: tensor<4x2xf32>) -> tensor<3x4xf32> {
  // expected-error @+1 {{'quern.scatter_elements' op expects indices of shape [4, 2] to fit in data of shape [3, 4] outside dimension 1}}
  %0 = quern.scatter_elements %x, %i, %u axis = 1 reduction = none
      : (tensor<3x4xf32>, tensor<4x2xi64>, tensor<4x2xf32>) -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

// -----

func.func @scatter_elements_updates_shape(%x: tensor<3x4xf32>, %i: tensor<3x2xi64>, %u: tensor<3x1xf32>) -> tensor<3x4xf32> {
  // expected-error @+1 {{'quern.scatter_elements' op failed to verify that all of {indices, updates} have same shape}}
  %0 = quern.scatter_elements %x, %i, %u axis = 1 reduction = none
      : (tensor<3x4xf32>, tensor<3x2xi64>, tensor<3x1xf32>) -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

// -----

func.func @scatter_nd_scalar_indices(%x: tensor<8xf32>, %i: tensor<i64>, %u: tensor<f32>) -> tensor<8xf32> {
  // expected-error @+1 {{'quern.scatter_nd' op expects indices of rank at least 1}}
  %0 = quern.scatter_nd %x, %i, %u reduction = none : (tensor<8xf32>, tensor<i64>, tensor<f32>) -> tensor<8xf32>
  return %0 : tensor<8xf32>
}

// -----

func.func @scatter_nd_tuple_too_long(%x: tensor<8xf32>, %i: tensor<4x2xi64>, %u: tensor<4xf32>) -> tensor<8xf32> {
  // expected-error @+1 {{'quern.scatter_nd' op index tuples of length 2 do not fit data of rank 1}}
  %0 = quern.scatter_nd %x, %i, %u reduction = none : (tensor<8xf32>, tensor<4x2xi64>, tensor<4xf32>) -> tensor<8xf32>
  return %0 : tensor<8xf32>
}

// -----

func.func @scatter_nd_empty_tuple(%x: tensor<8xf32>, %i: tensor<4x0xi64>, %u: tensor<4x8xf32>) -> tensor<8xf32> {
  // expected-error @+1 {{'quern.scatter_nd' op index tuples of length 0 do not fit data of rank 1}}
  %0 = quern.scatter_nd %x, %i, %u reduction = none : (tensor<8xf32>, tensor<4x0xi64>, tensor<4x8xf32>) -> tensor<8xf32>
  return %0 : tensor<8xf32>
}

// -----

// Tuples of length 1 into [4, 5] name rows: the updates are [2, 5].
func.func @scatter_nd_updates_shape(%x: tensor<4x5xf32>, %i: tensor<2x1xi64>, %u: tensor<2xf32>) -> tensor<4x5xf32> {
  // expected-error @+1 {{'quern.scatter_nd' op expects updates of shape [2, 5] and the data's element type}}
  %0 = quern.scatter_nd %x, %i, %u reduction = add : (tensor<4x5xf32>, tensor<2x1xi64>, tensor<2xf32>) -> tensor<4x5xf32>
  return %0 : tensor<4x5xf32>
}

// -----

func.func @scatter_nd_updates_element_type(%x: tensor<8xf32>, %i: tensor<4x1xi64>, %u: tensor<4xf64>) -> tensor<8xf32> {
  // expected-error @+1 {{'quern.scatter_nd' op expects updates of shape [4] and the data's element type}}
  %0 = quern.scatter_nd %x, %i, %u reduction = none : (tensor<8xf32>, tensor<4x1xi64>, tensor<4xf64>) -> tensor<8xf32>
  return %0 : tensor<8xf32>
}

// -----

func.func @topk_axis(%x: tensor<8x4xf32>) -> (tensor<8x2xf32>, tensor<8x2xi64>) {
  // expected-error @+1 {{'quern.topk' op axis 2 is out of range for rank 2}}
  %v, %i = quern.topk %x k = 2 axis = 2 : tensor<8x4xf32> -> (tensor<8x2xf32>, tensor<8x2xi64>)
  return %v, %i : tensor<8x2xf32>, tensor<8x2xi64>
}

// -----

func.func @topk_k_too_large(%x: tensor<8x4xf32>) -> (tensor<8x5xf32>, tensor<8x5xi64>) {
  // expected-error @+1 {{'quern.topk' op k = 5 is out of range for dimension 1 of size 4}}
  %v, %i = quern.topk %x k = 5 axis = 1 : tensor<8x4xf32> -> (tensor<8x5xf32>, tensor<8x5xi64>)
  return %v, %i : tensor<8x5xf32>, tensor<8x5xi64>
}

// -----

func.func @topk_k_negative(%x: tensor<8x4xf32>) -> (tensor<8x4xf32>, tensor<8x4xi64>) {
  // expected-error @+1 {{'quern.topk' op k = -1 is out of range for dimension 1 of size 4}}
  %v, %i = quern.topk %x k = -1 axis = 1 : tensor<8x4xf32> -> (tensor<8x4xf32>, tensor<8x4xi64>)
  return %v, %i : tensor<8x4xf32>, tensor<8x4xi64>
}

// -----

func.func @topk_values_shape(%x: tensor<8x4xf32>) -> (tensor<2x4xf32>, tensor<8x2xi64>) {
  // expected-error @+1 {{'quern.topk' op expects values and indices of shape [8, 2]}}
  %v, %i = quern.topk %x k = 2 axis = 1 : tensor<8x4xf32> -> (tensor<2x4xf32>, tensor<8x2xi64>)
  return %v, %i : tensor<2x4xf32>, tensor<8x2xi64>
}

// -----

func.func @topk_indices_shape(%x: tensor<8x4xf32>) -> (tensor<8x2xf32>, tensor<8x4xi64>) {
  // expected-error @+1 {{'quern.topk' op expects values and indices of shape [8, 2]}}
  %v, %i = quern.topk %x k = 2 axis = 1 : tensor<8x4xf32> -> (tensor<8x2xf32>, tensor<8x4xi64>)
  return %v, %i : tensor<8x2xf32>, tensor<8x4xi64>
}

// -----

func.func @topk_values_element_type(%x: tensor<8x4xf32>) -> (tensor<8x2xf16>, tensor<8x2xi64>) {
  // expected-error @+1 {{'quern.topk' op expects values and indices of shape [8, 2]}}
  %v, %i = quern.topk %x k = 2 axis = 1 : tensor<8x4xf32> -> (tensor<8x2xf16>, tensor<8x2xi64>)
  return %v, %i : tensor<8x2xf16>, tensor<8x2xi64>
}

// -----

func.func @topk_indices_i32(%x: tensor<8x4xf32>) -> (tensor<8x2xf32>, tensor<8x2xi32>) {
  // expected-error @+1 {{'quern.topk' op result #1 must be statically shaped tensor of 64-bit signless integer values, but got 'tensor<8x2xi32>'}}
  %v, %i = quern.topk %x k = 2 axis = 1 : tensor<8x4xf32> -> (tensor<8x2xf32>, tensor<8x2xi32>)
  return %v, %i : tensor<8x2xf32>, tensor<8x2xi32>
}

// -----

func.func @trilu_vector(%x: tensor<8xf32>) -> tensor<8xf32> {
  // expected-error @+1 {{'quern.trilu' op expects a tensor of rank at least 2}}
  %0 = quern.trilu %x k = 0 : tensor<8xf32>
  return %0 : tensor<8xf32>
}

// -----

func.func @dropout_ratio_one(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xi1>) {
  // expected-error @+1 {{'quern.dropout' op ratio 1.000000e+00 is not in [0, 1)}}
  %y, %m = quern.dropout %x ratio = 1.0 seed = 0 : tensor<4xf32> -> tensor<4xi1>
  return %y, %m : tensor<4xf32>, tensor<4xi1>
}

// -----

func.func @dropout_ratio_negative(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xi1>) {
  // expected-error @+1 {{'quern.dropout' op ratio -5.000000e-01 is not in [0, 1)}}
  %y, %m = quern.dropout %x ratio = -0.5 seed = 0 : tensor<4xf32> -> tensor<4xi1>
  return %y, %m : tensor<4xf32>, tensor<4xi1>
}

// -----

func.func @dropout_ratio_nan(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xi1>) {
  // expected-error @+1 {{'quern.dropout' op ratio nan is not in [0, 1)}}
  %y, %m = quern.dropout %x ratio = 0x7FF8000000000000 seed = 0 : tensor<4xf32> -> tensor<4xi1>
  return %y, %m : tensor<4xf32>, tensor<4xi1>
}

// -----

func.func @dropout_step_rank(%x: tensor<4xf32>, %s: tensor<1xi64>) -> (tensor<4xf32>, tensor<4xi1>) {
  // expected-error @+1 {{'quern.dropout' op expects step as a rank-0 tensor}}
  %y, %m = quern.dropout %x step(%s : tensor<1xi64>) ratio = 0.5 seed = 0 : tensor<4xf32> -> tensor<4xi1>
  return %y, %m : tensor<4xf32>, tensor<4xi1>
}

// -----

func.func @dropout_mask_shape(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<2x2xi1>) {
  // expected-error @+1 {{'quern.dropout' op failed to verify that all of {input, mask} have same shape}}
  %y, %m = quern.dropout %x ratio = 0.5 seed = 0 : tensor<4xf32> -> tensor<2x2xi1>
  return %y, %m : tensor<4xf32>, tensor<2x2xi1>
}

// -----

//===----------------------------------------------------------------------===//
// Optimizer updates
//===----------------------------------------------------------------------===//

func.func @sgd_lr_rank(%p: tensor<4xf32>, %g: tensor<4xf32>, %lr: tensor<1xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'quern.sgd_update' op expects lr as a rank-0 tensor of the parameter's element type}}
  %0 = quern.sgd_update %p, %g, %lr momentum = 0.0 weight_decay = 0.0 : tensor<4xf32>, tensor<1xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @sgd_momentum_without_buffer(%p: tensor<4xf32>, %g: tensor<4xf32>, %lr: tensor<f32>) -> tensor<4xf32> {
  // expected-error @+1 {{'quern.sgd_update' op expects a momentum buffer exactly when momentum is not 0}}
  %0 = quern.sgd_update %p, %g, %lr momentum = 9.0e-01 weight_decay = 0.0 : tensor<4xf32>, tensor<f32>
  return %0 : tensor<4xf32>
}

// -----

func.func @sgd_buffer_type(%p: tensor<4xf32>, %g: tensor<4xf32>, %lr: tensor<f32>, %b: tensor<4xf16>) -> (tensor<4xf32>, tensor<4xf16>) {
  // expected-error @+1 {{'quern.sgd_update' op expects the momentum buffer of the parameter's type}}
  %0, %1 = quern.sgd_update %p, %g, %lr buffer(%b : tensor<4xf16>) momentum = 9.0e-01 weight_decay = 0.0
      : tensor<4xf32>, tensor<f32>, buffer tensor<4xf16>
  return %0, %1 : tensor<4xf32>, tensor<4xf16>
}

// -----

// Nesterov momentum is a variant of momentum; with momentum 0 it is meaningless.
func.func @sgd_nesterov_without_momentum(%p: tensor<4xf32>, %g: tensor<4xf32>, %lr: tensor<f32>) -> tensor<4xf32> {
  // expected-error @+1 {{'quern.sgd_update' op expects momentum with nesterov}}
  %0 = quern.sgd_update %p, %g, %lr momentum = 0.0 nesterov weight_decay = 0.0 : tensor<4xf32>, tensor<f32>
  return %0 : tensor<4xf32>
}

// -----

func.func @adam_lr_element_type(%p: tensor<4xf32>, %g: tensor<4xf32>, %m: tensor<4xf32>, %v: tensor<4xf32>, %lr: tensor<f16>, %step: tensor<i64>)
    -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) {
  // expected-error @+1 {{'quern.adam_update' op expects lr as a rank-0 tensor of the parameter's element type}}
  %0, %1, %2 = quern.adam_update %p, %g, %m, %v, %lr, %step
      beta1 = 9.0e-01 beta2 = 9.99e-01 eps = 1.0e-08 weight_decay = 0.0 : tensor<4xf32>, tensor<f16>, tensor<i64>
  return %0, %1, %2 : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
}

// -----

func.func @adam_step_rank(%p: tensor<4xf32>, %g: tensor<4xf32>, %m: tensor<4xf32>, %v: tensor<4xf32>, %lr: tensor<f32>, %step: tensor<1xi64>)
    -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) {
  // expected-error @+1 {{'quern.adam_update' op expects step as a rank-0 tensor}}
  %0, %1, %2 = quern.adam_update %p, %g, %m, %v, %lr, %step
      beta1 = 9.0e-01 beta2 = 9.99e-01 eps = 1.0e-08 weight_decay = 0.0 : tensor<4xf32>, tensor<f32>, tensor<1xi64>
  return %0, %1, %2 : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
}

// -----

func.func @adagrad_lr_rank(%p: tensor<4xf32>, %g: tensor<4xf32>, %s: tensor<4xf32>, %lr: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  // expected-error @+1 {{'quern.adagrad_update' op expects lr as a rank-0 tensor of the parameter's element type}}
  %0, %1 = quern.adagrad_update %p, %g, %s, %lr eps = 1.0e-10 weight_decay = 0.0 : tensor<4xf32>, tensor<4xf32>
  return %0, %1 : tensor<4xf32>, tensor<4xf32>
}

// -----

func.func @collective_wait_not_started(%x: tensor<8xf32>) -> tensor<8xf32> {
  // expected-error @+1 {{'quern.collective_wait' op expects the result of a quern.collective_start}}
  %0 = quern.collective_wait all_reduce %x bucket = 0 : tensor<8xf32>
  return %0 : tensor<8xf32>
}

// -----

func.func @collective_wait_bucket(%x: tensor<8xf32>) -> tensor<8xf32> {
  %0 = quern.collective_start all_reduce %x bucket = 0 : tensor<8xf32> -> tensor<8xf32>
  // expected-error @+1 {{'quern.collective_wait' op waits for bucket 1 but its operand is bucket 0}}
  %1 = quern.collective_wait all_reduce %0 bucket = 1 : tensor<8xf32>
  return %1 : tensor<8xf32>
}

// -----

func.func @all_reduce_pending_read(%x: tensor<8xf32>) -> (tensor<8xf32>, tensor<8xf32>) {
  // expected-error @+1 {{'quern.collective_start' op expects one quern.collective_wait of its pending values, and no other use}}
  %0 = quern.collective_start all_reduce %x bucket = 0 : tensor<8xf32> -> tensor<8xf32>
  %1 = quern.collective_wait all_reduce %0 bucket = 0 : tensor<8xf32>
  %2 = quern.neg %0 : tensor<8xf32>
  return %1, %2 : tensor<8xf32>, tensor<8xf32>
}

// -----

func.func @all_reduce_never_waited(%x: tensor<8xf32>) -> tensor<8xf32> {
  // expected-error @+1 {{'quern.collective_start' op expects one quern.collective_wait of its pending values, and no other use}}
  %0 = quern.collective_start all_reduce %x bucket = 0 : tensor<8xf32> -> tensor<8xf32>
  return %0 : tensor<8xf32>
}

// -----

func.func @all_reduce_processes(%x: tensor<8xf32>) -> tensor<8xf32> {
  // expected-error @+1 {{'quern.collective_start' op takes no process count for an all_reduce}}
  %0 = quern.collective_start all_reduce %x bucket = 0 over 2 : tensor<8xf32> -> tensor<8xf32>
  %1 = quern.collective_wait all_reduce %0 bucket = 0 over 2 : tensor<8xf32>
  return %1 : tensor<8xf32>
}

// -----

func.func @reduce_scatter_no_processes(%x: tensor<8xf32>) -> tensor<8xf32> {
  // expected-error @+1 {{'quern.collective_start' op expects the count of processes (over N) of a reduce_scatter}}
  %0 = quern.collective_start reduce_scatter %x bucket = 0 : tensor<8xf32> -> tensor<8xf32>
  %1 = quern.collective_wait reduce_scatter %0 bucket = 0 : tensor<8xf32>
  return %1 : tensor<8xf32>
}

// -----

func.func @all_gather_chunks(%x: tensor<8xf32>) -> tensor<8xf32> {
  // expected-error @+1 {{'quern.collective_start' op expects 8 elements to be 3 chunks, one per process}}
  %0 = quern.collective_start all_gather %x bucket = 0 over 3 : tensor<8xf32> -> tensor<8xf32>
  %1 = quern.collective_wait all_gather %0 bucket = 0 over 3 : tensor<8xf32>
  return %1 : tensor<8xf32>
}

// -----

func.func @collective_packs_nothing() -> tensor<8xf32> {
  // expected-error @+1 {{'quern.collective_start' op expects values to pack into the bucket}}
  %0 = "quern.collective_start"() {bucket = 0 : i64, kind = 0 : i32} : () -> tensor<8xf32>
  %1 = quern.collective_wait all_reduce %0 bucket = 0 : tensor<8xf32>
  return %1 : tensor<8xf32>
}

// -----

func.func @collective_packs_too_few(%a: tensor<8xf32>, %b: tensor<4xf32>) -> tensor<16xf32> {
  // expected-error @+1 {{'quern.collective_start' op packs 12 elements into a bucket that takes 16}}
  %0 = quern.collective_start all_reduce %a, %b bucket = 0 : tensor<8xf32>, tensor<4xf32> -> tensor<16xf32>
  %1 = quern.collective_wait all_reduce %0 bucket = 0 : tensor<16xf32>
  return %1 : tensor<16xf32>
}

// -----

func.func @all_gather_not_a_chunk(%a: tensor<8xf32>) -> tensor<16xf32> {
  // expected-error @+1 {{'quern.collective_start' op packs 8 elements into a bucket that takes 4}}
  %0 = quern.collective_start all_gather %a bucket = 0 over 4 : tensor<8xf32> -> tensor<16xf32>
  %1 = quern.collective_wait all_gather %0 bucket = 0 over 4 : tensor<16xf32>
  return %1 : tensor<16xf32>
}

// -----

func.func @collective_wait_kind(%x: tensor<8xf32>) -> tensor<8xf32> {
  %0 = quern.collective_start reduce_scatter %x bucket = 0 over 2 : tensor<8xf32> -> tensor<8xf32>
  // expected-error @+1 {{'quern.collective_wait' op waits for another kind of collective than its operand's start}}
  %1 = quern.collective_wait all_gather %0 bucket = 0 over 2 : tensor<8xf32>
  return %1 : tensor<8xf32>
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


// -----

func.func @not_float(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'quern.not' op operand #0 must be statically shaped tensor of 1-bit signless integer values, but got 'tensor<4xf32>'}}
  %0 = quern.not %x : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @and_integer(%x: tensor<4xi8>) -> tensor<4xi8> {
  // expected-error @+1 {{'quern.and' op operand #0 must be statically shaped tensor of 1-bit signless integer values, but got 'tensor<4xi8>'}}
  %0 = quern.and %x, %x : tensor<4xi8>
  return %0 : tensor<4xi8>
}

// -----

func.func @pow_integer(%x: tensor<4xi32>) -> tensor<4xi32> {
  // expected-error @+1 {{'quern.pow' op operand #0 must be statically shaped tensor of floating-point values, but got 'tensor<4xi32>'}}
  %0 = quern.pow %x, %x : tensor<4xi32>
  return %0 : tensor<4xi32>
}

// -----

func.func @erf_unsigned(%x: tensor<4xui8>) -> tensor<4xui8> {
  // expected-error @+1 {{'quern.erf' op operand #0 must be statically shaped tensor of floating-point values, but got 'tensor<4xui8>'}}
  %0 = quern.erf %x : tensor<4xui8>
  return %0 : tensor<4xui8>
}

// -----

func.func @compare_result_not_bool(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'quern.compare' op result #0 must be statically shaped tensor of 1-bit signless integer values, but got 'tensor<4xf32>'}}
  %0 = quern.compare lt, %x, %x : tensor<4xf32> -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @compare_operand_types(%x: tensor<4xf32>, %y: tensor<4xf16>) -> tensor<4xi1> {
  // expected-error @+1 {{'quern.compare' op requires all operands to have the same type}}
  %0 = "quern.compare"(%x, %y) {predicate = 1 : i32} : (tensor<4xf32>, tensor<4xf16>) -> tensor<4xi1>
  return %0 : tensor<4xi1>
}

// -----

func.func @compare_result_shape(%x: tensor<4xf32>) -> tensor<2x2xi1> {
  // expected-error @+1 {{'quern.compare' op failed to verify that all of {lhs, result} have same shape}}
  %0 = quern.compare eq, %x, %x : tensor<4xf32> -> tensor<2x2xi1>
  return %0 : tensor<2x2xi1>
}

// -----

func.func @compare_unknown_predicate(%x: tensor<4xf32>) -> tensor<4xi1> {
  // expected-error @+1 {{custom op 'quern.compare' expected string or keyword containing one of the following enum values for attribute 'predicate' [eq, lt, le, gt, ge]}}
  %0 = quern.compare ne, %x, %x : tensor<4xf32> -> tensor<4xi1>
  return %0 : tensor<4xi1>
}

// -----

func.func @select_condition_not_bool(%c: tensor<4xi8>, %x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'quern.select' op operand #0 must be statically shaped tensor of 1-bit signless integer values, but got 'tensor<4xi8>'}}
  %0 = quern.select %c, %x, %x : tensor<4xi8>, tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @select_branch_types(%c: tensor<4xi1>, %x: tensor<4xf32>, %y: tensor<4xf16>) -> tensor<4xf32> {
  // expected-error @+1 {{'quern.select' op failed to verify that all of {on_true, on_false, result} have same type}}
  %0 = "quern.select"(%c, %x, %y) : (tensor<4xi1>, tensor<4xf32>, tensor<4xf16>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @cast_shape(%x: tensor<4xf32>) -> tensor<2x2xi32> {
  // expected-error @+1 {{'quern.cast' op failed to verify that all of {input, result} have same shape}}
  %0 = quern.cast %x : tensor<4xf32> to tensor<2x2xi32>
  return %0 : tensor<2x2xi32>
}

// -----

func.func @leaky_relu_integer(%x: tensor<4xi32>) -> tensor<4xi32> {
  // expected-error @+1 {{'quern.leaky_relu' op operand #0 must be statically shaped tensor of floating-point values, but got 'tensor<4xi32>'}}
  %0 = quern.leaky_relu %x alpha = 0.1 : tensor<4xi32>
  return %0 : tensor<4xi32>
}

// -----

func.func @gather_float_indices(%x: tensor<4x8xf32>, %i: tensor<3xf32>) -> tensor<3x8xf32> {
  // expected-error @+1 {{'quern.gather' op operand #1 must be statically shaped tensor of 32-bit signless integer or 64-bit signless integer values, but got 'tensor<3xf32>'}}
  %0 = quern.gather %x, %i axis = 0 : (tensor<4x8xf32>, tensor<3xf32>) -> tensor<3x8xf32>
  return %0 : tensor<3x8xf32>
}

// -----

// Indices are signless: an unsigned index tensor is converted by the importer.
func.func @gather_unsigned_indices(%x: tensor<4x8xf32>, %i: tensor<3xui32>) -> tensor<3x8xf32> {
  // expected-error @+1 {{'quern.gather' op operand #1 must be statically shaped tensor of 32-bit signless integer or 64-bit signless integer values, but got 'tensor<3xui32>'}}
  %0 = quern.gather %x, %i axis = 0 : (tensor<4x8xf32>, tensor<3xui32>) -> tensor<3x8xf32>
  return %0 : tensor<3x8xf32>
}

// -----

func.func @dropout_integer(%x: tensor<4xi32>) -> (tensor<4xi32>, tensor<4xi1>) {
  // expected-error @+1 {{'quern.dropout' op operand #0 must be statically shaped tensor of floating-point values, but got 'tensor<4xi32>'}}
  %y, %m = quern.dropout %x ratio = 0.5 seed = 0 : tensor<4xi32> -> tensor<4xi1>
  return %y, %m : tensor<4xi32>, tensor<4xi1>
}

// -----

func.func @nll_loss_float_target(%x: tensor<8x10xf32>, %t: tensor<8xf32>) -> tensor<f32> {
  // expected-error @+1 {{'quern.nll_loss' op operand #1 must be statically shaped tensor of 32-bit signless integer or 64-bit signless integer values, but got 'tensor<8xf32>'}}
  %0 = quern.nll_loss %x, %t reduction = mean : (tensor<8x10xf32>, tensor<8xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

func.func @neg_index(%x: tensor<4xindex>) -> tensor<4xindex> {
  // expected-error @+1 {{'quern.neg' op operand #0 must be statically shaped tensor of floating-point or integer values, but got 'tensor<4xindex>'}}
  %0 = quern.neg %x : tensor<4xindex>
  return %0 : tensor<4xindex>
}

// -----

// The custom syntax only spells known predicates; the generic form reaches
// the enum attribute's constraint.
func.func @compare_predicate_out_of_range(%x: tensor<4xf32>) -> tensor<4xi1> {
  // expected-error @+1 {{'quern.compare' op attribute 'predicate' failed to satisfy constraint: how quern.compare compares}}
  %0 = "quern.compare"(%x, %x) {predicate = 7 : i32} : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xi1>
  return %0 : tensor<4xi1>
}

// -----

func.func @scatter_reduction_out_of_range(%x: tensor<8xf32>, %i: tensor<4x1xi64>, %u: tensor<4xf32>) -> tensor<8xf32> {
  // expected-error @+1 {{'quern.scatter_nd' op attribute 'reduction' failed to satisfy constraint: how a scatter combines an update with the value it lands on}}
  %0 = "quern.scatter_nd"(%x, %i, %u) {reduction = 9 : i32} : (tensor<8xf32>, tensor<4x1xi64>, tensor<4xf32>) -> tensor<8xf32>
  return %0 : tensor<8xf32>
}

// -----

func.func @nll_loss_reduction_out_of_range(%x: tensor<8x10xf32>, %t: tensor<8xi64>) -> tensor<f32> {
  // expected-error @+1 {{'quern.nll_loss' op attribute 'reduction' failed to satisfy constraint: how a loss reduces its per-element values}}
  %0 = "quern.nll_loss"(%x, %t) {reduction = 3 : i32} : (tensor<8x10xf32>, tensor<8xi64>) -> tensor<f32>
  return %0 : tensor<f32>
}
