// RUN: quern-opt %s --quern-outline-kernels --split-input-file | FileCheck %s

// Each linalg op on buffers moves into a private, internal, no_inline
// function named after its parent, its strategy's kind (else the op) and
// its position. Constants it uses are cloned in; buffers and other scalars
// are arguments; the strategy moves with the op. Two exceptions: a fill
// of the next op's accumulator goes into that op's kernel, named after it,
// and so does a pack the workspace plan marked (@panel below). Each kernel
// states what the kernel report prints: its op's kind and loop extents,
// the FLOPs of its ops (2 per multiply-add: 2·4·16·8 for the product) and
// the bytes of their buffers (the fill's 256 and the product's 896), and
// its op's strategy.
// CHECK-LABEL: func.func @step(
// CHECK-SAME: %[[A:.+]]: memref<4x8xf32>, %[[B:.+]]: memref<8x16xf32>, %[[C:.+]]: memref<4x16xf32>, %[[S:.+]]: f32)
// CHECK: call @step_contraction_0(%[[C]], %[[A]], %[[B]])
// CHECK-NEXT: call @step_generic_1(%[[C]], %[[S]])
// CHECK-NEXT: return
// CHECK: func.func private @step_contraction_0(%[[OUT:.+]]: memref<4x16xf32>, %[[LHS:.+]]: memref<4x8xf32>, %[[RHS:.+]]: memref<8x16xf32>)
// CHECK-SAME: attributes {llvm.linkage = #llvm.linkage<internal>, no_inline, quern.kernel = {bytes = 1152 : i64, flops = 1024 : i64, kind = "contraction", loops = array<i64: 4, 16, 8>, strategy = {kind = "contraction"}}}
// CHECK-NEXT: %[[ZERO:.+]] = arith.constant 0.0
// CHECK-NEXT: linalg.fill ins(%[[ZERO]] : f32) outs(%[[OUT]] : memref<4x16xf32>)
// CHECK-NEXT: linalg.matmul {{.*}}quern.strategy = {kind = "contraction"{{.*}} ins(%[[LHS]], %[[RHS]] : {{.*}}) outs(%[[OUT]] : memref<4x16xf32>)
// CHECK-NEXT: return
// CHECK: func.func private @step_generic_1(%[[X:.+]]: memref<4x16xf32>, %[[SCALE:.+]]: f32)
// CHECK-SAME: quern.kernel = {bytes = 256 : i64, flops = 64 : i64, kind = "generic", loops = array<i64: 4, 16>}
// CHECK: arith.mulf %{{.+}}, %[[SCALE]]
func.func @step(%a: memref<4x8xf32>, %b: memref<8x16xf32>, %c: memref<4x16xf32>, %s: f32) {
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%c : memref<4x16xf32>)
  linalg.matmul {quern.strategy = {kind = "contraction"}} ins(%a, %b : memref<4x8xf32>, memref<8x16xf32>) outs(%c : memref<4x16xf32>)
  linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>], iterator_types = ["parallel", "parallel"]} outs(%c : memref<4x16xf32>) {
  ^bb0(%x: f32):
    %y = arith.mulf %x, %s : f32
    linalg.yield %y : f32
  }
  return
}

// -----

// A view at an offset known only at run time (here a row chosen by a loop)
// cannot be passed by bare pointer: its buffer and offset are, and the view
// is made again inside the kernel. Ops nested in a loop are outlined too.
// CHECK-LABEL: func.func @loop(
// CHECK: scf.for %[[I:.+]] = %{{.+}} to
// CHECK-NEXT: call @loop_copy_0(%{{.+}}, %[[IN:.+]], %[[I]]) : (memref<1x16xf32>, memref<4x16xf32>, index) -> ()
// CHECK-NEXT: call @loop_fill_1(
// CHECK: func.func private @loop_copy_0(%[[OUT:.+]]: memref<1x16xf32>, %[[BUF:.+]]: memref<4x16xf32>, %[[ROW:.+]]: index)
// CHECK-NEXT: %[[VIEW:.+]] = memref.subview %[[BUF]][%[[ROW]], 0] [1, 16] [1, 1]
// CHECK-NEXT: linalg.copy ins(%[[VIEW]] : {{.+}}) outs(%[[OUT]] : memref<1x16xf32>)
func.func @loop(%in: memref<4x16xf32>, %out: memref<1x16xf32>, %acc: memref<8xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %zero = arith.constant 0.0 : f32
  scf.for %i = %c0 to %c4 step %c1 {
    %row = memref.subview %in[%i, 0] [1, 16] [1, 1] : memref<4x16xf32> to memref<1x16xf32, strided<[16, 1], offset: ?>>
    linalg.copy ins(%row : memref<1x16xf32, strided<[16, 1], offset: ?>>) outs(%out : memref<1x16xf32>)
    linalg.fill ins(%zero : f32) outs(%acc : memref<8xf32>)
  }
  return
}

// -----

// A buffer of a size known only at run time cannot be passed: its op stays
// in place.
// CHECK-LABEL: func.func @dynamic_size(
// CHECK: memref.subview
// CHECK-NEXT: linalg.fill
// CHECK-NOT: func.func private
func.func @dynamic_size(%in: memref<16xf32>, %n: index) {
  %zero = arith.constant 0.0 : f32
  %head = memref.subview %in[0] [%n] [1] : memref<16xf32> to memref<?xf32, strided<[1]>>
  linalg.fill ins(%zero : f32) outs(%head : memref<?xf32, strided<[1]>>)
  return
}

// -----

// A fill stays a kernel of its own when the next op does not accumulate
// into the filled buffer alone: here an op touching memory comes between,
// and the product's accumulator is another buffer. (The second fill and
// product are the first ones' kernels again, on other buffers.)
// CHECK-LABEL: func.func @apart(
// CHECK: call @apart_fill_0(
// CHECK-NEXT: memref.store
// CHECK-NEXT: call @apart_matmul_1(
// CHECK-NEXT: call @apart_fill_0(
// CHECK-NEXT: call @apart_matmul_1(
func.func @apart(%a: memref<4x8xf32>, %b: memref<8x16xf32>, %c: memref<4x16xf32>, %d: memref<4x16xf32>) {
  %zero = arith.constant 0.0 : f32
  %c0 = arith.constant 0 : index
  linalg.fill ins(%zero : f32) outs(%c : memref<4x16xf32>)
  memref.store %zero, %a[%c0, %c0] : memref<4x8xf32>
  linalg.matmul ins(%a, %b : memref<4x8xf32>, memref<8x16xf32>) outs(%c : memref<4x16xf32>)
  linalg.fill ins(%zero : f32) outs(%d : memref<4x16xf32>)
  linalg.matmul ins(%a, %b : memref<4x8xf32>, memref<8x16xf32>) outs(%c : memref<4x16xf32>)
  return
}

// -----

// A pack marked quern.panel_pack goes into the kernel of the next product,
// with the product's fill; an unmarked one stays a kernel of its own.
// CHECK-LABEL: func.func @panel(
// CHECK: call @panel_contraction_0(
// CHECK-NEXT: call @panel_elementwise_1(
// CHECK-NEXT: call @panel_contraction_2(
// CHECK-NEXT: return
// CHECK: func.func private @panel_contraction_0(
// CHECK-NEXT: arith.constant
// CHECK-NEXT: linalg.generic {{.+}} ins(%{{.+}} : memref<2x2x4xf32>) outs({{.+}}quern.panel_pack
// CHECK: linalg.fill
// CHECK-NEXT: linalg.generic
// CHECK: func.func private @panel_elementwise_1(
// CHECK-NOT: linalg.fill
// CHECK: return
#pack_in = affine_map<(p, n, c) -> (p, c, n)>
#pack_out = affine_map<(p, n, c) -> (p, n, c)>
#lhs = affine_map<(m, n, p, c) -> (m, p, c)>
#rhs = affine_map<(m, n, p, c) -> (p, n, c)>
#acc = affine_map<(m, n, p, c) -> (m, n)>
func.func @panel(%w: memref<2x2x4xf32>, %lhs: memref<2x2x2xbf16>, %packed: memref<2x4x2xbf16>, %acc: memref<2x4xf32>) {
  %zero = arith.constant 0.0 : f32
  linalg.generic {indexing_maps = [#pack_in, #pack_out], iterator_types = ["parallel", "parallel", "parallel"]} ins(%w : memref<2x2x4xf32>) outs(%packed : memref<2x4x2xbf16>) attrs = {quern.panel_pack, quern.strategy = {kind = "elementwise"}} {
  ^bb0(%a: f32, %b: bf16):
    %r = arith.truncf %a : f32 to bf16
    linalg.yield %r : bf16
  }
  linalg.fill ins(%zero : f32) outs(%acc : memref<2x4xf32>)
  linalg.generic {indexing_maps = [#lhs, #rhs, #acc], iterator_types = ["parallel", "parallel", "reduction", "reduction"]} ins(%lhs, %packed : memref<2x2x2xbf16>, memref<2x4x2xbf16>) outs(%acc : memref<2x4xf32>) attrs = {quern.strategy = {kind = "contraction"}} {
  ^bb0(%a: bf16, %b: bf16, %s: f32):
    %x = arith.extf %a : bf16 to f32
    %y = arith.extf %b : bf16 to f32
    %p = arith.mulf %x, %y : f32
    %t = arith.addf %s, %p : f32
    linalg.yield %t : f32
  }
  linalg.generic {indexing_maps = [#pack_in, #pack_out], iterator_types = ["parallel", "parallel", "parallel"]} ins(%w : memref<2x2x4xf32>) outs(%packed : memref<2x4x2xbf16>) attrs = {quern.strategy = {kind = "elementwise"}} {
  ^bb0(%a: f32, %b: bf16):
    %r = arith.truncf %a : f32 to bf16
    linalg.yield %r : bf16
  }
  linalg.generic {indexing_maps = [#lhs, #rhs, #acc], iterator_types = ["parallel", "parallel", "reduction", "reduction"]} ins(%lhs, %packed : memref<2x2x2xbf16>, memref<2x4x2xbf16>) outs(%acc : memref<2x4xf32>) attrs = {quern.strategy = {kind = "contraction"}} {
  ^bb0(%a: bf16, %b: bf16, %s: f32):
    %x = arith.extf %a : bf16 to f32
    %y = arith.extf %b : bf16 to f32
    %p = arith.mulf %x, %y : f32
    %t = arith.addf %s, %p : f32
    linalg.yield %t : f32
  }
  return
}

// -----

// Kernels with equal bodies on arguments of equal types are one: the second
// layer's product and the forward entry's call the first layer's kernel. A
// product of another shape, or with another strategy, keeps its own.
// CHECK-LABEL: func.func @layers(
// CHECK-SAME: %[[X:[^:]+]]: memref<4x8xf32>, %[[W1:[^:]+]]: memref<8x8xf32>, %[[W2:[^:]+]]: memref<8x8xf32>, %[[H:[^:]+]]: memref<4x8xf32>, %[[Y:[^:]+]]: memref<4x8xf32>, %[[W3:[^:]+]]: memref<8x16xf32>, %[[Z:[^:]+]]: memref<4x16xf32>)
// CHECK: call @layers_contraction_0(%[[X]], %[[W1]], %[[H]])
// CHECK-NEXT: call @layers_contraction_0(%[[H]], %[[W2]], %[[Y]])
// CHECK-NEXT: call @layers_contraction_2(%[[Y]], %[[W3]], %[[Z]])
// CHECK-NEXT: call @layers_contraction_3(%[[H]], %[[W2]], %[[Y]])
// CHECK: func.func private @layers_contraction_0(
// CHECK-NOT: func.func private @layers_contraction_1(
// CHECK: func.func private @layers_contraction_2(
// CHECK: func.func private @layers_contraction_3(
// CHECK: func.func @forward(
// CHECK-NEXT: call @layers_contraction_0(
// CHECK-NOT: func.func private @forward_contraction_0(
func.func @layers(%x: memref<4x8xf32>, %w1: memref<8x8xf32>, %w2: memref<8x8xf32>, %h: memref<4x8xf32>, %y: memref<4x8xf32>, %w3: memref<8x16xf32>, %z: memref<4x16xf32>) {
  linalg.matmul {quern.strategy = {kind = "contraction"}} ins(%x, %w1 : memref<4x8xf32>, memref<8x8xf32>) outs(%h : memref<4x8xf32>)
  linalg.matmul {quern.strategy = {kind = "contraction"}} ins(%h, %w2 : memref<4x8xf32>, memref<8x8xf32>) outs(%y : memref<4x8xf32>)
  linalg.matmul {quern.strategy = {kind = "contraction"}} ins(%y, %w3 : memref<4x8xf32>, memref<8x16xf32>) outs(%z : memref<4x16xf32>)
  linalg.matmul {quern.strategy = {kind = "contraction", parallel = true}} ins(%h, %w2 : memref<4x8xf32>, memref<8x8xf32>) outs(%y : memref<4x8xf32>)
  return
}

func.func @forward(%x: memref<4x8xf32>, %w: memref<8x8xf32>, %h: memref<4x8xf32>) {
  linalg.matmul {quern.strategy = {kind = "contraction"}} ins(%x, %w : memref<4x8xf32>, memref<8x8xf32>) outs(%h : memref<4x8xf32>)
  return
}
