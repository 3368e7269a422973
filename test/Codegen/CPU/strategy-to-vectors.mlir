// RUN: quern-opt %s --quern-tile-and-pack --quern-vectorize --quern-lower-vectors=bf16-dot=avx512 --canonicalize --cse | FileCheck %s
// RUN: quern-opt %s --quern-tile-and-pack --quern-vectorize --quern-lower-vectors=bf16-dot=neon --canonicalize --cse | FileCheck %s --check-prefix=NEON
// RUN: quern-opt %s --quern-tile-and-pack --quern-vectorize --quern-lower-vectors --canonicalize --cse | FileCheck %s --check-prefix=WIDENED

// A 64x64x64 GEMM with 8x32 register tiles and no cache tiling: n outside
// m, the 8x32 accumulator read once before the k loop, carried through it
// in registers (a vector of 32 per row, two registers of AVX-512) as FMAs
// of a broadcast element of A with a row of B, and written once after it.
// CHECK-LABEL: func.func @gemm
// CHECK: scf.for %[[N:.+]] = %{{.+}} to %{{.+}} step %c32
// CHECK: scf.for %[[M:.+]] = %{{.+}} to %{{.+}} step %c8
// CHECK-COUNT-8: vector.load %{{.+}} : memref<64x64xf32>, vector<32xf32>
// CHECK: scf.for %[[K:.+]] = %{{.+}} to %{{.+}} step %c1 iter_args(
// CHECK-NOT: vector.store
// CHECK: vector.load %{{.+}} : memref<64x64xf32>, vector<32xf32>
// CHECK-COUNT-8: vector.fma %{{.+}} : vector<32xf32>
// CHECK: scf.yield
// CHECK-COUNT-8: vector.store %{{.+}} : memref<64x64xf32>, vector<32xf32>
func.func @gemm(%a: memref<64x64xf32>, %b: memref<64x64xf32>, %c: memref<64x64xf32>) {
  linalg.matmul {quern.strategy = {kind = "contraction", loop_order = array<i64: 1, 0, 2>, dims = array<i64: 0, 1, 2>,
                 cache_tiles = array<i64: 64, 64, 64>, register_tiles = array<i64: 8, 32, 1>,
                 parallel = false}}
      ins(%a, %b : memref<64x64xf32>, memref<64x64xf32>) outs(%c : memref<64x64xf32>)
  return
}

// A parallel strategy's cache-tile loop over m and n is an scf.parallel,
// with k and the register tiles sequential inside.
// CHECK-LABEL: func.func @parallel_gemm
// CHECK: scf.parallel
// CHECK: scf.for
// CHECK: vector.fma
func.func @parallel_gemm(%a: memref<64x64xf32>, %b: memref<64x64xf32>, %c: memref<64x64xf32>) {
  linalg.matmul {quern.strategy = {kind = "contraction", loop_order = array<i64: 1, 0, 2>, dims = array<i64: 0, 1, 2>,
                 cache_tiles = array<i64: 32, 32, 64>, register_tiles = array<i64: 8, 32, 1>,
                 parallel = true}}
      ins(%a, %b : memref<64x64xf32>, memref<64x64xf32>) outs(%c : memref<64x64xf32>)
  return
}

// 100 columns in vectors of 16: six full vectors per row in the peeled main
// loop, and the remainder a static tile of 4 lanes: plain loads and stores,
// no masks.
// CHECK-LABEL: func.func @add
// CHECK-NOT: mask
// CHECK: scf.for
// CHECK: scf.for {{.+}} to %c96 step %c16
// CHECK: arith.addf %{{.+}} : vector<16xf32>
// CHECK: vector.load %{{.+}}[%{{.+}}, %c96] : memref<4x100xf32>, vector<4xf32>
// CHECK: arith.addf %{{.+}} : vector<4xf32>
// CHECK: vector.store %{{.+}}[%{{.+}}, %c96] : memref<4x100xf32>, vector<4xf32>
// CHECK-NOT: mask
func.func @add(%a: memref<4x100xf32>, %b: memref<4x100xf32>, %c: memref<4x100xf32>) {
  linalg.add {quern.strategy = {kind = "elementwise", register_tiles = array<i64: 1, 16>, parallel = false}}
      ins(%a, %b : memref<4x100xf32>, memref<4x100xf32>) outs(%c : memref<4x100xf32>)
  return
}

// A square tile of a transpose: rows read as whole vectors, transposed by
// shuffles, written as whole vectors; the parallel loop steps by the tile.
// CHECK-LABEL: func.func @transpose
// CHECK: scf.parallel ({{.+}}) = ({{.+}}) to ({{.+}}) step (%c16)
// CHECK-COUNT-16: vector.load {{.+}} : memref<32x64xf32>, vector<16xf32>
// CHECK: vector.shuffle
// CHECK-COUNT-16: vector.store {{.+}} : memref<64x32xf32>, vector<16xf32>
// CHECK-NOT: vector.gather
func.func @transpose(%a: memref<32x64xf32>, %b: memref<64x32xf32>) {
  linalg.transpose {quern.strategy = {kind = "elementwise", register_tiles = array<i64: 16, 16>, parallel = true, parallel_tile = 16}}
      ins(%a : memref<32x64xf32>) outs(%b : memref<64x32xf32>) permutation = [1, 0]
  return
}

// A bf16 register tile summed in pairs: per row of the tile and per 16
// columns one vdpbf16ps, the row's pair broadcast as a 32-bit value and the
// right operand's 32 columns of pairs read as one flat vector; no FMA.
// CHECK-LABEL: func.func @bf16_pairs
// CHECK: scf.for {{.+}} iter_args
// CHECK: %[[FLAT:.+]] = memref.collapse_shape %{{.+}} {{\[\[}}0], [1, 2]] : memref<64x96x2xbf16> into memref<64x192xbf16>
// CHECK: vector.load %[[FLAT]][{{.+}}] : memref<64x192xbf16>, vector<64xbf16>
// CHECK: vector.splat %{{.+}} : vector<16xi32>
// CHECK-COUNT-16: llvm.call_intrinsic "llvm.x86.avx512bf16.dpbf16ps.512"({{.+}}) : (vector<16xf32>, vector<32xbf16>, vector<32xbf16>) -> vector<16xf32>
// CHECK-NOT: vector.fma
// CHECK: scf.yield
// With NEON's BFDOT (4 lanes), 8 per row.
// NEON-LABEL: func.func @bf16_pairs
// NEON: vector.load %{{.+}} : memref<64x192xbf16>, vector<64xbf16>
// NEON: vector.splat %{{.+}} : vector<4xi32>
// NEON-COUNT-64: llvm.call_intrinsic "llvm.aarch64.neon.bfdot.v4f32.v8bf16"({{.+}}) : (vector<4xf32>, vector<8xbf16>, vector<8xbf16>) -> vector<4xf32>
// NEON-NOT: vector.fma
// NEON: scf.yield
// Without a bf16 dot instruction the pairs are widened to f32 and no
// intrinsic is called (the pipeline forms pairs only for targets with one).
// WIDENED-LABEL: func.func @bf16_pairs
// WIDENED-NOT: llvm.call_intrinsic
// WIDENED: arith.extf {{.+}} to vector<{{.+}}xf32>
// WIDENED-NOT: llvm.call_intrinsic
func.func @bf16_pairs(%a: memref<64x64x2xbf16>, %b: memref<64x96x2xbf16>, %c: memref<64x96xf32>) {
  linalg.generic {indexing_maps = [affine_map<(m, n, p, t) -> (m, p, t)>, affine_map<(m, n, p, t) -> (p, n, t)>, affine_map<(m, n, p, t) -> (m, n)>], iterator_types = ["parallel", "parallel", "reduction", "reduction"]}
      ins(%a, %b : memref<64x64x2xbf16>, memref<64x96x2xbf16>) outs(%c : memref<64x96xf32>)
      attrs = {quern.strategy = {kind = "contraction", loop_order = array<i64: 3, 1, 0, 2>, cache_tiles = array<i64: 64, 96, 64, 2>, dims = array<i64: 0, 1, 2>, register_tiles = array<i64: 8, 32, 1, 2>, parallel = false}} {
  ^bb0(%x: bf16, %y: bf16, %acc: f32):
    %xf = arith.extf %x : bf16 to f32
    %yf = arith.extf %y : bf16 to f32
    %p = arith.mulf %xf, %yf fastmath<reassoc,contract> : f32
    %s = arith.addf %acc, %p fastmath<reassoc,contract> : f32
    linalg.yield %s : f32
  }
  return
}

// A transposed left operand packed in pairs, [K/2, M, 2]: the tile's
// single k pair is dropped from the contraction (over m, n, t), which is
// the same 16 vdpbf16ps, not widened f32 FMAs.
// CHECK-LABEL: func.func @bf16_pairs_transposed_lhs
// CHECK-NOT: vector.fma
// CHECK-COUNT-16: llvm.call_intrinsic "llvm.x86.avx512bf16.dpbf16ps.512"
// CHECK-NOT: vector.fma
// CHECK: return
func.func @bf16_pairs_transposed_lhs(%a: memref<16x32x2xbf16>, %b: memref<16x32x2xbf16>, %c: memref<32x32xf32>) {
  linalg.generic {indexing_maps = [affine_map<(m, n, p, t) -> (p, m, t)>, affine_map<(m, n, p, t) -> (p, n, t)>, affine_map<(m, n, p, t) -> (m, n)>], iterator_types = ["parallel", "parallel", "reduction", "reduction"]}
      ins(%a, %b : memref<16x32x2xbf16>, memref<16x32x2xbf16>) outs(%c : memref<32x32xf32>)
      attrs = {quern.strategy = {kind = "contraction", loop_order = array<i64: 3, 1, 0, 2>, cache_tiles = array<i64: 32, 32, 16, 2>, dims = array<i64: 0, 1, 2>, register_tiles = array<i64: 8, 32, 1, 2>, parallel = false}} {
  ^bb0(%x: bf16, %y: bf16, %acc: f32):
    %xf = arith.extf %x : bf16 to f32
    %yf = arith.extf %y : bf16 to f32
    %p = arith.mulf %xf, %yf fastmath<reassoc,contract> : f32
    %s = arith.addf %acc, %p fastmath<reassoc,contract> : f32
    linalg.yield %s : f32
  }
  return
}

// A register tile of a product whose right operand is packed in panels
// (the panel index j leading, one panel per tile): the same 16 vdpbf16ps
// per k step, the panel's 32 columns of pairs one flat, contiguous vector.
// CHECK-LABEL: func.func @bf16_panels
// CHECK: scf.for {{.+}} iter_args
// CHECK: %[[FLAT:.+]] = memref.collapse_shape %{{.+}} {{\[\[}}0], [1], [2, 3]] : memref<3x64x32x2xbf16> into memref<3x64x64xbf16>
// CHECK: vector.load %[[FLAT]][{{.+}}] : memref<3x64x64xbf16>, vector<64xbf16>
// CHECK-COUNT-16: llvm.call_intrinsic "llvm.x86.avx512bf16.dpbf16ps.512"({{.+}}) : (vector<16xf32>, vector<32xbf16>, vector<32xbf16>) -> vector<16xf32>
// CHECK-NOT: vector.fma
// CHECK: scf.yield
func.func @bf16_panels(%a: memref<64x64x2xbf16>, %b: memref<3x64x32x2xbf16>, %c: memref<64x3x32xf32>) {
  linalg.generic {indexing_maps = [affine_map<(j, m, c, p, t) -> (m, p, t)>, affine_map<(j, m, c, p, t) -> (j, p, c, t)>, affine_map<(j, m, c, p, t) -> (m, j, c)>], iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction"]}
      ins(%a, %b : memref<64x64x2xbf16>, memref<3x64x32x2xbf16>) outs(%c : memref<64x3x32xf32>)
      attrs = {quern.strategy = {cache_tiles = array<i64: 1, 64, 32, 64, 2>, dims = array<i64: 1, 2, 3>, kind = "contraction", loop_order = array<i64: 0, 4, 2, 1, 3>, parallel = false, register_tiles = array<i64: 1, 8, 32, 1, 2>}} {
  ^bb0(%x: bf16, %y: bf16, %acc: f32):
    %xf = arith.extf %x : bf16 to f32
    %yf = arith.extf %y : bf16 to f32
    %p = arith.mulf %xf, %yf fastmath<reassoc,contract> : f32
    %s = arith.addf %acc, %p fastmath<reassoc,contract> : f32
    linalg.yield %s : f32
  }
  return
}

// A left operand packed in pairs ([K/2, M, 2], read over (p, m, t)): the
// tile's 8 rows of pairs are one contiguous load of 16 bf16, each pair
// broadcast to one vdpbf16ps per 16 columns as before.
// CHECK-LABEL: func.func @bf16_packed_lhs
// CHECK: scf.for {{.+}} iter_args
// CHECK: %[[LHS:.+]] = memref.collapse_shape %{{.+}} {{\[\[}}0], [1, 2]] : memref<64x64x2xbf16> into memref<64x128xbf16>
// CHECK: vector.load %[[LHS]][{{.+}}] : memref<64x128xbf16>, vector<16xbf16>
// CHECK-COUNT-16: llvm.call_intrinsic "llvm.x86.avx512bf16.dpbf16ps.512"({{.+}}) : (vector<16xf32>, vector<32xbf16>, vector<32xbf16>) -> vector<16xf32>
// CHECK-NOT: vector.fma
// CHECK: scf.yield
func.func @bf16_packed_lhs(%a: memref<64x64x2xbf16>, %b: memref<3x64x32x2xbf16>, %c: memref<64x3x32xf32>) {
  linalg.generic {indexing_maps = [affine_map<(j, m, c, p, t) -> (p, m, t)>, affine_map<(j, m, c, p, t) -> (j, p, c, t)>, affine_map<(j, m, c, p, t) -> (m, j, c)>], iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction"]}
      ins(%a, %b : memref<64x64x2xbf16>, memref<3x64x32x2xbf16>) outs(%c : memref<64x3x32xf32>)
      attrs = {quern.strategy = {cache_tiles = array<i64: 1, 64, 32, 64, 2>, dims = array<i64: 1, 2, 3>, kind = "contraction", loop_order = array<i64: 0, 4, 2, 1, 3>, parallel = false, register_tiles = array<i64: 1, 8, 32, 1, 2>}} {
  ^bb0(%x: bf16, %y: bf16, %acc: f32):
    %xf = arith.extf %x : bf16 to f32
    %yf = arith.extf %y : bf16 to f32
    %p = arith.mulf %xf, %yf fastmath<reassoc,contract> : f32
    %s = arith.addf %acc, %p fastmath<reassoc,contract> : f32
    linalg.yield %s : f32
  }
  return
}

// Packing two rows of f32 into pairs of bf16 ([P, 2, N] -> [P, N, 2]): each
// row is read and rounded as one vector, the two are interleaved by one
// shuffle and written as one flat vector of 32 (not 16 stores of a pair).
// CHECK-LABEL: func.func @pack_pairs
// CHECK: %[[ROW0:.+]] = vector.load %{{.+}} : memref<128x2x256xf32>, vector<16xf32>
// CHECK: %[[ROW1:.+]] = vector.load %{{.+}} : memref<128x2x256xf32>, vector<16xf32>
// CHECK: arith.truncf %{{.+}} : vector<2x16xf32> to vector<2x16xbf16>
// CHECK: %[[PAIRS:.+]] = vector.shuffle %{{.+}} [0, 16, 1, 17, {{.+}}, 15, 31] : vector<32xbf16>, vector<32xbf16>
// CHECK: %[[FLAT:.+]] = memref.collapse_shape %{{.+}} {{\[\[}}0], [1, 2]] : memref<128x256x2xbf16> into memref<128x512xbf16>
// CHECK: vector.store %[[PAIRS]], %[[FLAT]][{{.+}}] : memref<128x512xbf16>, vector<32xbf16>
// CHECK-NOT: vector.store
// CHECK: return
func.func @pack_pairs(%a: memref<128x2x256xf32>, %b: memref<128x256x2xbf16>) {
  linalg.generic {indexing_maps = [affine_map<(p, n, t) -> (p, t, n)>, affine_map<(p, n, t) -> (p, n, t)>], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%a : memref<128x2x256xf32>) outs(%b : memref<128x256x2xbf16>)
      attrs = {quern.strategy = {kind = "elementwise", parallel = false, register_tiles = array<i64: 1, 16, 2>}} {
  ^bb0(%x: f32, %y: bf16):
    %r = arith.truncf %x : f32 to bf16
    linalg.yield %r : bf16
  }
  return
}

// Packing rows into panels of pairs ([P, 2, J, C] -> [J, P, C, 2], row
// after row): the tile's unit panel index lies between the pair's two
// dimensions. The reads still become two whole rows of 16 (not 32 scalar
// loads), rounded, taken out of the tile as two rows (not 32 elements),
// interleaved by one shuffle and written as one vector of 32.
// CHECK-LABEL: func.func @pack_panels
// CHECK-NOT: memref.load
// CHECK: vector.load %{{.+}} : memref<128x2x8x32xf32>, vector<16xf32>
// CHECK: vector.load %{{.+}} : memref<128x2x8x32xf32>, vector<16xf32>
// CHECK: arith.truncf %{{.+}} : vector<2x1x16xf32> to vector<2x1x16xbf16>
// CHECK-NEXT: vector.extract %{{.+}}[0, 0] : vector<16xbf16> from vector<2x1x16xbf16>
// CHECK-NEXT: vector.extract %{{.+}}[1, 0] : vector<16xbf16> from vector<2x1x16xbf16>
// CHECK: %[[PAIRS:.+]] = vector.shuffle %{{.+}} [0, 16, 1, 17, {{.+}}, 15, 31] : vector<32xbf16>, vector<32xbf16>
// CHECK: %[[FLAT:.+]] = memref.collapse_shape %{{.+}} {{\[\[}}0], [1], [2, 3]] : memref<8x128x32x2xbf16> into memref<8x128x64xbf16>
// CHECK: vector.store %[[PAIRS]], %[[FLAT]][{{.+}}] : memref<8x128x64xbf16>, vector<32xbf16>
// CHECK-NOT: vector.store
// CHECK-NOT: memref.load
// CHECK: return
func.func @pack_panels(%a: memref<128x2x8x32xf32>, %b: memref<8x128x32x2xbf16>) {
  linalg.generic {indexing_maps = [affine_map<(p, j, c, t) -> (p, t, j, c)>, affine_map<(p, j, c, t) -> (j, p, c, t)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%a : memref<128x2x8x32xf32>) outs(%b : memref<8x128x32x2xbf16>)
      attrs = {quern.strategy = {kind = "elementwise", parallel = false, register_tiles = array<i64: 1, 1, 16, 2>}} {
  ^bb0(%x: f32, %y: bf16):
    %r = arith.truncf %x : f32 to bf16
    linalg.yield %r : bf16
  }
  return
}

// A pack the workspace plan marked (quern.panel_pack) packs, in each cache
// tile of its product (one panel j, all of m, on one thread), the panel
// that tile reads, just before the tile's register loops read it: one
// parallel loop over panels, no kernel-wide pack before it.
// CHECK-LABEL: func.func @panel_pack(
// CHECK-SAME: %[[W:[^:]+]]: memref<32x2x2x32xf32>, %[[PACKED:[^:]+]]: memref<2x32x32x2xbf16>
// CHECK-NOT: scf.parallel
// CHECK: scf.parallel (%[[J:.+]]) =
// CHECK-NEXT: scf.for %[[P:.+]] = %c0 to %c32
// CHECK-NEXT: scf.for
// CHECK-NEXT: vector.load %[[W]][%[[P]], %c0, %[[J]], %{{.+}}] : memref<32x2x2x32xf32>, vector<16xf32>
// CHECK: %[[FLAT:.+]] = memref.collapse_shape %[[PACKED]]
// CHECK: vector.store %{{.+}}, %[[FLAT]][%[[J]], %[[P]], %{{.+}}] : memref<2x32x64xbf16>, vector<32xbf16>
// CHECK: scf.for %{{.+}} = %c0 to %c16 step %c8
// CHECK: llvm.call_intrinsic "llvm.x86.avx512bf16.dpbf16ps.512"
// CHECK-NOT: scf.parallel
// CHECK: return
#panel_in = affine_map<(p, j, t, c) -> (p, c, j, t)>
#panel_out = affine_map<(p, j, t, c) -> (j, p, t, c)>
#panel_lhs = affine_map<(j, m, t, p, c) -> (m, p, c)>
#panel_rhs = affine_map<(j, m, t, p, c) -> (j, p, t, c)>
#panel_acc = affine_map<(j, m, t, p, c) -> (m, j, t)>
func.func @panel_pack(%w: memref<32x2x2x32xf32>, %packed: memref<2x32x32x2xbf16>, %acc: memref<16x2x32xf32>, %lhs: memref<16x32x2xbf16>) {
  %zero = arith.constant 0.0 : f32
  linalg.generic {indexing_maps = [#panel_in, #panel_out], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%w : memref<32x2x2x32xf32>) outs(%packed : memref<2x32x32x2xbf16>)
      attrs = {quern.panel_pack, quern.strategy = {kind = "elementwise", parallel = true, parallel_tile = 1, register_tiles = array<i64: 1, 1, 16, 2>}} {
  ^bb0(%x: f32, %y: bf16):
    %r = arith.truncf %x : f32 to bf16
    linalg.yield %r : bf16
  }
  linalg.fill ins(%zero : f32) outs(%acc : memref<16x2x32xf32>)
  linalg.generic {indexing_maps = [#panel_lhs, #panel_rhs, #panel_acc], iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction"]}
      ins(%lhs, %packed : memref<16x32x2xbf16>, memref<2x32x32x2xbf16>) outs(%acc : memref<16x2x32xf32>)
      attrs = {quern.strategy = {cache_tiles = array<i64: 1, 16, 32, 32, 2>, dims = array<i64: 1, 2, 3>, kind = "contraction", loop_order = array<i64: 0, 4, 2, 1, 3>, parallel = true, register_tiles = array<i64: 1, 8, 32, 1, 2>}} {
  ^bb0(%a: bf16, %b: bf16, %s: f32):
    %x = arith.extf %a : bf16 to f32
    %y = arith.extf %b : bf16 to f32
    %p = arith.mulf %x, %y fastmath<reassoc,contract> : f32
    %t = arith.addf %s, %p fastmath<reassoc,contract> : f32
    linalg.yield %t : f32
  }
  return
}

// With k split into cache tiles too, each (panel, k) tile packs its own
// slice of 16 pairs, inside the k loop, before reading it.
// CHECK-LABEL: func.func @panel_pack_k_tiles(
// CHECK-SAME: %[[W:[^:]+]]: memref<32x2x2x32xf32>
// CHECK: scf.parallel (%[[J:.+]]) =
// CHECK-NEXT: scf.for %[[K:.+]] = %c0 to %c32 step %c16
// CHECK-NEXT: scf.for %[[P:.+]] = %c0 to %c16 step %c1
// CHECK-NEXT: %[[ROW:.+]] = affine.apply #{{.+}}()[%[[K]], %[[P]]]
// CHECK: vector.load %[[W]][%[[ROW]], %c0, %[[J]], %{{.+}}] : memref<32x2x2x32xf32>, vector<16xf32>
// CHECK: scf.for %{{.+}} = %c0 to %c16 step %c8
// CHECK: llvm.call_intrinsic "llvm.x86.avx512bf16.dpbf16ps.512"
// CHECK-NOT: scf.parallel
// CHECK: return
func.func @panel_pack_k_tiles(%w: memref<32x2x2x32xf32>, %packed: memref<2x32x32x2xbf16>, %acc: memref<16x2x32xf32>, %lhs: memref<16x32x2xbf16>) {
  %zero = arith.constant 0.0 : f32
  linalg.generic {indexing_maps = [#panel_in, #panel_out], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%w : memref<32x2x2x32xf32>) outs(%packed : memref<2x32x32x2xbf16>)
      attrs = {quern.panel_pack, quern.strategy = {kind = "elementwise", parallel = true, parallel_tile = 1, register_tiles = array<i64: 1, 1, 16, 2>}} {
  ^bb0(%x: f32, %y: bf16):
    %r = arith.truncf %x : f32 to bf16
    linalg.yield %r : bf16
  }
  linalg.fill ins(%zero : f32) outs(%acc : memref<16x2x32xf32>)
  linalg.generic {indexing_maps = [#panel_lhs, #panel_rhs, #panel_acc], iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction"]}
      ins(%lhs, %packed : memref<16x32x2xbf16>, memref<2x32x32x2xbf16>) outs(%acc : memref<16x2x32xf32>)
      attrs = {quern.strategy = {cache_tiles = array<i64: 1, 16, 32, 16, 2>, dims = array<i64: 1, 2, 3>, kind = "contraction", loop_order = array<i64: 0, 4, 2, 1, 3>, parallel = true, register_tiles = array<i64: 1, 8, 32, 1, 2>}} {
  ^bb0(%a: bf16, %b: bf16, %s: f32):
    %x = arith.extf %a : bf16 to f32
    %y = arith.extf %b : bf16 to f32
    %p = arith.mulf %x, %y fastmath<reassoc,contract> : f32
    %t = arith.addf %s, %p fastmath<reassoc,contract> : f32
    linalg.yield %t : f32
  }
  return
}

// With m split between cache tiles, two tiles would pack the same panel:
// the pack runs whole before the product, on its own parallel loop.
// CHECK-LABEL: func.func @panel_pack_m_tiles(
// CHECK: scf.parallel
// CHECK: vector.shuffle
// CHECK: scf.parallel
// CHECK-NOT: vector.shuffle
// CHECK: llvm.call_intrinsic "llvm.x86.avx512bf16.dpbf16ps.512"
// CHECK: return
func.func @panel_pack_m_tiles(%w: memref<32x2x2x32xf32>, %packed: memref<2x32x32x2xbf16>, %acc: memref<16x2x32xf32>, %lhs: memref<16x32x2xbf16>) {
  %zero = arith.constant 0.0 : f32
  linalg.generic {indexing_maps = [#panel_in, #panel_out], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%w : memref<32x2x2x32xf32>) outs(%packed : memref<2x32x32x2xbf16>)
      attrs = {quern.panel_pack, quern.strategy = {kind = "elementwise", parallel = true, parallel_tile = 1, register_tiles = array<i64: 1, 1, 16, 2>}} {
  ^bb0(%x: f32, %y: bf16):
    %r = arith.truncf %x : f32 to bf16
    linalg.yield %r : bf16
  }
  linalg.fill ins(%zero : f32) outs(%acc : memref<16x2x32xf32>)
  linalg.generic {indexing_maps = [#panel_lhs, #panel_rhs, #panel_acc], iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction"]}
      ins(%lhs, %packed : memref<16x32x2xbf16>, memref<2x32x32x2xbf16>) outs(%acc : memref<16x2x32xf32>)
      attrs = {quern.strategy = {cache_tiles = array<i64: 1, 8, 32, 32, 2>, dims = array<i64: 1, 2, 3>, kind = "contraction", loop_order = array<i64: 0, 4, 2, 1, 3>, parallel = true, register_tiles = array<i64: 1, 8, 32, 1, 2>}} {
  ^bb0(%a: bf16, %b: bf16, %s: f32):
    %x = arith.extf %a : bf16 to f32
    %y = arith.extf %b : bf16 to f32
    %p = arith.mulf %x, %y fastmath<reassoc,contract> : f32
    %t = arith.addf %s, %p fastmath<reassoc,contract> : f32
    linalg.yield %t : f32
  }
  return
}

// A weight decoded into panels from position (4-bit codes and a scale per
// 64), marked quern.panel_pack, decodes in each (panel, k) cache tile the
// slice that tile reads, inside the k loop, in vector lanes: the tile's
// offsets (the loops' variables, multiples of 32) keep 16 lanes on 8
// consecutive code bytes and one scale, as in the whole decode.
// CHECK-LABEL: func.func @decoded_panel_pack(
// CHECK-SAME: %[[CODES:[^:]+]]: memref<2048xi8>, %[[SCALES:[^:]+]]: memref<64xf32>
// CHECK: scf.parallel (%[[J:.+]]) =
// CHECK-NEXT: scf.for %[[K:.+]] = %c0 to %c64 step %c32
// CHECK-NOT: vector.gather
// CHECK: vector.load %[[CODES]][%{{.+}}] : memref<2048xi8>, vector<8xi8>
// CHECK-NOT: vector.gather
// CHECK: memref.load %[[SCALES]][%{{.+}}] : memref<64xf32>
// CHECK: scf.for %{{.+}} = %c0 to %c16 step %c8
// CHECK: vector.fma
// CHECK-NOT: scf.parallel
// CHECK: return
#decoded = affine_map<(j, k, c) -> (j, k, c)>
#decoded_lhs = affine_map<(j, m, c, k) -> (m, k)>
#decoded_rhs = affine_map<(j, m, c, k) -> (j, k, c)>
#decoded_acc = affine_map<(j, m, c, k) -> (j, m, c)>
func.func @decoded_panel_pack(%codes: memref<2048xi8>, %scales: memref<64xf32>, %packed: memref<2x64x32xf32>, %acc: memref<2x16x32xf32>, %lhs: memref<16x64xf32>) {
  %zero = arith.constant 0.0 : f32
  %c1 = arith.constant 1 : index
  %c32 = arith.constant 32 : index
  %c64 = arith.constant 64 : index
  %c4_i32 = arith.constant 4 : i32
  %c15_i32 = arith.constant 15 : i32
  linalg.generic {indexing_maps = [#decoded], iterator_types = ["parallel", "parallel", "parallel"]}
      outs(%packed : memref<2x64x32xf32>)
      attrs = {quern.panel_pack, quern.strategy = {kind = "scalar", parallel = true, parallel_tile = 1, register_tiles = array<i64: 1, 1, 16>}} {
  ^bb0(%o: f32):
    %j = linalg.index 0 : index
    %k = linalg.index 1 : index
    %c = linalg.index 2 : index
    %n0 = arith.muli %j, %c32 : index
    %n = arith.addi %n0, %c : index
    %row = arith.muli %k, %c64 : index
    %at = arith.addi %row, %n : index
    %byte = arith.shrui %at, %c1 : index
    %code = memref.load %codes[%byte] : memref<2048xi8>
    %odd = arith.andi %at, %c1 : index
    %odd32 = arith.index_cast %odd : index to i32
    %shift = arith.muli %odd32, %c4_i32 : i32
    %wide = arith.extui %code : i8 to i32
    %nibble = arith.shrui %wide, %shift : i32
    %level = arith.andi %nibble, %c15_i32 : i32
    %levelf = arith.uitofp %level : i32 to f32
    %block = arith.divui %at, %c64 : index
    %scale = memref.load %scales[%block] : memref<64xf32>
    %w = arith.mulf %levelf, %scale : f32
    linalg.yield %w : f32
  }
  linalg.fill ins(%zero : f32) outs(%acc : memref<2x16x32xf32>)
  linalg.generic {indexing_maps = [#decoded_lhs, #decoded_rhs, #decoded_acc], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%lhs, %packed : memref<16x64xf32>, memref<2x64x32xf32>) outs(%acc : memref<2x16x32xf32>)
      attrs = {quern.strategy = {cache_tiles = array<i64: 1, 16, 32, 32>, dims = array<i64: 1, 2, 3>, kind = "contraction", loop_order = array<i64: 0, 2, 1, 3>, parallel = true, register_tiles = array<i64: 1, 8, 32, 1>}} {
  ^bb0(%a: f32, %b: f32, %s: f32):
    %p = arith.mulf %a, %b fastmath<reassoc,contract> : f32
    %t = arith.addf %s, %p fastmath<reassoc,contract> : f32
    linalg.yield %t : f32
  }
  return
}

// With k in cache tiles of 32 over 48 rows, the last tile is partial (its
// size known only at run time): the decode would not run in lanes there, so
// it runs whole, in lanes, before the product's tile loops.
// CHECK-LABEL: func.func @decoded_partial_k_tiles(
// CHECK-SAME: %[[CODES:[^:]+]]: memref<1536xi8>
// CHECK: vector.load %[[CODES]][%{{.+}}] : memref<1536xi8>, vector<8xi8>
// CHECK: scf.parallel
// CHECK-NOT: %[[CODES]]
// CHECK: return
func.func @decoded_partial_k_tiles(%codes: memref<1536xi8>, %scales: memref<48xf32>, %packed: memref<2x48x32xf32>, %acc: memref<2x16x32xf32>, %lhs: memref<16x48xf32>) {
  %zero = arith.constant 0.0 : f32
  %c1 = arith.constant 1 : index
  %c32 = arith.constant 32 : index
  %c64 = arith.constant 64 : index
  %c4_i32 = arith.constant 4 : i32
  %c15_i32 = arith.constant 15 : i32
  linalg.generic {indexing_maps = [#decoded], iterator_types = ["parallel", "parallel", "parallel"]}
      outs(%packed : memref<2x48x32xf32>)
      attrs = {quern.panel_pack, quern.strategy = {kind = "scalar", parallel = true, parallel_tile = 1, register_tiles = array<i64: 1, 1, 16>}} {
  ^bb0(%o: f32):
    %j = linalg.index 0 : index
    %k = linalg.index 1 : index
    %c = linalg.index 2 : index
    %n0 = arith.muli %j, %c32 : index
    %n = arith.addi %n0, %c : index
    %row = arith.muli %k, %c64 : index
    %at = arith.addi %row, %n : index
    %byte = arith.shrui %at, %c1 : index
    %code = memref.load %codes[%byte] : memref<1536xi8>
    %odd = arith.andi %at, %c1 : index
    %odd32 = arith.index_cast %odd : index to i32
    %shift = arith.muli %odd32, %c4_i32 : i32
    %wide = arith.extui %code : i8 to i32
    %nibble = arith.shrui %wide, %shift : i32
    %level = arith.andi %nibble, %c15_i32 : i32
    %levelf = arith.uitofp %level : i32 to f32
    %block = arith.divui %at, %c64 : index
    %scale = memref.load %scales[%block] : memref<48xf32>
    %w = arith.mulf %levelf, %scale : f32
    linalg.yield %w : f32
  }
  linalg.fill ins(%zero : f32) outs(%acc : memref<2x16x32xf32>)
  linalg.generic {indexing_maps = [#decoded_lhs, #decoded_rhs, #decoded_acc], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%lhs, %packed : memref<16x48xf32>, memref<2x48x32xf32>) outs(%acc : memref<2x16x32xf32>)
      attrs = {quern.strategy = {cache_tiles = array<i64: 1, 16, 32, 32>, dims = array<i64: 1, 2, 3>, kind = "contraction", loop_order = array<i64: 0, 2, 1, 3>, parallel = true, register_tiles = array<i64: 1, 8, 32, 1>}} {
  ^bb0(%a: f32, %b: f32, %s: f32):
    %p = arith.mulf %a, %b fastmath<reassoc,contract> : f32
    %t = arith.addf %s, %p fastmath<reassoc,contract> : f32
    linalg.yield %t : f32
  }
  return
}

// Packing a transposed operand ([N, P, 2] -> [P, N, 2], pairs moved as
// units): 8 rows of 8 pairs are read as 8 vectors of 16 and rounded a row
// at a time, the bf16 pairs transposed as an 8 x 8 matrix of 32-bit units,
// and written as 8 vectors of 16 bf16.
// CHECK-LABEL: func.func @transpose_pairs
// CHECK: %[[IN:.+]] = memref.collapse_shape %{{.+}} {{\[\[}}0], [1, 2]] : memref<256x128x2xf32> into memref<256x256xf32>
// CHECK-COUNT-8: vector.load %[[IN]][{{.+}}] : memref<256x256xf32>, vector<16xf32>
// CHECK: arith.truncf %{{.+}} : vector<8x16xf32> to vector<8x16xbf16>
// CHECK: vector.bitcast %{{.+}} : vector<8x16xbf16> to vector<8x8xi32>
// CHECK: vector.shuffle %{{.+}} [0, 8, 16, 24, 32, 40, 48, 56, 1, 9, {{.+}}] : vector<64xi32>, vector<64xi32>
// CHECK: vector.bitcast %{{.+}} : vector<8x8xi32> to vector<8x16xbf16>
// CHECK: %[[OUT:.+]] = memref.collapse_shape %{{.+}} {{\[\[}}0], [1, 2]] : memref<128x256x2xbf16> into memref<128x512xbf16>
// CHECK-COUNT-8: vector.store %{{.+}}, %[[OUT]][{{.+}}] : memref<128x512xbf16>, vector<16xbf16>
// CHECK-NOT: vector.store
// CHECK: return
func.func @transpose_pairs(%a: memref<256x128x2xf32>, %b: memref<128x256x2xbf16>) {
  linalg.generic {indexing_maps = [affine_map<(p, n, t) -> (n, p, t)>, affine_map<(p, n, t) -> (p, n, t)>], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%a : memref<256x128x2xf32>) outs(%b : memref<128x256x2xbf16>)
      attrs = {quern.strategy = {kind = "elementwise", parallel = false, register_tiles = array<i64: 8, 8, 2>}} {
  ^bb0(%x: f32, %y: bf16):
    %r = arith.truncf %x : f32 to bf16
    linalg.yield %r : bf16
  }
  return
}

// A fill of the product's accumulator is not tiled: the register tiles
// start from zeros in registers, and the output is written once, never
// read.
// CHECK-LABEL: func.func @filled_gemm(
// CHECK-SAME: %[[C:[^:]+]]: memref<64x64xf32>)
// CHECK: %[[ZERO:.+]] = arith.constant dense<0.000000e+00> : vector<8x32xf32>
// CHECK-NOT: linalg.fill
// CHECK-NOT: vector.load %[[C]]
// CHECK: scf.for {{.+}} iter_args(%{{.+}} = %[[ZERO]]) -> (vector<8x32xf32>)
// CHECK-NOT: vector.load %[[C]]
// CHECK-COUNT-8: vector.store %{{.+}}, %[[C]]
// CHECK-NOT: vector.load %[[C]]
// CHECK: return
func.func @filled_gemm(%a: memref<64x64xf32>, %b: memref<64x64xf32>, %c: memref<64x64xf32>) {
  %zero = arith.constant 0.0 : f32
  linalg.fill {quern.strategy = {kind = "elementwise", register_tiles = array<i64: 1, 16>, parallel = false}}
      ins(%zero : f32) outs(%c : memref<64x64xf32>)
  linalg.matmul {quern.strategy = {kind = "contraction", loop_order = array<i64: 1, 0, 2>, dims = array<i64: 0, 1, 2>,
                 cache_tiles = array<i64: 64, 64, 64>, register_tiles = array<i64: 8, 32, 1>,
                 parallel = false}}
      ins(%a, %b : memref<64x64xf32>, memref<64x64xf32>) outs(%c : memref<64x64xf32>)
  return
}

// With k in cache tiles, each tile of k loads what the one before stored:
// the first tile of k starts from the fill's constant instead of loading,
// the others load. The fill goes.
// CHECK-LABEL: func.func @filled_k_tiles(
// CHECK-SAME: %[[C:[^:]+]]: memref<64x64xf32>)
// CHECK-NOT: linalg.fill
// CHECK: %[[ZEROS:.+]] = arith.constant dense<0.000000e+00> : vector<8x32xf32>
// CHECK: scf.for %[[K:.+]] = %[[C0:.+]] to %c64 step %c32 {
// CHECK: %[[LATER:.+]] = arith.cmpi ne, %[[K]], %[[C0]] : index
// CHECK-NEXT: %[[TILE:.+]] = scf.if %[[LATER]] -> (vector<8x32xf32>) {
// CHECK-NEXT: vector.load %[[C]]
// CHECK: } else {
// CHECK-NEXT: scf.yield %[[ZEROS]] : vector<8x32xf32>
// CHECK-NEXT: }
// CHECK-NEXT: scf.for {{.+}} iter_args(%{{.+}} = %[[TILE]])
// CHECK-NOT: linalg.fill
// CHECK: return
func.func @filled_k_tiles(%a: memref<64x64xf32>, %b: memref<64x64xf32>, %c: memref<64x64xf32>) {
  %zero = arith.constant 0.0 : f32
  linalg.fill {quern.strategy = {kind = "elementwise", register_tiles = array<i64: 1, 16>, parallel = false}}
      ins(%zero : f32) outs(%c : memref<64x64xf32>)
  linalg.matmul {quern.strategy = {kind = "contraction", loop_order = array<i64: 1, 0, 2>, dims = array<i64: 0, 1, 2>,
                 cache_tiles = array<i64: 64, 64, 32>, register_tiles = array<i64: 8, 32, 1>,
                 parallel = false}}
      ins(%a, %b : memref<64x64xf32>, memref<64x64xf32>) outs(%c : memref<64x64xf32>)
  return
}

// The same when the register tile does not divide the reduced loop (a row
// maximum of 100, one vector at a time): the peeled remainder loads what the
// main loop stored, so the fill of -inf stays, as a store of its own.
// CHECK-LABEL: func.func @filled_row_max(
// CHECK-SAME: %[[C:[^:]+]]: memref<4xf32>)
// CHECK: %[[LOW:.+]] = arith.constant dense<0xFF800000> : vector<4xf32>
// CHECK: vector.store %[[LOW]], %[[C]]
// CHECK: scf.for
// CHECK: memref.load %[[C]]
// CHECK: scf.for {{.+}} to %c96 step %c16
// CHECK: memref.store {{.+}}, %[[C]]
// CHECK: memref.load %[[C]]
// CHECK: vector.reduction <maximumf>, %{{.+}} : vector<4xf32> into f32
func.func @filled_row_max(%a: memref<4x100xf32>, %c: memref<4xf32>) {
  %low = arith.constant 0xFF800000 : f32
  linalg.fill {quern.strategy = {kind = "elementwise", register_tiles = array<i64: 4>, parallel = false}}
      ins(%low : f32) outs(%c : memref<4xf32>)
  linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i)>],
                  iterator_types = ["parallel", "reduction"],
                  quern.strategy = {kind = "reduction", register_tiles = array<i64: 1, 16>, parallel = false}}
      ins(%a : memref<4x100xf32>) outs(%c : memref<4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %m = arith.maximumf %in, %out : f32
    linalg.yield %m : f32
  }
  return
}

// When another op in the function reads the product's output (ops left in
// their parent function), the fill is tiled like any op and the product
// loads its accumulator.
// CHECK-LABEL: func.func @filled_and_read(
// CHECK-SAME: %[[C:[^:]+]]: memref<64x64xf32>, %[[D:[^:]+]]: memref<64x64xf32>)
// CHECK-NOT: linalg.fill
// CHECK: scf.for
// CHECK: vector.store %{{.+}}, %[[C]]
// CHECK: scf.for
// CHECK: vector.load %[[C]]
// CHECK: vector.fma
// CHECK: scf.for
// CHECK: vector.load %[[C]]
// CHECK: vector.store %{{.+}}, %[[D]]
func.func @filled_and_read(%a: memref<64x64xf32>, %b: memref<64x64xf32>, %c: memref<64x64xf32>, %d: memref<64x64xf32>) {
  %zero = arith.constant 0.0 : f32
  linalg.fill {quern.strategy = {kind = "elementwise", register_tiles = array<i64: 1, 16>, parallel = false}}
      ins(%zero : f32) outs(%c : memref<64x64xf32>)
  linalg.matmul {quern.strategy = {kind = "contraction", loop_order = array<i64: 1, 0, 2>, dims = array<i64: 0, 1, 2>,
                 cache_tiles = array<i64: 64, 64, 64>, register_tiles = array<i64: 8, 32, 1>,
                 parallel = false}}
      ins(%a, %b : memref<64x64xf32>, memref<64x64xf32>) outs(%c : memref<64x64xf32>)
  linalg.copy {quern.strategy = {kind = "elementwise", register_tiles = array<i64: 1, 16>, parallel = false}}
      ins(%c : memref<64x64xf32>) outs(%d : memref<64x64xf32>)
  return
}

// A split product: each piece is tiled on its own, with static tiles, and
// threaded only if its flag in parallel_pieces is set: the 96 columns in
// parallel cache tiles, the last 4 on the calling thread.
// CHECK-LABEL: func.func @split_pieces
// CHECK-NOT: mask
// CHECK: scf.parallel
// CHECK: vector.fma {{.+}} : vector<32xf32>
// CHECK: scf.for
// CHECK-NOT: scf.parallel
// CHECK: vector.fma {{.+}} : vector<4xf32>
// CHECK-NOT: scf.parallel
// CHECK: return
func.func @split_pieces(%a: memref<64x64xf32>, %b: memref<64x100xf32>, %c: memref<64x100xf32>) {
  linalg.matmul {quern.strategy = {kind = "contraction", loop_order = array<i64: 1, 0, 2>, dims = array<i64: 0, 1, 2>,
                 cache_tiles = array<i64: 32, 32, 64>, register_tiles = array<i64: 8, 32, 1>,
                 parallel = true, split = [array<i64>, array<i64: 96>, array<i64>],
                 parallel_pieces = array<i1: true, false>}}
      ins(%a, %b : memref<64x64xf32>, memref<64x100xf32>) outs(%c : memref<64x100xf32>)
  return
}
