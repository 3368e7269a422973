// RUN: quern-opt %s -split-input-file -verify-diagnostics

// One case per verifier message of quern.dequantize (QuernOps.cpp).

func.func @odd_nibbles(%c: tensor<2xi8>, %s: tensor<1xf32>) {
  // expected-error @+1 {{'quern.dequantize' op expects an even number of elements: 4-bit codes pack two a byte}}
  %0 = quern.dequantize nf4 %c, %s block = 4 : tensor<2xi8>, tensor<1xf32> -> tensor<3xf32>
  return
}

// -----

func.func @codes(%c: tensor<32x16xi8>, %s: tensor<16xf32>) {
  // expected-error @+1 {{'quern.dequantize' op expects 512 bytes of codes in one dimension, got 'tensor<32x16xi8>'}}
  %0 = quern.dequantize nf4 %c, %s block = 64 : tensor<32x16xi8>, tensor<16xf32> -> tensor<32x32xf32>
  return
}

// -----

func.func @int8_codes(%c: tensor<512xi8>, %s: tensor<16xf32>) {
  // expected-error @+1 {{'quern.dequantize' op expects 1024 bytes of codes in one dimension, got 'tensor<512xi8>'}}
  %0 = quern.dequantize int8 %c, %s block = 64 : tensor<512xi8>, tensor<16xf32> -> tensor<32x32xf32>
  return
}

// -----

func.func @scales(%c: tensor<512xi8>, %s: tensor<15xf32>) {
  // expected-error @+1 {{'quern.dequantize' op expects 16 scales in one dimension, got 'tensor<15xf32>'}}
  %0 = quern.dequantize nf4 %c, %s block = 64 : tensor<512xi8>, tensor<15xf32> -> tensor<32x32xf32>
  return
}

// -----

func.func @offset(%c: tensor<16xi8>, %s: tensor<1xf32>, %o: tensor<2xf32>) {
  // expected-error @+1 {{'quern.dequantize' op expects one offset, got 'tensor<2xf32>'}}
  %0 = quern.dequantize int8 %c, %s block = 256 offset(%o : tensor<2xf32>) : tensor<16xi8>, tensor<1xf32> -> tensor<16xf32>
  return
}

// -----

func.func @block(%c: tensor<512xi8>, %s: tensor<16xf32>) {
  // expected-error @+1 {{'quern.dequantize' op attribute 'block' failed to satisfy constraint: 64-bit signless integer attribute whose value is positive}}
  %0 = quern.dequantize nf4 %c, %s block = 0 : tensor<512xi8>, tensor<16xf32> -> tensor<32x32xf32>
  return
}

// -----

func.func @zero_points_signed(%c: tensor<512xi8>, %s: tensor<16xf32>, %z: tensor<8xi8>) {
  // expected-error @+1 {{'quern.dequantize' op expects zero points only with unsigned codes}}
  %0 = quern.dequantize int4 %c, %s block = 64 zero_points(%z : tensor<8xi8>) : tensor<512xi8>, tensor<16xf32> -> tensor<32x32xf32>
  return
}

// -----

func.func @zero_points_rows(%c: tensor<48xi8>, %s: tensor<2xf32>, %z: tensor<1xi8>) {
  // expected-error @+1 {{'quern.dequantize' op expects the block (64) to divide the last dimension (96) with zero points, which come a row at a time}}
  %0 = quern.dequantize uint4 %c, %s block = 64 zero_points(%z : tensor<1xi8>) : tensor<48xi8>, tensor<2xf32> -> tensor<1x96xf32>
  return
}

// -----

func.func @zero_points_bytes(%c: tensor<48xui8>, %s: tensor<3xf32>, %z: tensor<3xui8>) {
  // expected-error @+1 {{'quern.dequantize' op expects 2 bytes of zero points in one dimension, got 'tensor<3xui8>'}}
  %0 = quern.dequantize uint4 %c, %s block = 32 zero_points(%z : tensor<3xui8>) : tensor<48xui8>, tensor<3xf32> -> tensor<1x96xf32>
  return
}
