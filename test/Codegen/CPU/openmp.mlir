// RUN: quern-opt %s --quern-cpu-codegen="vector-bits=512 vector-registers=32" | FileCheck %s
// RUN: quern-opt %s --quern-cpu-codegen="vector-bits=512 vector-registers=32 min-parallel-work=0" | FileCheck %s --check-prefix=SERIAL

// With threading on (by default, as quernc does for the host), a GEMM of
// 2^21 multiply-adds runs its cache tiles in an OpenMP parallel loop;
// without it (cross targets, or the option at 0) no OpenMP op appears. The loop is the whole parallel region, so it has no
// barrier of its own (quern-join-once): the region's end joins the threads.
// CHECK-LABEL: llvm.func @forward
// CHECK: omp.parallel
// CHECK: omp.wsloop nowait
// CHECK: llvm.intr.fmuladd
// SERIAL-LABEL: llvm.func @forward
// SERIAL-NOT: omp.
// SERIAL: llvm.intr.fmuladd
func.func @forward(%a: tensor<128x128xf32> {quern.name = "a"}, %b: tensor<128x128xf32> {quern.name = "b"})
    -> (tensor<128x128xf32> {quern.name = "c"}) {
  %c = quern.matmul %a, %b : tensor<128x128xf32>, tensor<128x128xf32> -> tensor<128x128xf32>
  return %c : tensor<128x128xf32>
}
