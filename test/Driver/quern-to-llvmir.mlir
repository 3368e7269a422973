// quern-translate --quern-to-llvmir: quernc's CPU pipeline, then LLVM IR,
// without warnings about quern's attributes. tanh is a polynomial of FMAs
// on a vector of the 4 elements, not a libm call per element.
// RUN: quern-translate --quern-to-llvmir %s 2>&1 | FileCheck %s

// CHECK-NOT: warning
// CHECK-NOT: @tanhf
// CHECK: define void @forward(ptr %0, ptr %1, ptr %2)
// CHECK: call <4 x float> @llvm.fma.v4f32
func.func @forward(%x: tensor<4xf32> {quern.name = "x"}) -> (tensor<4xf32> {quern.name = "y"}) {
  %y = quern.tanh %x : tensor<4xf32>
  return %y : tensor<4xf32>
}
