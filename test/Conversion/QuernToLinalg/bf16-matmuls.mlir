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

// An odd K: the pairs sum the first K - 1 = 2 of each operand, read in
// place (slices, no padded copy), and the last k's products, each factor
// rounded to bf16, are added to those sums after them.
// PAIRS-LABEL: func.func @odd_depth
// PAIRS-SAME: (%[[X:.+]]: tensor<4x3xf32>, %[[W:.+]]: tensor<3x4xf32>)
// PAIRS-NOT: linalg.fill {{.+}} -> tensor<4x4xf32>
// PAIRS: tensor.extract_slice %[[X]][0, 0] [4, 2] [1, 1]
// PAIRS: tensor.extract_slice %[[W]][0, 0] [2, 4] [1, 1]
// PAIRS: %[[SUMS:.+]] = linalg.generic {{.+}} iterator_types = ["parallel", "parallel", "reduction", "reduction"]} ins(%{{.+}}, %{{.+}} : tensor<4x1x2xbf16>, tensor<1x4x2xbf16>)
// PAIRS: %[[COLUMN:.+]] = tensor.extract_slice %[[X]][0, 2] [4, 1] [1, 1]
// PAIRS: %[[ROW:.+]] = tensor.extract_slice %[[W]][2, 0] [1, 4] [1, 1]
// PAIRS: %[[RESULT:.+]] = linalg.generic {{.+}} ins(%[[SUMS]], %[[COLUMN]], %[[ROW]] : tensor<4x4xf32>, tensor<4x1xf32>, tensor<1x4xf32>)
// PAIRS: %[[A:.+]] = arith.truncf %{{.+}} : f32 to bf16
// PAIRS: %[[AF:.+]] = arith.extf %[[A]] : bf16 to f32
// PAIRS: %[[B:.+]] = arith.truncf %{{.+}} : f32 to bf16
// PAIRS: %[[BF:.+]] = arith.extf %[[B]] : bf16 to f32
// PAIRS: %[[AB:.+]] = arith.mulf %[[AF]], %[[BF]] : f32
// PAIRS: arith.addf %{{.+}}, %[[AB]] : f32
// PAIRS: return %[[RESULT]]
func.func @odd_depth(%x: tensor<4x3xf32>, %w: tensor<3x4xf32>) -> tensor<4x4xf32> {
  %y = quern.matmul %x, %w : tensor<4x3xf32>, tensor<3x4xf32> -> tensor<4x4xf32>
  return %y : tensor<4x4xf32>
}

// A K of one has no pair to sum: both operands take a zero k more (K = 2).
// PAIRS-LABEL: func.func @depth_one
// PAIRS-SAME: (%[[X:.+]]: tensor<4x1xf32>, %[[W:.+]]: tensor<1x4xf32>)
// PAIRS: %[[XZ:.+]] = linalg.fill {{.+}} -> tensor<4x2xf32>
// PAIRS: tensor.insert_slice %[[X]] into %[[XZ]][0, 0] [4, 1] [1, 1] : tensor<4x1xf32> into tensor<4x2xf32>
// PAIRS: %[[WZ:.+]] = linalg.fill {{.+}} -> tensor<2x4xf32>
// PAIRS: tensor.insert_slice %[[W]] into %[[WZ]][0, 0] [1, 4] [1, 1] : tensor<1x4xf32> into tensor<2x4xf32>
// PAIRS: linalg.generic {{.+}} iterator_types = ["parallel", "parallel", "reduction", "reduction"]} ins(%{{.+}}, %{{.+}} : tensor<4x1x2xbf16>, tensor<1x4x2xbf16>)
func.func @depth_one(%x: tensor<4x1xf32>, %w: tensor<1x4xf32>) -> tensor<4x4xf32> {
  %y = quern.matmul %x, %w : tensor<4x1xf32>, tensor<1x4xf32> -> tensor<4x4xf32>
  return %y : tensor<4x4xf32>
}

// Panels of a register tile's columns are CPU code generation's
// (test/Codegen/CPU/pack-panels.mlir); the conversion packs no operand in
// panels.
// PAIRS-LABEL: func.func @biased
// PAIRS-NOT: tensor.collapse_shape
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
