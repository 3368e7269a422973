// RUN: quern-opt %s --quern-unshare-inits | FileCheck %s

// Two products accumulate into one zero tensor (as after CSE): each gets a
// fill of its own, just before it, so that its output is filled in place
// rather than copied from a shared zero buffer. An op reading the fill as an
// input keeps the original.
// CHECK-LABEL: func.func @products
// CHECK: %[[E:.+]] = tensor.empty() : tensor<8x16xf32>
// CHECK: %[[Z:.+]] = linalg.fill ins(%{{.+}} : f32) outs(%[[E]] : tensor<8x16xf32>)
// CHECK: %[[E0:.+]] = tensor.empty() : tensor<8x16xf32>
// CHECK: %[[Z0:.+]] = linalg.fill ins(%{{.+}} : f32) outs(%[[E0]] : tensor<8x16xf32>)
// CHECK: linalg.matmul ins(%{{.+}}, %{{.+}} : tensor<8x4xf32>, tensor<4x16xf32>) outs(%[[Z0]] : tensor<8x16xf32>)
// CHECK: %[[E1:.+]] = tensor.empty() : tensor<8x16xf32>
// CHECK: %[[Z1:.+]] = linalg.fill ins(%{{.+}} : f32) outs(%[[E1]] : tensor<8x16xf32>)
// CHECK: linalg.matmul ins(%{{.+}}, %{{.+}} : tensor<8x4xf32>, tensor<4x16xf32>) outs(%[[Z1]] : tensor<8x16xf32>)
// CHECK: linalg.add ins(%[[Z]], %{{.+}} : tensor<8x16xf32>, tensor<8x16xf32>)
func.func @products(%a: tensor<8x4xf32>, %b: tensor<4x16xf32>, %c: tensor<4x16xf32>)
    -> (tensor<8x16xf32>, tensor<8x16xf32>, tensor<8x16xf32>) {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<8x16xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<8x16xf32>) -> tensor<8x16xf32>
  %p = linalg.matmul ins(%a, %b : tensor<8x4xf32>, tensor<4x16xf32>) outs(%z : tensor<8x16xf32>) -> tensor<8x16xf32>
  %q = linalg.matmul ins(%a, %c : tensor<8x4xf32>, tensor<4x16xf32>) outs(%z : tensor<8x16xf32>) -> tensor<8x16xf32>
  %f = tensor.empty() : tensor<8x16xf32>
  %s = linalg.add ins(%z, %p : tensor<8x16xf32>, tensor<8x16xf32>) outs(%f : tensor<8x16xf32>) -> tensor<8x16xf32>
  return %p, %q, %s : tensor<8x16xf32>, tensor<8x16xf32>, tensor<8x16xf32>
}

// A fill only written into goes: each product has its own.
// CHECK-LABEL: func.func @only_products
// CHECK: linalg.fill
// CHECK-NEXT: linalg.matmul
// CHECK: linalg.fill
// CHECK-NEXT: linalg.matmul
// CHECK-NOT: linalg.fill
// CHECK: return
func.func @only_products(%a: tensor<8x4xf32>, %b: tensor<4x16xf32>)
    -> (tensor<8x16xf32>, tensor<8x16xf32>) {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<8x16xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<8x16xf32>) -> tensor<8x16xf32>
  %p = linalg.matmul ins(%a, %b : tensor<8x4xf32>, tensor<4x16xf32>) outs(%z : tensor<8x16xf32>) -> tensor<8x16xf32>
  %q = linalg.matmul ins(%a, %b : tensor<8x4xf32>, tensor<4x16xf32>) outs(%z : tensor<8x16xf32>) -> tensor<8x16xf32>
  return %p, %q : tensor<8x16xf32>, tensor<8x16xf32>
}

// Elementwise ops writing into one empty tensor (as after CSE) each get one
// of their own, just before them, so that their outputs are not aliases of
// one value; an op reading the empty tensor keeps the original, and an empty
// tensor with one use stays where it is.
// CHECK-LABEL: func.func @empties
// CHECK: %[[E:.+]] = tensor.empty() : tensor<8xf32>
// CHECK: %[[F:.+]] = tensor.empty() : tensor<4xf32>
// CHECK: %[[E0:.+]] = tensor.empty() : tensor<8xf32>
// CHECK: %[[X:.+]] = linalg.exp ins(%{{.+}} : tensor<8xf32>) outs(%[[E0]] : tensor<8xf32>)
// CHECK: %[[E1:.+]] = tensor.empty() : tensor<8xf32>
// CHECK: %[[Y:.+]] = linalg.log ins(%[[X]] : tensor<8xf32>) outs(%[[E1]] : tensor<8xf32>)
// CHECK: linalg.add ins(%[[Y]], %[[E]] : tensor<8xf32>, tensor<8xf32>) outs(%[[Y]] : tensor<8xf32>)
// CHECK: linalg.negf ins(%{{.+}} : tensor<4xf32>) outs(%[[F]] : tensor<4xf32>)
func.func @empties(%a: tensor<8xf32>, %b: tensor<4xf32>)
    -> (tensor<8xf32>, tensor<4xf32>) {
  %e = tensor.empty() : tensor<8xf32>
  %f = tensor.empty() : tensor<4xf32>
  %x = linalg.exp ins(%a : tensor<8xf32>) outs(%e : tensor<8xf32>) -> tensor<8xf32>
  %y = linalg.log ins(%x : tensor<8xf32>) outs(%e : tensor<8xf32>) -> tensor<8xf32>
  %s = linalg.add ins(%y, %e : tensor<8xf32>, tensor<8xf32>) outs(%y : tensor<8xf32>) -> tensor<8xf32>
  %n = linalg.negf ins(%b : tensor<4xf32>) outs(%f : tensor<4xf32>) -> tensor<4xf32>
  return %s, %n : tensor<8xf32>, tensor<4xf32>
}

// An empty tensor of a dynamic size is cloned with its size, and an op
// writing it into two outputs gets one for each.
// CHECK-LABEL: func.func @dynamic
// CHECK-SAME: (%[[A:.+]]: tensor<?xf32>, %[[N:.+]]: index)
// CHECK: %[[E0:.+]] = tensor.empty(%[[N]]) : tensor<?xf32>
// CHECK-NEXT: %[[X:.+]] = linalg.exp ins(%[[A]] : tensor<?xf32>) outs(%[[E0]] : tensor<?xf32>)
// CHECK-NEXT: %[[E1:.+]] = tensor.empty(%[[N]]) : tensor<?xf32>
// CHECK-NEXT: %[[E2:.+]] = tensor.empty(%[[N]]) : tensor<?xf32>
// CHECK-NEXT: linalg.generic
// CHECK-SAME: ins(%[[X]] : tensor<?xf32>) outs(%[[E2]], %[[E1]] : tensor<?xf32>, tensor<?xf32>)
func.func @dynamic(%a: tensor<?xf32>, %n: index) -> (tensor<?xf32>, tensor<?xf32>) {
  %e = tensor.empty(%n) : tensor<?xf32>
  %x = linalg.exp ins(%a : tensor<?xf32>) outs(%e : tensor<?xf32>) -> tensor<?xf32>
  %y:2 = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]}
      ins(%x : tensor<?xf32>) outs(%e, %e : tensor<?xf32>, tensor<?xf32>) {
  ^bb0(%in: f32, %o0: f32, %o1: f32):
    %neg = arith.negf %in : f32
    linalg.yield %in, %neg : f32, f32
  } -> (tensor<?xf32>, tensor<?xf32>)
  return %y#0, %y#1 : tensor<?xf32>, tensor<?xf32>
}
