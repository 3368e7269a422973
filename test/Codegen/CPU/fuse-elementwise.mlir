// RUN: quern-opt %s --quern-fuse-elementwise | FileCheck %s

// The maps of @merge_heads_round.
// CHECK-DAG: #[[TRANSPOSED:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d2, d1, d3)>
// CHECK-DAG: #[[IDENTITY:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>

#id2 = affine_map<(i, j) -> (i, j)>
#id3 = affine_map<(i, j, k) -> (i, j, k)>

// An operand's producer stays out of the product; a producer used once
// fuses into its elementwise consumer.
// CHECK-LABEL: func.func @relu_matmul_scale
// CHECK: %[[RELU:.+]] = linalg.generic
// CHECK: arith.maximumf
// CHECK: %[[PRODUCT:.+]] = linalg.matmul ins(%[[RELU]],
// CHECK: linalg.generic {{.+}} ins(%[[PRODUCT]] :
// CHECK-NEXT: ^bb0
// CHECK-NEXT: arith.mulf
// CHECK-NEXT: math.tanh
// CHECK-NOT: linalg.generic
// CHECK: return
func.func @relu_matmul_scale(%x: tensor<8x16xf32>, %w: tensor<16x32xf32>, %s: f32) -> tensor<8x32xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<8x16xf32>
  %relu = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<8x16xf32>) outs(%e : tensor<8x16xf32>) {
  ^bb0(%in: f32, %out: f32):
    %m = arith.maximumf %in, %zero : f32
    linalg.yield %m : f32
  } -> tensor<8x16xf32>
  %e2 = tensor.empty() : tensor<8x32xf32>
  %fill = linalg.fill ins(%zero : f32) outs(%e2 : tensor<8x32xf32>) -> tensor<8x32xf32>
  %p = linalg.matmul ins(%relu, %w : tensor<8x16xf32>, tensor<16x32xf32>) outs(%fill : tensor<8x32xf32>) -> tensor<8x32xf32>
  %scaled = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%p : tensor<8x32xf32>) outs(%e2 : tensor<8x32xf32>) {
  ^bb0(%in: f32, %out: f32):
    %m = arith.mulf %in, %s : f32
    linalg.yield %m : f32
  } -> tensor<8x32xf32>
  %tanh = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%scaled : tensor<8x32xf32>) outs(%e2 : tensor<8x32xf32>) {
  ^bb0(%in: f32, %out: f32):
    %m = math.tanh %in : f32
    linalg.yield %m : f32
  } -> tensor<8x32xf32>
  return %tanh : tensor<8x32xf32>
}

// A producer used twice fuses into the consumer that only rounds it: one
// op computes the f32 result, for its other user, and the bf16 copy.
// CHECK-LABEL: func.func @round_shared
// CHECK: %[[BOTH:.+]]:2 = linalg.generic
// CHECK-SAME: outs(%{{.+}}, %{{.+}} : tensor<4x64xf32>, tensor<4x64xbf16>)
// CHECK: %[[SUM:.+]] = arith.addf
// CHECK-NEXT: %[[ROUNDED:.+]] = arith.truncf %[[SUM]] : f32 to bf16
// CHECK-NEXT: linalg.yield %[[SUM]], %[[ROUNDED]] : f32, bf16
// CHECK: %[[SQUARE:.+]] = linalg.generic {{.+}} ins(%[[BOTH]]#0 : tensor<4x64xf32>)
// CHECK: return %[[BOTH]]#1, %[[SQUARE]]
func.func @round_shared(%x: tensor<4x64xf32>, %b: tensor<64xf32>) -> (tensor<4x64xbf16>, tensor<4x64xf32>) {
  %e = tensor.empty() : tensor<4x64xf32>
  %sum = linalg.generic {indexing_maps = [#id2, affine_map<(i, j) -> (j)>, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%x, %b : tensor<4x64xf32>, tensor<64xf32>) outs(%e : tensor<4x64xf32>) {
  ^bb0(%in: f32, %bias: f32, %out: f32):
    %a = arith.addf %in, %bias : f32
    linalg.yield %a : f32
  } -> tensor<4x64xf32>
  %sq = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%sum : tensor<4x64xf32>) outs(%e : tensor<4x64xf32>) {
  ^bb0(%in: f32, %out: f32):
    %m = arith.mulf %in, %in : f32
    linalg.yield %m : f32
  } -> tensor<4x64xf32>
  %eb = tensor.empty() : tensor<4x64xbf16>
  %round = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%sum : tensor<4x64xf32>) outs(%eb : tensor<4x64xbf16>) {
  ^bb0(%in: f32, %out: bf16):
    %t = arith.truncf %in : f32 to bf16
    linalg.yield %t : bf16
  } -> tensor<4x64xbf16>
  return %round, %sq : tensor<4x64xbf16>, tensor<4x64xf32>
}

// Heads merged (a transpose, then the collapse to rows) and rounded: one op
// reads the heads transposed and writes the rounded rows.
// CHECK-LABEL: func.func @merge_heads_round
// CHECK-NOT: linalg.transpose
// CHECK: %[[ROUNDED:.+]] = linalg.generic {indexing_maps = [#[[TRANSPOSED]], #[[IDENTITY]]]
// CHECK-SAME: ins(%{{.+}} : tensor<2x4x8x16xf32>) outs(%{{.+}} : tensor<2x8x4x16xbf16>)
// CHECK: arith.truncf
// CHECK: %[[ROWS:.+]] = tensor.collapse_shape %[[ROUNDED]] {{\[}}[0, 1], [2, 3]] : tensor<2x8x4x16xbf16> into tensor<16x64xbf16>
// CHECK: return %[[ROWS]]
func.func @merge_heads_round(%h: tensor<2x4x8x16xf32>) -> tensor<16x64xbf16> {
  %e = tensor.empty() : tensor<2x8x4x16xf32>
  %t = linalg.transpose ins(%h : tensor<2x4x8x16xf32>) outs(%e : tensor<2x8x4x16xf32>) permutation = [0, 2, 1, 3]
  %rows = tensor.collapse_shape %t [[0, 1], [2, 3]] : tensor<2x8x4x16xf32> into tensor<16x64xf32>
  %eb = tensor.empty() : tensor<16x64xbf16>
  %round = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%rows : tensor<16x64xf32>) outs(%eb : tensor<16x64xbf16>) {
  ^bb0(%in: f32, %out: bf16):
    %r = arith.truncf %in : f32 to bf16
    linalg.yield %r : bf16
  } -> tensor<16x64xbf16>
  return %round : tensor<16x64xbf16>
}
