// RUN: quern-opt %s -split-input-file --quern-fuse-experts | FileCheck %s
// RUN: quern-opt %s -split-input-file --quern-fuse-experts=report -verify-diagnostics -o /dev/null
// RUN: quern-opt %s -split-input-file --quern-fuse-experts=expose-load | FileCheck %s --check-prefix=LOAD

// Unrolled experts (an exporter's loop over separate modules): three ReLU
// experts with biases and one identity expert (column 2) weighed by gates
// scattered from a top-2 into zeros. 16 tokens route 32 slots to 3 experts
// with products: tiles of 16 or 8 rows would need as many rows as the dense
// 48, tiles of 4 need 32 + 3 * 3 = 41, 44 in whole tiles.
// CHECK-LABEL: func.func @unrolled
// CHECK-SAME: (%[[X:[^:]+]]: tensor<16x8xf32>, %[[SCORES:[^:]+]]: tensor<16x4xf32>, %[[W0:[^:]+]]: tensor<16x8xf32>, %[[B0:[^:]+]]: tensor<16xf32>, %[[V0:[^:]+]]: tensor<8x16xf32>, %[[W1:[^:]+]]: tensor<16x8xf32>, %[[B1:[^:]+]]: tensor<16xf32>, %[[V1:[^:]+]]: tensor<8x16xf32>, %[[W3:[^:]+]]: tensor<16x8xf32>, %[[B3:[^:]+]]: tensor<16xf32>, %[[V3:[^:]+]]: tensor<8x16xf32>)
// CHECK: %[[VALUES:.+]], %[[INDICES:.+]] = quern.topk %[[SCORES]]
// CHECK: %[[GATES:.+]] = quern.scatter_elements
// CHECK: %[[IG:.+]] = quern.slice %[[GATES]] offsets = [0, 2]
// CHECK: %[[ROWS:.+]], %[[TILES:.+]], %[[SLOTS:.+]] = quern.moe_dispatch %[[INDICES]] groups = [0, 1, -1, 2] : tensor<16x2xi64> -> (tensor<44xi64>, tensor<11xi64>, tensor<16x2xi64>)
// CHECK: %[[XR:.+]] = quern.gather %[[X]], %[[ROWS]] axis = 0 : (tensor<16x8xf32>, tensor<44xi64>) -> tensor<44x8xf32>
// CHECK: %[[WS:.+]] = quern.concat {{.+}} axis = 0 : (tensor<1x16x8xf32>, tensor<1x16x8xf32>, tensor<1x16x8xf32>) -> tensor<3x16x8xf32>
// CHECK: %[[H:.+]] = quern.grouped_matmul %[[XR]], %[[WS]], %[[TILES]] transpose_rhs : tensor<44x8xf32>, tensor<3x16x8xf32>, tensor<11xi64> -> tensor<44x16xf32>
// CHECK: %[[RG:.+]] = quern.reshape {{.+}} : tensor<11x4xi64> -> tensor<44xi64>
// CHECK: %[[BS:.+]] = quern.concat {{.+}} -> tensor<3x16xf32>
// CHECK: %[[BR:.+]] = quern.gather %[[BS]], %[[RG]] axis = 0 : (tensor<3x16xf32>, tensor<44xi64>) -> tensor<44x16xf32>
// CHECK: %[[HB:.+]] = quern.add %[[H]], %[[BR]] : tensor<44x16xf32>
// CHECK: %[[A:.+]] = quern.relu %[[HB]] : tensor<44x16xf32>
// CHECK: %[[VS:.+]] = quern.concat {{.+}} -> tensor<3x8x16xf32>
// CHECK: %[[Y:.+]] = quern.grouped_matmul %[[A]], %[[VS]], %[[TILES]] transpose_rhs : tensor<44x16xf32>, tensor<3x8x16xf32>, tensor<11xi64> -> tensor<44x8xf32>
// CHECK: %[[OUTS:.+]] = quern.gather %[[Y]], %[[SLOTS]] axis = 0 : (tensor<44x8xf32>, tensor<16x2xi64>) -> tensor<16x2x8xf32>
// CHECK: %[[W3D:.+]] = quern.reshape %[[VALUES]] : tensor<16x2xf32> -> tensor<16x2x1xf32>
// CHECK: %[[WB:.+]] = quern.broadcast %[[W3D]] : tensor<16x2x1xf32> -> tensor<16x2x8xf32>
// CHECK: %[[WEIGHED:.+]] = quern.mul %[[OUTS]], %[[WB]] : tensor<16x2x8xf32>
// Slots routed to the identity expert (column 2) read row 0 of the
// products and count zero: a select, so that no value of that row can
// turn the sum into NaN.
// CHECK: %[[ROUTED:.+]] = quern.constant dense<[true, true, false, true]> : tensor<4xi1>
// CHECK: %[[PICKED:.+]] = quern.gather %[[ROUTED]], %[[INDICES]] axis = 0
// CHECK: %[[P3D:.+]] = quern.reshape %[[PICKED]] : tensor<16x2xi1> -> tensor<16x2x1xi1>
// CHECK: %[[PB:.+]] = quern.broadcast %[[P3D]] : tensor<16x2x1xi1> -> tensor<16x2x8xi1>
// CHECK: %[[ZEROS:.+]] = quern.constant dense<0.000000e+00> : tensor<16x2x8xf32>
// CHECK: %[[KEPT:.+]] = quern.select %[[PB]], %[[WEIGHED]], %[[ZEROS]]
// CHECK: %[[SUM:.+]] = quern.reduce_sum %[[KEPT]] axes = [1] : tensor<16x2x8xf32> -> tensor<16x8xf32>
// CHECK: %[[IB:.+]] = quern.broadcast %[[IG]] : tensor<16x1xf32> -> tensor<16x8xf32>
// CHECK: %[[IX:.+]] = quern.mul %[[IB]], %[[X]] : tensor<16x8xf32>
// CHECK: %[[OUT:.+]] = quern.add %[[SUM]], %[[IX]] : tensor<16x8xf32>
// CHECK-NOT: quern.matmul
// CHECK: return %[[OUT]]
func.func @unrolled(%x: tensor<16x8xf32>, %scores: tensor<16x4xf32>,
    %w0: tensor<16x8xf32>, %b0: tensor<16xf32>, %v0: tensor<8x16xf32>,
    %w1: tensor<16x8xf32>, %b1: tensor<16xf32>, %v1: tensor<8x16xf32>,
    %w3: tensor<16x8xf32>, %b3: tensor<16xf32>, %v3: tensor<8x16xf32>) -> tensor<16x8xf32> {
  %values, %indices = quern.topk %scores k = 2 axis = 1 : tensor<16x4xf32> -> (tensor<16x2xf32>, tensor<16x2xi64>)
  %zeros = quern.constant dense<0.0> : tensor<16x4xf32>
  %gates = quern.scatter_elements %zeros, %indices, %values axis = 1 reduction = none : (tensor<16x4xf32>, tensor<16x2xi64>, tensor<16x2xf32>) -> tensor<16x4xf32>
  %g0 = quern.slice %gates offsets = [0, 0] strides = [1, 1] : tensor<16x4xf32> -> tensor<16x1xf32>
  %h0 = quern.matmul %x, %w0 bias(%b0 : tensor<16xf32>) transpose_rhs : tensor<16x8xf32>, tensor<16x8xf32> -> tensor<16x16xf32>
  %a0 = quern.relu %h0 : tensor<16x16xf32>
  %y0 = quern.matmul %a0, %v0 transpose_rhs : tensor<16x16xf32>, tensor<8x16xf32> -> tensor<16x8xf32>
  %gb0 = quern.broadcast %g0 : tensor<16x1xf32> -> tensor<16x8xf32>
  %t0 = quern.mul %gb0, %y0 : tensor<16x8xf32>
  %g1 = quern.slice %gates offsets = [0, 1] strides = [1, 1] : tensor<16x4xf32> -> tensor<16x1xf32>
  %h1 = quern.matmul %x, %w1 bias(%b1 : tensor<16xf32>) transpose_rhs : tensor<16x8xf32>, tensor<16x8xf32> -> tensor<16x16xf32>
  %a1 = quern.relu %h1 : tensor<16x16xf32>
  %y1 = quern.matmul %a1, %v1 transpose_rhs : tensor<16x16xf32>, tensor<8x16xf32> -> tensor<16x8xf32>
  %gb1 = quern.broadcast %g1 : tensor<16x1xf32> -> tensor<16x8xf32>
  %t1 = quern.mul %y1, %gb1 : tensor<16x8xf32>
  %s1 = quern.add %t0, %t1 : tensor<16x8xf32>
  %g2 = quern.slice %gates offsets = [0, 2] strides = [1, 1] : tensor<16x4xf32> -> tensor<16x1xf32>
  %gb2 = quern.broadcast %g2 : tensor<16x1xf32> -> tensor<16x8xf32>
  %t2 = quern.mul %gb2, %x : tensor<16x8xf32>
  %s2 = quern.add %s1, %t2 : tensor<16x8xf32>
  %g3 = quern.slice %gates offsets = [0, 3] strides = [1, 1] : tensor<16x4xf32> -> tensor<16x1xf32>
  %h3 = quern.matmul %x, %w3 bias(%b3 : tensor<16xf32>) transpose_rhs : tensor<16x8xf32>, tensor<16x8xf32> -> tensor<16x16xf32>
  %a3 = quern.relu %h3 : tensor<16x16xf32>
  %y3 = quern.matmul %a3, %v3 transpose_rhs : tensor<16x16xf32>, tensor<8x16xf32> -> tensor<16x8xf32>
  %gb3 = quern.broadcast %g3 : tensor<16x1xf32> -> tensor<16x8xf32>
  %t3 = quern.mul %gb3, %y3 : tensor<16x8xf32>
  // expected-remark @+1 {{fused mixture-of-experts block: 4 experts (3 with products, 1 without), top-2; expert product FLOPs 25344 dense, at most 23232 fused (44 rows in tiles of 4)}}
  %out = quern.add %s2, %t3 : tensor<16x8xf32>
  return %out : tensor<16x8xf32>
}

// -----

// Stacked experts: SwiGLU over an expert dimension, the gates of the first
// 4 of 5 columns transposed to weigh them; the fifth column (an identity
// expert the graph adds by itself) gets no group. 64 tokens' 128 slots in
// tiles of 16 need 128 + 4 * 15 = 188 rows, 192, fewer than the dense 256.
// With expose-load, the function also returns how many of the 128 slots
// each of the 5 experts got: each slot's expert compared with every
// expert's index, counted.
// LOAD-LABEL: func.func @stacked
// LOAD-SAME: -> (tensor<64x8xf32>, tensor<5xi64> {quern.name = "expert_load.0"})
// LOAD: %[[IDS:.+]] = quern.broadcast {{.+}} : tensor<128x1xi64> -> tensor<128x5xi64>
// LOAD: %[[EXPERTS:.+]] = quern.broadcast {{.+}} : tensor<1x5xi64> -> tensor<128x5xi64>
// LOAD: %[[MATCH:.+]] = quern.compare eq, %[[IDS]], %[[EXPERTS]]
// LOAD: %[[ONES:.+]] = quern.cast %[[MATCH]] : tensor<128x5xi1> to tensor<128x5xi64>
// LOAD: %[[LOAD:.+]] = quern.reduce_sum %[[ONES]] axes = [0] : tensor<128x5xi64> -> tensor<5xi64>
// LOAD: return %{{.+}}, %[[LOAD]] : tensor<64x8xf32>, tensor<5xi64>
// CHECK-LABEL: func.func @stacked
// CHECK-SAME: (%[[X:[^:]+]]: tensor<64x8xf32>, %{{[^:]+}}: tensor<64x5xf32>, %[[W1:[^:]+]]: tensor<4x8x16xf32>, %[[W3:[^:]+]]: tensor<4x8x16xf32>, %[[W2:[^:]+]]: tensor<4x16x8xf32>)
// CHECK: %[[ROWS:.+]], %[[TILES:.+]], %[[SLOTS:.+]] = quern.moe_dispatch %{{.+}} groups = [0, 1, 2, 3, -1] : tensor<64x2xi64> -> (tensor<192xi64>, tensor<12xi64>, tensor<64x2xi64>)
// CHECK: %[[XR:.+]] = quern.gather %[[X]], %[[ROWS]]
// CHECK: %[[A:.+]] = quern.grouped_matmul %[[XR]], %[[W1]], %[[TILES]] : tensor<192x8xf32>, tensor<4x8x16xf32>, tensor<12xi64> -> tensor<192x16xf32>
// CHECK: %[[B:.+]] = quern.grouped_matmul %[[XR]], %[[W3]], %[[TILES]] : tensor<192x8xf32>, tensor<4x8x16xf32>, tensor<12xi64> -> tensor<192x16xf32>
// CHECK: %[[S:.+]] = quern.sigmoid %[[A]] : tensor<192x16xf32>
// CHECK: %[[SILU:.+]] = quern.mul %[[A]], %[[S]] : tensor<192x16xf32>
// CHECK: %[[H:.+]] = quern.mul %[[SILU]], %[[B]] : tensor<192x16xf32>
// CHECK: quern.grouped_matmul %[[H]], %[[W2]], %[[TILES]] : tensor<192x16xf32>, tensor<4x16x8xf32>, tensor<12xi64> -> tensor<192x8xf32>
// CHECK: quern.constant dense<[true, true, true, true, false]>
// CHECK: quern.reduce_sum {{.+}} axes = [1] : tensor<64x2x8xf32> -> tensor<64x8xf32>
// CHECK-NOT: quern.matmul
func.func @stacked(%x: tensor<64x8xf32>, %scores: tensor<64x5xf32>,
    %w1: tensor<4x8x16xf32>, %w3: tensor<4x8x16xf32>, %w2: tensor<4x16x8xf32>) -> tensor<64x8xf32> {
  %values, %indices = quern.topk %scores k = 2 axis = 1 : tensor<64x5xf32> -> (tensor<64x2xf32>, tensor<64x2xi64>)
  %zeros = quern.constant dense<0.0> : tensor<64x5xf32>
  %gates = quern.scatter_elements %zeros, %indices, %values axis = 1 reduction = none : (tensor<64x5xf32>, tensor<64x2xi64>, tensor<64x2xf32>) -> tensor<64x5xf32>
  %xb = quern.broadcast %x : tensor<64x8xf32> -> tensor<4x64x8xf32>
  %a = quern.matmul %xb, %w1 : tensor<4x64x8xf32>, tensor<4x8x16xf32> -> tensor<4x64x16xf32>
  %s = quern.sigmoid %a : tensor<4x64x16xf32>
  %silu = quern.mul %a, %s : tensor<4x64x16xf32>
  %xb2 = quern.broadcast %x : tensor<64x8xf32> -> tensor<4x64x8xf32>
  %b = quern.matmul %xb2, %w3 : tensor<4x64x8xf32>, tensor<4x8x16xf32> -> tensor<4x64x16xf32>
  %h = quern.mul %silu, %b : tensor<4x64x16xf32>
  %y = quern.matmul %h, %w2 : tensor<4x64x16xf32>, tensor<4x16x8xf32> -> tensor<4x64x8xf32>
  %routed = quern.slice %gates offsets = [0, 0] strides = [1, 1] : tensor<64x5xf32> -> tensor<64x4xf32>
  %t = quern.transpose %routed perm = [1, 0] : tensor<64x4xf32> -> tensor<4x64xf32>
  %r = quern.reshape %t : tensor<4x64xf32> -> tensor<4x64x1xf32>
  %rb = quern.broadcast %r : tensor<4x64x1xf32> -> tensor<4x64x8xf32>
  %weighed = quern.mul %y, %rb : tensor<4x64x8xf32>
  // expected-remark @+1 {{fused mixture-of-experts block: 5 experts (4 with products, 1 without), top-2; expert product FLOPs 196608 dense, at most 147456 fused (192 rows in tiles of 16)}}
  %sum = quern.reduce_sum %weighed axes = [0] : tensor<4x64x8xf32> -> tensor<64x8xf32>
  return %sum : tensor<64x8xf32>
}

// -----

// Experts whose activations differ stay dense.
// CHECK-LABEL: func.func @different_chains
// CHECK-NOT: quern.moe_dispatch
func.func @different_chains(%x: tensor<16x8xf32>, %scores: tensor<16x4xf32>, %w: tensor<4x8x16xf32>, %v: tensor<4x16x8xf32>) -> tensor<16x8xf32> {
  %values, %indices = quern.topk %scores k = 1 axis = 1 : tensor<16x4xf32> -> (tensor<16x1xf32>, tensor<16x1xi64>)
  %zeros = quern.constant dense<0.0> : tensor<16x4xf32>
  // expected-remark @+1 {{mixture-of-experts block left dense: expert 1's chain differs from expert 0's}}
  %gates = quern.scatter_elements %zeros, %indices, %values axis = 1 reduction = none : (tensor<16x4xf32>, tensor<16x1xi64>, tensor<16x1xf32>) -> tensor<16x4xf32>
  %xb = quern.broadcast %x : tensor<16x8xf32> -> tensor<4x16x8xf32>
  %g0 = quern.slice %gates offsets = [0, 0] strides = [1, 1] : tensor<16x4xf32> -> tensor<16x1xf32>
  %w0 = quern.slice %w offsets = [0, 0, 0] strides = [1, 1, 1] : tensor<4x8x16xf32> -> tensor<1x8x16xf32>
  %w0r = quern.reshape %w0 : tensor<1x8x16xf32> -> tensor<8x16xf32>
  %v0 = quern.slice %v offsets = [0, 0, 0] strides = [1, 1, 1] : tensor<4x16x8xf32> -> tensor<1x16x8xf32>
  %v0r = quern.reshape %v0 : tensor<1x16x8xf32> -> tensor<16x8xf32>
  %h0 = quern.matmul %x, %w0r : tensor<16x8xf32>, tensor<8x16xf32> -> tensor<16x16xf32>
  %a0 = quern.relu %h0 : tensor<16x16xf32>
  %y0 = quern.matmul %a0, %v0r : tensor<16x16xf32>, tensor<16x8xf32> -> tensor<16x8xf32>
  %gb0 = quern.broadcast %g0 : tensor<16x1xf32> -> tensor<16x8xf32>
  %t0 = quern.mul %gb0, %y0 : tensor<16x8xf32>
  %g1 = quern.slice %gates offsets = [0, 1] strides = [1, 1] : tensor<16x4xf32> -> tensor<16x1xf32>
  %h1 = quern.matmul %x, %w0r : tensor<16x8xf32>, tensor<8x16xf32> -> tensor<16x16xf32>
  %a1 = quern.sigmoid %h1 : tensor<16x16xf32>
  %y1 = quern.matmul %a1, %v0r : tensor<16x16xf32>, tensor<16x8xf32> -> tensor<16x8xf32>
  %gb1 = quern.broadcast %g1 : tensor<16x1xf32> -> tensor<16x8xf32>
  %t1 = quern.mul %gb1, %y1 : tensor<16x8xf32>
  %out = quern.add %t0, %t1 : tensor<16x8xf32>
  return %out : tensor<16x8xf32>
}

// -----

// An expert whose hidden activation is also read elsewhere stays dense.
// CHECK-LABEL: func.func @inner_value_used
// CHECK-NOT: quern.moe_dispatch
func.func @inner_value_used(%x: tensor<16x8xf32>, %scores: tensor<16x4xf32>, %w: tensor<8x16xf32>, %v: tensor<16x8xf32>) -> (tensor<16x8xf32>, tensor<16x16xf32>) {
  %values, %indices = quern.topk %scores k = 1 axis = 1 : tensor<16x4xf32> -> (tensor<16x1xf32>, tensor<16x1xi64>)
  %zeros = quern.constant dense<0.0> : tensor<16x4xf32>
  // expected-remark @+1 {{mixture-of-experts block left dense: a value inside an expert is used outside it}}
  %gates = quern.scatter_elements %zeros, %indices, %values axis = 1 reduction = none : (tensor<16x4xf32>, tensor<16x1xi64>, tensor<16x1xf32>) -> tensor<16x4xf32>
  %g0 = quern.slice %gates offsets = [0, 0] strides = [1, 1] : tensor<16x4xf32> -> tensor<16x1xf32>
  %h0 = quern.matmul %x, %w : tensor<16x8xf32>, tensor<8x16xf32> -> tensor<16x16xf32>
  %a0 = quern.relu %h0 : tensor<16x16xf32>
  %y0 = quern.matmul %a0, %v : tensor<16x16xf32>, tensor<16x8xf32> -> tensor<16x8xf32>
  %gb0 = quern.broadcast %g0 : tensor<16x1xf32> -> tensor<16x8xf32>
  %t0 = quern.mul %gb0, %y0 : tensor<16x8xf32>
  return %t0, %a0 : tensor<16x8xf32>, tensor<16x16xf32>
}

// -----

// Top-2 of 2 experts: every expert runs on every token anyway.
// CHECK-LABEL: func.func @no_saving
// CHECK-NOT: quern.moe_dispatch
func.func @no_saving(%x: tensor<16x8xf32>, %scores: tensor<16x2xf32>, %w: tensor<2x8x8xf32>) -> tensor<16x8xf32> {
  %values, %indices = quern.topk %scores k = 2 axis = 1 : tensor<16x2xf32> -> (tensor<16x2xf32>, tensor<16x2xi64>)
  %zeros = quern.constant dense<0.0> : tensor<16x2xf32>
  // expected-remark @+1 {{mixture-of-experts block left dense: routing 2 of 2 experts per token saves no rows over running them densely}}
  %gates = quern.scatter_elements %zeros, %indices, %values axis = 1 reduction = none : (tensor<16x2xf32>, tensor<16x2xi64>, tensor<16x2xf32>) -> tensor<16x2xf32>
  %xb = quern.broadcast %x : tensor<16x8xf32> -> tensor<2x16x8xf32>
  %h = quern.matmul %xb, %w : tensor<2x16x8xf32>, tensor<2x8x8xf32> -> tensor<2x16x8xf32>
  %a = quern.relu %h : tensor<2x16x8xf32>
  %y = quern.matmul %a, %w : tensor<2x16x8xf32>, tensor<2x8x8xf32> -> tensor<2x16x8xf32>
  %t = quern.transpose %gates perm = [1, 0] : tensor<16x2xf32> -> tensor<2x16xf32>
  %r = quern.reshape %t : tensor<2x16xf32> -> tensor<2x16x1xf32>
  %rb = quern.broadcast %r : tensor<2x16x1xf32> -> tensor<2x16x8xf32>
  %weighed = quern.mul %y, %rb : tensor<2x16x8xf32>
  %sum = quern.reduce_sum %weighed axes = [0] : tensor<2x16x8xf32> -> tensor<16x8xf32>
  return %sum : tensor<16x8xf32>
}

// -----

// Gates scattered into something other than zeros are not a routing: no
// block, no remark.
// CHECK-LABEL: func.func @not_zeros
// CHECK-NOT: quern.moe_dispatch
func.func @not_zeros(%x: tensor<16x8xf32>, %scores: tensor<16x4xf32>, %w: tensor<8x8xf32>) -> tensor<16x8xf32> {
  %values, %indices = quern.topk %scores k = 1 axis = 1 : tensor<16x4xf32> -> (tensor<16x1xf32>, tensor<16x1xi64>)
  %gates = quern.scatter_elements %scores, %indices, %values axis = 1 reduction = none : (tensor<16x4xf32>, tensor<16x1xi64>, tensor<16x1xf32>) -> tensor<16x4xf32>
  %g0 = quern.slice %gates offsets = [0, 0] strides = [1, 1] : tensor<16x4xf32> -> tensor<16x1xf32>
  %h = quern.matmul %x, %w : tensor<16x8xf32>, tensor<8x8xf32> -> tensor<16x8xf32>
  %y = quern.matmul %h, %w : tensor<16x8xf32>, tensor<8x8xf32> -> tensor<16x8xf32>
  %gb0 = quern.broadcast %g0 : tensor<16x1xf32> -> tensor<16x8xf32>
  %t0 = quern.mul %gb0, %y : tensor<16x8xf32>
  return %t0 : tensor<16x8xf32>
}

// -----

// A load-balancing loss reads the router's probabilities and the gates too:
// the block is fused all the same, and those reads stay as they are.
// CHECK-LABEL: func.func @auxiliary_loss
// CHECK: %[[PROBS:.+]] = quern.softmax
// CHECK: %[[GATES:.+]] = quern.scatter_elements
// CHECK: quern.moe_dispatch
// CHECK: %[[AUX:.+]] = quern.mul %[[PROBS]], %[[GATES]] : tensor<64x4xf32>
// CHECK: return %{{.+}}, %[[AUX]]
func.func @auxiliary_loss(%x: tensor<64x8xf32>, %scores: tensor<64x4xf32>, %w: tensor<4x8x8xf32>) -> (tensor<64x8xf32>, tensor<64x4xf32>) {
  %probs = quern.softmax %scores axis = 1 : tensor<64x4xf32>
  %values, %indices = quern.topk %probs k = 1 axis = 1 : tensor<64x4xf32> -> (tensor<64x1xf32>, tensor<64x1xi64>)
  %zeros = quern.constant dense<0.0> : tensor<64x4xf32>
  %gates = quern.scatter_elements %zeros, %indices, %values axis = 1 reduction = none : (tensor<64x4xf32>, tensor<64x1xi64>, tensor<64x1xf32>) -> tensor<64x4xf32>
  %xb = quern.broadcast %x : tensor<64x8xf32> -> tensor<4x64x8xf32>
  %h = quern.matmul %xb, %w : tensor<4x64x8xf32>, tensor<4x8x8xf32> -> tensor<4x64x8xf32>
  %a = quern.relu %h : tensor<4x64x8xf32>
  %y = quern.matmul %a, %w : tensor<4x64x8xf32>, tensor<4x8x8xf32> -> tensor<4x64x8xf32>
  %t = quern.transpose %gates perm = [1, 0] : tensor<64x4xf32> -> tensor<4x64xf32>
  %r = quern.reshape %t : tensor<4x64xf32> -> tensor<4x64x1xf32>
  %rb = quern.broadcast %r : tensor<4x64x1xf32> -> tensor<4x64x8xf32>
  %weighed = quern.mul %y, %rb : tensor<4x64x8xf32>
  // expected-remark @+1 {{fused mixture-of-experts block}}
  %sum = quern.reduce_sum %weighed axes = [0] : tensor<4x64x8xf32> -> tensor<64x8xf32>
  %aux = quern.mul %probs, %gates : tensor<64x4xf32>
  return %sum, %aux : tensor<64x8xf32>, tensor<64x4xf32>
}

// -----

// Gates as a mask of the top-k experts times scores: the slots compared
// with every expert's index, counted, tested for more than zero. The top-k
// ranks the probabilities but the gates weigh other scores, so each slot's
// gate is gathered from those scores at its expert.
// CHECK-LABEL: func.func @masked_gates
// CHECK-SAME: (%[[X:[^:]+]]: tensor<64x8xf32>, %[[PROBS:[^:]+]]: tensor<64x4xf32>, %[[SCORES:[^:]+]]: tensor<64x4xf32>
// CHECK: %{{.+}}, %[[I:.+]] = quern.topk %[[PROBS]]
// CHECK: quern.moe_dispatch %[[I]] groups = [0, 1, 2, 3]
// CHECK: %[[W:.+]] = quern.gather_elements %[[SCORES]], %[[I]] axis = 1 : (tensor<64x4xf32>, tensor<64x2xi64>) -> tensor<64x2xf32>
// CHECK: quern.reshape %[[W]] : tensor<64x2xf32> -> tensor<64x2x1xf32>
// CHECK-NOT: quern.matmul
func.func @masked_gates(%x: tensor<64x8xf32>, %probs: tensor<64x4xf32>, %scores: tensor<64x4xf32>, %w: tensor<4x8x8xf32>) -> tensor<64x8xf32> {
  %values, %indices = quern.topk %probs k = 2 axis = 1 : tensor<64x4xf32> -> (tensor<64x2xf32>, tensor<64x2xi64>)
  %column = quern.reshape %indices : tensor<64x2xi64> -> tensor<64x2x1xi64>
  %slots = quern.broadcast %column : tensor<64x2x1xi64> -> tensor<64x2x4xi64>
  %positions = quern.constant dense<[[[0, 1, 2, 3]]]> : tensor<1x1x4xi64>
  %every = quern.broadcast %positions : tensor<1x1x4xi64> -> tensor<64x2x4xi64>
  %equal = quern.compare eq, %slots, %every : tensor<64x2x4xi64> -> tensor<64x2x4xi1>
  %ones = quern.cast %equal : tensor<64x2x4xi1> to tensor<64x2x4xi64>
  %count = quern.reduce_sum %ones axes = [1] : tensor<64x2x4xi64> -> tensor<64x4xi64>
  %zero = quern.constant dense<0> : tensor<64x4xi64>
  %any = quern.compare gt, %count, %zero : tensor<64x4xi64> -> tensor<64x4xi1>
  %mask = quern.cast %any : tensor<64x4xi1> to tensor<64x4xf32>
  %gates = quern.mul %scores, %mask : tensor<64x4xf32>
  %xb = quern.broadcast %x : tensor<64x8xf32> -> tensor<4x64x8xf32>
  %h = quern.matmul %xb, %w : tensor<4x64x8xf32>, tensor<4x8x8xf32> -> tensor<4x64x8xf32>
  %a = quern.relu %h : tensor<4x64x8xf32>
  %y = quern.matmul %a, %w : tensor<4x64x8xf32>, tensor<4x8x8xf32> -> tensor<4x64x8xf32>
  %t = quern.transpose %gates perm = [1, 0] : tensor<64x4xf32> -> tensor<4x64xf32>
  %r = quern.reshape %t : tensor<4x64xf32> -> tensor<4x64x1xf32>
  %rb = quern.broadcast %r : tensor<4x64x1xf32> -> tensor<4x64x8xf32>
  %weighed = quern.mul %y, %rb : tensor<4x64x8xf32>
  // expected-remark @+1 {{fused mixture-of-experts block: 4 experts (4 with products, 0 without), top-2}}
  %sum = quern.reduce_sum %weighed axes = [0] : tensor<4x64x8xf32> -> tensor<64x8xf32>
  return %sum : tensor<64x8xf32>
}

// -----

// A sum with as many terms as experts but one of them twice (and another
// expert's term used elsewhere) is not the block's sum: left dense.
// CHECK-LABEL: func.func @term_twice
// CHECK-NOT: quern.moe_dispatch
func.func @term_twice(%x: tensor<32x8xf32>, %scores: tensor<32x3xf32>, %w: tensor<8x8xf32>) -> (tensor<32x8xf32>, tensor<32x8xf32>) {
  %values, %indices = quern.topk %scores k = 1 axis = 1 : tensor<32x3xf32> -> (tensor<32x1xf32>, tensor<32x1xi64>)
  %zeros = quern.constant dense<0.0> : tensor<32x3xf32>
  // expected-remark @+1 {{mixture-of-experts block left dense: the experts' weighed outputs are not one sum}}
  %gates = quern.scatter_elements %zeros, %indices, %values axis = 1 reduction = none : (tensor<32x3xf32>, tensor<32x1xi64>, tensor<32x1xf32>) -> tensor<32x3xf32>
  %g0 = quern.slice %gates offsets = [0, 0] strides = [1, 1] : tensor<32x3xf32> -> tensor<32x1xf32>
  %g1 = quern.slice %gates offsets = [0, 1] strides = [1, 1] : tensor<32x3xf32> -> tensor<32x1xf32>
  %g2 = quern.slice %gates offsets = [0, 2] strides = [1, 1] : tensor<32x3xf32> -> tensor<32x1xf32>
  %h0 = quern.matmul %x, %w : tensor<32x8xf32>, tensor<8x8xf32> -> tensor<32x8xf32>
  %y0 = quern.matmul %h0, %w : tensor<32x8xf32>, tensor<8x8xf32> -> tensor<32x8xf32>
  %h1 = quern.matmul %x, %w : tensor<32x8xf32>, tensor<8x8xf32> -> tensor<32x8xf32>
  %y1 = quern.matmul %h1, %w : tensor<32x8xf32>, tensor<8x8xf32> -> tensor<32x8xf32>
  %h2 = quern.matmul %x, %w : tensor<32x8xf32>, tensor<8x8xf32> -> tensor<32x8xf32>
  %y2 = quern.matmul %h2, %w : tensor<32x8xf32>, tensor<8x8xf32> -> tensor<32x8xf32>
  %b0 = quern.broadcast %g0 : tensor<32x1xf32> -> tensor<32x8xf32>
  %b1 = quern.broadcast %g1 : tensor<32x1xf32> -> tensor<32x8xf32>
  %b2 = quern.broadcast %g2 : tensor<32x1xf32> -> tensor<32x8xf32>
  %t0 = quern.mul %b0, %y0 : tensor<32x8xf32>
  %t1 = quern.mul %b1, %y1 : tensor<32x8xf32>
  %t2 = quern.mul %b2, %y2 : tensor<32x8xf32>
  %s = quern.add %t0, %t1 : tensor<32x8xf32>
  %out = quern.add %s, %t1 : tensor<32x8xf32>
  return %out, %t2 : tensor<32x8xf32>, tensor<32x8xf32>
}
