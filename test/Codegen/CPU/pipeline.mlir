// RUN: quern-opt %s --quern-cpu-codegen | FileCheck %s
// RUN: quern-opt %s --quern-cpu-codegen | FileCheck %s --check-prefix=LEFT

// The pipeline quernc runs takes a quern function all the way to the LLVM
// dialect: bare pointers for the inputs, then the result as an out-param,
// then the planned workspace; no heap allocation, nothing of the higher
// dialects left.

// Each linalg op is an internal function of its own, called in order: the
// bias copied into a workspace buffer, the product accumulated onto it,
// tanh written over it in place (the product is not read again), then the
// softmax (row maxima in a second buffer, the exponentials in place of tanh,
// the probabilities written to the caller's output buffer): 64 bytes each.
// A reduction's accumulator is filled in the reduction's kernel.
// CHECK-LABEL: llvm.func @forward
// CHECK-SAME: (%[[X:[^:]+]]: !llvm.ptr, %[[W:[^:]+]]: !llvm.ptr, %[[B:[^:]+]]: !llvm.ptr, %[[OUT:[^:]+]]: !llvm.ptr, %[[WS:[^:]+]]: !llvm.ptr {quern.workspace})
// CHECK-SAME: quern.workspace_bytes = 128 : i64}
// CHECK-NEXT: llvm.call @forward_elementwise_0(%[[B]], %[[WS]])
// CHECK-NEXT: llvm.call @forward_contraction_1(%[[X]], %[[W]], %[[WS]])
// CHECK-NEXT: llvm.call @forward_elementwise_2(%[[WS]], %[[WS]])
// CHECK-NEXT: %[[M:.+]] = llvm.getelementptr %[[WS]][64]
// CHECK-NEXT: llvm.call @forward_reduction_3(%[[M]], %[[WS]])
// CHECK-NEXT: llvm.call @forward_elementwise_4(%[[WS]], %[[M]], %[[WS]])
// CHECK-NEXT: llvm.call @forward_reduction_5(%[[M]], %[[WS]])
// CHECK-NEXT: llvm.call @forward_elementwise_6(%[[WS]], %[[M]], %[[OUT]])
// CHECK-NEXT: llvm.return

// The product is FMAs; tanh and exp are polynomials of FMAs (no libm
// call); the row maximum and sum of the softmax are vector reductions whose
// lanes LLVM may combine as a tree (reassoc), not one after another.
// CHECK-NOT: llvm.func @tanhf
// CHECK-LABEL: llvm.func internal @forward_contraction_1
// CHECK-SAME: no_inline
// CHECK-NOT: llvm.call
// CHECK: llvm.intr.fmuladd
// CHECK-LABEL: llvm.func internal @forward_elementwise_2
// CHECK-NOT: llvm.call
// CHECK: llvm.intr.fma
// CHECK-LABEL: llvm.func internal @forward_reduction_3
// CHECK: llvm.intr.vector.reduce.fmaximum({{.+}}) {fastmathFlags = #llvm.fastmath<reassoc>}
// CHECK-LABEL: llvm.func internal @forward_reduction_5
// CHECK: "llvm.intr.vector.reduce.fadd"({{.+}}) <{fastmathFlags = #llvm.fastmath<reassoc>}>
// CHECK-LABEL: llvm.func internal @forward_elementwise_6
// CHECK: llvm.fdiv
// CHECK: llvm.store

// LEFT-NOT: func.func
// LEFT-NOT: linalg.
// LEFT-NOT: memref.
// LEFT-NOT: scf.
// LEFT-NOT: cf.
// LEFT-NOT: arith.
// LEFT-NOT: math.
// LEFT-NOT: tensor.
// LEFT-NOT: = quern.
// LEFT-NOT: unrealized_conversion_cast
// LEFT-NOT: @malloc
// LEFT-NOT: @free

func.func @forward(%x: tensor<2x4xf32>, %w: tensor<3x4xf32>,
                   %b: tensor<3xf32>) -> tensor<2x3xf32> {
  %0 = quern.matmul %x, %w bias(%b : tensor<3xf32>) transpose_rhs
      : tensor<2x4xf32>, tensor<3x4xf32> -> tensor<2x3xf32>
  %1 = quern.tanh %0 : tensor<2x3xf32>
  %2 = quern.softmax %1 axis = 1 : tensor<2x3xf32>
  return %2 : tensor<2x3xf32>
}
