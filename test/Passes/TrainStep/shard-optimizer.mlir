// RUN: quern-opt %s --quern-make-train-step="optimizer=momentum data-parallel=true bucket-bytes=48 shard-optimizer=3 clip-grad-norm=1" | FileCheck %s
// RUN: quern-opt %s --pass-pipeline='builtin.module(quern-make-train-step{optimizer=sgd data-parallel=true bucket-bytes=48 shard-optimizer=3},convert-quern-to-linalg,canonicalize,cse,func.func(quern-read-only-arguments),one-shot-bufferize{bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map},canonicalize,cse)' | FileCheck %s --check-prefix=CALLS

// The optimizer state sharded over 3 processes: each keeps the state of one
// piece of every parameter, ceil(E/3) elements, 1-D, marked with the
// parameter's shape. w's 12 elements are pieces of 4 at 0, 4, 8; b's 4 are
// pieces of 2 at 0, 2 and 2 (the last moved back to end at 4: it holds the
// same elements as the second).
// CHECK-LABEL: func.func @train_step
// CHECK-SAME: %[[LR:[^:]+]]: tensor<f32> {quern.name = "lr"}
// CHECK-SAME: %[[W:[^:]+]]: tensor<3x4xf32> {bufferization.writable = true, quern.param = {name = "w", trainable = true}}
// CHECK-SAME: %[[B:[^:]+]]: tensor<4xf32> {bufferization.writable = true, quern.param = {name = "b", trainable = true}}
// CHECK-SAME: %[[WBUF:[^:]+]]: tensor<4xf32> {bufferization.writable = true, quern.shard = {processes = 3 : i64, shape = array<i64: 3, 4>}, quern.state = {name = "w.momentum_buffer", role = "optimizer"}}
// CHECK-SAME: %[[BBUF:[^:]+]]: tensor<2xf32> {bufferization.writable = true, quern.shard = {processes = 3 : i64, shape = array<i64: 4>}, quern.state = {name = "b.momentum_buffer", role = "optimizer"}}
// CHECK-SAME: %{{[^:]+}}: tensor<i64> {bufferization.writable = true, quern.state = {name = "step", role = "optimizer"}})
// CHECK-NEXT: %[[RANK:.+]] = quern.process_rank : index

// Each bucket is one chunk per process, the pieces it updates, packed and
// reduce-scattered as soon as its last gradient is computed.
// CHECK: %[[DW:.+]] = quern.matmul %{{.+}} transpose_lhs
// CHECK-NEXT: %[[FLAT_DW:.+]] = quern.reshape %[[DW]] : tensor<3x4xf32> -> tensor<12xf32>
// CHECK-NEXT: %[[P0:.+]] = tensor.extract_slice %[[FLAT_DW]][0] [4] [1]
// CHECK-NEXT: %[[P1:.+]] = tensor.extract_slice %[[FLAT_DW]][4] [4] [1]
// CHECK-NEXT: %[[P2:.+]] = tensor.extract_slice %[[FLAT_DW]][8] [4] [1]
// CHECK-NEXT: %[[SCATTER0:.+]] = quern.collective_start reduce_scatter %[[P0]], %[[P1]], %[[P2]] bucket = 0 over 3 : tensor<4xf32>, tensor<4xf32>, tensor<4xf32> -> tensor<12xf32>
// CHECK: %[[DB:.+]] = quern.reshape %{{.+}} : tensor<1x4xf32> -> tensor<4xf32>
// CHECK-NEXT: %[[B0:.+]] = tensor.extract_slice %[[DB]][0] [2] [1]
// CHECK-NEXT: %[[B1:.+]] = tensor.extract_slice %[[DB]][2] [2] [1]
// CHECK-NEXT: %[[B2:.+]] = tensor.extract_slice %[[DB]][2] [2] [1]
// CHECK-NEXT: %[[SCATTER1:.+]] = quern.collective_start reduce_scatter %[[B0]], %[[B1]], %[[B2]] bucket = 1 over 3 : tensor<2xf32>, tensor<2xf32>, tensor<2xf32> -> tensor<6xf32>
// CHECK-NEXT: %[[MINE0:.+]] = quern.collective_wait reduce_scatter %[[SCATTER0]] bucket = 0 over 3 : tensor<12xf32>
// CHECK-NEXT: %[[GW:.+]] = tensor.extract_slice %[[MINE0]][0] [4] [1]
// CHECK-NEXT: %[[MINE1:.+]] = quern.collective_wait reduce_scatter %[[SCATTER1]] bucket = 1 over 3 : tensor<6xf32>
// CHECK-NEXT: %[[GB:.+]] = tensor.extract_slice %[[MINE1]][0] [2] [1]

// Clipping: the squares of the pieces, less those of the elements an
// earlier piece holds too (b's on the last process: the row of the weights
// its rank picks), summed over the processes (the mean, times 3).
// CHECK: %[[LOCAL:.+]] = quern.add
// CHECK-NEXT: %[[TABLE:.+]] = quern.constant dense<{{\[}}[0.000000e+00, 0.000000e+00], [0.000000e+00, 0.000000e+00], [1.000000e+00, 1.000000e+00]]> : tensor<3x2xf32>
// CHECK-NEXT: %[[ROW:.+]] = tensor.extract_slice %[[TABLE]][%[[RANK]], 0] [1, 2] [1, 1] : tensor<3x2xf32> to tensor<2xf32>
// CHECK: %[[SHARED:.+]] = quern.reduce_sum
// CHECK-NEXT: %[[OWNED:.+]] = quern.sub %[[LOCAL]], %[[SHARED]] : tensor<f32>
// CHECK-NEXT: %[[ONE:.+]] = quern.reshape %[[OWNED]] : tensor<f32> -> tensor<1xf32>
// CHECK-NEXT: %[[SUM:.+]] = quern.collective_start all_reduce %[[ONE]] bucket = 2 : tensor<1xf32>
// CHECK-NEXT: quern.collective_wait all_reduce %[[SUM]] bucket = 2 : tensor<1xf32>
// CHECK: quern.constant dense<3.000000e+00> : tensor<f32>
// CHECK: quern.sqrt

// Each process updates its piece, read at min(rank * 4, 8), and gathers
// it, started before the next bucket's update.
// CHECK: %[[AT:.+]] = arith.muli %[[RANK]], %{{.+}} : index
// CHECK: %[[START:.+]] = arith.minsi %[[AT]], %{{.+}} : index
// CHECK-NEXT: %[[FLAT_W:.+]] = quern.reshape %[[W]] : tensor<3x4xf32> -> tensor<12xf32>
// CHECK-NEXT: %[[PIECE:.+]] = tensor.extract_slice %[[FLAT_W]][%[[START]]] [4] [1] : tensor<12xf32> to tensor<4xf32>
// CHECK-NEXT: %[[NEW_W:.+]], %[[NEW_WBUF:.+]] = quern.sgd_update %[[PIECE]], %{{.+}}, %[[LR]] buffer(%[[WBUF]] : tensor<4xf32>)
// CHECK-NEXT: %[[PENDING0:.+]] = quern.collective_start all_gather %[[NEW_W]] bucket = 3 over 3 : tensor<4xf32> -> tensor<12xf32>
// CHECK: quern.sgd_update %{{.+}}, %{{.+}}, %[[LR]] buffer(%[[BBUF]] : tensor<2xf32>)
// CHECK-NEXT: %[[PENDING1:.+]] = quern.collective_start all_gather %{{.+}} bucket = 4 over 3 : tensor<2xf32> -> tensor<6xf32>

// The whole parameters from every process's pieces, in rank order: the
// pieces that start at rank * C in one slice of the rows, and where a
// later piece was moved back, its value.
// CHECK-NEXT: %[[ALL0:.+]] = quern.collective_wait all_gather %[[PENDING0]] bucket = 3 over 3 : tensor<12xf32>
// CHECK-NEXT: %[[ROWS0:.+]] = quern.reshape %[[ALL0]] : tensor<12xf32> -> tensor<3x4xf32>
// CHECK-NEXT: tensor.extract_slice %[[ROWS0]][0, 0] [3, 4] [1, 1]
// CHECK: %[[ALL1:.+]] = quern.collective_wait all_gather %[[PENDING1]] bucket = 4 over 3 : tensor<6xf32>
// CHECK-NEXT: %[[ROWS1:.+]] = quern.reshape %[[ALL1]] : tensor<6xf32> -> tensor<3x2xf32>
// CHECK-NEXT: %[[FIRST2:.+]] = tensor.extract_slice %[[ROWS1]][0, 0] [2, 2] [1, 1]
// CHECK-NEXT: %[[FLAT2:.+]] = quern.reshape %[[FIRST2]] : tensor<2x2xf32> -> tensor<4xf32>
// CHECK-NEXT: %[[EMPTY:.+]] = tensor.empty() : tensor<4xf32>
// CHECK-NEXT: %[[HEAD:.+]] = tensor.insert_slice %[[FLAT2]] into %[[EMPTY]][0] [4] [1]
// CHECK-NEXT: %[[LAST:.+]] = tensor.extract_slice %[[ROWS1]][2, 0] [1, 2] [1, 1]
// CHECK-NEXT: %[[LAST_FLAT:.+]] = quern.reshape %[[LAST]] : tensor<1x2xf32> -> tensor<2xf32>
// CHECK-NEXT: %[[B2:.+]] = tensor.insert_slice %[[LAST_FLAT]] into %[[HEAD]][2] [2] [1]
// CHECK: return %{{.+}}, %{{.+}}, %[[NEW_WBUF]], %[[B2]],

// Lowered, the rank is a call of the library's quern_process_rank, and the
// collectives pass their kind (1 reduce_scatter, 2 all_gather); each
// reduce-scatter packs its pieces into a buffer of its own.
// CALLS-DAG: func.func private @quern_process_rank() -> i64
// CALLS-LABEL: func.func @train_step
// CALLS-DAG: %[[KIND1:.+]] = arith.constant 1 : i64
// CALLS-DAG: %[[KIND2:.+]] = arith.constant 2 : i64
// CALLS: call @quern_process_rank() : () -> i64
// CALLS: %[[BUCKET:.+]] = memref.alloc() {{.*}}: memref<12xf32>
// CALLS-COUNT-3: memref.copy
// CALLS: call @quern_collective_start(%{{.+}}, %[[KIND1]], %{{.+}}, %{{.+}})
// CALLS: call @quern_collective_start(%{{.+}}, %[[KIND2]], %{{.+}}, %{{.+}})
// CALLS: call @quern_collective_wait(%{{.+}}, %[[KIND2]], %{{.+}}, %{{.+}})

func.func @forward(%x: tensor<2x3xf32> {quern.name = "x"},
                   %w: tensor<3x4xf32> {quern.param = {name = "w", trainable = true}},
                   %b: tensor<4xf32> {quern.param = {name = "b", trainable = true}},
                   %f: tensor<4xf32> {quern.param = {name = "f", trainable = false}})
    -> (tensor<f32> {quern.name = "loss"}) {
  %0 = quern.matmul %x, %w bias(%b : tensor<4xf32>) : tensor<2x3xf32>, tensor<3x4xf32> -> tensor<2x4xf32>
  %1 = quern.tanh %0 : tensor<2x4xf32>
  %2 = quern.broadcast %f : tensor<4xf32> -> tensor<2x4xf32>
  %3 = quern.mul %1, %2 : tensor<2x4xf32>
  %4 = quern.reduce_sum %3 axes = [0, 1] : tensor<2x4xf32> -> tensor<f32>
  return %4 : tensor<f32>
}
