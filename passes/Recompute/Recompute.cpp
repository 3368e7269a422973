//===- Recompute.cpp - keep or recompute activations under a budget -*- C++
//-*-//
//
// quern-recompute: in a training step built by quern-make-train-step, the
// forward ops before quern.backward_begins and the backward ops after it,
// each forward op whose results the backward reads is either kept (its
// results live across the boundary) or recomputed: cloned into the backward
// pass just before the first op there that needs it, from operands that are
// kept or recomputed in turn. The choice is KeepOrRecompute's program, with
// each op's FLOPs and bytes from CostOpInterface and the moments of the
// backward pass its results are needed at.
//
// A clone is the same op on the same operand values, so it computes the
// same bits with the same kernel; a dropout mask depends only on the seed,
// the step and the position, and is recomputed exactly.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "dialects/quern/QuernAttributes.h"
#include "dialects/quern/QuernCost.h"
#include "dialects/quern/QuernOps.h"
#include "passes/KeptValues.h"
#include "passes/Recompute/KeepOrRecompute.h"

#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/Dominance.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Transforms/CSE.h"

namespace quern {
#define GEN_PASS_DEF_RECOMPUTEPASS
#include "passes/Passes.h.inc"
} // namespace quern

using namespace mlir;
using namespace quern;

namespace {

/// What recomputing an op weighs against its FLOPs: the bytes it moves, at
/// two FLOPs a byte (a core does about that much arithmetic in the time it
/// streams a byte from memory).
constexpr double kFlopsPerByte = 2;

/// The most rows the memory is checked in, beyond the boundary's: more
/// moments are grouped into spans (the solver's time grows with the rows).
constexpr size_t kMaxSpans = 64;

/// The training step's forward ops as the recomputation problem's nodes.
struct StepGraph {
  Operation *marker;
  SmallVector<Operation *> ops;
  llvm::DenseMap<Operation *, int> node;
  RecomputeProblem problem;
};

/// The position of each op of `block` after `marker` (1 for the first).
llvm::DenseMap<Operation *, int64_t> backwardMoments(Operation *marker) {
  llvm::DenseMap<Operation *, int64_t> moment;
  int64_t next = 1;
  for (Operation *op = marker->getNextNode(); op; op = op->getNextNode())
    moment[op] = next++;
  return moment;
}

StepGraph buildGraph(Operation *marker) {
  StepGraph graph;
  graph.marker = marker;
  Block &block = *marker->getBlock();
  llvm::DenseMap<Operation *, int64_t> moment = backwardMoments(marker);
  int64_t last = static_cast<int64_t>(moment.size());
  // The moment each use of `value` after the boundary is at; what the
  // function returns goes to the caller's buffers and is no use.
  auto backwardUses = [&](Value value, auto &&visit) {
    for (Operation *user : value.getUsers())
      if (Operation *ancestor = block.findAncestorOpInBlock(*user))
        if (int64_t at = moment.lookup(ancestor);
            at && !isa<func::ReturnOp>(ancestor))
          visit(at);
  };

  // The first backward use of each node (past the end for none).
  SmallVector<int64_t> firstUse;
  for (Operation &op : llvm::make_range(block.begin(), marker->getIterator())) {
    if (op.getNumResults() == 0 || op.hasTrait<OpTrait::ConstantLike>())
      continue;
    graph.node[&op] = static_cast<int>(graph.ops.size());
    graph.ops.push_back(&op);
    RecomputeNode &node = graph.problem.nodes.emplace_back();
    auto cost = dyn_cast<CostOpInterface>(&op);
    node.recomputable =
        cost && op.getNumRegions() == 0 && isMemoryEffectFree(&op);
    node.bytes = tensorBytes(op.getResultTypes());
    if (cost) {
      node.flops = cost.getFlops();
      node.cost = node.flops + kFlopsPerByte * (cost.getBytesRead() +
                                                cost.getBytesWritten());
    }
    if (isa<ReshapeOp>(op)) {
      // A reshape is a view: its bytes are its operand's.
      node.bytes = 0;
      node.cost = 0;
      if (Operation *source = op.getOperand(0).getDefiningOp())
        if (auto found = graph.node.find(source); found != graph.node.end())
          node.viewOf = found->second;
    }
    for (Value operand : op.getOperands())
      if (Operation *producer = operand.getDefiningOp())
        if (auto found = graph.node.find(producer);
            found != graph.node.end() &&
            !llvm::is_contained(node.operands, found->second))
          node.operands.push_back(found->second);
    int64_t first = last + 1;
    for (Value result : op.getResults())
      backwardUses(result, [&](int64_t at) {
        node.needed = true;
        first = std::min(first, at);
        node.keptUntil = std::max(node.keptUntil, at);
      });
    firstUse.push_back(first);
    node.windowBegin = first;
    node.windowEnd = node.keptUntil;
  }

  // Readers come after what they read: one sweep from the end sees every
  // reader of a node before it. A node recomputed for a reader is needed
  // from when that reader is recomputed, which is the reader's first use
  // for one the backward pass reads (or earlier, when something recomputed
  // from it is needed first: one level of that is counted), and the
  // earliest of its own readers' for one it does not. A view lives on in
  // its source, which lives as long.
  for (int index = static_cast<int>(graph.ops.size()) - 1; index >= 0;
       --index) {
    const RecomputeNode &node = graph.problem.nodes[index];
    int64_t recomputedAt = node.needed ? firstUse[index] : node.windowBegin;
    for (int operand : node.operands) {
      RecomputeNode &read = graph.problem.nodes[operand];
      bool view = node.viewOf == operand;
      read.windowBegin = std::min(read.windowBegin, recomputedAt);
      read.windowEnd =
          std::max(read.windowEnd, view ? node.windowEnd : recomputedAt);
      read.keptUntil =
          std::max(read.keptUntil, view ? node.keptUntil : recomputedAt);
    }
  }

  // The backward pass's own values, each live from its op to its last
  // reader. What the function returns is written to the caller's buffers
  // (outputs, updated state), not to the workspace; what a loop body
  // yields lives to its end.
  SmallVector<int64_t> delta(last + 2, 0);
  for (Operation *op = marker->getNextNode(); op; op = op->getNextNode())
    for (Value result : op->getResults()) {
      if (llvm::any_of(result.getUsers(), llvm::IsaPred<func::ReturnOp>))
        continue;
      int64_t from = moment[op], to = from;
      for (Operation *user : result.getUsers())
        if (Operation *ancestor = block.findAncestorOpInBlock(*user))
          to = std::max(to, moment.lookup(ancestor));
      int64_t bytes = tensorBytes(result.getType());
      delta[from] += bytes;
      delta[to + 1] -= bytes;
    }
  SmallVector<int64_t> own(last + 2, 0);
  for (int64_t at = 1; at <= last; ++at)
    own[at] = own[at - 1] + delta[at];
  // The boundary, the first backward moment (the backward pass's own
  // values count from there), and every moment a window begins at.
  SmallVector<int64_t> moments = {0};
  if (last >= 1)
    moments.push_back(1);
  for (const RecomputeNode &node : graph.problem.nodes)
    if (node.recomputable && node.windowBegin <= last)
      moments.push_back(node.windowBegin);
  llvm::sort(moments);
  moments.erase(std::unique(moments.begin(), moments.end()), moments.end());
  // The boundary alone, then the other moments in at most kMaxSpans spans
  // of about as many moments each.
  graph.problem.spans.push_back({0, 0, 0});
  ArrayRef<int64_t> rest = ArrayRef<int64_t>(moments).drop_front();
  size_t perSpan = llvm::divideCeil(rest.size(), kMaxSpans);
  for (size_t begin = 0; begin < rest.size(); begin += perSpan) {
    ArrayRef<int64_t> span =
        rest.slice(begin, std::min(perSpan, rest.size() - begin));
    // Up to the next span's first moment: the values live in between
    // count too.
    int64_t through =
        begin + perSpan < rest.size() ? rest[begin + perSpan] - 1 : last;
    int64_t most = 0;
    for (int64_t at = span.front(); at <= through; ++at)
      most = std::max(most, own[at]);
    graph.problem.spans.push_back({span.front(), through, most});
  }
  return graph;
}

/// Clones the recomputed ops of `graph` into the backward pass, each just
/// before the first op there that reads it or a clone of something
/// recomputed from it, and redirects the backward pass's reads to the
/// clones.
///
/// A clone lives where the problem counts it: from the moment its window
/// begins it is shared by every later reader; one needed before that, by
/// the chain recomputing something else, is private to that chain and dies
/// with it (and the op is cloned again for its own readers), so that a
/// chain does not keep the clones it passes through alive until their own
/// uses.
void recomputeOps(StepGraph &graph, ArrayRef<bool> recompute) {
  // Clones shared by every reader, and one quern.recompute_input for each
  // value other than a constant the recomputations read from outside: CSE
  // cannot fold a clone into the op it copies when the two read different
  // values.
  IRMapping shared;
  llvm::DenseMap<Operation *, int64_t> moment = backwardMoments(graph.marker);
  OpBuilder builder(graph.marker->getContext());
  auto available = [&](Value value, const IRMapping &local) {
    Value clone = local.lookupOrNull(value);
    return clone ? clone : shared.lookupOrNull(value);
  };
  // Clones op `index` (after what it reads) before `before`, at moment `at`,
  // into `local` when it is needed before its window.
  std::function<void(int, Operation *, int64_t, IRMapping &)> materialize =
      [&](int index, Operation *before, int64_t at, IRMapping &local) {
        Operation *op = graph.ops[index];
        if (available(op->getResult(0), local))
          return;
        const RecomputeNode &node = graph.problem.nodes[index];
        for (int operand : node.operands)
          if (recompute[operand])
            materialize(operand, before, at, local);
        builder.setInsertionPoint(before);
        // A private clone reads outside values through its chain's own
        // quern.recompute_input, so that CSE does not fold the op's shared
        // clone, made later from the same values, into it.
        IRMapping &into = at >= node.windowBegin ? shared : local;
        // Constants are read as they are: wrapped, a splat could no longer
        // be folded into its readers and would be materialized. Unless
        // the op reads nothing else, when CSE would fold the clone back.
        auto isConstant = [](Value v) { return matchPattern(v, m_Constant()); };
        bool wrapConstants = llvm::all_of(op->getOperands(), [&](Value v) {
          return !isa<RankedTensorType>(v.getType()) || isConstant(v);
        });
        IRMapping operands;
        for (Value operand : op->getOperands()) {
          auto producer = graph.node.find(operand.getDefiningOp());
          bool recomputed =
              producer != graph.node.end() && recompute[producer->second];
          Value clone = recomputed ? available(operand, local)
                                   : into.lookupOrNull(operand);
          if (!clone && isa<RankedTensorType>(operand.getType()) &&
              (wrapConstants || !isConstant(operand))) {
            clone = builder.create<RecomputeInputOp>(op->getLoc(), operand);
            into.map(operand, clone);
          }
          if (clone)
            operands.map(operand, clone);
        }
        Operation *clone = builder.clone(*op, operands);
        for (auto [result, copy] :
             llvm::zip_equal(op->getResults(), clone->getResults()))
          into.map(result, copy);
      };
  Block &block = *graph.marker->getBlock();
  for (Operation *op = graph.marker->getNextNode(); op; op = op->getNextNode())
    op->walk([&](Operation *nested) {
      if (isa<func::ReturnOp>(nested))
        return;
      for (OpOperand &use : nested->getOpOperands()) {
        Operation *producer = use.get().getDefiningOp();
        if (!producer || producer->getBlock() != &block)
          continue;
        auto found = graph.node.find(producer);
        if (found == graph.node.end() || !recompute[found->second])
          continue;
        IRMapping chain;
        materialize(found->second, op, moment.lookup(op), chain);
        use.set(available(use.get(), chain));
      }
    });
  // Forward ops whose results only the backward read are gone.
  for (Operation *op : llvm::reverse(graph.ops))
    if (op->use_empty() && isMemoryEffectFree(op))
      op->erase();
}

/// The FLOPs of one step in the block of `marker` (forward and backward):
/// times the micro-batches when the block is a micro-batch loop's body.
int64_t stepFlops(Operation *marker) {
  int64_t flops = 0;
  for (Operation &op : *marker->getBlock())
    op.walk([&](CostOpInterface cost) { flops += cost.getFlops(); });
  if (auto loop = dyn_cast<scf::ForOp>(marker->getParentOp()))
    if (std::optional<int64_t> trips = constantTripCount(
            loop.getLowerBound(), loop.getUpperBound(), loop.getStep()))
      flops *= *trips;
  return flops;
}

struct RecomputePass : quern::impl::RecomputePassBase<RecomputePass> {
  using RecomputePassBase::RecomputePassBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (budget < 0) {
      module.emitError("recompute: the budget (")
          << static_cast<int64_t>(budget)
          << " bytes) must be positive, or 0 for the least memory";
      return signalPassFailure();
    }
    if (!(gap >= 0 && gap < 1)) {
      module.emitError("recompute: the gap (")
          << static_cast<double>(gap) << ") must be in [0, 1)";
      return signalPassFailure();
    }
    auto step = module.lookupSymbol<func::FuncOp>("train_step");
    BackwardBeginsOp marker;
    if (step)
      step.walk([&](BackwardBeginsOp found) { marker = found; });
    if (!marker) {
      module.emitError("recompute: no training step whose backward pass "
                       "quern-make-train-step built (@train_step with a "
                       "quern.backward_begins)");
      return signalPassFailure();
    }
    // What recomputation costs is the step's FLOPs after less before, both
    // with common subexpressions merged (two chains' copies of an op at the
    // same place are one); a forward op that only moved costs nothing.
    IRRewriter rewriter(module.getContext());
    auto merged = [&] {
      DominanceInfo dominance(step);
      eliminateCommonSubExpressions(rewriter, dominance, step);
      return stepFlops(marker);
    };
    int64_t before = merged();
    StepGraph graph = buildGraph(marker);
    std::string error;
    SolverLimits limits;
    limits.maxNodes = maxNodes;
    limits.gap = gap;
    std::optional<RecomputeChoice> choice = solveRecompute(
        graph.problem,
        budget > 0 ? std::optional<int64_t>(budget) : std::nullopt, limits,
        error);
    if (!choice && budget == 0) {
      module.emitError("recompute: ") << error << " for the least memory";
      return signalPassFailure();
    }
    if (!choice) {
      module.emitError("recompute: ")
          << error << " in " << static_cast<int64_t>(budget)
          << " bytes; the least the step can estimate is "
          << leastPeak(graph.problem, limits);
      return signalPassFailure();
    }

    SmallVector<NodeRecord> recomputed;
    for (auto [index, op] : llvm::enumerate(graph.ops))
      if (choice->recompute[index] && graph.problem.nodes[index].needed)
        recomputed.push_back({tensorBytes(op->getResultTypes()), op->getLoc(),
                              graph.problem.nodes[index].flops});
    recomputeOps(graph, choice->recompute);
    int64_t flops = merged() - before;
    recordKeptValues(step, marker);
    Builder b(module.getContext());
    step->setAttr(
        kRecomputeAttrName,
        b.getDictionaryAttr(
            {b.getNamedAttr("flops", b.getI64IntegerAttr(flops)),
             b.getNamedAttr("gap", b.getF64FloatAttr(choice->gap)),
             b.getNamedAttr("solve_seconds",
                            b.getF64FloatAttr(choice->seconds)),
             b.getNamedAttr("estimated_peak",
                            b.getI64IntegerAttr(choice->peak)),
             b.getNamedAttr("estimated_peak_keeping_all",
                            b.getI64IntegerAttr(peakKeepingAll(graph.problem))),
             b.getNamedAttr("values",
                            describeByNode(module.getContext(), recomputed))}));
  }

  /// The least peak the problem estimates, in words (for an error).
  static std::string leastPeak(const RecomputeProblem &problem,
                               const SolverLimits &limits) {
    std::string error;
    std::optional<RecomputeChoice> least =
        solveRecompute(problem, std::nullopt, limits, error);
    return least ? std::to_string(least->peak) + " bytes" : "unknown";
  }
};

} // namespace
