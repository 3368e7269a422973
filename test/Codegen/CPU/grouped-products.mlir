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
