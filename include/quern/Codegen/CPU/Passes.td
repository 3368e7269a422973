//===- Passes.td - Quern CPU codegen passes ----------------*- tablegen -*-===//

#ifndef QUERN_CODEGEN_CPU_PASSES_TD
#define QUERN_CODEGEN_CPU_PASSES_TD

include "mlir/Pass/PassBase.td"

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
