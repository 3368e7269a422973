// RUN: quern-opt %s --convert-quern-to-linalg -split-input-file | FileCheck %s

// Every elementwise op is one all-parallel linalg.generic over a fresh
// tensor.empty, reading every operand through the identity map; the body is
// the op's scalar computation.

// CHECK: #[[ID:.+]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-LABEL: func.func @relu
// CHECK-SAME: (%[[X:.+]]: tensor<4x8xf32>)
// CHECK: %[[EMPTY:.+]] = tensor.empty() : tensor<4x8xf32>
// CHECK: %[[R:.+]] = linalg.generic
// CHECK-SAME: indexing_maps = [#[[ID]], #[[ID]]]
// CHECK-SAME: iterator_types = ["parallel", "parallel"]
// CHECK-SAME: ins(%[[X]] : tensor<4x8xf32>) outs(%[[EMPTY]] : tensor<4x8xf32>)
// CHECK: ^bb0(%[[IN:.+]]: f32, %{{.+}}: f32):
// CHECK: %[[ZERO:.+]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[MAX:.+]] = arith.maximumf %[[IN]], %[[ZERO]] : f32
// CHECK: linalg.yield %[[MAX]] : f32
// CHECK: return %[[R]]
func.func @relu(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %0 = quern.relu %x : tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

// CHECK-LABEL: func.func @neg
// CHECK: linalg.generic
// CHECK: ^bb0(%[[IN:.+]]: f32, %{{.+}}: f32):
// CHECK: %[[Y:.+]] = arith.negf %[[IN]] : f32
// CHECK: linalg.yield %[[Y]] : f32
func.func @neg(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = quern.neg %x : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// CHECK-LABEL: func.func @exp
// CHECK: linalg.generic
// CHECK: ^bb0(%[[IN:.+]]: f32, %{{.+}}: f32):
// CHECK: %[[Y:.+]] = math.exp %[[IN]] : f32
// CHECK: linalg.yield %[[Y]] : f32
func.func @exp(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = quern.exp %x : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// CHECK-LABEL: func.func @log
// CHECK: linalg.generic
// CHECK: ^bb0(%[[IN:.+]]: f32, %{{.+}}: f32):
// CHECK: %[[Y:.+]] = math.log %[[IN]] : f32
// CHECK: linalg.yield %[[Y]] : f32
func.func @log(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = quern.log %x : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// CHECK-LABEL: func.func @tanh
// CHECK: linalg.generic
// CHECK: ^bb0(%[[IN:.+]]: f32, %{{.+}}: f32):
// CHECK: %[[Y:.+]] = math.tanh %[[IN]] : f32
// CHECK: linalg.yield %[[Y]] : f32
func.func @tanh(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = quern.tanh %x : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// CHECK-LABEL: func.func @sqrt
// CHECK: linalg.generic
// CHECK: ^bb0(%[[IN:.+]]: f32, %{{.+}}: f32):
// CHECK: %[[Y:.+]] = math.sqrt %[[IN]] : f32
// CHECK: linalg.yield %[[Y]] : f32
func.func @sqrt(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = quern.sqrt %x : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// sigmoid(x) = 1 / (1 + exp(-x)), in the element type (here f16).
// CHECK-LABEL: func.func @sigmoid
// CHECK: linalg.generic
// CHECK: ^bb0(%[[IN:.+]]: f16, %{{.+}}: f16):
// CHECK-DAG: %[[ONE:.+]] = arith.constant 1.000000e+00 : f16
// CHECK-DAG: %[[NEG:.+]] = arith.negf %[[IN]] : f16
// CHECK: %[[EXP:.+]] = math.exp %[[NEG]] : f16
// CHECK: %[[DEN:.+]] = arith.addf %[[ONE]], %[[EXP]] : f16
// CHECK: %[[Y:.+]] = arith.divf %[[ONE]], %[[DEN]] : f16
// CHECK: linalg.yield %[[Y]] : f16
func.func @sigmoid(%x: tensor<4xf16>) -> tensor<4xf16> {
  %0 = quern.sigmoid %x : tensor<4xf16>
  return %0 : tensor<4xf16>
}

// -----

// CHECK: #[[ID:.+]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-LABEL: func.func @add
// CHECK-SAME: (%[[X:[^:]+]]: tensor<2x3x4xbf16>, %[[Y:[^:]+]]: tensor<2x3x4xbf16>)
// CHECK: %[[EMPTY:.+]] = tensor.empty() : tensor<2x3x4xbf16>
// CHECK: linalg.generic
// CHECK-SAME: indexing_maps = [#[[ID]], #[[ID]], #[[ID]]]
// CHECK-SAME: iterator_types = ["parallel", "parallel", "parallel"]
// CHECK-SAME: ins(%[[X]], %[[Y]] : tensor<2x3x4xbf16>, tensor<2x3x4xbf16>) outs(%[[EMPTY]] : tensor<2x3x4xbf16>)
// CHECK: ^bb0(%[[A:.+]]: bf16, %[[B:.+]]: bf16, %{{.+}}: bf16):
// CHECK: %[[Z:.+]] = arith.addf %[[A]], %[[B]] : bf16
// CHECK: linalg.yield %[[Z]] : bf16
func.func @add(%x: tensor<2x3x4xbf16>, %y: tensor<2x3x4xbf16>) -> tensor<2x3x4xbf16> {
  %0 = quern.add %x, %y : tensor<2x3x4xbf16>
  return %0 : tensor<2x3x4xbf16>
}

// -----

// The operand order of non-commutative ops is kept.
// CHECK-LABEL: func.func @sub
// CHECK-SAME: (%[[X:[^:]+]]: tensor<4xf32>, %[[Y:[^:]+]]: tensor<4xf32>)
// CHECK: linalg.generic
// CHECK-SAME: ins(%[[X]], %[[Y]] :
// CHECK: ^bb0(%[[A:.+]]: f32, %[[B:.+]]: f32, %{{.+}}: f32):
// CHECK: %[[Z:.+]] = arith.subf %[[A]], %[[B]] : f32
// CHECK: linalg.yield %[[Z]] : f32
func.func @sub(%x: tensor<4xf32>, %y: tensor<4xf32>) -> tensor<4xf32> {
  %0 = quern.sub %x, %y : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// CHECK-LABEL: func.func @mul
// CHECK: linalg.generic
// CHECK: ^bb0(%[[A:.+]]: f32, %[[B:.+]]: f32, %{{.+}}: f32):
// CHECK: %[[Z:.+]] = arith.mulf %[[A]], %[[B]] : f32
// CHECK: linalg.yield %[[Z]] : f32
func.func @mul(%x: tensor<4xf32>, %y: tensor<4xf32>) -> tensor<4xf32> {
  %0 = quern.mul %x, %y : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// CHECK-LABEL: func.func @div
// CHECK-SAME: (%[[X:[^:]+]]: tensor<4xf32>, %[[Y:[^:]+]]: tensor<4xf32>)
// CHECK: linalg.generic
// CHECK-SAME: ins(%[[X]], %[[Y]] :
// CHECK: ^bb0(%[[A:.+]]: f32, %[[B:.+]]: f32, %{{.+}}: f32):
// CHECK: %[[Z:.+]] = arith.divf %[[A]], %[[B]] : f32
// CHECK: linalg.yield %[[Z]] : f32
func.func @div(%x: tensor<4xf32>, %y: tensor<4xf32>) -> tensor<4xf32> {
  %0 = quern.div %x, %y : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// A rank-0 operand gives a generic with no loops.
// CHECK: #[[SCALAR:.+]] = affine_map<() -> ()>
// CHECK-LABEL: func.func @scalar
// CHECK: linalg.generic
// CHECK-SAME: indexing_maps = [#[[SCALAR]], #[[SCALAR]], #[[SCALAR]]]
// CHECK-SAME: iterator_types = []
// CHECK: arith.mulf %{{.+}}, %{{.+}} : f64
func.func @scalar(%x: tensor<f64>, %y: tensor<f64>) -> tensor<f64> {
  %0 = quern.mul %x, %y : tensor<f64>
  return %0 : tensor<f64>
}

// -----

// Chains stay one generic per op: fusing them is a later pass's job.
// CHECK-LABEL: func.func @chain
// CHECK: %[[E:.+]] = linalg.generic
// CHECK: math.exp
// CHECK: linalg.generic
// CHECK-SAME: ins(%[[E]] :
// CHECK: math.log
func.func @chain(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = quern.exp %x : tensor<4xf32>
  %1 = quern.log %0 : tensor<4xf32>
  return %1 : tensor<4xf32>
}
