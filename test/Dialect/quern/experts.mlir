// RUN: quern-opt %s | quern-opt | FileCheck %s

// The mixture-of-experts ops print and parse back: a dispatch of 8 tokens'
// 2 slots over 4 experts (3 with products, the last without) in tiles of 4
// rows (16 slots + 3 partial tiles = 28 rows, 7 tiles), the grouped products
// in both weight layouts, and the weight gradient in both result layouts.

// CHECK-LABEL: func.func @experts
func.func @experts(%ids: tensor<8x2xi64>, %x: tensor<28x16xf32>,
                   %w: tensor<3x32x16xf32>, %g: tensor<28x32xf32>)
    -> (tensor<8x2xi64>, tensor<28x32xf32>, tensor<28x16xf32>,
        tensor<3x32x16xf32>, tensor<3x16x32xf32>) {
  // CHECK: %[[ROWS:.+]], %[[TILES:.+]], %[[SLOTS:.+]] = quern.moe_dispatch %{{.+}} groups = [0, 1, 2, -1] : tensor<8x2xi64> -> (tensor<28xi64>, tensor<7xi64>, tensor<8x2xi64>)
  %rows, %tiles, %slots = quern.moe_dispatch %ids groups = [0, 1, 2, -1]
      : tensor<8x2xi64> -> (tensor<28xi64>, tensor<7xi64>, tensor<8x2xi64>)
  // CHECK: quern.grouped_matmul %{{.+}}, %{{.+}}, %[[TILES]] transpose_rhs : tensor<28x16xf32>, tensor<3x32x16xf32>, tensor<7xi64> -> tensor<28x32xf32>
  %h = quern.grouped_matmul %x, %w, %tiles transpose_rhs
      : tensor<28x16xf32>, tensor<3x32x16xf32>, tensor<7xi64> -> tensor<28x32xf32>
  // CHECK: quern.grouped_matmul %{{.+}}, %{{.+}}, %[[TILES]] : tensor<28x32xf32>, tensor<3x32x16xf32>, tensor<7xi64> -> tensor<28x16xf32>
  %dx = quern.grouped_matmul %g, %w, %tiles
      : tensor<28x32xf32>, tensor<3x32x16xf32>, tensor<7xi64> -> tensor<28x16xf32>
  // CHECK: quern.grouped_weight_gradient %{{.+}}, %{{.+}}, %[[TILES]] transpose_result : tensor<28x16xf32>, tensor<28x32xf32>, tensor<7xi64> -> tensor<3x32x16xf32>
  %dw = quern.grouped_weight_gradient %x, %g, %tiles transpose_result
      : tensor<28x16xf32>, tensor<28x32xf32>, tensor<7xi64> -> tensor<3x32x16xf32>
  // CHECK: quern.grouped_weight_gradient %{{.+}}, %{{.+}}, %[[TILES]] : tensor<28x16xf32>, tensor<28x32xf32>, tensor<7xi64> -> tensor<3x16x32xf32>
  %dwt = quern.grouped_weight_gradient %x, %g, %tiles
      : tensor<28x16xf32>, tensor<28x32xf32>, tensor<7xi64> -> tensor<3x16x32xf32>
  return %slots, %h, %dx, %dw, %dwt : tensor<8x2xi64>, tensor<28x32xf32>,
      tensor<28x16xf32>, tensor<3x32x16xf32>, tensor<3x16x32xf32>
}

// A SwiGLU's gate and up products with their activation, the bias of the
// gate read tile by tile: the products come first among the results, then
// what the epilogue yields.
// CHECK-LABEL: func.func @epilogue
// CHECK: %{{.+}}:3 = quern.grouped_matmul_epilogue %{{.+}}, [%{{.+}}, %{{.+}}], %{{.+}} rows(%{{.+}} : tensor<28x32xf32>) transpose_rhs : tensor<28x16xf32>, [tensor<3x32x16xf32>, tensor<3x32x16xf32>], tensor<7xi64> -> (tensor<28x32xf32>, tensor<28x32xf32>, tensor<28x32xf32>) {
// CHECK-NEXT: ^bb0(%[[GATE:.+]]: tensor<4x32xf32>, %[[UP:.+]]: tensor<4x32xf32>, %[[BIAS:.+]]: tensor<4x32xf32>):
// CHECK-NEXT:   %[[BIASED:.+]] = quern.add %[[GATE]], %[[BIAS]] : tensor<4x32xf32>
// CHECK-NEXT:   %[[SIGMOID:.+]] = quern.sigmoid %[[BIASED]] : tensor<4x32xf32>
// CHECK-NEXT:   %[[SILU:.+]] = quern.mul %[[BIASED]], %[[SIGMOID]] : tensor<4x32xf32>
// CHECK-NEXT:   %[[H:.+]] = quern.mul %[[SILU]], %[[UP]] : tensor<4x32xf32>
// CHECK-NEXT:   quern.epilogue_yield %[[H]] : tensor<4x32xf32>
// CHECK-NEXT: }
func.func @epilogue(%x: tensor<28x16xf32>, %w1: tensor<3x32x16xf32>,
                    %w3: tensor<3x32x16xf32>, %t: tensor<7xi64>,
                    %bias: tensor<28x32xf32>) -> tensor<28x32xf32> {
  %gate, %up, %h = quern.grouped_matmul_epilogue %x, [%w1, %w3], %t
      rows(%bias : tensor<28x32xf32>) transpose_rhs
      : tensor<28x16xf32>, [tensor<3x32x16xf32>, tensor<3x32x16xf32>],
        tensor<7xi64> -> (tensor<28x32xf32>, tensor<28x32xf32>, tensor<28x32xf32>) {
  ^bb0(%a: tensor<4x32xf32>, %b: tensor<4x32xf32>, %c: tensor<4x32xf32>):
    %biased = quern.add %a, %c : tensor<4x32xf32>
    %s = quern.sigmoid %biased : tensor<4x32xf32>
    %silu = quern.mul %biased, %s : tensor<4x32xf32>
    %m = quern.mul %silu, %b : tensor<4x32xf32>
    quern.epilogue_yield %m : tensor<4x32xf32>
  }
  return %h : tensor<28x32xf32>
}
