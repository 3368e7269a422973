//===- KeepOrRecompute.h - the recomputation problem and its solver -*- C++
//-*-//
//
// quern-recompute's choice, apart from the IR: for each forward op of a
// training step, keep its results for the backward pass or recompute them
// there, with the least recomputation whose memory stays under a budget at
// every moment of the backward pass. A mixed-integer program in the manner
// of Checkmate (Jain et al., MLSys 2020) with the schedule fixed (forward,
// then backward in program order, each op recomputed at most once, just
// before its first use), solved by COIN-OR CBC.
//
// The memory at a moment t of the backward pass is the bytes of the kept
// results still read at or after t, plus the recomputed results whose
// lifetime window contains t, plus the backward pass's own values live at t
// (a constant for each moment). A recomputed op's window is the widest its
// lifetime can be: from the earliest first use of it or of anything
// recomputed from it, to the latest moment it or its recomputed readers
// need it. Windows are a safe over-estimate; the workspace plan is exact,
// and the driver checks the choice against it.
//
//===----------------------------------------------------------------------===//

#ifndef QUERN_PASSES_RECOMPUTE_KEEPORRECOMPUTE_H
#define QUERN_PASSES_RECOMPUTE_KEEPORRECOMPUTE_H

#include "llvm/ADT/SmallVector.h"

#include <cstdint>
#include <optional>
#include <string>

namespace quern {

/// One forward op whose results the backward pass may need.
struct RecomputeNode {
  /// Bytes of its results (0 for a view of another node's bytes).
  int64_t bytes = 0;
  /// What recomputing it costs (objective units) and its FLOPs.
  double cost = 0;
  int64_t flops = 0;
  /// It can be cloned into the backward pass (no side effects, no regions).
  bool recomputable = true;
  /// The backward pass reads one of its results.
  bool needed = false;
  /// The nodes among its operands: recomputing it needs each of them kept
  /// or recomputed.
  llvm::SmallVector<int> operands;
  /// A view (reshape) of the node `viewOf`: keeping it keeps that node.
  std::optional<int> viewOf;
  /// Moments of the backward pass (1-based; 0 is the boundary): the last
  /// that reads it when kept, and the window it lives in when recomputed.
  int64_t keptUntil = 0;
  int64_t windowBegin = 0, windowEnd = 0;
};

struct RecomputeProblem {
  llvm::SmallVector<RecomputeNode> nodes;
  /// Where the memory is checked: spans of moments [first, last], each
  /// with the most bytes of the backward pass's own values live in it. A
  /// value counts in a span if it is live at any of its moments, so a span
  /// is a safe stand-in for the moments in it. The boundary (0) is one.
  struct Span {
    int64_t first, last, own;
  };
  llvm::SmallVector<Span> spans;
};

struct RecomputeChoice {
  llvm::SmallVector<bool> keep, recompute;
  /// The objective of the solution, the solver's bound on the best one
  /// and their relative gap (0: proven optimal).
  double cost = 0, bound = 0, gap = 0;
  /// The most bytes at any moment, as the problem estimates them.
  int64_t peak = 0;
  double seconds = 0;
};

/// The limits of one solve. The node limit keeps the answer deterministic;
/// the time limit is a safety net; the gap is "provably close".
struct SolverLimits {
  int maxNodes = 500;
  /// A safety net: the node limit normally stops the search first. A
  /// search the time stops may choose differently from run to run.
  double maxSeconds = 30;
  /// The search stops at a solution within this fraction of the bound.
  double gap = 1e-3;
};

/// The choice with the least recomputation cost whose estimated memory is at
/// most `budget` bytes at every moment; with no budget, the choice with the
/// least estimated peak (and, among those, the least cost). Fails with
/// `error` set when no choice fits, or the solver found none within its
/// limits.
std::optional<RecomputeChoice> solveRecompute(const RecomputeProblem &problem,
                                              std::optional<int64_t> budget,
                                              const SolverLimits &limits,
                                              std::string &error);

/// The estimated peak of keeping every node the backward pass needs.
int64_t peakKeepingAll(const RecomputeProblem &problem);

} // namespace quern

#endif // QUERN_PASSES_RECOMPUTE_KEEPORRECOMPUTE_H
