// RUN: quern-opt %s --quern-merge-gpu-modules -verify-diagnostics

// Outlining makes a module per kernel; one with two is not its.
module attributes {gpu.container_module} {
  // expected-error @below {{'gpu.module' op holds 2 kernels; outlining makes one}}
  gpu.module @kernels {
    gpu.func @a() kernel {
      gpu.return
    }
    gpu.func @b() kernel {
      gpu.return
    }
  }
}
