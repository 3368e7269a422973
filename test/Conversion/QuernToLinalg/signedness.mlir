// RUN: quern-opt %s --convert-quern-to-linalg -split-input-file | FileCheck %s

// quern types carry ONNX's signedness (uint8 is ui8); arith and linalg want
// signless integers. The type converter makes every ui8 an i8 - at function
// boundaries, in calls and in every lowered op - and the lowering picks the
// unsigned arith op from the quern type. Nothing unsigned and no cast
// between the two views is left behind.

// CHECK-LABEL: func.func @boundary
// CHECK-SAME: (%[[A:[^:]+]]: tensor<4xi8>, %[[B:[^:]+]]: tensor<4xi8>) -> (tensor<4xi8>, tensor<4xi1>)
// CHECK: %[[SUM:.+]] = linalg.generic
// CHECK-SAME: ins(%[[A]], %[[B]] : tensor<4xi8>, tensor<4xi8>)
// CHECK: arith.addi %{{.+}}, %{{.+}} : i8
// CHECK: %[[LT:.+]] = linalg.generic
// CHECK-SAME: ins(%[[SUM]], %[[B]] : tensor<4xi8>, tensor<4xi8>)
// CHECK: return %[[SUM]], %[[LT]] : tensor<4xi8>, tensor<4xi1>
// CHECK-NOT: ui8
// CHECK-NOT: unrealized_conversion_cast
func.func @boundary(%a: tensor<4xui8>, %b: tensor<4xui8>) -> (tensor<4xui8>, tensor<4xi1>) {
  %0 = quern.add %a, %b : tensor<4xui8>
  %1 = quern.compare lt, %0, %b : tensor<4xui8> -> tensor<4xi1>
  return %0, %1 : tensor<4xui8>, tensor<4xi1>
}

// -----

// Calls between functions are converted with their callees.
// CHECK-LABEL: func.func @callee
// CHECK-SAME: (%{{.+}}: tensor<2xi8>) -> tensor<2xi8>
// CHECK-LABEL: func.func @caller
// CHECK-SAME: (%[[X:.+]]: tensor<2xi8>) -> tensor<2xi8>
// CHECK: %[[R:.+]] = call @callee(%[[X]]) : (tensor<2xi8>) -> tensor<2xi8>
// CHECK: return %[[R]] : tensor<2xi8>
// CHECK-NOT: ui8
func.func @callee(%x: tensor<2xui8>) -> tensor<2xui8> {
  %0 = quern.max %x, %x : tensor<2xui8>
  return %0 : tensor<2xui8>
}
func.func @caller(%x: tensor<2xui8>) -> tensor<2xui8> {
  %0 = func.call @callee(%x) : (tensor<2xui8>) -> tensor<2xui8>
  return %0 : tensor<2xui8>
}

// -----

// CHECK-LABEL: func.func @arithmetic
// CHECK: ^bb0(%[[A:.+]]: i8, %[[B:.+]]: i8, %{{.+}}: i8):
// CHECK: %[[Q:.+]] = arith.divui %[[A]], %[[B]] : i8
// CHECK: linalg.yield %[[Q]] : i8
// CHECK: ^bb0(%[[C:.+]]: i8, %[[D:.+]]: i8, %{{.+}}: i8):
// CHECK: %[[M:.+]] = arith.maxui %[[C]], %[[D]] : i8
// CHECK: linalg.yield %[[M]] : i8
// CHECK: ^bb0(%[[E:.+]]: i8, %[[F:.+]]: i8, %{{.+}}: i8):
// CHECK: %[[N:.+]] = arith.minui %[[E]], %[[F]] : i8
// CHECK: linalg.yield %[[N]] : i8
// CHECK-NOT: divsi
// CHECK-NOT: maxsi
// CHECK-NOT: minsi
func.func @arithmetic(%a: tensor<4xui8>, %b: tensor<4xui8>) -> tensor<4xui8> {
  %0 = quern.div %a, %b : tensor<4xui8>
  %1 = quern.max %0, %b : tensor<4xui8>
  %2 = quern.min %1, %a : tensor<4xui8>
  return %2 : tensor<4xui8>
}

// -----

// CHECK-LABEL: func.func @compare
// CHECK: arith.cmpi eq, %{{.+}}, %{{.+}} : i8
// CHECK: arith.cmpi ult, %{{.+}}, %{{.+}} : i8
// CHECK: arith.cmpi ule, %{{.+}}, %{{.+}} : i8
// CHECK: arith.cmpi ugt, %{{.+}}, %{{.+}} : i8
// CHECK: arith.cmpi uge, %{{.+}}, %{{.+}} : i8
func.func @compare(%x: tensor<4xui8>, %y: tensor<4xui8>)
    -> (tensor<4xi1>, tensor<4xi1>, tensor<4xi1>, tensor<4xi1>, tensor<4xi1>) {
  %0 = quern.compare eq, %x, %y : tensor<4xui8> -> tensor<4xi1>
  %1 = quern.compare lt, %x, %y : tensor<4xui8> -> tensor<4xi1>
  %2 = quern.compare le, %x, %y : tensor<4xui8> -> tensor<4xi1>
  %3 = quern.compare gt, %x, %y : tensor<4xui8> -> tensor<4xi1>
  %4 = quern.compare ge, %x, %y : tensor<4xui8> -> tensor<4xi1>
  return %0, %1, %2, %3, %4 : tensor<4xi1>, tensor<4xi1>, tensor<4xi1>, tensor<4xi1>, tensor<4xi1>
}

// -----

// From ui8: uitofp and zero extension; to ui8: fptoui. ui8 to i8 is the same
// bits, so no op at all.
// CHECK-LABEL: func.func @cast
// CHECK-SAME: (%[[U:[^:]+]]: tensor<4xi8>, %[[X:[^:]+]]: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xi32>, tensor<4xi16>, tensor<4xi8>, tensor<4xi8>)
// CHECK: ^bb0(%[[A:.+]]: i8, %{{.+}}: f32):
// CHECK: %[[F:.+]] = arith.uitofp %[[A]] : i8 to f32
// CHECK: linalg.yield %[[F]] : f32
// CHECK: ^bb0(%[[B:.+]]: i8, %{{.+}}: i32):
// CHECK: %[[W:.+]] = arith.extui %[[B]] : i8 to i32
// CHECK: linalg.yield %[[W]] : i32
// CHECK: ^bb0(%[[C:.+]]: i8, %{{.+}}: i16):
// CHECK: %[[W16:.+]] = arith.extui %[[C]] : i8 to i16
// CHECK: linalg.yield %[[W16]] : i16
// CHECK: ^bb0(%[[D:.+]]: f32, %{{.+}}: i8):
// CHECK: %[[I:.+]] = arith.fptoui %[[D]] : f32 to i8
// CHECK: linalg.yield %[[I]] : i8
// CHECK: ^bb0(%[[E:.+]]: i8, %{{.+}}: i8):
// CHECK-NEXT: linalg.yield %[[E]] : i8
// CHECK-NOT: sitofp
// CHECK-NOT: extsi
// CHECK-NOT: fptosi
func.func @cast(%u: tensor<4xui8>, %x: tensor<4xf32>)
    -> (tensor<4xf32>, tensor<4xi32>, tensor<4xui16>, tensor<4xui8>, tensor<4xi8>) {
  %0 = quern.cast %u : tensor<4xui8> to tensor<4xf32>
  %1 = quern.cast %u : tensor<4xui8> to tensor<4xi32>
  %2 = quern.cast %u : tensor<4xui8> to tensor<4xui16>
  %3 = quern.cast %x : tensor<4xf32> to tensor<4xui8>
  %4 = quern.cast %u : tensor<4xui8> to tensor<4xi8>
  return %0, %1, %2, %3, %4 : tensor<4xf32>, tensor<4xi32>, tensor<4xui16>, tensor<4xui8>, tensor<4xi8>
}

// -----

// A ui8 constant keeps its bits: 128 and 255 read as i8 are -128 and -1.
// CHECK-LABEL: func.func @constant
// CHECK: %[[C:.+]] = arith.constant dense<[1, -128, -1, 7]> : tensor<4xi8>
// CHECK: linalg.generic
// CHECK-SAME: ins(%{{.+}}, %[[C]] : tensor<4xi8>, tensor<4xi8>)
// CHECK: arith.divui
func.func @constant(%a: tensor<4xui8>) -> tensor<4xui8> {
  %c = quern.constant dense<[1, 128, 255, 7]> : tensor<4xui8>
  %0 = quern.div %a, %c : tensor<4xui8>
  return %0 : tensor<4xui8>
}

// -----

// A splat unsigned constant too.
// CHECK-LABEL: func.func @constant_splat
// CHECK: %[[C:.+]] = arith.constant dense<-56> : tensor<3xi8>
// CHECK: return %[[C]] : tensor<3xi8>
func.func @constant_splat() -> tensor<3xui8> {
  %c = quern.constant dense<200> : tensor<3xui8>
  return %c : tensor<3xui8>
}

// -----

// relu and abs of unsigned values: relu is a maxui with 0, abs the identity.
// CHECK-LABEL: func.func @relu_abs
// CHECK: ^bb0(%[[A:.+]]: i8, %{{.+}}: i8):
// CHECK: %[[ZERO:.+]] = arith.constant 0 : i8
// CHECK: %[[R:.+]] = arith.maxui %[[A]], %[[ZERO]] : i8
// CHECK: linalg.yield %[[R]] : i8
// CHECK: ^bb0(%[[B:.+]]: i8, %{{.+}}: i8):
// CHECK-NEXT: linalg.yield %[[B]] : i8
// CHECK-NOT: math.absi
func.func @relu_abs(%a: tensor<4xui8>) -> (tensor<4xui8>, tensor<4xui8>) {
  %0 = quern.relu %a : tensor<4xui8>
  %1 = quern.abs %a : tensor<4xui8>
  return %0, %1 : tensor<4xui8>, tensor<4xui8>
}

// -----

// Reductions start from the unsigned extremes: 0 for max, 255 (-1 as i8) for
// min.
// CHECK-LABEL: func.func @reductions
// CHECK: %[[ZERO:.+]] = arith.constant 0 : i8
// CHECK: linalg.fill ins(%[[ZERO]] : i8)
// CHECK: arith.maxui
// CHECK: %[[ALL_ONES:.+]] = arith.constant -1 : i8
// CHECK: linalg.fill ins(%[[ALL_ONES]] : i8)
// CHECK: arith.minui
func.func @reductions(%a: tensor<2x4xui8>) -> (tensor<2xui8>, tensor<2xui8>) {
  %0 = quern.reduce_max %a axes = [1] : tensor<2x4xui8> -> tensor<2xui8>
  %1 = quern.reduce_min %a axes = [1] : tensor<2x4xui8> -> tensor<2xui8>
  return %0, %1 : tensor<2xui8>, tensor<2xui8>
}

// -----

// Top-k and scatters order and combine unsigned values unsigned.
// CHECK-LABEL: func.func @topk_scatter
// CHECK: arith.cmpi ugt, %{{.+}}, %{{.+}} : i8
// CHECK: scf.for
// CHECK: arith.minui %{{.+}}, %{{.+}} : i8
func.func @topk_scatter(%a: tensor<5xui8>, %i: tensor<2xi64>, %u: tensor<2xui8>)
    -> (tensor<2xui8>, tensor<2xi64>, tensor<5xui8>) {
  %v, %idx = quern.topk %a k = 2 axis = 0 : tensor<5xui8> -> (tensor<2xui8>, tensor<2xi64>)
  %0 = quern.scatter_elements %a, %i, %u axis = 0 reduction = min
      : (tensor<5xui8>, tensor<2xi64>, tensor<2xui8>) -> tensor<5xui8>
  return %v, %idx, %0 : tensor<2xui8>, tensor<2xi64>, tensor<5xui8>
}
