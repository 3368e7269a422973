// RUN: quern-opt %s --quern-mark-trainable | FileCheck %s --check-prefix=ALL
// RUN: quern-opt %s --quern-mark-trainable="freeze=fc1.*" | FileCheck %s --check-prefix=FREEZE
// RUN: quern-opt %s --quern-mark-trainable="trainable=fc*.weight freeze=fc2.*" | FileCheck %s --check-prefix=BOTH
// RUN: not quern-opt %s --quern-mark-trainable="trainable=fc9.*" 2>&1 | FileCheck %s --check-prefix=UNUSED
// RUN: not quern-opt %s --quern-mark-trainable="freeze=[z-a]" 2>&1 | FileCheck %s --check-prefix=MALFORMED

// Which parameters train: every one without globs; those a trainable glob
// matches and no freeze glob does, with them. A glob that matches nothing,
// or is not a glob, is an error (a typo must not train everything).

// ALL: %arg1: tensor<8x8xf32> {quern.param = {name = "fc1.weight", trainable = true}}
// ALL-SAME: %arg2: tensor<8xf32> {quern.param = {name = "fc1.bias", trainable = true}}
// ALL-SAME: %arg3: tensor<8x2xf32> {quern.param = {name = "fc2.weight", trainable = true}}

// FREEZE: %arg1: tensor<8x8xf32> {quern.param = {name = "fc1.weight", trainable = false}}
// FREEZE-SAME: %arg2: tensor<8xf32> {quern.param = {name = "fc1.bias", trainable = false}}
// FREEZE-SAME: %arg3: tensor<8x2xf32> {quern.param = {name = "fc2.weight", trainable = true}}

// BOTH: %arg1: tensor<8x8xf32> {quern.param = {name = "fc1.weight", trainable = true}}
// BOTH-SAME: %arg2: tensor<8xf32> {quern.param = {name = "fc1.bias", trainable = false}}
// BOTH-SAME: %arg3: tensor<8x2xf32> {quern.param = {name = "fc2.weight", trainable = false}}

// UNUSED: error: trainable: 'fc9.*' matches no parameter
// MALFORMED: error: freeze: '[z-a]' is not a glob: invalid glob pattern: [z-a]

func.func @forward(%x: tensor<4x8xf32> {quern.name = "x"},
                   %w1: tensor<8x8xf32> {quern.param = {name = "fc1.weight", trainable = false}},
                   %b1: tensor<8xf32> {quern.param = {name = "fc1.bias", trainable = true}},
                   %w2: tensor<8x2xf32> {quern.param = {name = "fc2.weight", trainable = true}})
    -> (tensor<4x2xf32> {quern.name = "y"}) {
  %0 = quern.matmul %x, %w2 : tensor<4x8xf32>, tensor<8x2xf32> -> tensor<4x2xf32>
  return %0 : tensor<4x2xf32>
}
