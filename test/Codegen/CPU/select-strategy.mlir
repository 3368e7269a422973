// RUN: quern-opt %s --quern-select-strategy="vector-bits=512 vector-registers=32 min-parallel-work=1000000" | FileCheck %s --check-prefix=AVX512
// RUN: quern-opt %s --quern-select-strategy="vector-bits=128 vector-registers=32 min-parallel-work=0" | FileCheck %s --check-prefix=NEON

// (The first case is the example of quern-select-strategy's description.)
// Tile sizes come from the CPU's description. With AVX-512 (16 f32 lanes,
// 32 registers) a GEMM's register tile is 8 rows by two vectors (16
// accumulators); k steps by 1; the 16 KiB half of L1 holds a kc x 32 panel
// (kc = 128); 2^19 multiply-adds make it parallel, and n's cache tile is
// halved until there are 8 tiles. With NEON (4 lanes) the tile is 8 x 8
// and the L2 quarter holds 256 columns of the 128 rows.
// AVX512-LABEL: func.func @matmul
// AVX512: quern.strategy = {cache_tiles = array<i64: 256, 64, 128>, dims = array<i64: 0, 1, 2>, kind = "contraction", loop_order = array<i64: 1, 0, 2>, parallel = true, register_tiles = array<i64: 8, 32, 1>}
// NEON-LABEL: func.func @matmul
// NEON: quern.strategy = {cache_tiles = array<i64: 256, 256, 128>, dims = array<i64: 0, 1, 2>, kind = "contraction", loop_order = array<i64: 1, 0, 2>, parallel = false, register_tiles = array<i64: 8, 8, 1>}
func.func @matmul(%a: memref<256x128xf32>, %b: memref<128x512xf32>, %c: memref<256x512xf32>) {
  linalg.matmul ins(%a, %b : memref<256x128xf32>, memref<128x512xf32>) outs(%c : memref<256x512xf32>)
  return
}

// Register tiles prefer sizes that divide their loop, sparing it a
// remainder: 10 rows take tiles of 5 rather than 8 (NEON). Columns are
// tiled a power of two wide: 10 columns are a tile of 8 and, split off, a
// piece of 2.
// AVX512-LABEL: func.func @matmul_transpose_b
// AVX512: register_tiles = array<i64: 10, 8, 1>, split = [array<i64>, array<i64: 8>, array<i64>]
// NEON-LABEL: func.func @matmul_transpose_b
// NEON: register_tiles = array<i64: 5, 8, 1>, split = [array<i64>, array<i64: 8>, array<i64>]
func.func @matmul_transpose_b(%a: memref<10x16xf32>, %b: memref<10x16xf32>, %c: memref<10x10xf32>) {
  linalg.matmul_transpose_b ins(%a, %b : memref<10x16xf32>, memref<10x16xf32>) outs(%c : memref<10x10xf32>)
  return
}

// Cache tiles prefer sizes that divide their loop too (multiples of the
// register tile): 384 rows take tiles of 192, not 256 and a partial one of
// 128; k = 1000 takes tiles of 125.
// AVX512-LABEL: func.func @matmul_384
// AVX512: quern.strategy = {cache_tiles = array<i64: 192, 32, 125>, dims = array<i64: 0, 1, 2>, kind = "contraction", loop_order = array<i64: 1, 0, 2>, parallel = true, register_tiles = array<i64: 8, 32, 1>}
func.func @matmul_384(%a: memref<384x1000xf32>, %b: memref<1000x128xf32>, %c: memref<384x128xf32>) {
  linalg.matmul ins(%a, %b : memref<384x1000xf32>, memref<1000x128xf32>) outs(%c : memref<384x128xf32>)
  return
}

// Where no tile divides the loop, the op is split so that each piece's
// tiles do: 1009 rows (a prime) into 768 in cache tiles of 256, 240 in
// register tiles of 8, and a last row; 1009 columns likewise, but the last
// 17 as pieces of 16 and 1 columns, widths a CPU has vectors of (NEON's
// register tile of 8 columns divides 240). Of the 12 pieces (rows by
// columns), those of min-parallel-work multiply-adds or more are threaded.
// AVX512-LABEL: func.func @matmul_prime
// AVX512: quern.strategy = {cache_tiles = array<i64: 256, 256, 128>, dims = array<i64: 0, 1, 2>, kind = "contraction", loop_order = array<i64: 1, 0, 2>, parallel = true, parallel_pieces = array<i1: true, true, true, false, true, true, false, false, false, false, false, false>, register_tiles = array<i64: 8, 32, 1>, split = [array<i64: 768, 1008>, array<i64: 768, 992, 1008>, array<i64>]}
// NEON-LABEL: func.func @matmul_prime
// NEON: register_tiles = array<i64: 8, 8, 1>, split = [array<i64: 768, 1008>, array<i64: 768, 1008>, array<i64>]
func.func @matmul_prime(%a: memref<1009x128xf32>, %b: memref<128x1009xf32>, %c: memref<1009x1009xf32>) {
  linalg.matmul ins(%a, %b : memref<1009x128xf32>, memref<128x1009xf32>) outs(%c : memref<1009x1009xf32>)
  return
}

// Elementwise ops and reductions: one vector along the innermost loop. A
// loop of 100 takes vectors of 16 and a masked remainder.
// AVX512-LABEL: func.func @add
// AVX512: quern.strategy = {kind = "elementwise", parallel = false, register_tiles = array<i64: 1, 16>}
// NEON-LABEL: func.func @add
// NEON: register_tiles = array<i64: 1, 4>
func.func @add(%a: memref<4x100xf32>, %b: memref<4x100xf32>, %c: memref<4x100xf32>) {
  linalg.add ins(%a, %b : memref<4x100xf32>, memref<4x100xf32>) outs(%c : memref<4x100xf32>)
  return
}

// A transpose reads its input along another loop: the tile is square, a
// vector of rows read whole and transposed in registers.
// AVX512-LABEL: func.func @transpose
// AVX512: quern.strategy = {kind = "elementwise", parallel = false, register_tiles = array<i64: 16, 16>}
// NEON-LABEL: func.func @transpose
// NEON: register_tiles = array<i64: 4, 4>
func.func @transpose(%a: memref<64x32xf32>, %b: memref<32x64xf32>) {
  linalg.transpose ins(%a : memref<64x32xf32>) outs(%b : memref<32x64xf32>) permutation = [1, 0]
  return
}

// bf16 operands summed in pairs along k (k = 2p + t): p is the k loop and
// each tile takes the whole pair.
// AVX512-LABEL: func.func @bf16_pairs
// AVX512: quern.strategy = {cache_tiles = array<i64: 64, 96, 64, 2>, dims = array<i64: 0, 1, 2>, kind = "contraction", loop_order = array<i64: 3, 1, 0, 2>, parallel = false, register_tiles = array<i64: 8, 32, 1, 2>}
func.func @bf16_pairs(%a: memref<64x64x2xbf16>, %b: memref<64x96x2xbf16>, %c: memref<64x96xf32>) {
  linalg.generic {indexing_maps = [affine_map<(m, n, p, t) -> (m, p, t)>, affine_map<(m, n, p, t) -> (p, n, t)>, affine_map<(m, n, p, t) -> (m, n)>], iterator_types = ["parallel", "parallel", "reduction", "reduction"]}
      ins(%a, %b : memref<64x64x2xbf16>, memref<64x96x2xbf16>) outs(%c : memref<64x96xf32>) {
  ^bb0(%x: bf16, %y: bf16, %acc: f32):
    %xf = arith.extf %x : bf16 to f32
    %yf = arith.extf %y : bf16 to f32
    %p = arith.mulf %xf, %yf : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  return
}

// The right operand in panels of 32 columns ([N/32, K/2, 32, 2]): the
// panel index j, an n loop before m, is an outer loop like a batch
// dimension, one panel per cache tile; n is the result's innermost loop.
// (The pipeline packs panels as wide as the register tile: 8 columns on
// NEON.)
// AVX512-LABEL: func.func @bf16_panels
// AVX512: quern.strategy = {cache_tiles = array<i64: 1, 64, 32, 64, 2>, dims = array<i64: 1, 2, 3>, kind = "contraction", loop_order = array<i64: 0, 4, 2, 1, 3>, parallel = false, register_tiles = array<i64: 1, 8, 32, 1, 2>}
// NEON-LABEL: func.func @bf16_panels
// NEON: dims = array<i64: 1, 2, 3>, kind = "contraction", loop_order = array<i64: 0, 4, 2, 1, 3>, parallel = false, register_tiles = array<i64: 1, 8, 8, 1, 2>}
func.func @bf16_panels(%a: memref<64x64x2xbf16>, %b: memref<3x64x32x2xbf16>, %c: memref<64x3x32xf32>) {
  linalg.generic {indexing_maps = [affine_map<(j, m, c, p, t) -> (m, p, t)>, affine_map<(j, m, c, p, t) -> (j, p, c, t)>, affine_map<(j, m, c, p, t) -> (m, j, c)>], iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction"]}
      ins(%a, %b : memref<64x64x2xbf16>, memref<3x64x32x2xbf16>) outs(%c : memref<64x3x32xf32>) {
  ^bb0(%x: bf16, %y: bf16, %acc: f32):
    %xf = arith.extf %x : bf16 to f32
    %yf = arith.extf %y : bf16 to f32
    %p = arith.mulf %xf, %yf : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  return
}

// The cache tile loops go in the loops' own order, the panels outside m:
// the left operand is read again for each panel (as in @bf16_panels, where
// no cache_order is printed). A left operand of 16 L2s or more (here 8 MiB
// with the default 512 KiB), read for 16 panels or more, would come from
// memory each time: m's tiles go outermost (cache_order), each block of
// rows stays cached while the panels sweep it. With 8 panels the order
// stays.
// AVX512-LABEL: func.func @f32_panels_tall
// AVX512: quern.strategy = {cache_order = array<i64: 1, 0, 2, 3>, cache_tiles = array<i64: 1, 256, 32, 128>
// AVX512-LABEL: func.func @f32_panels_tall_few
// AVX512-NOT: cache_order
func.func @f32_panels_tall(%a: memref<4096x512xf32>, %b: memref<16x512x32xf32>, %c: memref<16x4096x32xf32>) {
  linalg.generic {indexing_maps = [affine_map<(j, m, c, k) -> (m, k)>, affine_map<(j, m, c, k) -> (j, k, c)>, affine_map<(j, m, c, k) -> (j, m, c)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<4096x512xf32>, memref<16x512x32xf32>) outs(%c : memref<16x4096x32xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  return
}

func.func @f32_panels_tall_few(%a: memref<4096x512xf32>, %b: memref<8x512x32xf32>, %c: memref<8x4096x32xf32>) {
  linalg.generic {indexing_maps = [affine_map<(j, m, c, k) -> (m, k)>, affine_map<(j, m, c, k) -> (j, k, c)>, affine_map<(j, m, c, k) -> (j, m, c)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<4096x512xf32>, memref<8x512x32xf32>) outs(%c : memref<8x4096x32xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  return
}

// Work is counted in 64 bits: the first piece of this product (50176 of
// its 50257 rows, 2^34 multiply-adds) is threaded, the last row is not.
// AVX512-LABEL: func.func @bf16_vocabulary_gradient
// AVX512: parallel_pieces = array<i1: true, true, false>
func.func @bf16_vocabulary_gradient(%a: memref<256x50257x2xbf16>, %b: memref<24x256x32x2xbf16>, %c: memref<24x50257x32xf32>) {
  linalg.generic {indexing_maps = [affine_map<(j, m, c, p, t) -> (p, m, t)>, affine_map<(j, m, c, p, t) -> (j, p, c, t)>, affine_map<(j, m, c, p, t) -> (j, m, c)>], iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction"]}
      ins(%a, %b : memref<256x50257x2xbf16>, memref<24x256x32x2xbf16>) outs(%c : memref<24x50257x32xf32>) {
  ^bb0(%x: bf16, %y: bf16, %acc: f32):
    %xf = arith.extf %x : bf16 to f32
    %yf = arith.extf %y : bf16 to f32
    %p = arith.mulf %xf, %yf : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  return
}

// An n loop after m is not an outer loop of the product's tiles: such a
// sum of products is a reduction like any other.
// AVX512-LABEL: func.func @n_loop_after_m
// AVX512: kind = "reduction"
// NEON-LABEL: func.func @n_loop_after_m
// NEON: kind = "reduction"
func.func @n_loop_after_m(%a: memref<64x64x2xbf16>, %b: memref<3x64x32x2xbf16>, %c: memref<64x3x32xf32>) {
  linalg.generic {indexing_maps = [affine_map<(m, j, c, p, t) -> (m, p, t)>, affine_map<(m, j, c, p, t) -> (j, p, c, t)>, affine_map<(m, j, c, p, t) -> (m, j, c)>], iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction"]}
      ins(%a, %b : memref<64x64x2xbf16>, memref<3x64x32x2xbf16>) outs(%c : memref<64x3x32xf32>) {
  ^bb0(%x: bf16, %y: bf16, %acc: f32):
    %xf = arith.extf %x : bf16 to f32
    %yf = arith.extf %y : bf16 to f32
    %p = arith.mulf %xf, %yf : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  return
}

// Vectors are as wide as the widest element: rounding f32 to bf16 takes
// 16 lanes (one f32 register), not 32.
// AVX512-LABEL: func.func @round_to_bf16
// AVX512: register_tiles = array<i64: 1, 16>
func.func @round_to_bf16(%a: memref<4x64xf32>, %b: memref<4x64xbf16>) {
  linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>], iterator_types = ["parallel", "parallel"]}
      ins(%a : memref<4x64xf32>) outs(%b : memref<4x64xbf16>) {
  ^bb0(%x: f32, %y: bf16):
    %r = arith.truncf %x : f32 to bf16
    linalg.yield %r : bf16
  }
  return
}

// Pairs moved as units (a transposed right operand packed into k-pairs,
// [N, K/2, 2] -> [K/2, N, 2]): the pair is read whole and the two loops
// above it take square tiles of 16 / 2 = 8.
// AVX512-LABEL: func.func @pair_transpose
// AVX512: register_tiles = array<i64: 8, 8, 2>
func.func @pair_transpose(%w: memref<96x64x2xf32>, %p: memref<64x96x2xbf16>) {
  linalg.generic {indexing_maps = [affine_map<(p, n, t) -> (n, p, t)>, affine_map<(p, n, t) -> (p, n, t)>], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%w : memref<96x64x2xf32>) outs(%p : memref<64x96x2xbf16>) {
  ^bb0(%x: f32, %y: bf16):
    %r = arith.truncf %x : f32 to bf16
    linalg.yield %r : bf16
  }
  return
}

// A row reduced along the innermost loop is one register tile when it is
// at most 16 vectors long (summed in registers, its lanes reduced once);
// a longer row goes a vector at a time.
// AVX512-LABEL: func.func @row_sum
// AVX512: quern.strategy = {kind = "reduction", parallel = false, register_tiles = array<i64: 1, 64>}
func.func @row_sum(%a: memref<8x64xf32>, %s: memref<8xf32>) {
  linalg.reduce ins(%a : memref<8x64xf32>) outs(%s : memref<8xf32>) dimensions = [1]
    (%x: f32, %acc: f32) {
      %y = arith.addf %x, %acc : f32
      linalg.yield %y : f32
    }
  return
}

// AVX512-LABEL: func.func @long_row_sum
// AVX512: quern.strategy = {kind = "reduction", parallel = false, register_tiles = array<i64: 1, 16>}
func.func @long_row_sum(%a: memref<8x1024xf32>, %s: memref<8xf32>) {
  linalg.reduce ins(%a : memref<8x1024xf32>) outs(%s : memref<8xf32>) dimensions = [1]
    (%x: f32, %acc: f32) {
      %y = arith.addf %x, %acc : f32
      linalg.yield %y : f32
    }
  return
}

// Booleans are bytes in memory but packed bits in a vector: no strategy
// (quern-byte-booleans makes those passed between ops bytes beforehand).
// AVX512-LABEL: func.func @bools
// AVX512-NOT: quern.strategy
// AVX512: return
func.func @bools(%a: memref<16xi1>, %b: memref<16xi1>) {
  linalg.copy ins(%a : memref<16xi1>) outs(%b : memref<16xi1>)
  return
}

// A sum of products that is not a matrix product (no n loop: each row's dot
// product of two tensors, as LayerNorm's backward computes) is a reduction,
// here a row of 16 vectors at a time, not scalar loops.
// AVX512-LABEL: func.func @row_dot
// AVX512: quern.strategy = {kind = "reduction", parallel = false, register_tiles = array<i64: 1, 1, 256>}
func.func @row_dot(%a: memref<4x64x256xf32>, %b: memref<4x64x256xf32>, %s: memref<4x64xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<4x64x256xf32>, memref<4x64x256xf32>) outs(%s : memref<4x64xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %r = arith.addf %p, %acc : f32
    linalg.yield %r : f32
  }
  return
}

// An elementwise op with work enough to be threaded: the threads share its
// rows, a register tile's worth (one row) at a time.
// AVX512-LABEL: func.func @relu_rows
// AVX512: quern.strategy = {kind = "elementwise", parallel = true, parallel_tile = 1 : i64, register_tiles = array<i64: 1, 16>}
// NEON-LABEL: func.func @relu_rows
// NEON: quern.strategy = {kind = "elementwise", parallel = false, register_tiles = array<i64: 1, 4>}
func.func @relu_rows(%x: memref<512x512xf32>, %y: memref<512x512xf32>) {
  %zero = arith.constant 0.0 : f32
  linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>], iterator_types = ["parallel", "parallel"]} ins(%x : memref<512x512xf32>) outs(%y : memref<512x512xf32>) {
  ^bb0(%in: f32, %out: f32):
    %r = arith.maximumf %in, %zero : f32
    linalg.yield %r : f32
  }
  return
}

// An elementwise op the vectorizer does not take (its body loads at a
// computed position: a gather, a quantized weight's decoding) is scalar
// code, still shared out over threads when it is large; without threads it
// gets no strategy. Computed from position alone, its last loop runs in
// the lanes of one vector of f32 (quern-vectorize).
// AVX512-LABEL: func.func @gathers
// AVX512: quern.strategy = {kind = "scalar", parallel = true, parallel_tile = 1 : i64, register_tiles = array<i64: 1, 16>}
// NEON-LABEL: func.func @gathers
// NEON-NOT: quern.strategy
func.func @gathers(%table: memref<1024xf32>, %out: memref<512x1024xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} outs(%out : memref<512x1024xf32>) {
  ^bb0(%o: f32):
    %i = linalg.index 0 : index
    %j = linalg.index 1 : index
    %k = arith.addi %i, %j : index
    %c = arith.constant 1023 : index
    %w = arith.minui %k, %c : index
    %v = memref.load %table[%w] : memref<1024xf32>
    linalg.yield %v : f32
  }
  return
}

// Lanes that would read different rows of a 2-D table (a varying index
// other than the last) are not followed: register tiles of 1.
// AVX512-LABEL: func.func @gathers_by_rows
// AVX512: quern.strategy = {kind = "scalar", parallel = true, parallel_tile = 1 : i64, register_tiles = array<i64: 1, 1>}
func.func @gathers_by_rows(%table: memref<1024x4xf32>, %out: memref<512x1024xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} outs(%out : memref<512x1024xf32>) {
  ^bb0(%o: f32):
    %i = linalg.index 0 : index
    %j = linalg.index 1 : index
    %c = arith.constant 3 : index
    %k = arith.andi %i, %c : index
    %v = memref.load %table[%j, %k] : memref<1024x4xf32>
    linalg.yield %v : f32
  }
  return
}

// Lanes through integer ops of one operand (a truncation: not followed,
// computed on vectors), a 0-d load (the same in every lane), but not
// through a load of booleans (a byte each in memory, packed bits in a
// vector): register tiles of 1 there.
// AVX512-LABEL: func.func @lanes_truncation
// AVX512: register_tiles = array<i64: 1, 16>
// AVX512-LABEL: func.func @lanes_booleans
// AVX512: register_tiles = array<i64: 1, 1>
func.func @lanes_truncation(%table: memref<1024xf32>, %scale: memref<f32>, %out: memref<512x1024xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} outs(%out : memref<512x1024xf32>) {
  ^bb0(%o: f32):
    %j = linalg.index 1 : index
    %w = arith.index_cast %j : index to i64
    %t = arith.trunci %w : i64 to i32
    %x = arith.index_cast %t : i32 to index
    %v = memref.load %table[%x] : memref<1024xf32>
    %s = memref.load %scale[] : memref<f32>
    %r = arith.mulf %v, %s : f32
    linalg.yield %r : f32
  }
  return
}
func.func @lanes_booleans(%mask: memref<1024xi1>, %out: memref<512x1024xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} outs(%out : memref<512x1024xf32>) {
  ^bb0(%o: f32):
    %j = linalg.index 1 : index
    %m = memref.load %mask[%j] : memref<1024xi1>
    %one = arith.constant 1.0 : f32
    %zero = arith.constant 0.0 : f32
    %r = arith.select %m, %one, %zero : f32
    linalg.yield %r : f32
  }
  return
}
