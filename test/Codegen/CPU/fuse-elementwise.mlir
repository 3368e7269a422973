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

// A producer used twice fuses into each of its elementwise consumers, as
// long as some other user remains as a second output: here the sum goes
// into the rounding and the square, and one op computes both from x and b.
// CHECK-LABEL: func.func @round_shared
// CHECK: %[[BOTH:.+]]:2 = linalg.generic
// CHECK-SAME: ins(%{{.+}}, %{{.+}} : tensor<4x64xf32>, tensor<64xf32>)
// CHECK-SAME: outs(%{{.+}}, %{{.+}} : tensor<4x64xbf16>, tensor<4x64xf32>)
// CHECK: %[[SUM:.+]] = arith.addf
// CHECK-NEXT: %[[ROUNDED:.+]] = arith.truncf %[[SUM]] : f32 to bf16
// CHECK-NEXT: %[[SQUARE:.+]] = arith.mulf %[[SUM]], %[[SUM]]
// CHECK-NEXT: linalg.yield %[[ROUNDED]], %[[SQUARE]] : bf16, f32
// CHECK-NOT: linalg.generic
// CHECK: return %[[BOTH]]#0, %[[BOTH]]#1
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


// GELU as the autodiff leaves it: x, x / sqrt(2), 1 + erf of it, and
// x / 2 * that, each kept for the backward pass. One loop computes all four
// from the product and the bias, instead of four loops each reading back
// what the one before wrote.
// CHECK-LABEL: func.func @gelu_chain
// CHECK: %[[ALL:.+]]:4 = linalg.generic
// CHECK-SAME: ins(%{{.+}}, %{{.+}} : tensor<4x64xf32>, tensor<64xf32>)
// CHECK: math.erf
// CHECK-NOT: linalg.generic
// CHECK: return %[[ALL]]#{{.}}, %[[ALL]]#{{.}}, %[[ALL]]#{{.}}, %[[ALL]]#{{.}}
func.func @gelu_chain(%h: tensor<4x64xf32>, %b: tensor<64xf32>) -> (tensor<4x64xf32>, tensor<4x64xf32>, tensor<4x64xf32>, tensor<4x64xf32>) {
  %e = tensor.empty() : tensor<4x64xf32>
  %half = arith.constant 0.5 : f32
  %one = arith.constant 1.0 : f32
  %root = arith.constant 1.41421354 : f32
  %x = linalg.generic {indexing_maps = [#id2, affine_map<(i, j) -> (j)>, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%h, %b : tensor<4x64xf32>, tensor<64xf32>) outs(%e : tensor<4x64xf32>) {
  ^bb0(%in: f32, %bias: f32, %out: f32):
    %a = arith.addf %in, %bias : f32
    linalg.yield %a : f32
  } -> tensor<4x64xf32>
  %t = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<4x64xf32>) outs(%e : tensor<4x64xf32>) {
  ^bb0(%in: f32, %out: f32):
    %d = arith.divf %in, %root : f32
    linalg.yield %d : f32
  } -> tensor<4x64xf32>
  %phi = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%t : tensor<4x64xf32>) outs(%e : tensor<4x64xf32>) {
  ^bb0(%in: f32, %out: f32):
    %f = math.erf %in : f32
    %g = arith.addf %f, %one : f32
    linalg.yield %g : f32
  } -> tensor<4x64xf32>
  %y = linalg.generic {indexing_maps = [#id2, #id2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%x, %phi : tensor<4x64xf32>, tensor<4x64xf32>) outs(%e : tensor<4x64xf32>) {
  ^bb0(%in: f32, %p: f32, %out: f32):
    %m = arith.mulf %in, %half : f32
    %n = arith.mulf %m, %p : f32
    linalg.yield %n : f32
  } -> tensor<4x64xf32>
  return %x, %t, %phi, %y : tensor<4x64xf32>, tensor<4x64xf32>, tensor<4x64xf32>, tensor<4x64xf32>
}


// A producer with other users stays apart from a consumer that needs what
// is computed after it (an operand, a sum over k; a value its body uses, a
// scale read from a tensor), that reads booleans (kept scalar) or reads it
// transposed; it fuses into the square alone.
// CHECK-LABEL: func.func @not_ready
// CHECK: %[[SUM:.+]]:2 = linalg.generic {{.+}} ins(%{{.+}} : tensor<4x4xf32>)
// CHECK: arith.mulf
// CHECK-NEXT: linalg.yield
// CHECK: linalg.generic {{.+}} ins(%{{.+}} : tensor<4x4x4xf32>)
// CHECK-COUNT-4: linalg.generic {{.+}} ins(%[[SUM]]#0
// CHECK-NOT: linalg.generic
// CHECK: return %[[SUM]]#0, {{.+}}, %[[SUM]]#1 :
func.func @not_ready(%x: tensor<4x4xf32>, %other: tensor<4x4x4xf32>, %s: tensor<f32>, %mask: tensor<4x4xi1>) -> (tensor<4x4xf32>, tensor<4x4xf32>, tensor<4x4xf32>, tensor<4x4xf32>, tensor<4x4xf32>, tensor<4x4xf32>) {
  %e = tensor.empty() : tensor<4x4xf32>
  %zero = arith.constant 0.0 : f32
  %sum = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<4x4xf32>) outs(%e : tensor<4x4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %a = arith.addf %in, %in : f32
    linalg.yield %a : f32
  } -> tensor<4x4xf32>
  %later = linalg.generic {indexing_maps = [affine_map<(i, j, k) -> (i, j, k)>, affine_map<(i, j, k) -> (i, j)>], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%other : tensor<4x4x4xf32>) outs(%e : tensor<4x4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %a = arith.addf %in, %out : f32
    linalg.yield %a : f32
  } -> tensor<4x4xf32>
  %both = linalg.generic {indexing_maps = [#id2, #id2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%sum, %later : tensor<4x4xf32>, tensor<4x4xf32>) outs(%e : tensor<4x4xf32>) {
  ^bb0(%in: f32, %l: f32, %out: f32):
    %a = arith.mulf %in, %l : f32
    linalg.yield %a : f32
  } -> tensor<4x4xf32>
  %scale = tensor.extract %s[] : tensor<f32>
  %scaled = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%sum : tensor<4x4xf32>) outs(%e : tensor<4x4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %a = arith.mulf %in, %scale : f32
    linalg.yield %a : f32
  } -> tensor<4x4xf32>
  %masked = linalg.generic {indexing_maps = [#id2, #id2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%sum, %mask : tensor<4x4xf32>, tensor<4x4xi1>) outs(%e : tensor<4x4xf32>) {
  ^bb0(%in: f32, %m: i1, %out: f32):
    %a = arith.select %m, %in, %zero : f32
    linalg.yield %a : f32
  } -> tensor<4x4xf32>
  %transposed = linalg.generic {indexing_maps = [affine_map<(i, j) -> (j, i)>, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%sum : tensor<4x4xf32>) outs(%e : tensor<4x4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %a = arith.negf %in : f32
    linalg.yield %a : f32
  } -> tensor<4x4xf32>
  %sq = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%sum : tensor<4x4xf32>) outs(%e : tensor<4x4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %a = arith.mulf %in, %in : f32
    linalg.yield %a : f32
  } -> tensor<4x4xf32>
  return %sum, %both, %scaled, %masked, %transposed, %sq : tensor<4x4xf32>, tensor<4x4xf32>, tensor<4x4xf32>, tensor<4x4xf32>, tensor<4x4xf32>, tensor<4x4xf32>
}


// A backward consumer (it needs %g, computed after the forward loop) reads
// three of the forward loop's results, 3 tensors; the loop's own operands
// are a tensor and a bias. It recomputes them from those, and the forward
// loop writes its result alone.
// CHECK-LABEL: func.func @recompute
// CHECK: %[[Y:.+]] = linalg.generic {{.+}} ins(%{{.+}}, %{{.+}} : tensor<4x64xf32>, tensor<64xf32>) outs(%{{.+}} : tensor<4x64xf32>)
// CHECK: math.erf
// CHECK: linalg.yield %{{.+}} : f32
// CHECK: %[[G:.+]] = linalg.matmul
// CHECK: %[[DX:.+]] = linalg.generic {{.+}} ins(%[[G]], %{{.+}}, %{{.+}} : tensor<4x64xf32>, tensor<4x64xf32>, tensor<64xf32>)
// CHECK: math.erf
// CHECK: math.exp
// CHECK: return %[[Y]], %[[DX]]
func.func @recompute(%h: tensor<4x64xf32>, %b: tensor<64xf32>, %u: tensor<4x8xf32>, %v: tensor<8x64xf32>) -> (tensor<4x64xf32>, tensor<4x64xf32>) {
  %e = tensor.empty() : tensor<4x64xf32>
  %zero = arith.constant 0.0 : f32
  %half = arith.constant 0.5 : f32
  %one = arith.constant 1.0 : f32
  %root = arith.constant 1.41421354 : f32
  %f:4 = linalg.generic {indexing_maps = [#id2, affine_map<(i, j) -> (j)>, #id2, #id2, #id2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%h, %b : tensor<4x64xf32>, tensor<64xf32>) outs(%e, %e, %e, %e : tensor<4x64xf32>, tensor<4x64xf32>, tensor<4x64xf32>, tensor<4x64xf32>) {
  ^bb0(%in: f32, %bias: f32, %o0: f32, %o1: f32, %o2: f32, %o3: f32):
    %x = arith.addf %in, %bias : f32
    %t = arith.divf %x, %root : f32
    %erf = math.erf %t : f32
    %phi = arith.addf %erf, %one : f32
    %m = arith.mulf %x, %phi : f32
    %y = arith.mulf %m, %half : f32
    linalg.yield %x, %t, %phi, %y : f32, f32, f32, f32
  } -> (tensor<4x64xf32>, tensor<4x64xf32>, tensor<4x64xf32>, tensor<4x64xf32>)
  %acc = linalg.fill ins(%zero : f32) outs(%e : tensor<4x64xf32>) -> tensor<4x64xf32>
  %g = linalg.matmul ins(%u, %v : tensor<4x8xf32>, tensor<8x64xf32>) outs(%acc : tensor<4x64xf32>) -> tensor<4x64xf32>
  %dx = linalg.generic {indexing_maps = [#id2, #id2, #id2, #id2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%g, %f#0, %f#1, %f#2 : tensor<4x64xf32>, tensor<4x64xf32>, tensor<4x64xf32>, tensor<4x64xf32>) outs(%e : tensor<4x64xf32>) {
  ^bb0(%dy: f32, %x: f32, %t: f32, %phi: f32, %out: f32):
    %sq = arith.mulf %t, %t : f32
    %neg = arith.negf %sq : f32
    %gauss = math.exp %neg : f32
    %xg = arith.mulf %x, %gauss : f32
    %hp = arith.mulf %phi, %half : f32
    %d = arith.addf %hp, %xg : f32
    %r = arith.mulf %dy, %d : f32
    linalg.yield %r : f32
  } -> tensor<4x64xf32>
  return %f#3, %dx : tensor<4x64xf32>, tensor<4x64xf32>
}

// Recomputing %p would read %h instead, as many bytes as it saves: the
// consumer keeps reading %p.
// CHECK-LABEL: func.func @recompute_no_cheaper
// CHECK: %[[P:.+]]:2 = linalg.generic
// CHECK: math.exp
// CHECK: linalg.matmul
// CHECK: linalg.generic {{.+}} ins(%{{.+}}, %[[P]]#0 : tensor<4x64xf32>, tensor<4x64xf32>)
// CHECK-NOT: math.exp
// CHECK: return
func.func @recompute_no_cheaper(%h: tensor<4x64xf32>, %u: tensor<4x8xf32>, %v: tensor<8x64xf32>) -> (tensor<4x64xf32>, tensor<4x64xf32>) {
  %e = tensor.empty() : tensor<4x64xf32>
  %zero = arith.constant 0.0 : f32
  %p:2 = linalg.generic {indexing_maps = [#id2, #id2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%h : tensor<4x64xf32>) outs(%e, %e : tensor<4x64xf32>, tensor<4x64xf32>) {
  ^bb0(%in: f32, %o0: f32, %o1: f32):
    %x = math.exp %in : f32
    %y = arith.addf %x, %x : f32
    linalg.yield %x, %y : f32, f32
  } -> (tensor<4x64xf32>, tensor<4x64xf32>)
  %acc = linalg.fill ins(%zero : f32) outs(%e : tensor<4x64xf32>) -> tensor<4x64xf32>
  %g = linalg.matmul ins(%u, %v : tensor<4x8xf32>, tensor<8x64xf32>) outs(%acc : tensor<4x64xf32>) -> tensor<4x64xf32>
  %dx = linalg.generic {indexing_maps = [#id2, #id2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%g, %p#0 : tensor<4x64xf32>, tensor<4x64xf32>) outs(%e : tensor<4x64xf32>) {
  ^bb0(%dy: f32, %x: f32, %out: f32):
    %r = arith.mulf %dy, %x : f32
    linalg.yield %r : f32
  } -> tensor<4x64xf32>
  return %p#1, %dx : tensor<4x64xf32>, tensor<4x64xf32>
}

// Reading %h instead of two results of the same size saves bytes: a
// producer of 16 FLOPs per element (CostOpInterface) is recomputed, one of
// 17 is not run twice.
// CHECK-LABEL: func.func @recompute_sixteen_flops(
// CHECK-SAME: %[[H:[^:]+]]: tensor<4x64xf32>
// CHECK: linalg.generic
// CHECK: %[[G:.+]] = linalg.matmul
// CHECK: linalg.generic {{.+}} ins(%[[G]], %[[H]] : tensor<4x64xf32>, tensor<4x64xf32>) outs(
func.func @recompute_sixteen_flops(%h: tensor<4x64xf32>, %u: tensor<4x8xf32>, %v: tensor<8x64xf32>) -> (tensor<4x64xf32>, tensor<4x64xf32>) {
  %e = tensor.empty() : tensor<4x64xf32>
  %zero = arith.constant 0.0 : f32
  %p:2 = linalg.generic {indexing_maps = [#id2, #id2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%h : tensor<4x64xf32>) outs(%e, %e : tensor<4x64xf32>, tensor<4x64xf32>) {
  ^bb0(%in: f32, %o0: f32, %o1: f32):
    %c0 = arith.addf %in, %in : f32
    %c1 = arith.mulf %c0, %in : f32
    %c2 = arith.mulf %c1, %in : f32
    %c3 = arith.mulf %c2, %in : f32
    %c4 = arith.mulf %c3, %in : f32
    %c5 = arith.mulf %c4, %in : f32
    %c6 = arith.mulf %c5, %in : f32
    %c7 = arith.mulf %c6, %in : f32
    %c8 = arith.mulf %c7, %in : f32
    %c9 = arith.mulf %c8, %in : f32
    %c10 = arith.mulf %c9, %in : f32
    %c11 = arith.mulf %c10, %in : f32
    %c12 = arith.mulf %c11, %in : f32
    %c13 = arith.mulf %c12, %in : f32
    %c14 = arith.mulf %c13, %in : f32
    %c15 = arith.mulf %c14, %in : f32
    linalg.yield %c0, %c15 : f32, f32
  } -> (tensor<4x64xf32>, tensor<4x64xf32>)
  %acc = linalg.fill ins(%zero : f32) outs(%e : tensor<4x64xf32>) -> tensor<4x64xf32>
  %g = linalg.matmul ins(%u, %v : tensor<4x8xf32>, tensor<8x64xf32>) outs(%acc : tensor<4x64xf32>) -> tensor<4x64xf32>
  %dx = linalg.generic {indexing_maps = [#id2, #id2, #id2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%g, %p#0, %p#1 : tensor<4x64xf32>, tensor<4x64xf32>, tensor<4x64xf32>) outs(%e : tensor<4x64xf32>) {
  ^bb0(%dy: f32, %a: f32, %b: f32, %out: f32):
    %s = arith.addf %a, %b : f32
    %r = arith.mulf %dy, %s : f32
    linalg.yield %r : f32
  } -> tensor<4x64xf32>
  return %p#1, %dx : tensor<4x64xf32>, tensor<4x64xf32>
}

// CHECK-LABEL: func.func @recompute_seventeen_flops
// CHECK: %[[P:.+]]:2 = linalg.generic
// CHECK: linalg.matmul
// CHECK: linalg.generic {{.+}} ins(%{{.+}}, %[[P]]#0, %[[P]]#1 : tensor<4x64xf32>, tensor<4x64xf32>, tensor<4x64xf32>)
func.func @recompute_seventeen_flops(%h: tensor<4x64xf32>, %u: tensor<4x8xf32>, %v: tensor<8x64xf32>) -> (tensor<4x64xf32>, tensor<4x64xf32>) {
  %e = tensor.empty() : tensor<4x64xf32>
  %zero = arith.constant 0.0 : f32
  %p:2 = linalg.generic {indexing_maps = [#id2, #id2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%h : tensor<4x64xf32>) outs(%e, %e : tensor<4x64xf32>, tensor<4x64xf32>) {
  ^bb0(%in: f32, %o0: f32, %o1: f32):
    %c0 = arith.addf %in, %in : f32
    %c1 = arith.mulf %c0, %in : f32
    %c2 = arith.mulf %c1, %in : f32
    %c3 = arith.mulf %c2, %in : f32
    %c4 = arith.mulf %c3, %in : f32
    %c5 = arith.mulf %c4, %in : f32
    %c6 = arith.mulf %c5, %in : f32
    %c7 = arith.mulf %c6, %in : f32
    %c8 = arith.mulf %c7, %in : f32
    %c9 = arith.mulf %c8, %in : f32
    %c10 = arith.mulf %c9, %in : f32
    %c11 = arith.mulf %c10, %in : f32
    %c12 = arith.mulf %c11, %in : f32
    %c13 = arith.mulf %c12, %in : f32
    %c14 = arith.mulf %c13, %in : f32
    %c15 = arith.mulf %c14, %in : f32
    %c16 = arith.mulf %c15, %in : f32
    linalg.yield %c0, %c16 : f32, f32
  } -> (tensor<4x64xf32>, tensor<4x64xf32>)
  %acc = linalg.fill ins(%zero : f32) outs(%e : tensor<4x64xf32>) -> tensor<4x64xf32>
  %g = linalg.matmul ins(%u, %v : tensor<4x8xf32>, tensor<8x64xf32>) outs(%acc : tensor<4x64xf32>) -> tensor<4x64xf32>
  %dx = linalg.generic {indexing_maps = [#id2, #id2, #id2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%g, %p#0, %p#1 : tensor<4x64xf32>, tensor<4x64xf32>, tensor<4x64xf32>) outs(%e : tensor<4x64xf32>) {
  ^bb0(%dy: f32, %a: f32, %b: f32, %out: f32):
    %s = arith.addf %a, %b : f32
    %r = arith.mulf %dy, %s : f32
    linalg.yield %r : f32
  } -> tensor<4x64xf32>
  return %p#1, %dx : tensor<4x64xf32>, tensor<4x64xf32>
}

// FLOPs as CostOpInterface counts them: a multiply-add counts two, so nine
// of them (18 FLOPs) are not run twice.
// CHECK-LABEL: func.func @recompute_costly
// CHECK: %[[P:.+]]:2 = linalg.generic
// CHECK: linalg.matmul
// CHECK: linalg.generic {{.+}} ins(%{{.+}}, %[[P]]#0, %[[P]]#1 : tensor<4x64xf32>, tensor<4x64xf32>, tensor<4x64xf32>)
func.func @recompute_costly(%h: tensor<4x64xf32>, %u: tensor<4x8xf32>, %v: tensor<8x64xf32>) -> (tensor<4x64xf32>, tensor<4x64xf32>) {
  %e = tensor.empty() : tensor<4x64xf32>
  %zero = arith.constant 0.0 : f32
  %p:2 = linalg.generic {indexing_maps = [#id2, #id2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%h : tensor<4x64xf32>) outs(%e, %e : tensor<4x64xf32>, tensor<4x64xf32>) {
  ^bb0(%in: f32, %o0: f32, %o1: f32):
    %c0 = math.fma %in, %in, %in : f32
    %c1 = math.fma %c0, %in, %in : f32
    %c2 = math.fma %c1, %in, %in : f32
    %c3 = math.fma %c2, %in, %in : f32
    %c4 = math.fma %c3, %in, %in : f32
    %c5 = math.fma %c4, %in, %in : f32
    %c6 = math.fma %c5, %in, %in : f32
    %c7 = math.fma %c6, %in, %in : f32
    %c8 = math.fma %c7, %in, %in : f32
    linalg.yield %c0, %c8 : f32, f32
  } -> (tensor<4x64xf32>, tensor<4x64xf32>)
  %acc = linalg.fill ins(%zero : f32) outs(%e : tensor<4x64xf32>) -> tensor<4x64xf32>
  %g = linalg.matmul ins(%u, %v : tensor<4x8xf32>, tensor<8x64xf32>) outs(%acc : tensor<4x64xf32>) -> tensor<4x64xf32>
  %dx = linalg.generic {indexing_maps = [#id2, #id2, #id2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%g, %p#0, %p#1 : tensor<4x64xf32>, tensor<4x64xf32>, tensor<4x64xf32>) outs(%e : tensor<4x64xf32>) {
  ^bb0(%dy: f32, %a: f32, %b: f32, %out: f32):
    %s = arith.addf %a, %b : f32
    %r = arith.mulf %dy, %s : f32
    linalg.yield %r : f32
  } -> tensor<4x64xf32>
  return %p#1, %dx : tensor<4x64xf32>, tensor<4x64xf32>
}

// Labels compared with positions (a loss gradient's one-hot) are integer
// arithmetic that is recomputed like any other: both readers of the one-hot,
// its row sum and the softmax's gradient, compute it from the labels and the
// positions, and it is never written (with a 50257-word vocabulary it would
// be as large as the logits).
// CHECK-LABEL: func.func @recompute_one_hot
// CHECK-SAME: (%[[LABELS:.+]]: tensor<4xi64>, %[[POS:.+]]: tensor<64xi64>, %[[G:.+]]: tensor<4xf32>, %[[P:.+]]: tensor<4x64xf32>)
// CHECK: %[[SUM:.+]] = linalg.generic {{.+}} iterator_types = ["parallel", "reduction"]} ins(%[[LABELS]], %[[POS]], %[[G]] :
// CHECK: arith.cmpi eq
// CHECK: linalg.generic {{.+}} ins(%[[LABELS]], %[[POS]], %[[G]], %[[P]], %[[SUM]] :
// CHECK: arith.cmpi eq
// CHECK-NOT: linalg.generic
func.func @recompute_one_hot(%labels: tensor<4xi64>, %positions: tensor<64xi64>, %g: tensor<4xf32>, %p: tensor<4x64xf32>) -> tensor<4x64xf32> {
  %e = tensor.empty() : tensor<4x64xf32>
  %zero = arith.constant 0.0 : f32
  %one_hot = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i)>, affine_map<(i, j) -> (j)>, affine_map<(i, j) -> (i)>, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%labels, %positions, %g : tensor<4xi64>, tensor<64xi64>, tensor<4xf32>) outs(%e : tensor<4x64xf32>) {
  ^bb0(%l: i64, %j: i64, %gi: f32, %o: f32):
    %hit = arith.cmpi eq, %l, %j : i64
    %v = arith.select %hit, %gi, %zero : f32
    linalg.yield %v : f32
  } -> tensor<4x64xf32>
  %e1 = tensor.empty() : tensor<4xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e1 : tensor<4xf32>) -> tensor<4xf32>
  %sum = linalg.generic {indexing_maps = [#id2, affine_map<(i, j) -> (i)>], iterator_types = ["parallel", "reduction"]}
      ins(%one_hot : tensor<4x64xf32>) outs(%z : tensor<4xf32>) {
  ^bb0(%in: f32, %acc: f32):
    %s = arith.addf %in, %acc : f32
    linalg.yield %s : f32
  } -> tensor<4xf32>
  %dx = linalg.generic {indexing_maps = [#id2, #id2, affine_map<(i, j) -> (i)>, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%one_hot, %p, %sum : tensor<4x64xf32>, tensor<4x64xf32>, tensor<4xf32>) outs(%e : tensor<4x64xf32>) {
  ^bb0(%y: f32, %q: f32, %s: f32, %out: f32):
    %ex = math.exp %q : f32
    %m = arith.mulf %ex, %s : f32
    %r = arith.subf %y, %m : f32
    linalg.yield %r : f32
  } -> tensor<4x64xf32>
  return %dx : tensor<4x64xf32>
}

// The consumer reads %h already, but transposed: reading it in order too is
// a read of its own, as many bytes as the result it would spare.
// CHECK-LABEL: func.func @recompute_reads_again
// CHECK: %[[P:.+]]:2 = linalg.generic
// CHECK: linalg.matmul
// CHECK: linalg.generic {{.+}} ins(%{{[^,]+}}, %{{[^,]+}}, %[[P]]#0 :
func.func @recompute_reads_again(%h: tensor<64x64xf32>, %u: tensor<64x8xf32>, %v: tensor<8x64xf32>) -> (tensor<64x64xf32>, tensor<64x64xf32>) {
  %e = tensor.empty() : tensor<64x64xf32>
  %zero = arith.constant 0.0 : f32
  %p:2 = linalg.generic {indexing_maps = [#id2, #id2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%h : tensor<64x64xf32>) outs(%e, %e : tensor<64x64xf32>, tensor<64x64xf32>) {
  ^bb0(%in: f32, %o0: f32, %o1: f32):
    %a = arith.addf %in, %in : f32
    %b = arith.mulf %in, %in : f32
    linalg.yield %a, %b : f32, f32
  } -> (tensor<64x64xf32>, tensor<64x64xf32>)
  %acc = linalg.fill ins(%zero : f32) outs(%e : tensor<64x64xf32>) -> tensor<64x64xf32>
  %g = linalg.matmul ins(%u, %v : tensor<64x8xf32>, tensor<8x64xf32>) outs(%acc : tensor<64x64xf32>) -> tensor<64x64xf32>
  %dx = linalg.generic {indexing_maps = [#id2, affine_map<(i, j) -> (j, i)>, #id2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%g, %h, %p#0 : tensor<64x64xf32>, tensor<64x64xf32>, tensor<64x64xf32>) outs(%e : tensor<64x64xf32>) {
  ^bb0(%dy: f32, %t: f32, %a: f32, %out: f32):
    %s = arith.addf %t, %a : f32
    %r = arith.mulf %dy, %s : f32
    linalg.yield %r : f32
  } -> tensor<64x64xf32>
  return %p#1, %dx : tensor<64x64xf32>, tensor<64x64xf32>
}

// A consumer in a loop does not recompute a producer outside it, which
// would run once per iteration.
// CHECK-LABEL: func.func @recompute_other_block
// CHECK: %[[P:.+]]:3 = linalg.generic
// CHECK: scf.for
// CHECK: linalg.generic {{.+}} ins(%{{[^,]+}}, %[[P]]#0, %[[P]]#1 :
func.func @recompute_other_block(%h: tensor<4x64xf32>, %d: tensor<4x64xf32>, %n: index) -> (tensor<4x64xf32>, tensor<4x64xf32>) {
  %e = tensor.empty() : tensor<4x64xf32>
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %p:3 = linalg.generic {indexing_maps = [#id2, #id2, #id2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%h : tensor<4x64xf32>) outs(%e, %e, %e : tensor<4x64xf32>, tensor<4x64xf32>, tensor<4x64xf32>) {
  ^bb0(%in: f32, %o0: f32, %o1: f32, %o2: f32):
    %a = arith.addf %in, %in : f32
    %b = arith.mulf %in, %in : f32
    %c = arith.subf %in, %b : f32
    linalg.yield %a, %b, %c : f32, f32, f32
  } -> (tensor<4x64xf32>, tensor<4x64xf32>, tensor<4x64xf32>)
  %sum = scf.for %i = %c0 to %n step %c1 iter_args(%acc = %d) -> (tensor<4x64xf32>) {
    %next = linalg.generic {indexing_maps = [#id2, #id2, #id2, #id2], iterator_types = ["parallel", "parallel"]}
        ins(%acc, %p#0, %p#1 : tensor<4x64xf32>, tensor<4x64xf32>, tensor<4x64xf32>) outs(%e : tensor<4x64xf32>) {
    ^bb0(%x: f32, %a: f32, %b: f32, %out: f32):
      %s = arith.addf %a, %b : f32
      %r = arith.mulf %x, %s : f32
      linalg.yield %r : f32
    } -> tensor<4x64xf32>
    scf.yield %next : tensor<4x64xf32>
  }
  return %p#2, %sum : tensor<4x64xf32>, tensor<4x64xf32>
}

#pairs_read = affine_map<(p, c, t) -> (p, t, c)>
#pairs_write = affine_map<(p, c, t) -> (p, c, t)>

// A value rounded as it is (a product's left operand) and packed in pairs
// (a weight gradient's operand): the pack moves the rounded copy, and the
// f32 value, which only the two read, is no longer written.
// CHECK-LABEL: func.func @pack_from_rounded
// CHECK: %[[ROUNDED:.+]] = linalg.generic
// CHECK-SAME: ins(%{{.+}}, %{{.+}} : tensor<4x64xf32>, tensor<64xf32>) outs(%{{.+}} : tensor<4x64xbf16>)
// CHECK: arith.addf
// CHECK-NEXT: arith.truncf
// CHECK: %[[PAIRS:.+]] = tensor.expand_shape %[[ROUNDED]] {{\[}}[0, 1], [2]] output_shape [2, 2, 64] : tensor<4x64xbf16> into tensor<2x2x64xbf16>
// CHECK: %[[PACKED:.+]] = linalg.generic {{.+}} ins(%[[PAIRS]] : tensor<2x2x64xbf16>) outs(%{{.+}} : tensor<2x64x2xbf16>)
// CHECK-NEXT: ^bb0(%[[IN:.+]]: bf16, %{{.+}}: bf16):
// CHECK-NEXT: linalg.yield %[[IN]] : bf16
// CHECK-NOT: linalg.generic
// CHECK: return %[[ROUNDED]], %[[PACKED]]
func.func @pack_from_rounded(%x: tensor<4x64xf32>, %b: tensor<64xf32>) -> (tensor<4x64xbf16>, tensor<2x64x2xbf16>) {
  %e = tensor.empty() : tensor<4x64xf32>
  %sum = linalg.generic {indexing_maps = [#id2, affine_map<(i, j) -> (j)>, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%x, %b : tensor<4x64xf32>, tensor<64xf32>) outs(%e : tensor<4x64xf32>) {
  ^bb0(%in: f32, %bias: f32, %out: f32):
    %a = arith.addf %in, %bias : f32
    linalg.yield %a : f32
  } -> tensor<4x64xf32>
  %eb = tensor.empty() : tensor<4x64xbf16>
  %round = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%sum : tensor<4x64xf32>) outs(%eb : tensor<4x64xbf16>) {
  ^bb0(%in: f32, %out: bf16):
    %t = arith.truncf %in : f32 to bf16
    linalg.yield %t : bf16
  } -> tensor<4x64xbf16>
  %split = tensor.expand_shape %sum [[0, 1], [2]] output_shape [2, 2, 64] : tensor<4x64xf32> into tensor<2x2x64xf32>
  %ep = tensor.empty() : tensor<2x64x2xbf16>
  %pack = linalg.generic {indexing_maps = [#pairs_read, #pairs_write], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%split : tensor<2x2x64xf32>) outs(%ep : tensor<2x64x2xbf16>) {
  ^bb0(%in: f32, %out: bf16):
    %t = arith.truncf %in : f32 to bf16
    linalg.yield %t : bf16
  } -> tensor<2x64x2xbf16>
  return %round, %pack : tensor<4x64xbf16>, tensor<2x64x2xbf16>
}

// The rounding comes after the pack (the backward's gradient, rounded for
// the input's gradient after being packed for the weight's): it moves up
// to the pack.
// CHECK-LABEL: func.func @pack_before_rounding
// CHECK: %[[ROUNDED:.+]] = linalg.generic
// CHECK-SAME: ins(%{{.+}} : tensor<4x64xf32>) outs(%{{.+}} : tensor<4x64xbf16>)
// CHECK: %[[PAIRS:.+]] = tensor.expand_shape %[[ROUNDED]]
// CHECK: %[[PACKED:.+]] = linalg.generic {{.+}} ins(%[[PAIRS]] : tensor<2x2x64xbf16>)
// CHECK-NOT: arith.truncf
// CHECK: return %[[PACKED]], %[[ROUNDED]]
func.func @pack_before_rounding(%x: tensor<4x64xf32>) -> (tensor<2x64x2xbf16>, tensor<4x64xbf16>) {
  %split = tensor.expand_shape %x [[0, 1], [2]] output_shape [2, 2, 64] : tensor<4x64xf32> into tensor<2x2x64xf32>
  %ep = tensor.empty() : tensor<2x64x2xbf16>
  %pack = linalg.generic {indexing_maps = [#pairs_read, #pairs_write], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%split : tensor<2x2x64xf32>) outs(%ep : tensor<2x64x2xbf16>) {
  ^bb0(%in: f32, %out: bf16):
    %t = arith.truncf %in : f32 to bf16
    linalg.yield %t : bf16
  } -> tensor<2x64x2xbf16>
  %eb = tensor.empty() : tensor<4x64xbf16>
  %round = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<4x64xf32>) outs(%eb : tensor<4x64xbf16>) {
  ^bb0(%in: f32, %out: bf16):
    %t = arith.truncf %in : f32 to bf16
    linalg.yield %t : bf16
  } -> tensor<4x64xbf16>
  return %pack, %round : tensor<2x64x2xbf16>, tensor<4x64xbf16>
}

// A pack keeps rounding its f32 input when the value has no rounded copy
// of the pack's type (here one in f16), or only one in another block.
// CHECK-LABEL: func.func @pack_without_copy
// CHECK: linalg.generic {{.+}} ins(%{{.+}} : tensor<4x64xf32>) outs(%{{.+}} : tensor<4x64xf16>)
// CHECK: scf.for
// CHECK: arith.truncf %{{.+}} : f32 to bf16
// CHECK: linalg.generic {{.+}} ins(%{{.+}} : tensor<2x2x64xf32>) outs(%{{.+}} : tensor<2x64x2xbf16>)
// CHECK-NEXT: ^bb0(%[[IN:.+]]: f32, %{{.+}}: bf16):
// CHECK-NEXT: arith.truncf %[[IN]] : f32 to bf16
func.func @pack_without_copy(%x: tensor<4x64xf32>, %n: index) -> (tensor<4x64xf16>, tensor<4x64xbf16>, tensor<2x64x2xbf16>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %eh = tensor.empty() : tensor<4x64xf16>
  %half = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<4x64xf32>) outs(%eh : tensor<4x64xf16>) {
  ^bb0(%in: f32, %out: f16):
    %t = arith.truncf %in : f32 to f16
    linalg.yield %t : f16
  } -> tensor<4x64xf16>
  %eb = tensor.empty() : tensor<4x64xbf16>
  %looped = scf.for %i = %c0 to %n step %c1 iter_args(%acc = %eb) -> (tensor<4x64xbf16>) {
    %round = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]}
        ins(%x : tensor<4x64xf32>) outs(%acc : tensor<4x64xbf16>) {
    ^bb0(%in: f32, %out: bf16):
      %t = arith.truncf %in : f32 to bf16
      linalg.yield %t : bf16
    } -> tensor<4x64xbf16>
    scf.yield %round : tensor<4x64xbf16>
  }
  %split = tensor.expand_shape %x [[0, 1], [2]] output_shape [2, 2, 64] : tensor<4x64xf32> into tensor<2x2x64xf32>
  %ep = tensor.empty() : tensor<2x64x2xbf16>
  %pack = linalg.generic {indexing_maps = [#pairs_read, #pairs_write], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%split : tensor<2x2x64xf32>) outs(%ep : tensor<2x64x2xbf16>) {
  ^bb0(%in: f32, %out: bf16):
    %t = arith.truncf %in : f32 to bf16
    linalg.yield %t : bf16
  } -> tensor<2x64x2xbf16>
  return %half, %looped, %pack : tensor<4x64xf16>, tensor<4x64xbf16>, tensor<2x64x2xbf16>
}

#transposed = affine_map<(i, j) -> (j, i)>

// A pack reading the value itself (a transposed operand), with two copies:
// the first one in the block serves, and nothing moves.
// CHECK-LABEL: func.func @pack_first_copy
// CHECK: %[[FIRST:.+]] = linalg.generic {{.+}} ins(%{{.+}} : tensor<64x4xf32>) outs(%{{.+}} : tensor<64x4xbf16>)
// CHECK: %[[PACKED:.+]] = linalg.generic {{.+}} ins(%[[FIRST]] : tensor<64x4xbf16>) outs(%{{.+}} : tensor<4x64xbf16>)
// CHECK-NEXT: ^bb0(%[[IN:.+]]: bf16, %{{.+}}: bf16):
// CHECK-NEXT: linalg.yield %[[IN]] : bf16
// CHECK: %[[SECOND:.+]] = linalg.generic {{.+}} ins(%{{.+}} : tensor<64x4xf32>) outs(%{{.+}} : tensor<64x4xbf16>)
// CHECK: return %[[FIRST]], %[[PACKED]], %[[SECOND]]
func.func @pack_first_copy(%x: tensor<64x4xf32>) -> (tensor<64x4xbf16>, tensor<4x64xbf16>, tensor<64x4xbf16>) {
  %eb = tensor.empty() : tensor<64x4xbf16>
  %first = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<64x4xf32>) outs(%eb : tensor<64x4xbf16>) {
  ^bb0(%in: f32, %out: bf16):
    %t = arith.truncf %in : f32 to bf16
    linalg.yield %t : bf16
  } -> tensor<64x4xbf16>
  %et = tensor.empty() : tensor<4x64xbf16>
  %pack = linalg.generic {indexing_maps = [#transposed, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<64x4xf32>) outs(%et : tensor<4x64xbf16>) {
  ^bb0(%in: f32, %out: bf16):
    %t = arith.truncf %in : f32 to bf16
    linalg.yield %t : bf16
  } -> tensor<4x64xbf16>
  %eb2 = tensor.empty() : tensor<64x4xbf16>
  %second = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<64x4xf32>) outs(%eb2 : tensor<64x4xbf16>) {
  ^bb0(%in: f32, %out: bf16):
    %t = arith.truncf %in : f32 to bf16
    linalg.yield %t : bf16
  } -> tensor<64x4xbf16>
  return %first, %pack, %second : tensor<64x4xbf16>, tensor<4x64xbf16>, tensor<64x4xbf16>
}

// No copy serves a pack that truncates another way (a rounding mode of its
// own), nor one of a value of unknown shape.
// CHECK-LABEL: func.func @pack_unlike_copy
// CHECK: linalg.generic {{.+}} ins(%{{.+}} : tensor<64x4xf32>) outs(%{{.+}} : tensor<4x64xbf16>)
// CHECK-NEXT: ^bb0(%[[IN:.+]]: f32, %{{.+}}: bf16):
// CHECK-NEXT: arith.truncf %[[IN]] toward_zero : f32 to bf16
// CHECK: linalg.generic {{.+}} ins(%{{.+}} : tensor<?x64xf32>) outs(%{{.+}} : tensor<64x?xbf16>)
// CHECK-NEXT: ^bb0(%[[DYN:.+]]: f32, %{{.+}}: bf16):
// CHECK-NEXT: arith.truncf %[[DYN]] : f32 to bf16
func.func @pack_unlike_copy(%x: tensor<64x4xf32>, %y: tensor<?x64xf32>) -> (tensor<64x4xbf16>, tensor<4x64xbf16>, tensor<?x64xbf16>, tensor<64x?xbf16>) {
  %eb = tensor.empty() : tensor<64x4xbf16>
  %round = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<64x4xf32>) outs(%eb : tensor<64x4xbf16>) {
  ^bb0(%in: f32, %out: bf16):
    %t = arith.truncf %in : f32 to bf16
    linalg.yield %t : bf16
  } -> tensor<64x4xbf16>
  %et = tensor.empty() : tensor<4x64xbf16>
  %pack = linalg.generic {indexing_maps = [#transposed, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<64x4xf32>) outs(%et : tensor<4x64xbf16>) {
  ^bb0(%in: f32, %out: bf16):
    %t = arith.truncf %in toward_zero : f32 to bf16
    linalg.yield %t : bf16
  } -> tensor<4x64xbf16>
  %c0 = arith.constant 0 : index
  %rows = tensor.dim %y, %c0 : tensor<?x64xf32>
  %ed = tensor.empty(%rows) : tensor<?x64xbf16>
  %dynamic = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%y : tensor<?x64xf32>) outs(%ed : tensor<?x64xbf16>) {
  ^bb0(%in: f32, %out: bf16):
    %t = arith.truncf %in : f32 to bf16
    linalg.yield %t : bf16
  } -> tensor<?x64xbf16>
  %edt = tensor.empty(%rows) : tensor<64x?xbf16>
  %dynamic_pack = linalg.generic {indexing_maps = [#transposed, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%y : tensor<?x64xf32>) outs(%edt : tensor<64x?xbf16>) {
  ^bb0(%in: f32, %out: bf16):
    %t = arith.truncf %in : f32 to bf16
    linalg.yield %t : bf16
  } -> tensor<64x?xbf16>
  return %round, %pack, %dynamic, %dynamic_pack : tensor<64x4xbf16>, tensor<4x64xbf16>, tensor<?x64xbf16>, tensor<64x?xbf16>
}

// A producer that its consumer reads broadcast (a row's statistic in each
// element of the row) stays apart when it computes something: fused, its
// sqrt would run once for each of the row's elements instead of once.
// CHECK-LABEL: func.func @broadcast_stays_apart
// CHECK: %[[ROOT:.+]] = linalg.generic {{.+}} ins(%{{.+}} : tensor<8xf32>)
// CHECK: math.sqrt
// CHECK: linalg.generic {{.+}} ins(%{{.+}}, %[[ROOT]] : tensor<8x32xf32>, tensor<8xf32>)
// CHECK-NOT: math.sqrt
// CHECK: return
#vector = affine_map<(i) -> (i)>
#row = affine_map<(i, j) -> (i)>
func.func @broadcast_stays_apart(%x: tensor<8x32xf32>, %m: tensor<8xf32>) -> tensor<8x32xf32> {
  %e = tensor.empty() : tensor<8xf32>
  %root = linalg.generic {indexing_maps = [#vector, #vector], iterator_types = ["parallel"]}
      ins(%m : tensor<8xf32>) outs(%e : tensor<8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %r = math.sqrt %in : f32
    linalg.yield %r : f32
  } -> tensor<8xf32>
  %e2 = tensor.empty() : tensor<8x32xf32>
  %y = linalg.generic {indexing_maps = [#id2, #row, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%x, %root : tensor<8x32xf32>, tensor<8xf32>) outs(%e2 : tensor<8x32xf32>) {
  ^bb0(%in: f32, %r: f32, %out: f32):
    %p = arith.mulf %in, %r : f32
    linalg.yield %p : f32
  } -> tensor<8x32xf32>
  return %y : tensor<8x32xf32>
}
