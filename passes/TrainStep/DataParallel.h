//===- DataParallel.h - gradients and updates across processes --*- C++ -*-===//
//
// The parts of a data-parallel training step (quern-make-train-step's
// `data-parallel` and `shard-optimizer`) that talk to the other processes:
// gradients packed into buckets in the order the backward pass finishes
// them, each handed to the host's communicator (quern.collective_start) as
// soon as it is complete; and, with the optimizer state sharded, the
// updated parameter pieces gathered again.
//
//===----------------------------------------------------------------------===//

#ifndef QUERN_PASSES_TRAINSTEP_DATAPARALLEL_H
#define QUERN_PASSES_TRAINSTEP_DATAPARALLEL_H

#include "mlir/Dialect/Func/IR/FuncOps.h"

namespace quern {

/// Gradients that travel together, by their index in the step's list.
struct GradientBucket {
  llvm::SmallVector<unsigned> members;
  /// Their elements, whole.
  int64_t elements = 0;
};

/// Averages `gradients` over the processes of a data-parallel job, in
/// buckets of at most `bucketBytes`: each bucket's gradients are packed into
/// a 1-D tensor and handed to the host right after the op of `body` that
/// finishes the last of them (an all_reduce); at the builder's insertion
/// point, after the backward pass, the means are waited for and the
/// gradients sliced from them again. Fails, with an error at `loc`, on a
/// gradient that is not f32.
mlir::LogicalResult
averageOverProcesses(mlir::OpBuilder &builder, mlir::Location loc,
                     mlir::Block &body, int64_t bucketBytes,
                     llvm::MutableArrayRef<mlir::Value> gradients);

/// The optimizer state sharded over `processes` processes (ZeRO stage 1):
/// each process updates one piece of every parameter (quern/Shard.h) with
/// the optimizer state of that piece alone.
class ShardedUpdate {
public:
  explicit ShardedUpdate(int64_t processes) : processes(processes) {}

  /// As averageOverProcesses, but each bucket is reduce-scattered: packed
  /// as one chunk per process (the pieces of its gradients that process
  /// updates), of which this process receives the mean of its own.
  /// `gradients` become this process's pieces (1-D).
  mlir::LogicalResult
  scatterGradients(mlir::OpBuilder &builder, mlir::Location loc,
                   mlir::Block &body, int64_t bucketBytes,
                   llvm::MutableArrayRef<mlir::Value> gradients);

  /// The sum over all processes of `localSum`, the sum of the squares of
  /// this process's `pieces` of the mean gradients, less the elements its
  /// pieces share with an earlier process's: the squared global norm.
  mlir::Value globalSumOfSquares(mlir::OpBuilder &builder, mlir::Location loc,
                                 mlir::Value localSum,
                                 llvm::ArrayRef<mlir::Value> pieces);

  /// This process's piece of `param` (1-D), to update.
  mlir::Value pieceOf(mlir::OpBuilder &builder, mlir::Location loc,
                      mlir::Value param);

  /// The whole parameters again from every process's updated pieces:
  /// `updated` (in the order of the gradients given to scatterGradients)
  /// are packed and all-gathered bucket by bucket; returns the new
  /// parameters, of `params`' types.
  llvm::SmallVector<mlir::Value>
  gatherParameters(mlir::OpBuilder &builder, mlir::Location loc,
                   llvm::ArrayRef<mlir::Value> params,
                   llvm::ArrayRef<mlir::Value> updated);

  int64_t numProcesses() const { return processes; }
  /// The buckets, in the order the backward pass finishes them: updates
  /// built in this order let each bucket's gather overlap the next's.
  llvm::ArrayRef<GradientBucket> gradientBuckets() const { return buckets; }

private:
  /// The next bucket number for the communicator.
  int64_t takeBucket() { return nextBucket++; }

  int64_t processes;
  llvm::SmallVector<GradientBucket> buckets;
  /// Per gradient: its elements, whole, and where its piece is in its
  /// bucket's chunk.
  llvm::SmallVector<int64_t> elements, chunkOffset;
  mlir::Value processRank;
  int64_t nextBucket = 0;
};

} // namespace quern

#endif // QUERN_PASSES_TRAINSTEP_DATAPARALLEL_H
