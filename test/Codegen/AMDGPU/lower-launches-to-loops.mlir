// RUN: quern-opt %s --pass-pipeline='builtin.module(func.func(quern-lower-launches-to-loops))' -split-input-file -verify-diagnostics | FileCheck %s
// RUN: quern-opt %s --pass-pipeline='builtin.module(func.func(quern-lower-launches-to-loops{reversed=true}))' -split-input-file -verify-diagnostics | FileCheck %s --check-prefix=REVERSED

// A launch becomes loops over the workgroups (z, y, x) and then over their
// threads (z, y, x); the ids are the loops' variables, the sizes the
// launch's.

// CHECK-LABEL: func.func @launch
// CHECK-SAME: (%[[OUT:.+]]: memref<64xindex>, %[[GROUPS:.+]]: index)
// CHECK: scf.for %{{.+}} = %{{.+}} to %[[ONE:.+]] step
// CHECK-NEXT: scf.for %{{.+}} = %{{.+}} to %[[ONE]] step
// CHECK-NEXT: scf.for %[[W:.+]] = %{{.+}} to %[[GROUPS]] step
// CHECK-NEXT: scf.for %{{.+}} = %{{.+}} to %[[ONE]] step
// CHECK-NEXT: scf.for %{{.+}} = %{{.+}} to %[[ONE]] step
// CHECK-NEXT: scf.for %[[T:.+]] = %{{.+}} to %[[SIXTEEN:.+]] step
// CHECK-NEXT: %[[FIRST:.+]] = arith.muli %[[W]], %[[SIXTEEN]] : index
// CHECK-NEXT: %[[N:.+]] = arith.addi %[[FIRST]], %[[T]] : index
// CHECK-NEXT: memref.store %[[GROUPS]], %[[OUT]][%[[N]]]
// CHECK-NOT: gpu.

// Reversed, each loop counts down: the workgroup is groups - 1 - w, the
// thread 15 - t.
// REVERSED-LABEL: func.func @launch
// REVERSED-SAME: (%[[OUT:.+]]: memref<64xindex>, %[[GROUPS:.+]]: index)
// REVERSED: scf.for %[[W:.+]] = %{{.+}} to %[[GROUPS]] step
// REVERSED-NEXT: %[[LAST:.+]] = arith.subi %[[GROUPS]], %{{.+}} : index
// REVERSED-NEXT: %[[GROUP:.+]] = arith.subi %[[LAST]], %[[W]] : index
// REVERSED: scf.for %[[T:.+]] = %{{.+}} to %[[SIXTEEN:c16]] step
// REVERSED-NEXT: %[[LASTT:.+]] = arith.subi %[[SIXTEEN]], %{{.+}} : index
// REVERSED-NEXT: %[[THREAD:.+]] = arith.subi %[[LASTT]], %[[T]] : index
// REVERSED-NEXT: %[[FIRST:.+]] = arith.muli %[[GROUP]], %[[SIXTEEN]] : index
// REVERSED-NEXT: %[[N:.+]] = arith.addi %[[FIRST]], %[[THREAD]] : index
// REVERSED-NEXT: memref.store %[[GROUPS]], %[[OUT]][%[[N]]]
func.func @launch(%out: memref<64xindex>, %groups: index) {
  %c1 = arith.constant 1 : index
  %c16 = arith.constant 16 : index
  gpu.launch blocks(%w, %wy, %wz) in (%gx = %groups, %gy = %c1, %gz = %c1)
             threads(%t, %ty, %tz) in (%bx = %c16, %by = %c1, %bz = %c1) {
    %first = arith.muli %w, %bx : index
    %n = arith.addi %first, %t : index
    memref.store %gx, %out[%n] : memref<64xindex>
    gpu.terminator
  }
  return
}

// -----

// Workgroup memory is shared by threads that would run one after another.
func.func @shared() {
  %c1 = arith.constant 1 : index
  %bytes = arith.constant 64 : i32
  // expected-error @below {{'gpu.launch' op with several blocks, an async token or shared memory is not run on the host}}
  gpu.launch blocks(%w, %wy, %wz) in (%gx = %c1, %gy = %c1, %gz = %c1)
             threads(%t, %ty, %tz) in (%bx = %c1, %by = %c1, %bz = %c1)
             dynamic_shared_memory_size %bytes {
    gpu.terminator
  }
  return
}

// -----

// Threads that wait for each other cannot run one after another.
func.func @barrier() {
  %c1 = arith.constant 1 : index
  gpu.launch blocks(%w, %wy, %wz) in (%gx = %c1, %gy = %c1, %gz = %c1)
             threads(%t, %ty, %tz) in (%bx = %c1, %by = %c1, %bz = %c1) {
    // expected-error @below {{'gpu.barrier' op synchronises threads that the host runs one after another}}
    gpu.barrier
    gpu.terminator
  }
  return
}
