//===- Passes.td - Quern CPU codegen passes ----------------*- tablegen -*-===//

#ifndef QUERN_CODEGEN_CPU_PASSES_TD
#define QUERN_CODEGEN_CPU_PASSES_TD

include "mlir/Pass/PassBase.td"

def OrderConstantsPass : Pass<"quern-order-constants", "mlir::ModuleOp"> {
  let summary = "Name and order bufferization's constant globals by first use";
  let description = [{
    One-shot bufferization turns each constant tensor into a
    `memref.global`, named after its type (`__constant_1x64xi64`, then
    `__constant_1x64xi64_0`, ...) and placed in the order the functions are
    bufferized. MLIR 19 takes the functions that call nothing in the
    iteration order of a map keyed by their addresses, which differs from
    run to run: the same model gave libraries whose constants were laid
    out, and named, differently. This pass renames every constant global
    `__constant_N`, N counting them in the order of their first use (walking
    the module's functions and ops in order), and places them in that
    order at the top of the module, so the output is the same bytes on
    every run.
  }];
  let dependentDialects = ["mlir::memref::MemRefDialect"];
}

def CopyReturnedArgumentsPass
    : Pass<"quern-copy-returned-arguments", "mlir::func::FuncOp"> {
  let summary = "Give every function result a buffer of its own";
  let description = [{
    Runs after bufferization, before results become out-parameters. A result
    that is a function argument, or that is returned twice, is copied into a
    new buffer, so that every result can be computed straight into the
    caller's output buffer (ONNX graphs may pass an input through unchanged:
    Identity, a one-input Max, inference-mode Dropout). A result that is a
    collapsed view of a static allocation (a product accumulated in panels
    of rows, `[M, N/32, 32]`, returned as `[M, N]`) is returned as an
    allocation of its own shape instead, the original allocation becoming
    the expanded view of it: the result is then computed in the caller's
    buffer rather than copied there (256x256x1024 on two Zen 5 cores: 270
    -> 320 GFLOP/s).

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

def PackPanelsPass : Pass<"quern-pack-panels", "mlir::func::FuncOp"> {
  let summary = "Pack products' right operands in register-tile panels";
  let description = [{
    A product's register tile reads `panel` columns (the target's) of the
    right operand per k step. Read from a row-major `[..., K, N]` operand,
    those are rows N columns apart, whose power-of-two strides fall into a
    few cache sets. This pass rebuilds products (conversion builds them
    target-neutral, quern/Conversion/PackedProduct.h reads them back and
    builds them) with the right operand packed in panels, so that a tile
    reads contiguous memory:

    - a bf16 product summed in k-pairs (convert-quern-to-linalg with
      `bf16-pairs`), N wider than `panel`: `[..., N/panel, K/2, panel, 2]`,
      the contraction over (batch..., j, m, c, p, t) with n = panel j + c,
      into the result viewed as `[..., M, N/panel, panel]`, or, when every
      size is at least 512, into an accumulator in panels of rows as below
      (1.07-1.09x on one core from 512x768x3072 to 2048^3);
    - an f32 product of at least 512 in every size, or of at least 128 rows
      and 512 columns and depth whose right operand is 4 MiB or more and
      awkward to read in place (transposed, or its rows a multiple of 4 KiB
      apart, which share cache sets): `[..., N/panel, K, panel]`, the
      contraction over (batch..., j, m, c, k) into an accumulator `[...,
      N/panel, M, panel]` (a register tile's rows a panel apart, not N
      columns), copied back to `[..., M, N/panel, panel]`; a right operand
      the conversion transposed is packed from its own layout. Smaller
      products lose more to the copies than they gain (on one core:
      1.03-1.26x from 512 to 2048, 1.55-1.7x at 128x1024x65536, and up to 8%
      lost at 300x256x1000, 13-22% at 128x768x50257);
    - an f32 product of at least 64 rows and 256 depth whose result's rows
      are a multiple of 4 KiB apart (1024 f32: a transformer's 4d at
      d = 256): the right operand in panels as above, the result
      accumulated in rows, `[..., M, N/panel, panel]`. Read in place, a
      tile's k rows of the operand fall into one cache set (Zen 5, one
      core: 256x256x1024 131 -> 181 GFLOP/s, 1024x256x1024 121 -> 177;
      products 128 deep gained on one core but lost on two).

    An f32 product left without panels reads a left operand of at most
    512 KiB that the conversion transposed (linalg.transpose) from before
    the transpose, its map `(k, m)`: a register tile broadcasts the left
    operand element by element, and the copy costs more than it saves
    (1.03-1.06x on one core for Aᵀ·B from 32³ to 384³).

    When `panel` does not divide N, the right operand and the bias are
    padded with zero columns to a multiple of it (the operand's whole
    panels packed from it, the last from its remaining columns and zeros:
    no padded copy of it), and the result is the slice of the first N
    columns. The ops the product was built from and no longer needs are
    erased. A product in a parallel loop's body (a grouped product's tile of
    one expert's rows) is left as it is: its panels would be a buffer that
    every iteration shares, which quern-plan-workspace cannot place.

    ```mlir
    // panel = 32: a 64x256x128 bf16 product's right operand
    %rhs = linalg.generic ... -> tensor<4x128x32x2xbf16>  // [N/32, K/2, 32, 2]
    %acc = linalg.generic ... -> tensor<64x4x32xf32>      // [M, N/32, 32]
    ```
  }];
  let options = [
    Option<"panel", "panel", "int64_t", "0",
           "Columns of a panel: the register tile's (0: none)">
  ];
  let dependentDialects = ["mlir::bufferization::BufferizationDialect",
                           "mlir::linalg::LinalgDialect",
                           "mlir::tensor::TensorDialect"];
}

def FuseGroupedEpiloguesPass
    : Pass<"quern-fuse-grouped-epilogues", "mlir::func::FuncOp"> {
  let summary = "Compute the activation after grouped products tile by tile, "
                "with them";
  let description = [{
    Runs on quern ops, before they become linalg. The grouped products
    (`quern.grouped_matmul`) that multiply the same rows in the same tiles
    by weights of one shape, and the elementwise ops after them that read
    their results (a mixture-of-experts block's activation: SwiGLU's
    `silu(gate) * up`, GELU, ReLU), become one
    `quern.grouped_matmul_epilogue`: its lowering computes those ops on each
    tile of rows right after the tile's products, in the same parallel
    loop, while the tile is in cache, instead of writing each product out
    whole and reading it back.

    The epilogue is what follows the first product in program order and
    reads what the products or the epilogue computed, up to the first op
    that reads them and cannot join (the next product, which reads the
    activation): a backward pass's uses of the products stay where they
    are; so does any op with effects, and nothing moves across one. Ops that
    join are quern elementwise ops on float tensors with the products' rows;
    what else they read is read tile by tile, and splat constants are
    rebuilt at the tile's shape.
    The products stay results (a training step keeps them for its backward
    pass), and so does each epilogue value that an op other than an
    elementwise one reads (the next product), or that elementwise ops read
    outside (a backward pass's) and that costs a transcendental function
    (exp, log, tanh, sigmoid, erf, pow, sin, cos) to compute again. The
    other values that elementwise ops read outside (SwiGLU's SiLU, a product
    of the gate and the sigmoid) are not written: they are computed again
    after the epilogue from its results, as they would be without it, and
    quern-fuse-elementwise computes them inside the loops that read them:
    the forward pass writes what it writes without the fusion.
    Products without such an epilogue, or read by nothing but the epilogue,
    are left as they are: each tile's products would need a buffer per
    thread. That is a forward-only compile, and experts with biases, whose
    products only the bias's addition reads (the backward pass reads the
    biased values).

    Each tile computes the same operations in the same order as before, so
    results are bitwise unchanged.
  }];
}

def FuseElementwisePass
    : Pass<"quern-fuse-elementwise", "mlir::func::FuncOp"> {
  let summary = "Fuse elementwise linalg ops, but not into contractions";
  let description = [{
    MLIR's elementwise fusion on tensors (producers used once into their
    consumer, so a chain of elementwise ops is one loop and a softmax's exponentials are
    computed inside its sum) with one exception: no producer is fused into a
    contraction. A matmul whose body also computed an operand (the ReLU of
    its input, an activation's derivative in backward) would stop being a
    contraction to `quern-select-strategy` and run as scalar loops that
    recompute the operand for every output element; kept apart, the operand
    is computed once in its own vectorized loop and the matmul runs on FMAs.

    First, a pack (an op that rounds its input to a narrower float through
    permutation maps, not all identities: the k pairs of a bf16 product's
    operand) of a value that also has a plain rounded copy in the same
    block (an identity-map op with the same truncation: type, rounding
    mode, fast-math flags) permutes that copy instead of rounding the value
    again; a copy that came after the pack moves up to it. A layer's
    input, rounded for its forward product and packed for its weight's
    gradient, is then kept for the backward pass in bf16 alone, and a
    gradient rounded for the input's gradient is packed from 2 bytes per
    element instead of 4. The packed values are the same. Shapes must be
    static.

    A producer with other users fuses too, into an elementwise consumer
    that reads it in the same iteration order, when everything else the
    consumer uses (operands, values its body captures) is computed before
    the producer and no operand is a boolean: the fused op takes the
    producer's place and yields the producer's results for their other
    users as well. A chain whose intermediates are kept for the backward
    pass (GELU's x, x / sqrt(2), 1 + erf, product) becomes one loop
    writing them all, instead of loops that each read back what the one
    before wrote; the rounding of a result for a bf16 product is written by
    the loop that computes it.

    Then an elementwise consumer in the producer's block recomputes the
    results it reads of a cheap elementwise producer (float arithmetic of
    at most 16 FLOPs per element, as CostOpInterface counts them) when the
    producer's operands, less those it reads already in the same order,
    are fewer bytes than those results: it gets a copy of the producer,
    which fuses into it. Such a consumer is one that could not move up to
    the producer, the backward pass's, which needs a gradient computed
    after the forward loop. GELU's backward read x + b, (x + b) / sqrt(2)
    and 1 + erf(...); it now reads x and b, and the forward loop no longer
    writes the three tensors. The copy computes the same bits.

    Rounding (an op that only truncates its one input to a narrower float)
    fuses further:
    - a rounding op reading a `tensor.collapse_shape` works on the
      uncollapsed tensor, its result collapsed instead;
    - transposes are generics, so a transpose (merging attention heads)
      fuses with the rounding of its result.

    With `recompute=false` (quernc --recompute=none) no consumer recomputes
    a producer: every intermediate the backward pass reads is kept.
  }];
  let options = [
    Option<"recompute", "recompute", "bool", "true",
           "Let elementwise consumers recompute cheap producers' results">,
  ];
  let dependentDialects = ["mlir::affine::AffineDialect",
                           "mlir::linalg::LinalgDialect"];
}

def UnshareInitsPass : Pass<"quern-unshare-inits", "mlir::func::FuncOp"> {
  let summary = "Give every op that writes into a fill or an empty tensor "
                "one of its own";
  let description = [{
    CSE merges identical `linalg.fill`s and `tensor.empty`s: every matrix
    product of a training step accumulates into zeros, every elementwise op
    of a shape writes into an empty tensor of that shape, and after CSE they
    all share one. Bufferization must then keep the zero tensor in a buffer
    and copy it into the output of each product; and the ops writing into
    one empty tensor are aliases of one value, whose in-place analysis
    compares every read of them with every write (quadratic: minutes for a
    training step with recomputation). This pass, run after CSE and before
    bufferization, gives every op that uses a fill (of a `tensor.empty`) or
    an empty tensor as its init a clone of it placed just before it, so
    that its output is filled in place (a write instead of a read and a
    write, and no zero buffer in the workspace) and each output is an alias
    set of its own. Fills read as inputs keep sharing.
  }];
}

def ByteBooleansPass : Pass<"quern-byte-booleans", "mlir::func::FuncOp"> {
  let summary = "Pass booleans between elementwise ops as bytes";
  let description = [{
    An `i1` tensor written by a `linalg.generic` (from a `tensor.empty` it
    never reads) and read only as an input of other `linalg.generic` ops
    becomes an `i8` tensor: the writer yields `arith.extui` of its boolean
    and each reader starts with `arith.trunci`. In memory a boolean takes a
    byte either way, but a vector of `i1` is stored as packed bits, so ops
    on `i1` buffers stay scalar; ops on `i8` buffers are vectorized like any
    other. Runs on tensors, before bufferization.

    ```mlir
    %m = linalg.generic ... outs(%e : tensor<64xi1>) { ... linalg.yield %b : i1 }
    %y = linalg.generic ... ins(%m, %x : tensor<64xi1>, tensor<64xf32>) ...
    // becomes
    %m = linalg.generic ... outs(%e8 : tensor<64xi8>) {
      ... %w = arith.extui %b : i1 to i8  linalg.yield %w : i8 }
    %y = linalg.generic ... ins(%m, %x : tensor<64xi8>, tensor<64xf32>) {
    ^bb0(%in: i8, ...): %c = arith.trunci %in : i8 to i1 ... }
    ```
  }];
  let dependentDialects = ["mlir::arith::ArithDialect",
                           "mlir::tensor::TensorDialect"];
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

def InlineLoopScopesPass : Pass<"quern-inline-loop-scopes"> {
  let summary = "Inline the stack scopes of parallel loop bodies that "
                "allocate nothing on the stack";
  let description = [{
    SCF-to-OpenMP wraps the body of every parallel loop in a
    `memref.alloca_scope`, so that stack allocations made in an iteration
    are freed at its end. A body that allocates nothing itself (the
    kernels it calls free their frames when they return) needs no scope,
    and a scope must be one block: the branches of a body such as a
    grouped product's tile (`scf.if` its tile has a group) could not
    become control flow inside it. Such scopes are inlined into the loop.

    Before:
    ```mlir
    omp.loop_nest (%t) : index = (%c0) to (%c40) step (%c1) {
      memref.alloca_scope {
        scf.if %used { func.call @tile(%t) : (index) -> () }
      }
      omp.yield
    }
    ```
    After:
    ```mlir
    omp.loop_nest (%t) : index = (%c0) to (%c40) step (%c1) {
      scf.if %used { func.call @tile(%t) : (index) -> () }
      omp.yield
    }
    ```
  }];
  let dependentDialects = ["mlir::memref::MemRefDialect"];
}

def JoinOncePass : Pass<"quern-join-once"> {
  let summary = "Drop the barrier of a worksharing loop that ends its "
                "parallel region";
  let description = [{
    An `omp.wsloop` waits for every thread at its end unless it is `nowait`,
    and the end of its `omp.parallel` region waits for them again (the
    join). When the loop is the last op of the region, the first barrier
    only delays the second, so the loop becomes `nowait`: a parallel kernel
    pays one barrier instead of two. Loops with reductions keep theirs.

    Before:
    ```mlir
    omp.parallel {
      omp.wsloop {
        omp.loop_nest (%i) : index = (%lb) to (%ub) step (%s) { ... }
      }
      omp.terminator
    }
    ```
    After:
    ```mlir
    omp.parallel {
      omp.wsloop nowait {
        omp.loop_nest (%i) : index = (%lb) to (%ub) step (%s) { ... }
      }
      omp.terminator
    }
    ```
  }];
  let dependentDialects = ["mlir::omp::OpenMPDialect"];
}

def PlanWorkspacePass : Pass<"quern-plan-workspace", "mlir::func::FuncOp"> {
  let summary = "Place every buffer of a function in one workspace argument";
  let description = [{
    Runs after bufferization, before linalg is lowered to loops. Every
    `memref.alloc` (all must be statically shaped) becomes a `memref.view`
    into a new trailing function argument `memref<Nxi8>` marked
    `quern.workspace`. Offsets are 64-byte aligned and planned from live
    ranges: two buffers share bytes only when no op uses both, counting uses
    through views. A block nested in an op (a loop body) is planned on its
    own, and its buffers, which must not leave it, take one range of bytes
    live at that op. A parallel loop's body (`scf.forall`, `scf.parallel`)
    must have no buffer: its iterations run at once and would share that
    range, so the pass fails instead. The size is recorded in the function
    attribute `quern.workspace_bytes`, and the caller provides that buffer, so
    the compiled code never calls malloc.

    A pack (an op that only rounds its one f32 input to bf16, or copies a
    bf16 or f32 one, through permutation maps, or that computes its f32 or
    bf16 buffer from position, loading only what its indices say: a
    quantized weight decoded into panels) whose buffer the next product
    reads as one operand without an m loop, and nothing uses in between,
    is marked `quern.panel_pack`: what it reads (its input, or the buffers
    its body loads from) stays live until the product, because
    `quern-tile-and-pack` moves the pack into the product's tile loops.
    The product's accumulator then never takes the input's bytes.

    An elementwise op (parallel loops, an output it does not read, at a
    permutation map) writes its output over an input of the same type that
    it reads for the last time, when it reads that input, not a view of it,
    only as inputs at the output's map and nowhere in its body: each element
    is read in the iteration that writes it. The two take the same bytes,
    and a chain of such ops stays in one buffer (a softmax's probabilities
    written over the logits, their gradient over the probabilities).

    The function also records `quern.peak`: the most bytes its buffers hold
    at once, the ONNX node of the op then, and the largest buffers live then,
    each by the node of the op that first writes it (quernc
    `--print-memory-report` prints it).

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

def SelectStrategyPass
    : Pass<"quern-select-strategy", "mlir::func::FuncOp"> {
  let summary = "Pick a tiling and vectorization strategy for each linalg op";
  let description = [{
    Runs on buffers, after the workspace is planned. Every linalg op that can
    be vectorized gets a `quern.strategy` dictionary, computed from the op's
    shape and the target's description (the options below); ops it leaves
    alone are lowered to scalar loops as before.

    - `kind = "contraction"` (matmul in any transposed or batched form):
      `cache_tiles` and `register_tiles`, one size per loop. The register
      tile is `mr x nr` with `nr` two (or one) vectors wide and `mr` rows
      such that the `mr * nr / lanes` accumulators and the operands fit the
      register file; `k` steps by 1. Cache tiles keep a `kc x nr` panel of the
      right operand in L1 and the `mc x kc` block of the left one in L2.
      Batch loops take tiles of 1. With several `n` loops, `n` is the
      result's innermost loop and the others, before `m` (the panels of a
      right operand packed as `[N/nr, K/2, nr, 2]`), are outer loops like
      batch loops.
    - `kind = "elementwise"` (every loop parallel: elementwise ops,
      broadcasts, copies, fills) and `kind = "reduction"` (sums, maxima):
      `register_tiles` of one vector along the innermost loop and 1
      elsewhere, so a row is reduced a vector at a time and an outer
      reduction accumulates a vector of independent sums. A vector is as
      wide as the op's widest element (16 lanes for an f32 to bf16
      rounding on AVX-512). An input read across its layout (a transpose)
      makes the tile square: its contiguous loop takes a vector too, so
      rows are read whole and transposed in registers; when the innermost
      loop is a small one read whole (a bf16 pair), the two loops above it
      take square tiles of vector / pair units.
    - bf16 contractions summed in pairs along k (`k = 2p + t`, from
      `convert-quern-to-linalg{bf16-pairs}`): a contraction strategy over
      (m, n, p) whose tiles take the whole pair.
    - `kind = "scalar"`: an elementwise op the vectorizer cannot handle (its
      body loads at a computed position: a gather, a quantized weight's
      decoding into a product's panels) that is worth threads: its first
      loop shared out over threads. When it computes its one output from
      position alone and its body can be followed across lanes (see
      `quern-vectorize`), its last loop takes a register tile of one
      vector of f32 lanes; otherwise register tiles of 1, each piece left
      to scalar loops.
    - Ops that read or write booleans (a vector of i1 is packed bits in
      memory, a boolean tensor a byte per element), and other ops the
      vectorizer cannot handle, get no strategy and stay scalar loops.

    `parallel = true` marks ops whose outer tile loop is worth running on
    several threads (at least `min-parallel-work` multiply-adds or
    elements); a parallel contraction's `m` and `n` cache tiles are halved
    until there are at least 8 of them to share.
    A tile larger than its loop becomes the loop's extent. Every tile of a
    contraction is whole, so that it runs as static vectors, never masked
    ones:
    - tiles prefer sizes that divide their loop: a register tile between
      half and all of its preferred size, a cache tile likewise among
      multiples of the register tile (384 rows take cache tiles of 192, not
      256 and a partial 128; k = 1000 takes 125); columns narrower than a
      vector are tiled a power of two wide;
    - where no such size exists, `split` lists per loop the points where the
      op is cut into pieces: after the whole cache tiles, after the whole
      register tiles of the rest, and (n only) after each power-of-two
      width of the last columns, widths a CPU has vectors of (1009 columns
      with tiles of 32: `[992, 1008]`, pieces of 992, 16 and 1). Each piece
      is the same op on a slice whose tiles divide it;
    - `parallel_pieces` (with `parallel`) says which pieces have the work to
      be threaded; the last rows or columns are not worth a fork and join;
    - `loop_order` (contractions): the register tile loops inside a cache
      tile, outermost first: the batch loops, then n, m and k, so that a
      column panel of the right operand stays in L1 while m's tiles sweep
      it;
    - `cache_order` (contractions, only where set): the cache tile loops,
      outermost first. Without it they go in the loops' own order, the
      panels outside m, and the left operand is read once per column of
      tiles. A left operand of at least 16 L2s read by 16 or more columns
      of tiles would come from memory each time: m's tiles go outermost,
      `[m, others..., k]`, and the smaller right operand is read again;
    - `parallel_tile` (other ops with `parallel`): the tile of the first loop
      that the threads share out, whole register tiles (a 1-D op in about 64
      tiles).

    Every schedule decision is here: the passes that carry the strategy out
    (`quern-tile-and-pack`, `quern-vectorize`, `quern-lower-vectors`) only
    apply it.

    ```mlir
    linalg.matmul {quern.strategy = {kind = "contraction",
                   dims = array<i64: 0, 1, 2>,
                   cache_tiles = array<i64: 256, 64, 128>,
                   loop_order = array<i64: 1, 0, 2>,
                   register_tiles = array<i64: 8, 32, 1>, parallel = true}}
        ins(%a, %b : memref<256x128xf32>, memref<128x512xf32>)
        outs(%c : memref<256x512xf32>)
    ```
  }];
  let options = [
    // Defaults: TargetDescription.h's, as everywhere else.
    Option<"vectorBits", "vector-bits", "int64_t",
           "quern::CPUDescription().vectorBits",
           "Width of a SIMD register in bits">,
    Option<"vectorRegisters", "vector-registers", "int64_t",
           "quern::CPUDescription().vectorRegisters",
           "Number of SIMD registers">,
    Option<"l1Bytes", "l1-bytes", "int64_t", "quern::CPUDescription().l1Bytes",
           "L1 data cache size">,
    Option<"l2Bytes", "l2-bytes", "int64_t", "quern::CPUDescription().l2Bytes",
           "L2 cache size">,
    Option<"minParallelWork", "min-parallel-work", "int64_t",
           "quern::kDefaultMinParallelWork",
           "Work (multiply-adds; an element of an elementwise op or a "
           "reduction counts as 8) below which an op stays on one thread; 0 "
           "disables threading">
  ];
}

def OutlineKernelsPass : Pass<"quern-outline-kernels", "mlir::ModuleOp"> {
  let summary = "Move each linalg op on buffers into a function of its own";
  let description = [{
    Runs after strategy selection, so each op takes its `quern.strategy`
    along. Every linalg op on buffers becomes a call to a new private,
    internal, `no_inline` function `PARENT_OP_N` (e.g.
    `train_step_matmul_3`) that holds only that op: constants it uses are
    cloned in, every other value it uses is an argument. Tiling,
    vectorization and LLVM's optimizer then work on small functions, so
    compile time grows with the number of ops rather than faster, and
    profiles name the op. Kernels with equal bodies (the same ops, on
    arguments of the same types, locations aside: the layers of a model)
    are then one: every call of a later copy calls the first, named after
    its first site, and the copy goes, so each is tiled, vectorized and
    compiled once. Ops on buffers the bare-pointer calling convention
    cannot pass (dynamic shape, stride or offset; no elements) stay where
    they are. Each kernel carries `quern.kernel`, what the kernel report
    states: its op's `kind` and `loops`, its `strategy`, and the `flops`
    (float-valued arith and math ops of each body, times the iterations)
    and `bytes` (each buffer once) of its ops.

    One kernel holds two ops: a `linalg.fill` of a constant followed by the
    op whose accumulator it fills (the next linalg op, with only ops free of
    memory effects between, reduction loops, and the filled buffer as its
    one init and not an input). The kernel is named after the second, and
    `quern-vectorize` starts the accumulator from the constant.
    Likewise a pack marked `quern.panel_pack` by `quern-plan-workspace`
    goes into its product's kernel (with the product's fill, if any).

    ```mlir
    func.func @step(%a: memref<4x8xf32>, %b: memref<8x16xf32>, %c: memref<4x16xf32>) {
      call @step_matmul_0(%a, %b, %c) : (...) -> ()
      return
    }
    func.func private @step_matmul_0(...) attributes {llvm.linkage = #llvm.linkage<internal>, no_inline} {
      linalg.matmul ins(%arg0, %arg1 : ...) outs(%arg2 : ...)
      return
    }
    ```
  }];
  let dependentDialects = ["mlir::LLVM::LLVMDialect"];
}

def TileAndPackPass : Pass<"quern-tile-and-pack", "mlir::func::FuncOp"> {
  let summary = "Tile linalg ops as `quern.strategy` says";
  let description = [{
    The first of the three passes that carry out `quern.strategy`
    (then `quern-vectorize`, `quern-lower-vectors`). A malformed strategy is
    an error at its op. Tiles each op with a strategy: a contraction with a
    `split` is first cut into its pieces (copies of the op on static slices,
    each threaded as `parallel_pieces` says), then every contraction is
    tiled by its cache tiles and by its register tiles with the `n` loop
    outside the `m` loop and `k` innermost; other ops by their register
    tiles. Outer tile loops of ops marked `parallel` are `scf.parallel`,
    which the pipeline turns into OpenMP. Loops whose tile does not divide
    their extent are peeled, and the constant sizes peeling leaves are
    folded into the tiles' types: every tile of a loop of static extent,
    remainders included, is a static shape. Each register tile is marked
    `quern.vector_sizes` for `quern-vectorize`.

    A `linalg.fill` of a constant into the accumulator of the op after it
    (see `quern-outline-kernels`), when nothing else in the function uses
    the buffer and the reduced loops' register tiles divide them, is not
    tiled but marked `quern.forward_fill`. A contraction's loops of cache
    tiles along reduced loops (every iteration adds to the same tile of
    the output) are marked `quern.reduction_tiles`.

    A pack marked `quern.panel_pack` in a product's kernel runs inside the
    product's cache tile loops when each cache tile holds all of m: just
    before a tile's register loops, the pack tiled to the panel of the
    packed buffer that the tile reads (on its slices, or, computing from
    position, at the panel's positions) writes that panel on the tile's
    thread, while it is about to be read. Otherwise (m split between
    tiles, which would pack a panel twice, no cache tiles, or a decode
    whose panel is a partial cache tile, which it cannot run in lanes) the
    pack is tiled on its own, before the product.
  }];
  let dependentDialects = ["mlir::affine::AffineDialect",
                           "mlir::arith::ArithDialect",
                           "mlir::linalg::LinalgDialect",
                           "mlir::memref::MemRefDialect",
                           "mlir::scf::SCFDialect"];
}

def VectorizePass : Pass<"quern-vectorize", "mlir::func::FuncOp"> {
  let summary = "Turn the register tiles into vector ops";
  let description = [{
    Each op marked `quern.vector_sizes` by `quern-tile-and-pack` is
    vectorized (`linalg::vectorize`; without masks, its shape being static,
    unless a partial tile of a dynamic extent). A scalar op so marked
    (computed from position, beyond `linalg::vectorize`) becomes loops over
    its register tiles, each tile computed in vector lanes: every integer
    of its body is followed as a part common to the lanes plus a known
    offset per lane (values from above the body, such as a tile's offsets
    inside a product's cache tile loops, are followed too: a loop's
    variable is a multiple of its step), so that a load whose lanes read consecutive elements
    (each possibly repeated, as two 4-bit codes share a byte) is one
    vector load and a shuffle, one the lanes all read at the same place (a
    block's scale) a scalar load, and one at places computed from loaded
    data (a table of levels) a `vector.gather`; the tile is written with
    one `vector.transfer_write`. Lanes that would read elements apart (a
    transposed weight's codes) are not followed: gathering those was
    slower than scalar code. Transfers through permuted
    maps become transfers in memory order plus transposes before a tile's
    unit dimensions are dropped, and transposes drop unit dimensions
    wherever they are. Reductions are rewritten as `vector.contract`;
    loop-invariant code and the accumulator's loads and stores are hoisted
    out of the `k` loop (the register tile stays in registers). Where a fill
    is marked `quern.forward_fill`, each load of the accumulator that reads
    its elements once (it depends on every loop around it) becomes the
    constant: a product's register tiles start from zeros, and its output
    is written, never read. A load repeated only by loops marked
    `quern.reduction_tiles` (k in cache tiles) is the constant in their
    first iterations (an `scf.if`) and loads the sums after them: the
    output is not filled first, by one thread, before the product's
    parallel tiles. When some load is repeated otherwise (a
    reduction that loads its accumulator inside the reduced loop), the fill
    stays. The marks go.
  }];
  let dependentDialects = ["mlir::affine::AffineDialect",
                           "mlir::arith::ArithDialect",
                           "mlir::memref::MemRefDialect",
                           "mlir::scf::SCFDialect",
                           "mlir::vector::VectorDialect"];
}

def LowerVectorsPass : Pass<"quern-lower-vectors", "mlir::func::FuncOp"> {
  let summary = "Lower register-tile vector ops to FMAs, dot products and shuffles";
  let description = [{
    With `bf16-dot`, register tiles of bf16 products summed in pairs along
    k (convert-quern-to-linalg's `bf16-pairs` form) become the CPU's bf16
    dot instruction: per row of the tile and per vector of columns, one
    `llvm.x86.avx512bf16.dpbf16ps.512` (16 lanes) or
    `llvm.aarch64.neon.bfdot.v4f32.v8bf16` (4 lanes). Tiles of narrow rows
    (pairs, packing operands) are then moved in whole vectors, and the
    remaining contractions become outer products, i.e. FMAs; transposes
    become 16 x 16 shuffles, shape casts that keep the innermost dimension
    move whole rows, n-D transfers become unrolled 1-D ones, and exp, erf,
    tanh and log become polynomials of FMAs.
  }];
  let options = [
    Option<"bf16Dot", "bf16-dot", "quern::BF16Dot",
           "quern::CPUDescription().bf16Dot",
           "The CPU's bf16 dot-product instruction",
           [{quern::bf16DotOptionValues()}]>
  ];
  let dependentDialects = ["mlir::affine::AffineDialect",
                           "mlir::arith::ArithDialect",
                           "mlir::LLVM::LLVMDialect",
                           "mlir::math::MathDialect",
                           "mlir::memref::MemRefDialect",
                           "mlir::scf::SCFDialect",
                           "mlir::vector::VectorDialect"];
}

#endif // QUERN_CODEGEN_CPU_PASSES_TD
