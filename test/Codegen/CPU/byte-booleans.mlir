// RUN: quern-opt %s --quern-byte-booleans --split-input-file | FileCheck %s

// A mask one op writes and another reads is a tensor of bytes: the writer
// widens its boolean, the reader narrows it back.
// CHECK-LABEL: func.func @mask
// CHECK: %[[BYTES:.+]] = tensor.empty() : tensor<4x64xi8>
// CHECK: %[[MASK:.+]] = linalg.generic {{.+}} outs(%[[BYTES]] : tensor<4x64xi8>)
// CHECK: ^bb0(%[[X:.+]]: f32, %{{.+}}: i8):
// CHECK: %[[B:.+]] = arith.cmpf ogt, %[[X]]
// CHECK: %[[W:.+]] = arith.extui %[[B]] : i1 to i8
// CHECK: linalg.yield %[[W]] : i8
// CHECK: linalg.generic {{.+}} ins(%[[MASK]], %{{.+}} : tensor<4x64xi8>, tensor<4x64xf32>)
// CHECK: ^bb0(%[[M:.+]]: i8, %[[V:.+]]: f32, %{{.+}}: f32):
// CHECK: %[[C:.+]] = arith.trunci %[[M]] : i8 to i1
// CHECK: arith.select %[[C]], %[[V]]
#id = affine_map<(d0, d1) -> (d0, d1)>
func.func @mask(%x: tensor<4x64xf32>, %y: tensor<4x64xf32>) -> tensor<4x64xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4x64xi1>
  %m = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<4x64xf32>) outs(%e : tensor<4x64xi1>) {
  ^bb0(%a: f32, %o: i1):
    %b = arith.cmpf ogt, %a, %zero : f32
    linalg.yield %b : i1
  } -> tensor<4x64xi1>
  %f = tensor.empty() : tensor<4x64xf32>
  %r = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%m, %y : tensor<4x64xi1>, tensor<4x64xf32>) outs(%f : tensor<4x64xf32>) {
  ^bb0(%c: i1, %v: f32, %o: f32):
    %s = arith.select %c, %v, %zero : f32
    linalg.yield %s : f32
  } -> tensor<4x64xf32>
  return %r : tensor<4x64xf32>
}

// -----

// A boolean the function returns stays i1: the caller's buffer holds
// booleans.
// CHECK-LABEL: func.func @returned
// CHECK-NOT: i8
// CHECK: return %{{.+}} : tensor<64xi1>
#id1 = affine_map<(d0) -> (d0)>
func.func @returned(%x: tensor<64xf32>) -> tensor<64xi1> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<64xi1>
  %m = linalg.generic {indexing_maps = [#id1, #id1], iterator_types = ["parallel"]}
      ins(%x : tensor<64xf32>) outs(%e : tensor<64xi1>) {
  ^bb0(%a: f32, %o: i1):
    %b = arith.cmpf ogt, %a, %zero : f32
    linalg.yield %b : i1
  } -> tensor<64xi1>
  return %m : tensor<64xi1>
}

