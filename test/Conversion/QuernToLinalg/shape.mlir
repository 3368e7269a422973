// RUN: quern-opt %s --convert-quern-to-linalg -split-input-file | FileCheck %s

// Reshapes become tensor.collapse_shape / tensor.expand_shape (views after
// bufferization); a reshape that neither only merges nor only splits
// neighbouring dimensions goes through the flat vector. Transposes become
// linalg.transpose, broadcasts a copying generic, constants arith.constant.

// CHECK-LABEL: func.func @reshape_collapse
// CHECK-SAME: (%[[X:.+]]: tensor<4x8xf32>)
// CHECK: %[[R:.+]] = tensor.collapse_shape %[[X]] {{\[}}[0, 1]] : tensor<4x8xf32> into tensor<32xf32>
// CHECK: return %[[R]]
func.func @reshape_collapse(%x: tensor<4x8xf32>) -> tensor<32xf32> {
  %0 = quern.reshape %x : tensor<4x8xf32> -> tensor<32xf32>
  return %0 : tensor<32xf32>
}

// -----

// CHECK-LABEL: func.func @reshape_collapse_groups
// CHECK-SAME: (%[[X:.+]]: tensor<2x3x4xf32>)
// CHECK: %[[R:.+]] = tensor.collapse_shape %[[X]] {{\[}}[0, 1], [2]] : tensor<2x3x4xf32> into tensor<6x4xf32>
// CHECK: return %[[R]]
func.func @reshape_collapse_groups(%x: tensor<2x3x4xf32>) -> tensor<6x4xf32> {
  %0 = quern.reshape %x : tensor<2x3x4xf32> -> tensor<6x4xf32>
  return %0 : tensor<6x4xf32>
}

// -----

// Dropping a unit dimension is a collapse too.
// CHECK-LABEL: func.func @reshape_drop_unit
// CHECK-SAME: (%[[X:.+]]: tensor<2x1x3xi64>)
// CHECK: %[[R:.+]] = tensor.collapse_shape %[[X]] {{\[}}[0], [1, 2]] : tensor<2x1x3xi64> into tensor<2x3xi64>
// CHECK: return %[[R]]
func.func @reshape_drop_unit(%x: tensor<2x1x3xi64>) -> tensor<2x3xi64> {
  %0 = quern.reshape %x : tensor<2x1x3xi64> -> tensor<2x3xi64>
  return %0 : tensor<2x3xi64>
}

// -----

// CHECK-LABEL: func.func @reshape_expand
// CHECK-SAME: (%[[X:.+]]: tensor<6x4xf32>)
// CHECK: %[[R:.+]] = tensor.expand_shape %[[X]] {{\[}}[0, 1], [2]] output_shape [2, 3, 4] : tensor<6x4xf32> into tensor<2x3x4xf32>
// CHECK: return %[[R]]
func.func @reshape_expand(%x: tensor<6x4xf32>) -> tensor<2x3x4xf32> {
  %0 = quern.reshape %x : tensor<6x4xf32> -> tensor<2x3x4xf32>
  return %0 : tensor<2x3x4xf32>
}

// -----

// Same rank, different shape: flatten, then expand.
// CHECK-LABEL: func.func @reshape_same_rank
// CHECK-SAME: (%[[X:.+]]: tensor<2x3xf32>)
// CHECK: %[[FLAT:.+]] = tensor.collapse_shape %[[X]] {{\[}}[0, 1]] : tensor<2x3xf32> into tensor<6xf32>
// CHECK: %[[R:.+]] = tensor.expand_shape %[[FLAT]] {{\[}}[0, 1]] output_shape [3, 2] : tensor<6xf32> into tensor<3x2xf32>
// CHECK: return %[[R]]
func.func @reshape_same_rank(%x: tensor<2x3xf32>) -> tensor<3x2xf32> {
  %0 = quern.reshape %x : tensor<2x3xf32> -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}

// -----

// A higher rank that does not split each input dimension on its own: no
// neighbouring result dimensions of [2, 3, 4] multiply to the input's 4.
// CHECK-LABEL: func.func @reshape_regroup_up
// CHECK-SAME: (%[[X:.+]]: tensor<4x6xf32>)
// CHECK: %[[FLAT:.+]] = tensor.collapse_shape %[[X]] {{\[}}[0, 1]] : tensor<4x6xf32> into tensor<24xf32>
// CHECK: %[[R:.+]] = tensor.expand_shape %[[FLAT]] {{\[}}[0, 1, 2]] output_shape [2, 3, 4] : tensor<24xf32> into tensor<2x3x4xf32>
// CHECK: return %[[R]]
func.func @reshape_regroup_up(%x: tensor<4x6xf32>) -> tensor<2x3x4xf32> {
  %0 = quern.reshape %x : tensor<4x6xf32> -> tensor<2x3x4xf32>
  return %0 : tensor<2x3x4xf32>
}

// -----

// A lower rank that is not a merge of neighbouring dimensions.
// CHECK-LABEL: func.func @reshape_regroup_down
// CHECK-SAME: (%[[X:.+]]: tensor<2x3x4xf32>)
// CHECK: %[[FLAT:.+]] = tensor.collapse_shape %[[X]] {{\[}}[0, 1, 2]] : tensor<2x3x4xf32> into tensor<24xf32>
// CHECK: %[[R:.+]] = tensor.expand_shape %[[FLAT]] {{\[}}[0, 1]] output_shape [4, 6] : tensor<24xf32> into tensor<4x6xf32>
// CHECK: return %[[R]]
func.func @reshape_regroup_down(%x: tensor<2x3x4xf32>) -> tensor<4x6xf32> {
  %0 = quern.reshape %x : tensor<2x3x4xf32> -> tensor<4x6xf32>
  return %0 : tensor<4x6xf32>
}

// -----

// Zero extents: the flat path must not ask for reassociation groups, which
// MLIR's helper cannot find for them (this used to recurse without end).
// CHECK-LABEL: func.func @reshape_zero_elements
// CHECK-SAME: (%[[X:.+]]: tensor<2x0x3xf32>)
// CHECK: %[[FLAT:.+]] = tensor.collapse_shape %[[X]] {{\[}}[0, 1, 2]] : tensor<2x0x3xf32> into tensor<0xf32>
// CHECK: %[[R:.+]] = tensor.expand_shape %[[FLAT]] {{\[}}[0, 1, 2]] output_shape [4, 0, 2] : tensor<0xf32> into tensor<4x0x2xf32>
// CHECK: return %[[R]]
func.func @reshape_zero_elements(%x: tensor<2x0x3xf32>) -> tensor<4x0x2xf32> {
  %0 = quern.reshape %x : tensor<2x0x3xf32> -> tensor<4x0x2xf32>
  return %0 : tensor<4x0x2xf32>
}

// -----

// CHECK-LABEL: func.func @reshape_zero_elements_flatten
// CHECK-SAME: (%[[X:.+]]: tensor<0x4xf32>)
// CHECK: %[[R:.+]] = tensor.collapse_shape %[[X]] {{\[}}[0, 1]] : tensor<0x4xf32> into tensor<0xf32>
// CHECK: return %[[R]]
func.func @reshape_zero_elements_flatten(%x: tensor<0x4xf32>) -> tensor<0xf32> {
  %0 = quern.reshape %x : tensor<0x4xf32> -> tensor<0xf32>
  return %0 : tensor<0xf32>
}

// -----

// Rank 0 to ones and back: no reassociation groups at all.
// CHECK-LABEL: func.func @reshape_scalar_up
// CHECK-SAME: (%[[X:.+]]: tensor<f32>)
// CHECK: %[[R:.+]] = tensor.expand_shape %[[X]] [] output_shape [1, 1] : tensor<f32> into tensor<1x1xf32>
// CHECK: return %[[R]]
func.func @reshape_scalar_up(%x: tensor<f32>) -> tensor<1x1xf32> {
  %0 = quern.reshape %x : tensor<f32> -> tensor<1x1xf32>
  return %0 : tensor<1x1xf32>
}

// -----

// CHECK-LABEL: func.func @reshape_scalar_down
// CHECK-SAME: (%[[X:.+]]: tensor<1x1xf32>)
// CHECK: %[[R:.+]] = tensor.collapse_shape %[[X]] [] : tensor<1x1xf32> into tensor<f32>
// CHECK: return %[[R]]
func.func @reshape_scalar_down(%x: tensor<1x1xf32>) -> tensor<f32> {
  %0 = quern.reshape %x : tensor<1x1xf32> -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

// A reshape to its own type is no op at all.
// CHECK-LABEL: func.func @reshape_identity
// CHECK-SAME: (%[[X:.+]]: tensor<4xf32>)
// CHECK-NEXT: return %[[X]]
func.func @reshape_identity(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = quern.reshape %x : tensor<4xf32> -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// Result dimension d is input dimension perm[d], which is also what
// linalg.transpose's permutation means.
// CHECK-LABEL: func.func @transpose
// CHECK-SAME: (%[[X:.+]]: tensor<2x3x4xf32>)
// CHECK: %[[EMPTY:.+]] = tensor.empty() : tensor<4x2x3xf32>
// CHECK: %[[R:.+]] = linalg.transpose ins(%[[X]] : tensor<2x3x4xf32>) outs(%[[EMPTY]] : tensor<4x2x3xf32>) permutation = [2, 0, 1]
// CHECK: return %[[R]]
func.func @transpose(%x: tensor<2x3x4xf32>) -> tensor<4x2x3xf32> {
  %0 = quern.transpose %x perm = [2, 0, 1] : tensor<2x3x4xf32> -> tensor<4x2x3xf32>
  return %0 : tensor<4x2x3xf32>
}

// -----

// A missing leading dimension is not read.
// CHECK-DAG: #[[IN:.+]] = affine_map<(d0, d1) -> (d1)>
// CHECK-DAG: #[[ID:.+]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-LABEL: func.func @broadcast_missing
// CHECK-SAME: (%[[X:.+]]: tensor<8xf32>)
// CHECK: %[[EMPTY:.+]] = tensor.empty() : tensor<4x8xf32>
// CHECK: %[[R:.+]] = linalg.generic
// CHECK-SAME: indexing_maps = [#[[IN]], #[[ID]]]
// CHECK-SAME: iterator_types = ["parallel", "parallel"]
// CHECK-SAME: ins(%[[X]] : tensor<8xf32>) outs(%[[EMPTY]] : tensor<4x8xf32>)
// CHECK: ^bb0(%[[V:.+]]: f32, %{{.+}}: f32):
// CHECK: linalg.yield %[[V]] : f32
// CHECK: return %[[R]]
func.func @broadcast_missing(%x: tensor<8xf32>) -> tensor<4x8xf32> {
  %0 = quern.broadcast %x : tensor<8xf32> -> tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

// A stretched dimension is read at index 0, next to a missing one.
// CHECK-DAG: #[[IN:.+]] = affine_map<(d0, d1, d2) -> (d1, 0)>
// CHECK-DAG: #[[ID:.+]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-LABEL: func.func @broadcast_stretched
// CHECK: linalg.generic
// CHECK-SAME: indexing_maps = [#[[IN]], #[[ID]]]
// CHECK-SAME: iterator_types = ["parallel", "parallel", "parallel"]
// CHECK-SAME: ins(%{{.+}} : tensor<4x1xf32>) outs(%{{.+}} : tensor<2x4x8xf32>)
func.func @broadcast_stretched(%x: tensor<4x1xf32>) -> tensor<2x4x8xf32> {
  %0 = quern.broadcast %x : tensor<4x1xf32> -> tensor<2x4x8xf32>
  return %0 : tensor<2x4x8xf32>
}

// -----

// A unit dimension that stays a unit dimension is read through its own index.
// CHECK-DAG: #[[IN:.+]] = affine_map<(d0, d1, d2) -> (d1, d2)>
// CHECK-DAG: #[[ID:.+]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-LABEL: func.func @broadcast_unit_kept
// CHECK: linalg.generic
// CHECK-SAME: indexing_maps = [#[[IN]], #[[ID]]]
// CHECK-SAME: ins(%{{.+}} : tensor<1x8xi32>) outs(%{{.+}} : tensor<2x1x8xi32>)
func.func @broadcast_unit_kept(%x: tensor<1x8xi32>) -> tensor<2x1x8xi32> {
  %0 = quern.broadcast %x : tensor<1x8xi32> -> tensor<2x1x8xi32>
  return %0 : tensor<2x1x8xi32>
}

// -----

// CHECK-DAG: #[[IN:.+]] = affine_map<(d0, d1) -> ()>
// CHECK-DAG: #[[ID:.+]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-LABEL: func.func @broadcast_scalar
// CHECK: linalg.generic
// CHECK-SAME: indexing_maps = [#[[IN]], #[[ID]]]
// CHECK-SAME: ins(%{{.+}} : tensor<f16>) outs(%{{.+}} : tensor<3x2xf16>)
func.func @broadcast_scalar(%x: tensor<f16>) -> tensor<3x2xf16> {
  %0 = quern.broadcast %x : tensor<f16> -> tensor<3x2xf16>
  return %0 : tensor<3x2xf16>
}

// -----

// CHECK-LABEL: func.func @constant
// CHECK-DAG: %[[I:.+]] = arith.constant dense<[2, -1]> : tensor<2xi64>
// CHECK-DAG: %[[F:.+]] = arith.constant dense<{{\[}}[1.000000e+00, 2.000000e+00], [3.000000e+00, 4.000000e+00]]> : tensor<2x2xf32>
// CHECK: return %[[I]], %[[F]]
func.func @constant() -> (tensor<2xi64>, tensor<2x2xf32>) {
  %0 = quern.constant dense<[2, -1]> : tensor<2xi64>
  %1 = quern.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  return %0, %1 : tensor<2xi64>, tensor<2x2xf32>
}

// -----

// CHECK-LABEL: func.func @constant_resource
// CHECK: %[[C:.+]] = arith.constant dense_resource<blob> : tensor<4xf32>
// CHECK: return %[[C]]
func.func @constant_resource() -> tensor<4xf32> {
  %0 = quern.constant dense_resource<blob> : tensor<4xf32>
  return %0 : tensor<4xf32>
}

{-#
  dialect_resources: {
    builtin: {
      blob: "0x040000000000803F000000400000404000008040"
    }
  }
#-}

// -----

// Each input is inserted into one tensor.empty at its running offset along
// the axis.
// CHECK-LABEL: func.func @concat
// CHECK-SAME: (%[[A:[^:]+]]: tensor<2x3xf32>, %[[B:[^:]+]]: tensor<2x5xf32>, %[[C:[^:]+]]: tensor<2x1xf32>)
// CHECK: %[[EMPTY:.+]] = tensor.empty() : tensor<2x9xf32>
// CHECK: %[[R0:.+]] = tensor.insert_slice %[[A]] into %[[EMPTY]][0, 0] [2, 3] [1, 1] : tensor<2x3xf32> into tensor<2x9xf32>
// CHECK: %[[R1:.+]] = tensor.insert_slice %[[B]] into %[[R0]][0, 3] [2, 5] [1, 1] : tensor<2x5xf32> into tensor<2x9xf32>
// CHECK: %[[R2:.+]] = tensor.insert_slice %[[C]] into %[[R1]][0, 8] [2, 1] [1, 1] : tensor<2x1xf32> into tensor<2x9xf32>
// CHECK: return %[[R2]]
func.func @concat(%a: tensor<2x3xf32>, %b: tensor<2x5xf32>, %c: tensor<2x1xf32>) -> tensor<2x9xf32> {
  %0 = quern.concat %a, %b, %c axis = 1 : (tensor<2x3xf32>, tensor<2x5xf32>, tensor<2x1xf32>) -> tensor<2x9xf32>
  return %0 : tensor<2x9xf32>
}

// -----

// CHECK-LABEL: func.func @concat_leading_axis
// CHECK-SAME: (%[[A:[^:]+]]: tensor<1x3xi64>, %[[B:[^:]+]]: tensor<2x3xi64>)
// CHECK: %[[EMPTY:.+]] = tensor.empty() : tensor<3x3xi64>
// CHECK: %[[R0:.+]] = tensor.insert_slice %[[A]] into %[[EMPTY]][0, 0] [1, 3] [1, 1]
// CHECK: %[[R1:.+]] = tensor.insert_slice %[[B]] into %[[R0]][1, 0] [2, 3] [1, 1]
// CHECK: return %[[R1]]
func.func @concat_leading_axis(%a: tensor<1x3xi64>, %b: tensor<2x3xi64>) -> tensor<3x3xi64> {
  %0 = quern.concat %a, %b axis = 0 : (tensor<1x3xi64>, tensor<2x3xi64>) -> tensor<3x3xi64>
  return %0 : tensor<3x3xi64>
}

// -----

// Forward windows are one tensor.extract_slice (a view once bufferized).
// CHECK-LABEL: func.func @slice_forward
// CHECK-SAME: (%[[X:.+]]: tensor<4x8xf32>)
// CHECK: %[[S:.+]] = tensor.extract_slice %[[X]][1, 2] [2, 3] [2, 2] : tensor<4x8xf32> to tensor<2x3xf32>
// CHECK: return %[[S]]
func.func @slice_forward(%x: tensor<4x8xf32>) -> tensor<2x3xf32> {
  %0 = quern.slice %x offsets = [1, 2] strides = [2, 2] : tensor<4x8xf32> -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// A negative stride in any dimension makes the whole window a generic that
// reads input[offset + stride * i] per dimension.
// CHECK: #[[ID:.+]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-LABEL: func.func @slice_backward
// CHECK-SAME: (%[[X:.+]]: tensor<4x8xf32>)
// CHECK: %[[EMPTY:.+]] = tensor.empty() : tensor<4x4xf32>
// CHECK: %[[R:.+]] = linalg.generic
// CHECK-SAME: indexing_maps = [#[[ID]]]
// CHECK-SAME: iterator_types = ["parallel", "parallel"]
// CHECK-SAME: outs(%[[EMPTY]] : tensor<4x4xf32>)
// CHECK: %[[I:.+]] = linalg.index 0 : index
// CHECK: %[[S0:.+]] = arith.constant 1 : index
// CHECK: %[[IS:.+]] = arith.muli %[[I]], %[[S0]] : index
// CHECK: %[[O0:.+]] = arith.constant 0 : index
// CHECK: %[[ROW:.+]] = arith.addi %[[IS]], %[[O0]] : index
// CHECK: %[[J:.+]] = linalg.index 1 : index
// CHECK: %[[S1:.+]] = arith.constant -2 : index
// CHECK: %[[JS:.+]] = arith.muli %[[J]], %[[S1]] : index
// CHECK: %[[O1:.+]] = arith.constant 7 : index
// CHECK: %[[COL:.+]] = arith.addi %[[JS]], %[[O1]] : index
// CHECK: %[[V:.+]] = tensor.extract %[[X]][%[[ROW]], %[[COL]]] : tensor<4x8xf32>
// CHECK: linalg.yield %[[V]] : f32
// CHECK: return %[[R]]
func.func @slice_backward(%x: tensor<4x8xf32>) -> tensor<4x4xf32> {
  %0 = quern.slice %x offsets = [0, 7] strides = [1, -2] : tensor<4x8xf32> -> tensor<4x4xf32>
  return %0 : tensor<4x4xf32>
}
