// RUN: quern-opt %s --convert-quern-to-linalg --canonicalize -split-input-file | FileCheck %s

// The dispatch is a counting sort in scalar loops: tokens per group (the
// experts without a group count in an extra one), each group's first row
// and its tiles, then each slot takes the next row of its group (none where
// its expert has no group).
// CHECK-LABEL: func.func @dispatch
// CHECK: %[[GROUPS:.+]] = arith.constant dense<[0, 1, 2, 3]> : tensor<4xindex>
// CHECK: %[[COUNTS:.+]] = scf.for {{.+}} -> (tensor<4xi64>)
// CHECK:   scf.for {{.+}} -> (tensor<4xi64>)
// CHECK:     tensor.extract %[[GROUPS]]
// CHECK: %[[LAYOUT:.+]]:3 = scf.for {{.+}} -> (tensor<3xi64>, tensor<7xi64>, index)
// CHECK:   tensor.extract %[[COUNTS]]
// CHECK:   scf.for {{.+}} -> (tensor<7xi64>)
// CHECK: %[[PLACED:.+]]:3 = scf.for {{.+}} iter_args({{.+}} = %[[LAYOUT]]#0, {{.+}}) -> (tensor<3xi64>, tensor<28xi64>, tensor<8x2xi64>)
// CHECK:   scf.if {{.+}} -> (tensor<3xi64>, tensor<28xi64>, tensor<8x2xi64>)
// CHECK: return %[[PLACED]]#1, %[[LAYOUT]]#1, %[[PLACED]]#2
func.func @dispatch(%ids: tensor<8x2xi64>) -> (tensor<28xi64>, tensor<7xi64>, tensor<8x2xi64>) {
  %rows, %tiles, %slots = quern.moe_dispatch %ids groups = [0, 1, 2, -1]
      : tensor<8x2xi64> -> (tensor<28xi64>, tensor<7xi64>, tensor<8x2xi64>)
  return %rows, %tiles, %slots : tensor<28xi64>, tensor<7xi64>, tensor<8x2xi64>
}

// -----

// A grouped product is a parallel loop over its 7 tiles of 4 rows: each
// reads its group, zeroes its rows, and where the group is one of the 3
// multiplies them by that group's weights (transposed once, for all tiles,
// from the [G, N, K] layout) in a static 4x16 by 16x32 contraction.
// CHECK-DAG: #[[LHS:.+]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-DAG: #[[RHS:.+]] = affine_map<(d0, d1, d2) -> (d2, d1)>
// CHECK-LABEL: func.func @grouped
// CHECK-SAME: (%[[X:.+]]: tensor<28x16xf32>, %[[W:.+]]: tensor<3x32x16xf32>, %[[TILES:.+]]: tensor<7xi64>)
// CHECK: %[[WT:.+]] = linalg.transpose ins(%[[W]] : tensor<3x32x16xf32>) {{.+}} permutation = [0, 2, 1]
// CHECK: scf.forall (%[[T:.+]]) in (7) shared_outs(%[[OUT:.+]] = {{.+}}) -> (tensor<28x32xf32>)
// CHECK:   %[[ROW:.+]] = arith.muli %[[T]], %c4
// CHECK:   %[[SLICE:.+]] = tensor.extract_slice %[[OUT]][%[[ROW]], 0] [4, 32] [1, 1]
// CHECK:   %[[GROUP:.+]] = tensor.extract %[[TILES]][%[[T]]]
// CHECK:   %[[ZEROS:.+]] = linalg.fill {{.+}} outs(%[[SLICE]] : tensor<4x32xf32>)
// CHECK:   scf.if {{.+}} -> (tensor<4x32xf32>)
// CHECK:     %[[ROWS:.+]] = tensor.extract_slice %[[X]][{{.+}}, 0] [4, 16] [1, 1]
// CHECK:     %[[WEIGHTS:.+]] = tensor.extract_slice %[[WT]][{{.+}}, 0, 0] [1, 16, 32] [1, 1, 1] : tensor<3x16x32xf32> to tensor<16x32xf32>
// CHECK:     linalg.generic {indexing_maps = [#[[LHS]], #[[RHS]], {{.+}}], iterator_types = ["parallel", "parallel", "reduction"]} ins(%[[ROWS]], %[[WEIGHTS]] : {{.+}}) outs(%[[ZEROS]] : tensor<4x32xf32>)
// CHECK:   } else {
// CHECK:     scf.yield %[[ZEROS]]
// CHECK:   tensor.parallel_insert_slice {{.+}} into %[[OUT]][%[[ROW]], 0] [4, 32] [1, 1]
func.func @grouped(%x: tensor<28x16xf32>, %w: tensor<3x32x16xf32>, %t: tensor<7xi64>) -> tensor<28x32xf32> {
  %h = quern.grouped_matmul %x, %w, %t transpose_rhs
      : tensor<28x16xf32>, tensor<3x32x16xf32>, tensor<7xi64> -> tensor<28x32xf32>
  return %h : tensor<28x32xf32>
}

// -----

// The weight gradient is a parallel loop over the 3 groups. A group's tiles
// are consecutive: a scan finds the first and how many; the products of
// whole chunks of them (up to 128 rows; here all 7 tiles, 28 rows) are
// summed first, then those of the tiles left, one by one, into the group's
// zeroed slice (lhs read transposed).
// CHECK-DAG: #[[LHST:.+]] = affine_map<(d0, d1, d2) -> (d2, d0)>
// CHECK-LABEL: func.func @gradient
// CHECK: scf.forall (%[[G:.+]]) in (3) shared_outs(%[[OUT:.+]] = {{.+}}) -> (tensor<3x16x32xf32>)
// CHECK:   %[[SLICE:.+]] = tensor.extract_slice %[[OUT]][%[[G]], 0, 0] [1, 16, 32] [1, 1, 1]
// CHECK:   %[[SPAN:.+]]:2 = scf.for {{.+}} = %c0 to %c7 step %c1 iter_args({{.+}} = %c7, {{.+}} = %c0) -> (index, index)
// CHECK:     arith.cmpi eq, {{.+}}, %[[G]]
// CHECK:   %[[CHUNKS:.+]] = arith.divui %[[SPAN]]#1, %c7
// CHECK:   %[[ZEROS:.+]] = linalg.fill {{.+}} outs(%[[SLICE]] : tensor<16x32xf32>)
// CHECK:   %[[WHOLE:.+]] = scf.for {{.+}} = %c0 to %[[CHUNKS]] step %c1 iter_args(%[[SUM:.+]] = %[[ZEROS]])
// CHECK:     linalg.generic {indexing_maps = [#[[LHST]], {{.+}}], iterator_types = ["parallel", "parallel", "reduction"]} ins({{.+}} : tensor<28x16xf32>, tensor<28x32xf32>) outs(%[[SUM]] : tensor<16x32xf32>)
// CHECK:   %[[LAST:.+]] = arith.addi %[[SPAN]]#0, %[[SPAN]]#1
// CHECK:   scf.for {{.+}} to %[[LAST]] step %c1 iter_args(%[[REST:.+]] = %[[WHOLE]])
// CHECK:     linalg.generic {indexing_maps = [#[[LHST]], {{.+}}], iterator_types = ["parallel", "parallel", "reduction"]} ins({{.+}} : tensor<4x16xf32>, tensor<4x32xf32>) outs(%[[REST]] : tensor<16x32xf32>)
// CHECK:   tensor.parallel_insert_slice {{.+}} into %[[OUT]][%[[G]], 0, 0] [1, 16, 32] [1, 1, 1]
func.func @gradient(%x: tensor<28x16xf32>, %g: tensor<28x32xf32>, %t: tensor<7xi64>) -> tensor<3x16x32xf32> {
  %dw = quern.grouped_weight_gradient %x, %g, %t
      : tensor<28x16xf32>, tensor<28x32xf32>, tensor<7xi64> -> tensor<3x16x32xf32>
  return %dw : tensor<3x16x32xf32>
}

// -----

// The products of a grouped_matmul_epilogue are a grouped product's, in one
// loop over the tiles: each tile zeroes its rows of both products and
// multiplies them where its group is one of the 3. Then one elementwise
// generic on the tile reads its rows of the products and of the bias and
// writes the tile's rows of the epilogue's result, the splat constant
// inlined as a scalar.
// CHECK-DAG: #[[ID:.+]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-LABEL: func.func @epilogue
// CHECK: %[[F:.+]]:3 = scf.forall (%[[T:.+]]) in (7) shared_outs(%[[A:.+]] = {{.+}}, %[[B:.+]] = {{.+}}, %[[H:.+]] = {{.+}}) -> (tensor<28x32xf32>, tensor<28x32xf32>, tensor<28x32xf32>)
// CHECK:   %[[ROW:.+]] = arith.muli %[[T]], %c4
// CHECK:   %[[ATILE:.+]] = tensor.extract_slice %[[A]][%[[ROW]], 0] [4, 32] [1, 1]
// CHECK:   %[[BTILE:.+]] = tensor.extract_slice %[[B]][%[[BROW:.+]], 0] [4, 32] [1, 1]
// CHECK:   %[[HTILE:.+]] = tensor.extract_slice %[[H]][%[[HROW:.+]], 0] [4, 32] [1, 1]
// CHECK:   %[[AZERO:.+]] = linalg.fill {{.+}} outs(%[[ATILE]] : tensor<4x32xf32>)
// CHECK:   %[[BZERO:.+]] = linalg.fill {{.+}} outs(%[[BTILE]] : tensor<4x32xf32>)
// CHECK:   %[[P:.+]]:2 = scf.if {{.+}} -> (tensor<4x32xf32>, tensor<4x32xf32>) {
// CHECK:     %[[GATE:.+]] = linalg.generic {{.+}} iterator_types = ["parallel", "parallel", "reduction"]} {{.+}} outs(%[[AZERO]] : tensor<4x32xf32>)
// CHECK:     %[[UP:.+]] = linalg.generic {{.+}} iterator_types = ["parallel", "parallel", "reduction"]} {{.+}} outs(%[[BZERO]] : tensor<4x32xf32>)
// CHECK:     scf.yield %[[GATE]], %[[UP]]
// CHECK:   } else {
// CHECK:     scf.yield %[[AZERO]], %[[BZERO]]
// CHECK:   %[[BIAS:.+]] = tensor.extract_slice %{{.+}}[%{{.+}}, 0] [4, 32] [1, 1] : tensor<28x32xf32> to tensor<4x32xf32>
// CHECK:   %[[ACT:.+]] = linalg.generic {indexing_maps = [#[[ID]], #[[ID]], #[[ID]], #[[ID]]], iterator_types = ["parallel", "parallel"]} ins(%[[P]]#0, %[[P]]#1, %[[BIAS]] : {{.+}}) outs(%[[HTILE]] : tensor<4x32xf32>) {
// CHECK:   ^bb0(%[[G:.+]]: f32, %[[U:.+]]: f32, %[[C:.+]]: f32, %{{.+}}: f32):
// CHECK:     %[[BIASED:.+]] = arith.addf %[[G]], %[[C]] : f32
// CHECK:     %[[NEG:.+]] = arith.negf %[[BIASED]] : f32
// CHECK:     %[[EXP:.+]] = math.exp %[[NEG]] : f32
// CHECK:     %[[DEN:.+]] = arith.addf %[[EXP]], %[[ONE:.+]] : f32
// CHECK:     %[[SIG:.+]] = arith.divf %[[ONE]], %[[DEN]] : f32
// CHECK:     %[[SILU:.+]] = arith.mulf %[[BIASED]], %[[SIG]] : f32
// CHECK:     %[[SCALED:.+]] = arith.mulf %[[U]], %[[HALF:.+]] : f32
// CHECK:     %[[PROD:.+]] = arith.mulf %[[SILU]], %[[SCALED]] : f32
// CHECK:     linalg.yield %[[PROD]] : f32
// CHECK:   tensor.parallel_insert_slice %[[P]]#0 into %[[A]][%[[ROW]], 0] [4, 32] [1, 1]
// CHECK:   tensor.parallel_insert_slice %[[P]]#1 into %[[B]][%[[BROW]], 0] [4, 32] [1, 1]
// CHECK:   tensor.parallel_insert_slice %[[ACT]] into %[[H]][%[[HROW]], 0] [4, 32] [1, 1]
// CHECK: return %[[F]]#0, %[[F]]#1, %[[F]]#2
func.func @epilogue(%x: tensor<28x16xf32>, %w1: tensor<3x32x16xf32>,
                    %w3: tensor<3x32x16xf32>, %t: tensor<7xi64>,
                    %bias: tensor<28x32xf32>)
    -> (tensor<28x32xf32>, tensor<28x32xf32>, tensor<28x32xf32>) {
  %gate, %up, %h = quern.grouped_matmul_epilogue %x, [%w1, %w3], %t
      rows(%bias : tensor<28x32xf32>) transpose_rhs
      : tensor<28x16xf32>, [tensor<3x32x16xf32>, tensor<3x32x16xf32>],
        tensor<7xi64> -> (tensor<28x32xf32>, tensor<28x32xf32>, tensor<28x32xf32>) {
  ^bb0(%a: tensor<4x32xf32>, %b: tensor<4x32xf32>, %c: tensor<4x32xf32>):
    %biased = quern.add %a, %c : tensor<4x32xf32>
    %s = quern.sigmoid %biased : tensor<4x32xf32>
    %silu = quern.mul %biased, %s : tensor<4x32xf32>
    %half = quern.constant dense<0.5> : tensor<4x32xf32>
    %scaled = quern.mul %b, %half : tensor<4x32xf32>
    %m = quern.mul %silu, %scaled : tensor<4x32xf32>
    quern.epilogue_yield %m : tensor<4x32xf32>
  }
  return %gate, %up, %h : tensor<28x32xf32>, tensor<28x32xf32>, tensor<28x32xf32>
}
