// RUN: quern-opt %s --convert-quern-to-linalg --canonicalize -split-input-file | FileCheck %s

// quern.dequantize becomes a generic with no inputs that computes each
// element from its row-major position e: the byte e / 2 of 4-bit codes and
// the nibble (e % 2) * 4 bits up in it, its level (nf4: the 16-entry table;
// int4: the nibble sign-extended, (c ^ 8) - 8; int8: the byte), times the
// scale of block e / block, plus the offset when there is one.

// CHECK-LABEL: func.func @nf4
// CHECK-SAME: (%[[CODES:.+]]: tensor<512xi8>, %[[SCALES:.+]]: tensor<16xf32>)
// CHECK-DAG: %[[TABLE:.+]] = arith.constant dense<[-1.000000e+00, -0.6961928{{.*}}1.000000e+00]> : tensor<16xf32>
// CHECK: linalg.generic {{{.*}}iterator_types = ["parallel", "parallel"]} outs(%{{.*}} : tensor<32x32xf32>)
// CHECK: %[[ROW:.+]] = linalg.index 0
// CHECK: %[[COLUMN:.+]] = linalg.index 1
// CHECK: %[[E:.+]] = arith.addi %{{.*}}, %[[COLUMN]]
// CHECK: %[[BYTE_AT:.+]] = arith.shrui %[[E]], %c1
// CHECK: %[[BYTE:.+]] = tensor.extract %[[CODES]][%[[BYTE_AT]]]
// CHECK: %[[ODD:.+]] = arith.andi %[[E]], %c1
// CHECK: arith.shrui
// CHECK: %[[NIBBLE:.+]] = arith.andi %{{.*}}, %c15_i32
// CHECK: %[[INDEX:.+]] = arith.index_cast %[[NIBBLE]] : i32 to index
// CHECK: %[[LEVEL:.+]] = tensor.extract %[[TABLE]][%[[INDEX]]]
// CHECK: %[[BLOCK:.+]] = arith.divui %[[E]], %c64
// CHECK: %[[SCALE:.+]] = tensor.extract %[[SCALES]][%[[BLOCK]]]
// CHECK: %[[VALUE:.+]] = arith.mulf %[[LEVEL]], %[[SCALE]]
// CHECK: linalg.yield %[[VALUE]]
func.func @nf4(%codes: tensor<512xi8>, %scales: tensor<16xf32>) -> tensor<32x32xf32> {
  %w = quern.dequantize nf4 %codes, %scales block = 64 : tensor<512xi8>, tensor<16xf32> -> tensor<32x32xf32>
  return %w : tensor<32x32xf32>
}

// -----

// CHECK-LABEL: func.func @int4
// CHECK: %[[NIBBLE:.+]] = arith.andi %{{.*}}, %c15_i32
// CHECK: %[[FLIPPED:.+]] = arith.xori %[[NIBBLE]], %c8_i32
// CHECK: %[[SIGNED:.+]] = arith.subi %[[FLIPPED]], %c8_i32
// CHECK: arith.sitofp %[[SIGNED]] : i32 to f32
func.func @int4(%codes: tensor<512xi8>, %scales: tensor<32xf32>) -> tensor<1024xf32> {
  %w = quern.dequantize int4 %codes, %scales block = 32 : tensor<512xi8>, tensor<32xf32> -> tensor<1024xf32>
  return %w : tensor<1024xf32>
}

// -----

// The second level of double quantization: int8 codes, one byte each, and
// the offset added after the scale.
// CHECK-LABEL: func.func @int8_offset
// CHECK-SAME: (%[[CODES:.+]]: tensor<16xi8>, %[[SCALES:.+]]: tensor<1xf32>, %[[OFFSET:.+]]: tensor<1xf32>)
// CHECK: %[[E:.+]] = linalg.index 0
// CHECK: %[[BYTE:.+]] = tensor.extract %[[CODES]][%[[E]]]
// CHECK: %[[WIDE:.+]] = arith.extsi %[[BYTE]] : i8 to i32
// CHECK: %[[LEVEL:.+]] = arith.sitofp %[[WIDE]] : i32 to f32
// CHECK: %[[SCALED:.+]] = arith.mulf %[[LEVEL]], %{{.*}}
// CHECK: %[[SHIFT:.+]] = tensor.extract %[[OFFSET]][%c0]
// CHECK: arith.addf %[[SCALED]], %[[SHIFT]]
func.func @int8_offset(%codes: tensor<16xi8>, %scales: tensor<1xf32>, %offset: tensor<1xf32>) -> tensor<16xf32> {
  %s = quern.dequantize int8 %codes, %scales block = 256 offset(%offset : tensor<1xf32>) : tensor<16xi8>, tensor<1xf32> -> tensor<16xf32>
  return %s : tensor<16xf32>
}

// -----

// ONNX Runtime's unsigned codes with zero points: the level is the code
// minus its block's zero point, a nibble of the zero points' bytes found
// from the block's row (bytes a row: ceil(3 blocks * 4 bits / 8) = 2, so
// 4 nibbles, the last padding) and its place in the row.
// CHECK-LABEL: func.func @uint4_zero_points
// CHECK-SAME: %[[ZERO:[^:]+]]: tensor<4xi8>
// CHECK: %[[BLOCK:.+]] = arith.divui %{{.*}}, %c32
// CHECK: %[[ROW:.+]] = arith.divui %[[BLOCK]], %c3
// CHECK: %[[IN_ROW:.+]] = arith.remui %[[BLOCK]], %c3
// CHECK: %[[ROW_START:.+]] = arith.muli %[[ROW]], %c4
// CHECK: %[[AT:.+]] = arith.addi %[[ROW_START]], %[[IN_ROW]]
// CHECK: tensor.extract %[[ZERO]]
// CHECK: %[[LEVEL:.+]] = arith.subi %{{.*}}, %{{.*}} : i32
// CHECK: arith.sitofp %[[LEVEL]]
func.func @uint4_zero_points(%codes: tensor<96xui8>, %scales: tensor<6xf32>, %zero: tensor<4xui8>) -> tensor<2x96xf32> {
  %w = quern.dequantize uint4 %codes, %scales block = 32 zero_points(%zero : tensor<4xui8>) : tensor<96xui8>, tensor<6xf32> -> tensor<2x96xf32>
  return %w : tensor<2x96xf32>
}
