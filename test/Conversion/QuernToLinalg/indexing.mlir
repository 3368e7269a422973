// RUN: quern-opt %s --convert-quern-to-linalg -split-input-file | FileCheck %s

// Gathers are all-parallel generics over the result that read the data with
// tensor.extract at a position computed from the index; scatters are scf.for
// nests over the updates that thread the data through tensor.insert. Every
// index read from a tensor is wrapped (negative counts from the end) and
// clamped into [0, size). Top-k is two generics: each element's rank in its
// line, then the element of each rank below k.

// Indices [2, 3] into axis 0 of [5, 4]: result [2, 3, 4] reads
// data[wrap(indices[d0, d1]), d2].
// CHECK-DAG: #[[IDX:.+]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-DAG: #[[OUT:.+]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-LABEL: func.func @gather
// CHECK-SAME: (%[[DATA:[^:]+]]: tensor<5x4xf32>, %[[INDICES:[^:]+]]: tensor<2x3xi64>)
// CHECK: %[[EMPTY:.+]] = tensor.empty() : tensor<2x3x4xf32>
// CHECK: %[[R:.+]] = linalg.generic
// CHECK-SAME: indexing_maps = [#[[IDX]], #[[OUT]]]
// CHECK-SAME: iterator_types = ["parallel", "parallel", "parallel"]
// CHECK-SAME: ins(%[[INDICES]] : tensor<2x3xi64>) outs(%[[EMPTY]] : tensor<2x3x4xf32>)
// CHECK: ^bb0(%[[I:.+]]: i64, %{{.+}}: f32):
// CHECK: %[[IDX_I:.+]] = arith.index_cast %[[I]] : i64 to index
// CHECK-DAG: %[[C0:.+]] = arith.constant 0 : index
// CHECK-DAG: %[[C5:.+]] = arith.constant 5 : index
// CHECK-DAG: %[[C4:.+]] = arith.constant 4 : index
// CHECK: %[[NEG:.+]] = arith.cmpi slt, %[[IDX_I]], %[[C0]] : index
// CHECK: %[[UP:.+]] = arith.addi %[[IDX_I]], %[[C5]] : index
// CHECK: %[[WRAP:.+]] = arith.select %[[NEG]], %[[UP]], %[[IDX_I]] : index
// CHECK: %[[LO:.+]] = arith.maxsi %[[WRAP]], %[[C0]] : index
// CHECK: %[[ROW:.+]] = arith.minsi %[[LO]], %[[C4]] : index
// CHECK: %[[COL:.+]] = linalg.index 2 : index
// CHECK: %[[V:.+]] = tensor.extract %[[DATA]][%[[ROW]], %[[COL]]] : tensor<5x4xf32>
// CHECK: linalg.yield %[[V]] : f32
// CHECK: return %[[R]]
func.func @gather(%data: tensor<5x4xf32>, %indices: tensor<2x3xi64>) -> tensor<2x3x4xf32> {
  %0 = quern.gather %data, %indices axis = 0 : (tensor<5x4xf32>, tensor<2x3xi64>) -> tensor<2x3x4xf32>
  return %0 : tensor<2x3x4xf32>
}

// -----

// Along an inner axis the dimensions before it come first: result [2, 4, 3]
// reads data[d0, wrap(indices[d1]), d2].
// CHECK-DAG: #[[IDX:.+]] = affine_map<(d0, d1, d2) -> (d1)>
// CHECK-DAG: #[[OUT:.+]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-LABEL: func.func @gather_inner_axis
// CHECK-SAME: (%[[DATA:[^:]+]]: tensor<2x5x3xf32>, %[[INDICES:[^:]+]]: tensor<4xi32>)
// CHECK: linalg.generic
// CHECK-SAME: indexing_maps = [#[[IDX]], #[[OUT]]]
// CHECK-SAME: ins(%[[INDICES]] : tensor<4xi32>)
// CHECK: ^bb0(%[[I:.+]]: i32, %{{.+}}: f32):
// CHECK: %[[D0:.+]] = linalg.index 0 : index
// CHECK: arith.index_cast %[[I]] : i32 to index
// CHECK: %[[MID:.+]] = arith.minsi
// CHECK: %[[D2:.+]] = linalg.index 2 : index
// CHECK: %[[V:.+]] = tensor.extract %[[DATA]][%[[D0]], %[[MID]], %[[D2]]] : tensor<2x5x3xf32>
// CHECK: linalg.yield %[[V]] : f32
func.func @gather_inner_axis(%data: tensor<2x5x3xf32>, %indices: tensor<4xi32>) -> tensor<2x4x3xf32> {
  %0 = quern.gather %data, %indices axis = 1 : (tensor<2x5x3xf32>, tensor<4xi32>) -> tensor<2x4x3xf32>
  return %0 : tensor<2x4x3xf32>
}

// -----

// A scalar index removes the axis: indices are read through a map with no
// results.
// CHECK-DAG: #[[IDX:.+]] = affine_map<(d0) -> ()>
// CHECK-DAG: #[[OUT:.+]] = affine_map<(d0) -> (d0)>
// CHECK-LABEL: func.func @gather_scalar_index
// CHECK-SAME: (%[[DATA:[^:]+]]: tensor<3x6xf16>, %[[INDEX:[^:]+]]: tensor<i64>)
// CHECK: linalg.generic
// CHECK-SAME: indexing_maps = [#[[IDX]], #[[OUT]]]
// CHECK-SAME: ins(%[[INDEX]] : tensor<i64>) outs(%{{.+}} : tensor<3xf16>)
// CHECK: %[[D0:.+]] = linalg.index 0 : index
// CHECK: arith.constant 6 : index
// CHECK: %[[COL:.+]] = arith.minsi
// CHECK: tensor.extract %[[DATA]][%[[D0]], %[[COL]]] : tensor<3x6xf16>
func.func @gather_scalar_index(%data: tensor<3x6xf16>, %index: tensor<i64>) -> tensor<3xf16> {
  %0 = quern.gather %data, %index axis = 1 : (tensor<3x6xf16>, tensor<i64>) -> tensor<3xf16>
  return %0 : tensor<3xf16>
}

// -----

// result[i, j] = data[i, wrap(indices[i, j])], clamped into [0, 3].
// CHECK: #[[ID:.+]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-LABEL: func.func @gather_elements
// CHECK-SAME: (%[[DATA:[^:]+]]: tensor<3x4xf32>, %[[INDICES:[^:]+]]: tensor<3x2xi64>)
// CHECK: %[[EMPTY:.+]] = tensor.empty() : tensor<3x2xf32>
// CHECK: %[[R:.+]] = linalg.generic
// CHECK-SAME: indexing_maps = [#[[ID]], #[[ID]]]
// CHECK-SAME: ins(%[[INDICES]] : tensor<3x2xi64>) outs(%[[EMPTY]] : tensor<3x2xf32>)
// CHECK: ^bb0(%[[I:.+]]: i64, %{{.+}}: f32):
// CHECK: %[[D0:.+]] = linalg.index 0 : index
// CHECK: %[[IDX_I:.+]] = arith.index_cast %[[I]] : i64 to index
// CHECK-DAG: %[[C0:.+]] = arith.constant 0 : index
// CHECK-DAG: %[[C4:.+]] = arith.constant 4 : index
// CHECK-DAG: %[[C3:.+]] = arith.constant 3 : index
// CHECK: %[[NEG:.+]] = arith.cmpi slt, %[[IDX_I]], %[[C0]] : index
// CHECK: %[[UP:.+]] = arith.addi %[[IDX_I]], %[[C4]] : index
// CHECK: %[[WRAP:.+]] = arith.select %[[NEG]], %[[UP]], %[[IDX_I]] : index
// CHECK: %[[LO:.+]] = arith.maxsi %[[WRAP]], %[[C0]] : index
// CHECK: %[[COL:.+]] = arith.minsi %[[LO]], %[[C3]] : index
// CHECK: %[[V:.+]] = tensor.extract %[[DATA]][%[[D0]], %[[COL]]] : tensor<3x4xf32>
// CHECK: linalg.yield %[[V]] : f32
// CHECK: return %[[R]]
func.func @gather_elements(%data: tensor<3x4xf32>, %indices: tensor<3x2xi64>) -> tensor<3x2xf32> {
  %0 = quern.gather_elements %data, %indices axis = 1 : (tensor<3x4xf32>, tensor<3x2xi64>) -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}

// -----

// Along axis 0 the wrapped index is the row and d1 the column.
// CHECK-LABEL: func.func @gather_elements_axis0
// CHECK-SAME: (%[[DATA:[^:]+]]: tensor<3x4xi1>, %[[INDICES:[^:]+]]: tensor<5x4xi32>)
// CHECK: ^bb0(%[[I:.+]]: i32, %{{.+}}: i1):
// CHECK: arith.index_cast %[[I]] : i32 to index
// CHECK: arith.constant 3 : index
// CHECK: %[[ROW:.+]] = arith.minsi
// CHECK: %[[D1:.+]] = linalg.index 1 : index
// CHECK: %[[V:.+]] = tensor.extract %[[DATA]][%[[ROW]], %[[D1]]] : tensor<3x4xi1>
// CHECK: linalg.yield %[[V]] : i1
func.func @gather_elements_axis0(%data: tensor<3x4xi1>, %indices: tensor<5x4xi32>) -> tensor<5x4xi1> {
  %0 = quern.gather_elements %data, %indices axis = 0 : (tensor<3x4xi1>, tensor<5x4xi32>) -> tensor<5x4xi1>
  return %0 : tensor<5x4xi1>
}

// -----

// A loop nest over the updates [3, 2] in row-major order, threading the data
// through iter_args; with add the old value is read and combined.
// CHECK-LABEL: func.func @scatter_elements_add
// CHECK-SAME: (%[[DATA:[^:]+]]: tensor<3x4xf32>, %[[INDICES:[^:]+]]: tensor<3x2xi64>, %[[UPDATES:[^:]+]]: tensor<3x2xf32>)
// CHECK-DAG: %[[C3:.+]] = arith.constant 3 : index
// CHECK-DAG: %[[C2:.+]] = arith.constant 2 : index
// CHECK: %[[R:.+]] = scf.for %[[I:.+]] = %{{.+}} to %[[C3]] step %{{.+}} iter_args(%[[OUTER:.+]] = %[[DATA]]) -> (tensor<3x4xf32>) {
// CHECK: %[[INNER_R:.+]] = scf.for %[[J:.+]] = %{{.+}} to %[[C2]] step %{{.+}} iter_args(%[[ACC:.+]] = %[[OUTER]]) -> (tensor<3x4xf32>) {
// CHECK: %[[IDX:.+]] = tensor.extract %[[INDICES]][%[[I]], %[[J]]] : tensor<3x2xi64>
// CHECK: arith.index_cast %[[IDX]] : i64 to index
// CHECK: arith.constant 4 : index
// CHECK: arith.constant 3 : index
// CHECK: %[[COL:.+]] = arith.minsi
// CHECK: %[[UPD:.+]] = tensor.extract %[[UPDATES]][%[[I]], %[[J]]] : tensor<3x2xf32>
// CHECK: %[[OLD:.+]] = tensor.extract %[[ACC]][%[[I]], %[[COL]]] : tensor<3x4xf32>
// CHECK: %[[SUM:.+]] = arith.addf %[[OLD]], %[[UPD]] : f32
// CHECK: %[[INS:.+]] = tensor.insert %[[SUM]] into %[[ACC]][%[[I]], %[[COL]]] : tensor<3x4xf32>
// CHECK: scf.yield %[[INS]] : tensor<3x4xf32>
// CHECK: scf.yield %[[INNER_R]] : tensor<3x4xf32>
// CHECK: return %[[R]]
func.func @scatter_elements_add(%data: tensor<3x4xf32>, %indices: tensor<3x2xi64>, %updates: tensor<3x2xf32>) -> tensor<3x4xf32> {
  %0 = quern.scatter_elements %data, %indices, %updates axis = 1 reduction = add
      : (tensor<3x4xf32>, tensor<3x2xi64>, tensor<3x2xf32>) -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

// -----

// Scattered into a splat constant (an embedding's gradient, into zeros), the
// loops start from a fresh filled tensor: a constant would be a global as
// large as the tensor, copied into the result on every call, and a
// tensor.empty would be made one by CSE with an earlier equal fill.
// CHECK-LABEL: func.func @scatter_into_zeros
// CHECK-DAG: %[[ZERO:.+]] = arith.constant 0.000000e+00 : f32
// CHECK-DAG: %[[ALLOC:.+]] = bufferization.alloc_tensor() : tensor<1000x64xf32>
// CHECK: %[[FILLED:.+]] = linalg.fill ins(%[[ZERO]] : f32) outs(%[[ALLOC]] : tensor<1000x64xf32>)
// CHECK: scf.for %{{.+}} = %{{.+}} to %{{.+}} step %{{.+}} iter_args(%{{.+}} = %[[FILLED]]) -> (tensor<1000x64xf32>)
func.func @scatter_into_zeros(%indices: tensor<8x64xi64>, %updates: tensor<8x64xf32>) -> tensor<1000x64xf32> {
  %zeros = arith.constant dense<0.0> : tensor<1000x64xf32>
  %0 = quern.scatter_elements %zeros, %indices, %updates axis = 0 reduction = add
      : (tensor<1000x64xf32>, tensor<8x64xi64>, tensor<8x64xf32>) -> tensor<1000x64xf32>
  return %0 : tensor<1000x64xf32>
}

// -----

// reduction = none writes the update without reading the old value.
// CHECK-LABEL: func.func @scatter_elements_none
// CHECK-SAME: (%[[DATA:[^:]+]]: tensor<5xi32>, %[[INDICES:[^:]+]]: tensor<2xi32>, %[[UPDATES:[^:]+]]: tensor<2xi32>)
// CHECK: scf.for %[[I:.+]] = %{{.+}} to %{{.+}} step %{{.+}} iter_args(%[[ACC:.+]] = %[[DATA]]) -> (tensor<5xi32>) {
// CHECK: tensor.extract %[[INDICES]][%[[I]]] : tensor<2xi32>
// CHECK: %[[POS:.+]] = arith.minsi
// CHECK: %[[UPD:.+]] = tensor.extract %[[UPDATES]][%[[I]]] : tensor<2xi32>
// CHECK-NOT: tensor.extract %[[ACC]]
// CHECK: %[[INS:.+]] = tensor.insert %[[UPD]] into %[[ACC]][%[[POS]]] : tensor<5xi32>
// CHECK: scf.yield %[[INS]]
func.func @scatter_elements_none(%data: tensor<5xi32>, %indices: tensor<2xi32>, %updates: tensor<2xi32>) -> tensor<5xi32> {
  %0 = quern.scatter_elements %data, %indices, %updates axis = 0 reduction = none
      : (tensor<5xi32>, tensor<2xi32>, tensor<2xi32>) -> tensor<5xi32>
  return %0 : tensor<5xi32>
}

// -----

// The other reductions combine with mul, max and min of the element type
// (NaN-propagating for floats, signed for i32).
// CHECK-LABEL: func.func @scatter_elements_reductions
// CHECK: arith.mulf
// CHECK: arith.maximumf
// CHECK: arith.minsi
func.func @scatter_elements_reductions(%f: tensor<4xf32>, %i: tensor<4xi32>, %indices: tensor<2xi64>,
                                       %fu: tensor<2xf32>, %iu: tensor<2xi32>)
    -> (tensor<4xf32>, tensor<4xf32>, tensor<4xi32>) {
  %0 = quern.scatter_elements %f, %indices, %fu axis = 0 reduction = mul
      : (tensor<4xf32>, tensor<2xi64>, tensor<2xf32>) -> tensor<4xf32>
  %1 = quern.scatter_elements %f, %indices, %fu axis = 0 reduction = max
      : (tensor<4xf32>, tensor<2xi64>, tensor<2xf32>) -> tensor<4xf32>
  %2 = quern.scatter_elements %i, %indices, %iu axis = 0 reduction = min
      : (tensor<4xi32>, tensor<2xi64>, tensor<2xi32>) -> tensor<4xi32>
  return %0, %1, %2 : tensor<4xf32>, tensor<4xf32>, tensor<4xi32>
}

// -----

// Tuples of length 1 into [4, 5] name rows: loops over the updates [2, 5];
// the row is indices[i, 0], wrapped into [0, 4); the column is the loop's.
// CHECK-LABEL: func.func @scatter_nd_rows
// CHECK-SAME: (%[[DATA:[^:]+]]: tensor<4x5xf32>, %[[INDICES:[^:]+]]: tensor<2x1xi64>, %[[UPDATES:[^:]+]]: tensor<2x5xf32>)
// CHECK: %[[R:.+]] = scf.for %[[I:.+]] = %{{.+}} to %{{.+}} step %{{.+}} iter_args(%[[OUTER:.+]] = %[[DATA]]) -> (tensor<4x5xf32>) {
// CHECK: scf.for %[[J:.+]] = %{{.+}} to %{{.+}} step %{{.+}} iter_args(%[[ACC:.+]] = %[[OUTER]]) -> (tensor<4x5xf32>) {
// CHECK: %[[K0:.+]] = arith.constant 0 : index
// CHECK: %[[IDX:.+]] = tensor.extract %[[INDICES]][%[[I]], %[[K0]]] : tensor<2x1xi64>
// CHECK: arith.index_cast %[[IDX]] : i64 to index
// CHECK: arith.constant 4 : index
// CHECK: arith.constant 3 : index
// CHECK: %[[ROW:.+]] = arith.minsi
// CHECK: %[[UPD:.+]] = tensor.extract %[[UPDATES]][%[[I]], %[[J]]] : tensor<2x5xf32>
// CHECK: %[[OLD:.+]] = tensor.extract %[[ACC]][%[[ROW]], %[[J]]] : tensor<4x5xf32>
// CHECK: %[[M:.+]] = arith.maximumf %[[OLD]], %[[UPD]] : f32
// CHECK: %[[INS:.+]] = tensor.insert %[[M]] into %[[ACC]][%[[ROW]], %[[J]]] : tensor<4x5xf32>
// CHECK: scf.yield %[[INS]]
// CHECK: return %[[R]]
func.func @scatter_nd_rows(%data: tensor<4x5xf32>, %indices: tensor<2x1xi64>, %updates: tensor<2x5xf32>) -> tensor<4x5xf32> {
  %0 = quern.scatter_nd %data, %indices, %updates reduction = max
      : (tensor<4x5xf32>, tensor<2x1xi64>, tensor<2x5xf32>) -> tensor<4x5xf32>
  return %0 : tensor<4x5xf32>
}

// -----

// ScatterND into a splat constant starts from a fresh filled tensor too.
// CHECK-LABEL: func.func @scatter_nd_into_zeros
// CHECK-DAG: %[[ZERO:.+]] = arith.constant 0.000000e+00 : f32
// CHECK-DAG: %[[ALLOC:.+]] = bufferization.alloc_tensor() : tensor<4x5xf32>
// CHECK: %[[FILLED:.+]] = linalg.fill ins(%[[ZERO]] : f32) outs(%[[ALLOC]] : tensor<4x5xf32>)
// CHECK: scf.for %{{.+}} = %{{.+}} to %{{.+}} step %{{.+}} iter_args(%{{.+}} = %[[FILLED]]) -> (tensor<4x5xf32>)
func.func @scatter_nd_into_zeros(%indices: tensor<2x1xi64>, %updates: tensor<2x5xf32>) -> tensor<4x5xf32> {
  %zeros = arith.constant dense<0.0> : tensor<4x5xf32>
  %0 = quern.scatter_nd %zeros, %indices, %updates reduction = add
      : (tensor<4x5xf32>, tensor<2x1xi64>, tensor<2x5xf32>) -> tensor<4x5xf32>
  return %0 : tensor<4x5xf32>
}

// -----

// Full tuples into [4, 6]: one loop over the 3 updates, each coordinate read
// from the tuple and wrapped into its own dimension's size.
// CHECK-LABEL: func.func @scatter_nd_elements
// CHECK-SAME: (%[[DATA:[^:]+]]: tensor<4x6xi64>, %[[INDICES:[^:]+]]: tensor<3x2xi32>, %[[UPDATES:[^:]+]]: tensor<3xi64>)
// CHECK: scf.for %[[I:.+]] = %{{.+}} to %{{.+}} step %{{.+}} iter_args(%[[ACC:.+]] = %[[DATA]]) -> (tensor<4x6xi64>) {
// CHECK: %[[K0:.+]] = arith.constant 0 : index
// CHECK: tensor.extract %[[INDICES]][%[[I]], %[[K0]]] : tensor<3x2xi32>
// CHECK: arith.constant 4 : index
// CHECK: arith.constant 3 : index
// CHECK: %[[ROW:.+]] = arith.minsi
// CHECK: %[[K1:.+]] = arith.constant 1 : index
// CHECK: tensor.extract %[[INDICES]][%[[I]], %[[K1]]] : tensor<3x2xi32>
// CHECK: arith.constant 6 : index
// CHECK: arith.constant 5 : index
// CHECK: %[[COL:.+]] = arith.minsi
// CHECK: %[[UPD:.+]] = tensor.extract %[[UPDATES]][%[[I]]] : tensor<3xi64>
// CHECK: tensor.insert %[[UPD]] into %[[ACC]][%[[ROW]], %[[COL]]] : tensor<4x6xi64>
func.func @scatter_nd_elements(%data: tensor<4x6xi64>, %indices: tensor<3x2xi32>, %updates: tensor<3xi64>) -> tensor<4x6xi64> {
  %0 = quern.scatter_nd %data, %indices, %updates reduction = none
      : (tensor<4x6xi64>, tensor<3x2xi32>, tensor<3xi64>) -> tensor<4x6xi64>
  return %0 : tensor<4x6xi64>
}

// -----

// Top-2 of the lines along axis 1 of [3, 5]. Loops (d0, d1, d2): d1 is the
// element's position in its line, d2 runs along the line. First generic:
// rank[d0, d1] counts the elements x[d0, d2] that are greater, or equal and
// earlier (so ties keep their order). Floats are ordered totally, NaN above
// every number and equal to NaN: "greater" is ugt unless self is NaN, "equal"
// is oeq or both NaN. Second generic: for each output slot d1 < k, the
// element at d2 whose rank is d1, and d2 as its index.
// CHECK-DAG: #[[SELF:.+]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-DAG: #[[OTHER:.+]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-LABEL: func.func @topk
// CHECK-SAME: (%[[X:.+]]: tensor<3x5xf32>)
// CHECK: %[[ZERO:.+]] = arith.constant 0 : i64
// CHECK: %[[RANKS_INIT:.+]] = linalg.fill ins(%[[ZERO]] : i64) outs(%{{.+}} : tensor<3x5xi64>)
// CHECK: %[[RANKS:.+]] = linalg.generic
// CHECK-SAME: indexing_maps = [#[[SELF]], #[[OTHER]], #[[SELF]]]
// CHECK-SAME: iterator_types = ["parallel", "parallel", "reduction"]
// CHECK-SAME: ins(%[[X]], %[[X]] : tensor<3x5xf32>, tensor<3x5xf32>) outs(%[[RANKS_INIT]] : tensor<3x5xi64>)
// CHECK: ^bb0(%[[SELF_V:.+]]: f32, %[[OTHER_V:.+]]: f32, %[[COUNT:.+]]: i64):
// CHECK: %[[SELF_POS:.+]] = linalg.index 1 : index
// CHECK: %[[OTHER_POS:.+]] = linalg.index 2 : index
// CHECK-DAG: %[[OTHER_NAN:.+]] = arith.cmpf uno, %[[OTHER_V]], %[[OTHER_V]] : f32
// CHECK-DAG: %[[SELF_NAN:.+]] = arith.cmpf uno, %[[SELF_V]], %[[SELF_V]] : f32
// CHECK-DAG: %[[TRUE:.+]] = arith.constant true
// CHECK: %[[UGT:.+]] = arith.cmpf ugt, %[[OTHER_V]], %[[SELF_V]] : f32
// CHECK: %[[SELF_NUMBER:.+]] = arith.xori %[[SELF_NAN]], %[[TRUE]] : i1
// CHECK: %[[GREATER:.+]] = arith.andi %[[UGT]], %[[SELF_NUMBER]] : i1
// CHECK: %[[OEQ:.+]] = arith.cmpf oeq, %[[OTHER_V]], %[[SELF_V]] : f32
// CHECK: %[[BOTH_NAN:.+]] = arith.andi %[[OTHER_NAN]], %[[SELF_NAN]] : i1
// CHECK: %[[EQUAL:.+]] = arith.ori %[[OEQ]], %[[BOTH_NAN]] : i1
// CHECK: %[[EARLIER:.+]] = arith.cmpi ult, %[[OTHER_POS]], %[[SELF_POS]] : index
// CHECK: %[[TIE:.+]] = arith.andi %[[EQUAL]], %[[EARLIER]] : i1
// CHECK: %[[BEFORE:.+]] = arith.ori %[[GREATER]], %[[TIE]] : i1
// CHECK: %[[ONE:.+]] = arith.extui %[[BEFORE]] : i1 to i64
// CHECK: %[[NEXT:.+]] = arith.addi %[[COUNT]], %[[ONE]] : i64
// CHECK: linalg.yield %[[NEXT]] : i64
// CHECK: %[[VALUES_INIT:.+]] = linalg.fill ins(%{{.+}} : f32) outs(%{{.+}} : tensor<3x2xf32>)
// CHECK: %[[INDICES_INIT:.+]] = linalg.fill ins(%[[ZERO]] : i64) outs(%{{.+}} : tensor<3x2xi64>)
// CHECK: %[[PICKED:.+]]:2 = linalg.generic
// CHECK-SAME: indexing_maps = [#[[OTHER]], #[[OTHER]], #[[SELF]], #[[SELF]]]
// CHECK-SAME: iterator_types = ["parallel", "parallel", "reduction"]
// CHECK-SAME: ins(%[[X]], %[[RANKS]] : tensor<3x5xf32>, tensor<3x5xi64>) outs(%[[VALUES_INIT]], %[[INDICES_INIT]] : tensor<3x2xf32>, tensor<3x2xi64>)
// CHECK: ^bb0(%[[V:.+]]: f32, %[[RANK:.+]]: i64, %[[V_ACC:.+]]: f32, %[[I_ACC:.+]]: i64):
// CHECK: %[[SLOT:.+]] = linalg.index 1 : index
// CHECK: %[[WANTED:.+]] = arith.index_cast %[[SLOT]] : index to i64
// CHECK: %[[POS:.+]] = linalg.index 2 : index
// CHECK: %[[POS64:.+]] = arith.index_cast %[[POS]] : index to i64
// CHECK: %[[MATCH:.+]] = arith.cmpi eq, %[[RANK]], %[[WANTED]] : i64
// CHECK: %[[NEW_V:.+]] = arith.select %[[MATCH]], %[[V]], %[[V_ACC]] : f32
// CHECK: %[[NEW_I:.+]] = arith.select %[[MATCH]], %[[POS64]], %[[I_ACC]] : i64
// CHECK: linalg.yield %[[NEW_V]], %[[NEW_I]] : f32, i64
// CHECK: return %[[PICKED]]#0, %[[PICKED]]#1
func.func @topk(%x: tensor<3x5xf32>) -> (tensor<3x2xf32>, tensor<3x2xi64>) {
  %v, %i = quern.topk %x k = 2 axis = 1 : tensor<3x5xf32> -> (tensor<3x2xf32>, tensor<3x2xi64>)
  return %v, %i : tensor<3x2xf32>, tensor<3x2xi64>
}

// -----

// smallest counts the elements that are less; along axis 0 the line runs over
// d0 and the extra loop is d2.
// CHECK-DAG: #[[SELF:.+]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-DAG: #[[OTHER:.+]] = affine_map<(d0, d1, d2) -> (d2, d1)>
// CHECK-LABEL: func.func @topk_smallest_axis0
// CHECK: linalg.generic
// CHECK-SAME: indexing_maps = [#[[SELF]], #[[OTHER]], #[[SELF]]]
// CHECK-SAME: iterator_types = ["parallel", "parallel", "reduction"]
// CHECK: ^bb0(%[[SELF_V:.+]]: i32, %[[OTHER_V:.+]]: i32, %{{.+}}: i64):
// CHECK: %[[SELF_POS:.+]] = linalg.index 0 : index
// CHECK: %[[OTHER_POS:.+]] = linalg.index 2 : index
// CHECK: arith.cmpi slt, %[[OTHER_V]], %[[SELF_V]] : i32
// CHECK: arith.cmpi eq, %[[OTHER_V]], %[[SELF_V]] : i32
// CHECK: arith.cmpi ult, %[[OTHER_POS]], %[[SELF_POS]] : index
// CHECK: linalg.generic
// CHECK-SAME: indexing_maps = [#[[OTHER]], #[[OTHER]], #[[SELF]], #[[SELF]]]
// CHECK-SAME: outs(%{{.+}}, %{{.+}} : tensor<1x3xi32>, tensor<1x3xi64>)
// CHECK: linalg.index 0 : index
func.func @topk_smallest_axis0(%x: tensor<4x3xi32>) -> (tensor<1x3xi32>, tensor<1x3xi64>) {
  %v, %i = quern.topk %x k = 1 axis = 0 smallest : tensor<4x3xi32> -> (tensor<1x3xi32>, tensor<1x3xi64>)
  return %v, %i : tensor<1x3xi32>, tensor<1x3xi64>
}

// -----

// With smallest, NaN still counts as the largest: "less" is ult unless other
// is NaN, so NaNs come last.
// CHECK-LABEL: func.func @topk_smallest_float
// CHECK: ^bb0(%[[SELF_V:.+]]: f16, %[[OTHER_V:.+]]: f16, %{{.+}}: i64):
// CHECK-DAG: %[[OTHER_NAN:.+]] = arith.cmpf uno, %[[OTHER_V]], %[[OTHER_V]] : f16
// CHECK-DAG: %[[TRUE:.+]] = arith.constant true
// CHECK: %[[ULT:.+]] = arith.cmpf ult, %[[OTHER_V]], %[[SELF_V]] : f16
// CHECK: %[[OTHER_NUMBER:.+]] = arith.xori %[[OTHER_NAN]], %[[TRUE]] : i1
// CHECK: %[[LESS:.+]] = arith.andi %[[ULT]], %[[OTHER_NUMBER]] : i1
func.func @topk_smallest_float(%x: tensor<6xf16>) -> (tensor<3xf16>, tensor<3xi64>) {
  %v, %i = quern.topk %x k = 3 axis = 0 smallest : tensor<6xf16> -> (tensor<3xf16>, tensor<3xi64>)
  return %v, %i : tensor<3xf16>, tensor<3xi64>
}

// -----

// Keeps x[..., i, j] where j - i >= k (upper) or <= k (lower), from the last
// two loop indices; the rest becomes 0.
// CHECK: #[[ID:.+]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-LABEL: func.func @trilu_upper
// CHECK-SAME: (%[[X:.+]]: tensor<2x3x4xf32>)
// CHECK: %[[R:.+]] = linalg.generic
// CHECK-SAME: indexing_maps = [#[[ID]], #[[ID]]]
// CHECK-SAME: ins(%[[X]] : tensor<2x3x4xf32>)
// CHECK: ^bb0(%[[IN:.+]]: f32, %{{.+}}: f32):
// CHECK: %[[I:.+]] = linalg.index 1 : index
// CHECK: %[[ROW:.+]] = arith.index_cast %[[I]] : index to i64
// CHECK: %[[J:.+]] = linalg.index 2 : index
// CHECK: %[[COL:.+]] = arith.index_cast %[[J]] : index to i64
// CHECK: %[[OFF:.+]] = arith.subi %[[COL]], %[[ROW]] : i64
// CHECK: %[[K:.+]] = arith.constant 1 : i64
// CHECK: %[[KEEP:.+]] = arith.cmpi sge, %[[OFF]], %[[K]] : i64
// CHECK: %[[ZERO:.+]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[Y:.+]] = arith.select %[[KEEP]], %[[IN]], %[[ZERO]] : f32
// CHECK: linalg.yield %[[Y]] : f32
// CHECK: return %[[R]]
func.func @trilu_upper(%x: tensor<2x3x4xf32>) -> tensor<2x3x4xf32> {
  %0 = quern.trilu %x k = 1 upper : tensor<2x3x4xf32>
  return %0 : tensor<2x3x4xf32>
}

// -----

// CHECK-LABEL: func.func @trilu_lower
// CHECK: ^bb0(%[[IN:.+]]: i64, %{{.+}}: i64):
// CHECK: %[[OFF:.+]] = arith.subi
// CHECK: %[[K:.+]] = arith.constant -1 : i64
// CHECK: %[[KEEP:.+]] = arith.cmpi sle, %[[OFF]], %[[K]] : i64
// CHECK: %[[ZERO:.+]] = arith.constant 0 : i64
// CHECK: arith.select %[[KEEP]], %[[IN]], %[[ZERO]] : i64
func.func @trilu_lower(%x: tensor<3x3xi64>) -> tensor<3x3xi64> {
  %0 = quern.trilu %x k = -1 : tensor<3x3xi64>
  return %0 : tensor<3x3xi64>
}

// -----

// One generic with two results. The row-major position, xor'ed with
// seed * 0x9E3779B97F4A7C15 (here 5 * that, mod 2^64), goes through the
// murmur3 finalizer; an element is kept when the top 24 bits of the hash are
// at least ratio * 2^24 (0.25 * 2^24 = 4194304), and then scaled by
// 1 / (1 - ratio).
// CHECK: #[[ID:.+]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-LABEL: func.func @dropout
// CHECK-SAME: (%[[X:.+]]: tensor<2x3xf32>)
// CHECK-DAG: %[[EMPTY:.+]] = tensor.empty() : tensor<2x3xf32>
// CHECK-DAG: %[[EMPTY_MASK:.+]] = tensor.empty() : tensor<2x3xi1>
// CHECK: %[[R:.+]]:2 = linalg.generic
// CHECK-SAME: indexing_maps = [#[[ID]], #[[ID]], #[[ID]]]
// CHECK-SAME: iterator_types = ["parallel", "parallel"]
// CHECK-SAME: ins(%[[X]] : tensor<2x3xf32>) outs(%[[EMPTY]], %[[EMPTY_MASK]] : tensor<2x3xf32>, tensor<2x3xi1>)
// CHECK: ^bb0(%[[IN:.+]]: f32, %{{.+}}: f32, %{{.+}}: i1):
// CHECK: %[[LINEAR:.+]] = arith.index_cast %{{.+}} : index to i64
// CHECK: %[[SEED:.+]] = arith.constant 1663341875487337577 : i64
// CHECK: %[[H0:.+]] = arith.xori %[[LINEAR]], %[[SEED]] : i64
// CHECK: arith.constant -49064778989728563 : i64
// CHECK: arith.constant -4265267296055464877 : i64
// CHECK: %[[TOP:.+]] = arith.constant 40 : i64
// CHECK: %[[BITS:.+]] = arith.shrui %{{.+}}, %[[TOP]] : i64
// CHECK: %[[THRESHOLD:.+]] = arith.constant 4194304 : i64
// CHECK: %[[KEEP:.+]] = arith.cmpi uge, %[[BITS]], %[[THRESHOLD]] : i64
// CHECK: %[[SCALE:.+]] = arith.constant 1.33333337 : f32
// CHECK: %[[SCALED:.+]] = arith.mulf %[[IN]], %[[SCALE]] : f32
// CHECK: %[[ZERO:.+]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[Y:.+]] = arith.select %[[KEEP]], %[[SCALED]], %[[ZERO]] : f32
// CHECK: linalg.yield %[[Y]], %[[KEEP]] : f32, i1
// CHECK: return %[[R]]#0, %[[R]]#1
func.func @dropout(%x: tensor<2x3xf32>) -> (tensor<2x3xf32>, tensor<2x3xi1>) {
  %y, %mask = quern.dropout %x ratio = 0.25 seed = 5 : tensor<2x3xf32> -> tensor<2x3xi1>
  return %y, %mask : tensor<2x3xf32>, tensor<2x3xi1>
}
