// RUN: quern-opt %s -split-input-file -verify-diagnostics

// One case per verifier message of the mixture-of-experts ops
// (QuernOps.cpp).

func.func @dispatch_rank(%ids: tensor<16xi64>) {
  // expected-error @+1 {{'quern.moe_dispatch' op expects experts of rank 2 (tokens x slots)}}
  %r, %t, %s = quern.moe_dispatch %ids groups = [0, 1] : tensor<16xi64> -> (tensor<32xi64>, tensor<8xi64>, tensor<16xi64>)
  return
}

// -----

func.func @dispatch_rows_rank(%ids: tensor<8x2xi64>) {
  // expected-error @+1 {{'quern.moe_dispatch' op expects rows and tile_groups of rank 1}}
  %r, %t, %s = quern.moe_dispatch %ids groups = [0, 1] : tensor<8x2xi64> -> (tensor<4x8xi64>, tensor<8xi64>, tensor<8x2xi64>)
  return
}

// -----

func.func @dispatch_no_experts(%ids: tensor<8x2xi64>) {
  // expected-error @+1 {{'quern.moe_dispatch' op expects at least one expert in groups}}
  %r, %t, %s = quern.moe_dispatch %ids groups = [] : tensor<8x2xi64> -> (tensor<32xi64>, tensor<8xi64>, tensor<8x2xi64>)
  return
}

// -----

func.func @dispatch_group_below(%ids: tensor<8x2xi64>) {
  // expected-error @+1 {{'quern.moe_dispatch' op expects groups of -1 or more, got -2}}
  %r, %t, %s = quern.moe_dispatch %ids groups = [0, -2] : tensor<8x2xi64> -> (tensor<32xi64>, tensor<8xi64>, tensor<8x2xi64>)
  return
}

// -----

func.func @dispatch_partial_tile(%ids: tensor<8x2xi64>) {
  // expected-error @+1 {{'quern.moe_dispatch' op expects rows (30) to be a multiple of the tiles (8)}}
  %r, %t, %s = quern.moe_dispatch %ids groups = [0, 1] : tensor<8x2xi64> -> (tensor<30xi64>, tensor<8xi64>, tensor<8x2xi64>)
  return
}

// -----

// 16 slots and two groups in tiles of 4 rows need 16 + 2 * 3 = 22 rows.
func.func @dispatch_too_few_rows(%ids: tensor<8x2xi64>) {
  // expected-error @+1 {{'quern.moe_dispatch' op expects at least 22 rows (slots plus a partial tile per group), got 20}}
  %r, %t, %s = quern.moe_dispatch %ids groups = [0, 1] : tensor<8x2xi64> -> (tensor<20xi64>, tensor<5xi64>, tensor<8x2xi64>)
  return
}

// -----

func.func @dispatch_slots_shape(%ids: tensor<8x2xi64>) {
  // expected-error @+1 {{'quern.moe_dispatch' op failed to verify that all of {experts, slots} have same shape}}
  %r, %t, %s = quern.moe_dispatch %ids groups = [0, 1] : tensor<8x2xi64> -> (tensor<24xi64>, tensor<6xi64>, tensor<16xi64>)
  return
}

// -----

func.func @grouped_rank(%x: tensor<2x14x16xf32>, %w: tensor<3x16x32xf32>, %t: tensor<7xi64>) {
  // expected-error @+1 {{'quern.grouped_matmul' op expects row operands of rank 2}}
  %0 = quern.grouped_matmul %x, %w, %t : tensor<2x14x16xf32>, tensor<3x16x32xf32>, tensor<7xi64> -> tensor<28x32xf32>
  return
}

// -----

func.func @grouped_types(%x: tensor<28x16xf32>, %w: tensor<3x16x32xbf16>, %t: tensor<7xi64>) {
  // expected-error @+1 {{'quern.grouped_matmul' op expects weights of rank 3 (groups x K x N) of the operands' element type}}
  %0 = quern.grouped_matmul %x, %w, %t : tensor<28x16xf32>, tensor<3x16x32xbf16>, tensor<7xi64> -> tensor<28x32xf32>
  return
}

// -----

func.func @grouped_result_type(%x: tensor<28x16xf32>, %w: tensor<3x16x32xf32>, %t: tensor<7xi64>) {
  // expected-error @+1 {{'quern.grouped_matmul' op expects the result of the operands' element type}}
  %0 = quern.grouped_matmul %x, %w, %t : tensor<28x16xf32>, tensor<3x16x32xf32>, tensor<7xi64> -> tensor<28x32xbf16>
  return
}

// -----

func.func @grouped_tiles(%x: tensor<28x16xf32>, %w: tensor<3x16x32xf32>, %t: tensor<8xi64>) {
  // expected-error @+1 {{'quern.grouped_matmul' op expects tile_groups of rank 1 whose size divides the rows (28)}}
  %0 = quern.grouped_matmul %x, %w, %t : tensor<28x16xf32>, tensor<3x16x32xf32>, tensor<8xi64> -> tensor<28x32xf32>
  return
}

// -----

func.func @grouped_depth(%x: tensor<28x16xf32>, %w: tensor<3x16x32xf32>, %t: tensor<7xi64>) {
  // expected-error @+1 {{'quern.grouped_matmul' op contraction dimensions differ: 16 vs 32}}
  %0 = quern.grouped_matmul %x, %w, %t transpose_rhs : tensor<28x16xf32>, tensor<3x16x32xf32>, tensor<7xi64> -> tensor<28x16xf32>
  return
}

// -----

func.func @grouped_result(%x: tensor<28x16xf32>, %w: tensor<3x16x32xf32>, %t: tensor<7xi64>) {
  // expected-error @+1 {{'quern.grouped_matmul' op expects result shape [28, 32]}}
  %0 = quern.grouped_matmul %x, %w, %t : tensor<28x16xf32>, tensor<3x16x32xf32>, tensor<7xi64> -> tensor<28x16xf32>
  return
}

// -----

func.func @gradient_rows(%x: tensor<28x16xf32>, %g: tensor<24x32xf32>, %t: tensor<4xi64>) {
  // expected-error @+1 {{'quern.grouped_weight_gradient' op expects operands of the same rows, got 28 and 24}}
  %0 = quern.grouped_weight_gradient %x, %g, %t : tensor<28x16xf32>, tensor<24x32xf32>, tensor<4xi64> -> tensor<3x16x32xf32>
  return
}

// -----

func.func @gradient_rank(%x: tensor<28x16xf32>, %g: tensor<28x32xf32>, %t: tensor<7xi64>) {
  // expected-error @+1 {{'quern.grouped_weight_gradient' op expects a result of rank 3 (groups x K x N)}}
  %0 = quern.grouped_weight_gradient %x, %g, %t : tensor<28x16xf32>, tensor<28x32xf32>, tensor<7xi64> -> tensor<16x32xf32>
  return
}

// -----

func.func @gradient_shape(%x: tensor<28x16xf32>, %g: tensor<28x32xf32>, %t: tensor<7xi64>) {
  // expected-error @+1 {{'quern.grouped_weight_gradient' op expects result shape [3, 32, 16]}}
  %0 = quern.grouped_weight_gradient %x, %g, %t transpose_result : tensor<28x16xf32>, tensor<28x32xf32>, tensor<7xi64> -> tensor<3x16x32xf32>
  return
}

// -----

func.func @gradient_types(%x: tensor<28x16xf32>, %g: tensor<28x32xbf16>, %t: tensor<7xi64>) {
  // expected-error @+1 {{'quern.grouped_weight_gradient' op expects operands of one element type}}
  %0 = quern.grouped_weight_gradient %x, %g, %t : tensor<28x16xf32>, tensor<28x32xbf16>, tensor<7xi64> -> tensor<3x16x32xf32>
  return
}

// -----

func.func @epilogue_weights(%x: tensor<28x16xf32>, %w1: tensor<3x32x16xf32>, %w3: tensor<3x16x16xf32>, %t: tensor<7xi64>) {
  // expected-error @+1 {{'quern.grouped_matmul_epilogue' op expects weight stacks of one type}}
  %0:2 = quern.grouped_matmul_epilogue %x, [%w1, %w3], %t transpose_rhs : tensor<28x16xf32>, [tensor<3x32x16xf32>, tensor<3x16x16xf32>], tensor<7xi64> -> (tensor<28x32xf32>, tensor<28x32xf32>) {
  ^bb0(%a: tensor<4x32xf32>, %b: tensor<4x32xf32>):
    quern.epilogue_yield
  }
  return
}

// -----

func.func @epilogue_none(%x: tensor<28x16xf32>, %t: tensor<7xi64>) {
  // expected-error @+1 {{'quern.grouped_matmul_epilogue' op expects at least one weight stack}}
  %0 = "quern.grouped_matmul_epilogue"(%x, %t) <{operandSegmentSizes = array<i32: 1, 0, 1, 0>}> ({
  ^bb0:
    quern.epilogue_yield
  }) : (tensor<28x16xf32>, tensor<7xi64>) -> tensor<28x32xf32>
  return
}

// -----

func.func @epilogue_contraction(%x: tensor<28x16xf32>, %w: tensor<3x32x16xf32>, %t: tensor<7xi64>) {
  // expected-error @+1 {{'quern.grouped_matmul_epilogue' op contraction dimensions differ: 16 vs 32}}
  %0 = quern.grouped_matmul_epilogue %x, [%w], %t : tensor<28x16xf32>, [tensor<3x32x16xf32>], tensor<7xi64> -> (tensor<28x16xf32>) {
  ^bb0(%a: tensor<4x16xf32>):
    quern.epilogue_yield
  }
  return
}

// -----

func.func @epilogue_tiles(%x: tensor<28x16xf32>, %w: tensor<3x16x32xf32>, %t: tensor<8xi64>) {
  // expected-error @+1 {{'quern.grouped_matmul_epilogue' op expects tile_groups of rank 1 whose size divides the rows (28)}}
  %0 = quern.grouped_matmul_epilogue %x, [%w], %t : tensor<28x16xf32>, [tensor<3x16x32xf32>], tensor<8xi64> -> (tensor<28x32xf32>) {
  ^bb0(%a: tensor<4x32xf32>):
    quern.epilogue_yield
  }
  return
}

// -----

func.func @epilogue_missing_product(%x: tensor<28x16xf32>, %w1: tensor<3x16x32xf32>, %w3: tensor<3x16x32xf32>, %t: tensor<7xi64>) {
  // expected-error @+1 {{'quern.grouped_matmul_epilogue' op expects a result for each product}}
  %0 = quern.grouped_matmul_epilogue %x, [%w1, %w3], %t : tensor<28x16xf32>, [tensor<3x16x32xf32>, tensor<3x16x32xf32>], tensor<7xi64> -> (tensor<28x32xf32>) {
  ^bb0(%a: tensor<4x32xf32>, %b: tensor<4x32xf32>):
    quern.epilogue_yield
  }
  return
}

// -----

func.func @epilogue_product_type(%x: tensor<28x16xf32>, %w: tensor<3x16x32xf32>, %t: tensor<7xi64>) {
  // expected-error @+1 {{'quern.grouped_matmul_epilogue' op expects the first results to be the products, of type 'tensor<28x32xf32>'}}
  %0 = quern.grouped_matmul_epilogue %x, [%w], %t : tensor<28x16xf32>, [tensor<3x16x32xf32>], tensor<7xi64> -> (tensor<28x16xf32>) {
  ^bb0(%a: tensor<4x32xf32>):
    quern.epilogue_yield
  }
  return
}

// -----

func.func @epilogue_rows(%x: tensor<28x16xf32>, %w: tensor<3x16x32xf32>, %t: tensor<7xi64>, %bias: tensor<24x32xf32>) {
  // expected-error @+1 {{'quern.grouped_matmul_epilogue' op expects row inputs and results of rank 2 with the products' 28 rows}}
  %0 = quern.grouped_matmul_epilogue %x, [%w], %t rows(%bias : tensor<24x32xf32>) : tensor<28x16xf32>, [tensor<3x16x32xf32>], tensor<7xi64> -> (tensor<28x32xf32>) {
  ^bb0(%a: tensor<4x32xf32>, %b: tensor<4x32xf32>):
    quern.epilogue_yield
  }
  return
}

// -----

func.func @epilogue_arguments(%x: tensor<28x16xf32>, %w: tensor<3x16x32xf32>, %t: tensor<7xi64>) {
  // expected-error @+1 {{'quern.grouped_matmul_epilogue' op expects the epilogue to take a tile of each product and row input}}
  %0 = quern.grouped_matmul_epilogue %x, [%w], %t : tensor<28x16xf32>, [tensor<3x16x32xf32>], tensor<7xi64> -> (tensor<28x32xf32>) {
  ^bb0(%a: tensor<28x32xf32>):
    quern.epilogue_yield
  }
  return
}

// -----

func.func @epilogue_yield(%x: tensor<28x16xf32>, %w: tensor<3x16x32xf32>, %t: tensor<7xi64>) {
  // expected-error @+1 {{'quern.grouped_matmul_epilogue' op expects the epilogue to yield a tile of each result after the products}}
  %0:2 = quern.grouped_matmul_epilogue %x, [%w], %t : tensor<28x16xf32>, [tensor<3x16x32xf32>], tensor<7xi64> -> (tensor<28x32xf32>, tensor<28x16xf32>) {
  ^bb0(%a: tensor<4x32xf32>):
    quern.epilogue_yield %a : tensor<4x32xf32>
  }
  return
}

// -----

func.func @epilogue_terminator(%x: tensor<28x16xf32>, %w: tensor<3x16x32xf32>, %t: tensor<7xi64>) {
  // expected-error @+1 {{'quern.grouped_matmul_epilogue' op expects the epilogue to end in quern.epilogue_yield}}
  %0 = quern.grouped_matmul_epilogue %x, [%w], %t : tensor<28x16xf32>, [tensor<3x16x32xf32>], tensor<7xi64> -> (tensor<28x32xf32>) {
  ^bb0(%a: tensor<4x32xf32>):
    llvm.unreachable
  }
  return
}

// -----

func.func @epilogue_yield_parent(%a: tensor<4x32xf32>) {
  // expected-error @+1 {{'quern.epilogue_yield' op expects parent op 'quern.grouped_matmul_epilogue'}}
  quern.epilogue_yield %a : tensor<4x32xf32>
}

// -----

func.func @epilogue_weight_rank(%x: tensor<28x16xf32>, %w: tensor<16x32xf32>, %t: tensor<7xi64>) {
  // expected-error @+1 {{'quern.grouped_matmul_epilogue' op expects weights of rank 3 (groups x K x N) of the operands' element type}}
  %0 = quern.grouped_matmul_epilogue %x, [%w], %t : tensor<28x16xf32>, [tensor<16x32xf32>], tensor<7xi64> -> (tensor<28x32xf32>) {
  ^bb0(%a: tensor<4x32xf32>):
    quern.epilogue_yield
  }
  return
}

// -----

func.func @epilogue_ops(%x: tensor<28x16xf32>, %w: tensor<3x16x32xf32>, %t: tensor<7xi64>) {
  // expected-error @+1 {{'quern.grouped_matmul_epilogue' op expects the epilogue to hold quern elementwise ops and splat constants, got 'quern.reduce_sum'}}
  %0:2 = quern.grouped_matmul_epilogue %x, [%w], %t : tensor<28x16xf32>, [tensor<3x16x32xf32>], tensor<7xi64> -> (tensor<28x32xf32>, tensor<28x1xf32>) {
  ^bb0(%a: tensor<4x32xf32>):
    %s = quern.reduce_sum %a axes = [1] keep_dims : tensor<4x32xf32> -> tensor<4x1xf32>
    quern.epilogue_yield %s : tensor<4x1xf32>
  }
  return
}

// -----

func.func @epilogue_captures(%x: tensor<28x16xf32>, %w: tensor<3x16x32xf32>, %t: tensor<7xi64>, %c: tensor<4x32xf32>) {
  // expected-note @+1 {{required by region isolation constraints}}
  %0:2 = quern.grouped_matmul_epilogue %x, [%w], %t : tensor<28x16xf32>, [tensor<3x16x32xf32>], tensor<7xi64> -> (tensor<28x32xf32>, tensor<28x32xf32>) {
  ^bb0(%a: tensor<4x32xf32>):
    // expected-error @+1 {{using value defined outside the region}}
    %s = quern.add %a, %c : tensor<4x32xf32>
    quern.epilogue_yield %s : tensor<4x32xf32>
  }
  return
}
