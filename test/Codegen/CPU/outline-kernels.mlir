// RUN: quern-opt %s --quern-outline-kernels --split-input-file | FileCheck %s

// Each linalg op on buffers moves into a private, internal, no_inline
// function named after its parent, its strategy's kind (else the op) and
// its position. Constants it uses are cloned in; buffers and other scalars
// are arguments; the strategy moves with the op.
// CHECK-LABEL: func.func @step(
// CHECK-SAME: %[[A:.+]]: memref<4x8xf32>, %[[B:.+]]: memref<8x16xf32>, %[[C:.+]]: memref<4x16xf32>, %[[S:.+]]: f32)
// CHECK: call @step_fill_0(%[[C]])
// CHECK-NEXT: call @step_contraction_1(%[[A]], %[[B]], %[[C]])
// CHECK-NEXT: call @step_generic_2(%[[C]], %[[S]])
// CHECK-NEXT: return
// CHECK: func.func private @step_fill_0(%[[OUT:.+]]: memref<4x16xf32>)
// CHECK-SAME: attributes {llvm.linkage = #llvm.linkage<internal>, no_inline}
// CHECK-NEXT: %[[ZERO:.+]] = arith.constant 0.0
// CHECK-NEXT: linalg.fill ins(%[[ZERO]] : f32) outs(%[[OUT]] : memref<4x16xf32>)
// CHECK-NEXT: return
// CHECK: func.func private @step_contraction_1(
// CHECK: linalg.matmul {{.*}}quern.strategy = {kind = "contraction"
// CHECK: func.func private @step_generic_2(%[[X:.+]]: memref<4x16xf32>, %[[SCALE:.+]]: f32)
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

// Buffers the bare-pointer convention cannot pass (a dynamic offset, here a
// slice chosen by a loop) leave their op in place; ops nested in a loop
// with passable buffers are outlined.
// CHECK-LABEL: func.func @loop(
// CHECK: scf.for
// CHECK: memref.subview
// CHECK-NEXT: linalg.copy
// CHECK: call @loop_fill_0(
// CHECK-NOT: func.func private @loop_copy
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
