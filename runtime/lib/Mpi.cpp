//===- Mpi.cpp - Data-parallel communication over MPI ---------------------===//
//
// This file is part of Quern.
//
//===----------------------------------------------------------------------===//
//
// quern/mpi.h. Each gradient bucket is summed in place over MPI_COMM_WORLD
// with MPI_Iallreduce when the step starts it (with --shard-optimizer,
// MPI_Ireduce_scatter_block, and the updated pieces MPI_Iallgather); every
// later start, and the waits, test the requests still open, which is what
// makes Open MPI progress them while the backward pass goes on (it has no
// progress thread). The wait scales a sum by 1/N in f32, as gradient
// accumulation scales its sum of micro-batches, so that two processes give
// exactly the step of one with --accumulate=2 (with more, MPI's summation
// order differs).
//
// Open MPI's non-blocking all-reduce (libnbc) picks, for large buckets, an
// algorithm that took twice as long as its blocking MPI_Allreduce here (11
// against 5.4 ms for 24 MiB on two processes); its ring algorithm, which
// moves the least data, took 6.0 ms. Unless the user chose one, the ring it
// is. libnbc's MPI_Ireduce_scatter_block, which has no algorithm to choose,
// took 131 ms for the same 24 MiB (the blocking one 54 ms): a
// reduce-scatter bucket is all-reduced on the ring instead, and its wait
// keeps this process's chunk. MPI_Iallgather took 2.2 ms.
//
//===----------------------------------------------------------------------===//

#include "Model.h"
#include "State.h"

#include "quern/mpi.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <limits>
#include <string>
#include <vector>

#ifdef QUERN_HAVE_MPI
#include <mpi.h>
#endif

using namespace quern::rt;

int quern_rt_mpi_launched(void) {
  return std::getenv("OMPI_COMM_WORLD_SIZE") || std::getenv("PMIX_RANK");
}

#ifdef QUERN_HAVE_MPI

namespace {

/// The open reductions, by bucket, and what the waits for them measured.
struct Communicator {
  std::vector<MPI_Request> requests;
  int size = 1, rank = 0;
  double waitSeconds = 0;
  double timeoutSeconds = 600;

  /// Lets MPI move the open reductions along.
  void progress() {
    for (MPI_Request &request : requests) {
      if (request == MPI_REQUEST_NULL)
        continue;
      int done = 0;
      MPI_Test(&request, &done, MPI_STATUS_IGNORE);
    }
  }

  /// MPI_Wait for `request` (of `what`), for at most the timeout: a process
  /// that stopped (stuck, or stopped by a signal) would otherwise keep the
  /// others waiting forever. The step cannot return an error from inside a
  /// communicator call, so past the timeout this says why and ends the
  /// job. Returns the seconds waited.
  double finish(MPI_Request &request, const std::string &what) {
    auto start = std::chrono::steady_clock::now();
    auto waited = [&] {
      return std::chrono::duration<double>(std::chrono::steady_clock::now() -
                                           start)
          .count();
    };
    for (int done = 0; !done;) {
      if (MPI_Test(&request, &done, MPI_STATUS_IGNORE) != MPI_SUCCESS)
        MPI_Abort(MPI_COMM_WORLD, 1);
      if (!done && waited() > timeoutSeconds) {
        std::fprintf(stderr,
                     "quern_rt_mpi: rank %d: no %s after %.0f s: another "
                     "process is stuck or gone; ending the job\n",
                     rank, what.c_str(), timeoutSeconds);
        MPI_Abort(MPI_COMM_WORLD, 1);
      }
    }
    return waited();
  }
};

Communicator communicator;

/// Ends the job when `count` floats are more than MPI counts (ints): a
/// larger gradient, a bucket of its own, would need a derived datatype.
void checkCount(const Communicator &self, int64_t bucket, int64_t count) {
  if (count <= std::numeric_limits<int>::max())
    return;
  std::fprintf(stderr,
               "quern_rt_mpi: rank %d: bucket %lld holds %lld floats, more "
               "than MPI counts; ending the job\n",
               self.rank, (long long)bucket, (long long)count);
  MPI_Abort(MPI_COMM_WORLD, 1);
}

void startBucket(void *context, int64_t bucket, int64_t kind, float *values,
                 int64_t count) {
  auto &self = *static_cast<Communicator *>(context);
  self.progress();
  if (size_t(bucket) >= self.requests.size())
    self.requests.resize(size_t(bucket) + 1, MPI_REQUEST_NULL);
  MPI_Request *request = &self.requests[size_t(bucket)];
  int64_t chunk = count / self.size;
  int code;
  switch (kind) {
  case QUERN_RT_ALL_GATHER:
    // In place, each process's chunk is where rank order puts it.
    checkCount(self, bucket, count);
    if (self.rank != 0)
      std::memcpy(values + self.rank * chunk, values,
                  size_t(chunk) * sizeof(float));
    code = MPI_Iallgather(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, values,
                          int(chunk), MPI_FLOAT, MPI_COMM_WORLD, request);
    break;
  default:
    // A reduce-scatter too: the wait keeps this process's chunk (see the
    // file comment).
    checkCount(self, bucket, count);
    code = MPI_Iallreduce(MPI_IN_PLACE, values, int(count), MPI_FLOAT, MPI_SUM,
                          MPI_COMM_WORLD, request);
  }
  if (code != MPI_SUCCESS)
    MPI_Abort(MPI_COMM_WORLD, 1);
}

void waitBucket(void *context, int64_t bucket, int64_t kind, float *values,
                int64_t count) {
  auto &self = *static_cast<Communicator *>(context);
  self.waitSeconds +=
      self.finish(self.requests[size_t(bucket)],
                  (kind == QUERN_RT_ALL_GATHER ? "parameters of bucket "
                                               : "mean of gradient bucket ") +
                      std::to_string(bucket));
  if (kind == QUERN_RT_ALL_GATHER)
    return;
  int64_t summed = count;
  if (kind == QUERN_RT_REDUCE_SCATTER) {
    summed = count / self.size;
    if (self.rank != 0)
      std::memcpy(values, values + self.rank * summed,
                  size_t(summed) * sizeof(float));
  }
  float scale = float(1.0 / self.size);
  for (int64_t i = 0; i < summed; ++i)
    values[i] *= scale;
}

int mpiFailure(const char *function, int code) {
  char text[MPI_MAX_ERROR_STRING];
  int length = 0;
  MPI_Error_string(code, text, &length);
  return setLastError(QUERN_RT_ERROR_LIBRARY,
                      std::string(function) + ": " + std::string(text, length));
}

} // namespace

int quern_rt_mpi_available(void) { return 1; }

int quern_rt_mpi_init(int *argc, char ***argv, int *rank, int *size) {
  setenv("OMPI_MCA_coll_libnbc_iallreduce_algorithm", "1", /*overwrite=*/0);
  int provided = 0;
  int code = MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided);
  if (code != MPI_SUCCESS)
    return mpiFailure("MPI_Init_thread", code);
  MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
  MPI_Comm_rank(MPI_COMM_WORLD, rank);
  MPI_Comm_size(MPI_COMM_WORLD, size);
  communicator.size = *size;
  communicator.rank = *rank;
  return QUERN_RT_OK;
}

void quern_rt_mpi_set_timeout(double seconds) {
  communicator.timeoutSeconds = seconds;
}

int quern_rt_mpi_attach(quern_rt_model *model) {
  int64_t processes = quern_rt_model_shard_processes(model);
  if (processes && processes != communicator.size)
    return setLastError(QUERN_RT_ERROR_INVALID_ARGUMENT,
                        "model '" + std::string(quern_rt_model_name(model)) +
                            "' keeps its optimizer state sharded over " +
                            std::to_string(processes) +
                            " processes (--shard-optimizer), but the job has " +
                            std::to_string(communicator.size));
  return quern_rt_model_set_communicator(model, &communicator, startBucket,
                                         waitBucket, communicator.rank);
}

int quern_rt_mpi_state_save(const quern_rt_model *model, const char *path,
                            const void *state) {
  if (!model || !path || !state)
    return setLastError(QUERN_RT_ERROR_INVALID_ARGUMENT,
                        "quern_rt_mpi_state_save: model, path or state is "
                        "NULL");
  const Manifest &manifest = model->manifest;
  if (int64_t processes = manifest.shardProcesses();
      processes && processes != communicator.size)
    return setLastError(QUERN_RT_ERROR_INVALID_ARGUMENT,
                        "quern_rt_mpi_state_save: model '" + manifest.name +
                            "' is sharded over " + std::to_string(processes) +
                            " processes, the job has " +
                            std::to_string(communicator.size));
  // Rank 0 gathers every sharded tensor's pieces and puts them together:
  // for the time of the save, it holds the whole optimizer state.
  std::deque<std::vector<char>> wholes;
  WholeTensors whole;
  std::vector<char> pieces;
  for (const StateTensorSpec &tensor : manifest.stateTensors) {
    if (!tensor.shardProcesses)
      continue;
    if (communicator.rank == 0)
      pieces.resize(tensor.bytes * size_t(communicator.size));
    // In elements, which MPI counts as ints (the bytes of a large piece
    // would not fit).
    size_t elementBytes = tensor.bytes / size_t(tensor.shardElements);
    if (tensor.shardElements > std::numeric_limits<int>::max() ||
        elementBytes != sizeof(float))
      return setLastError(QUERN_RT_ERROR_INVALID_ARGUMENT,
                          "quern_rt_mpi_state_save: '" + tensor.name +
                              "' is not pieces of f32 that MPI can count");
    MPI_Request request;
    const char *mine = static_cast<const char *>(state) + tensor.offset;
    int code = MPI_Igather(mine, int(tensor.shardElements), MPI_FLOAT,
                           pieces.data(), int(tensor.shardElements), MPI_FLOAT,
                           0, MPI_COMM_WORLD, &request);
    if (code != MPI_SUCCESS)
      return mpiFailure("MPI_Igather", code);
    communicator.finish(request, "pieces of '" + tensor.name + "'");
    if (communicator.rank != 0)
      continue;
    std::vector<char> &joined = wholes.emplace_back(tensor.wholeBytes);
    joinPieces(tensor, pieces.data(), joined.data());
    whole[tensor.name] = joined.data();
  }
  if (communicator.rank != 0)
    return QUERN_RT_OK;
  std::string error;
  int status = saveState(manifest, path, state, error, StatePart::All, whole);
  return status == QUERN_RT_OK ? status : setLastError(status, error);
}

int quern_rt_mpi_broadcast(void *data, size_t bytes, int root) {
  // In pieces of at most 1 GiB: MPI counts are ints.
  constexpr size_t kPiece = size_t(1) << 30;
  char *bytesData = static_cast<char *>(data);
  for (size_t done = 0; done < bytes; done += kPiece) {
    size_t piece = std::min(kPiece, bytes - done);
    MPI_Request request;
    int code = MPI_Ibcast(bytesData + done, int(piece), MPI_BYTE, root,
                          MPI_COMM_WORLD, &request);
    if (code != MPI_SUCCESS)
      return mpiFailure("MPI_Ibcast", code);
    communicator.finish(request, "state from rank " + std::to_string(root));
  }
  return QUERN_RT_OK;
}

int quern_rt_mpi_sum(double *values, size_t count) {
  MPI_Request request;
  int code = MPI_Iallreduce(MPI_IN_PLACE, values, int(count), MPI_DOUBLE,
                            MPI_SUM, MPI_COMM_WORLD, &request);
  if (code != MPI_SUCCESS)
    return mpiFailure("MPI_Iallreduce", code);
  communicator.finish(request, "sum of the step's loss");
  return QUERN_RT_OK;
}

double quern_rt_mpi_wait_seconds(void) { return communicator.waitSeconds; }

void quern_rt_mpi_abort(int code) { MPI_Abort(MPI_COMM_WORLD, code); }

void quern_rt_mpi_finalize(void) { MPI_Finalize(); }

#else // !QUERN_HAVE_MPI

static int unavailable(const char *function) {
  return setLastError(QUERN_RT_ERROR_LIBRARY,
                      std::string(function) +
                          ": libquern_rt was built without MPI "
                          "(QUERN_ENABLE_MPI=OFF)");
}

int quern_rt_mpi_available(void) { return 0; }
int quern_rt_mpi_init(int *, char ***, int *, int *) {
  return unavailable("quern_rt_mpi_init");
}
int quern_rt_mpi_attach(quern_rt_model *) {
  return unavailable("quern_rt_mpi_attach");
}
int quern_rt_mpi_state_save(const quern_rt_model *, const char *,
                            const void *) {
  return unavailable("quern_rt_mpi_state_save");
}
int quern_rt_mpi_broadcast(void *, size_t, int) {
  return unavailable("quern_rt_mpi_broadcast");
}
int quern_rt_mpi_sum(double *, size_t) {
  return unavailable("quern_rt_mpi_sum");
}
double quern_rt_mpi_wait_seconds(void) { return 0; }
void quern_rt_mpi_set_timeout(double) {}
void quern_rt_mpi_abort(int code) { std::exit(code); }
void quern_rt_mpi_finalize(void) {}

#endif // QUERN_HAVE_MPI
