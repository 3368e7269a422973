// RUN: quern-opt %s --quern-fuse-grouped-epilogues -split-input-file | FileCheck %s

// A SwiGLU expert's gate and up products (a bias on the gate, gathered per
// row) and the activation after them, as a training step has them: the
// products and some of the activation's values are read by the backward
// pass too. They become one op; the bias is read tile by tile, the splat
// constant is rebuilt at the tile's shape. The last product reads the
// activation and cannot join: the epilogue ends there and writes the
// activation for it. Of the values only the backward pass's elementwise ops
// read, the epilogue writes the sigmoid (a transcendental function, not
// worth computing again), not the biased gate or the SiLU: those are
// computed again after the epilogue, from its results, as they would be
// without the fusion, and quern-fuse-elementwise computes them inside the
// backward pass's loops.
// CHECK-LABEL: func.func @swiglu
// CHECK: %[[F:.+]]:4 = quern.grouped_matmul_epilogue %{{.+}}, [%{{.+}}, %{{.+}}], %{{.+}} rows(%[[BIAS:.+]] : tensor<28x32xf32>) transpose_rhs : tensor<28x16xf32>, [tensor<3x32x16xf32>, tensor<3x32x16xf32>], tensor<7xi64> -> (tensor<28x32xf32>, tensor<28x32xf32>, tensor<28x32xf32>, tensor<28x32xf32>) {
// CHECK-NEXT: ^bb0(%[[GATE:.+]]: tensor<4x32xf32>, %[[UP:.+]]: tensor<4x32xf32>, %[[B:.+]]: tensor<4x32xf32>):
// CHECK-NEXT:   %[[BIASED:.+]] = quern.add %[[GATE]], %[[B]] : tensor<4x32xf32>
// CHECK-NEXT:   %[[SIG:.+]] = quern.sigmoid %[[BIASED]] : tensor<4x32xf32>
// CHECK-NEXT:   %[[SILU:.+]] = quern.mul %[[BIASED]], %[[SIG]] : tensor<4x32xf32>
// CHECK-NEXT:   %[[HALF:.+]] = quern.constant dense<5.000000e-01> : tensor<4x32xf32>
// CHECK-NEXT:   %[[SCALED:.+]] = quern.mul %[[UP]], %[[HALF]] : tensor<4x32xf32>
// CHECK-NEXT:   %[[H:.+]] = quern.mul %[[SILU]], %[[SCALED]] : tensor<4x32xf32>
// CHECK-NEXT:   quern.epilogue_yield %[[SIG]], %[[H]] : tensor<4x32xf32>, tensor<4x32xf32>
// CHECK-NEXT: }
// CHECK-NEXT: %[[AGAIN:.+]] = quern.add %[[F]]#0, %[[BIAS]] : tensor<28x32xf32>
// CHECK-NEXT: %[[SILUAGAIN:.+]] = quern.mul %[[AGAIN]], %[[F]]#2 : tensor<28x32xf32>
// CHECK-NEXT: %[[OUT:.+]] = quern.grouped_matmul %[[F]]#3, %{{.+}}, %{{.+}} : tensor<28x32xf32>, tensor<3x32x16xf32>, tensor<7xi64> -> tensor<28x16xf32>
// CHECK-NEXT: %[[DGATE:.+]] = quern.mul %[[F]]#0, %[[F]]#2 : tensor<28x32xf32>
// CHECK-NEXT: %[[DSILU:.+]] = quern.mul %[[SILUAGAIN]], %[[F]]#1 : tensor<28x32xf32>
// CHECK-NEXT: return %[[OUT]], %[[DGATE]], %[[DSILU]]
func.func @swiglu(%x: tensor<28x16xf32>, %w1: tensor<3x32x16xf32>,
                  %w3: tensor<3x32x16xf32>, %w2: tensor<3x32x16xf32>,
                  %t: tensor<7xi64>, %bias: tensor<28x32xf32>)
    -> (tensor<28x16xf32>, tensor<28x32xf32>, tensor<28x32xf32>) {
  %gate = quern.grouped_matmul %x, %w1, %t transpose_rhs : tensor<28x16xf32>, tensor<3x32x16xf32>, tensor<7xi64> -> tensor<28x32xf32>
  %biased = quern.add %gate, %bias : tensor<28x32xf32>
  %up = quern.grouped_matmul %x, %w3, %t transpose_rhs : tensor<28x16xf32>, tensor<3x32x16xf32>, tensor<7xi64> -> tensor<28x32xf32>
  %s = quern.sigmoid %biased : tensor<28x32xf32>
  %silu = quern.mul %biased, %s : tensor<28x32xf32>
  %half = quern.constant dense<0.5> : tensor<28x32xf32>
  %scaled = quern.mul %up, %half : tensor<28x32xf32>
  %h = quern.mul %silu, %scaled : tensor<28x32xf32>
  %out = quern.grouped_matmul %h, %w2, %t : tensor<28x32xf32>, tensor<3x32x16xf32>, tensor<7xi64> -> tensor<28x16xf32>
  %dgate = quern.mul %gate, %s : tensor<28x32xf32>
  %dsilu = quern.mul %silu, %up : tensor<28x32xf32>
  return %out, %dgate, %dsilu : tensor<28x16xf32>, tensor<28x32xf32>, tensor<28x32xf32>
}

// -----

// Forward only: the products are read by the activation alone. Fused, each
// tile's products would need a buffer per thread, which the workspace does
// not have: they stay apart.
// CHECK-LABEL: func.func @forward
// CHECK-NOT: quern.grouped_matmul_epilogue
func.func @forward(%x: tensor<28x16xf32>, %w1: tensor<3x16x32xf32>,
                   %t: tensor<7xi64>) -> tensor<28x32xf32> {
  %a = quern.grouped_matmul %x, %w1, %t : tensor<28x16xf32>, tensor<3x16x32xf32>, tensor<7xi64> -> tensor<28x32xf32>
  %r = quern.relu %a : tensor<28x32xf32>
  return %r : tensor<28x32xf32>
}

// -----

// Products of other rows (or other tiles) are other groups, and an op that
// reads a product but is not elementwise on floats of its rows (here a
// reduction; a comparison to booleans below) ends the epilogue: the ReLU
// after the reduction stays apart, the one before it joins.
// CHECK-LABEL: func.func @groups
// CHECK-NEXT: quern.grouped_matmul %arg1, %arg2, %arg3 :
// CHECK-NEXT: quern.grouped_matmul %arg0, %arg2, %arg4 :
// CHECK-NEXT: %[[A:.+]]:2 = quern.grouped_matmul_epilogue %arg0, [%arg2], %arg3 :
// CHECK-NEXT: ^bb0
// CHECK-NEXT: quern.relu
// CHECK-NEXT: quern.epilogue_yield
// CHECK-NEXT: }
// CHECK-NEXT: quern.reduce_sum %[[A]]#0
// CHECK: quern.compare gt, %[[A]]#0
// CHECK-NEXT: quern.relu %[[A]]#0
func.func @groups(%x: tensor<28x16xf32>, %y: tensor<28x16xf32>,
                  %w: tensor<3x16x32xf32>, %t: tensor<7xi64>, %u: tensor<7xi64>)
    -> (tensor<28x32xf32>, tensor<28x32xf32>, tensor<28x32xf32>, tensor<28x32xf32>, tensor<28xf32>, tensor<28x32xi1>, tensor<28x32xf32>) {
  %a = quern.grouped_matmul %x, %w, %t : tensor<28x16xf32>, tensor<3x16x32xf32>, tensor<7xi64> -> tensor<28x32xf32>
  %b = quern.grouped_matmul %y, %w, %t : tensor<28x16xf32>, tensor<3x16x32xf32>, tensor<7xi64> -> tensor<28x32xf32>
  %c = quern.grouped_matmul %x, %w, %u : tensor<28x16xf32>, tensor<3x16x32xf32>, tensor<7xi64> -> tensor<28x32xf32>
  %r = quern.relu %a : tensor<28x32xf32>
  %sum = quern.reduce_sum %a axes = [1] : tensor<28x32xf32> -> tensor<28xf32>
  %zero = quern.constant dense<0.0> : tensor<28x32xf32>
  %positive = quern.compare gt, %a, %zero : tensor<28x32xf32> -> tensor<28x32xi1>
  %late = quern.relu %a : tensor<28x32xf32>
  return %a, %b, %c, %r, %sum, %positive, %late : tensor<28x32xf32>, tensor<28x32xf32>, tensor<28x32xf32>, tensor<28x32xf32>, tensor<28xf32>, tensor<28x32xi1>, tensor<28x32xf32>
}

// -----

// A comparison to booleans reads the product first: it cannot join, so the
// epilogue is empty and the ReLU after it stays apart too.
// CHECK-LABEL: func.func @booleans
// CHECK-NOT: quern.grouped_matmul_epilogue
// CHECK: quern.compare gt
// CHECK-NEXT: quern.relu
func.func @booleans(%x: tensor<28x16xf32>, %w: tensor<3x16x32xf32>, %t: tensor<7xi64>)
    -> (tensor<28x32xf32>, tensor<28x32xi1>, tensor<28x32xf32>) {
  %a = quern.grouped_matmul %x, %w, %t : tensor<28x16xf32>, tensor<3x16x32xf32>, tensor<7xi64> -> tensor<28x32xf32>
  %zero = quern.constant dense<0.0> : tensor<28x32xf32>
  %positive = quern.compare gt, %a, %zero : tensor<28x32xf32> -> tensor<28x32xi1>
  %r = quern.relu %a : tensor<28x32xf32>
  return %a, %positive, %r : tensor<28x32xf32>, tensor<28x32xi1>, tensor<28x32xf32>
}
