// RUN: quern-opt %s --quern-join-once | FileCheck %s

// A worksharing loop that is all its parallel region does needs no barrier
// of its own: the region's end joins the threads.
// CHECK-LABEL: func.func @kernel
// CHECK: omp.parallel
// CHECK-NEXT: omp.wsloop nowait
func.func @kernel(%buffer: memref<64xf32>, %value: f32) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c64 = arith.constant 64 : index
  omp.parallel {
    omp.wsloop {
      omp.loop_nest (%i) : index = (%c0) to (%c64) step (%c1) {
        memref.store %value, %buffer[%i] : memref<64xf32>
        omp.yield
      }
      omp.terminator
    }
    omp.terminator
  }
  return
}

// Ops after the loop in the region run after every thread's share of it:
// the loop keeps its barrier.
// CHECK-LABEL: func.func @loop_then_more
// CHECK: omp.wsloop {
// CHECK: return
func.func @loop_then_more(%buffer: memref<64xf32>, %value: f32) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c64 = arith.constant 64 : index
  omp.parallel {
    omp.wsloop {
      omp.loop_nest (%i) : index = (%c0) to (%c64) step (%c1) {
        memref.store %value, %buffer[%i] : memref<64xf32>
        omp.yield
      }
      omp.terminator
    }
    %first = memref.load %buffer[%c0] : memref<64xf32>
    memref.store %first, %buffer[%c1] : memref<64xf32>
    omp.terminator
  }
  return
}
