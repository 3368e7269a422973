// RUN: quern-opt %s --quern-plan-workspace -split-input-file -verify-diagnostics

// The workspace is sized at compile time: buffers whose size or lifetime is
// not known statically cannot be placed in it, and the pass fails.

func.func @dynamic(%n: index) {
  // expected-error @+1 {{'memref.alloc' op cannot be placed in the workspace: only statically shaped buffers in the entry block can}}
  %a = memref.alloc(%n) : memref<?xf32>
  return
}

// -----

func.func @nested(%lo: index, %hi: index, %step: index) {
  scf.for %i = %lo to %hi step %step {
    // expected-error @+1 {{'memref.alloc' op cannot be placed in the workspace: only statically shaped buffers in the entry block can}}
    %a = memref.alloc() : memref<4xf32>
  }
  return
}

// -----

func.func @strided() {
  // expected-error @+1 {{'memref.alloc' op cannot be placed in the workspace: only statically shaped buffers in the entry block can}}
  %a = memref.alloc() : memref<4xf32, strided<[2]>>
  return
}
