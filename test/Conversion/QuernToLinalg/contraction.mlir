// RUN: quern-opt %s --convert-quern-to-linalg -split-input-file | FileCheck %s

// quern.matmul is one contraction linalg.generic over (batch..., m, n, k).
// The transposes are in the operands' indexing maps, never a copy; the
// accumulator starts from zeros (linalg.fill) or from the bias broadcast into
// the init tensor.

// CHECK-DAG: #[[LHS:.+]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-DAG: #[[RHS:.+]] = affine_map<(d0, d1, d2) -> (d2, d1)>
// CHECK-DAG: #[[OUT:.+]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-LABEL: func.func @matmul
// CHECK-SAME: (%[[A:[^:]+]]: tensor<2x3xf32>, %[[B:[^:]+]]: tensor<3x5xf32>)
// CHECK-DAG: %[[ZERO:.+]] = arith.constant 0.000000e+00 : f32
// CHECK-DAG: %[[EMPTY:.+]] = tensor.empty() : tensor<2x5xf32>
// CHECK: %[[INIT:.+]] = linalg.fill ins(%[[ZERO]] : f32) outs(%[[EMPTY]] : tensor<2x5xf32>)
// CHECK: %[[R:.+]] = linalg.generic
// CHECK-SAME: indexing_maps = [#[[LHS]], #[[RHS]], #[[OUT]]]
// CHECK-SAME: iterator_types = ["parallel", "parallel", "reduction"]
// CHECK-SAME: ins(%[[A]], %[[B]] : tensor<2x3xf32>, tensor<3x5xf32>) outs(%[[INIT]] : tensor<2x5xf32>)
// CHECK: ^bb0(%[[X:.+]]: f32, %[[Y:.+]]: f32, %[[ACC:.+]]: f32):
// The sum over k may be reassociated and contracted into FMAs.
// CHECK: %[[P:.+]] = arith.mulf %[[X]], %[[Y]] fastmath<reassoc,contract> : f32
// CHECK: %[[S:.+]] = arith.addf %[[ACC]], %[[P]] fastmath<reassoc,contract> : f32
// CHECK: linalg.yield %[[S]] : f32
// CHECK: return %[[R]]
func.func @matmul(%a: tensor<2x3xf32>, %b: tensor<3x5xf32>) -> tensor<2x5xf32> {
  %0 = quern.matmul %a, %b : tensor<2x3xf32>, tensor<3x5xf32> -> tensor<2x5xf32>
  return %0 : tensor<2x5xf32>
}

// -----

// lhs is [k, m].
// CHECK-DAG: #[[LHS:.+]] = affine_map<(d0, d1, d2) -> (d2, d0)>
// CHECK-DAG: #[[RHS:.+]] = affine_map<(d0, d1, d2) -> (d2, d1)>
// CHECK-DAG: #[[OUT:.+]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-LABEL: func.func @transpose_lhs
// CHECK: linalg.fill
// CHECK: linalg.generic
// CHECK-SAME: indexing_maps = [#[[LHS]], #[[RHS]], #[[OUT]]]
// CHECK-SAME: iterator_types = ["parallel", "parallel", "reduction"]
func.func @transpose_lhs(%a: tensor<3x2xf32>, %b: tensor<3x5xf32>) -> tensor<2x5xf32> {
  %0 = quern.matmul %a, %b transpose_lhs : tensor<3x2xf32>, tensor<3x5xf32> -> tensor<2x5xf32>
  return %0 : tensor<2x5xf32>
}

// -----

// ONNX Gemm with transB = 1: rhs is [n, k]; the vector bias is read at n for
// every row of the init tensor.
// CHECK-DAG: #[[BIAS:.+]] = affine_map<(d0, d1) -> (d1)>
// CHECK-DAG: #[[ID2:.+]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[LHS:.+]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-DAG: #[[RHS:.+]] = affine_map<(d0, d1, d2) -> (d1, d2)>
// CHECK-DAG: #[[OUT:.+]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-LABEL: func.func @transpose_rhs_vector_bias
// CHECK-SAME: (%[[A:[^:]+]]: tensor<1x784xf32>, %[[W:[^:]+]]: tensor<256x784xf32>, %[[BIAS_ARG:[^:]+]]: tensor<256xf32>)
// CHECK: %[[EMPTY:.+]] = tensor.empty() : tensor<1x256xf32>
// CHECK: %[[INIT:.+]] = linalg.generic
// CHECK-SAME: indexing_maps = [#[[BIAS]], #[[ID2]]]
// CHECK-SAME: iterator_types = ["parallel", "parallel"]
// CHECK-SAME: ins(%[[BIAS_ARG]] : tensor<256xf32>) outs(%[[EMPTY]] : tensor<1x256xf32>)
// CHECK: ^bb0(%[[IN:.+]]: f32, %{{.+}}: f32):
// CHECK: linalg.yield %[[IN]] : f32
// CHECK: %[[R:.+]] = linalg.generic
// CHECK-SAME: indexing_maps = [#[[LHS]], #[[RHS]], #[[OUT]]]
// CHECK-SAME: ins(%[[A]], %[[W]] : tensor<1x784xf32>, tensor<256x784xf32>) outs(%[[INIT]] : tensor<1x256xf32>)
// CHECK: return %[[R]]
func.func @transpose_rhs_vector_bias(%a: tensor<1x784xf32>, %w: tensor<256x784xf32>,
                                     %bias: tensor<256xf32>) -> tensor<1x256xf32> {
  %0 = quern.matmul %a, %w bias(%bias : tensor<256xf32>) transpose_rhs
      : tensor<1x784xf32>, tensor<256x784xf32> -> tensor<1x256xf32>
  return %0 : tensor<1x256xf32>
}

// -----

// A bias of the result's shape is copied into the init through the identity.
// CHECK-DAG: #[[ID2:.+]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[LHS:.+]] = affine_map<(d0, d1, d2) -> (d2, d0)>
// CHECK-DAG: #[[RHS:.+]] = affine_map<(d0, d1, d2) -> (d1, d2)>
// CHECK-DAG: #[[OUT:.+]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-LABEL: func.func @both_transposed_full_bias
// CHECK-SAME: %[[BIAS_ARG:[^:]+]]: tensor<2x5xf64>)
// CHECK: %[[INIT:.+]] = linalg.generic
// CHECK-SAME: indexing_maps = [#[[ID2]], #[[ID2]]]
// CHECK-SAME: ins(%[[BIAS_ARG]] : tensor<2x5xf64>)
// CHECK: linalg.generic
// CHECK-SAME: indexing_maps = [#[[LHS]], #[[RHS]], #[[OUT]]]
// CHECK-SAME: outs(%[[INIT]] : tensor<2x5xf64>)
// CHECK: arith.mulf %{{.+}}, %{{.+}} fastmath<reassoc,contract> : f64
func.func @both_transposed_full_bias(%a: tensor<3x2xf64>, %b: tensor<5x3xf64>,
                                     %bias: tensor<2x5xf64>) -> tensor<2x5xf64> {
  %0 = quern.matmul %a, %b bias(%bias : tensor<2x5xf64>) transpose_lhs transpose_rhs
      : tensor<3x2xf64>, tensor<5x3xf64> -> tensor<2x5xf64>
  return %0 : tensor<2x5xf64>
}

// -----

// Batch dimensions lead every map and are parallel.
// CHECK-DAG: #[[LHS:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d3)>
// CHECK-DAG: #[[RHS:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d3, d2)>
// CHECK-DAG: #[[OUT:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
// CHECK-LABEL: func.func @batched
// CHECK: %[[INIT:.+]] = linalg.fill ins(%{{.+}} : f32) outs(%{{.+}} : tensor<4x2x5xf32>)
// CHECK: linalg.generic
// CHECK-SAME: indexing_maps = [#[[LHS]], #[[RHS]], #[[OUT]]]
// CHECK-SAME: iterator_types = ["parallel", "parallel", "parallel", "reduction"]
// CHECK-SAME: outs(%[[INIT]] : tensor<4x2x5xf32>)
func.func @batched(%a: tensor<4x2x3xf32>, %b: tensor<4x3x5xf32>) -> tensor<4x2x5xf32> {
  %0 = quern.matmul %a, %b : tensor<4x2x3xf32>, tensor<4x3x5xf32> -> tensor<4x2x5xf32>
  return %0 : tensor<4x2x5xf32>
}

// -----

// CHECK-DAG: #[[BIAS:.+]] = affine_map<(d0, d1, d2) -> (d2)>
// CHECK-DAG: #[[ID3:.+]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-DAG: #[[LHS:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d3, d1)>
// CHECK-DAG: #[[RHS:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d2, d3)>
// CHECK-DAG: #[[OUT:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
// CHECK-LABEL: func.func @batched_transposed_vector_bias
// CHECK-SAME: %[[BIAS_ARG:[^:]+]]: tensor<5xbf16>)
// CHECK: %[[INIT:.+]] = linalg.generic
// CHECK-SAME: indexing_maps = [#[[BIAS]], #[[ID3]]]
// CHECK-SAME: iterator_types = ["parallel", "parallel", "parallel"]
// CHECK-SAME: ins(%[[BIAS_ARG]] : tensor<5xbf16>) outs(%{{.+}} : tensor<4x2x5xbf16>)
// CHECK: linalg.generic
// CHECK-SAME: indexing_maps = [#[[LHS]], #[[RHS]], #[[OUT]]]
// CHECK-SAME: iterator_types = ["parallel", "parallel", "parallel", "reduction"]
// CHECK-SAME: outs(%[[INIT]] : tensor<4x2x5xbf16>)
func.func @batched_transposed_vector_bias(%a: tensor<4x3x2xbf16>, %b: tensor<4x5x3xbf16>,
                                          %bias: tensor<5xbf16>) -> tensor<4x2x5xbf16> {
  %0 = quern.matmul %a, %b bias(%bias : tensor<5xbf16>) transpose_lhs transpose_rhs
      : tensor<4x3x2xbf16>, tensor<4x5x3xbf16> -> tensor<4x2x5xbf16>
  return %0 : tensor<4x2x5xbf16>
}

// -----

//===----------------------------------------------------------------------===//
// quern.einsum: one generic whose loops are the result's letters (parallel,
// in order) and then the summed letters (reduction), accumulating the
// product of the operands into zeros.
//===----------------------------------------------------------------------===//

// Loops (b, i, k, j).
// CHECK-DAG: #[[A:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d3)>
// CHECK-DAG: #[[B:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d3, d2)>
// CHECK-DAG: #[[OUT:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
// CHECK-LABEL: func.func @einsum_batched_matmul
// CHECK-SAME: (%[[X:[^:]+]]: tensor<2x3x4xf32>, %[[Y:[^:]+]]: tensor<2x4x5xf32>)
// CHECK-DAG: %[[ZERO:.+]] = arith.constant 0.000000e+00 : f32
// CHECK-DAG: %[[EMPTY:.+]] = tensor.empty() : tensor<2x3x5xf32>
// CHECK: %[[INIT:.+]] = linalg.fill ins(%[[ZERO]] : f32) outs(%[[EMPTY]] : tensor<2x3x5xf32>)
// CHECK: %[[R:.+]] = linalg.generic
// CHECK-SAME: indexing_maps = [#[[A]], #[[B]], #[[OUT]]]
// CHECK-SAME: iterator_types = ["parallel", "parallel", "parallel", "reduction"]
// CHECK-SAME: ins(%[[X]], %[[Y]] : tensor<2x3x4xf32>, tensor<2x4x5xf32>) outs(%[[INIT]] : tensor<2x3x5xf32>)
// CHECK: ^bb0(%[[XV:.+]]: f32, %[[YV:.+]]: f32, %[[ACC:.+]]: f32):
// CHECK: %[[P:.+]] = arith.mulf %[[XV]], %[[YV]] : f32
// CHECK: %[[S:.+]] = arith.addf %[[ACC]], %[[P]] : f32
// CHECK: linalg.yield %[[S]] : f32
// CHECK: return %[[R]]
func.func @einsum_batched_matmul(%a: tensor<2x3x4xf32>, %b: tensor<2x4x5xf32>) -> tensor<2x3x5xf32> {
  %0 = quern.einsum "bij,bjk->bik" %a, %b : (tensor<2x3x4xf32>, tensor<2x4x5xf32>) -> tensor<2x3x5xf32>
  return %0 : tensor<2x3x5xf32>
}

// -----

// Three operands multiply in order; integers use muli/addi. Loops (i, j, k).
// CHECK-DAG: #[[A:.+]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-DAG: #[[B:.+]] = affine_map<(d0, d1, d2) -> (d1, d2)>
// CHECK-DAG: #[[C:.+]] = affine_map<(d0, d1, d2) -> (d2)>
// CHECK-DAG: #[[OUT:.+]] = affine_map<(d0, d1, d2) -> (d0)>
// CHECK-LABEL: func.func @einsum_three_operands
// CHECK: %[[ZERO:.+]] = arith.constant 0 : i32
// CHECK: %[[INIT:.+]] = linalg.fill ins(%[[ZERO]] : i32)
// CHECK: linalg.generic
// CHECK-SAME: indexing_maps = [#[[A]], #[[B]], #[[C]], #[[OUT]]]
// CHECK-SAME: iterator_types = ["parallel", "reduction", "reduction"]
// CHECK-SAME: outs(%[[INIT]] : tensor<2xi32>)
// CHECK: ^bb0(%[[AV:.+]]: i32, %[[BV:.+]]: i32, %[[CV:.+]]: i32, %[[ACC:.+]]: i32):
// CHECK: %[[AB:.+]] = arith.muli %[[AV]], %[[BV]] : i32
// CHECK: %[[ABC:.+]] = arith.muli %[[AB]], %[[CV]] : i32
// CHECK: %[[S:.+]] = arith.addi %[[ACC]], %[[ABC]] : i32
// CHECK: linalg.yield %[[S]] : i32
func.func @einsum_three_operands(%a: tensor<2x3xi32>, %b: tensor<3x4xi32>, %c: tensor<4xi32>) -> tensor<2xi32> {
  %0 = quern.einsum "ij,jk,k->i" %a, %b, %c : (tensor<2x3xi32>, tensor<3x4xi32>, tensor<4xi32>) -> tensor<2xi32>
  return %0 : tensor<2xi32>
}

// -----

// One operand: a transpose is all-parallel and only reorders the map.
// CHECK-DAG: #[[IN:.+]] = affine_map<(d0, d1) -> (d1, d0)>
// CHECK-DAG: #[[OUT:.+]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-LABEL: func.func @einsum_transpose
// CHECK: linalg.generic
// CHECK-SAME: indexing_maps = [#[[IN]], #[[OUT]]]
// CHECK-SAME: iterator_types = ["parallel", "parallel"]
// CHECK-SAME: ins(%{{.+}} : tensor<3x4xf32>) outs(%{{.+}} : tensor<4x3xf32>)
// CHECK: ^bb0(%[[V:.+]]: f32, %[[ACC:.+]]: f32):
// CHECK: %[[S:.+]] = arith.addf %[[ACC]], %[[V]] : f32
func.func @einsum_transpose(%a: tensor<3x4xf32>) -> tensor<4x3xf32> {
  %0 = quern.einsum "ij->ji" %a : (tensor<3x4xf32>) -> tensor<4x3xf32>
  return %0 : tensor<4x3xf32>
}

// -----

// A repeated letter reads the diagonal through one loop: "ii->i" is parallel
// over it, the trace "ii->" reduces it.
// CHECK-DAG: #[[DIAG:.+]] = affine_map<(d0) -> (d0, d0)>
// CHECK-DAG: #[[VEC:.+]] = affine_map<(d0) -> (d0)>
// CHECK-DAG: #[[SCALAR:.+]] = affine_map<(d0) -> ()>
// CHECK-LABEL: func.func @einsum_diagonal
// CHECK-SAME: (%[[X:.+]]: tensor<3x3xf64>)
// CHECK: %[[D:.+]] = linalg.generic
// CHECK-SAME: indexing_maps = [#[[DIAG]], #[[VEC]]]
// CHECK-SAME: iterator_types = ["parallel"]
// CHECK-SAME: ins(%[[X]] : tensor<3x3xf64>) outs(%{{.+}} : tensor<3xf64>)
// CHECK: arith.addf
// CHECK: %[[T:.+]] = linalg.generic
// CHECK-SAME: indexing_maps = [#[[DIAG]], #[[SCALAR]]]
// CHECK-SAME: iterator_types = ["reduction"]
// CHECK-SAME: ins(%[[X]] : tensor<3x3xf64>) outs(%{{.+}} : tensor<f64>)
// CHECK: arith.addf
// CHECK: return %[[D]], %[[T]]
func.func @einsum_diagonal(%a: tensor<3x3xf64>) -> (tensor<3xf64>, tensor<f64>) {
  %0 = quern.einsum "ii->i" %a : (tensor<3x3xf64>) -> tensor<3xf64>
  %1 = quern.einsum "ii->" %a : (tensor<3x3xf64>) -> tensor<f64>
  return %0, %1 : tensor<3xf64>, tensor<f64>
}
