// RUN: quern-opt %s | quern-opt | FileCheck %s
// RUN: quern-opt %s --mlir-print-op-generic | quern-opt | FileCheck %s

// Every quern op and every optional piece of its syntax survives printing and
// parsing again, in the custom and in the generic form.

//===----------------------------------------------------------------------===//
// Elementwise ops
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @unary
// CHECK-SAME: (%[[X:.+]]: tensor<4x8xf32>)
func.func @unary(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  // CHECK: %[[NEG:.+]] = quern.neg %[[X]] : tensor<4x8xf32>
  %0 = quern.neg %x : tensor<4x8xf32>
  // CHECK: %[[RELU:.+]] = quern.relu %[[NEG]] : tensor<4x8xf32>
  %1 = quern.relu %0 : tensor<4x8xf32>
  // CHECK: %[[EXP:.+]] = quern.exp %[[RELU]] : tensor<4x8xf32>
  %2 = quern.exp %1 : tensor<4x8xf32>
  // CHECK: %[[LOG:.+]] = quern.log %[[EXP]] : tensor<4x8xf32>
  %3 = quern.log %2 : tensor<4x8xf32>
  // CHECK: %[[TANH:.+]] = quern.tanh %[[LOG]] : tensor<4x8xf32>
  %4 = quern.tanh %3 : tensor<4x8xf32>
  // CHECK: %[[SIGMOID:.+]] = quern.sigmoid %[[TANH]] : tensor<4x8xf32>
  %5 = quern.sigmoid %4 : tensor<4x8xf32>
  // CHECK: %[[SQRT:.+]] = quern.sqrt %[[SIGMOID]] : tensor<4x8xf32>
  %6 = quern.sqrt %5 : tensor<4x8xf32>
  // CHECK: return %[[SQRT]]
  return %6 : tensor<4x8xf32>
}

// CHECK-LABEL: func.func @binary
// CHECK-SAME: (%[[X:[^:]+]]: tensor<4x8xf32>, %[[Y:[^:]+]]: tensor<4x8xf32>)
func.func @binary(%x: tensor<4x8xf32>, %y: tensor<4x8xf32>) -> tensor<4x8xf32> {
  // CHECK: %[[ADD:.+]] = quern.add %[[X]], %[[Y]] : tensor<4x8xf32>
  %0 = quern.add %x, %y : tensor<4x8xf32>
  // CHECK: %[[SUB:.+]] = quern.sub %[[ADD]], %[[Y]] : tensor<4x8xf32>
  %1 = quern.sub %0, %y : tensor<4x8xf32>
  // CHECK: %[[MUL:.+]] = quern.mul %[[SUB]], %[[X]] : tensor<4x8xf32>
  %2 = quern.mul %1, %x : tensor<4x8xf32>
  // CHECK: %[[DIV:.+]] = quern.div %[[MUL]], %[[Y]] : tensor<4x8xf32>
  %3 = quern.div %2, %y : tensor<4x8xf32>
  // CHECK: return %[[DIV]]
  return %3 : tensor<4x8xf32>
}

// Elementwise ops take any float element type and any rank, including 0.
// CHECK-LABEL: func.func @element_types
func.func @element_types(%h: tensor<3xf16>, %b: tensor<2x3xbf16>,
                         %d: tensor<f64>) -> (tensor<3xf16>, tensor<2x3xbf16>, tensor<f64>) {
  // CHECK: quern.relu %{{.+}} : tensor<3xf16>
  %0 = quern.relu %h : tensor<3xf16>
  // CHECK: quern.mul %{{.+}}, %{{.+}} : tensor<2x3xbf16>
  %1 = quern.mul %b, %b : tensor<2x3xbf16>
  // CHECK: quern.sqrt %{{.+}} : tensor<f64>
  %2 = quern.sqrt %d : tensor<f64>
  return %0, %1, %2 : tensor<3xf16>, tensor<2x3xbf16>, tensor<f64>
}

// CHECK-LABEL: func.func @more_unary
// CHECK-SAME: (%[[X:.+]]: tensor<4x8xf32>)
func.func @more_unary(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  // CHECK: %[[ABS:.+]] = quern.abs %[[X]] : tensor<4x8xf32>
  %0 = quern.abs %x : tensor<4x8xf32>
  // CHECK: %[[RECIP:.+]] = quern.reciprocal %[[ABS]] : tensor<4x8xf32>
  %1 = quern.reciprocal %0 : tensor<4x8xf32>
  // CHECK: %[[ERF:.+]] = quern.erf %[[RECIP]] : tensor<4x8xf32>
  %2 = quern.erf %1 : tensor<4x8xf32>
  // CHECK: %[[LEAKY:.+]] = quern.leaky_relu %[[ERF]] alpha = 1.000000e-02 : tensor<4x8xf32>
  %3 = quern.leaky_relu %2 alpha = 0.01 : tensor<4x8xf32>
  // CHECK: %[[SIN:.+]] = quern.sin %[[LEAKY]] : tensor<4x8xf32>
  %4 = quern.sin %3 : tensor<4x8xf32>
  // CHECK: %[[COS:.+]] = quern.cos %[[SIN]] : tensor<4x8xf32>
  %5 = quern.cos %4 : tensor<4x8xf32>
  // CHECK: return %[[COS]]
  return %5 : tensor<4x8xf32>
}

// abs, neg and relu take integers too, signed (i32) and unsigned (ui8).
// CHECK-LABEL: func.func @integer_unary
func.func @integer_unary(%i: tensor<3xi32>, %u: tensor<3xui8>) -> (tensor<3xi32>, tensor<3xui8>) {
  // CHECK: quern.abs %{{.+}} : tensor<3xi32>
  %0 = quern.abs %i : tensor<3xi32>
  // CHECK: quern.neg %{{.+}} : tensor<3xi32>
  %1 = quern.neg %0 : tensor<3xi32>
  // CHECK: quern.abs %{{.+}} : tensor<3xui8>
  %2 = quern.abs %u : tensor<3xui8>
  // CHECK: quern.relu %{{.+}} : tensor<3xui8>
  %3 = quern.relu %2 : tensor<3xui8>
  return %1, %3 : tensor<3xi32>, tensor<3xui8>
}

// CHECK-LABEL: func.func @more_binary
// CHECK-SAME: (%[[X:[^:]+]]: tensor<4xf32>, %[[Y:[^:]+]]: tensor<4xf32>)
func.func @more_binary(%x: tensor<4xf32>, %y: tensor<4xf32>) -> tensor<4xf32> {
  // CHECK: %[[POW:.+]] = quern.pow %[[X]], %[[Y]] : tensor<4xf32>
  %0 = quern.pow %x, %y : tensor<4xf32>
  // CHECK: %[[MAX:.+]] = quern.max %[[POW]], %[[Y]] : tensor<4xf32>
  %1 = quern.max %0, %y : tensor<4xf32>
  // CHECK: %[[MIN:.+]] = quern.min %[[MAX]], %[[X]] : tensor<4xf32>
  %2 = quern.min %1, %x : tensor<4xf32>
  // CHECK: return %[[MIN]]
  return %2 : tensor<4xf32>
}

// Arithmetic on unsigned and signed integers of any width.
// CHECK-LABEL: func.func @integer_binary
// CHECK-SAME: (%[[A:[^:]+]]: tensor<2x3xui8>, %[[B:[^:]+]]: tensor<2x3xui8>, %[[I:[^:]+]]: tensor<5xi64>)
func.func @integer_binary(%a: tensor<2x3xui8>, %b: tensor<2x3xui8>, %i: tensor<5xi64>)
    -> (tensor<2x3xui8>, tensor<5xi64>) {
  // CHECK: %[[ADD:.+]] = quern.add %[[A]], %[[B]] : tensor<2x3xui8>
  %0 = quern.add %a, %b : tensor<2x3xui8>
  // CHECK: %[[DIV:.+]] = quern.div %[[ADD]], %[[B]] : tensor<2x3xui8>
  %1 = quern.div %0, %b : tensor<2x3xui8>
  // CHECK: %[[MAX:.+]] = quern.max %[[DIV]], %[[A]] : tensor<2x3xui8>
  %2 = quern.max %1, %a : tensor<2x3xui8>
  // CHECK: %[[MIN:.+]] = quern.min %[[MAX]], %[[B]] : tensor<2x3xui8>
  %3 = quern.min %2, %b : tensor<2x3xui8>
  // CHECK: %[[SUB:.+]] = quern.sub %[[I]], %[[I]] : tensor<5xi64>
  %4 = quern.sub %i, %i : tensor<5xi64>
  // CHECK: %[[MUL:.+]] = quern.mul %[[SUB]], %[[I]] : tensor<5xi64>
  %5 = quern.mul %4, %i : tensor<5xi64>
  // CHECK: return %[[MIN]], %[[MUL]]
  return %3, %5 : tensor<2x3xui8>, tensor<5xi64>
}

// CHECK-LABEL: func.func @logical
// CHECK-SAME: (%[[P:[^:]+]]: tensor<2x2xi1>, %[[Q:[^:]+]]: tensor<2x2xi1>)
func.func @logical(%p: tensor<2x2xi1>, %q: tensor<2x2xi1>) -> tensor<2x2xi1> {
  // CHECK: %[[NOT:.+]] = quern.not %[[P]] : tensor<2x2xi1>
  %0 = quern.not %p : tensor<2x2xi1>
  // CHECK: %[[AND:.+]] = quern.and %[[NOT]], %[[Q]] : tensor<2x2xi1>
  %1 = quern.and %0, %q : tensor<2x2xi1>
  // CHECK: %[[OR:.+]] = quern.or %[[AND]], %[[P]] : tensor<2x2xi1>
  %2 = quern.or %1, %p : tensor<2x2xi1>
  // CHECK: return %[[OR]]
  return %2 : tensor<2x2xi1>
}

// Every predicate prints as its word.
// CHECK-LABEL: func.func @compare
// CHECK-SAME: (%[[X:[^:]+]]: tensor<4xf32>, %[[Y:[^:]+]]: tensor<4xf32>, %[[U:[^:]+]]: tensor<4xui8>, %[[B:[^:]+]]: tensor<4xi1>)
func.func @compare(%x: tensor<4xf32>, %y: tensor<4xf32>, %u: tensor<4xui8>, %b: tensor<4xi1>)
    -> (tensor<4xi1>, tensor<4xi1>, tensor<4xi1>, tensor<4xi1>, tensor<4xi1>, tensor<4xi1>, tensor<4xi1>) {
  // CHECK: quern.compare eq, %[[X]], %[[Y]] : tensor<4xf32> -> tensor<4xi1>
  %0 = quern.compare eq, %x, %y : tensor<4xf32> -> tensor<4xi1>
  // CHECK: quern.compare lt, %[[X]], %[[Y]] : tensor<4xf32> -> tensor<4xi1>
  %1 = quern.compare lt, %x, %y : tensor<4xf32> -> tensor<4xi1>
  // CHECK: quern.compare le, %[[X]], %[[Y]] : tensor<4xf32> -> tensor<4xi1>
  %2 = quern.compare le, %x, %y : tensor<4xf32> -> tensor<4xi1>
  // CHECK: quern.compare gt, %[[X]], %[[Y]] : tensor<4xf32> -> tensor<4xi1>
  %3 = quern.compare gt, %x, %y : tensor<4xf32> -> tensor<4xi1>
  // CHECK: quern.compare ge, %[[X]], %[[Y]] : tensor<4xf32> -> tensor<4xi1>
  %4 = quern.compare ge, %x, %y : tensor<4xf32> -> tensor<4xi1>
  // CHECK: quern.compare lt, %[[U]], %[[U]] : tensor<4xui8> -> tensor<4xi1>
  %5 = quern.compare lt, %u, %u : tensor<4xui8> -> tensor<4xi1>
  // Booleans compare for equality (ONNX Equal on bool).
  // CHECK: quern.compare eq, %[[B]], %[[B]] : tensor<4xi1> -> tensor<4xi1>
  %6 = quern.compare eq, %b, %b : tensor<4xi1> -> tensor<4xi1>
  return %0, %1, %2, %3, %4, %5, %6
      : tensor<4xi1>, tensor<4xi1>, tensor<4xi1>, tensor<4xi1>, tensor<4xi1>, tensor<4xi1>, tensor<4xi1>
}

// select chooses between tensors of any element type.
// CHECK-LABEL: func.func @select
// CHECK-SAME: (%[[C:[^:]+]]: tensor<2x3xi1>, %[[A:[^:]+]]: tensor<2x3xf32>, %[[B:[^:]+]]: tensor<2x3xf32>, %[[U:[^:]+]]: tensor<2x3xui8>)
func.func @select(%c: tensor<2x3xi1>, %a: tensor<2x3xf32>, %b: tensor<2x3xf32>, %u: tensor<2x3xui8>)
    -> (tensor<2x3xf32>, tensor<2x3xui8>, tensor<2x3xi1>) {
  // CHECK: quern.select %[[C]], %[[A]], %[[B]] : tensor<2x3xi1>, tensor<2x3xf32>
  %0 = quern.select %c, %a, %b : tensor<2x3xi1>, tensor<2x3xf32>
  // CHECK: quern.select %[[C]], %[[U]], %[[U]] : tensor<2x3xi1>, tensor<2x3xui8>
  %1 = quern.select %c, %u, %u : tensor<2x3xi1>, tensor<2x3xui8>
  // CHECK: quern.select %[[C]], %[[C]], %[[C]] : tensor<2x3xi1>, tensor<2x3xi1>
  %2 = quern.select %c, %c, %c : tensor<2x3xi1>, tensor<2x3xi1>
  return %0, %1, %2 : tensor<2x3xf32>, tensor<2x3xui8>, tensor<2x3xi1>
}

// CHECK-LABEL: func.func @cast
// CHECK-SAME: (%[[X:[^:]+]]: tensor<4xf32>, %[[U:[^:]+]]: tensor<4xui8>, %[[B:[^:]+]]: tensor<4xi1>)
func.func @cast(%x: tensor<4xf32>, %u: tensor<4xui8>, %b: tensor<4xi1>)
    -> (tensor<4xi64>, tensor<4xf16>, tensor<4xi1>, tensor<4xf32>, tensor<4xi32>, tensor<4xui8>) {
  // CHECK: quern.cast %[[X]] : tensor<4xf32> to tensor<4xi64>
  %0 = quern.cast %x : tensor<4xf32> to tensor<4xi64>
  // CHECK: quern.cast %[[U]] : tensor<4xui8> to tensor<4xf16>
  %1 = quern.cast %u : tensor<4xui8> to tensor<4xf16>
  // CHECK: quern.cast %[[X]] : tensor<4xf32> to tensor<4xi1>
  %2 = quern.cast %x : tensor<4xf32> to tensor<4xi1>
  // CHECK: quern.cast %[[B]] : tensor<4xi1> to tensor<4xf32>
  %3 = quern.cast %b : tensor<4xi1> to tensor<4xf32>
  // CHECK: quern.cast %[[U]] : tensor<4xui8> to tensor<4xi32>
  %4 = quern.cast %u : tensor<4xui8> to tensor<4xi32>
  // CHECK: quern.cast %[[X]] : tensor<4xf32> to tensor<4xui8>
  %5 = quern.cast %x : tensor<4xf32> to tensor<4xui8>
  return %0, %1, %2, %3, %4, %5
      : tensor<4xi64>, tensor<4xf16>, tensor<4xi1>, tensor<4xf32>, tensor<4xi32>, tensor<4xui8>
}

//===----------------------------------------------------------------------===//
// quern.matmul
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @matmul_plain
// CHECK-SAME: (%[[A:[^:]+]]: tensor<2x3xf32>, %[[B:[^:]+]]: tensor<3x5xf32>)
func.func @matmul_plain(%a: tensor<2x3xf32>, %b: tensor<3x5xf32>) -> tensor<2x5xf32> {
  // CHECK: quern.matmul %[[A]], %[[B]] : tensor<2x3xf32>, tensor<3x5xf32> -> tensor<2x5xf32>
  %0 = quern.matmul %a, %b : tensor<2x3xf32>, tensor<3x5xf32> -> tensor<2x5xf32>
  return %0 : tensor<2x5xf32>
}

// CHECK-LABEL: func.func @matmul_vector_bias
// CHECK-SAME: (%[[A:[^:]+]]: tensor<1x784xf32>, %[[W:[^:]+]]: tensor<256x784xf32>, %[[BIAS:[^:]+]]: tensor<256xf32>)
func.func @matmul_vector_bias(%a: tensor<1x784xf32>, %w: tensor<256x784xf32>,
                              %bias: tensor<256xf32>) -> tensor<1x256xf32> {
  // CHECK: quern.matmul %[[A]], %[[W]] bias(%[[BIAS]] : tensor<256xf32>) transpose_rhs : tensor<1x784xf32>, tensor<256x784xf32> -> tensor<1x256xf32>
  %0 = quern.matmul %a, %w bias(%bias : tensor<256xf32>) transpose_rhs
      : tensor<1x784xf32>, tensor<256x784xf32> -> tensor<1x256xf32>
  return %0 : tensor<1x256xf32>
}

// CHECK-LABEL: func.func @matmul_full_bias
// CHECK-SAME: (%[[A:[^:]+]]: tensor<3x2xf32>, %[[B:[^:]+]]: tensor<3x5xf32>, %[[BIAS:[^:]+]]: tensor<2x5xf32>)
func.func @matmul_full_bias(%a: tensor<3x2xf32>, %b: tensor<3x5xf32>,
                            %bias: tensor<2x5xf32>) -> tensor<2x5xf32> {
  // CHECK: quern.matmul %[[A]], %[[B]] bias(%[[BIAS]] : tensor<2x5xf32>) transpose_lhs : tensor<3x2xf32>, tensor<3x5xf32> -> tensor<2x5xf32>
  %0 = quern.matmul %a, %b bias(%bias : tensor<2x5xf32>) transpose_lhs
      : tensor<3x2xf32>, tensor<3x5xf32> -> tensor<2x5xf32>
  return %0 : tensor<2x5xf32>
}

// CHECK-LABEL: func.func @matmul_both_transposed
func.func @matmul_both_transposed(%a: tensor<3x2xf64>, %b: tensor<5x3xf64>) -> tensor<2x5xf64> {
  // CHECK: quern.matmul %{{.+}}, %{{.+}} transpose_lhs transpose_rhs : tensor<3x2xf64>, tensor<5x3xf64> -> tensor<2x5xf64>
  %0 = quern.matmul %a, %b transpose_lhs transpose_rhs
      : tensor<3x2xf64>, tensor<5x3xf64> -> tensor<2x5xf64>
  return %0 : tensor<2x5xf64>
}

// CHECK-LABEL: func.func @matmul_batched
func.func @matmul_batched(%a: tensor<4x2x3xbf16>, %b: tensor<4x3x5xbf16>,
                          %bias: tensor<5xbf16>) -> tensor<4x2x5xbf16> {
  // CHECK: quern.matmul %{{.+}}, %{{.+}} bias(%{{.+}} : tensor<5xbf16>) : tensor<4x2x3xbf16>, tensor<4x3x5xbf16> -> tensor<4x2x5xbf16>
  %0 = quern.matmul %a, %b bias(%bias : tensor<5xbf16>)
      : tensor<4x2x3xbf16>, tensor<4x3x5xbf16> -> tensor<4x2x5xbf16>
  return %0 : tensor<4x2x5xbf16>
}

//===----------------------------------------------------------------------===//
// quern.einsum
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @einsum_one_operand
// CHECK-SAME: (%[[A:.+]]: tensor<3x4xf32>)
func.func @einsum_one_operand(%a: tensor<3x4xf32>) -> (tensor<4x3xf32>, tensor<3xf32>) {
  // CHECK: quern.einsum "ij->ji" %[[A]] : (tensor<3x4xf32>) -> tensor<4x3xf32>
  %0 = quern.einsum "ij->ji" %a : (tensor<3x4xf32>) -> tensor<4x3xf32>
  // CHECK: quern.einsum "ij->i" %[[A]] : (tensor<3x4xf32>) -> tensor<3xf32>
  %1 = quern.einsum "ij->i" %a : (tensor<3x4xf32>) -> tensor<3xf32>
  return %0, %1 : tensor<4x3xf32>, tensor<3xf32>
}

// CHECK-LABEL: func.func @einsum_two_operands
// CHECK-SAME: (%[[A:[^:]+]]: tensor<2x3x4xf32>, %[[B:[^:]+]]: tensor<2x4x5xf32>)
func.func @einsum_two_operands(%a: tensor<2x3x4xf32>, %b: tensor<2x4x5xf32>) -> tensor<2x3x5xf32> {
  // CHECK: quern.einsum "bij,bjk->bik" %[[A]], %[[B]] : (tensor<2x3x4xf32>, tensor<2x4x5xf32>) -> tensor<2x3x5xf32>
  %0 = quern.einsum "bij,bjk->bik" %a, %b : (tensor<2x3x4xf32>, tensor<2x4x5xf32>) -> tensor<2x3x5xf32>
  return %0 : tensor<2x3x5xf32>
}

// CHECK-LABEL: func.func @einsum_three_operands
// CHECK-SAME: (%[[A:[^:]+]]: tensor<2x3xi32>, %[[B:[^:]+]]: tensor<3x4xi32>, %[[C:[^:]+]]: tensor<4xi32>)
func.func @einsum_three_operands(%a: tensor<2x3xi32>, %b: tensor<3x4xi32>, %c: tensor<4xi32>) -> tensor<2xi32> {
  // CHECK: quern.einsum "ij,jk,k->i" %[[A]], %[[B]], %[[C]] : (tensor<2x3xi32>, tensor<3x4xi32>, tensor<4xi32>) -> tensor<2xi32>
  %0 = quern.einsum "ij,jk,k->i" %a, %b, %c : (tensor<2x3xi32>, tensor<3x4xi32>, tensor<4xi32>) -> tensor<2xi32>
  return %0 : tensor<2xi32>
}

// A repeated letter takes a diagonal; an empty result is a full reduction.
// CHECK-LABEL: func.func @einsum_diagonal
// CHECK-SAME: (%[[A:.+]]: tensor<3x3xf64>)
func.func @einsum_diagonal(%a: tensor<3x3xf64>) -> (tensor<3xf64>, tensor<f64>) {
  // CHECK: quern.einsum "ii->i" %[[A]] : (tensor<3x3xf64>) -> tensor<3xf64>
  %0 = quern.einsum "ii->i" %a : (tensor<3x3xf64>) -> tensor<3xf64>
  // CHECK: quern.einsum "ii->" %[[A]] : (tensor<3x3xf64>) -> tensor<f64>
  %1 = quern.einsum "ii->" %a : (tensor<3x3xf64>) -> tensor<f64>
  return %0, %1 : tensor<3xf64>, tensor<f64>
}

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @reductions
func.func @reductions(%x: tensor<2x3x4xf32>)
    -> (tensor<2x1x1xf32>, tensor<2x4xf32>, tensor<f32>, tensor<1x3x1xf32>) {
  // CHECK: quern.reduce_sum %{{.+}} axes = [1, 2] keep_dims : tensor<2x3x4xf32> -> tensor<2x1x1xf32>
  %0 = quern.reduce_sum %x axes = [1, 2] keep_dims : tensor<2x3x4xf32> -> tensor<2x1x1xf32>
  // CHECK: quern.reduce_mean %{{.+}} axes = [1] : tensor<2x3x4xf32> -> tensor<2x4xf32>
  %1 = quern.reduce_mean %x axes = [1] : tensor<2x3x4xf32> -> tensor<2x4xf32>
  // CHECK: quern.reduce_max %{{.+}} axes = [0, 1, 2] : tensor<2x3x4xf32> -> tensor<f32>
  %2 = quern.reduce_max %x axes = [0, 1, 2] : tensor<2x3x4xf32> -> tensor<f32>
  // CHECK: quern.reduce_max %{{.+}} axes = [0, 2] keep_dims : tensor<2x3x4xf32> -> tensor<1x3x1xf32>
  %3 = quern.reduce_max %x axes = [0, 2] keep_dims : tensor<2x3x4xf32> -> tensor<1x3x1xf32>
  return %0, %1, %2, %3 : tensor<2x1x1xf32>, tensor<2x4xf32>, tensor<f32>, tensor<1x3x1xf32>
}

// An empty axis list reduces nothing.
// CHECK-LABEL: func.func @reduce_no_axes
func.func @reduce_no_axes(%x: tensor<3xf16>) -> tensor<3xf16> {
  // CHECK: quern.reduce_sum %{{.+}} axes = [] : tensor<3xf16> -> tensor<3xf16>
  %0 = quern.reduce_sum %x axes = [] : tensor<3xf16> -> tensor<3xf16>
  return %0 : tensor<3xf16>
}

// CHECK-LABEL: func.func @reduce_min
func.func @reduce_min(%x: tensor<2x3xf32>, %u: tensor<4x2xui8>) -> (tensor<2x1xf32>, tensor<2xui8>) {
  // CHECK: quern.reduce_min %{{.+}} axes = [1] keep_dims : tensor<2x3xf32> -> tensor<2x1xf32>
  %0 = quern.reduce_min %x axes = [1] keep_dims : tensor<2x3xf32> -> tensor<2x1xf32>
  // Integer reductions keep the element type, unsigned included.
  // CHECK: quern.reduce_min %{{.+}} axes = [0] : tensor<4x2xui8> -> tensor<2xui8>
  %1 = quern.reduce_min %u axes = [0] : tensor<4x2xui8> -> tensor<2xui8>
  return %0, %1 : tensor<2x1xf32>, tensor<2xui8>
}

//===----------------------------------------------------------------------===//
// Normalization and losses
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @layer_norm
// CHECK-SAME: (%[[X:[^:]+]]: tensor<2x16x32xf32>, %[[G:[^:]+]]: tensor<32xf32>, %[[B:[^:]+]]: tensor<32xf32>)
func.func @layer_norm(%x: tensor<2x16x32xf32>, %g: tensor<32xf32>, %b: tensor<32xf32>)
    -> (tensor<2x16x32xf32>, tensor<2x16x1xf32>, tensor<2x16x1xf32>) {
  // CHECK: %[[Y:.+]], %[[MEAN:.+]], %[[INV:.+]] = quern.layer_norm %[[X]], %[[G]], %[[B]] axis = 2 epsilon = 1.000000e-05 : (tensor<2x16x32xf32>, tensor<32xf32>, tensor<32xf32>) -> (tensor<2x16x32xf32>, tensor<2x16x1xf32>, tensor<2x16x1xf32>)
  %y, %mean, %inv_std = quern.layer_norm %x, %g, %b axis = 2 epsilon = 1.0e-5
      : (tensor<2x16x32xf32>, tensor<32xf32>, tensor<32xf32>)
      -> (tensor<2x16x32xf32>, tensor<2x16x1xf32>, tensor<2x16x1xf32>)
  // CHECK: return %[[Y]], %[[MEAN]], %[[INV]]
  return %y, %mean, %inv_std : tensor<2x16x32xf32>, tensor<2x16x1xf32>, tensor<2x16x1xf32>
}

// Without a bias, normalizing over the last two dimensions.
// CHECK-LABEL: func.func @layer_norm_no_bias
// CHECK-SAME: (%[[X:[^:]+]]: tensor<2x3x4xf16>, %[[G:[^:]+]]: tensor<3x4xf16>)
func.func @layer_norm_no_bias(%x: tensor<2x3x4xf16>, %g: tensor<3x4xf16>)
    -> (tensor<2x3x4xf16>, tensor<2x1x1xf16>, tensor<2x1x1xf16>) {
  // CHECK: quern.layer_norm %[[X]], %[[G]] axis = 1 epsilon = 1.000000e-03 : (tensor<2x3x4xf16>, tensor<3x4xf16>) -> (tensor<2x3x4xf16>, tensor<2x1x1xf16>, tensor<2x1x1xf16>)
  %y, %mean, %inv_std = quern.layer_norm %x, %g axis = 1 epsilon = 1.0e-3
      : (tensor<2x3x4xf16>, tensor<3x4xf16>)
      -> (tensor<2x3x4xf16>, tensor<2x1x1xf16>, tensor<2x1x1xf16>)
  return %y, %mean, %inv_std : tensor<2x3x4xf16>, tensor<2x1x1xf16>, tensor<2x1x1xf16>
}

// CHECK-LABEL: func.func @nll_loss
// CHECK-SAME: (%[[LOGP:[^:]+]]: tensor<8x10xf32>, %[[T:[^:]+]]: tensor<8xi64>, %[[W:[^:]+]]: tensor<10xf32>)
func.func @nll_loss(%logp: tensor<8x10xf32>, %t: tensor<8xi64>, %w: tensor<10xf32>)
    -> (tensor<f32>, tensor<f32>, tensor<8xf32>, tensor<f32>) {
  // CHECK: quern.nll_loss %[[LOGP]], %[[T]] reduction = mean : (tensor<8x10xf32>, tensor<8xi64>) -> tensor<f32>
  %0 = quern.nll_loss %logp, %t reduction = mean : (tensor<8x10xf32>, tensor<8xi64>) -> tensor<f32>
  // CHECK: quern.nll_loss %[[LOGP]], %[[T]], %[[W]] reduction = sum : (tensor<8x10xf32>, tensor<8xi64>, tensor<10xf32>) -> tensor<f32>
  %1 = quern.nll_loss %logp, %t, %w reduction = sum : (tensor<8x10xf32>, tensor<8xi64>, tensor<10xf32>) -> tensor<f32>
  // CHECK: quern.nll_loss %[[LOGP]], %[[T]] reduction = none ignore_index = -100 : (tensor<8x10xf32>, tensor<8xi64>) -> tensor<8xf32>
  %2 = quern.nll_loss %logp, %t reduction = none ignore_index = -100 : (tensor<8x10xf32>, tensor<8xi64>) -> tensor<8xf32>
  // CHECK: quern.nll_loss %[[LOGP]], %[[T]], %[[W]] reduction = mean ignore_index = 3 : (tensor<8x10xf32>, tensor<8xi64>, tensor<10xf32>) -> tensor<f32>
  %3 = quern.nll_loss %logp, %t, %w reduction = mean ignore_index = 3 : (tensor<8x10xf32>, tensor<8xi64>, tensor<10xf32>) -> tensor<f32>
  return %0, %1, %2, %3 : tensor<f32>, tensor<f32>, tensor<8xf32>, tensor<f32>
}

// Extra dimensions [N, C, d1, d2] with i32 targets [N, d1, d2].
// CHECK-LABEL: func.func @nll_loss_spatial
func.func @nll_loss_spatial(%logp: tensor<2x5x3x4xf64>, %t: tensor<2x3x4xi32>) -> tensor<2x3x4xf64> {
  // CHECK: quern.nll_loss %{{.+}}, %{{.+}} reduction = none : (tensor<2x5x3x4xf64>, tensor<2x3x4xi32>) -> tensor<2x3x4xf64>
  %0 = quern.nll_loss %logp, %t reduction = none : (tensor<2x5x3x4xf64>, tensor<2x3x4xi32>) -> tensor<2x3x4xf64>
  return %0 : tensor<2x3x4xf64>
}

//===----------------------------------------------------------------------===//
// Softmax family
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @softmax
func.func @softmax(%x: tensor<4x10xf32>) -> (tensor<4x10xf32>, tensor<4x10xf32>) {
  // CHECK: quern.softmax %{{.+}} axis = 1 : tensor<4x10xf32>
  %0 = quern.softmax %x axis = 1 : tensor<4x10xf32>
  // CHECK: quern.log_softmax %{{.+}} axis = 0 : tensor<4x10xf32>
  %1 = quern.log_softmax %x axis = 0 : tensor<4x10xf32>
  return %0, %1 : tensor<4x10xf32>, tensor<4x10xf32>
}

//===----------------------------------------------------------------------===//
// Shape ops and constants
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @reshape
func.func @reshape(%x: tensor<4x8xf32>, %i: tensor<2x3xi64>, %s: tensor<f32>)
    -> (tensor<32xf32>, tensor<3x2xi64>, tensor<1x1xf32>) {
  // CHECK: quern.reshape %{{.+}} : tensor<4x8xf32> -> tensor<32xf32>
  %0 = quern.reshape %x : tensor<4x8xf32> -> tensor<32xf32>
  // Shape ops are not limited to floats.
  // CHECK: quern.reshape %{{.+}} : tensor<2x3xi64> -> tensor<3x2xi64>
  %1 = quern.reshape %i : tensor<2x3xi64> -> tensor<3x2xi64>
  // CHECK: quern.reshape %{{.+}} : tensor<f32> -> tensor<1x1xf32>
  %2 = quern.reshape %s : tensor<f32> -> tensor<1x1xf32>
  return %0, %1, %2 : tensor<32xf32>, tensor<3x2xi64>, tensor<1x1xf32>
}

// CHECK-LABEL: func.func @transpose
func.func @transpose(%x: tensor<2x3x4xf16>) -> tensor<4x2x3xf16> {
  // CHECK: quern.transpose %{{.+}} perm = [2, 0, 1] : tensor<2x3x4xf16> -> tensor<4x2x3xf16>
  %0 = quern.transpose %x perm = [2, 0, 1] : tensor<2x3x4xf16> -> tensor<4x2x3xf16>
  return %0 : tensor<4x2x3xf16>
}

// CHECK-LABEL: func.func @broadcast
func.func @broadcast(%v: tensor<8xf32>, %c: tensor<4x1xf32>, %s: tensor<f32>)
    -> (tensor<4x8xf32>, tensor<2x4x8xf32>, tensor<3x2xf32>) {
  // CHECK: quern.broadcast %{{.+}} : tensor<8xf32> -> tensor<4x8xf32>
  %0 = quern.broadcast %v : tensor<8xf32> -> tensor<4x8xf32>
  // CHECK: quern.broadcast %{{.+}} : tensor<4x1xf32> -> tensor<2x4x8xf32>
  %1 = quern.broadcast %c : tensor<4x1xf32> -> tensor<2x4x8xf32>
  // CHECK: quern.broadcast %{{.+}} : tensor<f32> -> tensor<3x2xf32>
  %2 = quern.broadcast %s : tensor<f32> -> tensor<3x2xf32>
  return %0, %1, %2 : tensor<4x8xf32>, tensor<2x4x8xf32>, tensor<3x2xf32>
}

// CHECK-LABEL: func.func @constant
func.func @constant() -> (tensor<4xf32>, tensor<2xi64>, tensor<2x2xbf16>, tensor<f64>) {
  // CHECK: quern.constant dense<1.000000e+00> : tensor<4xf32>
  %0 = quern.constant dense<1.0> : tensor<4xf32>
  // CHECK: quern.constant dense<[2, -1]> : tensor<2xi64>
  %1 = quern.constant dense<[2, -1]> : tensor<2xi64>
  // CHECK: quern.constant dense<{{\[}}[1.000000e+00, 2.000000e+00], [3.000000e+00, 4.000000e+00]]> : tensor<2x2xbf16>
  %2 = quern.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xbf16>
  // CHECK: quern.constant dense<5.000000e-01> : tensor<f64>
  %3 = quern.constant dense<0.5> : tensor<f64>
  return %0, %1, %2, %3 : tensor<4xf32>, tensor<2xi64>, tensor<2x2xbf16>, tensor<f64>
}

// CHECK-LABEL: func.func @constant_unsigned_and_bool
func.func @constant_unsigned_and_bool() -> (tensor<3xui8>, tensor<2xi1>) {
  // CHECK: quern.constant dense<[0, 128, 255]> : tensor<3xui8>
  %0 = quern.constant dense<[0, 128, 255]> : tensor<3xui8>
  // CHECK: quern.constant dense<[true, false]> : tensor<2xi1>
  %1 = quern.constant dense<[true, false]> : tensor<2xi1>
  return %0, %1 : tensor<3xui8>, tensor<2xi1>
}

// CHECK-LABEL: func.func @concat
// CHECK-SAME: (%[[A:[^:]+]]: tensor<2x3xf32>, %[[B:[^:]+]]: tensor<2x5xf32>, %[[C:[^:]+]]: tensor<2x1xf32>)
func.func @concat(%a: tensor<2x3xf32>, %b: tensor<2x5xf32>, %c: tensor<2x1xf32>) -> (tensor<2x9xf32>, tensor<4x3xf32>) {
  // CHECK: quern.concat %[[A]], %[[B]], %[[C]] axis = 1 : (tensor<2x3xf32>, tensor<2x5xf32>, tensor<2x1xf32>) -> tensor<2x9xf32>
  %0 = quern.concat %a, %b, %c axis = 1 : (tensor<2x3xf32>, tensor<2x5xf32>, tensor<2x1xf32>) -> tensor<2x9xf32>
  // CHECK: quern.concat %[[A]], %[[A]] axis = 0 : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<4x3xf32>
  %1 = quern.concat %a, %a axis = 0 : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<4x3xf32>
  return %0, %1 : tensor<2x9xf32>, tensor<4x3xf32>
}

// CHECK-LABEL: func.func @concat_integers
func.func @concat_integers(%a: tensor<2xi64>, %u: tensor<3xui8>) -> (tensor<2xi64>, tensor<6xui8>) {
  // A single input is a valid concat.
  // CHECK: quern.concat %{{.+}} axis = 0 : (tensor<2xi64>) -> tensor<2xi64>
  %0 = quern.concat %a axis = 0 : (tensor<2xi64>) -> tensor<2xi64>
  // CHECK: quern.concat %{{.+}}, %{{.+}} axis = 0 : (tensor<3xui8>, tensor<3xui8>) -> tensor<6xui8>
  %1 = quern.concat %u, %u axis = 0 : (tensor<3xui8>, tensor<3xui8>) -> tensor<6xui8>
  return %0, %1 : tensor<2xi64>, tensor<6xui8>
}

// CHECK-LABEL: func.func @slice
// CHECK-SAME: (%[[X:.+]]: tensor<4x8xf32>)
func.func @slice(%x: tensor<4x8xf32>) -> (tensor<2x3xf32>, tensor<4x4xf32>, tensor<4x8xf32>) {
  // CHECK: quern.slice %[[X]] offsets = [1, 2] strides = [2, 2] : tensor<4x8xf32> -> tensor<2x3xf32>
  %0 = quern.slice %x offsets = [1, 2] strides = [2, 2] : tensor<4x8xf32> -> tensor<2x3xf32>
  // Negative strides run backwards from the offset.
  // CHECK: quern.slice %[[X]] offsets = [0, 7] strides = [1, -2] : tensor<4x8xf32> -> tensor<4x4xf32>
  %1 = quern.slice %x offsets = [0, 7] strides = [1, -2] : tensor<4x8xf32> -> tensor<4x4xf32>
  // CHECK: quern.slice %[[X]] offsets = [3, 7] strides = [-1, -1] : tensor<4x8xf32> -> tensor<4x8xf32>
  %2 = quern.slice %x offsets = [3, 7] strides = [-1, -1] : tensor<4x8xf32> -> tensor<4x8xf32>
  return %0, %1, %2 : tensor<2x3xf32>, tensor<4x4xf32>, tensor<4x8xf32>
}

// An empty window may start anywhere.
// CHECK-LABEL: func.func @slice_empty
func.func @slice_empty(%x: tensor<4xi64>) -> tensor<0xi64> {
  // CHECK: quern.slice %{{.+}} offsets = [4] strides = [1] : tensor<4xi64> -> tensor<0xi64>
  %0 = quern.slice %x offsets = [4] strides = [1] : tensor<4xi64> -> tensor<0xi64>
  return %0 : tensor<0xi64>
}

//===----------------------------------------------------------------------===//
// Indexing ops
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @gather
// CHECK-SAME: (%[[TABLE:[^:]+]]: tensor<64x32xf32>, %[[TOKENS:[^:]+]]: tensor<2x16xi64>, %[[I:[^:]+]]: tensor<i32>, %[[U:[^:]+]]: tensor<3x4xui8>)
func.func @gather(%table: tensor<64x32xf32>, %tokens: tensor<2x16xi64>, %i: tensor<i32>, %u: tensor<3x4xui8>)
    -> (tensor<2x16x32xf32>, tensor<64xf32>, tensor<3x2x16xui8>) {
  // CHECK: quern.gather %[[TABLE]], %[[TOKENS]] axis = 0 : (tensor<64x32xf32>, tensor<2x16xi64>) -> tensor<2x16x32xf32>
  %0 = quern.gather %table, %tokens axis = 0 : (tensor<64x32xf32>, tensor<2x16xi64>) -> tensor<2x16x32xf32>
  // A scalar index drops the axis.
  // CHECK: quern.gather %[[TABLE]], %[[I]] axis = 1 : (tensor<64x32xf32>, tensor<i32>) -> tensor<64xf32>
  %1 = quern.gather %table, %i axis = 1 : (tensor<64x32xf32>, tensor<i32>) -> tensor<64xf32>
  // CHECK: quern.gather %[[U]], %[[TOKENS]] axis = 1 : (tensor<3x4xui8>, tensor<2x16xi64>) -> tensor<3x2x16xui8>
  %2 = quern.gather %u, %tokens axis = 1 : (tensor<3x4xui8>, tensor<2x16xi64>) -> tensor<3x2x16xui8>
  return %0, %1, %2 : tensor<2x16x32xf32>, tensor<64xf32>, tensor<3x2x16xui8>
}

// CHECK-LABEL: func.func @gather_elements
// CHECK-SAME: (%[[X:[^:]+]]: tensor<3x4xf32>, %[[IDX:[^:]+]]: tensor<3x2xi64>, %[[B:[^:]+]]: tensor<3x4xi1>, %[[IDX32:[^:]+]]: tensor<5x4xi32>)
func.func @gather_elements(%x: tensor<3x4xf32>, %idx: tensor<3x2xi64>, %b: tensor<3x4xi1>, %idx32: tensor<5x4xi32>)
    -> (tensor<3x2xf32>, tensor<5x4xi1>) {
  // CHECK: quern.gather_elements %[[X]], %[[IDX]] axis = 1 : (tensor<3x4xf32>, tensor<3x2xi64>) -> tensor<3x2xf32>
  %0 = quern.gather_elements %x, %idx axis = 1 : (tensor<3x4xf32>, tensor<3x2xi64>) -> tensor<3x2xf32>
  // CHECK: quern.gather_elements %[[B]], %[[IDX32]] axis = 0 : (tensor<3x4xi1>, tensor<5x4xi32>) -> tensor<5x4xi1>
  %1 = quern.gather_elements %b, %idx32 axis = 0 : (tensor<3x4xi1>, tensor<5x4xi32>) -> tensor<5x4xi1>
  return %0, %1 : tensor<3x2xf32>, tensor<5x4xi1>
}

// Every scatter reduction prints as its word.
// CHECK-LABEL: func.func @scatter_elements
// CHECK-SAME: (%[[X:[^:]+]]: tensor<3x4xf32>, %[[IDX:[^:]+]]: tensor<3x2xi64>, %[[UPD:[^:]+]]: tensor<3x2xf32>)
func.func @scatter_elements(%x: tensor<3x4xf32>, %idx: tensor<3x2xi64>, %upd: tensor<3x2xf32>)
    -> (tensor<3x4xf32>, tensor<3x4xf32>, tensor<3x4xf32>, tensor<3x4xf32>, tensor<3x4xf32>) {
  // CHECK: quern.scatter_elements %[[X]], %[[IDX]], %[[UPD]] axis = 1 reduction = none : (tensor<3x4xf32>, tensor<3x2xi64>, tensor<3x2xf32>) -> tensor<3x4xf32>
  %0 = quern.scatter_elements %x, %idx, %upd axis = 1 reduction = none
      : (tensor<3x4xf32>, tensor<3x2xi64>, tensor<3x2xf32>) -> tensor<3x4xf32>
  // CHECK: quern.scatter_elements %[[X]], %[[IDX]], %[[UPD]] axis = 1 reduction = add :
  %1 = quern.scatter_elements %x, %idx, %upd axis = 1 reduction = add
      : (tensor<3x4xf32>, tensor<3x2xi64>, tensor<3x2xf32>) -> tensor<3x4xf32>
  // CHECK: quern.scatter_elements %[[X]], %[[IDX]], %[[UPD]] axis = 1 reduction = mul :
  %2 = quern.scatter_elements %x, %idx, %upd axis = 1 reduction = mul
      : (tensor<3x4xf32>, tensor<3x2xi64>, tensor<3x2xf32>) -> tensor<3x4xf32>
  // CHECK: quern.scatter_elements %[[X]], %[[IDX]], %[[UPD]] axis = 0 reduction = max :
  %3 = quern.scatter_elements %x, %idx, %upd axis = 0 reduction = max
      : (tensor<3x4xf32>, tensor<3x2xi64>, tensor<3x2xf32>) -> tensor<3x4xf32>
  // CHECK: quern.scatter_elements %[[X]], %[[IDX]], %[[UPD]] axis = 0 reduction = min :
  %4 = quern.scatter_elements %x, %idx, %upd axis = 0 reduction = min
      : (tensor<3x4xf32>, tensor<3x2xi64>, tensor<3x2xf32>) -> tensor<3x4xf32>
  return %0, %1, %2, %3, %4 : tensor<3x4xf32>, tensor<3x4xf32>, tensor<3x4xf32>, tensor<3x4xf32>, tensor<3x4xf32>
}

// CHECK-LABEL: func.func @scatter_elements_unsigned
func.func @scatter_elements_unsigned(%x: tensor<5xui8>, %idx: tensor<2xi32>, %upd: tensor<2xui8>) -> tensor<5xui8> {
  // CHECK: quern.scatter_elements %{{.+}}, %{{.+}}, %{{.+}} axis = 0 reduction = max : (tensor<5xui8>, tensor<2xi32>, tensor<2xui8>) -> tensor<5xui8>
  %0 = quern.scatter_elements %x, %idx, %upd axis = 0 reduction = max
      : (tensor<5xui8>, tensor<2xi32>, tensor<2xui8>) -> tensor<5xui8>
  return %0 : tensor<5xui8>
}

// CHECK-LABEL: func.func @scatter_nd
// CHECK-SAME: (%[[X:[^:]+]]: tensor<8xf32>, %[[IDX:[^:]+]]: tensor<4x1xi64>, %[[UPD:[^:]+]]: tensor<4xf32>, %[[M:[^:]+]]: tensor<4x4x4xf32>, %[[IDX2:[^:]+]]: tensor<2x1xi64>, %[[ROWS:[^:]+]]: tensor<2x4x4xf32>)
func.func @scatter_nd(%x: tensor<8xf32>, %idx: tensor<4x1xi64>, %upd: tensor<4xf32>,
                      %m: tensor<4x4x4xf32>, %idx2: tensor<2x1xi64>, %rows: tensor<2x4x4xf32>)
    -> (tensor<8xf32>, tensor<4x4x4xf32>) {
  // CHECK: quern.scatter_nd %[[X]], %[[IDX]], %[[UPD]] reduction = none : (tensor<8xf32>, tensor<4x1xi64>, tensor<4xf32>) -> tensor<8xf32>
  %0 = quern.scatter_nd %x, %idx, %upd reduction = none
      : (tensor<8xf32>, tensor<4x1xi64>, tensor<4xf32>) -> tensor<8xf32>
  // Slices of the trailing dimensions, combined with mul.
  // CHECK: quern.scatter_nd %[[M]], %[[IDX2]], %[[ROWS]] reduction = mul : (tensor<4x4x4xf32>, tensor<2x1xi64>, tensor<2x4x4xf32>) -> tensor<4x4x4xf32>
  %1 = quern.scatter_nd %m, %idx2, %rows reduction = mul
      : (tensor<4x4x4xf32>, tensor<2x1xi64>, tensor<2x4x4xf32>) -> tensor<4x4x4xf32>
  return %0, %1 : tensor<8xf32>, tensor<4x4x4xf32>
}

// CHECK-LABEL: func.func @topk
// CHECK-SAME: (%[[X:[^:]+]]: tensor<8x4xf32>, %[[U:[^:]+]]: tensor<3x5xui8>)
func.func @topk(%x: tensor<8x4xf32>, %u: tensor<3x5xui8>)
    -> (tensor<8x2xf32>, tensor<8x2xi64>, tensor<1x5xui8>, tensor<1x5xi64>) {
  // CHECK: %[[V:.+]], %[[I:.+]] = quern.topk %[[X]] k = 2 axis = 1 : tensor<8x4xf32> -> (tensor<8x2xf32>, tensor<8x2xi64>)
  %v, %i = quern.topk %x k = 2 axis = 1 : tensor<8x4xf32> -> (tensor<8x2xf32>, tensor<8x2xi64>)
  // CHECK: %[[SV:.+]], %[[SI:.+]] = quern.topk %[[U]] k = 1 axis = 0 smallest : tensor<3x5xui8> -> (tensor<1x5xui8>, tensor<1x5xi64>)
  %sv, %si = quern.topk %u k = 1 axis = 0 smallest : tensor<3x5xui8> -> (tensor<1x5xui8>, tensor<1x5xi64>)
  // CHECK: return %[[V]], %[[I]], %[[SV]], %[[SI]]
  return %v, %i, %sv, %si : tensor<8x2xf32>, tensor<8x2xi64>, tensor<1x5xui8>, tensor<1x5xi64>
}

// CHECK-LABEL: func.func @trilu
// CHECK-SAME: (%[[X:[^:]+]]: tensor<16x16xf32>, %[[B:[^:]+]]: tensor<2x3x4xi1>)
func.func @trilu(%x: tensor<16x16xf32>, %b: tensor<2x3x4xi1>) -> (tensor<16x16xf32>, tensor<2x3x4xi1>) {
  // CHECK: quern.trilu %[[X]] k = 0 : tensor<16x16xf32>
  %0 = quern.trilu %x k = 0 : tensor<16x16xf32>
  // CHECK: quern.trilu %[[B]] k = -1 upper : tensor<2x3x4xi1>
  %1 = quern.trilu %b k = -1 upper : tensor<2x3x4xi1>
  return %0, %1 : tensor<16x16xf32>, tensor<2x3x4xi1>
}

// CHECK-LABEL: func.func @dropout
// CHECK-SAME: (%[[X:.+]]: tensor<4x8xf32>)
func.func @dropout(%x: tensor<4x8xf32>) -> (tensor<4x8xf32>, tensor<4x8xi1>) {
  // CHECK: %[[Y:.+]], %[[MASK:.+]] = quern.dropout %[[X]] ratio = 5.000000e-01 seed = 7 : tensor<4x8xf32> -> tensor<4x8xi1>
  %y, %mask = quern.dropout %x ratio = 0.5 seed = 7 : tensor<4x8xf32> -> tensor<4x8xi1>
  // CHECK: return %[[Y]], %[[MASK]]
  return %y, %mask : tensor<4x8xf32>, tensor<4x8xi1>
}

// A ratio of 0 keeps everything; seeds may be negative.
// CHECK-LABEL: func.func @dropout_no_ratio
func.func @dropout_no_ratio(%x: tensor<3xbf16>) -> (tensor<3xbf16>, tensor<3xi1>) {
  // CHECK: quern.dropout %{{.+}} ratio = 0.000000e+00 seed = -3 : tensor<3xbf16> -> tensor<3xi1>
  %y, %mask = quern.dropout %x ratio = 0.0 seed = -3 : tensor<3xbf16> -> tensor<3xi1>
  return %y, %mask : tensor<3xbf16>, tensor<3xi1>
}

// A gradient bucket's mean over data-parallel processes, started and
// waited for; a bucket of two gradients packed by its start.
// CHECK-LABEL: func.func @all_reduce
func.func @all_reduce(%x: tensor<16xf32>) -> tensor<16xf32> {
  // CHECK: %[[PENDING:.+]] = quern.collective_start all_reduce %{{.*}} bucket = 3 : tensor<16xf32> -> tensor<16xf32>
  // CHECK: quern.collective_wait all_reduce %[[PENDING]] bucket = 3 : tensor<16xf32>
  %0 = quern.collective_start all_reduce %x bucket = 3 : tensor<16xf32> -> tensor<16xf32>
  %1 = quern.collective_wait all_reduce %0 bucket = 3 : tensor<16xf32>
  return %1 : tensor<16xf32>
}

// CHECK-LABEL: func.func @all_reduce_packed
func.func @all_reduce_packed(%a: tensor<12xf32>, %b: tensor<4xf32>) -> tensor<16xf32> {
  // CHECK: quern.collective_start all_reduce %{{.*}}, %{{.*}} bucket = 0 : tensor<12xf32>, tensor<4xf32> -> tensor<16xf32>
  %0 = quern.collective_start all_reduce %a, %b bucket = 0 : tensor<12xf32>, tensor<4xf32> -> tensor<16xf32>
  %1 = quern.collective_wait all_reduce %0 bucket = 0 : tensor<16xf32>
  return %1 : tensor<16xf32>
}

// With the optimizer state sharded over 2 processes: a bucket of 2 chunks
// reduce-scattered, the updated pieces all-gathered, at offsets from the
// process's rank.
// CHECK-LABEL: func.func @sharded
func.func @sharded(%x: tensor<16xf32>, %a: tensor<3xf32>, %b: tensor<5xf32>) -> (tensor<16xf32>, tensor<16xf32>, index) {
  // CHECK: %[[RANK:.+]] = quern.process_rank : index
  // CHECK: %[[SCATTER:.+]] = quern.collective_start reduce_scatter %{{.*}} bucket = 0 over 2 : tensor<16xf32> -> tensor<16xf32>
  // CHECK: quern.collective_wait reduce_scatter %[[SCATTER]] bucket = 0 over 2 : tensor<16xf32>
  // CHECK: %[[GATHER:.+]] = quern.collective_start all_gather %{{.*}}, %{{.*}} bucket = 1 over 2 : tensor<3xf32>, tensor<5xf32> -> tensor<16xf32>
  // CHECK: quern.collective_wait all_gather %[[GATHER]] bucket = 1 over 2 : tensor<16xf32>
  %rank = quern.process_rank : index
  %0 = quern.collective_start reduce_scatter %x bucket = 0 over 2 : tensor<16xf32> -> tensor<16xf32>
  %1 = quern.collective_wait reduce_scatter %0 bucket = 0 over 2 : tensor<16xf32>
  %2 = quern.collective_start all_gather %a, %b bucket = 1 over 2 : tensor<3xf32>, tensor<5xf32> -> tensor<16xf32>
  %3 = quern.collective_wait all_gather %2 bucket = 1 over 2 : tensor<16xf32>
  return %1, %3, %rank : tensor<16xf32>, tensor<16xf32>, index
}

// A value a recomputation reads: its input, kept apart from CSE.
// CHECK-LABEL: func.func @recompute_input
func.func @recompute_input(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  // CHECK: quern.recompute_input %{{.*}} : tensor<4x8xf32>
  %0 = quern.recompute_input %x : tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// The training step's marker of where its backward pass begins.
// CHECK-LABEL: func.func @backward_begins
func.func @backward_begins() {
  // CHECK: quern.backward_begins
  quern.backward_begins
  return
}
