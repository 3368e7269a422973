// RUN: quern-opt %s --quern-quantize | FileCheck %s --check-prefix=NF4
// RUN: quern-opt %s --quern-quantize="scheme=int8 block=32" | FileCheck %s --check-prefix=INT8
// RUN: quern-opt %s --quern-quantize="scheme=int4 double-quant=true" | FileCheck %s --check-prefix=DOUBLE
// RUN: quern-opt %s --quern-quantize="only=fc2.*" | FileCheck %s --check-prefix=ONLY

// Which weights are stored quantized: the frozen ones that only matrix
// products read, directly (fc1.weight) or through a transpose (fc2.weight,
// Linear's layout); not the trained one (head), nor the embedding a Gather
// reads, nor the bias (rank 1). Each becomes its parts, named after it,
// with the record quernc fills them from, and a quern.dequantize that the
// products read in its place.

// NF4-LABEL: func.func @forward
// NF4-SAME: %[[C1:[^:]+]]: tensor<512xi8> {quern.param = {name = "fc1.weight", trainable = false}, quern.quantized = {block = 64 : i64, double_quant = false, of = "fc1.weight", part = "codes", scheme = "nf4", shape = array<i64: 32, 32>}}
// NF4-SAME: %[[S1:[^:]+]]: tensor<16xf32> {quern.param = {name = "fc1.weight.scales", trainable = false}, quern.quantized = {{{[^}]*}}part = "scales"
// NF4-SAME: {quern.param = {name = "fc1.bias", trainable = false}}
// NF4-SAME: %[[C2:[^:]+]]: tensor<1024xi8> {quern.param = {name = "fc2.weight", trainable = false}
// NF4-SAME: shape = array<i64: 64, 32>
// NF4-SAME: %[[S2:[^:]+]]: tensor<32xf32> {quern.param = {name = "fc2.weight.scales", trainable = false}
// NF4-SAME: tensor<64x64xf32> {quern.param = {name = "head", trainable = true}}
// NF4-SAME: tensor<10x32xf32> {quern.param = {name = "emb", trainable = false}}
// NF4-DAG: %[[W2:.+]] = quern.dequantize nf4 %[[C2]], %[[S2]] block = 64 : tensor<1024xi8>, tensor<32xf32> -> tensor<64x32xf32>
// NF4-DAG: %[[W1:.+]] = quern.dequantize nf4 %[[C1]], %[[S1]] block = 64 : tensor<512xi8>, tensor<16xf32> -> tensor<32x32xf32>
// NF4: quern.matmul %{{.*}}, %[[W1]]
// NF4: quern.transpose %[[W2]]

// INT8: tensor<1024xi8> {quern.param = {name = "fc1.weight", trainable = false}, quern.quantized = {block = 32 : i64, double_quant = false, of = "fc1.weight", part = "codes", scheme = "int8"
// INT8-SAME: tensor<32xf32> {quern.param = {name = "fc1.weight.scales"
// INT8: quern.dequantize int8 %{{.*}}, %{{.*}} block = 32 : tensor<1024xi8>, tensor<32xf32> -> tensor<32x32xf32>

// Double quantization: the 16 scales are int8 codes around their mean, in
// one block of 256, decoded by a dequantize of their own.
// DOUBLE: %[[C:[^:]+]]: tensor<512xi8> {quern.param = {name = "fc1.weight", trainable = false}, quern.quantized = {block = 64 : i64, double_quant = true, of = "fc1.weight", part = "codes", scheme = "int4"
// DOUBLE-SAME: %[[SC:[^:]+]]: tensor<16xi8> {quern.param = {name = "fc1.weight.scales", trainable = false}, quern.quantized = {{{[^}]*}}part = "scale_codes"
// DOUBLE-SAME: %[[SS:[^:]+]]: tensor<1xf32> {quern.param = {name = "fc1.weight.scales.scales", trainable = false}, quern.quantized = {{{[^}]*}}part = "scale_scales"
// DOUBLE-SAME: %[[OFF:[^:]+]]: tensor<1xf32> {quern.param = {name = "fc1.weight.scales.offset", trainable = false}, quern.quantized = {{{[^}]*}}part = "scale_offset"
// DOUBLE: %[[SCALES:.+]] = quern.dequantize int8 %[[SC]], %[[SS]] block = 256 offset(%[[OFF]] : tensor<1xf32>) : tensor<16xi8>, tensor<1xf32> -> tensor<16xf32>
// DOUBLE: quern.dequantize int4 %[[C]], %[[SCALES]] block = 64 : tensor<512xi8>, tensor<16xf32> -> tensor<32x32xf32>

// ONLY: tensor<32x32xf32> {quern.param = {name = "fc1.weight", trainable = false}}
// ONLY: quern.quantized = {{{[^}]*}}of = "fc2.weight"
// ONLY-NOT: of = "fc1.weight"

func.func @forward(%x: tensor<8x32xf32> {quern.name = "x"},
                   %w1: tensor<32x32xf32> {quern.param = {name = "fc1.weight", trainable = false}},
                   %b1: tensor<32xf32> {quern.param = {name = "fc1.bias", trainable = false}},
                   %w2: tensor<64x32xf32> {quern.param = {name = "fc2.weight", trainable = false}},
                   %head: tensor<64x64xf32> {quern.param = {name = "head", trainable = true}},
                   %emb: tensor<10x32xf32> {quern.param = {name = "emb", trainable = false}},
                   %ids: tensor<8xi64> {quern.name = "ids"})
    -> (tensor<8x64xf32> {quern.name = "y"}, tensor<8x32xf32> {quern.name = "e"}) {
  %h = quern.matmul %x, %w1 bias(%b1 : tensor<32xf32>) : tensor<8x32xf32>, tensor<32x32xf32> -> tensor<8x32xf32>
  %t = quern.transpose %w2 perm = [1, 0] : tensor<64x32xf32> -> tensor<32x64xf32>
  %o = quern.matmul %h, %t : tensor<8x32xf32>, tensor<32x64xf32> -> tensor<8x64xf32>
  %y = quern.matmul %o, %head : tensor<8x64xf32>, tensor<64x64xf32> -> tensor<8x64xf32>
  %e = quern.gather %emb, %ids axis = 0 : (tensor<10x32xf32>, tensor<8xi64>) -> tensor<8x32xf32>
  return %y, %e : tensor<8x64xf32>, tensor<8x32xf32>
}
