// RUN: quern-opt %s | quern-opt | FileCheck %s

// quern.dequantize prints and parses back in each scheme, with the offset of
// double quantization, and with a last block shorter than the others (6
// elements in blocks of 4: two scales).

// CHECK-LABEL: func.func @dequantize
func.func @dequantize(%c4: tensor<512xi8>, %c8: tensor<1024xi8>,
                      %s: tensor<16xf32>, %sc: tensor<16xi8>,
                      %ss: tensor<1xf32>, %off: tensor<1xf32>,
                      %c6: tensor<3xi8>, %s6: tensor<2xf32>,
                      %u4: tensor<512xui8>, %zp: tensor<16xui8>) {
  // CHECK: quern.dequantize nf4 %{{.*}}, %{{.*}} block = 64 : tensor<512xi8>, tensor<16xf32> -> tensor<32x32xf32>
  %0 = quern.dequantize nf4 %c4, %s block = 64 : tensor<512xi8>, tensor<16xf32> -> tensor<32x32xf32>
  // CHECK: quern.dequantize int4 %{{.*}}, %{{.*}} block = 64 : tensor<512xi8>, tensor<16xf32> -> tensor<1024xf32>
  %1 = quern.dequantize int4 %c4, %s block = 64 : tensor<512xi8>, tensor<16xf32> -> tensor<1024xf32>
  // CHECK: quern.dequantize int8 %{{.*}}, %{{.*}} block = 64 : tensor<1024xi8>, tensor<16xf32> -> tensor<4x256xf32>
  %2 = quern.dequantize int8 %c8, %s block = 64 : tensor<1024xi8>, tensor<16xf32> -> tensor<4x256xf32>
  // CHECK: quern.dequantize int8 %{{.*}}, %{{.*}} block = 256 offset(%{{.*}} : tensor<1xf32>) : tensor<16xi8>, tensor<1xf32> -> tensor<16xf32>
  %3 = quern.dequantize int8 %sc, %ss block = 256 offset(%off : tensor<1xf32>) : tensor<16xi8>, tensor<1xf32> -> tensor<16xf32>
  // CHECK: quern.dequantize nf4 %{{.*}}, %{{.*}} block = 4 : tensor<3xi8>, tensor<2xf32> -> tensor<2x3xf32>
  %4 = quern.dequantize nf4 %c6, %s6 block = 4 : tensor<3xi8>, tensor<2xf32> -> tensor<2x3xf32>
  // ONNX Runtime's: unsigned codes (ui8) with a zero point a block.
  // CHECK: quern.dequantize uint4 %{{.*}}, %{{.*}} block = 64 zero_points(%{{.*}} : tensor<16xui8>) : tensor<512xui8>, tensor<16xf32> -> tensor<16x64xf32>
  %5 = quern.dequantize uint4 %u4, %s block = 64 zero_points(%zp : tensor<16xui8>) : tensor<512xui8>, tensor<16xf32> -> tensor<16x64xf32>
  return
}
