// RUN: quern-opt %s --quern-inline-loop-scopes --split-input-file | FileCheck %s

// A parallel loop body that allocates nothing on the stack itself (a
// grouped product's tile: a branch around a kernel call) leaves its scope.
// CHECK-LABEL: func.func @tiles(
// CHECK: omp.loop_nest (%[[T:.+]]) : index
// CHECK-NOT: memref.alloca_scope
// CHECK: scf.if
// CHECK-NEXT: func.call @tile(%[[T]])
// CHECK: omp.yield
func.func private @tile(index)
func.func @tiles(%used: i1) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c40 = arith.constant 40 : index
  omp.parallel {
    omp.wsloop {
      omp.loop_nest (%t) : index = (%c0) to (%c40) step (%c1) {
        memref.alloca_scope {
          scf.if %used {
            func.call @tile(%t) : (index) -> ()
          }
        }
        omp.yield
      }
      omp.terminator
    }
    omp.terminator
  }
  return
}

// -----

// A body that allocates on the stack keeps its scope: each iteration frees
// what it allocated.
// CHECK-LABEL: func.func @allocates(
// CHECK: memref.alloca_scope
// CHECK-NEXT: memref.alloca
func.func private @use(memref<16xf32>)
func.func @allocates() {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c40 = arith.constant 40 : index
  omp.parallel {
    omp.wsloop {
      omp.loop_nest (%t) : index = (%c0) to (%c40) step (%c1) {
        memref.alloca_scope {
          %buffer = memref.alloca() : memref<16xf32>
          func.call @use(%buffer) : (memref<16xf32>) -> ()
        }
        omp.yield
      }
      omp.terminator
    }
    omp.terminator
  }
  return
}
