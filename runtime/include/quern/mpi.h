/*===- quern/mpi.h - data-parallel training over MPI ------------*- C -*-===*|
|*                                                                            *|
|* A model compiled with `quernc --train --data-parallel` hands its gradient  *|
|* buckets to a communicator (docs/ABI.md). These functions are one over MPI  *|
|* (Open MPI): each bucket is summed over the processes of MPI_COMM_WORLD     *|
|* with a non-blocking MPI_Iallreduce started as the backward pass finishes   *|
|* it, then scaled by 1/N (with --shard-optimizer, a process keeps its chunk, *|
|* and the updated pieces are MPI_Iallgather-ed). They are libquern_rt's      *|
|* quern_rt_mpi library, built with MPI unless CMake's QUERN_ENABLE_MPI is    *|
|* OFF; then quern_rt_mpi_available() is 0 and the others fail.               *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/

#ifndef QUERN_MPI_H
#define QUERN_MPI_H

#include "quern/runtime.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Whether libquern_rt was built with MPI. */
int quern_rt_mpi_available(void);

/* Whether this process was started by mpirun (Open MPI's or PMIx's
   environment), so that quern_rt_mpi_init should be called. */
int quern_rt_mpi_launched(void);

/* MPI_Init_thread (funneled) and this process's rank and the number of
   processes. Errors make MPI return an error code rather than abort, so a
   failure is reported (quern_rt_last_error) and the caller exits. */
int quern_rt_mpi_init(int *argc, char ***argv, int *rank, int *size);

/* Makes `model` (compiled with --data-parallel) average its gradients over
   the processes; QUERN_RT_ERROR_INVALID_ARGUMENT for a model that is not
   data-parallel. */
int quern_rt_mpi_attach(quern_rt_model *model);

/* Saves the state of a data-parallel job to `path` (as quern_rt_state_save,
   atomically): every process calls it with its state, rank 0 writes. A
   model compiled with --shard-optimizer keeps a piece of its optimizer
   state in each process: rank 0 gathers them into the whole tensors a
   checkpoint holds (the same file as without sharding). */
int quern_rt_mpi_state_save(const quern_rt_model *model, const char *path,
                            const void *state);

/* The longest a process waits for another (a bucket's mean, the loss's
   sum, the broadcast state; default 600 s): past it, the process reports
   on stderr that another is stuck or gone and ends the job (MPI_Abort),
   rather than wait forever. The communicator cannot return an error from
   inside the compiled step, which is why it ends the job itself. */
void quern_rt_mpi_set_timeout(double seconds);

/* Copies `bytes` of `data` from rank `root` to every process. */
int quern_rt_mpi_broadcast(void *data, size_t bytes, int root);

/* Replaces `values` (`count` doubles) by their sums over the processes:
   the loss's sum, and whether any process was interrupted. */
int quern_rt_mpi_sum(double *values, size_t count);

/* Seconds this process spent in the step's waits for its buckets' means
   since quern_rt_mpi_init: the communication the backward pass did not
   hide. */
double quern_rt_mpi_wait_seconds(void);

/* Ends every process of the job with `code` (after one process's error,
   so that the others do not wait for it forever). */
void quern_rt_mpi_abort(int code);

/* MPI_Finalize. */
void quern_rt_mpi_finalize(void);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* QUERN_MPI_H */
