// RUN: quern-opt %s -split-input-file --quern-read-only-arguments | FileCheck %s --check-prefix=READ-ONLY
// RUN: quern-opt %s -split-input-file --quern-write-back-updates | FileCheck %s --check-prefix=WRITE-BACK

// Before bufferization, every argument the training step does not update
// is read-only: bufferization then never writes into the caller's buffer.
// READ-ONLY-LABEL: func.func @read_only
// READ-ONLY-SAME: %{{.+}}: tensor<4xf32> {bufferization.writable = true}, %{{.+}}: tensor<4xf32> {bufferization.writable = false})
func.func @read_only(%p: tensor<4xf32> {bufferization.writable = true}, %g: tensor<4xf32>) -> tensor<4xf32> {
  return %g : tensor<4xf32>
}

// -----

// After bufferization, a result marked quern.updates = N is copied into
// argument N's buffer and is no longer a result.
// WRITE-BACK-LABEL: func.func @step
// WRITE-BACK-SAME: -> memref<f32>
// WRITE-BACK: %[[LOSS:.+]] = memref.alloc() : memref<f32>
// WRITE-BACK: %[[NEW:.+]] = memref.alloc() : memref<4xf32>
// WRITE-BACK: linalg.copy ins(%[[NEW]] : memref<4xf32>) outs(%arg0 : memref<4xf32>)
// WRITE-BACK-NEXT: return %[[LOSS]] : memref<f32>
func.func @step(%p: memref<4xf32> {bufferization.writable = true}, %g: memref<4xf32>) -> (memref<f32>, memref<4xf32> {quern.updates = 0 : i64}) {
  %loss = memref.alloc() : memref<f32>
  %new = memref.alloc() : memref<4xf32>
  return %loss, %new : memref<f32>, memref<4xf32>
}

// -----

// An update that already is the argument's buffer needs no copy.
// WRITE-BACK-LABEL: func.func @in_place
// WRITE-BACK-SAME: -> memref<f32>
// WRITE-BACK-NOT: linalg.copy
// WRITE-BACK: return %{{.+}} : memref<f32>
func.func @in_place(%p: memref<4xf32> {bufferization.writable = true}) -> (memref<f32>, memref<4xf32> {quern.updates = 0 : i64}) {
  %loss = memref.alloc() : memref<f32>
  return %loss, %p : memref<f32>, memref<4xf32>
}
