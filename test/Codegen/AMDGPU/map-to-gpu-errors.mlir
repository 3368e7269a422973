// RUN: quern-opt %s --pass-pipeline='builtin.module(func.func(quern-map-to-gpu))' -split-input-file -verify-diagnostics

// An allocation outside the workspace would be host memory.
func.func @alloc(%x: memref<4xf32>) {
  // expected-error @below {{'memref.alloc' op outside the workspace has no place on the GPU}}
  %a = memref.alloc() : memref<4xf32>
  return
}

// -----

func.func @reduction(%x: memref<4xf32>) -> f32 {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %zero = arith.constant 0.0 : f32
  // expected-error @below {{'scf.parallel' op with reductions is not mapped to the GPU}}
  %sum = scf.parallel (%i) = (%c0) to (%c4) step (%c1) init (%zero) -> f32 {
    %v = memref.load %x[%i] : memref<4xf32>
    scf.reduce(%v : f32) {
    ^bb0(%a: f32, %b: f32):
      %s = arith.addf %a, %b : f32
      scf.reduce.return %s : f32
    }
  }
  return %sum : f32
}

// -----

// What the GPU computes cannot be returned to the host.
func.func @host_use(%x: memref<4xf32>) -> f32 {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0.0 : f32
  memref.store %zero, %x[%c0] : memref<4xf32>
  %v = memref.load %x[%c0] : memref<4xf32>
  // expected-error @below {{'func.return' op uses a value the GPU computes on the host}}
  return %v : f32
}

// -----

// A scalar read before a kernel writes its buffer cannot be read again by
// a kernel after that.
func.func @stale(%x: memref<4xf32>, %rate: memref<f32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %zero = arith.constant 0.0 : f32
  // expected-error @below {{'memref.load' op is read by a kernel after another kernel may have written it}}
  %r = memref.load %rate[] : memref<f32>
  memref.store %zero, %rate[] : memref<f32>
  scf.parallel (%i) = (%c0) to (%c4) step (%c1) {
    memref.store %r, %x[%i] : memref<4xf32>
    scf.reduce
  }
  return
}

// -----

// Nor by the threads of a kernel that write it: x[i] = x[i] * x[0].
func.func @racing(%x: memref<4xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  // expected-error @below {{'memref.load' op is read by the threads of a kernel that may write it}}
  %first = memref.load %x[%c0] : memref<4xf32>
  scf.parallel (%i) = (%c0) to (%c4) step (%c1) {
    %v = memref.load %x[%i] : memref<4xf32>
    %p = arith.mulf %v, %first : f32
    memref.store %p, %x[%i] : memref<4xf32>
    scf.reduce
  }
  return
}

// -----

// A host function cannot run in a kernel, nor in a loop that becomes one.
func.func private @host(memref<4xf32>)
func.func @call(%x: memref<4xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  scf.for %i = %c0 to %c4 step %c1 {
    // expected-error @below {{'func.call' op calls the host, which a GPU kernel cannot}}
    func.call @host(%x) : (memref<4xf32>) -> ()
  }
  return
}

// -----

// A planned step is one block.
// expected-error @below {{'func.func' op with several blocks is not mapped to the GPU (a planned step has one)}}
func.func @blocks(%x: memref<4xf32>) {
  cf.br ^next
^next:
  return
}
