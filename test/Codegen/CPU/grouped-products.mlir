// RUN: quern-opt %s --quern-cpu-codegen | FileCheck %s --check-prefix=THREADS
// RUN: quern-opt %s --quern-cpu-codegen=min-parallel-work=0 | FileCheck %s --check-prefix=ONE

// The tile loop of a grouped product and the expert loop of its weight
// gradient are parallel loops: OpenMP worksharing loops where threads are
// on, plain loops where they are off (a target without an OpenMP runtime).
// Each tile's product is a kernel of its own, taking the buffers and the
// tile's row and expert as arguments.
// THREADS-LABEL: llvm.func @forward
// THREADS-COUNT-2: omp.wsloop
// THREADS: llvm.func internal @forward_contraction_{{[0-9]+}}(%{{[^:]+}}: !llvm.ptr, %{{[^:]+}}: i64,
// ONE-LABEL: llvm.func @forward
// ONE-NOT: omp.
// ONE: llvm.call @forward_contraction_
func.func @forward(%x: tensor<28x16xf32>, %w: tensor<3x16x32xf32>, %t: tensor<7xi64>, %g: tensor<28x32xf32>) -> (tensor<28x32xf32>, tensor<3x16x32xf32>) {
  %h = quern.grouped_matmul %x, %w, %t : tensor<28x16xf32>, tensor<3x16x32xf32>, tensor<7xi64> -> tensor<28x32xf32>
  %dw = quern.grouped_weight_gradient %x, %g, %t : tensor<28x16xf32>, tensor<28x32xf32>, tensor<7xi64> -> tensor<3x16x32xf32>
  return %h, %dw : tensor<28x32xf32>, tensor<3x16x32xf32>
}

// A grouped_matmul_epilogue is one tile loop: each tile runs its two
// products, then the activation over the tile's rows (a kernel of 4 x 32),
// written straight into the result: no buffer in the workspace, no copy.
// THREADS-LABEL: llvm.func @epilogue
// THREADS-SAME: quern.workspace_bytes = 0
// THREADS: omp.wsloop
// THREADS-COUNT-2: llvm.call @{{[a-z]+}}_contraction_{{[0-9]+}}(
// THREADS: llvm.call @[[ACTIVATION:[a-z]+_elementwise_[0-9]+]](
// THREADS-NOT: llvm.call
// THREADS: llvm.func internal @[[ACTIVATION]](
// THREADS-SAME: kind = "elementwise", loops = array<i64: 4, 32>
func.func @epilogue(%x: tensor<28x16xf32>, %w1: tensor<3x16x32xf32>, %w3: tensor<3x16x32xf32>, %t: tensor<7xi64>) -> (tensor<28x32xf32>, tensor<28x32xf32>, tensor<28x32xf32>) {
  %gate, %up, %h = quern.grouped_matmul_epilogue %x, [%w1, %w3], %t : tensor<28x16xf32>, [tensor<3x16x32xf32>, tensor<3x16x32xf32>], tensor<7xi64> -> (tensor<28x32xf32>, tensor<28x32xf32>, tensor<28x32xf32>) {
  ^bb0(%a: tensor<4x32xf32>, %b: tensor<4x32xf32>):
    %s = quern.sigmoid %a : tensor<4x32xf32>
    %silu = quern.mul %a, %s : tensor<4x32xf32>
    %m = quern.mul %silu, %b : tensor<4x32xf32>
    quern.epilogue_yield %m : tensor<4x32xf32>
  }
  return %gate, %up, %h : tensor<28x32xf32>, tensor<28x32xf32>, tensor<28x32xf32>
}
