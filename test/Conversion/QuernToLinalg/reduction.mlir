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

// -----

// A signed integer minimum starts from the type's largest value.
// CHECK-DAG: #[[ID:.+]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[ROWS:.+]] = affine_map<(d0, d1) -> (d0)>
// CHECK-LABEL: func.func @reduce_min_signed
// CHECK-SAME: (%[[X:.+]]: tensor<4x8xi32>)
// CHECK: %[[MAX:.+]] = arith.constant 2147483647 : i32
// CHECK: %[[INIT:.+]] = linalg.fill ins(%[[MAX]] : i32)
// CHECK: %[[R:.+]] = linalg.generic
// CHECK-SAME: indexing_maps = [#[[ID]], #[[ROWS]]]
// CHECK-SAME: iterator_types = ["parallel", "reduction"]
// CHECK-SAME: ins(%[[X]] : tensor<4x8xi32>) outs(%[[INIT]] : tensor<4xi32>)
// CHECK: ^bb0(%[[IN:.+]]: i32, %[[ACC:.+]]: i32):
// CHECK: %[[M:.+]] = arith.minsi %[[IN]], %[[ACC]] : i32
// CHECK: linalg.yield %[[M]] : i32
// CHECK: return %[[R]]
func.func @reduce_min_signed(%x: tensor<4x8xi32>) -> tensor<4xi32> {
  %0 = quern.reduce_min %x axes = [1] : tensor<4x8xi32> -> tensor<4xi32>
  return %0 : tensor<4xi32>
}

// -----

// A float minimum starts from +inf and propagates NaN.
// CHECK-LABEL: func.func @reduce_min_float
// CHECK: arith.constant 0x7F800000 : f32
// CHECK: arith.minimumf
func.func @reduce_min_float(%x: tensor<4x8xf32>) -> tensor<8xf32> {
  %0 = quern.reduce_min %x axes = [0] : tensor<4x8xf32> -> tensor<8xf32>
  return %0 : tensor<8xf32>
}

// -----

// Layer norm over the last two dimensions of [2, 3, 4]: the mean is the sum
// over 12 elements divided by 12, the variance the mean of the squared
// centred values (biased), inv_std = rsqrt(var + epsilon); the output reads
// the statistics per row (d0) and scale and bias per normalized position
// (d1, d2). The statistics come back in the keep-dims shape [2, 1, 1].
// CHECK-DAG: #[[ID:.+]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-DAG: #[[STATS:.+]] = affine_map<(d0, d1, d2) -> (d0)>
// CHECK-DAG: #[[PARAMS:.+]] = affine_map<(d0, d1, d2) -> (d1, d2)>
// CHECK-DAG: #[[VEC:.+]] = affine_map<(d0) -> (d0)>
// CHECK-LABEL: func.func @layer_norm
// CHECK-SAME: (%[[X:[^:]+]]: tensor<2x3x4xf32>, %[[G:[^:]+]]: tensor<3x4xf32>, %[[B:[^:]+]]: tensor<3x4xf32>)
// CHECK: %[[SUM:.+]] = linalg.generic
// CHECK-SAME: indexing_maps = [#[[ID]], #[[STATS]]]
// CHECK-SAME: iterator_types = ["parallel", "reduction", "reduction"]
// CHECK-SAME: ins(%[[X]] : tensor<2x3x4xf32>)
// CHECK: arith.addf
// CHECK: %[[COUNT:.+]] = arith.constant 1.200000e+01 : f32
// CHECK: %[[MEAN:.+]] = linalg.generic
// CHECK-SAME: ins(%[[SUM]] : tensor<2xf32>)
// CHECK: arith.divf %{{.+}}, %[[COUNT]] : f32
// CHECK: %[[SQ:.+]] = linalg.generic
// CHECK-SAME: indexing_maps = [#[[ID]], #[[STATS]], #[[ID]]]
// CHECK-SAME: ins(%[[X]], %[[MEAN]] : tensor<2x3x4xf32>, tensor<2xf32>)
// CHECK: ^bb0(%[[XV:.+]]: f32, %[[MV:.+]]: f32, %{{.+}}: f32):
// CHECK: %[[C:.+]] = arith.subf %[[XV]], %[[MV]] : f32
// CHECK: %[[C2:.+]] = arith.mulf %[[C]], %[[C]] : f32
// CHECK: linalg.yield %[[C2]] : f32
// CHECK: %[[SQSUM:.+]] = linalg.generic
// CHECK-SAME: iterator_types = ["parallel", "reduction", "reduction"]
// CHECK-SAME: ins(%[[SQ]] : tensor<2x3x4xf32>)
// CHECK: %[[VAR:.+]] = linalg.generic
// CHECK-SAME: ins(%[[SQSUM]] : tensor<2xf32>)
// CHECK: arith.divf
// CHECK: %[[EPS:.+]] = arith.constant 9.99999974E-6 : f32
// CHECK: %[[INV:.+]] = linalg.generic
// CHECK-SAME: indexing_maps = [#[[VEC]], #[[VEC]]]
// CHECK-SAME: ins(%[[VAR]] : tensor<2xf32>)
// CHECK: ^bb0(%[[V:.+]]: f32, %{{.+}}: f32):
// CHECK: %[[VE:.+]] = arith.addf %[[V]], %[[EPS]] : f32
// CHECK: %[[RS:.+]] = math.rsqrt %[[VE]] : f32
// CHECK: linalg.yield %[[RS]] : f32
// CHECK: %[[Y:.+]] = linalg.generic
// CHECK-SAME: indexing_maps = [#[[ID]], #[[STATS]], #[[STATS]], #[[PARAMS]], #[[PARAMS]], #[[ID]]]
// CHECK-SAME: iterator_types = ["parallel", "parallel", "parallel"]
// CHECK-SAME: ins(%[[X]], %[[MEAN]], %[[INV]], %[[G]], %[[B]] :
// CHECK: ^bb0(%[[XV2:.+]]: f32, %[[MV2:.+]]: f32, %[[IV:.+]]: f32, %[[GV:.+]]: f32, %[[BV:.+]]: f32, %{{.+}}: f32):
// CHECK: %[[CEN:.+]] = arith.subf %[[XV2]], %[[MV2]] : f32
// CHECK: %[[NORM:.+]] = arith.mulf %[[CEN]], %[[IV]] : f32
// CHECK: %[[SC:.+]] = arith.mulf %[[NORM]], %[[GV]] : f32
// CHECK: %[[OUT:.+]] = arith.addf %[[SC]], %[[BV]] : f32
// CHECK: linalg.yield %[[OUT]] : f32
// CHECK-DAG: %[[MEAN_KEPT:.+]] = tensor.expand_shape %[[MEAN]] {{\[}}[0, 1, 2]] output_shape [2, 1, 1] : tensor<2xf32> into tensor<2x1x1xf32>
// CHECK-DAG: %[[INV_KEPT:.+]] = tensor.expand_shape %[[INV]] {{\[}}[0, 1, 2]] output_shape [2, 1, 1] : tensor<2xf32> into tensor<2x1x1xf32>
// CHECK: return %[[Y]], %[[MEAN_KEPT]], %[[INV_KEPT]]
func.func @layer_norm(%x: tensor<2x3x4xf32>, %g: tensor<3x4xf32>, %b: tensor<3x4xf32>)
    -> (tensor<2x3x4xf32>, tensor<2x1x1xf32>, tensor<2x1x1xf32>) {
  %y, %m, %s = quern.layer_norm %x, %g, %b axis = 1 epsilon = 1.0e-5
      : (tensor<2x3x4xf32>, tensor<3x4xf32>, tensor<3x4xf32>)
      -> (tensor<2x3x4xf32>, tensor<2x1x1xf32>, tensor<2x1x1xf32>)
  return %y, %m, %s : tensor<2x3x4xf32>, tensor<2x1x1xf32>, tensor<2x1x1xf32>
}

// -----

// Without a bias the last generic has no bias input and no addf.
// CHECK-DAG: #[[ID:.+]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[STATS:.+]] = affine_map<(d0, d1) -> (d0)>
// CHECK-DAG: #[[PARAMS:.+]] = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func.func @layer_norm_no_bias
// CHECK-SAME: (%[[X:[^:]+]]: tensor<4x8xf32>, %[[G:[^:]+]]: tensor<8xf32>)
// CHECK: arith.constant 5.000000e-01 : f32
// CHECK: math.rsqrt
// CHECK: %[[Y:.+]] = linalg.generic
// CHECK-SAME: indexing_maps = [#[[ID]], #[[STATS]], #[[STATS]], #[[PARAMS]], #[[ID]]]
// CHECK-SAME: ins(%[[X]], %{{.+}}, %{{.+}}, %[[G]] : tensor<4x8xf32>, tensor<4xf32>, tensor<4xf32>, tensor<8xf32>)
// CHECK: ^bb0(%{{.+}}: f32, %{{.+}}: f32, %{{.+}}: f32, %[[GV:.+]]: f32, %{{.+}}: f32):
// CHECK: %[[SC:.+]] = arith.mulf %{{.+}}, %[[GV]] : f32
// CHECK-NEXT: linalg.yield %[[SC]] : f32
// CHECK: return %[[Y]]
func.func @layer_norm_no_bias(%x: tensor<4x8xf32>, %g: tensor<8xf32>)
    -> (tensor<4x8xf32>, tensor<4x1xf32>, tensor<4x1xf32>) {
  %y, %m, %s = quern.layer_norm %x, %g axis = 1 epsilon = 0.5
      : (tensor<4x8xf32>, tensor<8xf32>) -> (tensor<4x8xf32>, tensor<4x1xf32>, tensor<4x1xf32>)
  return %y, %m, %s : tensor<4x8xf32>, tensor<4x1xf32>, tensor<4x1xf32>
}

// -----

// One generic over the targets gives each position's loss and weight: the
// label is wrapped and clamped into [0, C) (C = 10), the log-probability and
// the class weight are read with tensor.extract, and a label equal to
// ignore_index gets weight 0. mean divides the summed losses by the summed
// weights.
// CHECK-DAG: #[[VEC:.+]] = affine_map<(d0) -> (d0)>
// CHECK-DAG: #[[ALL:.+]] = affine_map<(d0) -> ()>
// CHECK-DAG: #[[SCALAR:.+]] = affine_map<() -> ()>
// CHECK-LABEL: func.func @nll_loss_mean_weight_ignore
// CHECK-SAME: (%[[LOGP:[^:]+]]: tensor<8x10xf32>, %[[T:[^:]+]]: tensor<8xi64>, %[[W:[^:]+]]: tensor<10xf32>)
// CHECK: %[[PER:.+]]:2 = linalg.generic
// CHECK-SAME: indexing_maps = [#[[VEC]], #[[VEC]], #[[VEC]]]
// CHECK-SAME: iterator_types = ["parallel"]
// CHECK-SAME: ins(%[[T]] : tensor<8xi64>)
// CHECK: ^bb0(%[[LABEL:.+]]: i64, %{{.+}}: f32, %{{.+}}: f32):
// CHECK: %[[I:.+]] = arith.index_cast %[[LABEL]] : i64 to index
// CHECK-DAG: %[[C0:.+]] = arith.constant 0 : index
// CHECK-DAG: %[[C10:.+]] = arith.constant 10 : index
// CHECK-DAG: %[[C9:.+]] = arith.constant 9 : index
// CHECK: %[[NEG:.+]] = arith.cmpi slt, %[[I]], %[[C0]] : index
// CHECK: %[[UP:.+]] = arith.addi %[[I]], %[[C10]] : index
// CHECK: %[[WRAP:.+]] = arith.select %[[NEG]], %[[UP]], %[[I]] : index
// CHECK: %[[LO:.+]] = arith.maxsi %[[WRAP]], %[[C0]] : index
// CHECK: %[[CLASS:.+]] = arith.minsi %[[LO]], %[[C9]] : index
// CHECK: %[[N:.+]] = linalg.index 0 : index
// CHECK: %[[LP:.+]] = tensor.extract %[[LOGP]][%[[N]], %[[CLASS]]] : tensor<8x10xf32>
// CHECK: %[[WV:.+]] = tensor.extract %[[W]][%[[CLASS]]] : tensor<10xf32>
// CHECK: %[[IGN:.+]] = arith.constant -100 : i64
// CHECK: %[[IS_IGN:.+]] = arith.cmpi eq, %[[LABEL]], %[[IGN]] : i64
// CHECK: %[[ZERO:.+]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[WEIGHT:.+]] = arith.select %[[IS_IGN]], %[[ZERO]], %[[WV]] : f32
// CHECK: %[[PROD:.+]] = arith.mulf %[[LP]], %[[WEIGHT]] : f32
// CHECK: %[[LOSS:.+]] = arith.negf %[[PROD]] : f32
// CHECK: linalg.yield %[[LOSS]], %[[WEIGHT]] : f32, f32
// CHECK: %[[TOTAL:.+]] = linalg.generic
// CHECK-SAME: indexing_maps = [#[[VEC]], #[[ALL]]]
// CHECK-SAME: iterator_types = ["reduction"]
// CHECK-SAME: ins(%[[PER]]#0 : tensor<8xf32>)
// CHECK: %[[WSUM:.+]] = linalg.generic
// CHECK-SAME: iterator_types = ["reduction"]
// CHECK-SAME: ins(%[[PER]]#1 : tensor<8xf32>)
// CHECK: %[[MEAN:.+]] = linalg.generic
// CHECK-SAME: indexing_maps = [#[[SCALAR]], #[[SCALAR]], #[[SCALAR]]]
// CHECK-SAME: ins(%[[TOTAL]], %[[WSUM]] : tensor<f32>, tensor<f32>)
// CHECK: ^bb0(%[[S:.+]]: f32, %[[D:.+]]: f32, %{{.+}}: f32):
// CHECK: %[[Q:.+]] = arith.divf %[[S]], %[[D]] : f32
// CHECK: return %[[MEAN]]
func.func @nll_loss_mean_weight_ignore(%x: tensor<8x10xf32>, %t: tensor<8xi64>, %w: tensor<10xf32>) -> tensor<f32> {
  %0 = quern.nll_loss %x, %t, %w reduction = mean ignore_index = -100
      : (tensor<8x10xf32>, tensor<8xi64>, tensor<10xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

// Extra dimensions: the log-probability of position (n, d) is read at
// [n, class, d]. Without weights each position weighs 1; none returns the
// per-position losses, sum their total (no division).
// CHECK-LABEL: func.func @nll_loss_spatial
// CHECK-SAME: (%[[LOGP:[^:]+]]: tensor<2x5x3xf32>, %[[T:[^:]+]]: tensor<2x3xi32>)
// CHECK: %[[PER:.+]]:2 = linalg.generic
// CHECK-SAME: iterator_types = ["parallel", "parallel"]
// CHECK-SAME: ins(%[[T]] : tensor<2x3xi32>)
// CHECK: arith.index_cast %{{.+}} : i32 to index
// CHECK: %[[CLASS:.+]] = arith.minsi
// CHECK: %[[N:.+]] = linalg.index 0 : index
// CHECK: %[[D:.+]] = linalg.index 1 : index
// CHECK: %[[LP:.+]] = tensor.extract %[[LOGP]][%[[N]], %[[CLASS]], %[[D]]] : tensor<2x5x3xf32>
// CHECK: %[[ONE:.+]] = arith.constant 1.000000e+00 : f32
// CHECK: %[[PROD:.+]] = arith.mulf %[[LP]], %[[ONE]] : f32
// CHECK: %[[LOSS:.+]] = arith.negf %[[PROD]] : f32
// CHECK: linalg.yield %[[LOSS]], %[[ONE]] : f32, f32
// CHECK: %[[PER2:.+]]:2 = linalg.generic
// CHECK: %[[TOTAL:.+]] = linalg.generic
// CHECK-SAME: iterator_types = ["reduction", "reduction"]
// CHECK-SAME: ins(%[[PER2]]#0 : tensor<2x3xf32>)
// CHECK-NOT: arith.divf
// CHECK: return %[[PER]]#0, %[[TOTAL]]
func.func @nll_loss_spatial(%x: tensor<2x5x3xf32>, %t: tensor<2x3xi32>) -> (tensor<2x3xf32>, tensor<f32>) {
  %0 = quern.nll_loss %x, %t reduction = none : (tensor<2x5x3xf32>, tensor<2x3xi32>) -> tensor<2x3xf32>
  %1 = quern.nll_loss %x, %t reduction = sum : (tensor<2x5x3xf32>, tensor<2x3xi32>) -> tensor<f32>
  return %0, %1 : tensor<2x3xf32>, tensor<f32>
}
