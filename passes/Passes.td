//===- Passes.td - Quern graph passes ----------------------*- tablegen -*-===//
//
// The passes that work on the quern dialect, alphabetically.
//
//===----------------------------------------------------------------------===//

#ifndef QUERN_PASSES_TD
#define QUERN_PASSES_TD

include "mlir/Pass/PassBase.td"

def PrintCostPass : Pass<"quern-print-cost", "mlir::func::FuncOp"> {
  let summary = "Report each quern op's cost (CostOpInterface) as a remark";
  let description = [{
    Emits a remark at every quern op, `N flops, R bytes read, W bytes
    written` as its CostOpInterface counts them, and one at the function
    with the totals: what recomputation and expert fusion weigh, made
    visible and testable. The IR is unchanged.

    ```mlir
    // quern-opt --quern-print-cost
    %y = quern.matmul %x, %w : tensor<4x8xf32>, tensor<8x2xf32> -> tensor<4x2xf32>
    // remark: 128 flops, 160 bytes read, 32 bytes written
    ```
  }];
}

def FuseExpertsPass : Pass<"quern-fuse-experts", "mlir::ModuleOp"> {
  let summary = "Run each mixture-of-experts expert only on its routed tokens";
  let description = [{
    Finds dense mixture-of-experts blocks, as exporters write them: router
    gates zero outside the top-k experts of each token (`scatter_elements`
    of a `topk`'s values, or of values computed from them, into zeros at
    its indices; or scores times a mask of those indices: a one-hot of each
    slot summed, or the slots compared with every expert's index), and a
    sum of one term per expert, `broadcast(gates[:, e]) * expert_e(x)`, or
    stacked experts weighed by the transposed gates and summed. Each expert is either `x` itself (an
    identity expert, as in LongCat-Flash) or the same chain for every
    expert: one or more products of `x` (matmul with optional bias), an
    elementwise function of them (ReLU, GELU, SiLU, SwiGLU's
    `silu(a) * b`, ...) and a last product.

    A fused block dispatches the tokens to row tiles expert by expert
    (`quern.moe_dispatch`), runs each projection as one
    `quern.grouped_matmul` over those rows with the experts' weights
    stacked, applies the function once, and sums each token's outputs
    weighed by its gates; identity experts add their gates times `x` and
    run no product. The parameters stay as they are (the stacking is a copy
    inside the step), so a fused and a dense compile share their state.
    The result is the dense block's up to float rounding. Gradients follow
    the ops' own (the grouped products' weight gradients sum over each
    expert's rows only).

    A block that almost matches (an expert reading another's values, a
    chain that differs between experts, a gate that is not a scatter of a
    top-k) is left dense; with `report`, a remark at each block says what
    was fused, with the dense and the fused product FLOPs, or why not.

    ```mlir
    // quern-opt --quern-fuse-experts=report
    %g = quern.scatter_elements %zeros, %idx, %vals axis = 1 reduction = none ...
    // remark: fused mixture-of-experts block: 4 experts (4 with products,
    //         0 without), top-2; expert product FLOPs 65536 dense, ...
    ```
  }];
  let options = [
    Option<"report", "report", "bool", "false",
           "Emit a remark at every block: what was fused, or why not">,
    Option<"tileRows", "tile-rows", "int64_t", "16",
           "The most rows of a dispatch tile (each tile is one expert's)">,
    Option<"exposeLoad", "expose-load", "bool", "false",
           "Add a result per fused block, expert_load.N: the slots routed "
           "to each of its experts">
  ];
}

def LoraPass : Pass<"quern-lora", "mlir::ModuleOp"> {
  let summary = "Add trainable low-rank adapters to matrix products; freeze the rest";
  let description = [{
    Every matrix product of `@forward` whose weight (its right operand, a
    rank-2 parameter, directly or transposed) `targets` matches gets a
    LoRA adapter, `y = x W + (x Aᵀ) Bᵀ · alpha / rank`, with `A [rank, K]`
    and `B [N, rank]` laid out as PEFT's `lora_A` / `lora_B` Linear weights
    and named after the weight (`blocks.0.q.weight` →
    `blocks.0.q.lora_A.weight`, `blocks.0.q.lora_B.weight`). The adapters
    are the only trainable parameters: every parameter of the model is
    frozen. A starts Kaiming-uniform as PEFT's (`quern.initial`, drawn by
    quernc), B at zeros, so training starts from the base model. With
    `dropout`, the adapter reads its input through a `training_only`
    dropout (PEFT's lora_dropout), a mask per adapter from `seed`.

    Without `targets`, every weight that only products read is adapted. A
    target glob that matches nothing, or a weight it names that is read
    other than as a product's weight, is an error.

    ```mlir
    // quern-opt --quern-lora="rank=4 targets=w"
    %y = quern.matmul %x, %w : tensor<8x32xf32>, tensor<32x16xf32> -> tensor<8x16xf32>
    // becomes, with %a: tensor<4x32xf32> and %b: tensor<16x4xf32> new
    // trainable parameters w.lora_A and w.lora_B:
    %y = quern.matmul %x, %w : tensor<8x32xf32>, tensor<32x16xf32> -> tensor<8x16xf32>
    %0 = quern.matmul %x, %a transpose_rhs : tensor<8x32xf32>, tensor<4x32xf32> -> tensor<8x4xf32>
    %1 = quern.matmul %0, %b transpose_rhs : tensor<8x4xf32>, tensor<16x4xf32> -> tensor<8x16xf32>
    %2 = quern.add %y, %1 : tensor<8x16xf32>
    ```
  }];
  let options = [
    Option<"rank", "rank", "int64_t", "8", "The adapters' rank">,
    Option<"alpha", "alpha", "double", "0",
           "The adapters' scale is alpha / rank (0: alpha = rank)">,
    Option<"dropout", "dropout", "double", "0",
           "Dropout on the adapters' input in training (0: none)">,
    Option<"seed", "seed", "int64_t", "0",
           "Seeds the adapters' dropout masks">,
    ListOption<"targets", "targets", "std::string",
               "Globs of the weights to adapt (none: every product's)">
  ];
  let dependentDialects = ["quern::QuernDialect"];
}

def MakeTrainStepPass : Pass<"quern-make-train-step", "mlir::ModuleOp"> {
  let summary = "Build @train_step: loss, gradients, optimizer update";
  let description = [{
    Adds `func.func @train_step` beside `@forward`: the forward computation,
    its reverse-mode gradient (through GradientOpInterface) with respect to
    every trainable parameter (`quern.param` with `trainable = true`),
    optional global-norm clipping, and one fused optimizer update per
    parameter. Arguments: the inputs of `@forward`, then `lr` (a rank-0 f32
    tensor), then the parameters, then the optimizer state of each trainable
    parameter, then the step counter (rank-0 i64). Results: the loss, the
    other outputs of `@forward`, then the new parameters, optimizer state and
    step. Every updated argument is marked `bufferization.writable` and each
    new value carries `quern.updates = <argument index>`, so bufferization
    writes it into the argument's own buffer: no parameter is copied.

    With `gradient-suffix = S`, the graph already contains its backward
    (exported from AOTAutograd, or written by hand): no autodiff runs, and
    the result of `@forward` named `<param>S` is the gradient of parameter
    `param`. Those results are not outputs of the step; parameters with no
    such result are frozen.

    With `accumulate = N > 1`, every input of rank >= 1 is N micro-batches
    stacked along its first dimension (`[N*B, ...]` where `@forward` takes
    `[B, ...]`). An `scf.for` runs forward and backward once per micro-batch
    on a slice of the inputs, summing loss and gradients in loop-carried
    tensors; the step then divides both by N and updates once. Peak memory is
    that of one micro-batch, and for a mean-reduced loss the step equals one
    over the whole `[N*B]` batch. The train step then returns only the loss.

    With `data-parallel`, the gradients (after accumulation, before clipping
    and the updates) are averaged over the processes of a data-parallel
    job: they are packed, in the order the backward pass finishes them, into
    buckets of at most `bucket-bytes` (one gradient larger than that is a
    bucket of its own), each a 1-D f32 tensor; a quern.collective_start
    right after a bucket's last gradient hands it to the host's
    communicator, so that its reduction overlaps the rest of the backward
    pass, and a quern.collective_wait per bucket after the backward pass
    gives the means, from which the gradients are sliced again.

    With `shard-optimizer = N` as well (ZeRO stage 1), each of the N
    processes keeps the optimizer state of one piece of every parameter
    (runtime/include/quern/Shard.h: ceil(E/N) elements of its E, the last
    pieces moved back to end at E), as a 1-D state argument marked
    `quern.shard = {processes = N, shape = <the parameter's>}`. The buckets
    are reduce-scattered instead: packed as N chunks, chunk r the pieces of
    process r, of which each process receives the mean of its own. It
    updates its pieces (read from the parameters at an offset computed from
    quern.process_rank), then all-gathers them bucket by bucket, each
    gather started as soon as its bucket's pieces are updated, and
    assembles the whole parameters. Clipping sums the squares of the
    pieces, counting the elements two pieces share once, over the
    processes (a one-element all_reduce).

    Before:
    ```mlir
    func.func @forward(%x: tensor<4x3xf32> {quern.name = "x"},
                       %w: tensor<3xf32> {quern.param = {name = "w", trainable = true}})
        -> (tensor<f32> {quern.name = "loss"})
    ```
    After (SGD):
    ```mlir
    func.func @train_step(%x: tensor<4x3xf32> {quern.name = "x"},
                          %lr: tensor<f32> {quern.name = "lr"},
                          %w: tensor<3xf32> {bufferization.writable = true, ...},
                          %step: tensor<i64> {bufferization.writable = true, ...})
        -> (tensor<f32> {quern.name = "loss"},
            tensor<3xf32> {quern.updates = 2 : i64},
            tensor<i64> {quern.updates = 3 : i64}) {
      ... forward ... gradients ...
      %w2 = quern.sgd_update %w, %gw, %lr momentum = 0.0 weight_decay = 0.0
          : tensor<3xf32>, tensor<f32>
      ...
    }
    ```
  }];
  let options = [
    Option<"loss", "loss", "std::string", "\"\"",
           "The output of @forward (by its quern.name) that is the loss (empty: "
           "the only scalar float output)">,
    Option<"optimizer", "optimizer", "std::string", "\"sgd\"",
           "sgd, momentum, nesterov, adam, adamw or adagrad "
           "(passes/TrainStep/Optimizers.cpp)">,
    Option<"momentum", "momentum", "double", "-1",
           "Momentum of momentum and nesterov (-1: PyTorch's default, 0.9)">,
    Option<"beta1", "beta1", "double", "-1",
           "Adam's beta1 (-1: PyTorch's default, 0.9)">,
    Option<"beta2", "beta2", "double", "-1",
           "Adam's beta2 (-1: PyTorch's default, 0.999)">,
    Option<"eps", "eps", "double", "-1",
           "Adam's and Adagrad's epsilon (-1: PyTorch's default, 1e-8 and "
           "1e-10)">,
    Option<"weightDecay", "weight-decay", "double", "-1",
           "Weight decay (-1: PyTorch's default, 0.01 for AdamW, else 0)">,
    Option<"clipGradNorm", "clip-grad-norm", "double", "0",
           "Clip the global gradient norm to this value (0: no clipping)">,
    Option<"gradientSuffix", "gradient-suffix", "std::string", "\"\"",
           "The graph computes its own gradients: the result named "
           "<parameter><suffix> is that parameter's gradient; parameters "
           "without one are frozen (empty: reverse mode from the loss)">,
    Option<"accumulate", "accumulate", "int", "1",
           "Micro-batches per step: every input of rank >= 1 holds this many "
           "along its first dimension, and the step averages their gradients "
           "before one update">,
    Option<"dataParallel", "data-parallel", "bool", "false",
           "Average the gradients over the processes of a data-parallel job "
           "(quern.collective_start/wait on buckets of them) before clipping "
           "and the updates">,
    Option<"bucketBytes", "bucket-bytes", "int64_t", "25 << 20",
           "With data-parallel: the most bytes of gradients in one bucket "
           "(a larger gradient is a bucket of its own)">,
    Option<"shardOptimizer", "shard-optimizer", "int64_t", "0",
           "With data-parallel: shard the optimizer state over this many "
           "processes (ZeRO stage 1; 0: every process keeps all of it)">
  ];
  let dependentDialects = ["quern::QuernDialect",
                           "mlir::arith::ArithDialect",
                           "mlir::func::FuncDialect",
                           "mlir::linalg::LinalgDialect",
                           "mlir::scf::SCFDialect",
                           "mlir::tensor::TensorDialect"];
}

def MarkTrainablePass : Pass<"quern-mark-trainable", "mlir::ModuleOp"> {
  let summary = "Choose which parameters of @forward are trained";
  let description = [{
    Sets `trainable` in the `quern.param` of every parameter of `@forward`
    from globs over the parameter (ONNX initializer) names: a parameter is
    trainable when it matches a `trainable` glob (or there are none) and no
    `freeze` glob. A glob that is malformed or matches no parameter is an
    error, so a typo does not silently train everything.

    ```mlir
    // quern-opt --quern-mark-trainable="freeze=fc1.*"
    func.func @forward(%x: tensor<4x8xf32>,
                       %w1: tensor<8x8xf32> {quern.param = {name = "fc1.weight", trainable = false}},
                       %w2: tensor<8x2xf32> {quern.param = {name = "fc2.weight", trainable = true}})
    ```
  }];
  let options = [
    ListOption<"trainable", "trainable", "std::string",
               "Globs of the parameters to train (none: every parameter)">,
    ListOption<"freeze", "freeze", "std::string",
               "Globs of the parameters not to train">
  ];
}

def PlaceUpdatesPass : Pass<"quern-place-updates", "mlir::ModuleOp"> {
  let summary = "Update each parameter as soon as its gradient is final";
  let description = [{
    quern-make-train-step builds the optimizer's updates after every
    gradient, so every parameter's gradient lives until the end of the step.
    This pass moves each op of `@train_step` that computes a state update
    (a result with `quern.updates`) to just after the last op it must
    follow: the ops defining its operands, and every other reader of the
    argument it overwrites (those must see the old value). A parameter is
    then updated as soon as its gradient is final and its last reader has
    run, and the gradient's buffer is free for the rest of the backward
    pass. An update of a clipped gradient stays after the global norm, an
    update after a micro-batch loop after the loop, and the step counter's
    increment after the last update that reads the counter. The updates
    compute exactly what they did.

    ```mlir
    // quern-opt --quern-make-train-step --quern-place-updates
    %d1 = quern.matmul %d2, %w2 transpose_rhs ...   // w2's last reader
    %dw2 = quern.matmul %a1, %d2 transpose_lhs ...  // w2's gradient
    %w2_new = quern.sgd_update %w2, %dw2, %lr ...   // moved up from the end
    ...                                             // the rest of backward
    ```
  }];
}

def QuantizePass : Pass<"quern-quantize", "mlir::ModuleOp"> {
  let summary = "Store frozen weights that only products read in 4 or 8 bits";
  let description = [{
    Every frozen parameter of `@forward` (`trainable = false`) that is an
    f32 tensor of rank 2 or more, that only matrix products read (directly
    or through transposes and reshapes), and whose elements the block
    divides is replaced by its quantized parts (passes/Quantize/
    Quantization.h): codes and scales, or with `double-quant` codes, scale
    codes, their scales and an offset. Each part is a frozen parameter named
    after the weight, with a `quern.quantized` record from which quernc
    computes its value; the graph reads the weight as `quern.dequantize`,
    which code generation decodes as the products pack it.

    `only` narrows the weights to those its globs match; each glob must
    match one, and a weight it names that cannot be quantized (trained,
    read by something other than a product, a block that does not divide
    it) is an error naming the weight. Without `only`, such weights stay as
    they are, and finding no weight at all is an error.

    ```mlir
    // quern-opt --quern-quantize="scheme=nf4 block=64"
    func.func @forward(%x: tensor<8x32xf32>,
        %w: tensor<32x32xf32> {quern.param = {name = "w", trainable = false}})
        -> tensor<8x32xf32> {
      %y = quern.matmul %x, %w : tensor<8x32xf32>, tensor<32x32xf32> -> tensor<8x32xf32>
      return %y : tensor<8x32xf32>
    }
    // becomes
    func.func @forward(%x: tensor<8x32xf32>,
        %codes: tensor<512xi8> {quern.param = {name = "w", trainable = false},
                                quern.quantized = {of = "w", part = "codes", ...}},
        %scales: tensor<16xf32> {quern.param = {name = "w.scales", trainable = false},
                                 quern.quantized = {of = "w", part = "scales", ...}})
        -> tensor<8x32xf32> {
      %w = quern.dequantize nf4 %codes, %scales block = 64
          : tensor<512xi8>, tensor<16xf32> -> tensor<32x32xf32>
      %y = quern.matmul %x, %w : tensor<8x32xf32>, tensor<32x32xf32> -> tensor<8x32xf32>
      return %y : tensor<8x32xf32>
    }
    ```
  }];
  let options = [
    Option<"scheme", "scheme", "std::string", "\"nf4\"",
           "The codes: nf4, int4 or int8">,
    Option<"block", "block", "int64_t", "64",
           "Consecutive elements that share a scale">,
    Option<"doubleQuant", "double-quant", "bool", "false",
           "Store the scales as int8 codes too (blocks of 256)">,
    ListOption<"only", "only", "std::string",
               "Globs of the weights to quantize (none: every one that can be)">
  ];
  let dependentDialects = ["quern::QuernDialect"];
}

def RecomputePass : Pass<"quern-recompute", "mlir::ModuleOp"> {
  let summary = "Keep or recompute a training step's activations under a "
                "memory budget";
  let description = [{
    In `@train_step` as quern-make-train-step builds it, every forward op
    whose results the backward pass reads (an activation) is either kept,
    its results living from the forward pass until their last backward use,
    or recomputed: cloned into the backward pass just before the first op
    there that needs it, from operands kept or recomputed in turn, and freed
    after its last use. The choice is the one with the least recomputation
    cost (each op's FLOPs plus two per byte it reads and writes,
    CostOpInterface) whose estimated memory is at most `budget` bytes at
    every moment of the backward pass: a mixed-integer program in the manner
    of Checkmate with the schedule fixed, solved by COIN-OR CBC. The memory
    at a moment counts the kept values still to be read, the recomputed
    values that may be live then, and the backward pass's own live values;
    a reshape is a view of its operand. With `budget=0` the choice is the
    one with the least estimated peak. The estimate over-counts what
    bufferization and fusion share; quernc plans the choices for several
    budgets and takes one whose workspace plan fits its own budget.

    A clone is the same op on the same values, so recomputed values are the
    kept ones bit for bit (a dropout mask depends only on seed, step and
    position). Forward ops that only the backward pass read are removed.
    `@train_step` gets `quern.recompute`: the FLOPs recomputed per step,
    the solver's optimality gap and time, the estimated peaks with and
    without recomputation, and the recomputed values by ONNX node;
    `quern.kept_for_backward` is recorded anew. The solver is limited by
    `max-nodes` branch-and-bound nodes (not by time, so that the choice is
    the same on every run; a 30-second limit is only a safety net).

    ```mlir
    // quern-opt --quern-recompute=budget=0
    %h = quern.matmul %x, %w ...        // forward; not kept any more
    quern.backward_begins
    %x_in = quern.recompute_input %x ...
    %w_in = quern.recompute_input %w ...
    %h_again = quern.matmul %x_in, %w_in ...  // recomputed before its use
    %dx = quern.matmul %dh, %h_again ...
    ```
  }];
  let options = [
    Option<"budget", "budget", "int64_t", "0",
           "Estimated peak bytes of the step's memory to stay under (0: as "
           "few as possible)">,
    Option<"maxNodes", "max-nodes", "int", "500",
           "Most branch-and-bound nodes the solver explores">,
    Option<"gap", "gap", "double", "1e-3",
           "The solver stops at a choice within this fraction of its bound">,
  ];
}

#endif // QUERN_PASSES_TD
