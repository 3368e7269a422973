// RUN: quern-opt %s --quern-plan-workspace -split-input-file | FileCheck %s

// Every memref.alloc of a bufferized function becomes a memref.view at a
// 64-byte aligned offset of a trailing `quern.workspace` argument whose size
// is recorded in `quern.workspace_bytes`. Buffers share bytes only when their
// live ranges (alloc to last use, counting uses through views and uses nested
// in ops of the entry block) do not overlap.

// Two buffers used one after the other share offset 0.
// CHECK-LABEL: func.func @disjoint
// CHECK-SAME: (%[[X:[^:]+]]: memref<16xf32>, %[[Y:[^:]+]]: memref<16xf32>, %[[WS:[^:]+]]: memref<64xi8> {quern.workspace})
// CHECK-SAME: quern.workspace_bytes = 64 : i64}
// CHECK-NOT: memref.alloc
// CHECK: %[[OFF_A:.+]] = arith.constant 0 : index
// CHECK-NEXT: %[[A:.+]] = memref.view %[[WS]][%[[OFF_A]]][] : memref<64xi8> to memref<16xf32>
// CHECK-NEXT: memref.copy %[[X]], %[[A]]
// CHECK-NEXT: memref.copy %[[A]], %[[Y]]
// CHECK-NEXT: %[[OFF_B:.+]] = arith.constant 0 : index
// CHECK-NEXT: %[[B:.+]] = memref.view %[[WS]][%[[OFF_B]]][] : memref<64xi8> to memref<16xf32>
// CHECK-NEXT: memref.copy %[[X]], %[[B]]
// CHECK-NEXT: memref.copy %[[B]], %[[Y]]
// CHECK-NOT: memref.alloc
func.func @disjoint(%x: memref<16xf32>, %y: memref<16xf32>) {
  %a = memref.alloc() {alignment = 64 : i64} : memref<16xf32>
  memref.copy %x, %a : memref<16xf32> to memref<16xf32>
  memref.copy %a, %y : memref<16xf32> to memref<16xf32>
  %b = memref.alloc() {alignment = 64 : i64} : memref<16xf32>
  memref.copy %x, %b : memref<16xf32> to memref<16xf32>
  memref.copy %b, %y : memref<16xf32> to memref<16xf32>
  return
}

// -----

// Two live buffers of 40 bytes each: the second starts at the next multiple
// of 64, and the total is rounded up to 64 too. The peak's record gives the
// bytes the buffers hold at once (80, unaligned), where, and the buffers
// (these ops come from no ONNX node: no names).
// CHECK-LABEL: func.func @overlapping
// CHECK-SAME: %[[WS:[^:]+]]: memref<128xi8> {quern.workspace})
// CHECK-SAME: attributes {quern.peak = {buffers = [{bytes = 40 : i64, name = "", op = ""}, {bytes = 40 : i64, name = "", op = ""}], bytes = 80 : i64, count = 2 : i64, name = "", op = ""}, quern.workspace_bytes = 128 : i64}
// CHECK: %[[OFF_A:.+]] = arith.constant 0 : index
// CHECK-NEXT: %[[A:.+]] = memref.view %[[WS]][%[[OFF_A]]][] : memref<128xi8> to memref<10xf32>
// CHECK-NEXT: %[[OFF_B:.+]] = arith.constant 64 : index
// CHECK-NEXT: %[[B:.+]] = memref.view %[[WS]][%[[OFF_B]]][] : memref<128xi8> to memref<10xf32>
// CHECK: memref.copy %[[A]], %[[B]]
func.func @overlapping(%x: memref<10xf32>, %y: memref<10xf32>) {
  %a = memref.alloc() : memref<10xf32>
  %b = memref.alloc() : memref<10xf32>
  memref.copy %x, %a : memref<10xf32> to memref<10xf32>
  memref.copy %a, %b : memref<10xf32> to memref<10xf32>
  memref.copy %b, %y : memref<10xf32> to memref<10xf32>
  return
}

// -----

// Buffers are placed largest first, each at the lowest offset free of the
// buffers live at the same time: %c (100 bytes) reuses %a's bytes once %a is
// dead, while %b (64 bytes), live throughout, sits above both at 128.
// CHECK-LABEL: func.func @reuse
// CHECK-SAME: %[[WS:[^:]+]]: memref<192xi8> {quern.workspace})
// CHECK-SAME: quern.workspace_bytes = 192 : i64}
// CHECK: %[[OFF_A:.+]] = arith.constant 0 : index
// CHECK-NEXT: memref.view %[[WS]][%[[OFF_A]]][] : memref<192xi8> to memref<32xf32>
// CHECK-NEXT: %[[OFF_B:.+]] = arith.constant 128 : index
// CHECK-NEXT: memref.view %[[WS]][%[[OFF_B]]][] : memref<192xi8> to memref<16xf32>
// CHECK: %[[OFF_C:.+]] = arith.constant 0 : index
// CHECK-NEXT: memref.view %[[WS]][%[[OFF_C]]][] : memref<192xi8> to memref<25xf32>
func.func @reuse(%x: memref<32xf32>, %s: memref<16xf32>, %y: memref<25xf32>) {
  %a = memref.alloc() : memref<32xf32>
  %b = memref.alloc() : memref<16xf32>
  memref.copy %x, %a : memref<32xf32> to memref<32xf32>
  memref.copy %s, %b : memref<16xf32> to memref<16xf32>
  memref.copy %a, %x : memref<32xf32> to memref<32xf32>
  %c = memref.alloc() : memref<25xf32>
  memref.copy %y, %c : memref<25xf32> to memref<25xf32>
  memref.copy %b, %s : memref<16xf32> to memref<16xf32>
  memref.copy %c, %y : memref<25xf32> to memref<25xf32>
  return
}

// -----

// %a's last direct use is the collapse_shape, before %b exists, but the
// collapsed view is read after %b is allocated: they must not share.
// CHECK-LABEL: func.func @use_through_collapse_shape
// CHECK-SAME: %[[WS:[^:]+]]: memref<128xi8> {quern.workspace})
// CHECK-SAME: quern.workspace_bytes = 128 : i64}
// CHECK: %[[OFF_A:.+]] = arith.constant 0 : index
// CHECK-NEXT: %[[A:.+]] = memref.view %[[WS]][%[[OFF_A]]][] : memref<128xi8> to memref<2x8xf32>
// CHECK: %[[FLAT:.+]] = memref.collapse_shape %[[A]]
// CHECK: %[[OFF_B:.+]] = arith.constant 64 : index
// CHECK-NEXT: %[[B:.+]] = memref.view %[[WS]][%[[OFF_B]]][] : memref<128xi8> to memref<16xf32>
// CHECK-NEXT: memref.copy %[[FLAT]], %[[B]]
func.func @use_through_collapse_shape(%x: memref<2x8xf32>, %y: memref<16xf32>) {
  %a = memref.alloc() : memref<2x8xf32>
  memref.copy %x, %a : memref<2x8xf32> to memref<2x8xf32>
  %flat = memref.collapse_shape %a [[0, 1]] : memref<2x8xf32> into memref<16xf32>
  %b = memref.alloc() : memref<16xf32>
  memref.copy %flat, %b : memref<16xf32> to memref<16xf32>
  memref.copy %b, %y : memref<16xf32> to memref<16xf32>
  return
}

// -----

// Views of views count too: a subview of %a, expanded, is read after %b is
// allocated.
// CHECK-LABEL: func.func @use_through_subview_chain
// CHECK-SAME: quern.workspace_bytes = 192 : i64}
// CHECK: arith.constant 0 : index
// CHECK-NEXT: %[[A:.+]] = memref.view %{{.+}} : memref<192xi8> to memref<32xf32>
// CHECK: %[[SUB:.+]] = memref.subview %[[A]][8] [16] [1]
// CHECK: %[[EXP:.+]] = memref.expand_shape %[[SUB]]
// CHECK: %[[OFF_B:.+]] = arith.constant 128 : index
// CHECK-NEXT: %[[B:.+]] = memref.view %{{.+}}[%[[OFF_B]]][] : memref<192xi8> to memref<2x8xf32>
// CHECK-NEXT: memref.copy %[[EXP]], %[[B]]
func.func @use_through_subview_chain(%x: memref<32xf32>, %y: memref<2x8xf32>) {
  %a = memref.alloc() : memref<32xf32>
  memref.copy %x, %a : memref<32xf32> to memref<32xf32>
  %sub = memref.subview %a[8] [16] [1] : memref<32xf32> to memref<16xf32, strided<[1], offset: 8>>
  %e = memref.expand_shape %sub [[0, 1]] output_shape [2, 8] : memref<16xf32, strided<[1], offset: 8>> into memref<2x8xf32, strided<[8, 1], offset: 8>>
  %b = memref.alloc() : memref<2x8xf32>
  memref.copy %e, %b : memref<2x8xf32, strided<[8, 1], offset: 8>> to memref<2x8xf32>
  memref.copy %b, %y : memref<2x8xf32> to memref<2x8xf32>
  return
}

// -----

// A use nested in a loop counts as a use by the loop itself.
// CHECK-LABEL: func.func @use_in_loop
// CHECK-SAME: %[[WS:[^:]+]]: memref<128xi8> {quern.workspace})
// CHECK-SAME: quern.workspace_bytes = 128 : i64}
// CHECK: %[[OFF_A:.+]] = arith.constant 0 : index
// CHECK-NEXT: %[[A:.+]] = memref.view %[[WS]][%[[OFF_A]]][] : memref<128xi8> to memref<16xf32>
// CHECK: %[[OFF_B:.+]] = arith.constant 64 : index
// CHECK-NEXT: %[[B:.+]] = memref.view %[[WS]][%[[OFF_B]]][] : memref<128xi8> to memref<16xf32>
// CHECK: scf.for
// CHECK-NEXT: memref.copy %[[A]], %{{.+}}
func.func @use_in_loop(%x: memref<16xf32>, %y: memref<16xf32>, %lo: index,
                       %hi: index, %step: index) {
  %a = memref.alloc() : memref<16xf32>
  memref.copy %x, %a : memref<16xf32> to memref<16xf32>
  %b = memref.alloc() : memref<16xf32>
  memref.copy %x, %b : memref<16xf32> to memref<16xf32>
  scf.for %i = %lo to %hi step %step {
    memref.copy %a, %y : memref<16xf32> to memref<16xf32>
  }
  memref.copy %b, %y : memref<16xf32> to memref<16xf32>
  return
}

// -----

// Sizes are whole bytes per element, whatever the element type.
// CHECK-LABEL: func.func @element_sizes
// CHECK-SAME: quern.workspace_bytes = 256 : i64}
// CHECK: arith.constant 0 : index
// CHECK-NEXT: memref.view %{{.+}} : memref<256xi8> to memref<3x5xf64>
// CHECK: arith.constant 128 : index
// CHECK-NEXT: memref.view %{{.+}} : memref<256xi8> to memref<7xf16>
// CHECK: arith.constant 192 : index
// CHECK-NEXT: memref.view %{{.+}} : memref<256xi8> to memref<9xi1>
func.func @element_sizes(%x: memref<3x5xf64>, %h: memref<7xf16>, %p: memref<9xi1>) {
  %a = memref.alloc() : memref<3x5xf64>
  %b = memref.alloc() : memref<7xf16>
  %c = memref.alloc() : memref<9xi1>
  memref.copy %a, %x : memref<3x5xf64> to memref<3x5xf64>
  memref.copy %b, %h : memref<7xf16> to memref<7xf16>
  memref.copy %c, %p : memref<9xi1> to memref<9xi1>
  return
}

// -----

// A function without buffers still gets the argument, of zero bytes, so that
// every compiled function has one calling convention.
// CHECK-LABEL: func.func @no_buffers
// CHECK-SAME: (%{{.+}}: memref<4xf32>, %{{.+}}: memref<0xi8> {quern.workspace})
// CHECK-SAME: quern.workspace_bytes = 0 : i64}
func.func @no_buffers(%x: memref<4xf32>) {
  return
}

// -----

// Declarations have no body to plan and keep their signature.
// CHECK-LABEL: func.func private @external(memref<4xf32>)
// CHECK-NOT: quern.workspace
func.func private @external(memref<4xf32>)

// -----

// A loop body is planned on its own: its two buffers, one after the other,
// share the body's 64 bytes, which sit beside %a (live across the loop) and
// not on top of it.
// CHECK-LABEL: func.func @loop_body
// CHECK-SAME: %[[WS:[^:]+]]: memref<128xi8> {quern.workspace})
// CHECK-SAME: quern.workspace_bytes = 128 : i64}
// CHECK: %[[OFF_A:.+]] = arith.constant 0 : index
// CHECK-NEXT: memref.view %[[WS]][%[[OFF_A]]][] : memref<128xi8> to memref<16xf32>
// CHECK: scf.for
// CHECK: %[[OFF_B:.+]] = arith.constant 64 : index
// CHECK-NEXT: memref.view %[[WS]][%[[OFF_B]]][] : memref<128xi8> to memref<16xf32>
// CHECK: %[[OFF_C:.+]] = arith.constant 64 : index
// CHECK-NEXT: memref.view %[[WS]][%[[OFF_C]]][] : memref<128xi8> to memref<8xf32>
func.func @loop_body(%x: memref<16xf32>, %y: memref<16xf32>, %z: memref<8xf32>,
                     %lo: index, %hi: index, %one: index) {
  %a = memref.alloc() : memref<16xf32>
  memref.copy %x, %a : memref<16xf32> to memref<16xf32>
  scf.for %i = %lo to %hi step %one {
    %b = memref.alloc() : memref<16xf32>
    memref.copy %a, %b : memref<16xf32> to memref<16xf32>
    memref.copy %b, %y : memref<16xf32> to memref<16xf32>
    %c = memref.alloc() : memref<8xf32>
    memref.copy %z, %c : memref<8xf32> to memref<8xf32>
    memref.copy %c, %z : memref<8xf32> to memref<8xf32>
  }
  memref.copy %a, %y : memref<16xf32> to memref<16xf32>
  return
}

// -----

// A pack that rounds and lays out the next product's right operand, the only
// reader of what it writes, is marked quern.panel_pack: tiling will move it
// into the product's tile loops, so its input stays alive until the product
// and the accumulator does not take the input's bytes (0 to 64).
// CHECK-LABEL: func.func @panel_pack
// CHECK-SAME: quern.workspace_bytes = 192 : i64}
// CHECK: %[[IN:.+]] = memref.view %{{.+}}[%c0{{.*}}][] : memref<192xi8> to memref<4x4xf32>
// CHECK: linalg.generic
// CHECK-SAME: {quern.panel_pack}
// CHECK: %[[OFF:.+]] = arith.constant 128 : index
// CHECK-NEXT: %[[ACC:.+]] = memref.view %{{.+}}[%[[OFF]]][] : memref<192xi8> to memref<2x4xf32>
// CHECK-NEXT: linalg.fill {{.+}} outs(%[[ACC]]
func.func @panel_pack(%w: memref<4x4xf32>, %lhs: memref<2x2x2xbf16>, %out: memref<2x4xf32>) {
  %cst = arith.constant 0.0 : f32
  %src = memref.alloc() {alignment = 64 : i64} : memref<4x4xf32>
  memref.copy %w, %src : memref<4x4xf32> to memref<4x4xf32>
  %in = memref.expand_shape %src [[0, 1], [2]] output_shape [2, 2, 4] : memref<4x4xf32> into memref<2x2x4xf32>
  %packed = memref.alloc() {alignment = 64 : i64} : memref<2x4x2xbf16>
  linalg.generic {indexing_maps = [affine_map<(p, n, c) -> (p, c, n)>, affine_map<(p, n, c) -> (p, n, c)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%in : memref<2x2x4xf32>) outs(%packed : memref<2x4x2xbf16>) {
  ^bb0(%a: f32, %b: bf16):
    %r = arith.truncf %a : f32 to bf16
    linalg.yield %r : bf16
  }
  %acc = memref.alloc() {alignment = 64 : i64} : memref<2x4xf32>
  linalg.fill ins(%cst : f32) outs(%acc : memref<2x4xf32>)
  linalg.generic {indexing_maps = [affine_map<(m, n, p, c) -> (m, p, c)>, affine_map<(m, n, p, c) -> (p, n, c)>, affine_map<(m, n, p, c) -> (m, n)>], iterator_types = ["parallel", "parallel", "reduction", "reduction"]} ins(%lhs, %packed : memref<2x2x2xbf16>, memref<2x4x2xbf16>) outs(%acc : memref<2x4xf32>) {
  ^bb0(%a: bf16, %b: bf16, %s: f32):
    %x = arith.extf %a : bf16 to f32
    %y = arith.extf %b : bf16 to f32
    %p = arith.mulf %x, %y : f32
    %t = arith.addf %s, %p : f32
    linalg.yield %t : f32
  }
  memref.copy %acc, %out : memref<2x4xf32> to memref<2x4xf32>
  return
}

// -----

// A pack that only permutes bf16 (it reads a rounded copy) is a pack too.
// CHECK-LABEL: func.func @panel_pack_copy
// CHECK: linalg.generic
// CHECK-SAME: ins(%{{.+}} : memref<2x2x4xbf16>) outs(%{{.+}} : memref<2x4x2xbf16>)
// CHECK-SAME: {quern.panel_pack}
func.func @panel_pack_copy(%w: memref<4x4xbf16>, %lhs: memref<2x2x2xbf16>, %out: memref<2x4xf32>) {
  %cst = arith.constant 0.0 : f32
  %src = memref.alloc() {alignment = 64 : i64} : memref<4x4xbf16>
  memref.copy %w, %src : memref<4x4xbf16> to memref<4x4xbf16>
  %in = memref.expand_shape %src [[0, 1], [2]] output_shape [2, 2, 4] : memref<4x4xbf16> into memref<2x2x4xbf16>
  %packed = memref.alloc() {alignment = 64 : i64} : memref<2x4x2xbf16>
  linalg.generic {indexing_maps = [affine_map<(p, n, c) -> (p, c, n)>, affine_map<(p, n, c) -> (p, n, c)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%in : memref<2x2x4xbf16>) outs(%packed : memref<2x4x2xbf16>) {
  ^bb0(%a: bf16, %b: bf16):
    linalg.yield %a : bf16
  }
  %acc = memref.alloc() {alignment = 64 : i64} : memref<2x4xf32>
  linalg.fill ins(%cst : f32) outs(%acc : memref<2x4xf32>)
  linalg.generic {indexing_maps = [affine_map<(m, n, p, c) -> (m, p, c)>, affine_map<(m, n, p, c) -> (p, n, c)>, affine_map<(m, n, p, c) -> (m, n)>], iterator_types = ["parallel", "parallel", "reduction", "reduction"]} ins(%lhs, %packed : memref<2x2x2xbf16>, memref<2x4x2xbf16>) outs(%acc : memref<2x4xf32>) {
  ^bb0(%a: bf16, %b: bf16, %s: f32):
    %x = arith.extf %a : bf16 to f32
    %y = arith.extf %b : bf16 to f32
    %p = arith.mulf %x, %y : f32
    %t = arith.addf %s, %p : f32
    linalg.yield %t : f32
  }
  memref.copy %acc, %out : memref<2x4xf32> to memref<2x4xf32>
  return
}

// -----

// The same pack, its buffer read again after the product: when the product
// ends its tiles have packed every panel, so the later reader reads what it
// did before, and the pack is marked all the same.
// CHECK-LABEL: func.func @pack_read_twice
// CHECK: linalg.generic
// CHECK-SAME: {quern.panel_pack}
func.func @pack_read_twice(%w: memref<4x4xf32>, %lhs: memref<2x2x2xbf16>, %out: memref<2x4xf32>, %again: memref<2x4x2xbf16>) {
  %cst = arith.constant 0.0 : f32
  %src = memref.alloc() {alignment = 64 : i64} : memref<4x4xf32>
  memref.copy %w, %src : memref<4x4xf32> to memref<4x4xf32>
  %in = memref.expand_shape %src [[0, 1], [2]] output_shape [2, 2, 4] : memref<4x4xf32> into memref<2x2x4xf32>
  %packed = memref.alloc() {alignment = 64 : i64} : memref<2x4x2xbf16>
  linalg.generic {indexing_maps = [affine_map<(p, n, c) -> (p, c, n)>, affine_map<(p, n, c) -> (p, n, c)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%in : memref<2x2x4xf32>) outs(%packed : memref<2x4x2xbf16>) {
  ^bb0(%a: f32, %b: bf16):
    %r = arith.truncf %a : f32 to bf16
    linalg.yield %r : bf16
  }
  %acc = memref.alloc() {alignment = 64 : i64} : memref<2x4xf32>
  linalg.fill ins(%cst : f32) outs(%acc : memref<2x4xf32>)
  linalg.generic {indexing_maps = [affine_map<(m, n, p, c) -> (m, p, c)>, affine_map<(m, n, p, c) -> (p, n, c)>, affine_map<(m, n, p, c) -> (m, n)>], iterator_types = ["parallel", "parallel", "reduction", "reduction"]} ins(%lhs, %packed : memref<2x2x2xbf16>, memref<2x4x2xbf16>) outs(%acc : memref<2x4xf32>) {
  ^bb0(%a: bf16, %b: bf16, %s: f32):
    %x = arith.extf %a : bf16 to f32
    %y = arith.extf %b : bf16 to f32
    %p = arith.mulf %x, %y : f32
    %t = arith.addf %s, %p : f32
    linalg.yield %t : f32
  }
  memref.copy %acc, %out : memref<2x4xf32> to memref<2x4xf32>
  memref.copy %packed, %again : memref<2x4x2xbf16> to memref<2x4x2xbf16>
  return
}

// -----

// The product reads the packed buffer through a view as well (its left
// operand): a panel packed inside it would be read before it is packed, so
// the pack is not marked, its input dies at it, and the accumulator takes
// the input's bytes.
// CHECK-LABEL: func.func @pack_read_by_both
// CHECK: linalg.generic
// CHECK-NOT: quern.panel_pack
// CHECK: %[[OFF:.+]] = arith.constant 0 : index
// CHECK-NEXT: %[[ACC:.+]] = memref.view %{{.+}}[%[[OFF]]][] : memref<128xi8> to memref<2x4xf32>
// CHECK-NEXT: linalg.fill {{.+}} outs(%[[ACC]]
func.func @pack_read_by_both(%w: memref<4x4xf32>, %out: memref<2x4xf32>) {
  %cst = arith.constant 0.0 : f32
  %src = memref.alloc() {alignment = 64 : i64} : memref<4x4xf32>
  memref.copy %w, %src : memref<4x4xf32> to memref<4x4xf32>
  %in = memref.expand_shape %src [[0, 1], [2]] output_shape [2, 2, 4] : memref<4x4xf32> into memref<2x2x4xf32>
  %packed = memref.alloc() {alignment = 64 : i64} : memref<2x4x2xbf16>
  %lhs = memref.subview %packed[0, 0, 0] [2, 2, 2] [1, 1, 1] : memref<2x4x2xbf16> to memref<2x2x2xbf16, strided<[8, 2, 1]>>
  linalg.generic {indexing_maps = [affine_map<(p, n, c) -> (p, c, n)>, affine_map<(p, n, c) -> (p, n, c)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%in : memref<2x2x4xf32>) outs(%packed : memref<2x4x2xbf16>) {
  ^bb0(%a: f32, %b: bf16):
    %r = arith.truncf %a : f32 to bf16
    linalg.yield %r : bf16
  }
  %acc = memref.alloc() {alignment = 64 : i64} : memref<2x4xf32>
  linalg.fill ins(%cst : f32) outs(%acc : memref<2x4xf32>)
  linalg.generic {indexing_maps = [affine_map<(m, n, p, c) -> (m, p, c)>, affine_map<(m, n, p, c) -> (p, n, c)>, affine_map<(m, n, p, c) -> (m, n)>], iterator_types = ["parallel", "parallel", "reduction", "reduction"]} ins(%lhs, %packed : memref<2x2x2xbf16, strided<[8, 2, 1]>>, memref<2x4x2xbf16>) outs(%acc : memref<2x4xf32>) {
  ^bb0(%a: bf16, %b: bf16, %s: f32):
    %x = arith.extf %a : bf16 to f32
    %y = arith.extf %b : bf16 to f32
    %p = arith.mulf %x, %y : f32
    %t = arith.addf %s, %p : f32
    linalg.yield %t : f32
  }
  memref.copy %acc, %out : memref<2x4xf32> to memref<2x4xf32>
  return
}

// -----

// A training step's quern.backward_begins: the buffers used before it and
// after it are kept for backward (a and b, 64 bytes each; c is used only
// after it, d only before), recorded and the marker erased.
// CHECK-LABEL: func.func @kept_for_backward
// CHECK-SAME: quern.kept_for_backward_bytes = 128 : i64
// CHECK-NOT: quern.backward_begins
func.func @kept_for_backward(%x: memref<16xf32>, %out: memref<16xf32>) {
  %a = memref.alloc() {alignment = 64 : i64} : memref<16xf32>
  %b = memref.alloc() {alignment = 64 : i64} : memref<16xf32>
  %c = memref.alloc() {alignment = 64 : i64} : memref<16xf32>
  %d = memref.alloc() {alignment = 64 : i64} : memref<16xf32>
  linalg.copy ins(%x : memref<16xf32>) outs(%a : memref<16xf32>)
  linalg.copy ins(%a : memref<16xf32>) outs(%b : memref<16xf32>)
  linalg.copy ins(%b : memref<16xf32>) outs(%d : memref<16xf32>)
  linalg.copy ins(%d : memref<16xf32>) outs(%out : memref<16xf32>)
  quern.backward_begins
  linalg.copy ins(%a : memref<16xf32>) outs(%c : memref<16xf32>)
  linalg.copy ins(%b : memref<16xf32>) outs(%c : memref<16xf32>)
  linalg.copy ins(%c : memref<16xf32>) outs(%out : memref<16xf32>)
  return
}

// -----

// In a micro-batch loop the marker is in the loop's body, planned on its
// own: what is live across it there.
// CHECK-LABEL: func.func @kept_in_loop
// CHECK-SAME: quern.kept_for_backward_bytes = 64 : i64
// CHECK-NOT: quern.backward_begins
func.func @kept_in_loop(%x: memref<16xf32>, %out: memref<16xf32>) {
  %c0 = arith.constant 0 : index
  %c2 = arith.constant 2 : index
  %c1 = arith.constant 1 : index
  scf.for %i = %c0 to %c2 step %c1 {
    %a = memref.alloc() {alignment = 64 : i64} : memref<16xf32>
    linalg.copy ins(%x : memref<16xf32>) outs(%a : memref<16xf32>)
    quern.backward_begins
    linalg.copy ins(%a : memref<16xf32>) outs(%out : memref<16xf32>)
  }
  return
}

// -----

// Without the marker (a forward function) nothing is recorded.
// CHECK-LABEL: func.func @no_marker
// CHECK-NOT: quern.kept_for_backward_bytes
func.func @no_marker(%x: memref<16xf32>, %out: memref<16xf32>) {
  %a = memref.alloc() {alignment = 64 : i64} : memref<16xf32>
  linalg.copy ins(%x : memref<16xf32>) outs(%a : memref<16xf32>)
  linalg.copy ins(%a : memref<16xf32>) outs(%out : memref<16xf32>)
  return
}

// -----

// An f32 panel pack (a permuted copy) feeding its product is marked too.
// CHECK-LABEL: func.func @f32_panel_pack
// CHECK: linalg.generic {{.+}}quern.panel_pack
func.func @f32_panel_pack(%w: memref<8x64xf32>, %x: memref<4x8xf32>, %out: memref<2x4x32xf32>) {
  %cst = arith.constant 0.0 : f32
  %in = memref.expand_shape %w [[0], [1, 2]] output_shape [8, 2, 32] : memref<8x64xf32> into memref<8x2x32xf32>
  %packed = memref.alloc() {alignment = 64 : i64} : memref<2x8x32xf32>
  linalg.generic {indexing_maps = [affine_map<(k, j, c) -> (k, j, c)>, affine_map<(k, j, c) -> (j, k, c)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%in : memref<8x2x32xf32>) outs(%packed : memref<2x8x32xf32>) {
  ^bb0(%a: f32, %b: f32):
    linalg.yield %a : f32
  }
  linalg.fill ins(%cst : f32) outs(%out : memref<2x4x32xf32>)
  linalg.generic {indexing_maps = [affine_map<(j, m, c, k) -> (m, k)>, affine_map<(j, m, c, k) -> (j, k, c)>, affine_map<(j, m, c, k) -> (j, m, c)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%x, %packed : memref<4x8xf32>, memref<2x8x32xf32>) outs(%out : memref<2x4x32xf32>) {
  ^bb0(%a: f32, %b: f32, %s: f32):
    %p = arith.mulf %a, %b : f32
    %t = arith.addf %s, %p : f32
    linalg.yield %t : f32
  }
  return
}

// -----

// A weight decoded into panels from position (4-bit codes and a scale,
// loaded where the panel's indices say) feeding its product is a pack
// too, and is marked. (Its panels take the bytes of %early, dead by then.)
// CHECK-LABEL: func.func @decoded_panel_pack
// CHECK-SAME: quern.workspace_bytes = 256 : i64
// CHECK: memref.view %{{.+}}[%c0{{.*}}][] : memref<256xi8> to memref<8x8xf32>
// CHECK: %[[PANELS:.+]] = memref.view %{{.+}}[%c0{{.*}}][] : memref<256xi8> to memref<2x8x4xf32>
// CHECK-NEXT: linalg.generic {{.+}} outs(%[[PANELS]] : memref<2x8x4xf32>)
// CHECK-SAME: quern.panel_pack
func.func @decoded_panel_pack(%codes: memref<32xi8>, %scales: memref<1xf32>, %x: memref<4x8xf32>, %out: memref<2x4x4xf32>, %sink: memref<8x8xf32>) {
  %cst = arith.constant 0.0 : f32
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c4 = arith.constant 4 : index
  %c8 = arith.constant 8 : index
  %c4_i32 = arith.constant 4 : i32
  %c15_i32 = arith.constant 15 : i32
  %early = memref.alloc() {alignment = 64 : i64} : memref<8x8xf32>
  linalg.fill ins(%cst : f32) outs(%early : memref<8x8xf32>)
  memref.copy %early, %sink : memref<8x8xf32> to memref<8x8xf32>
  %packed = memref.alloc() {alignment = 64 : i64} : memref<2x8x4xf32>
  linalg.generic {indexing_maps = [affine_map<(j, k, c) -> (j, k, c)>], iterator_types = ["parallel", "parallel", "parallel"]} outs(%packed : memref<2x8x4xf32>) {
  ^bb0(%o: f32):
    %j = linalg.index 0 : index
    %k = linalg.index 1 : index
    %c = linalg.index 2 : index
    %n0 = arith.muli %j, %c4 : index
    %n = arith.addi %n0, %c : index
    %row = arith.muli %k, %c8 : index
    %at = arith.addi %row, %n : index
    %byte = arith.shrui %at, %c1 : index
    %code = memref.load %codes[%byte] : memref<32xi8>
    %odd = arith.andi %at, %c1 : index
    %odd32 = arith.index_cast %odd : index to i32
    %shift = arith.muli %odd32, %c4_i32 : i32
    %wide = arith.extui %code : i8 to i32
    %nibble = arith.shrui %wide, %shift : i32
    %level = arith.andi %nibble, %c15_i32 : i32
    %levelf = arith.uitofp %level : i32 to f32
    %first = arith.constant 0 : index
    %scale = memref.load %scales[%first] : memref<1xf32>
    %w = arith.mulf %levelf, %scale : f32
    linalg.yield %w : f32
  }
  linalg.fill ins(%cst : f32) outs(%out : memref<2x4x4xf32>)
  linalg.generic {indexing_maps = [affine_map<(j, m, c, k) -> (m, k)>, affine_map<(j, m, c, k) -> (j, k, c)>, affine_map<(j, m, c, k) -> (j, m, c)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%x, %packed : memref<4x8xf32>, memref<2x8x4xf32>) outs(%out : memref<2x4x4xf32>) {
  ^bb0(%a: f32, %b: f32, %s: f32):
    %p = arith.mulf %a, %b : f32
    %t = arith.addf %s, %p : f32
    linalg.yield %t : f32
  }
  return
}

// -----

// An elementwise op writes its result over an input it reads for the last
// time, element for element: %b takes %a's bytes, and %c (the exponential of
// %b) takes them again, so a chain needs one buffer.
// CHECK-LABEL: func.func @in_place_chain
// CHECK-SAME: quern.workspace_bytes = 64 : i64}
// CHECK: %[[OFF_A:.+]] = arith.constant 0 : index
// CHECK-NEXT: %[[A:.+]] = memref.view %{{.+}}[%[[OFF_A]]][] : memref<64xi8> to memref<16xf32>
// CHECK: %[[OFF_B:.+]] = arith.constant 0 : index
// CHECK-NEXT: %[[B:.+]] = memref.view %{{.+}}[%[[OFF_B]]][] : memref<64xi8> to memref<16xf32>
// CHECK-NEXT: linalg.generic {{.+}} ins(%[[A]], %{{.+}} : memref<16xf32>, memref<16xf32>) outs(%[[B]] : memref<16xf32>)
// CHECK: %[[OFF_C:.+]] = arith.constant 0 : index
// CHECK-NEXT: %[[C:.+]] = memref.view %{{.+}}[%[[OFF_C]]][] : memref<64xi8> to memref<16xf32>
#id1 = affine_map<(i) -> (i)>
func.func @in_place_chain(%x: memref<16xf32>, %y: memref<16xf32>, %out: memref<16xf32>) {
  %a = memref.alloc() : memref<16xf32>
  linalg.copy ins(%x : memref<16xf32>) outs(%a : memref<16xf32>)
  %b = memref.alloc() : memref<16xf32>
  linalg.generic {indexing_maps = [#id1, #id1, #id1], iterator_types = ["parallel"]} ins(%a, %y : memref<16xf32>, memref<16xf32>) outs(%b : memref<16xf32>) {
  ^bb0(%p: f32, %q: f32, %o: f32):
    %s = arith.subf %p, %q : f32
    linalg.yield %s : f32
  }
  %c = memref.alloc() : memref<16xf32>
  linalg.generic {indexing_maps = [#id1, #id1], iterator_types = ["parallel"]} ins(%b : memref<16xf32>) outs(%c : memref<16xf32>) {
  ^bb0(%p: f32, %o: f32):
    %e = math.exp %p : f32
    linalg.yield %e : f32
  }
  linalg.copy ins(%c : memref<16xf32>) outs(%out : memref<16xf32>)
  return
}

// -----

// Not in place: %a is read again after the op (a), read at another map than
// the one written (b: a transpose would read elements already written over),
// read by a load in the op's body (c), read through a view (d), loaded from
// outside kernels (f), or has another type (e). Each function needs two
// buffers.
// CHECK-LABEL: func.func @read_later
// CHECK-SAME: quern.workspace_bytes = 128 : i64
func.func @read_later(%x: memref<16xf32>, %out: memref<16xf32>) {
  %a = memref.alloc() : memref<16xf32>
  linalg.copy ins(%x : memref<16xf32>) outs(%a : memref<16xf32>)
  %b = memref.alloc() : memref<16xf32>
  linalg.generic {indexing_maps = [affine_map<(i) -> (i)>, affine_map<(i) -> (i)>], iterator_types = ["parallel"]} ins(%a : memref<16xf32>) outs(%b : memref<16xf32>) {
  ^bb0(%p: f32, %o: f32):
    %e = math.exp %p : f32
    linalg.yield %e : f32
  }
  linalg.copy ins(%b : memref<16xf32>) outs(%out : memref<16xf32>)
  linalg.copy ins(%a : memref<16xf32>) outs(%out : memref<16xf32>)
  return
}
// CHECK-LABEL: func.func @transposed
// CHECK-SAME: quern.workspace_bytes = 128 : i64
func.func @transposed(%x: memref<4x4xf32>, %out: memref<4x4xf32>) {
  %a = memref.alloc() : memref<4x4xf32>
  linalg.copy ins(%x : memref<4x4xf32>) outs(%a : memref<4x4xf32>)
  %b = memref.alloc() : memref<4x4xf32>
  linalg.generic {indexing_maps = [affine_map<(i, j) -> (j, i)>, affine_map<(i, j) -> (i, j)>], iterator_types = ["parallel", "parallel"]} ins(%a : memref<4x4xf32>) outs(%b : memref<4x4xf32>) {
  ^bb0(%p: f32, %o: f32):
    linalg.yield %p : f32
  }
  linalg.copy ins(%b : memref<4x4xf32>) outs(%out : memref<4x4xf32>)
  return
}
// CHECK-LABEL: func.func @loaded_in_body
// CHECK-SAME: quern.workspace_bytes = 128 : i64
func.func @loaded_in_body(%x: memref<16xf32>, %out: memref<16xf32>) {
  %c0 = arith.constant 0 : index
  %a = memref.alloc() : memref<16xf32>
  linalg.copy ins(%x : memref<16xf32>) outs(%a : memref<16xf32>)
  %b = memref.alloc() : memref<16xf32>
  linalg.generic {indexing_maps = [affine_map<(i) -> (i)>, affine_map<(i) -> (i)>], iterator_types = ["parallel"]} ins(%a : memref<16xf32>) outs(%b : memref<16xf32>) {
  ^bb0(%p: f32, %o: f32):
    %first = memref.load %a[%c0] : memref<16xf32>
    %s = arith.addf %p, %first : f32
    linalg.yield %s : f32
  }
  linalg.copy ins(%b : memref<16xf32>) outs(%out : memref<16xf32>)
  return
}
// CHECK-LABEL: func.func @through_view
// CHECK-SAME: quern.workspace_bytes = 128 : i64
func.func @through_view(%x: memref<16xf32>, %out: memref<2x8xf32>) {
  %a = memref.alloc() : memref<16xf32>
  linalg.copy ins(%x : memref<16xf32>) outs(%a : memref<16xf32>)
  %v = memref.expand_shape %a [[0, 1]] output_shape [2, 8] : memref<16xf32> into memref<2x8xf32>
  %b = memref.alloc() : memref<2x8xf32>
  linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>], iterator_types = ["parallel", "parallel"]} ins(%v : memref<2x8xf32>) outs(%b : memref<2x8xf32>) {
  ^bb0(%p: f32, %o: f32):
    %e = math.exp %p : f32
    linalg.yield %e : f32
  }
  linalg.copy ins(%b : memref<2x8xf32>) outs(%out : memref<2x8xf32>)
  return
}
// A scalar loaded from %a outside kernels (f): a GPU's kernels load it
// again where they use it, which may be after the op.
// CHECK-LABEL: func.func @loaded_before
// CHECK-SAME: quern.workspace_bytes = 128 : i64
func.func @loaded_before(%x: memref<16xf32>, %out: memref<16xf32>, %s: memref<f32>) {
  %c0 = arith.constant 0 : index
  %a = memref.alloc() : memref<16xf32>
  linalg.copy ins(%x : memref<16xf32>) outs(%a : memref<16xf32>)
  %first = memref.load %a[%c0] : memref<16xf32>
  memref.store %first, %s[] : memref<f32>
  %b = memref.alloc() : memref<16xf32>
  linalg.generic {indexing_maps = [affine_map<(i) -> (i)>, affine_map<(i) -> (i)>], iterator_types = ["parallel"]} ins(%a : memref<16xf32>) outs(%b : memref<16xf32>) {
  ^bb0(%p: f32, %o: f32):
    %e = math.exp %p : f32
    linalg.yield %e : f32
  }
  linalg.copy ins(%b : memref<16xf32>) outs(%out : memref<16xf32>)
  return
}
// CHECK-LABEL: func.func @other_type
// CHECK-SAME: quern.workspace_bytes = 128 : i64
func.func @other_type(%x: memref<16xf32>, %out: memref<16xi32>) {
  %a = memref.alloc() : memref<16xf32>
  linalg.copy ins(%x : memref<16xf32>) outs(%a : memref<16xf32>)
  %b = memref.alloc() : memref<16xi32>
  linalg.generic {indexing_maps = [affine_map<(i) -> (i)>, affine_map<(i) -> (i)>], iterator_types = ["parallel"]} ins(%a : memref<16xf32>) outs(%b : memref<16xi32>) {
  ^bb0(%p: f32, %o: i32):
    %e = arith.bitcast %p : f32 to i32
    linalg.yield %e : i32
  }
  linalg.copy ins(%b : memref<16xi32>) outs(%out : memref<16xi32>)
  return
}

// -----

// An op that adds onto its output, written before it, does not write the
// output over its input: the two stay apart.
// CHECK-LABEL: func.func @accumulates
// CHECK-SAME: quern.workspace_bytes = 128 : i64
func.func @accumulates(%x: memref<16xf32>, %out: memref<16xf32>) {
  %a = memref.alloc() : memref<16xf32>
  linalg.copy ins(%x : memref<16xf32>) outs(%a : memref<16xf32>)
  %b = memref.alloc() : memref<16xf32>
  linalg.copy ins(%x : memref<16xf32>) outs(%b : memref<16xf32>)
  linalg.generic {indexing_maps = [affine_map<(i) -> (i)>, affine_map<(i) -> (i)>], iterator_types = ["parallel"]} ins(%a : memref<16xf32>) outs(%b : memref<16xf32>) {
  ^bb0(%p: f32, %o: f32):
    %s = arith.addf %p, %o : f32
    linalg.yield %s : f32
  }
  linalg.copy ins(%b : memref<16xf32>) outs(%out : memref<16xf32>)
  return
}
