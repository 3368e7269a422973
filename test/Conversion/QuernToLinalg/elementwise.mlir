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

// -----

// CHECK-LABEL: func.func @abs_float
// CHECK: ^bb0(%[[IN:.+]]: f32, %{{.+}}: f32):
// CHECK: %[[Y:.+]] = math.absf %[[IN]] : f32
// CHECK: linalg.yield %[[Y]] : f32
func.func @abs_float(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = quern.abs %x : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// CHECK-LABEL: func.func @abs_signed
// CHECK: ^bb0(%[[IN:.+]]: i32, %{{.+}}: i32):
// CHECK: %[[Y:.+]] = math.absi %[[IN]] : i32
// CHECK: linalg.yield %[[Y]] : i32
func.func @abs_signed(%x: tensor<4xi32>) -> tensor<4xi32> {
  %0 = quern.abs %x : tensor<4xi32>
  return %0 : tensor<4xi32>
}

// -----

// Integers have no negf: -x is 0 - x.
// CHECK-LABEL: func.func @neg_integer
// CHECK: ^bb0(%[[IN:.+]]: i64, %{{.+}}: i64):
// CHECK: %[[ZERO:.+]] = arith.constant 0 : i64
// CHECK: %[[Y:.+]] = arith.subi %[[ZERO]], %[[IN]] : i64
// CHECK: linalg.yield %[[Y]] : i64
func.func @neg_integer(%x: tensor<4xi64>) -> tensor<4xi64> {
  %0 = quern.neg %x : tensor<4xi64>
  return %0 : tensor<4xi64>
}

// -----

// CHECK-LABEL: func.func @relu_signed
// CHECK: ^bb0(%[[IN:.+]]: i32, %{{.+}}: i32):
// CHECK: %[[ZERO:.+]] = arith.constant 0 : i32
// CHECK: %[[Y:.+]] = arith.maxsi %[[IN]], %[[ZERO]] : i32
// CHECK: linalg.yield %[[Y]] : i32
func.func @relu_signed(%x: tensor<4xi32>) -> tensor<4xi32> {
  %0 = quern.relu %x : tensor<4xi32>
  return %0 : tensor<4xi32>
}

// -----

// CHECK-LABEL: func.func @reciprocal
// CHECK: ^bb0(%[[IN:.+]]: f64, %{{.+}}: f64):
// CHECK: %[[ONE:.+]] = arith.constant 1.000000e+00 : f64
// CHECK: %[[Y:.+]] = arith.divf %[[ONE]], %[[IN]] : f64
// CHECK: linalg.yield %[[Y]] : f64
func.func @reciprocal(%x: tensor<4xf64>) -> tensor<4xf64> {
  %0 = quern.reciprocal %x : tensor<4xf64>
  return %0 : tensor<4xf64>
}

// -----

// CHECK-LABEL: func.func @erf
// CHECK: ^bb0(%[[IN:.+]]: f32, %{{.+}}: f32):
// CHECK: %[[Y:.+]] = math.erf %[[IN]] : f32
// CHECK: linalg.yield %[[Y]] : f32
func.func @erf(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = quern.erf %x : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// CHECK-LABEL: func.func @sin_cos
// CHECK: %[[S:.+]] = math.sin %{{.+}} : f32
// CHECK: %[[C:.+]] = math.cos %{{.+}} : f32
func.func @sin_cos(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = quern.sin %x : tensor<4xf32>
  %1 = quern.cos %0 : tensor<4xf32>
  return %1 : tensor<4xf32>
}

// -----

// x >= 0 ? x : alpha * x; a NaN fails the ordered test and stays NaN.
// CHECK-LABEL: func.func @leaky_relu
// CHECK: ^bb0(%[[IN:.+]]: f32, %{{.+}}: f32):
// CHECK-DAG: %[[ZERO:.+]] = arith.constant 0.000000e+00 : f32
// CHECK-DAG: %[[ALPHA:.+]] = arith.constant 2.500000e-01 : f32
// CHECK: %[[POS:.+]] = arith.cmpf oge, %[[IN]], %[[ZERO]] : f32
// CHECK: %[[SCALED:.+]] = arith.mulf %[[IN]], %[[ALPHA]] : f32
// CHECK: %[[Y:.+]] = arith.select %[[POS]], %[[IN]], %[[SCALED]] : f32
// CHECK: linalg.yield %[[Y]] : f32
func.func @leaky_relu(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = quern.leaky_relu %x alpha = 0.25 : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// CHECK-LABEL: func.func @not
// CHECK: ^bb0(%[[IN:.+]]: i1, %{{.+}}: i1):
// CHECK: %[[TRUE:.+]] = arith.constant true
// CHECK: %[[Y:.+]] = arith.xori %[[IN]], %[[TRUE]] : i1
// CHECK: linalg.yield %[[Y]] : i1
func.func @not(%x: tensor<4xi1>) -> tensor<4xi1> {
  %0 = quern.not %x : tensor<4xi1>
  return %0 : tensor<4xi1>
}

// -----

// CHECK-LABEL: func.func @pow
// CHECK: ^bb0(%[[A:.+]]: f32, %[[B:.+]]: f32, %{{.+}}: f32):
// CHECK: %[[Z:.+]] = math.powf %[[A]], %[[B]] : f32
// CHECK: linalg.yield %[[Z]] : f32
func.func @pow(%x: tensor<4xf32>, %y: tensor<4xf32>) -> tensor<4xf32> {
  %0 = quern.pow %x, %y : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// Float max/min propagate NaN (maximumf/minimumf, not maxnumf/minnumf).
// CHECK-LABEL: func.func @max_min_float
// CHECK: ^bb0(%[[A:.+]]: f32, %[[B:.+]]: f32, %{{.+}}: f32):
// CHECK: %[[Z:.+]] = arith.maximumf %[[A]], %[[B]] : f32
// CHECK: ^bb0(%[[C:.+]]: f32, %[[D:.+]]: f32, %{{.+}}: f32):
// CHECK: %[[W:.+]] = arith.minimumf %[[C]], %[[D]] : f32
func.func @max_min_float(%x: tensor<4xf32>, %y: tensor<4xf32>) -> tensor<4xf32> {
  %0 = quern.max %x, %y : tensor<4xf32>
  %1 = quern.min %0, %y : tensor<4xf32>
  return %1 : tensor<4xf32>
}

// -----

// CHECK-LABEL: func.func @max_min_div_signed
// CHECK: arith.maxsi %{{.+}}, %{{.+}} : i16
// CHECK: arith.minsi %{{.+}}, %{{.+}} : i16
// CHECK: arith.divsi %{{.+}}, %{{.+}} : i16
func.func @max_min_div_signed(%x: tensor<4xi16>, %y: tensor<4xi16>) -> tensor<4xi16> {
  %0 = quern.max %x, %y : tensor<4xi16>
  %1 = quern.min %0, %y : tensor<4xi16>
  %2 = quern.div %1, %y : tensor<4xi16>
  return %2 : tensor<4xi16>
}

// -----

// CHECK-LABEL: func.func @and_or
// CHECK: ^bb0(%[[A:.+]]: i1, %[[B:.+]]: i1, %{{.+}}: i1):
// CHECK: %[[AND:.+]] = arith.andi %[[A]], %[[B]] : i1
// CHECK: linalg.yield %[[AND]] : i1
// CHECK: ^bb0(%[[C:.+]]: i1, %[[D:.+]]: i1, %{{.+}}: i1):
// CHECK: %[[OR:.+]] = arith.ori %[[C]], %[[D]] : i1
// CHECK: linalg.yield %[[OR]] : i1
func.func @and_or(%x: tensor<4xi1>, %y: tensor<4xi1>) -> tensor<4xi1> {
  %0 = quern.and %x, %y : tensor<4xi1>
  %1 = quern.or %0, %y : tensor<4xi1>
  return %1 : tensor<4xi1>
}

// -----

// Float comparisons are ordered: false whenever a NaN is involved.
// CHECK-LABEL: func.func @compare_float
// CHECK-SAME: (%[[X:[^:]+]]: tensor<4xf32>, %[[Y:[^:]+]]: tensor<4xf32>)
// CHECK: %[[EMPTY:.+]] = tensor.empty() : tensor<4xi1>
// CHECK: linalg.generic
// CHECK-SAME: ins(%[[X]], %[[Y]] : tensor<4xf32>, tensor<4xf32>) outs(%[[EMPTY]] : tensor<4xi1>)
// CHECK: ^bb0(%[[A:.+]]: f32, %[[B:.+]]: f32, %{{.+}}: i1):
// CHECK: %[[Z:.+]] = arith.cmpf oeq, %[[A]], %[[B]] : f32
// CHECK: linalg.yield %[[Z]] : i1
// CHECK: arith.cmpf olt
// CHECK: arith.cmpf ole
// CHECK: arith.cmpf ogt
// CHECK: arith.cmpf oge
func.func @compare_float(%x: tensor<4xf32>, %y: tensor<4xf32>)
    -> (tensor<4xi1>, tensor<4xi1>, tensor<4xi1>, tensor<4xi1>, tensor<4xi1>) {
  %0 = quern.compare eq, %x, %y : tensor<4xf32> -> tensor<4xi1>
  %1 = quern.compare lt, %x, %y : tensor<4xf32> -> tensor<4xi1>
  %2 = quern.compare le, %x, %y : tensor<4xf32> -> tensor<4xi1>
  %3 = quern.compare gt, %x, %y : tensor<4xf32> -> tensor<4xi1>
  %4 = quern.compare ge, %x, %y : tensor<4xf32> -> tensor<4xi1>
  return %0, %1, %2, %3, %4 : tensor<4xi1>, tensor<4xi1>, tensor<4xi1>, tensor<4xi1>, tensor<4xi1>
}

// -----

// CHECK-LABEL: func.func @compare_signed
// CHECK: arith.cmpi eq, %{{.+}}, %{{.+}} : i32
// CHECK: arith.cmpi slt, %{{.+}}, %{{.+}} : i32
// CHECK: arith.cmpi sle, %{{.+}}, %{{.+}} : i32
// CHECK: arith.cmpi sgt, %{{.+}}, %{{.+}} : i32
// CHECK: arith.cmpi sge, %{{.+}}, %{{.+}} : i32
func.func @compare_signed(%x: tensor<4xi32>, %y: tensor<4xi32>)
    -> (tensor<4xi1>, tensor<4xi1>, tensor<4xi1>, tensor<4xi1>, tensor<4xi1>) {
  %0 = quern.compare eq, %x, %y : tensor<4xi32> -> tensor<4xi1>
  %1 = quern.compare lt, %x, %y : tensor<4xi32> -> tensor<4xi1>
  %2 = quern.compare le, %x, %y : tensor<4xi32> -> tensor<4xi1>
  %3 = quern.compare gt, %x, %y : tensor<4xi32> -> tensor<4xi1>
  %4 = quern.compare ge, %x, %y : tensor<4xi32> -> tensor<4xi1>
  return %0, %1, %2, %3, %4 : tensor<4xi1>, tensor<4xi1>, tensor<4xi1>, tensor<4xi1>, tensor<4xi1>
}

// -----

// The condition is the first input; the arithmetic follows the values.
// CHECK-LABEL: func.func @select
// CHECK-SAME: (%[[C:[^:]+]]: tensor<4xi1>, %[[X:[^:]+]]: tensor<4xi64>, %[[Y:[^:]+]]: tensor<4xi64>)
// CHECK: linalg.generic
// CHECK-SAME: ins(%[[C]], %[[X]], %[[Y]] : tensor<4xi1>, tensor<4xi64>, tensor<4xi64>)
// CHECK: ^bb0(%[[CV:.+]]: i1, %[[A:.+]]: i64, %[[B:.+]]: i64, %{{.+}}: i64):
// CHECK: %[[Z:.+]] = arith.select %[[CV]], %[[A]], %[[B]] : i64
// CHECK: linalg.yield %[[Z]] : i64
func.func @select(%c: tensor<4xi1>, %x: tensor<4xi64>, %y: tensor<4xi64>) -> tensor<4xi64> {
  %0 = quern.select %c, %x, %y : tensor<4xi1>, tensor<4xi64>
  return %0 : tensor<4xi64>
}

// -----

// Casts from floats: truncation toward zero to signed integers, `!= 0`
// (unordered, so NaN is true) to booleans, extension and truncation between
// floats; f16 and bf16 have one width and go through f32.
// CHECK-LABEL: func.func @cast_from_float
// CHECK: ^bb0(%[[A:.+]]: f32, %{{.+}}: i64):
// CHECK: %[[I:.+]] = arith.fptosi %[[A]] : f32 to i64
// CHECK: linalg.yield %[[I]] : i64
// CHECK: ^bb0(%[[B:.+]]: f32, %{{.+}}: i1):
// CHECK: %[[ZERO:.+]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[NZ:.+]] = arith.cmpf une, %[[B]], %[[ZERO]] : f32
// CHECK: linalg.yield %[[NZ]] : i1
// CHECK: ^bb0(%[[C:.+]]: f32, %{{.+}}: f16):
// CHECK: %[[H:.+]] = arith.truncf %[[C]] : f32 to f16
// CHECK: linalg.yield %[[H]] : f16
// CHECK: ^bb0(%[[D:.+]]: f32, %{{.+}}: f64):
// CHECK: %[[W:.+]] = arith.extf %[[D]] : f32 to f64
// CHECK: linalg.yield %[[W]] : f64
// CHECK: ^bb0(%[[E:.+]]: f16, %{{.+}}: bf16):
// CHECK: %[[E32:.+]] = arith.extf %[[E]] : f16 to f32
// CHECK: %[[BF:.+]] = arith.truncf %[[E32]] : f32 to bf16
// CHECK: linalg.yield %[[BF]] : bf16
func.func @cast_from_float(%x: tensor<4xf32>, %h: tensor<4xf16>)
    -> (tensor<4xi64>, tensor<4xi1>, tensor<4xf16>, tensor<4xf64>, tensor<4xbf16>) {
  %0 = quern.cast %x : tensor<4xf32> to tensor<4xi64>
  %1 = quern.cast %x : tensor<4xf32> to tensor<4xi1>
  %2 = quern.cast %x : tensor<4xf32> to tensor<4xf16>
  %3 = quern.cast %x : tensor<4xf32> to tensor<4xf64>
  %4 = quern.cast %h : tensor<4xf16> to tensor<4xbf16>
  return %0, %1, %2, %3, %4 : tensor<4xi64>, tensor<4xi1>, tensor<4xf16>, tensor<4xf64>, tensor<4xbf16>
}

// -----

// Casts from signed integers and booleans: sign extension for i8, zero
// extension for i1 (true is 1), truncation, sitofp and uitofp.
// CHECK-LABEL: func.func @cast_from_integer
// CHECK: arith.extsi %{{.+}} : i8 to i32
// CHECK: arith.extui %{{.+}} : i1 to i32
// CHECK: arith.trunci %{{.+}} : i64 to i16
// CHECK: arith.sitofp %{{.+}} : i8 to f32
// CHECK: arith.uitofp %{{.+}} : i1 to f32
// CHECK: ^bb0(%[[V:.+]]: i64, %{{.+}}: i1):
// CHECK: %[[ZERO:.+]] = arith.constant 0 : i64
// CHECK: %[[NZ:.+]] = arith.cmpi ne, %[[V]], %[[ZERO]] : i64
// CHECK: linalg.yield %[[NZ]] : i1
func.func @cast_from_integer(%s: tensor<4xi8>, %b: tensor<4xi1>, %w: tensor<4xi64>)
    -> (tensor<4xi32>, tensor<4xi32>, tensor<4xi16>, tensor<4xf32>, tensor<4xf32>, tensor<4xi1>) {
  %0 = quern.cast %s : tensor<4xi8> to tensor<4xi32>
  %1 = quern.cast %b : tensor<4xi1> to tensor<4xi32>
  %2 = quern.cast %w : tensor<4xi64> to tensor<4xi16>
  %3 = quern.cast %s : tensor<4xi8> to tensor<4xf32>
  %4 = quern.cast %b : tensor<4xi1> to tensor<4xf32>
  %5 = quern.cast %w : tensor<4xi64> to tensor<4xi1>
  return %0, %1, %2, %3, %4, %5
      : tensor<4xi32>, tensor<4xi32>, tensor<4xi16>, tensor<4xf32>, tensor<4xf32>, tensor<4xi1>
}
