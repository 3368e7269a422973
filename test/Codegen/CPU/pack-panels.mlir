// quern-pack-panels rebuilds a paired bf16 product the conversion built
// (bf16-pairs) whose right operand has more than W columns (panel=W):
// that operand is packed in panels of W columns, [N/W, K/2, W, 2], so
// that a register tile's columns are contiguous; the contraction runs over
// (j, m, c, p, t), n = W j + c, into the result viewed as [M, N/W, W], and
// the panel index j leads like a batch dimension. A transposed operand is
// read in its packed order; an untransposed one row after row, (p, j, c,
// t), each row's panels taking turns. A bias is viewed in panels too.
// RUN: quern-opt %s --convert-quern-to-linalg="bf16-matmuls bf16-pairs" --quern-pack-panels=panel=4 | FileCheck %s --check-prefix=PANELS
// Without a panel width, nothing changes.
// RUN: quern-opt %s --convert-quern-to-linalg="bf16-matmuls bf16-pairs" | FileCheck %s --check-prefix=NONE
// RUN: quern-opt %s --convert-quern-to-linalg="bf16-matmuls bf16-pairs" --quern-pack-panels | FileCheck %s --check-prefix=NONE
// NONE-NOT: tensor.collapse_shape
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
// Columns that do not fill the last panel are padded with zeros: the bias
// gets two zero columns (6 -> 8); the right operand's whole panels are
// packed from it, its last panel from its last 2 columns and 2 zero ones,
// each written into its slice of the packed operand (allocated, so that CSE
// does not merge it with an equal one; no padded copy of the operand); the
// product runs on whole panels, and the result is the first 6 columns of
// its 8.
// PANELS-LABEL: func.func @uneven
// PANELS-SAME: (%[[X:.+]]: tensor<16x32xf32>, %[[W:.+]]: tensor<32x6xf32>, %[[B:.+]]: tensor<6xf32>)
// PANELS: %[[BZ:.+]] = linalg.fill {{.+}} -> tensor<8xf32>
// PANELS: tensor.insert_slice %[[B]] into %[[BZ]][0] [6] [1]
// PANELS: %[[PACKED:.+]] = bufferization.alloc_tensor() : tensor<2x16x4x2xbf16>
// PANELS: %[[WHOLE:.+]] = tensor.extract_slice %[[W]][0, 0] [32, 4] [1, 1]
// PANELS: tensor.expand_shape %[[WHOLE]]
// PANELS: %[[TO0:.+]] = tensor.extract_slice %[[PACKED]][0, 0, 0, 0] [1, 16, 4, 2]
// PANELS: %[[HEAD:.+]] = linalg.generic {{.+}} outs(%[[TO0]] : tensor<1x16x4x2xbf16>)
// PANELS: %[[P0:.+]] = tensor.insert_slice %[[HEAD]] into %[[PACKED]][0, 0, 0, 0] [1, 16, 4, 2]
// PANELS: %[[REST:.+]] = tensor.extract_slice %[[W]][0, 4] [32, 2] [1, 1]
// PANELS: %[[WZ:.+]] = linalg.fill {{.+}} -> tensor<32x4xf32>
// PANELS: %[[LAST:.+]] = tensor.insert_slice %[[REST]] into %[[WZ]][0, 0] [32, 2] [1, 1]
// PANELS: tensor.expand_shape %[[LAST]]
// PANELS: %[[TO1:.+]] = tensor.extract_slice %[[P0]][1, 0, 0, 0] [1, 16, 4, 2]
// PANELS: %[[TAIL:.+]] = linalg.generic {{.+}} outs(%[[TO1]] : tensor<1x16x4x2xbf16>)
// PANELS: %[[P1:.+]] = tensor.insert_slice %[[TAIL]] into %[[P0]][1, 0, 0, 0] [1, 16, 4, 2]
// PANELS: %[[Y:.+]] = linalg.generic {{.+}} iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction"]} ins(%{{.+}}, %[[P1]] : {{.+}} outs(%{{.+}} : tensor<16x2x4xf32>)
// PANELS: %[[C:.+]] = tensor.collapse_shape %[[Y]] {{\[\[}}0], [1, 2]] : tensor<16x2x4xf32> into tensor<16x8xf32>
// PANELS: tensor.extract_slice %[[C]][0, 0] [16, 6] [1, 1] : tensor<16x8xf32> to tensor<16x6xf32>
// PANELS: return

func.func @linear(%x: tensor<16x32xf32>, %w: tensor<8x32xf32>) -> tensor<16x8xf32> {
  %y = quern.matmul %x, %w transpose_rhs : tensor<16x32xf32>, tensor<8x32xf32> -> tensor<16x8xf32>
  return %y : tensor<16x8xf32>
}

func.func @weight_gradient(%g: tensor<32x16xf32>, %x: tensor<32x8xf32>) -> tensor<16x8xf32> {
  %y = quern.matmul %g, %x transpose_lhs : tensor<32x16xf32>, tensor<32x8xf32> -> tensor<16x8xf32>
  return %y : tensor<16x8xf32>
}

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

// An odd depth: the conversion's pairs sum the first two k of each
// operand (slices of them); the panels are packed from that slice of the
// right operand, the conversion's packs of unpaneled pairs are gone, and
// the last k's products are added to the collapsed sums.
// PANELS-LABEL: func.func @odd_depth_wide
// PANELS-SAME: %{{.+}}: tensor<4x3xf32>, %[[W:.+]]: tensor<3x8xf32>
// PANELS-NOT: tensor<1x8x2xbf16>
// PANELS: %[[HEAD:.+]] = tensor.extract_slice %[[W]][0, 0] [2, 8] [1, 1]
// PANELS-NOT: tensor<1x8x2xbf16>
// PANELS: tensor.expand_shape %[[HEAD]]
// PANELS-NOT: tensor<1x8x2xbf16>
// PANELS: linalg.generic {{.+}} outs(%{{.+}} : tensor<2x1x4x2xbf16>)
// PANELS-NOT: tensor<1x8x2xbf16>
// PANELS: %[[SUMS:.+]] = tensor.collapse_shape
// PANELS-NOT: tensor<1x8x2xbf16>
// PANELS: %[[ROW:.+]] = tensor.extract_slice %[[W]][2, 0] [1, 8] [1, 1]
// PANELS-NOT: tensor<1x8x2xbf16>
// PANELS: linalg.generic {{.+}} ins(%[[SUMS]], %{{.+}}, %[[ROW]] : tensor<4x8xf32>, tensor<4x1xf32>, tensor<1x8xf32>)
// PANELS-NOT: tensor<1x8x2xbf16>
// PANELS: return
func.func @odd_depth_wide(%x: tensor<4x3xf32>, %w: tensor<3x8xf32>) -> tensor<4x8xf32> {
  %y = quern.matmul %x, %w : tensor<4x3xf32>, tensor<3x8xf32> -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// An f64 product is not rounded to bf16: it stays as it is.
// PANELS-LABEL: func.func @f64_product
// PANELS-NOT: tensor.collapse_shape
// PANELS: return
func.func @f64_product(%x: tensor<16x32xf64>, %w: tensor<32x8xf64>) -> tensor<16x8xf64> {
  %y = quern.matmul %x, %w : tensor<16x32xf64>, tensor<32x8xf64> -> tensor<16x8xf64>
  return %y : tensor<16x8xf64>
}


// f32 products of at least 512 in every size are packed in panels too
// (panel=32): the right operand as [N/32, K, 32], copied, and the product
// accumulates panel after panel, [N/32, M, 32], so that a register tile's
// rows are 32 floats apart rather than N; a copy moves the result to
// [M, N/32, 32], collapsed to [M, N].
// RUN: quern-opt %s --convert-quern-to-linalg --quern-pack-panels=panel=32 | FileCheck %s --check-prefix=F32
// F32-DAG: #[[PACK_IN:.+]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// F32-DAG: #[[SWAP:.+]] = affine_map<(d0, d1, d2) -> (d1, d0, d2)>
// F32-DAG: #[[LHS:.+]] = affine_map<(d0, d1, d2, d3) -> (d1, d3)>
// F32-DAG: #[[RHS:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d3, d2)>
// F32-DAG: #[[OUT:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
// F32-DAG: #[[IN_PLACE:.+]] = affine_map<(d0, d1, d2) -> (d2, d0)>
// F32-LABEL: func.func @f32_wide
// F32-SAME: (%[[X:.+]]: tensor<512x512xf32>, %[[W:.+]]: tensor<512x1024xf32>)
// F32: %[[WS:.+]] = tensor.expand_shape %[[W]] {{\[\[}}0], [1, 2]] output_shape [512, 32, 32]
// F32: %[[WP:.+]] = linalg.generic {indexing_maps = [#[[PACK_IN]], #[[SWAP]]]{{.+}} ins(%[[WS]] : tensor<512x32x32xf32>) outs(%{{.+}} : tensor<32x512x32xf32>)
// F32: %[[ZERO:.+]] = linalg.fill {{.+}} -> tensor<32x512x32xf32>
// F32: %[[Y:.+]] = linalg.generic {indexing_maps = [#[[LHS]], #[[RHS]], #[[OUT]]], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%[[X]], %[[WP]] : tensor<512x512xf32>, tensor<32x512x32xf32>) outs(%[[ZERO]] : tensor<32x512x32xf32>)
// F32: %[[ROWS:.+]] = linalg.generic {indexing_maps = [#[[SWAP]], #[[PACK_IN]]]{{.+}} ins(%[[Y]] : tensor<32x512x32xf32>) outs(%{{.+}} : tensor<512x32x32xf32>)
// F32: tensor.collapse_shape %[[ROWS]] {{\[\[}}0], [1, 2]] : tensor<512x32x32xf32> into tensor<512x1024xf32>
func.func @f32_wide(%x: tensor<512x512xf32>, %w: tensor<512x1024xf32>) -> tensor<512x1024xf32> {
  %y = quern.matmul %x, %w : tensor<512x512xf32>, tensor<512x1024xf32> -> tensor<512x1024xf32>
  return %y : tensor<512x1024xf32>
}


// A Linear layer: the weight the conversion transposed (linalg.transpose)
// is packed from its own layout instead, its 31 whole panels (992 rows)
// from it, the last from its 8 remaining rows and 24 zero ones (1000 ->
// 1024 columns of the product), like the bias, which is broadcast and then
// copied into panels of rows; the result is the first 1000 columns.
// F32-LABEL: func.func @f32_linear
// F32-SAME: (%[[X:.+]]: tensor<512x512xf32>, %[[W:.+]]: tensor<1000x512xf32>, %[[B:.+]]: tensor<1000xf32>)
// F32-NOT: linalg.transpose
// F32: tensor.insert_slice %[[B]] into %{{.+}}[0] [1000] [1] : tensor<1000xf32> into tensor<1024xf32>
// F32: bufferization.alloc_tensor() : tensor<32x512x32xf32>
// F32: tensor.extract_slice %[[W]][0, 0] [992, 512] [1, 1]
// F32: linalg.generic {{.+}} outs(%{{.+}} : tensor<31x512x32xf32>)
// F32: tensor.extract_slice %[[W]][992, 0] [8, 512] [1, 1]
// F32: tensor.insert_slice %{{.+}} into %{{.+}}[0, 0] [8, 512] [1, 1] : tensor<8x512xf32> into tensor<32x512xf32>
// F32: linalg.generic {{.+}} outs(%{{.+}} : tensor<1x512x32xf32>)
// F32: tensor.insert_slice %{{.+}} into %{{.+}}[31, 0, 0] [1, 512, 32] [1, 1, 1] : tensor<1x512x32xf32> into tensor<32x512x32xf32>
// F32: %[[BIAS:.+]] = linalg.generic {{.+}} outs(%{{.+}} : tensor<512x32x32xf32>)
// F32: %[[INIT:.+]] = linalg.generic {indexing_maps = [#[[SWAP]], #[[PACK_IN]]]{{.+}} ins(%[[BIAS]] : tensor<512x32x32xf32>) outs(%{{.+}} : tensor<32x512x32xf32>)
// F32: linalg.generic {{.+}} outs(%[[INIT]] : tensor<32x512x32xf32>)
// F32: tensor.extract_slice %{{.+}}[0, 0] [512, 1000] [1, 1] : tensor<512x1024xf32> to tensor<512x1000xf32>
func.func @f32_linear(%x: tensor<512x512xf32>, %w: tensor<1000x512xf32>, %b: tensor<1000xf32>) -> tensor<512x1000xf32> {
  %y = quern.matmul %x, %w bias(%b : tensor<1000xf32>) transpose_rhs : tensor<512x512xf32>, tensor<1000x512xf32> -> tensor<512x1000xf32>
  return %y : tensor<512x1000xf32>
}


// Below 512 rows (or columns, or depth) the copies cost more than the
// panels save: the product stays as the conversion built it (its right
// operand, 2 MiB, too small for the rule below, its rows 4000 bytes apart).
// F32-LABEL: func.func @f32_small
// F32-NOT: tensor.collapse_shape
// F32: linalg.generic {{.+}} ins(%{{.+}}, %{{.+}} : tensor<511x512xf32>, tensor<512x1000xf32>)
func.func @f32_small(%x: tensor<511x512xf32>, %w: tensor<512x1000xf32>) -> tensor<511x1000xf32> {
  %y = quern.matmul %x, %w : tensor<511x512xf32>, tensor<512x1000xf32> -> tensor<511x1000xf32>
  return %y : tensor<511x1000xf32>
}

// From 128 rows, a right operand of 4 MiB or more is packed where reading
// it in place is awkward: its rows a multiple of 4 KiB apart (1024 f32),
// or transposed.
// F32-LABEL: func.func @f32_few_rows_aliasing
// F32: linalg.generic {{.+}} ins(%{{.+}}, %{{.+}} : tensor<128x1024xf32>, tensor<32x1024x32xf32>) outs(%{{.+}} : tensor<32x128x32xf32>)
func.func @f32_few_rows_aliasing(%x: tensor<128x1024xf32>, %w: tensor<1024x1024xf32>) -> tensor<128x1024xf32> {
  %y = quern.matmul %x, %w : tensor<128x1024xf32>, tensor<1024x1024xf32> -> tensor<128x1024xf32>
  return %y : tensor<128x1024xf32>
}

// F32-LABEL: func.func @f32_few_rows_transposed
// F32: linalg.generic {{.+}} ins(%{{.+}}, %{{.+}} : tensor<128x768xf32>, tensor<44x768x32xf32>) outs(%{{.+}} : tensor<44x128x32xf32>)
func.func @f32_few_rows_transposed(%x: tensor<128x768xf32>, %w: tensor<1400x768xf32>) -> tensor<128x1400xf32> {
  %y = quern.matmul %x, %w transpose_rhs : tensor<128x768xf32>, tensor<1400x768xf32> -> tensor<128x1400xf32>
  return %y : tensor<128x1400xf32>
}

// Rows 5600 bytes apart are read in place.
// F32-LABEL: func.func @f32_few_rows_plain
// F32-NOT: tensor.collapse_shape
// F32: linalg.generic {{.+}} ins(%{{.+}}, %{{.+}} : tensor<128x768xf32>, tensor<768x1400xf32>)
func.func @f32_few_rows_plain(%x: tensor<128x768xf32>, %w: tensor<768x1400xf32>) -> tensor<128x1400xf32> {
  %y = quern.matmul %x, %w : tensor<128x768xf32>, tensor<768x1400xf32> -> tensor<128x1400xf32>
  return %y : tensor<128x1400xf32>
}

// With fewer than 128 rows the product does not accumulate in panels; its
// aliased right operand is still packed (the rule below).
// F32-LABEL: func.func @f32_too_few_rows
// F32: linalg.generic {{.+}} ins(%{{.+}}, %{{.+}} : tensor<127x1024xf32>, tensor<32x1024x32xf32>) outs(%{{.+}} : tensor<127x32x32xf32>)
func.func @f32_too_few_rows(%x: tensor<127x1024xf32>, %w: tensor<1024x1024xf32>) -> tensor<127x1024xf32> {
  %y = quern.matmul %x, %w : tensor<127x1024xf32>, tensor<1024x1024xf32> -> tensor<127x1024xf32>
  return %y : tensor<127x1024xf32>
}

// A product at least 256 deep and 64 tall whose result's rows are a
// multiple of 4 KiB apart (1024 f32) has its right operand packed in
// panels though it is not large; it accumulates in rows, [M, N/32, 32],
// as the bf16 products above. 1000 columns, not aliased, stay as they are.
// F32-LABEL: func.func @f32_aliased
// F32: %[[WP:.+]] = linalg.generic {{.+}} outs(%{{.+}} : tensor<32x256x32xf32>)
// F32: %[[Y:.+]] = linalg.generic {{.+}} ins(%{{.+}}, %[[WP]] : tensor<256x256xf32>, tensor<32x256x32xf32>) outs(%{{.+}} : tensor<256x32x32xf32>)
// F32: tensor.collapse_shape %[[Y]] {{\[\[}}0], [1, 2]] : tensor<256x32x32xf32> into tensor<256x1024xf32>
func.func @f32_aliased(%x: tensor<256x256xf32>, %w: tensor<256x1024xf32>) -> tensor<256x1024xf32> {
  %y = quern.matmul %x, %w : tensor<256x256xf32>, tensor<256x1024xf32> -> tensor<256x1024xf32>
  return %y : tensor<256x1024xf32>
}

// F32-LABEL: func.func @f32_not_aliased
// F32-NOT: tensor.expand_shape
// F32: linalg.generic {{.+}} ins(%{{.+}}, %{{.+}} : tensor<256x256xf32>, tensor<256x1000xf32>) outs(%{{.+}} : tensor<256x1000xf32>)
func.func @f32_not_aliased(%x: tensor<256x256xf32>, %w: tensor<256x1000xf32>) -> tensor<256x1000xf32> {
  %y = quern.matmul %x, %w : tensor<256x256xf32>, tensor<256x1000xf32> -> tensor<256x1000xf32>
  return %y : tensor<256x1000xf32>
}

// A product in a parallel loop's body (a grouped product's tile of one
// expert's rows) stays as it is, though its rows are aliased: its panels
// would be a buffer every iteration shares, which the workspace plan
// cannot place.
// F32-LABEL: func.func @f32_in_parallel_loop
// F32: scf.forall
// F32-NOT: tensor.expand_shape
// F32: linalg.generic {{.+}} ins(%{{.+}}, %{{.+}} : tensor<64x256xf32>, tensor<256x1024xf32>) outs(%{{.+}} : tensor<64x1024xf32>)
func.func @f32_in_parallel_loop(%x: tensor<2x64x256xf32>, %w: tensor<2x256x1024xf32>, %init: tensor<2x64x1024xf32>) -> tensor<2x64x1024xf32> {
  %r = scf.forall (%i) in (2) shared_outs(%o = %init) -> (tensor<2x64x1024xf32>) {
    %xs = tensor.extract_slice %x[%i, 0, 0] [1, 64, 256] [1, 1, 1] : tensor<2x64x256xf32> to tensor<64x256xf32>
    %ws = tensor.extract_slice %w[%i, 0, 0] [1, 256, 1024] [1, 1, 1] : tensor<2x256x1024xf32> to tensor<256x1024xf32>
    %y = quern.matmul %xs, %ws : tensor<64x256xf32>, tensor<256x1024xf32> -> tensor<64x1024xf32>
    scf.forall.in_parallel {
      tensor.parallel_insert_slice %y into %o[%i, 0, 0] [1, 64, 1024] [1, 1, 1] : tensor<64x1024xf32> into tensor<2x64x1024xf32>
    }
  }
  return %r : tensor<2x64x1024xf32>
}

// A product too small for panels reads a left operand the conversion
// transposed from before the transpose when it is at most 512 KiB (here
// 100 x 96 f32): its map becomes (k, m). A larger one (384 x 384, 576 KiB)
// keeps the copy. (IN_PLACE is matched with the maps above.)
// F32-LABEL: func.func @f32_small_transposed_left
// F32-NOT: linalg.transpose
// F32: linalg.generic {indexing_maps = [#[[IN_PLACE]], {{.+}} ins(%{{.+}}, %{{.+}} : tensor<100x96xf32>, tensor<100x80xf32>)
func.func @f32_small_transposed_left(%x: tensor<100x96xf32>, %w: tensor<100x80xf32>) -> tensor<96x80xf32> {
  %y = quern.matmul %x, %w transpose_lhs : tensor<100x96xf32>, tensor<100x80xf32> -> tensor<96x80xf32>
  return %y : tensor<96x80xf32>
}

// F32-LABEL: func.func @f32_transposed_left_kept
// F32: %[[T:.+]] = linalg.transpose ins(%{{.+}} : tensor<384x384xf32>)
// F32: linalg.generic {{.+}} ins(%[[T]], %{{.+}} : tensor<384x384xf32>, tensor<384x80xf32>)
func.func @f32_transposed_left_kept(%x: tensor<384x384xf32>, %w: tensor<384x80xf32>) -> tensor<384x80xf32> {
  %y = quern.matmul %x, %w transpose_lhs : tensor<384x384xf32>, tensor<384x80xf32> -> tensor<384x80xf32>
  return %y : tensor<384x80xf32>
}

// A large bf16 product (every size at least 512) accumulates in panels of
// rows as well, [N/32, M, 32], copied back to [M, N/32, 32].
// RUN: quern-opt %s --convert-quern-to-linalg="bf16-matmuls bf16-pairs" --quern-pack-panels=panel=32 | FileCheck %s --check-prefix=BF16-LARGE
// BF16-LARGE-LABEL: func.func @bf16_large
// BF16-LARGE: %[[WP:.+]] = linalg.generic {{.+}} outs(%{{.+}} : tensor<32x256x32x2xbf16>)
// BF16-LARGE: %[[Y:.+]] = linalg.generic {{.+}} ins(%{{.+}}, %[[WP]] : tensor<512x256x2xbf16>, tensor<32x256x32x2xbf16>) outs(%{{.+}} : tensor<32x512x32xf32>)
// BF16-LARGE: linalg.generic {{.+}} ins(%[[Y]] : tensor<32x512x32xf32>) outs(%{{.+}} : tensor<512x32x32xf32>)
// BF16-LARGE: tensor.collapse_shape
// (The smaller ones above accumulate in rows of panels: PANELS.)
func.func @bf16_large(%x: tensor<512x512xf32>, %w: tensor<512x1024xf32>) -> tensor<512x1024xf32> {
  %y = quern.matmul %x, %w : tensor<512x512xf32>, tensor<512x1024xf32> -> tensor<512x1024xf32>
  return %y : tensor<512x1024xf32>
}
