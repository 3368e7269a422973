//===- Passes.td - Quern AMD GPU codegen passes ------------*- tablegen -*-===//

#ifndef QUERN_CODEGEN_AMDGPU_PASSES_TD
#define QUERN_CODEGEN_AMDGPU_PASSES_TD

include "mlir/Pass/PassBase.td"

def PutParallelDimsFirstPass
    : Pass<"quern-put-parallel-dims-first", "mlir::func::FuncOp"> {
  let summary = "Put a linalg op's parallel dimensions before its reductions";
  let description = [{
    A `linalg.generic` whose reduction dimensions come before parallel ones
    (a bias's gradient, the sum of a `[rows, columns]` buffer over its rows:
    `(reduction, parallel)`) becomes loops with the reduction outside
    (`convert-linalg-to-parallel-loops`), which quern-map-to-gpu can only
    run on one thread. This pass reorders the op's loops, parallel
    dimensions first and each kind in its order, so that each GPU thread
    sums one result element; every element is summed in the same order as
    before.

    Before:
    ```mlir
    linalg.generic {indexing_maps = [(d0, d1) -> (d0, d1), (d0, d1) -> (d1)],
                    iterator_types = ["reduction", "parallel"]}
    ```
    After:
    ```mlir
    linalg.generic {indexing_maps = [(d0, d1) -> (d1, d0), (d0, d1) -> (d0)],
                    iterator_types = ["parallel", "reduction"]}
    ```
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect"];
}

def MapToGPUPass : Pass<"quern-map-to-gpu", "mlir::func::FuncOp"> {
  let summary = "Run every loop nest of a planned step as a GPU kernel launch";
  let description = [{
    Runs on a function whose buffers are planned and whose linalg ops are
    parallel loops (`convert-linalg-to-parallel-loops`). Every op of the
    function's body that touches memory becomes a `gpu.launch`, so that the
    host only computes views into the state, the workspace and the caller's
    buffers and launches kernels:

    - A `scf.parallel` is linearized: its iterations, the last dimension
      fastest (consecutive threads touch consecutive elements of row-major
      buffers), are numbered, and thread `t` of workgroup `w` runs the
      iteration `w * workgroup-size + t` if there is one. A reduction
      dimension stays a loop in the thread.
    - A loop nest (a scatter's, whose rows may write the same element) is
      a parallel loop over one of its loops whose iterations touch
      disjoint elements (every buffer the nest writes is read and written
      at that loop's variable, through a view no other may overlap), the
      rest of the nest in order in each thread: a scatter-add runs a
      thread per column, summing its rows in order.
    - Any other op that reads or writes memory (such a nest without such
      a loop, the scalar code of a 0-d result) runs in order on one
      thread of one workgroup, with the ops after it up to the next
      parallel loop.
    - A scalar the host would read for the kernels after it (a learning
      rate, the step count, a sum a serial kernel wrote: a loss, a
      gradient's norm) and what is computed from scalars alone (Adam's
      bias corrections) are read and computed again by every kernel that
      uses them; the host reads no device memory.

    A `memref.get_global` a kernel reads is cloned into the launch, so
    that outlining gives the kernel module its own copy of the constant.
    Errors: an allocation left outside the workspace, a parallel loop with
    reductions (neither is made by the pipeline before), a call (of the
    host's functions), a value the host would use, and a scalar read by a
    kernel after another kernel may have written it, or by the threads of
    a kernel that may write it.

    Before:
    ```mlir
    scf.parallel (%i, %j) = (%c0, %c0) to (%c4, %c100) step (%c1, %c1) {
      %x = memref.load %a[%i, %j] : memref<4x100xf32>
      memref.store %x, %b[%i, %j] : memref<4x100xf32>
    }
    ```
    After (workgroup size 256; 400 iterations):
    ```mlir
    gpu.launch blocks(%w, %wy, %wz) in (%gx = %c2, ...)
               threads(%t, %ty, %tz) in (%bx = %c256, ...) {
      %n = (%w * 256 + %t)
      scf.if (%n < 400) {
        %i = %n / 100, %j = %n mod 100
        ... the loop's body ...
      }
      gpu.terminator
    }
    ```
  }];
  let options = [
    Option<"workgroupSize", "workgroup-size", "int64_t",
           "quern::AMDGPUDescription().workgroupSize",
           "Threads per workgroup">,
  ];
  let dependentDialects = ["mlir::gpu::GPUDialect", "mlir::scf::SCFDialect",
                           "mlir::arith::ArithDialect"];
}

def LowerLaunchesToLoopsPass
    : Pass<"quern-lower-launches-to-loops", "mlir::func::FuncOp"> {
  let summary = "Run GPU launches on the host: workgroups and threads as loops";
  let description = [{
    Each `gpu.launch` becomes six nested `scf.for` loops, over the
    workgroups in z, y and x and then over the threads in z, y and x, whose
    induction variables replace the workgroup and thread ids; the launch's
    sizes replace the grid and block dimensions. So the GPU-mapped code is
    lowered for the host CPU and tested against the host's results without
    a GPU: threads of a launch that does not synchronise (`gpu.barrier` is
    an error) are independent, and running them one after another computes
    what the GPU computes. With `reversed`, the loops count down, the last
    workgroup and thread first: a thread that reads what another thread of
    the launch writes, or two threads storing one element (the last
    store wins), then give another result than in order, which a test
    running both ways sees. Two threads adding into one element do not
    show: each thread's update is whole on the host.

    Before:
    ```mlir
    gpu.launch blocks(%w, %wy, %wz) in (%gx = %groups, %gy = %c1, %gz = %c1)
               threads(%t, %ty, %tz) in (%bx = %c16, %by = %c1, %bz = %c1) {
      ... %w, %t, %bx ...
      gpu.terminator
    }
    ```
    After:
    ```mlir
    scf.for %wz = %c0 to %c1 step %c1 {
      scf.for %wy = %c0 to %c1 step %c1 {
        scf.for %w = %c0 to %groups step %c1 {
          scf.for %tz ... { scf.for %ty ... {
            scf.for %t = %c0 to %c16 step %c1 {
              ... %w, %t, %c16 ...
    }}}}}}
    ```
  }];
  let options = [
    Option<"reversed", "reversed", "bool", "false",
           "Run the last workgroup and thread first">,
  ];
  let dependentDialects = ["mlir::scf::SCFDialect",
                           "mlir::arith::ArithDialect"];
}

def MergeGPUModulesPass : Pass<"quern-merge-gpu-modules", "mlir::ModuleOp"> {
  let summary = "Put every outlined kernel into one GPU module";
  let description = [{
    `gpu-kernel-outlining` gives each kernel a `gpu.module` of its own; a
    step has hundreds. This pass moves every kernel, and every global its
    module holds (the clones of one constant are one), into the first
    module, renamed `kernels`, and points the launches at it, so that the
    step is one code object: one device-library link and one load at run
    time. A module with more than one kernel (outlining makes one) is an
    error.

    Before:
    ```mlir
    gpu.module @step_kernel { memref.global @table ...
                              gpu.func @step_kernel() kernel {...} }
    gpu.module @step_kernel_0 { memref.global @table ...
                                gpu.func @step_kernel() kernel {...} }
    gpu.launch_func @step_kernel_0::@step_kernel ...
    ```
    After:
    ```mlir
    gpu.module @kernels { memref.global @table ...
                          gpu.func @step_kernel() kernel {...}
                          gpu.func @step_kernel_0() kernel {...} }
    gpu.launch_func @kernels::@step_kernel_0 ...
    ```
  }];
  let dependentDialects = ["mlir::gpu::GPUDialect"];
}

#endif // QUERN_CODEGEN_AMDGPU_PASSES_TD
