// RUN: quern-opt %s --quern-merge-gpu-modules | FileCheck %s

// Outlined kernels, each in a module of its own and named like it, move
// into one module `kernels`, each named after the module it came from; a
// constant both modules cloned is kept once; the launches follow.

// CHECK: gpu.module @kernels {
// CHECK-NEXT: memref.global "private" constant @table
// CHECK-NEXT: gpu.func @step_kernel() kernel
// CHECK: gpu.func @step_kernel_0() kernel
// CHECK: }
// CHECK-NOT: gpu.module
// CHECK: func.func @step
// CHECK: gpu.launch_func @kernels::@step_kernel blocks
// CHECK-NEXT: gpu.launch_func @kernels::@step_kernel_0 blocks
module attributes {gpu.container_module} {
  gpu.module @step_kernel {
    memref.global "private" constant @table : memref<2xf32> = dense<[1.0, 2.0]>
    gpu.func @step_kernel() kernel {
      %t = memref.get_global @table : memref<2xf32>
      gpu.return
    }
  }
  gpu.module @step_kernel_0 {
    memref.global "private" constant @table : memref<2xf32> = dense<[1.0, 2.0]>
    gpu.func @step_kernel() kernel {
      %t = memref.get_global @table : memref<2xf32>
      gpu.return
    }
  }
  func.func @step() {
    %c1 = arith.constant 1 : index
    gpu.launch_func @step_kernel::@step_kernel blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1)
    gpu.launch_func @step_kernel_0::@step_kernel blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1)
    return
  }
}
