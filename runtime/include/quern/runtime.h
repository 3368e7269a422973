/*===- quern/runtime.h - Running compiled Quern models ------------*- C -*-===*\
|*                                                                            *|
|* This file is part of Quern.                                                *|
|*                                                                            *|
|*===----------------------------------------------------------------------===*|
|*                                                                            *|
|* `quernc model.onnx -o out/NAME` produces NAME.so, whose entry points take  *|
|* raw buffers (DESIGN.md section 4). This C API is what a program needs      *|
|* around them: open the library and read its embedded manifest, allocate     *|
|* state and workspace, load and save state as safetensors, and call the      *|
|* entry points with checks the generated code cannot afford to make.         *|
|*                                                                            *|
|* Conventions:                                                               *|
|*  - Functions returning int return QUERN_RT_OK (0) or a quern_rt_status;    *|
|*    on failure quern_rt_last_error() describes what went wrong.             *|
|*  - Strings and arrays returned by accessors belong to the model and stay   *|
|*    valid until quern_rt_model_close().                                     *|
|*  - A model is immutable after opening and may be shared between threads;   *|
|*    each thread calling an entry point concurrently needs its own           *|
|*    workspace, and train_step needs exclusive use of the state it updates.  *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/

#ifndef QUERN_RUNTIME_H
#define QUERN_RUNTIME_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum quern_rt_status {
  QUERN_RT_OK = 0,
  /* A null pointer, an index out of range, an unknown entry point kind. */
  QUERN_RT_ERROR_INVALID_ARGUMENT = 1,
  /* dlopen failed or a required symbol is missing from the library. */
  QUERN_RT_ERROR_LIBRARY = 2,
  /* The manifest is malformed or disagrees with the library it came in. */
  QUERN_RT_ERROR_MANIFEST = 3,
  /* A file could not be read or written, or is not valid safetensors. */
  QUERN_RT_ERROR_FILE = 4,
  /* A checkpoint's tensors do not match the model's state tensors. */
  QUERN_RT_ERROR_MISMATCH = 5,
  /* The model has no such entry point (e.g. it was compiled for inference
     only and train_step was asked for). */
  QUERN_RT_ERROR_NO_ENTRY_POINT = 6,
  /* The compiled entry point returned nonzero. */
  QUERN_RT_ERROR_ENTRY_FAILED = 7,
  QUERN_RT_ERROR_OUT_OF_MEMORY = 8
} quern_rt_status;

typedef enum quern_rt_entry {
  QUERN_RT_FORWARD = 0,
  QUERN_RT_TRAIN_STEP = 1
} quern_rt_entry;

/* An open compiled model. */
typedef struct quern_rt_model quern_rt_model;

/* Describes an input, output or state tensor: a dense row-major buffer. */
typedef struct quern_rt_tensor_info {
  const char *name;
  const char *dtype; /* "f32" "f64" "f16" "bf16" "i64" "i32" "i16" "i8"
                        "u64" "u32" "u16" "u8" "bool" */
  size_t rank;
  const int64_t *dims; /* rank entries; may be NULL when rank is 0 */
  size_t bytes;        /* product(dims) * element size */
  const char *role;    /* state tensors: "param", "frozen" or "optimizer";
                          NULL for inputs and outputs */
  size_t offset;       /* state tensors: byte offset in the state buffer
                          (64-byte aligned); 0 for inputs and outputs */
} quern_rt_tensor_info;
/* Optimizer state sharded over processes (--shard-optimizer) is described
   as the buffer holds it, this process's piece: rank 1, dims[0] its
   elements (the manifest's "shape" is the whole tensor's). */

/* The message of the last failing call on this thread; "" if none failed.
   Successful calls leave it unchanged. Valid until the next failing call on
   this thread. */
const char *quern_rt_last_error(void);

/* A short fixed name for a status code, e.g. "QUERN_RT_ERROR_FILE". */
const char *quern_rt_status_name(int status);

/*===-- Models ------------------------------------------------------------===*/

/* Opens the compiled library at `so_path` (a path without '/' means the
   current folder, not the loader's search path). The model name NAME is the
   file name without folder and extension ("out/mlp.so" -> "mlp"; a "lib"
   prefix is kept). NAME_manifest, NAME_state_bytes, NAME_workspace_bytes and
   the symbol of every entry point the manifest declares must exist, and the
   manifest must be valid and agree with them. On failure *out is NULL. */
int quern_rt_model_open(const char *so_path, quern_rt_model **out);

/* Unloads the library. NULL is allowed. */
void quern_rt_model_close(quern_rt_model *model);

const char *quern_rt_model_name(const quern_rt_model *model);
/* The manifest JSON text, as embedded in the library. */
const char *quern_rt_model_manifest(const quern_rt_model *model);
/* The target the model was compiled for, e.g. "x86_64-unknown-linux-gnu". */
const char *quern_rt_model_triple(const quern_rt_model *model);
size_t quern_rt_model_state_bytes(const quern_rt_model *model);
size_t quern_rt_model_workspace_bytes(const quern_rt_model *model);

/* 1 if the model has the entry point, else 0. */
int quern_rt_model_has_entry(const quern_rt_model *model, quern_rt_entry entry);
/* Input and output counts of an entry point; 0 if it is absent. */
size_t quern_rt_entry_num_inputs(const quern_rt_model *model,
                                 quern_rt_entry entry);
size_t quern_rt_entry_num_outputs(const quern_rt_model *model,
                                  quern_rt_entry entry);
/* Describe input/output `index` of an entry point, in call order. */
int quern_rt_entry_input(const quern_rt_model *model, quern_rt_entry entry,
                         size_t index, quern_rt_tensor_info *out);
int quern_rt_entry_output(const quern_rt_model *model, quern_rt_entry entry,
                          size_t index, quern_rt_tensor_info *out);

/* The values an integer input may hold because the model reads it as
   indices (ONNX Gather: -n..n-1 for an axis of n) or as class labels (a loss
   over C classes: 0..C-1, or the loss's ignore_index). Generated code clamps
   values outside them rather than fail, so a caller with untrusted data
   checks the data against these before a call. */
typedef struct quern_rt_value_bounds {
  int bounded; /* 0: no op bounds this input's values (the rest is unset) */
  int64_t min, max;
  int has_ignore;
  int64_t ignore;
  const char *reader; /* the op that reads them, e.g. "indices of node 'wte'
                         (Gather) into an axis of 256" */
} quern_rt_value_bounds;
int quern_rt_entry_input_bounds(const quern_rt_model *model,
                                quern_rt_entry entry, size_t index,
                                quern_rt_value_bounds *out);

/* State tensors, in manifest order. */
size_t quern_rt_state_num_tensors(const quern_rt_model *model);
int quern_rt_state_tensor(const quern_rt_model *model, size_t index,
                          quern_rt_tensor_info *out);

/*===-- Memory ------------------------------------------------------------===*/

/* Allocates `bytes` zero-filled bytes aligned to 64, the alignment generated
   code assumes for state, workspace and tensor buffers. bytes == 0 returns a
   unique pointer that must still be freed. NULL when out of memory. */
void *quern_rt_alloc(size_t bytes);
/* Frees memory from quern_rt_alloc. NULL is allowed. */
void quern_rt_free(void *ptr);

/*===-- State files -------------------------------------------------------===*/

/* Fills `state` (quern_rt_model_state_bytes() bytes) from a safetensors file
   such as the compiler's NAME.safetensors or a checkpoint. The file must
   hold exactly the model's state tensors, with the same dtypes and shapes:
   a checkpoint of another model is refused (QUERN_RT_ERROR_MISMATCH) and
   `state` is left untouched. */
int quern_rt_state_load(const quern_rt_model *model,
                        const char *safetensors_path, void *state);

/* Writes every state tensor to `path` as safetensors with metadata
   {"format": "quern-state"}. The file is replaced atomically: a crash leaves
   either the old file or the complete new one. */
int quern_rt_state_save(const quern_rt_model *model, const char *path,
                        const void *state);

/* The trained parameters alone (role "param": a model's LoRA adapters),
   with metadata {"format": "quern-adapters"}: a few MB beside a frozen base
   that the model's own state file holds. Loading needs a file of exactly
   those tensors (QUERN_RT_ERROR_MISMATCH otherwise, `state` untouched) and
   leaves every other state tensor as it was. */
int quern_rt_adapters_save(const quern_rt_model *model, const char *path,
                           const void *state);
int quern_rt_adapters_load(const quern_rt_model *model,
                           const char *safetensors_path, void *state);

/*===-- Running -----------------------------------------------------------===*/

/* Call the compiled entry points. `inputs` and `outputs` hold one dense
   row-major buffer per manifest input/output, in manifest order. `state`
   and `workspace` (quern_rt_model_workspace_bytes() bytes) must be 64-byte
   aligned, as quern_rt_alloc makes them. train_step updates `state` in
   place. QUERN_RT_ERROR_NO_ENTRY_POINT if the model lacks the entry point. */
int quern_rt_forward(const quern_rt_model *model, const void *state,
                     void *workspace, const void *const *inputs,
                     void *const *outputs);
int quern_rt_train_step(const quern_rt_model *model, void *state,
                        void *workspace, const void *const *inputs,
                        void *const *outputs);

/*===-- Kernel profile ----------------------------------------------------===*/

/* One outlined kernel of a model: the manifest's description and, when the
   library was loaded with the environment variable QUERN_PROFILE=1, its
   calls and time since then (zero otherwise). */
typedef struct quern_rt_kernel_info {
  const char *symbol;     /* the kernel function, e.g. "train_step_matmul_4" */
  const char *kind;       /* "contraction", "elementwise", ... */
  const char *strategy;   /* its tiling in a few words; "" if none */
  const char *source;     /* the ONNX node of its first call; "" if none */
  uint64_t flops;         /* per call */
  double estimated_share; /* of the train step's (else forward's) time, as
                             the compiler estimated it */
  uint64_t calls;         /* measured */
  uint64_t nanoseconds;   /* measured, summed over the calls */
} quern_rt_kernel_info;

/*===-- Data-parallel steps
 * ------------------------------------------------===*/

/* What a bucket's collective computes over the processes (docs/ABI.md,
   "Data-parallel steps"). */
enum quern_rt_collective {
  /* `values` become the mean of every process's. */
  QUERN_RT_ALL_REDUCE = 0,
  /* --shard-optimizer: `values` are N chunks, one per process; the first
     becomes the mean of every process's chunk of this rank. */
  QUERN_RT_REDUCE_SCATTER = 1,
  /* --shard-optimizer: `values` become every process's first chunk, in
     rank order. */
  QUERN_RT_ALL_GATHER = 2
};

/* A communicator function of a model compiled with --data-parallel:
   start(context, bucket, kind, values, count) begins the collective `kind`
   (a quern_rt_collective) on a bucket; wait(...) returns once `values`
   hold its result. */
typedef void (*quern_rt_bucket_fn)(void *context, int64_t bucket, int64_t kind,
                                   float *values, int64_t count);

/* Whether the model averages its gradients over processes (it was compiled
   with --data-parallel: it has NAME_set_communicator). */
int quern_rt_model_is_data_parallel(const quern_rt_model *model);

/* Sets the communicator of a data-parallel model's library (quern/mpi.h
   has one over MPI) and this process's rank in the job: one setting per
   loaded library, shared by every model opened from it. Null functions
   make it train as one process again. The rank also picks the pieces of a
   sharded optimizer state that quern_rt_state_load reads for this model
   (set it on every model opened from the library).
   QUERN_RT_ERROR_INVALID_ARGUMENT for a model that is not data-parallel,
   or a rank outside the processes a sharded model was compiled for. */
int quern_rt_model_set_communicator(quern_rt_model *model, void *context,
                                    quern_rt_bucket_fn start,
                                    quern_rt_bucket_fn wait, int64_t rank);

/* The number of processes a model compiled with --shard-optimizer=N keeps
   its optimizer state sharded over: N; 0 for a model that is not sharded.
   A sharded model's train step needs a communicator over exactly N
   processes (QUERN_RT_ERROR_INVALID_ARGUMENT without one), and its state
   is saved by every process together (quern_rt_mpi_state_save). */
int64_t quern_rt_model_shard_processes(const quern_rt_model *model);

/* The number of kernels the model lists (0 for a model compiled before
   kernels were listed). */
size_t quern_rt_model_num_kernels(const quern_rt_model *model);
/* Kernel `index` (< quern_rt_model_num_kernels), with its measurements as
   of this call. Strings live as long as the model.
   QUERN_RT_ERROR_INVALID_ARGUMENT for an index out of range. */
int quern_rt_kernel(const quern_rt_model *model, size_t index,
                    quern_rt_kernel_info *out);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* QUERN_RUNTIME_H */
