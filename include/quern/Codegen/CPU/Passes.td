//===- Passes.td - Quern CPU codegen passes ----------------*- tablegen -*-===//

#ifndef QUERN_CODEGEN_CPU_PASSES_TD
#define QUERN_CODEGEN_CPU_PASSES_TD

include "mlir/Pass/PassBase.td"

def CopyReturnedArgumentsPass
    : Pass<"quern-copy-returned-arguments", "mlir::func::FuncOp"> {
  let summary = "Give every function result a buffer of its own";
  let description = [{
    Runs after bufferization, before results become out-parameters. A result
    that is a function argument, or that is returned twice, is copied into a
    new buffer, so that every result can be computed straight into the
    caller's output buffer (ONNX graphs may pass an input through unchanged:
    Identity, a one-input Max, inference-mode Dropout).

    Before:
    ```mlir
    func.func @f(%x: memref<4xf32>) -> memref<4xf32> {
      return %x : memref<4xf32>
    }
    ```
    After:
    ```mlir
    func.func @f(%x: memref<4xf32>) -> memref<4xf32> {
      %copy = memref.alloc() {alignment = 64 : i64} : memref<4xf32>
      linalg.copy ins(%x : memref<4xf32>) outs(%copy : memref<4xf32>)
      return %copy : memref<4xf32>
    }
    ```
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect",
                           "mlir::memref::MemRefDialect"];
}

def ReadOnlyArgumentsPass
    : Pass<"quern-read-only-arguments", "mlir::func::FuncOp"> {
  let summary = "Make arguments read-only for bufferization unless updated";
  let description = [{
    One-shot bufferization may write into function arguments unless told
    otherwise; the inputs and parameters of a compiled model belong to the
    caller. Every argument without a `bufferization.writable` attribute gets
    `bufferization.writable = false`, so an op that would update it in place
    (a scatter into an input) works on a copy. Arguments a training step
    updates are already marked writable.
  }];
}

def WriteBackUpdatesPass
    : Pass<"quern-write-back-updates", "mlir::func::FuncOp"> {
  let summary = "Turn updated arguments' results into in-place writes";
  let description = [{
    Runs after bufferization. A result marked `quern.updates = N` is the new
    value of argument N (a training step's parameter, optimizer state or
    step counter). Where bufferization wrote it into the argument's own
    buffer, the function returns the argument itself and the result is just
    dropped; otherwise (the step counter, computed into a fresh buffer) the
    value is copied into argument N. Either way it stops being a result, so
    the ABI has no outputs for updates.

    Before:
    ```mlir
    func.func @f(%step: memref<i64>) -> (memref<i64> {quern.updates = 0}) {
      ...
      return %next : memref<i64>
    }
    ```
    After:
    ```mlir
    func.func @f(%step: memref<i64>) {
      ...
      linalg.copy ins(%next : memref<i64>) outs(%step : memref<i64>)
      return
    }
    ```
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect"];
}

def FlattenEmptyArgumentsPass
    : Pass<"quern-flatten-empty-arguments", "mlir::func::FuncOp"> {
  let summary = "Pass zero-element buffers as memref<0xT>";
  let description = [{
    MLIR's bare-pointer calling convention cannot lower a memref argument
    whose shape has a zero extent in a higher dimension (`memref<3x0x5xf32>`),
    yet ONNX models may take or produce such empty tensors. Each such
    argument becomes `memref<0xT>` and is reinterpreted to its old type in the
    body; no element is ever read or written.

    Before:
    ```mlir
    func.func @f(%x: memref<3x0x5xf32>)
    ```
    After:
    ```mlir
    func.func @f(%flat: memref<0xf32>) {
      %x = memref.reinterpret_cast %flat to offset: [0], sizes: [3, 0, 5],
          strides: [0, 5, 1] : memref<0xf32> to memref<3x0x5xf32>
    ```
  }];
  let dependentDialects = ["mlir::memref::MemRefDialect"];
}

def PlanWorkspacePass : Pass<"quern-plan-workspace", "mlir::func::FuncOp"> {
  let summary = "Place every buffer of a function in one workspace argument";
  let description = [{
    Runs after bufferization, before linalg is lowered to loops. Every
    `memref.alloc` (all must be statically shaped and in the function's entry
    block) becomes a `memref.view` into a new trailing function argument
    `memref<Nxi8>` marked `quern.workspace`. Offsets are 64-byte aligned and
    planned from live ranges: two buffers share bytes only when no op uses
    both, counting uses through views. The size is recorded in the function
    attribute `quern.workspace_bytes`, and the caller provides that buffer, so
    the compiled code never calls malloc.

    Before:
    ```mlir
    func.func @f(%x: memref<4xf32>, %y: memref<4xf32>) {
      %t = memref.alloc() {alignment = 64 : i64} : memref<4xf32>
      ...
    }
    ```
    After:
    ```mlir
    func.func @f(%x: memref<4xf32>, %y: memref<4xf32>,
                 %ws: memref<64xi8> {quern.workspace})
        attributes {quern.workspace_bytes = 64 : i64} {
      %c0 = arith.constant 0 : index
      %t = memref.view %ws[%c0][] : memref<64xi8> to memref<4xf32>
      ...
    }
    ```
  }];
  let dependentDialects = ["mlir::arith::ArithDialect",
                           "mlir::memref::MemRefDialect"];
}

#endif // QUERN_CODEGEN_CPU_PASSES_TD
