//===- QuernOptimizerOps.td - the training step's own ops --*- tablegen -*-===//
//
// One op per optimizer: the whole update of a parameter and its state is a
// single fused loop after lowering, written in destination-passing style
// into the parameter's and the state's own buffers, so a training step
// updates them in place. And the marker of where the backward pass begins.
//
//===----------------------------------------------------------------------===//

#ifndef QUERN_OPTIMIZER_OPS_TD
#define QUERN_OPTIMIZER_OPS_TD

include "dialects/quern/QuernBase.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

def Quern_SgdUpdateOp : Quern_Op<"sgd_update", [Pure,
    AllTypesMatch<["param", "grad", "new_param"]>]> {
  let summary = "stochastic gradient descent, with momentum (PyTorch's SGD)";
  let description = [{
    `g' = grad + weight_decay * param`; with `momentum` > 0 (then the
    `buffer` operand and result are present),
    `buffer' = momentum * buffer + g'` and the step direction is `buffer'`,
    or `g' + momentum * buffer'` with `nesterov`; `param' = param - lr * dir`.
    `lr` is a rank-0 tensor (the learning rate, a run-time input).

    ```mlir
    %p2, %b2 = quern.sgd_update %p, %g, %lr buffer(%b : tensor<256x784xf32>)
        momentum = 9.0e-01
        weight_decay = 0.0 : tensor<256x784xf32>, tensor<f32>,
        buffer tensor<256x784xf32>
    ```
  }];
  let arguments = (ins Quern_FloatTensor:$param, Quern_FloatTensor:$grad,
                       Quern_FloatTensor:$lr,
                       Optional<Quern_FloatTensor>:$buffer,
                       F64Attr:$momentum, UnitAttr:$nesterov,
                       F64Attr:$weight_decay);
  let results = (outs Quern_FloatTensor:$new_param,
                      Optional<Quern_FloatTensor>:$new_buffer);
  let assemblyFormat = [{
    $param `,` $grad `,` $lr (`buffer` `(` $buffer^ `:` type($buffer) `)`)?
    `momentum` `=` $momentum (`nesterov` $nesterov^)? `weight_decay` `=`
    $weight_decay attr-dict `:` type($param) `,` type($lr)
    (`,` `buffer` type($new_buffer)^)?
  }];
  let hasVerifier = 1;
}

def Quern_AdamUpdateOp : Quern_Op<"adam_update", [Pure,
    AllTypesMatch<["param", "grad", "exp_avg", "exp_avg_sq", "new_param",
                   "new_exp_avg", "new_exp_avg_sq"]>]> {
  let summary = "Adam and AdamW (PyTorch's semantics)";
  let description = [{
    With `t = step + 1`: weight decay is decoupled (AdamW:
    `param *= 1 - lr * weight_decay`) with `decoupled`, else added to the
    gradient (Adam's L2: `g += weight_decay * param`); then
    `m' = beta1 m + (1 - beta1) g`, `v' = beta2 v + (1 - beta2) g^2`,
    `param' = param - lr * (m' / (1 - beta1^t)) / (sqrt(v' / (1 - beta2^t)) + eps)`.
    `lr` is a rank-0 float tensor, `step` a rank-0 i64 tensor (the number of
    steps taken before this one).

    ```mlir
    %p2, %m2, %v2 = quern.adam_update %p, %g, %m, %v, %lr, %step
        beta1 = 9.0e-01 beta2 = 9.99e-01 eps = 1.0e-08 weight_decay = 1.0e-02
        decoupled : tensor<32xf32>, tensor<f32>, tensor<i64>
    ```
  }];
  let arguments = (ins Quern_FloatTensor:$param, Quern_FloatTensor:$grad,
                       Quern_FloatTensor:$exp_avg,
                       Quern_FloatTensor:$exp_avg_sq, Quern_FloatTensor:$lr,
                       StaticShapeTensorOf<[I64]>:$step, F64Attr:$beta1,
                       F64Attr:$beta2, F64Attr:$eps, F64Attr:$weight_decay,
                       UnitAttr:$decoupled);
  let results = (outs Quern_FloatTensor:$new_param,
                      Quern_FloatTensor:$new_exp_avg,
                      Quern_FloatTensor:$new_exp_avg_sq);
  let assemblyFormat = [{
    $param `,` $grad `,` $exp_avg `,` $exp_avg_sq `,` $lr `,` $step
    `beta1` `=` $beta1 `beta2` `=` $beta2 `eps` `=` $eps `weight_decay` `=`
    $weight_decay (`decoupled` $decoupled^)? attr-dict
    `:` type($param) `,` type($lr) `,` type($step)
  }];
  let hasVerifier = 1;
}

def Quern_AdagradUpdateOp : Quern_Op<"adagrad_update", [Pure,
    AllTypesMatch<["param", "grad", "sum", "new_param", "new_sum"]>]> {
  let summary = "Adagrad (PyTorch's semantics, no learning-rate decay)";
  let description = [{
    `g' = grad + weight_decay * param`, `sum' = sum + g'^2`,
    `param' = param - lr * g' / (sqrt(sum') + eps)`.

    ```mlir
    %p2, %s2 = quern.adagrad_update %p, %g, %s, %lr eps = 1.0e-10
        weight_decay = 0.0 : tensor<32xf32>, tensor<f32>
    ```
  }];
  let arguments = (ins Quern_FloatTensor:$param, Quern_FloatTensor:$grad,
                       Quern_FloatTensor:$sum, Quern_FloatTensor:$lr,
                       F64Attr:$eps, F64Attr:$weight_decay);
  let results = (outs Quern_FloatTensor:$new_param,
                      Quern_FloatTensor:$new_sum);
  let assemblyFormat = [{
    $param `,` $grad `,` $sum `,` $lr `eps` `=` $eps `weight_decay` `=`
    $weight_decay attr-dict `:` type($param) `,` type($lr)
  }];
  let hasVerifier = 1;
}

def Quern_BackwardBeginsOp : Quern_Op<"backward_begins",
    [MemoryEffects<[MemWrite]>]> {
  let summary = "where a training step's backward pass begins";
  let description = [{
    quern-make-train-step places it between the forward ops and the
    backward ops it builds (in the micro-batch loop when there is one): the
    values live across it are the activations the backward pass keeps. It
    computes nothing. Its write effect keeps it in place through conversion
    and bufferization until quern-plan-workspace records the bytes of the
    workspace buffers written before it and read after it
    (`quern.kept_for_backward_bytes`) and erases it.

    ```mlir
    quern.backward_begins
    ```
  }];
  let assemblyFormat = "attr-dict";
}

def Quern_RecomputeInputOp : Quern_Op<"recompute_input",
    [MemoryEffects<[MemWrite]>, AllTypesMatch<["input", "result"]>]> {
  let summary = "a value that a recomputation in the backward pass reads";
  let description = [{
    quern-recompute reads every value its recomputed ops take from outside
    the recomputation (kept activations, parameters; not constants, which
    must stay foldable into their readers) through one of these:
    the result is the input, the same buffer. Its write effect keeps common
    subexpression elimination from folding a recomputed op back into the
    forward op it copies (they would read the same values otherwise), which
    would keep the forward's result alive after all. Bufferization makes
    the result the input's buffer and removes it.

    ```mlir
    %x_again = quern.recompute_input %x : tensor<64x256xf32>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$input);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
}

def Quern_CollectiveStartOp : Quern_Op<"collective_start",
    [MemoryEffects<[MemWrite]>]> {
  let summary = "starts a collective operation on a gradient or parameter bucket";
  let description = [{
    `quernc --train --data-parallel` (quern-make-train-step with
    `data-parallel`) packs the gradients into buckets, in the order the
    backward pass finishes them, and places this op right after the
    bucket's last gradient is computed. The bucket is `values` (1-D f32
    tensors) one after the other, then, if the result is longer, elements
    the host writes. It is handed to the host's communicator (docs/ABI.md,
    `NAME_set_communicator`), which replaces it, asynchronously, by what
    `kind` says, over the processes of the job:

    - `all_reduce`: the mean of the processes' buckets;
    - `reduce_scatter` (`over N`, with `--shard-optimizer`): the bucket is
      N chunks, one per process; the first chunk becomes the mean of the
      processes' chunks of this process's rank (the rest is undefined);
    - `all_gather` (`over N`): `values` are this process's chunk, the
      first of N; the bucket becomes every process's, in rank order.

    The result is the bucket, pending: only its quern.collective_wait may
    read it. Bufferization packs the values into a buffer of the bucket's
    own (or, for one value that fills it, uses the value's buffer) and
    makes both ops calls of the communicator on it. Packing is one op,
    rather than a chain of insertions into one tensor, whose bufferization
    analysis would grow with the cube of the bucket's values. The write
    effect keeps the ops in place.

    ```mlir
    %pending = quern.collective_start all_reduce %dw, %db bucket = 0 : tensor<4096xf32>, tensor<64xf32> -> tensor<4160xf32>
    %gather = quern.collective_start all_gather %piece bucket = 3 over 2 : tensor<2080xf32> -> tensor<4160xf32>
    ```
  }];
  let arguments = (ins Variadic<1DTensorOf<[F32]>>:$values, I64Attr:$bucket,
                       Quern_CollectiveKind:$kind,
                       OptionalAttr<I64Attr>:$processes);
  let results = (outs 1DTensorOf<[F32]>:$pending);
  let assemblyFormat = [{
    $kind $values `bucket` `=` $bucket (`over` $processes^)? attr-dict `:`
    type($values) `->` type($pending)
  }];
  let hasVerifier = 1;
}

def Quern_CollectiveWaitOp : Quern_Op<"collective_wait",
    [MemoryEffects<[MemWrite]>, AllTypesMatch<["pending", "result"]>]> {
  let summary = "waits for a bucket's collective operation";
  let description = [{
    Returns what the quern.collective_start of `pending` (of the same kind
    and bucket) computes, in the same buffer, once the communicator has it.
    quern-make-train-step places the gradient buckets' waits after the
    whole backward pass, before clipping and the updates read the
    gradients; with `--shard-optimizer`, the parameter buckets' waits after
    every piece is updated, each bucket's gather started as soon as its
    pieces are.

    ```mlir
    %mean = quern.collective_wait all_reduce %pending bucket = 0 : tensor<4160xf32>
    ```
  }];
  let arguments = (ins 1DTensorOf<[F32]>:$pending, I64Attr:$bucket,
                       Quern_CollectiveKind:$kind,
                       OptionalAttr<I64Attr>:$processes);
  let results = (outs 1DTensorOf<[F32]>:$result);
  let assemblyFormat = [{
    $kind $pending `bucket` `=` $bucket (`over` $processes^)? attr-dict `:`
    type($pending)
  }];
  let hasVerifier = 1;
}

def Quern_ProcessRankOp : Quern_Op<"process_rank", [Pure]> {
  let summary = "this process's rank in a data-parallel job";
  let description = [{
    The rank the host gave `NAME_set_communicator` (0 until it does).
    `--shard-optimizer` reads each parameter's piece at an offset that
    depends on it. Lowered to a call of the library's
    `quern_process_rank`.

    ```mlir
    %rank = quern.process_rank : index
    ```
  }];
  let results = (outs Index:$rank);
  let assemblyFormat = "attr-dict `:` type($rank)";
}

#endif // QUERN_OPTIMIZER_OPS_TD
