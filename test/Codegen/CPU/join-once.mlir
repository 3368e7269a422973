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

// A loop with a reduction keeps its barrier even when it ends its region:
// the combined value is read after the region.
// CHECK-LABEL: func.func @reduction
// CHECK: omp.wsloop reduction(
// CHECK-NOT: nowait
// CHECK: return
omp.declare_reduction @add : f32 init {
^bb0(%unused: f32):
  %zero = llvm.mlir.constant(0.0 : f32) : f32
  omp.yield(%zero : f32)
} combiner {
^bb0(%a: f32, %b: f32):
  %sum = arith.addf %a, %b : f32
  omp.yield(%sum : f32)
}
func.func @reduction(%buffer: memref<64xf32>, %out: memref<f32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c64 = arith.constant 64 : index
  %one = llvm.mlir.constant(1 : i64) : i64
  %zero = arith.constant 0.0 : f32
  %cell = llvm.alloca %one x f32 : (i64) -> !llvm.ptr
  llvm.store %zero, %cell : f32, !llvm.ptr
  omp.parallel {
    omp.wsloop reduction(@add %cell -> %partial : !llvm.ptr) {
      omp.loop_nest (%i) : index = (%c0) to (%c64) step (%c1) {
        %v = memref.load %buffer[%i] : memref<64xf32>
        %acc = llvm.load %partial : !llvm.ptr -> f32
        %s = arith.addf %acc, %v : f32
        llvm.store %s, %partial : f32, !llvm.ptr
        omp.yield
      }
      omp.terminator
    }
    omp.terminator
  }
  %total = llvm.load %cell : !llvm.ptr -> f32
  memref.store %total, %out[] : memref<f32>
  return
}
