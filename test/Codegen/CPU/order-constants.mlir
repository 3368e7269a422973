// RUN: quern-opt %s --quern-order-constants | FileCheck %s

// Constant globals are renamed __constant_N in the order of their first
// use and placed in that order at the top of the module, whatever order
// bufferization created them in; globals nothing reads, and ones that are
// not constant, keep their names and places.
// CHECK-LABEL: module
// CHECK-NEXT: memref.global "private" constant @__constant_0 : memref<2xi64> = dense<[3, 4]>
// CHECK-NEXT: memref.global "private" constant @__constant_1 : memref<f32> = dense<5.000000e-01>
// CHECK-NEXT: memref.global "private" constant @__constant_2 : memref<2xi64> = dense<[1, 2]>
// CHECK-NEXT: memref.global "private" constant @__constant_2xi64_unused : memref<2xi64> = dense<0>
// CHECK-NEXT: memref.global "private" @state : memref<f32> = dense<0.000000e+00>
// CHECK-LABEL: func.func @forward
// CHECK-NEXT: memref.get_global @__constant_0 : memref<2xi64>
// CHECK-NEXT: memref.get_global @__constant_1 : memref<f32>
// CHECK-LABEL: func.func @train_step
// CHECK-NEXT: memref.get_global @__constant_2 : memref<2xi64>
// CHECK-NEXT: memref.get_global @__constant_0 : memref<2xi64>
module {
  memref.global "private" constant @__constant_2xi64 : memref<2xi64> = dense<[1, 2]>
  memref.global "private" constant @__constant_2xi64_unused : memref<2xi64> = dense<0>
  memref.global "private" @state : memref<f32> = dense<0.0>
  memref.global "private" constant @__constant_2xi64_0 : memref<2xi64> = dense<[3, 4]>
  memref.global "private" constant @__constant_xf32 : memref<f32> = dense<0.5>
  func.func @forward() {
    %a = memref.get_global @__constant_2xi64_0 : memref<2xi64>
    %b = memref.get_global @__constant_xf32 : memref<f32>
    return
  }
  func.func @train_step() {
    %a = memref.get_global @__constant_2xi64 : memref<2xi64>
    %b = memref.get_global @__constant_2xi64_0 : memref<2xi64>
    return
  }
}
