// RUN: quern-opt %s --convert-quern-to-linalg -split-input-file | FileCheck %s

// A reduction is one generic whose reduced dimensions are "reduction"
// iterators, accumulating into a linalg.fill of the identity (0 for sums,
// -inf for max); the mean divides afterwards; keep_dims re-inserts the unit
// dimensions with tensor.expand_shape. Softmax is max, sum of shifted
// exponentials, normalize: four generics that read the reduced values back
// through a map dropping the axis.

// CHECK-DAG: #[[ID:.+]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[ROWS:.+]] = affine_map<(d0, d1) -> (d0)>
// CHECK-LABEL: func.func @reduce_sum
// CHECK-SAME: (%[[X:.+]]: tensor<4x8xf32>)
// CHECK-DAG: %[[ZERO:.+]] = arith.constant 0.000000e+00 : f32
// CHECK-DAG: %[[EMPTY:.+]] = tensor.empty() : tensor<4xf32>
// CHECK: %[[INIT:.+]] = linalg.fill ins(%[[ZERO]] : f32) outs(%[[EMPTY]] : tensor<4xf32>)
// CHECK: %[[R:.+]] = linalg.generic
// CHECK-SAME: indexing_maps = [#[[ID]], #[[ROWS]]]
// CHECK-SAME: iterator_types = ["parallel", "reduction"]
// CHECK-SAME: ins(%[[X]] : tensor<4x8xf32>) outs(%[[INIT]] : tensor<4xf32>)
// CHECK: ^bb0(%[[IN:.+]]: f32, %[[ACC:.+]]: f32):
// CHECK: %[[S:.+]] = arith.addf %[[IN]], %[[ACC]] : f32
// CHECK: linalg.yield %[[S]] : f32
// CHECK: return %[[R]] : tensor<4xf32>
func.func @reduce_sum(%x: tensor<4x8xf32>) -> tensor<4xf32> {
  %0 = quern.reduce_sum %x axes = [1] : tensor<4x8xf32> -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// Reducing a leading axis keeps the trailing one.
// CHECK-DAG: #[[ID:.+]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[COLS:.+]] = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func.func @reduce_sum_leading_keep_dims
// CHECK: %[[R:.+]] = linalg.generic
// CHECK-SAME: indexing_maps = [#[[ID]], #[[COLS]]]
// CHECK-SAME: iterator_types = ["reduction", "parallel"]
// CHECK: } -> tensor<8xf32>
// CHECK: %[[E:.+]] = tensor.expand_shape %[[R]] {{\[}}[0, 1]] output_shape [1, 8] : tensor<8xf32> into tensor<1x8xf32>
// CHECK: return %[[E]]
func.func @reduce_sum_leading_keep_dims(%x: tensor<4x8xf32>) -> tensor<1x8xf32> {
  %0 = quern.reduce_sum %x axes = [0] keep_dims : tensor<4x8xf32> -> tensor<1x8xf32>
  return %0 : tensor<1x8xf32>
}

// -----

// The mean divides the sum by the number of reduced elements (3 * 4), then
// keep_dims expands [2] to [2, 1, 1].
// CHECK-DAG: #[[ID3:.+]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-DAG: #[[FIRST:.+]] = affine_map<(d0, d1, d2) -> (d0)>
// CHECK-DAG: #[[ID1:.+]] = affine_map<(d0) -> (d0)>
// CHECK-LABEL: func.func @reduce_mean_keep_dims
// CHECK: %[[SUM:.+]] = linalg.generic
// CHECK-SAME: indexing_maps = [#[[ID3]], #[[FIRST]]]
// CHECK-SAME: iterator_types = ["parallel", "reduction", "reduction"]
// CHECK: arith.addf
// CHECK: %[[COUNT:.+]] = arith.constant 1.200000e+01 : f32
// CHECK: %[[MEAN:.+]] = linalg.generic
// CHECK-SAME: indexing_maps = [#[[ID1]], #[[ID1]]]
// CHECK-SAME: iterator_types = ["parallel"]
// CHECK-SAME: ins(%[[SUM]] : tensor<2xf32>)
// CHECK: ^bb0(%[[IN:.+]]: f32, %{{.+}}: f32):
// CHECK: %[[Q:.+]] = arith.divf %[[IN]], %[[COUNT]] : f32
// CHECK: linalg.yield %[[Q]] : f32
// CHECK: %[[E:.+]] = tensor.expand_shape %[[MEAN]] {{\[}}[0, 1, 2]] output_shape [2, 1, 1] : tensor<2xf32> into tensor<2x1x1xf32>
// CHECK: return %[[E]]
func.func @reduce_mean_keep_dims(%x: tensor<2x3x4xf32>) -> tensor<2x1x1xf32> {
  %0 = quern.reduce_mean %x axes = [1, 2] keep_dims : tensor<2x3x4xf32> -> tensor<2x1x1xf32>
  return %0 : tensor<2x1x1xf32>
}

// -----

// Only the reduced extents count: a mean over axis 0 of 5x3 divides by 5.
// CHECK-LABEL: func.func @reduce_mean_count
// CHECK: arith.constant 5.000000e+00 : f16
// CHECK: arith.divf %{{.+}}, %{{.+}} : f16
// CHECK: return %{{.+}} : tensor<3xf16>
func.func @reduce_mean_count(%x: tensor<5x3xf16>) -> tensor<3xf16> {
  %0 = quern.reduce_mean %x axes = [0] : tensor<5x3xf16> -> tensor<3xf16>
  return %0 : tensor<3xf16>
}

// -----

// CHECK-DAG: #[[ID:.+]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[NONE:.+]] = affine_map<(d0, d1) -> ()>
// CHECK-LABEL: func.func @reduce_max_all
// CHECK-DAG: %[[NEG_INF:.+]] = arith.constant 0xFF800000 : f32
// CHECK-DAG: %[[EMPTY:.+]] = tensor.empty() : tensor<f32>
// CHECK: %[[INIT:.+]] = linalg.fill ins(%[[NEG_INF]] : f32) outs(%[[EMPTY]] : tensor<f32>)
// CHECK: %[[R:.+]] = linalg.generic
// CHECK-SAME: indexing_maps = [#[[ID]], #[[NONE]]]
// CHECK-SAME: iterator_types = ["reduction", "reduction"]
// CHECK-SAME: outs(%[[INIT]] : tensor<f32>)
// CHECK: ^bb0(%[[IN:.+]]: f32, %[[ACC:.+]]: f32):
// CHECK: %[[M:.+]] = arith.maximumf %[[IN]], %[[ACC]] : f32
// CHECK: linalg.yield %[[M]] : f32
// CHECK: return %[[R]] : tensor<f32>
func.func @reduce_max_all(%x: tensor<2x3xf32>) -> tensor<f32> {
  %0 = quern.reduce_max %x axes = [0, 1] : tensor<2x3xf32> -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

// All axes with keep_dims: a rank-0 result expanded to ones, with no
// reassociation groups. -inf is spelled in the element type.
// CHECK-LABEL: func.func @reduce_max_all_keep_dims
// CHECK: arith.constant 0xFC00 : f16
// CHECK: %[[R:.+]] = linalg.generic
// CHECK: } -> tensor<f16>
// CHECK: %[[E:.+]] = tensor.expand_shape %[[R]] [] output_shape [1, 1, 1] : tensor<f16> into tensor<1x1x1xf16>
// CHECK: return %[[E]]
func.func @reduce_max_all_keep_dims(%x: tensor<2x3x4xf16>) -> tensor<1x1x1xf16> {
  %0 = quern.reduce_max %x axes = [0, 1, 2] keep_dims : tensor<2x3x4xf16> -> tensor<1x1x1xf16>
  return %0 : tensor<1x1x1xf16>
}

// -----

// CHECK-DAG: #[[ID:.+]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[ROWS:.+]] = affine_map<(d0, d1) -> (d0)>
// CHECK-LABEL: func.func @softmax
// CHECK-SAME: (%[[X:.+]]: tensor<4x10xf32>)
// Row maxima.
// CHECK: %[[NEG_INF:.+]] = arith.constant 0xFF800000 : f32
// CHECK: %[[MAX_INIT:.+]] = linalg.fill ins(%[[NEG_INF]] : f32)
// CHECK: %[[MAX:.+]] = linalg.generic
// CHECK-SAME: indexing_maps = [#[[ID]], #[[ROWS]]]
// CHECK-SAME: iterator_types = ["parallel", "reduction"]
// CHECK-SAME: ins(%[[X]] : tensor<4x10xf32>) outs(%[[MAX_INIT]] : tensor<4xf32>)
// CHECK: arith.maximumf
// exp(x - max), the maximum read back per row.
// CHECK: %[[EXP:.+]] = linalg.generic
// CHECK-SAME: indexing_maps = [#[[ID]], #[[ROWS]], #[[ID]]]
// CHECK-SAME: iterator_types = ["parallel", "parallel"]
// CHECK-SAME: ins(%[[X]], %[[MAX]] : tensor<4x10xf32>, tensor<4xf32>)
// CHECK: ^bb0(%[[A:.+]]: f32, %[[B:.+]]: f32, %{{.+}}: f32):
// CHECK: %[[SHIFTED:.+]] = arith.subf %[[A]], %[[B]] : f32
// CHECK: %[[E:.+]] = math.exp %[[SHIFTED]] : f32
// CHECK: linalg.yield %[[E]] : f32
// Row sums of the exponentials.
// CHECK: %[[ZERO:.+]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[SUM_INIT:.+]] = linalg.fill ins(%[[ZERO]] : f32)
// CHECK: %[[SUM:.+]] = linalg.generic
// CHECK-SAME: indexing_maps = [#[[ID]], #[[ROWS]]]
// CHECK-SAME: iterator_types = ["parallel", "reduction"]
// CHECK-SAME: ins(%[[EXP]] : tensor<4x10xf32>) outs(%[[SUM_INIT]] : tensor<4xf32>)
// CHECK: arith.addf
// Normalize.
// CHECK: %[[R:.+]] = linalg.generic
// CHECK-SAME: indexing_maps = [#[[ID]], #[[ROWS]], #[[ID]]]
// CHECK-SAME: ins(%[[EXP]], %[[SUM]] : tensor<4x10xf32>, tensor<4xf32>)
// CHECK: ^bb0(%[[N:.+]]: f32, %[[D:.+]]: f32, %{{.+}}: f32):
// CHECK: %[[Q:.+]] = arith.divf %[[N]], %[[D]] : f32
// CHECK: linalg.yield %[[Q]] : f32
// CHECK: return %[[R]]
func.func @softmax(%x: tensor<4x10xf32>) -> tensor<4x10xf32> {
  %0 = quern.softmax %x axis = 1 : tensor<4x10xf32>
  return %0 : tensor<4x10xf32>
}

// -----

// log_softmax along axis 0: (x - max) - log(sum(exp(x - max))), reading both
// reduced tensors through the map that drops d0.
// CHECK-DAG: #[[ID:.+]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[COLS:.+]] = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func.func @log_softmax
// CHECK-SAME: (%[[X:.+]]: tensor<4x10xf32>)
// CHECK: %[[MAX:.+]] = linalg.generic
// CHECK-SAME: indexing_maps = [#[[ID]], #[[COLS]]]
// CHECK-SAME: iterator_types = ["reduction", "parallel"]
// CHECK: arith.maximumf
// CHECK: %[[EXP:.+]] = linalg.generic
// CHECK-SAME: ins(%[[X]], %[[MAX]] : tensor<4x10xf32>, tensor<10xf32>)
// CHECK: math.exp
// CHECK: %[[SUM:.+]] = linalg.generic
// CHECK-SAME: iterator_types = ["reduction", "parallel"]
// CHECK-SAME: ins(%[[EXP]] : tensor<4x10xf32>)
// CHECK: arith.addf
// CHECK: %[[R:.+]] = linalg.generic
// CHECK-SAME: indexing_maps = [#[[ID]], #[[COLS]], #[[COLS]], #[[ID]]]
// CHECK-SAME: iterator_types = ["parallel", "parallel"]
// CHECK-SAME: ins(%[[X]], %[[MAX]], %[[SUM]] : tensor<4x10xf32>, tensor<10xf32>, tensor<10xf32>)
// CHECK: ^bb0(%[[XV:.+]]: f32, %[[MV:.+]]: f32, %[[SV:.+]]: f32, %{{.+}}: f32):
// CHECK-DAG: %[[SHIFTED:.+]] = arith.subf %[[XV]], %[[MV]] : f32
// CHECK-DAG: %[[LOG:.+]] = math.log %[[SV]] : f32
// CHECK: %[[Y:.+]] = arith.subf %[[SHIFTED]], %[[LOG]] : f32
// CHECK: linalg.yield %[[Y]] : f32
// CHECK: return %[[R]]
// CHECK-NOT: arith.divf
func.func @log_softmax(%x: tensor<4x10xf32>) -> tensor<4x10xf32> {
  %0 = quern.log_softmax %x axis = 0 : tensor<4x10xf32>
  return %0 : tensor<4x10xf32>
}
