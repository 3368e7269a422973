// RUN: quern-opt %s --pass-pipeline='builtin.module(func.func(quern-map-to-gpu{workgroup-size=64}))' -split-input-file | FileCheck %s

// A parallel loop is one launch: its 4 x 100 iterations numbered with the
// last dimension fastest, 64 per workgroup (7 workgroups, the last one
// partly idle), each thread its iteration's indices.

// CHECK-LABEL: func.func @parallel
// CHECK: gpu.launch blocks(%[[W:.+]], %{{.+}}, %{{.+}}) in (%{{.+}} = %[[GROUPS:.+]], %{{.+}} = %[[ONE:.+]], %{{.+}} = %[[ONE]]) threads(%[[T:.+]], %{{.+}}, %{{.+}}) in (%[[SIZE:.+]] = %[[C64:.+]], %{{.+}} = %[[ONE]], %{{.+}} = %[[ONE]])
// CHECK: %[[FIRST:.+]] = arith.muli %[[W]], %[[SIZE]]
// CHECK: %[[N:.+]] = arith.addi %[[FIRST]], %[[T]]
// CHECK: %[[IN:.+]] = arith.cmpi ult, %[[N]], %[[TOTAL:.+]] : index
// CHECK: scf.if %[[IN]] {
// CHECK:   %[[J:.+]] = arith.remui %[[N]], %[[TRIPS:.+]] : index
// CHECK:   %[[I:.+]] = arith.divui %[[N]], %[[TRIPS]] : index
// CHECK:   %[[X:.+]] = memref.load %{{.+}}[%{{.+}}, %{{.+}}] : memref<4x100xf32>
// CHECK:   memref.store %[[X]], %{{.+}}[%{{.+}}, %{{.+}}] : memref<4x100xf32>
// CHECK: }
// CHECK: gpu.terminator
// CHECK-NOT: scf.parallel
func.func @parallel(%a: memref<4x100xf32>, %b: memref<4x100xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c100 = arith.constant 100 : index
  scf.parallel (%i, %j) = (%c0, %c0) to (%c4, %c100) step (%c1, %c1) {
    %x = memref.load %a[%i, %j] : memref<4x100xf32>
    memref.store %x, %b[%i, %j] : memref<4x100xf32>
    scf.reduce
  }
  return
}

// -----

// The scalar code of a sum into a 0-d buffer runs in order on one thread:
// one launch of one workgroup of one thread, after the view the host
// computes. What reads the sum back (the loss divided by a count) is a
// scalar: a second such launch reads it once the first has written it.

// CHECK-LABEL: func.func @serial
// CHECK: %[[SUM:.+]] = memref.view
// CHECK: %[[ONE:.+]] = arith.constant 1 : index
// CHECK: gpu.launch blocks({{.+}}) in ({{.+}} = %[[ONE]], {{.+}} = %[[ONE]], {{.+}} = %[[ONE]]) threads({{.+}}) in ({{.+}} = %[[ONE]], {{.+}} = %[[ONE]], {{.+}} = %[[ONE]])
// CHECK-NEXT: memref.store %{{.+}}, %[[SUM]][]
// CHECK-NEXT: scf.for
// CHECK: gpu.terminator
// CHECK: gpu.launch
// CHECK-NEXT: %[[TOTAL:.+]] = memref.load %[[SUM]][]
// CHECK-NEXT: %[[MEAN:.+]] = arith.divf %[[TOTAL]]
// CHECK-NEXT: memref.store %[[MEAN]], %{{.+}}[]
// CHECK-NEXT: gpu.terminator
func.func @serial(%x: memref<8xf32>, %workspace: memref<64xi8>, %loss: memref<f32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %zero = arith.constant 0.0 : f32
  %count = arith.constant 8.0 : f32
  %sum = memref.view %workspace[%c0][] : memref<64xi8> to memref<f32>
  memref.store %zero, %sum[] : memref<f32>
  scf.for %i = %c0 to %c8 step %c1 {
    %v = memref.load %x[%i] : memref<8xf32>
    %s = memref.load %sum[] : memref<f32>
    %t = arith.addf %v, %s : f32
    memref.store %t, %sum[] : memref<f32>
  }
  %total = memref.load %sum[] : memref<f32>
  %mean = arith.divf %total, %count : f32
  memref.store %mean, %loss[] : memref<f32>
  return
}

// -----

// A scalar the host would read for the kernels after it (a learning rate,
// a bias correction computed from the step count) is read and computed by
// each kernel that uses it; the host reads nothing. The step count's
// update comes after every read.

// CHECK-LABEL: func.func @scalars
// CHECK-NOT: memref.load
// CHECK: gpu.launch
// CHECK: %[[RATE:.+]] = memref.load %arg1[] : memref<f32>
// CHECK: %[[STEP:.+]] = memref.load %arg2[] : memref<i64>
// CHECK: %[[NEXT:.+]] = arith.addi %[[STEP]]
// CHECK: %[[SCALE:.+]] = arith.sitofp %[[NEXT]]
// CHECK: scf.if
// CHECK: arith.mulf %{{.+}}, %[[RATE]]
// CHECK: arith.mulf %{{.+}}, %[[SCALE]]
// CHECK: gpu.terminator
// CHECK: gpu.launch
// CHECK: memref.load %arg2[] : memref<i64>
// CHECK: arith.addi
// CHECK: memref.store %{{.+}}, %arg2[] : memref<i64>
func.func @scalars(%p: memref<16xf32>, %rate: memref<f32>, %step: memref<i64>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c16 = arith.constant 16 : index
  %one = arith.constant 1 : i64
  %r = memref.load %rate[] : memref<f32>
  %t = memref.load %step[] : memref<i64>
  %next = arith.addi %t, %one : i64
  %scale = arith.sitofp %next : i64 to f32
  scf.parallel (%i) = (%c0) to (%c16) step (%c1) {
    %x = memref.load %p[%i] : memref<16xf32>
    %y = arith.mulf %x, %r : f32
    %z = arith.mulf %y, %scale : f32
    memref.store %z, %p[%i] : memref<16xf32>
    scf.reduce
  }
  %u = memref.load %step[] : memref<i64>
  %v = arith.addi %u, %one : i64
  memref.store %v, %step[] : memref<i64>
  return
}

// -----

// A constant a kernel reads is read from the kernel's own copy of its
// global (gpu-kernel-outlining clones the global into the kernel module).

memref.global "private" constant @table : memref<4xf32> = dense<[1.0, 2.0, 3.0, 4.0]>

// CHECK-LABEL: func.func @global
// CHECK: gpu.launch
// CHECK: %[[TABLE:.+]] = memref.get_global @table
// CHECK: memref.load %[[TABLE]]
func.func @global(%out: memref<4xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %table = memref.get_global @table : memref<4xf32>
  scf.parallel (%i) = (%c0) to (%c4) step (%c1) {
    %x = memref.load %table[%i] : memref<4xf32>
    memref.store %x, %out[%i] : memref<4xf32>
    scf.reduce
  }
  return
}

// -----

// A scatter-add's loop nest: rows may collide (two tokens of one word), so
// they stay in order, but every access to the written buffer is at the
// column loop's variable, so the columns run on threads of their own, each
// summing its rows in order.

// CHECK-LABEL: func.func @scatter
// CHECK: gpu.launch blocks({{.+}}) in ({{.+}}) threads(%{{.+}}, %{{.+}}, %{{.+}}) in (%{{.+}} = %c64,
// CHECK: scf.if
// CHECK: scf.for %[[ROW:.+]] = %{{.+}} to %c8 step
// CHECK: %[[WORD:.+]] = memref.load %{{.+}}[%[[ROW]], %[[COLUMN:.+]]] : memref<8x16xindex>
// CHECK: memref.load %[[OUT:.+]][%[[WORD]], %[[COLUMN]]] : memref<4x16xf32>
// CHECK: memref.store %{{.+}}, %[[OUT]][%[[WORD]], %[[COLUMN]]] : memref<4x16xf32>
func.func @scatter(%words: memref<8x16xindex>, %grad: memref<8x16xf32>, %out: memref<4x16xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %c16 = arith.constant 16 : index
  scf.for %i = %c0 to %c8 step %c1 {
    scf.for %j = %c0 to %c16 step %c1 {
      %w = memref.load %words[%i, %j] : memref<8x16xindex>
      %g = memref.load %grad[%i, %j] : memref<8x16xf32>
      %o = memref.load %out[%w, %j] : memref<4x16xf32>
      %s = arith.addf %o, %g : f32
      memref.store %s, %out[%w, %j] : memref<4x16xf32>
    }
  }
  return
}

// -----

// A scatter into one column: every row's update may hit the same element,
// and no loop touches disjoint elements, so the nest runs on one thread.

// CHECK-LABEL: func.func @one_column
// CHECK: gpu.launch blocks({{.+}}) in ({{.+}}) threads(%{{.+}}, %{{.+}}, %{{.+}}) in (%{{.+}} = %c1{{(_[0-9]+)?}},
// CHECK-NEXT: scf.for
// CHECK-NEXT: scf.for
func.func @one_column(%words: memref<8x16xindex>, %grad: memref<8x16xf32>, %out: memref<4x16xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %c16 = arith.constant 16 : index
  scf.for %i = %c0 to %c8 step %c1 {
    scf.for %j = %c0 to %c16 step %c1 {
      %w = memref.load %words[%i, %j] : memref<8x16xindex>
      %g = memref.load %grad[%i, %j] : memref<8x16xf32>
      %o = memref.load %out[%w, %c0] : memref<4x16xf32>
      %s = arith.addf %o, %g : f32
      memref.store %s, %out[%w, %c0] : memref<4x16xf32>
    }
  }
  return
}

// -----

// Views of one workspace: the buffer written and the one read are planned
// apart (bytes 0-255 and 256-511), so the columns are independent; when
// they may overlap, the nest runs on one thread.

// CHECK-LABEL: func.func @planned_views
// CHECK: gpu.launch blocks({{.+}}) in ({{.+}}) threads(%{{.+}}, %{{.+}}, %{{.+}}) in (%{{.+}} = %c64
// CHECK-LABEL: func.func @overlapping_views
// CHECK: gpu.launch blocks({{.+}}) in ({{.+}}) threads(%{{.+}}, %{{.+}}, %{{.+}}) in (%{{.+}} = %c1{{(_[0-9]+)?}},
func.func @planned_views(%workspace: memref<512xi8>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c16 = arith.constant 16 : index
  %c256 = arith.constant 256 : index
  %out = memref.view %workspace[%c0][] : memref<512xi8> to memref<4x16xf32>
  %in = memref.view %workspace[%c256][] : memref<512xi8> to memref<4x16xf32>
  scf.for %i = %c0 to %c4 step %c1 {
    scf.for %j = %c0 to %c16 step %c1 {
      %x = memref.load %in[%i, %j] : memref<4x16xf32>
      %o = memref.load %out[%c0, %j] : memref<4x16xf32>
      %s = arith.addf %o, %x : f32
      memref.store %s, %out[%c0, %j] : memref<4x16xf32>
    }
  }
  return
}
func.func @overlapping_views(%workspace: memref<512xi8>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c16 = arith.constant 16 : index
  %c128 = arith.constant 128 : index
  %out = memref.view %workspace[%c0][] : memref<512xi8> to memref<4x16xf32>
  %in = memref.view %workspace[%c128][] : memref<512xi8> to memref<4x16xf32>
  scf.for %i = %c0 to %c4 step %c1 {
    scf.for %j = %c0 to %c16 step %c1 {
      %x = memref.load %in[%i, %j] : memref<4x16xf32>
      %o = memref.load %out[%c0, %j] : memref<4x16xf32>
      %s = arith.addf %o, %x : f32
      memref.store %s, %out[%c0, %j] : memref<4x16xf32>
    }
  }
  return
}
