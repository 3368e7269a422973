// RUN: quern-opt %s -split-input-file -verify-diagnostics --quern-tile-and-pack

// A strategy written by hand that does not fit its op is an error at the
// op, before anything is tiled.

func.func @unknown_kind(%a: memref<8x8xf32>, %b: memref<8x8xf32>) {
  // expected-error @+1 {{'linalg.copy' op 'quern.strategy': kind must be "contraction", "elementwise", "reduction" or "scalar"}}
  linalg.copy {quern.strategy = {kind = "blocked", register_tiles = array<i64: 1, 8>, parallel = false}} ins(%a : memref<8x8xf32>) outs(%b : memref<8x8xf32>)
  return
}

// -----

func.func @tiles_per_loop(%a: memref<8x8xf32>, %b: memref<8x8xf32>) {
  // expected-error @+1 {{'quern.strategy': register_tiles must hold a positive size for each of the 2 loops}}
  linalg.copy {quern.strategy = {kind = "elementwise", register_tiles = array<i64: 8>, parallel = false}} ins(%a : memref<8x8xf32>) outs(%b : memref<8x8xf32>)
  return
}

// -----

func.func @zero_tile(%a: memref<8x8xf32>, %b: memref<8x8xf32>) {
  // expected-error @+1 {{'quern.strategy': register_tiles must hold a positive size for each of the 2 loops}}
  linalg.copy {quern.strategy = {kind = "elementwise", register_tiles = array<i64: 0, 8>, parallel = false}} ins(%a : memref<8x8xf32>) outs(%b : memref<8x8xf32>)
  return
}

// -----

func.func @no_parallel(%a: memref<8x8xf32>, %b: memref<8x8xf32>) {
  // expected-error @+1 {{'quern.strategy': parallel must be a bool}}
  linalg.copy {quern.strategy = {kind = "elementwise", register_tiles = array<i64: 1, 8>}} ins(%a : memref<8x8xf32>) outs(%b : memref<8x8xf32>)
  return
}

// -----

func.func @contraction_without_cache_tiles(%a: memref<8x8xf32>, %b: memref<8x8xf32>, %c: memref<8x8xf32>) {
  // expected-error @+1 {{'quern.strategy': cache_tiles must hold a positive size for each of the 3 loops}}
  linalg.matmul {quern.strategy = {kind = "contraction", loop_order = array<i64: 1, 0, 2>, register_tiles = array<i64: 4, 8, 1>, parallel = false, dims = array<i64: 0, 1, 2>}} ins(%a, %b : memref<8x8xf32>, memref<8x8xf32>) outs(%c : memref<8x8xf32>)
  return
}

// -----

func.func @dims_out_of_range(%a: memref<8x8xf32>, %b: memref<8x8xf32>, %c: memref<8x8xf32>) {
  // expected-error @+1 {{'quern.strategy': dims must be the m, n and k loops}}
  linalg.matmul {quern.strategy = {kind = "contraction", loop_order = array<i64: 2, 1, 0, 3>, register_tiles = array<i64: 4, 8, 1>, cache_tiles = array<i64: 8, 8, 8>, parallel = false, dims = array<i64: 0, 1, 3>}} ins(%a, %b : memref<8x8xf32>, memref<8x8xf32>) outs(%c : memref<8x8xf32>)
  return
}

// -----

func.func @split_outside(%a: memref<8x8xf32>, %b: memref<8x8xf32>, %c: memref<8x8xf32>) {
  // expected-error @+1 {{'quern.strategy': split points must rise strictly inside each loop}}
  linalg.matmul {quern.strategy = {kind = "contraction", loop_order = array<i64: 1, 0, 2>, register_tiles = array<i64: 4, 8, 1>, cache_tiles = array<i64: 8, 8, 8>, parallel = false, dims = array<i64: 0, 1, 2>, split = [array<i64: 4, 8>, array<i64>, array<i64>]}} ins(%a, %b : memref<8x8xf32>, memref<8x8xf32>) outs(%c : memref<8x8xf32>)
  return
}

// -----

func.func @split_reduced_loop(%a: memref<8x8xf32>, %b: memref<8x8xf32>, %c: memref<8x8xf32>) {
  // expected-error @+1 {{'quern.strategy': split points may only cut parallel loops}}
  linalg.matmul {quern.strategy = {kind = "contraction", loop_order = array<i64: 1, 0, 2>, register_tiles = array<i64: 4, 8, 1>, cache_tiles = array<i64: 8, 8, 8>, parallel = false, dims = array<i64: 0, 1, 2>, split = [array<i64>, array<i64>, array<i64: 4>]}} ins(%a, %b : memref<8x8xf32>, memref<8x8xf32>) outs(%c : memref<8x8xf32>)
  return
}

// -----

func.func @pieces_count(%a: memref<8x8xf32>, %b: memref<8x8xf32>, %c: memref<8x8xf32>) {
  // expected-error @+1 {{'quern.strategy': parallel_pieces must hold a flag for each of the 2 pieces}}
  linalg.matmul {quern.strategy = {kind = "contraction", loop_order = array<i64: 1, 0, 2>, register_tiles = array<i64: 4, 8, 1>, cache_tiles = array<i64: 8, 8, 8>, parallel = true, dims = array<i64: 0, 1, 2>, split = [array<i64: 4>, array<i64>, array<i64>], parallel_pieces = array<i1: true>}} ins(%a, %b : memref<8x8xf32>, memref<8x8xf32>) outs(%c : memref<8x8xf32>)
  return
}

// -----

func.func @loop_order_not_permutation(%a: memref<8x8xf32>, %b: memref<8x8xf32>, %c: memref<8x8xf32>) {
  // expected-error @+1 {{'quern.strategy': loop_order must be a permutation of the loops}}
  linalg.matmul {quern.strategy = {kind = "contraction", loop_order = array<i64: 1, 1, 2>, register_tiles = array<i64: 4, 8, 1>, cache_tiles = array<i64: 8, 8, 8>, parallel = false, dims = array<i64: 0, 1, 2>}} ins(%a, %b : memref<8x8xf32>, memref<8x8xf32>) outs(%c : memref<8x8xf32>)
  return
}

// -----

func.func @parallel_without_tile(%a: memref<8x8xf32>, %b: memref<8x8xf32>) {
  // expected-error @+1 {{'quern.strategy': parallel_tile must be a positive size}}
  linalg.copy {quern.strategy = {kind = "elementwise", register_tiles = array<i64: 1, 8>, parallel = true}} ins(%a : memref<8x8xf32>) outs(%b : memref<8x8xf32>)
  return
}

// -----

func.func @cache_order_not_permutation(%a: memref<8x8xf32>, %b: memref<8x8xf32>, %c: memref<8x8xf32>) {
  // expected-error @+1 {{'quern.strategy': cache_order must be a permutation of the loops}}
  linalg.matmul {quern.strategy = {kind = "contraction", loop_order = array<i64: 1, 0, 2>, cache_order = array<i64: 0, 1>, register_tiles = array<i64: 4, 8, 1>, cache_tiles = array<i64: 8, 8, 8>, parallel = false, dims = array<i64: 0, 1, 2>}} ins(%a, %b : memref<8x8xf32>, memref<8x8xf32>) outs(%c : memref<8x8xf32>)
  return
}
