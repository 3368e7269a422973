// RUN: quern-opt %s --convert-quern-to-linalg=bf16-matmuls | FileCheck %s
// RUN: quern-opt %s --convert-quern-to-linalg | FileCheck %s --check-prefix=FP32

// With bf16-matmuls, each operand is rounded to bf16 by an elementwise
// generic (after a transposed operand is packed, so the transpose stays
// f32), and the contraction widens the bf16 values exactly and multiplies
// and sums in f32 into an f32 result.
// CHECK-LABEL: func.func @linear
// CHECK-SAME: (%[[X:.+]]: tensor<16x32xf32>, %[[W:.+]]: tensor<8x32xf32>)
// CHECK: %[[PACKED:.+]] = linalg.transpose ins(%[[W]] : tensor<8x32xf32>)
// CHECK: %[[XB:.+]] = linalg.generic {{.+}} ins(%[[X]] : tensor<16x32xf32>) outs(%{{.+}} : tensor<16x32xbf16>)
// CHECK: arith.truncf %{{.+}} : f32 to bf16
// CHECK: %[[WB:.+]] = linalg.generic {{.+}} ins(%[[PACKED]] : tensor<32x8xf32>) outs(%{{.+}} : tensor<32x8xbf16>)
// CHECK: arith.truncf %{{.+}} : f32 to bf16
// CHECK: linalg.generic {{.+}} ins(%[[XB]], %[[WB]] : tensor<16x32xbf16>, tensor<32x8xbf16>) outs(%{{.+}} : tensor<16x8xf32>)
// CHECK: ^bb0(%[[A:.+]]: bf16, %[[B:.+]]: bf16, %[[ACC:.+]]: f32)
// CHECK: %[[AF:.+]] = arith.extf %[[A]] : bf16 to f32
// CHECK: %[[BF:.+]] = arith.extf %[[B]] : bf16 to f32
// CHECK: %[[P:.+]] = arith.mulf %[[AF]], %[[BF]]
// CHECK: arith.addf %[[ACC]], %[[P]]
// FP32-LABEL: func.func @linear
// FP32-NOT: bf16
// FP32: return
func.func @linear(%x: tensor<16x32xf32>, %w: tensor<8x32xf32>) -> tensor<16x8xf32> {
  %y = quern.matmul %x, %w transpose_rhs : tensor<16x32xf32>, tensor<8x32xf32> -> tensor<16x8xf32>
  return %y : tensor<16x8xf32>
}

// With bf16-pairs as well (a target with a bf16 dot-product instruction),
// the product sums over k in pairs, k = 2p + t: the rounded left operand is
// viewed as [M, K/2, 2]; the right one is rounded and laid out as
// [K/2, N, 2] in one pass, straight from its transposed [N, K] form (read
// as [N, K/2, 2]); the contraction runs over (m, n, p, t), p and t reduced.
// RUN: quern-opt %s --convert-quern-to-linalg="bf16-matmuls bf16-pairs" | FileCheck %s --check-prefix=PAIRS
// PAIRS-DAG: #[[PACK:.+]] = affine_map<(d0, d1, d2) -> (d1, d0, d2)>
// PAIRS-DAG: #[[INTERLEAVE:.+]] = affine_map<(d0, d1, d2) -> (d0, d2, d1)>
// PAIRS-DAG: #[[PACKED_LHS:.+]] = affine_map<(d0, d1, d2, d3) -> (d2, d0, d3)>
// PAIRS-DAG: #[[LHS:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d2, d3)>
// PAIRS-DAG: #[[RHS:.+]] = affine_map<(d0, d1, d2, d3) -> (d2, d1, d3)>
// PAIRS-DAG: #[[OUT:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d1)>
// PAIRS-LABEL: func.func @linear
// PAIRS-SAME: (%[[X:.+]]: tensor<16x32xf32>, %[[W:.+]]: tensor<8x32xf32>)
// PAIRS-NOT: linalg.transpose
// PAIRS: %[[XB:.+]] = linalg.generic {{.+}} ins(%[[X]] : tensor<16x32xf32>) outs(%{{.+}} : tensor<16x32xbf16>)
// PAIRS: %[[XP:.+]] = tensor.expand_shape %[[XB]] {{\[\[}}0], [1, 2]] output_shape [16, 16, 2] : tensor<16x32xbf16> into tensor<16x16x2xbf16>
// PAIRS: %[[WS:.+]] = tensor.expand_shape %[[W]] {{\[\[}}0], [1, 2]] output_shape [8, 16, 2] : tensor<8x32xf32> into tensor<8x16x2xf32>
// PAIRS: %[[WP:.+]] = linalg.generic {indexing_maps = [#[[PACK]], {{.+}}]{{.+}} ins(%[[WS]] : tensor<8x16x2xf32>) outs(%{{.+}} : tensor<16x8x2xbf16>)
// PAIRS: arith.truncf
// PAIRS: linalg.generic {indexing_maps = [#[[LHS]], #[[RHS]], #[[OUT]]], iterator_types = ["parallel", "parallel", "reduction", "reduction"]} ins(%[[XP]], %[[WP]] : tensor<16x16x2xbf16>, tensor<16x8x2xbf16>) outs(%{{.+}} : tensor<16x8xf32>)
// PAIRS: arith.extf
// PAIRS: arith.extf

// A transposed left operand ([K, M]) is packed like an untransposed right
// one, its rows interleaved in pairs ([K/2, M, 2]), and the product reads
// each row's pair at (p, m): no element-by-element transpose.
// PAIRS-LABEL: func.func @weight_gradient
// PAIRS-SAME: (%[[G:.+]]: tensor<32x16xf32>, %{{.+}}: tensor<32x8xf32>)
// PAIRS-NOT: linalg.transpose
// PAIRS: %[[GS:.+]] = tensor.expand_shape %[[G]] {{\[\[}}0, 1], [2]] output_shape [16, 2, 16] : tensor<32x16xf32> into tensor<16x2x16xf32>
// PAIRS: %[[GP:.+]] = linalg.generic {indexing_maps = [#[[INTERLEAVE]], {{.+}}]{{.+}} ins(%[[GS]] : tensor<16x2x16xf32>) outs(%{{.+}} : tensor<16x16x2xbf16>)
// PAIRS: arith.truncf
// PAIRS: linalg.generic {indexing_maps = [#[[PACKED_LHS]], #[[RHS]], #[[OUT]]], {{.+}} ins(%[[GP]], %{{.+}} : tensor<16x16x2xbf16>, tensor<16x8x2xbf16>)
func.func @weight_gradient(%g: tensor<32x16xf32>, %x: tensor<32x8xf32>) -> tensor<16x8xf32> {
  %y = quern.matmul %g, %x transpose_lhs : tensor<32x16xf32>, tensor<32x8xf32> -> tensor<16x8xf32>
  return %y : tensor<16x8xf32>
}

// An odd K takes a zero more: both operands are copied into zeros one
// deeper (K = 4), then summed in pairs like any other.
// PAIRS-LABEL: func.func @odd_depth
// PAIRS-SAME: (%[[X:.+]]: tensor<4x3xf32>, %[[W:.+]]: tensor<3x4xf32>)
// PAIRS: %[[XZ:.+]] = linalg.fill {{.+}} -> tensor<4x4xf32>
// PAIRS: tensor.insert_slice %[[X]] into %[[XZ]][0, 0] [4, 3] [1, 1] : tensor<4x3xf32> into tensor<4x4xf32>
// PAIRS: %[[WZ:.+]] = linalg.fill {{.+}} -> tensor<4x4xf32>
// PAIRS: tensor.insert_slice %[[W]] into %[[WZ]][0, 0] [3, 4] [1, 1] : tensor<3x4xf32> into tensor<4x4xf32>
// PAIRS: linalg.generic {{.+}} iterator_types = ["parallel", "parallel", "reduction", "reduction"]} ins(%{{.+}}, %{{.+}} : tensor<4x2x2xbf16>, tensor<2x4x2xbf16>)
func.func @odd_depth(%x: tensor<4x3xf32>, %w: tensor<3x4xf32>) -> tensor<4x4xf32> {
  %y = quern.matmul %x, %w : tensor<4x3xf32>, tensor<3x4xf32> -> tensor<4x4xf32>
  return %y : tensor<4x4xf32>
}

// With bf16-panel=W as well, a right operand of more than W columns (a
// multiple of W) is packed in panels of W columns, [N/W, K/2, W, 2], so
// that a register tile's columns are contiguous; the contraction runs over
// (j, m, c, p, t), n = W j + c, into the result viewed as [M, N/W, W], and
// the panel index j leads like a batch dimension. A transposed operand is
// read in its packed order; an untransposed one row after row, (p, j, c,
// t), each row's panels taking turns. A bias is viewed in panels too.
// RUN: quern-opt %s --convert-quern-to-linalg="bf16-matmuls bf16-pairs bf16-panel=4" | FileCheck %s --check-prefix=PANELS
// PANELS-DAG: #[[TPACK_IN:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d2, d1, d3)>
// PANELS-DAG: #[[IDENTITY4:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// PANELS-DAG: #[[LHS:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d1, d3, d4)>
// PANELS-DAG: #[[RHS:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d3, d2, d4)>
// PANELS-DAG: #[[OUT:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d1, d0, d2)>
// PANELS-DAG: #[[ROWS_IN:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d3, d1, d2)>
// PANELS-DAG: #[[ROWS_OUT:.+]] = affine_map<(d0, d1, d2, d3) -> (d1, d0, d2, d3)>
// PANELS-DAG: #[[BIAS:.+]] = affine_map<(d0, d1, d2) -> (d1, d2)>
// PANELS-DAG: #[[PANEL_PACKED_LHS:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d3, d1, d4)>
// PANELS-DAG: #[[BATCH_RHS:.+]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d4, d3, d5)>
// PANELS-DAG: #[[BATCH_OUT:.+]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d2, d1, d3)>
// PANELS-LABEL: func.func @linear
// PANELS-SAME: (%[[X:.+]]: tensor<16x32xf32>, %[[W:.+]]: tensor<8x32xf32>)
// PANELS: %[[XP:.+]] = tensor.expand_shape %{{.+}} {{\[\[}}0], [1, 2]] output_shape [16, 16, 2] : tensor<16x32xbf16> into tensor<16x16x2xbf16>
// PANELS: %[[WS:.+]] = tensor.expand_shape %[[W]] {{\[\[}}0, 1], [2, 3]] output_shape [2, 4, 16, 2] : tensor<8x32xf32> into tensor<2x4x16x2xf32>
// PANELS: %[[WP:.+]] = linalg.generic {indexing_maps = [#[[TPACK_IN]], #[[IDENTITY4]]]{{.+}} ins(%[[WS]] : tensor<2x4x16x2xf32>) outs(%{{.+}} : tensor<2x16x4x2xbf16>)
// PANELS: arith.truncf
// PANELS: %[[ZERO:.+]] = linalg.fill {{.+}} -> tensor<16x2x4xf32>
// PANELS: %[[Y:.+]] = linalg.generic {indexing_maps = [#[[LHS]], #[[RHS]], #[[OUT]]], iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction"]} ins(%[[XP]], %[[WP]] : tensor<16x16x2xbf16>, tensor<2x16x4x2xbf16>) outs(%[[ZERO]] : tensor<16x2x4xf32>)
// PANELS: tensor.collapse_shape %[[Y]] {{\[\[}}0], [1, 2]] : tensor<16x2x4xf32> into tensor<16x8xf32>
// A transposed left operand packed in pairs, times a right one in panels.
// PANELS-LABEL: func.func @weight_gradient
// PANELS: %[[GP:.+]] = linalg.generic {{.+}} outs(%{{.+}} : tensor<16x16x2xbf16>)
// PANELS: %[[XP:.+]] = linalg.generic {indexing_maps = [#[[ROWS_IN]], #[[ROWS_OUT]]]{{.+}} outs(%{{.+}} : tensor<2x16x4x2xbf16>)
// PANELS: linalg.generic {indexing_maps = [#[[PANEL_PACKED_LHS]], #[[RHS]], #[[OUT]]], {{.+}} ins(%[[GP]], %[[XP]] : tensor<16x16x2xbf16>, tensor<2x16x4x2xbf16>) outs(%{{.+}} : tensor<16x2x4xf32>)
// PANELS-LABEL: func.func @biased
// PANELS-SAME: (%[[X:.+]]: tensor<16x32xf32>, %[[W:.+]]: tensor<32x8xf32>, %[[B:.+]]: tensor<8xf32>)
// PANELS: %[[WS:.+]] = tensor.expand_shape %[[W]] {{\[\[}}0, 1], [2, 3]] output_shape [16, 2, 2, 4] : tensor<32x8xf32> into tensor<16x2x2x4xf32>
// PANELS: linalg.generic {indexing_maps = [#[[ROWS_IN]], #[[ROWS_OUT]]]{{.+}} ins(%[[WS]] : tensor<16x2x2x4xf32>) outs(%{{.+}} : tensor<2x16x4x2xbf16>)
// PANELS: %[[BS:.+]] = tensor.expand_shape %[[B]] {{\[\[}}0, 1]] output_shape [2, 4] : tensor<8xf32> into tensor<2x4xf32>
// PANELS: %[[INIT:.+]] = linalg.generic {indexing_maps = [#[[BIAS]], {{.+}}]{{.+}} ins(%[[BS]] : tensor<2x4xf32>) outs(%{{.+}} : tensor<16x2x4xf32>)
// PANELS: linalg.generic {{.+}} outs(%[[INIT]] : tensor<16x2x4xf32>)
// PANELS: tensor.collapse_shape
// A bias of the result's shape is viewed in panels as well.
// PANELS-LABEL: func.func @full_bias
// PANELS: %[[BS:.+]] = tensor.expand_shape %{{.+}} {{\[\[}}0], [1, 2]] output_shape [16, 2, 4] : tensor<16x8xf32> into tensor<16x2x4xf32>
// PANELS: %[[INIT:.+]] = linalg.generic {{.+}} ins(%[[BS]] : tensor<16x2x4xf32>) outs(%{{.+}} : tensor<16x2x4xf32>)
// PANELS: linalg.generic {{.+}} outs(%[[INIT]] : tensor<16x2x4xf32>)
// Batch dimensions stay first: the panel index follows them.
// PANELS-LABEL: func.func @batched
// PANELS: tensor.expand_shape %{{.+}} {{\[\[}}0], [1, 2], [3, 4]] output_shape [2, 2, 4, 16, 2] : tensor<2x8x32xf32> into tensor<2x2x4x16x2xf32>
// PANELS: linalg.generic {indexing_maps = [{{.+}}, #[[BATCH_RHS]], #[[BATCH_OUT]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]} {{.+}} outs(%{{.+}} : tensor<2x16x2x4xf32>)
// PANELS: tensor.collapse_shape %{{.+}} {{\[\[}}0], [1], [2, 3]] : tensor<2x16x2x4xf32> into tensor<2x16x8xf32>
// A result of W columns or fewer is packed whole.
// PANELS-LABEL: func.func @narrow
// PANELS: linalg.generic {{.+}} outs(%{{.+}} : tensor<16x4x2xbf16>)
// PANELS-NOT: tensor.collapse_shape
// Columns that do not fill the last panel are padded with zeros: the right
// operand and the bias get two zero columns (6 -> 8), the product runs on
// whole panels, and the result is the first 6 columns of its 8.
// PANELS-LABEL: func.func @uneven
// PANELS-SAME: (%[[X:.+]]: tensor<16x32xf32>, %[[W:.+]]: tensor<32x6xf32>, %[[B:.+]]: tensor<6xf32>)
// PANELS: %[[WZ:.+]] = linalg.fill {{.+}} -> tensor<32x8xf32>
// PANELS: tensor.insert_slice %[[W]] into %[[WZ]][0, 0] [32, 6] [1, 1]
// PANELS: %[[BZ:.+]] = linalg.fill {{.+}} -> tensor<8xf32>
// PANELS: tensor.insert_slice %[[B]] into %[[BZ]][0] [6] [1]
// PANELS: linalg.generic {{.+}} outs(%{{.+}} : tensor<2x16x4x2xbf16>)
// PANELS: %[[Y:.+]] = linalg.generic {{.+}} iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction"]} {{.+}} outs(%{{.+}} : tensor<16x2x4xf32>)
// PANELS: %[[C:.+]] = tensor.collapse_shape %[[Y]] {{\[\[}}0], [1, 2]] : tensor<16x2x4xf32> into tensor<16x8xf32>
// PANELS: tensor.extract_slice %[[C]][0, 0] [16, 6] [1, 1] : tensor<16x8xf32> to tensor<16x6xf32>
// PANELS: return
func.func @biased(%x: tensor<16x32xf32>, %w: tensor<32x8xf32>, %b: tensor<8xf32>) -> tensor<16x8xf32> {
  %y = quern.matmul %x, %w bias(%b : tensor<8xf32>) : tensor<16x32xf32>, tensor<32x8xf32> -> tensor<16x8xf32>
  return %y : tensor<16x8xf32>
}

func.func @full_bias(%x: tensor<16x32xf32>, %w: tensor<32x8xf32>, %b: tensor<16x8xf32>) -> tensor<16x8xf32> {
  %y = quern.matmul %x, %w bias(%b : tensor<16x8xf32>) : tensor<16x32xf32>, tensor<32x8xf32> -> tensor<16x8xf32>
  return %y : tensor<16x8xf32>
}

func.func @batched(%x: tensor<2x16x32xf32>, %w: tensor<2x8x32xf32>) -> tensor<2x16x8xf32> {
  %y = quern.matmul %x, %w transpose_rhs : tensor<2x16x32xf32>, tensor<2x8x32xf32> -> tensor<2x16x8xf32>
  return %y : tensor<2x16x8xf32>
}

func.func @narrow(%x: tensor<16x32xf32>, %w: tensor<32x4xf32>) -> tensor<16x4xf32> {
  %y = quern.matmul %x, %w : tensor<16x32xf32>, tensor<32x4xf32> -> tensor<16x4xf32>
  return %y : tensor<16x4xf32>
}

func.func @uneven(%x: tensor<16x32xf32>, %w: tensor<32x6xf32>, %b: tensor<6xf32>) -> tensor<16x6xf32> {
  %y = quern.matmul %x, %w bias(%b : tensor<6xf32>) : tensor<16x32xf32>, tensor<32x6xf32> -> tensor<16x6xf32>
  return %y : tensor<16x6xf32>
}
