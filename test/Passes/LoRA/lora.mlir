// RUN: quern-opt %s --quern-lora="rank=4 alpha=8 targets=fc1.weight,fc2.weight" | FileCheck %s
// RUN: quern-opt %s --quern-lora="rank=2" | FileCheck %s --check-prefix=ALL

// Adapters on the products of the weights named: fc1.weight read directly
// ([K, N] = [32, 16]) and fc2.weight read through a transpose (Linear's
// [N, K] = [8, 16]). A is [rank, K] and B [N, rank], PEFT's layout, named
// after the weight; A carries the Kaiming-uniform bound 1/sqrt(K) quernc
// draws it with. The adapter's product is scaled by alpha / rank and added
// to the product's result, which every reader then reads. Every parameter
// of the model is frozen; only the adapters train.

// CHECK-LABEL: func.func @forward
// CHECK-SAME: %[[X:[^:]+]]: tensor<8x32xf32>
// CHECK-SAME: %[[W1:[^:]+]]: tensor<32x16xf32> {quern.param = {name = "fc1.weight", trainable = false}}
// CHECK-SAME: %[[A1:[^:]+]]: tensor<4x32xf32> {quern.initial = {uniform_bound = 0.17677669529663687 : f64}, quern.param = {name = "fc1.lora_A.weight", trainable = true}}
// CHECK-SAME: %[[B1:[^:]+]]: tensor<16x4xf32> {quern.param = {name = "fc1.lora_B.weight", trainable = true}}
// CHECK-SAME: tensor<16xf32> {quern.param = {name = "fc1.bias", trainable = false}}
// CHECK-SAME: %[[W2:[^:]+]]: tensor<8x16xf32> {quern.param = {name = "fc2.weight", trainable = false}}
// CHECK-SAME: tensor<4x16xf32> {quern.initial = {uniform_bound = 2.500000e-01 : f64}, quern.param = {name = "fc2.lora_A.weight", trainable = true}}
// CHECK-SAME: tensor<8x4xf32> {quern.param = {name = "fc2.lora_B.weight", trainable = true}}
// CHECK: %[[H:.+]] = quern.matmul %[[X]], %[[W1]] bias
// CHECK: %[[DOWN:.+]] = quern.matmul %[[X]], %[[A1]] transpose_rhs : tensor<8x32xf32>, tensor<4x32xf32> -> tensor<8x4xf32>
// CHECK: %[[UP:.+]] = quern.matmul %[[DOWN]], %[[B1]] transpose_rhs : tensor<8x4xf32>, tensor<16x4xf32> -> tensor<8x16xf32>
// CHECK: %[[TWO:.+]] = quern.constant dense<2.000000e+00> : tensor<8x16xf32>
// CHECK: %[[SCALED:.+]] = quern.mul %[[UP]], %[[TWO]]
// CHECK: %[[ADAPTED:.+]] = quern.add %[[H]], %[[SCALED]]
// CHECK: quern.relu %[[ADAPTED]]

// Without targets, every product's weight: fc1, fc2 and the trained head
// (now frozen; a name without ".weight" takes ".lora_A" after it), not the
// embedding a Gather reads.
// ALL: name = "emb", trainable = false
// ALL-SAME: name = "fc1.lora_A.weight", trainable = true
// ALL: name = "fc2.lora_A.weight", trainable = true
// ALL: name = "head.lora_A", trainable = true
// ALL-NOT: emb.lora

func.func @forward(%x: tensor<8x32xf32> {quern.name = "x"},
                   %emb: tensor<10x32xf32> {quern.param = {name = "emb", trainable = true}},
                   %w1: tensor<32x16xf32> {quern.param = {name = "fc1.weight", trainable = true}},
                   %b1: tensor<16xf32> {quern.param = {name = "fc1.bias", trainable = true}},
                   %w2: tensor<8x16xf32> {quern.param = {name = "fc2.weight", trainable = true}},
                   %head: tensor<8x8xf32> {quern.param = {name = "head", trainable = true}},
                   %ids: tensor<8xi64> {quern.name = "ids"})
    -> (tensor<8x8xf32> {quern.name = "y"}, tensor<8x32xf32> {quern.name = "e"}) {
  %h = quern.matmul %x, %w1 bias(%b1 : tensor<16xf32>) : tensor<8x32xf32>, tensor<32x16xf32> -> tensor<8x16xf32>
  %r = quern.relu %h : tensor<8x16xf32>
  %t = quern.transpose %w2 perm = [1, 0] : tensor<8x16xf32> -> tensor<16x8xf32>
  %o = quern.matmul %r, %t : tensor<8x16xf32>, tensor<16x8xf32> -> tensor<8x8xf32>
  %y = quern.matmul %o, %head : tensor<8x8xf32>, tensor<8x8xf32> -> tensor<8x8xf32>
  %e = quern.gather %emb, %ids axis = 0 : (tensor<10x32xf32>, tensor<8xi64>) -> tensor<8x32xf32>
  return %y, %e : tensor<8x8xf32>, tensor<8x32xf32>
}
