// RUN: quern-opt %s --convert-quern-to-linalg=bf16-matmuls | FileCheck %s
// RUN: quern-opt %s --convert-quern-to-linalg | FileCheck %s --check-prefix=FP32

// With bf16-matmuls, each operand is rounded to bf16 by an elementwise
// generic (after a transposed operand is packed, so the transpose stays
// f32), and the contraction widens the bf16 values exactly and multiplies
// and sums in f32 into an f32 result.
// CHECK-LABEL: func.func @linear
// CHECK-SAME: (%[[X:.+]]: tensor<16x32xf32>, %[[W:.+]]: tensor<8x32xf32>)
// CHECK: %[[PACKED:.+]] = linalg.transpose ins(%[[W]] : tensor<8x32xf32>)
// CHECK: %[[XB:.+]] = linalg.generic {{.+}} ins(%[[X]] : tensor<16x32xf32>) outs(%{{.+}} : tensor<16x32xbf16>)
// CHECK: arith.truncf %{{.+}} : f32 to bf16
// CHECK: %[[WB:.+]] = linalg.generic {{.+}} ins(%[[PACKED]] : tensor<32x8xf32>) outs(%{{.+}} : tensor<32x8xbf16>)
// CHECK: arith.truncf %{{.+}} : f32 to bf16
// CHECK: linalg.generic {{.+}} ins(%[[XB]], %[[WB]] : tensor<16x32xbf16>, tensor<32x8xbf16>) outs(%{{.+}} : tensor<16x8xf32>)
// CHECK: ^bb0(%[[A:.+]]: bf16, %[[B:.+]]: bf16, %[[ACC:.+]]: f32)
// CHECK: %[[AF:.+]] = arith.extf %[[A]] : bf16 to f32
// CHECK: %[[BF:.+]] = arith.extf %[[B]] : bf16 to f32
// CHECK: %[[P:.+]] = arith.mulf %[[AF]], %[[BF]]
// CHECK: arith.addf %[[ACC]], %[[P]]
// FP32-LABEL: func.func @linear
// FP32-NOT: bf16
// FP32: return
func.func @linear(%x: tensor<16x32xf32>, %w: tensor<8x32xf32>) -> tensor<16x8xf32> {
  %y = quern.matmul %x, %w transpose_rhs : tensor<16x32xf32>, tensor<8x32xf32> -> tensor<16x8xf32>
  return %y : tensor<16x8xf32>
}
