//===- KeepOrRecompute.cpp - the recomputation problem on CBC ---*- C++ -*-===//
//
// Two binary columns per node, keep_i and recompute_i:
//   keep_i + recompute_i >= 1                 for a node the backward reads
//   keep_i + recompute_i <= 1
//   keep_u + recompute_u - recompute_i >= 0   for each operand node u of i
//   keep_v - keep_i >= 0                      for i a view of v
//   sum kept bytes + sum recomputed bytes <= budget - own bytes, per moment
// minimising the recomputation cost. Bytes are in MiB and costs scaled to at
// most 1000 so that CBC's tolerances see numbers near 1.
//
//===----------------------------------------------------------------------===//

#include "passes/Recompute/KeepOrRecompute.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/FormatVariadic.h"

#include <chrono>
#include <cmath>
#include <coin/Cbc_C_Interface.h>
#include <memory>

using namespace quern;

namespace {

constexpr double kMiB = 1024.0 * 1024.0;
/// CBC's infinity.
constexpr double kUnbounded = 1e30;

/// The factor that makes the largest node's cost 1000.
double costScale(const RecomputeProblem &problem) {
  double largest = 0;
  for (const RecomputeNode &node : problem.nodes)
    largest = std::max(largest, node.cost);
  return largest > 0 ? 1000 / largest : 0;
}

/// Whether node `node` occupies memory in `span` when kept or when
/// recomputed.
bool keptIn(const RecomputeNode &node, const RecomputeProblem::Span &span) {
  return node.keptUntil >= span.first;
}
bool recomputedIn(const RecomputeNode &node,
                  const RecomputeProblem::Span &span) {
  return node.windowBegin <= span.last && span.first <= node.windowEnd;
}

/// The estimated bytes at every moment of `choice`, the most of them.
int64_t estimatePeak(const RecomputeProblem &problem, llvm::ArrayRef<bool> keep,
                     llvm::ArrayRef<bool> recompute) {
  int64_t peak = 0;
  for (const RecomputeProblem::Span &span : problem.spans) {
    int64_t bytes = span.own;
    for (auto [index, node] : llvm::enumerate(problem.nodes))
      if ((keep[index] && keptIn(node, span)) ||
          (recompute[index] && recomputedIn(node, span)))
        bytes += node.bytes;
    peak = std::max(peak, bytes);
  }
  return peak;
}

/// Drops what a solution keeps for no reader: a node not needed by the
/// backward pass, not read by a recomputed node and not the source of a
/// kept view. Readers come after their operands, so one backward sweep
/// sees every reason before the node.
void dropUnread(const RecomputeProblem &problem, llvm::SmallVector<bool> &keep,
                llvm::ArrayRef<bool> recompute) {
  llvm::SmallVector<bool> read(problem.nodes.size(), false);
  for (int index = static_cast<int>(problem.nodes.size()) - 1; index >= 0;
       --index) {
    const RecomputeNode &node = problem.nodes[index];
    keep[index] = keep[index] && (node.needed || read[index]);
    if (recompute[index])
      for (int operand : node.operands)
        read[operand] = true;
    if (keep[index] && node.viewOf)
      read[*node.viewOf] = true;
  }
}

using ModelPtr = std::unique_ptr<Cbc_Model, void (*)(Cbc_Model *)>;

struct Solved {
  llvm::SmallVector<bool> keep, recompute;
  double objective, bound;
};

/// Builds and solves the program: with `budget`, the least cost under it;
/// without, the least peak (a continuous column `peak` in MiB).
std::optional<Solved> solveOnce(const RecomputeProblem &problem,
                                std::optional<int64_t> budget,
                                const SolverLimits &limits,
                                std::string &error) {
  ModelPtr model(Cbc_newModel(), Cbc_deleteModel);
  Cbc_setLogLevel(model.get(), 0);
  Cbc_setMaximumNodes(model.get(), limits.maxNodes);
  Cbc_setMaximumSeconds(model.get(), limits.maxSeconds);
  Cbc_setAllowableFractionGap(model.get(), limits.gap);
  // One thread: the search, and so the answer, is the same on every run.
  Cbc_setParameter(model.get(), "threads", "0");

  double scale = costScale(problem);
  auto keepColumn = [](int node) { return 2 * node; };
  auto recomputeColumn = [](int node) { return 2 * node + 1; };
  for (auto [index, node] : llvm::enumerate(problem.nodes)) {
    std::string name = llvm::formatv("keep{0}", index).str();
    Cbc_addCol(model.get(), name.c_str(), 0, 1, 0, 1, 0, nullptr, nullptr);
    name = llvm::formatv("recompute{0}", index).str();
    Cbc_addCol(model.get(), name.c_str(), 0, node.recomputable ? 1 : 0,
               budget ? node.cost * scale : 0, 1, 0, nullptr, nullptr);
  }
  int peakColumn = 2 * static_cast<int>(problem.nodes.size());
  if (!budget)
    Cbc_addCol(model.get(), "peak", 0, kUnbounded, 1, 0, 0, nullptr, nullptr);

  auto addRow = [&](llvm::ArrayRef<int> columns, llvm::ArrayRef<double> coefs,
                    char sense, double rhs) {
    Cbc_addRow(model.get(), "", static_cast<int>(columns.size()),
               columns.data(), coefs.data(), sense, rhs);
  };
  for (auto [index, node] : llvm::enumerate(problem.nodes)) {
    int i = static_cast<int>(index);
    int both[] = {keepColumn(i), recomputeColumn(i)};
    if (node.needed)
      addRow(both, {1.0, 1.0}, 'G', 1);
    addRow(both, {1.0, 1.0}, 'L', 1);
    for (int operand : node.operands)
      addRow(
          {keepColumn(operand), recomputeColumn(operand), recomputeColumn(i)},
          {1.0, 1.0, -1.0}, 'G', 0);
    if (node.viewOf)
      addRow({keepColumn(*node.viewOf), keepColumn(i)}, {1.0, -1.0}, 'G', 0);
  }
  for (const RecomputeProblem::Span &span : problem.spans) {
    llvm::SmallVector<int> columns;
    llvm::SmallVector<double> coefs;
    for (auto [index, node] : llvm::enumerate(problem.nodes)) {
      if (node.bytes == 0)
        continue;
      int i = static_cast<int>(index);
      if (keptIn(node, span)) {
        columns.push_back(keepColumn(i));
        coefs.push_back(node.bytes / kMiB);
      }
      if (recomputedIn(node, span)) {
        columns.push_back(recomputeColumn(i));
        coefs.push_back(node.bytes / kMiB);
      }
    }
    if (budget) {
      addRow(columns, coefs, 'L', (*budget - span.own) / kMiB);
    } else {
      columns.push_back(peakColumn);
      coefs.push_back(-1);
      addRow(columns, coefs, 'L', -span.own / kMiB);
    }
  }

  Cbc_solve(model.get());
  if (Cbc_isProvenInfeasible(model.get())) {
    error = "no choice of kept and recomputed values fits";
    return std::nullopt;
  }
  const double *values = Cbc_bestSolution(model.get());
  if (!values) {
    error = "the solver found no solution within its limits";
    return std::nullopt;
  }
  Solved solved;
  for (size_t index = 0; index < problem.nodes.size(); ++index) {
    int i = static_cast<int>(index);
    solved.keep.push_back(values[keepColumn(i)] > 0.5);
    solved.recompute.push_back(values[recomputeColumn(i)] > 0.5);
  }
  solved.objective = Cbc_getObjValue(model.get());
  solved.bound = Cbc_isProvenOptimal(model.get())
                     ? solved.objective
                     : Cbc_getBestPossibleObjValue(model.get());
  return solved;
}

} // namespace

int64_t quern::peakKeepingAll(const RecomputeProblem &problem) {
  llvm::SmallVector<bool> keep, recompute(problem.nodes.size(), false);
  for (const RecomputeNode &node : problem.nodes)
    keep.push_back(node.needed);
  for (auto [index, node] : llvm::enumerate(problem.nodes))
    if (keep[index] && node.viewOf)
      keep[*node.viewOf] = true;
  return estimatePeak(problem, keep, recompute);
}

std::optional<RecomputeChoice>
quern::solveRecompute(const RecomputeProblem &problem,
                      std::optional<int64_t> budget, const SolverLimits &limits,
                      std::string &error) {
  auto start = std::chrono::steady_clock::now();
  // Without a budget: the least peak first, then the least cost within it.
  if (!budget) {
    std::optional<Solved> least =
        solveOnce(problem, std::nullopt, limits, error);
    if (!least)
      return std::nullopt;
    budget = std::ceil(least->objective * kMiB) + 1;
  }
  std::optional<Solved> solved = solveOnce(problem, budget, limits, error);
  if (!solved)
    return std::nullopt;
  RecomputeChoice choice;
  choice.keep = std::move(solved->keep);
  choice.recompute = std::move(solved->recompute);
  dropUnread(problem, choice.keep, choice.recompute);
  for (auto [index, node] : llvm::enumerate(problem.nodes))
    if (choice.recompute[index])
      choice.cost += node.cost;
  double scale = costScale(problem);
  choice.bound = scale > 0 ? solved->bound / scale : 0;
  // Rounding leaves a gap of about 1e-16 on proven optima.
  choice.gap = choice.cost > 0 ? (choice.cost - choice.bound) / choice.cost : 0;
  if (choice.gap < 1e-9)
    choice.gap = 0;
  choice.peak = estimatePeak(problem, choice.keep, choice.recompute);
  choice.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  return choice;
}
