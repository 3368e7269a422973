// RUN: quern-opt %s --quern-plan-workspace -split-input-file -verify-diagnostics

// The workspace is sized at compile time: buffers whose size or lifetime is
// not known statically cannot be placed in it, and the pass fails.

func.func @dynamic(%n: index) {
  // expected-error @+1 {{'memref.alloc' op cannot be placed in the workspace: only statically shaped buffers can}}
  %a = memref.alloc(%n) : memref<?xf32>
  return
}

// -----

// A buffer of a loop body lives for one iteration; one that the body yields
// to the next iteration (or out of the loop) does not.
func.func @escapes(%lo: index, %hi: index, %step: index, %init: memref<4xf32>) {
  %r = scf.for %i = %lo to %hi step %step iter_args(%x = %init) -> memref<4xf32> {
    // expected-error @+1 {{'memref.alloc' op cannot be placed in the workspace: it outlives its block}}
    %a = memref.alloc() : memref<4xf32>
    scf.yield %a : memref<4xf32>
  }
  return
}

// -----

func.func @strided() {
  // expected-error @+1 {{'memref.alloc' op cannot be placed in the workspace: only statically shaped buffers can}}
  %a = memref.alloc() : memref<4xf32, strided<[2]>>
  return
}

// -----

// A buffer in a parallel loop's body would be one placement for every
// iteration, shared by the threads that run them at once.
func.func @parallel(%out: memref<8x4xf32>) {
  %zero = arith.constant 0.0 : f32
  // expected-error @+1 {{'scf.forall' op has a buffer in its body, which its parallel iterations would share}}
  scf.forall (%i) in (8) {
    %a = memref.alloc() : memref<4xf32>
    linalg.fill ins(%zero : f32) outs(%a : memref<4xf32>)
    %row = memref.subview %out[%i, 0] [1, 4] [1, 1] : memref<8x4xf32> to memref<4xf32, strided<[1], offset: ?>>
    linalg.copy ins(%a : memref<4xf32>) outs(%row : memref<4xf32, strided<[1], offset: ?>>)
  }
  return
}
