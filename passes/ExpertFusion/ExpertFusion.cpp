//===- ExpertFusion.cpp - quern-fuse-experts ---------------------*- C++
//-*-===//
//
// An exported mixture-of-experts block runs every expert on every token and
// weighs each expert's output by a gate that is zero outside the token's
// top-k experts. This pass finds such blocks and rebuilds them so that each
// expert runs only on the tokens routed to it: the tokens are dispatched to
// row tiles expert by expert (quern.moe_dispatch), each projection of the
// experts is one grouped product over those rows (quern.grouped_matmul,
// the experts' weights stacked), the activation runs once over all rows,
// and the outputs are weighed by their gates and summed back per token.
// Identity experts (an expert that returns its input) run no product: their
// gates times the input are added densely. Gradients then flow through the
// same layout (the ops' GradientOpInterface), never through the dense form.
//
// A block is recognised from its gates, gates[n, e] nonzero only for the
// token's k experts: a scatter of top-k values into zeros at the top-k
// positions, or scores times a mask of the top-k positions (a one-hot of
// each slot summed, or the slots compared with every expert's index). Its
// experts are the terms `broadcast(gates[:, e]) * expert_e(x)` of one sum, each
// expert either x itself or the same chain for every expert: one or more first
// products of x (matmul, optional bias), an elementwise function of them, and a
// last product. Anything else is left as it is, with a remark saying why when
// reports are asked for.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "dialects/quern/QuernAttributes.h"
#include "dialects/quern/QuernBuild.h"
#include "dialects/quern/QuernOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/ADT/SmallPtrSet.h"

namespace quern {
#define GEN_PASS_DEF_FUSEEXPERTSPASS
#include "passes/Passes.h.inc"
} // namespace quern

using namespace mlir;
using namespace quern;

namespace {

/// The routing of a block: gates [tokens, experts], zero outside each
/// token's top-k experts `experts` (the indices of a top-k over them), and
/// the gate of each (token, slot): `weights`, or where that is null, the
/// `scores` the gates take at the experts.
struct Routing {
  Value gates;
  TopKOp topk;
  Value experts, weights, scores;
  int64_t tokens, slots, expertCount;
};

/// Whether `axis` (normalized: verifiers refuse negative axes) names the
/// last of two dimensions.
bool isLastOfTwo(int64_t axis) { return axis == 1; }

/// The routing whose experts are `indices`, if they are those of a top-k
/// over tensors of the gates' shape (distinct in each row, each in range).
std::optional<Routing> routingOf(Value gates, Value indices) {
  auto type = cast<RankedTensorType>(gates.getType());
  auto topk = indices ? indices.getDefiningOp<TopKOp>() : TopKOp();
  if (type.getRank() != 2 || !isa<FloatType>(type.getElementType()) || !topk ||
      topk.getIndices() != indices || !isLastOfTwo(topk.getAxis()) ||
      cast<RankedTensorType>(topk.getInput().getType()).getShape() !=
          type.getShape())
    return std::nullopt;
  return Routing{gates,
                 topk,
                 indices,
                 Value(),
                 Value(),
                 type.getDimSize(0),
                 cast<RankedTensorType>(indices.getType()).getDimSize(1),
                 type.getDimSize(1)};
}

/// Whether `value` is a splat constant equal to `number`.
bool isSplatOf(Value value, double number) {
  SplatElementsAttr splat = ConstantOp::splatOf(value);
  if (!splat)
    return false;
  if (isa<FloatType>(splat.getElementType()))
    return splat.getSplatValue<APFloat>().convertToDouble() == number;
  return splat.getSplatValue<APInt>().getSExtValue() == int64_t(number);
}

/// `gates = scatter_elements(zeros, indices, weights)` along the experts.
std::optional<Routing> matchScatteredGates(ScatterElementsOp scatter) {
  if (scatter.getReduction() != ScatterReduction::none ||
      !isLastOfTwo(scatter.getAxis()) || !isSplatOf(scatter.getData(), 0.0))
    return std::nullopt;
  std::optional<Routing> routing =
      routingOf(scatter.getResult(), scatter.getIndices());
  if (routing)
    routing->weights = scatter.getUpdates();
  return routing;
}

/// The value a chain of casts starts from.
Value beforeCasts(Value value) {
  while (auto cast = value.getDefiningOp<CastOp>())
    value = cast.getInput();
  return value;
}

/// The indices `i` [tokens, k] that `hot` [tokens, k, experts] compares
/// with the experts' positions: compare(eq, broadcast(i [tokens, k, 1]),
/// 0, 1, ..., experts - 1 along the experts), either order; `i` may be wrapped
/// for negative values first (OneHot's), which indices of a top-k are not.
Value comparedIndices(Value hot) {
  auto compare = beforeCasts(hot).getDefiningOp<CompareOp>();
  if (!compare || compare.getPredicate() != ComparePredicate::eq)
    return {};
  auto type = cast<RankedTensorType>(compare.getType());
  if (type.getRank() != 3)
    return {};
  int64_t experts = type.getDimSize(2);
  auto isPositions = [&](Value value) {
    auto broadcast = value.getDefiningOp<BroadcastOp>();
    Value source = broadcast ? broadcast.getInput() : value;
    auto constant = source.getDefiningOp<ConstantOp>();
    auto dense = constant ? dyn_cast<DenseIntElementsAttr>(constant.getValue())
                          : DenseIntElementsAttr();
    if (!dense ||
        cast<RankedTensorType>(source.getType()).getShape().back() != experts)
      return false;
    // 0, 1, ..., experts - 1 along the last dimension, in every row (an
    // importer may have folded the broadcast into the constant).
    int64_t position = 0;
    for (const APInt &element : dense.getValues<APInt>())
      if (element.getSExtValue() != position++ % experts)
        return false;
    return true;
  };
  auto indicesOf = [&](Value value) -> Value {
    auto broadcast = value.getDefiningOp<BroadcastOp>();
    auto reshape = broadcast ? broadcast.getInput().getDefiningOp<ReshapeOp>()
                             : ReshapeOp();
    if (!reshape ||
        cast<RankedTensorType>(reshape.getType()).getShape() !=
            ArrayRef<int64_t>{type.getDimSize(0), type.getDimSize(1), 1})
      return {};
    Value indices = reshape.getInput();
    // select(indices < 0, ..., indices): the same for indices that are
    // never negative.
    if (auto wrap = indices.getDefiningOp<SelectOp>()) {
      auto negative = wrap.getCondition().getDefiningOp<CompareOp>();
      if (!negative || negative.getPredicate() != ComparePredicate::lt ||
          negative.getLhs() != wrap.getOnFalse() ||
          !isSplatOf(negative.getRhs(), 0.0))
        return {};
      indices = wrap.getOnFalse();
    }
    auto indicesType = cast<RankedTensorType>(indices.getType());
    if (indicesType.getRank() != 2 ||
        indicesType.getShape() != type.getShape().drop_back())
      return {};
    return indices;
  };
  if (isPositions(compare.getRhs()))
    return indicesOf(compare.getLhs());
  if (isPositions(compare.getLhs()))
    return indicesOf(compare.getRhs());
  return {};
}

/// The indices [tokens, k] whose indicator `mask` [tokens, experts] is (1
/// where the expert is among a token's indices, else 0), as exporters
/// write it: a one-hot of each slot summed over the slots, or compared and
/// counted and tested for more than zero; casts anywhere between.
Value indicatorIndices(Value mask) {
  Value value = beforeCasts(mask);
  if (auto positive = value.getDefiningOp<CompareOp>()) {
    if (positive.getPredicate() != ComparePredicate::gt ||
        !isSplatOf(positive.getRhs(), 0.0))
      return {};
    value = beforeCasts(positive.getLhs());
  }
  auto sum = value.getDefiningOp<ReduceSumOp>();
  if (!sum || sum.getAxes() != ArrayRef<int64_t>{1} || sum.getKeepDims())
    return {};
  Value hot = beforeCasts(sum.getInput());
  if (auto pick = hot.getDefiningOp<SelectOp>()) {
    if (!isSplatOf(pick.getOnTrue(), 1.0) || !isSplatOf(pick.getOnFalse(), 0.0))
      return {};
    hot = pick.getCondition();
  }
  return comparedIndices(hot);
}

/// `gates = scores * mask`, `mask` the indicator of a top-k's indices.
std::optional<Routing> matchMaskedGates(MulOp mul) {
  for (auto [scores, mask] : {std::pair(mul.getLhs(), mul.getRhs()),
                              std::pair(mul.getRhs(), mul.getLhs())}) {
    std::optional<Routing> routing =
        routingOf(mul.getResult(), indicatorIndices(mask));
    if (!routing)
      continue;
    routing->scores = scores;
    if (scores == routing->topk.getInput())
      routing->weights = routing->topk.getValues();
    return routing;
  }
  return std::nullopt;
}

/// The routing whose gates `op` computes, if any.
std::optional<Routing> matchRouting(Operation *op) {
  if (auto scatter = dyn_cast<ScatterElementsOp>(op))
    return matchScatteredGates(scatter);
  if (auto mul = dyn_cast<MulOp>(op))
    return matchMaskedGates(mul);
  return std::nullopt;
}

/// A product of the expert chain: matmul(input, weight [+ bias]).
struct Product {
  Value weight, bias;
  bool transposeRhs;
};

/// One expert: its gate column, its term in the sum, and (unless it is an
/// identity expert) its chain.
struct Expert {
  int64_t index;
  Value gate;
  MulOp term;
  bool identity = false;
  /// The first products (reading x), in the order the function reads them.
  SmallVector<Product> first;
  /// The elementwise function of the first products, in program order.
  SmallVector<Operation *> function;
  /// Its result, the last product's left operand.
  Value hidden;
  Product last;
  /// Every op of the chain, last product included.
  SmallVector<Operation *> ops;
};

/// Why a block was not fused.
struct Refusal {
  std::string reason;
};

/// Fails, saying why in `refusal`.
LogicalResult refuse(Refusal &refusal, const Twine &reason) {
  refusal.reason = reason.str();
  return failure();
}

/// A block matched: its routing, its input, the sum it replaces and its
/// experts (one per gate column that has a term, in column order; or one
/// chain for `stackedCount` stacked experts from its index on).
struct Block {
  Routing routing;
  Value x, root;
  SmallVector<Expert> experts;
  int64_t stackedCount = 0;

  /// The experts that run products, each a group of the dispatch.
  int64_t groupCount() const {
    return stackedCount ? stackedCount
                        : llvm::count_if(experts, [](const Expert &e) {
                            return !e.identity;
                          });
  }
};

/// The column `e` of `gates` that `slice` takes, if it takes one whole column.
std::optional<int64_t> gateColumn(SliceOp slice, int64_t tokens) {
  ArrayRef<int64_t> offsets = slice.getOffsets(), strides = slice.getStrides();
  auto type = cast<RankedTensorType>(slice.getType());
  if (type.getShape() != ArrayRef<int64_t>{tokens, 1} || offsets[0] != 0 ||
      strides[0] != 1)
    return std::nullopt;
  return offsets[1];
}

/// The term `broadcast(gate) * y` (either order) that `gate` weighs, and y.
std::optional<std::pair<MulOp, Value>> weighedTerm(SliceOp gate) {
  if (!gate->hasOneUse())
    return std::nullopt;
  auto broadcast = dyn_cast<BroadcastOp>(*gate->getUsers().begin());
  if (!broadcast || !broadcast->hasOneUse())
    return std::nullopt;
  auto mul = dyn_cast<MulOp>(*broadcast->getUsers().begin());
  if (!mul)
    return std::nullopt;
  Value other =
      mul.getLhs() == broadcast.getResult() ? mul.getRhs() : mul.getLhs();
  return std::make_pair(mul, other);
}

/// Whether `op` is a splat constant.
bool isSplatConstant(Operation *op) {
  auto constant = dyn_cast_or_null<ConstantOp>(op);
  return constant && constant.getSplat();
}

/// Whether `a` and `b` are one value, or computed by equal ops (an importer
/// reshapes the input again for each product that reads it).
bool sameValue(Value a, Value b) {
  Operation *p = a.getDefiningOp(), *q = b.getDefiningOp();
  return a == b || (p && q && isPure(p) &&
                    OperationEquivalence::isEquivalentTo(
                        p, q, OperationEquivalence::IgnoreLocations) &&
                    cast<OpResult>(a).getResultNumber() ==
                        cast<OpResult>(b).getResultNumber());
}

/// Matches `y` as an expert chain of `x`; `x` is null until the first
/// expert gives it. `stacked`: the chain of all experts at once, products
/// over a leading expert dimension of `x` broadcast. Fails with the reason.
FailureOr<Expert> matchChain(Value y, Value &x, bool stacked,
                             Refusal &refusal) {
  Expert expert;
  auto fail = [&](const Twine &reason) { return refuse(refusal, reason); };
  int64_t rank = stacked ? 3 : 2;
  // A product's bias: as given, or for stacked experts each expert's
  // [out] bias, which the product broadcasts over the tokens.
  auto biasOf = [&](MatMulOp matmul) -> Value {
    Value bias = matmul.getBias();
    if (!bias)
      return {};
    // Unrolled: a vector over the outputs (not one of the result's shape).
    if (!stacked)
      return cast<RankedTensorType>(bias.getType()).getRank() == 1 ? bias
                                                                   : Value();
    auto broadcast = bias.getDefiningOp<BroadcastOp>();
    auto reshape =
        broadcast ? broadcast.getInput().getDefiningOp<ReshapeOp>() : nullptr;
    auto type = cast<RankedTensorType>(matmul.getType());
    int64_t experts = type.getDimSize(0), out = type.getDimSize(2);
    if (!reshape ||
        cast<RankedTensorType>(reshape.getType()).getShape() !=
            ArrayRef<int64_t>{experts, 1, out} ||
        cast<RankedTensorType>(reshape.getInput().getType()).getShape() !=
            ArrayRef<int64_t>{experts, out})
      return {};
    return reshape.getInput();
  };
  auto isProduct = [&](MatMulOp matmul) {
    return !matmul.getTransposeLhs() &&
           static_cast<bool>(matmul.getBias()) ==
               static_cast<bool>(biasOf(matmul)) &&
           cast<RankedTensorType>(matmul.getType()).getRank() == rank;
  };
  auto last = y.getDefiningOp<MatMulOp>();
  if (!last || !isProduct(last))
    return fail(stacked ? "the stacked experts' output is not a product "
                          "over the expert dimension (with a bias per expert "
                          "or none)"
                        : "an expert's output is not a 2-D product");
  expert.last = {last.getRhs(), biasOf(last), last.getTransposeRhs()};
  expert.hidden = last.getLhs();
  // The elementwise function: from the hidden value back to products of x.
  llvm::SetVector<Operation *> function;
  SmallVector<Value> worklist = {expert.hidden};
  SmallVector<MatMulOp> firsts;
  while (!worklist.empty()) {
    Value value = worklist.pop_back_val();
    Operation *op = value.getDefiningOp();
    if (!op)
      return fail("an expert's hidden value is not computed from its input");
    if (auto matmul = dyn_cast<MatMulOp>(op)) {
      if (!isProduct(matmul))
        return fail("an expert's first product is not one like its last");
      Value input = matmul.getLhs();
      if (stacked) {
        auto broadcast = input.getDefiningOp<BroadcastOp>();
        ArrayRef<int64_t> shape =
            cast<RankedTensorType>(input.getType()).getShape();
        if (!broadcast ||
            cast<RankedTensorType>(broadcast.getInput().getType()).getShape() !=
                shape.drop_front())
          return fail("the stacked experts' input is not broadcast over "
                      "the expert dimension");
        input = broadcast.getInput();
        if (!llvm::all_of(broadcast->getUsers(), [&](Operation *user) {
              return isa<MatMulOp>(user) && isProduct(cast<MatMulOp>(user));
            }))
          return fail("the stacked experts' broadcast input has other uses");
      }
      if (!x)
        x = input;
      if (!sameValue(input, x))
        return fail("the experts do not all read the same input");
      if (!llvm::is_contained(firsts, matmul))
        firsts.push_back(matmul);
      continue;
    }
    if (isSplatConstant(op) || function.contains(op))
      continue;
    if (!op->hasTrait<OpTrait::Elementwise>() || op->getNumResults() != 1 ||
        op->getResult(0).getType() != expert.hidden.getType())
      return fail("an expert's activation has a '" +
                  op->getName().getStringRef() +
                  "' that is not elementwise on the hidden values");
    function.insert(op);
    for (Value operand : op->getOperands())
      worklist.push_back(operand);
  }
  if (firsts.empty())
    return fail("an expert has no product of its input");
  // Program order, so that the function can be rebuilt op by op.
  SmallVector<Operation *> ordered(function.begin(), function.end());
  llvm::sort(ordered,
             [](Operation *a, Operation *b) { return a->isBeforeInBlock(b); });
  llvm::sort(firsts,
             [](MatMulOp a, MatMulOp b) { return a->isBeforeInBlock(b); });
  for (MatMulOp first : firsts)
    expert.first.push_back(
        {first.getRhs(), biasOf(first), first.getTransposeRhs()});
  expert.function = ordered;
  expert.ops.append(firsts.begin(), firsts.end());
  expert.ops.append(ordered.begin(), ordered.end());
  expert.ops.push_back(last);
  // Nothing outside the chain reads inside it; the sum reads its output.
  for (Operation *op : ArrayRef(expert.ops).drop_back())
    for (Operation *user : op->getUsers())
      if (!llvm::is_contained(expert.ops, user))
        return fail("a value inside an expert is used outside it");
  if (!last->hasOneUse())
    return fail("an expert's output is used outside the sum");
  return expert;
}

/// Whether two experts have the same chain: products of the same shapes,
/// transposes and biases, and the same elementwise function.
bool sameChain(const Expert &a, const Expert &b) {
  auto sameProduct = [](const Product &p, const Product &q) {
    return p.weight.getType() == q.weight.getType() &&
           p.transposeRhs == q.transposeRhs &&
           static_cast<bool>(p.bias) == static_cast<bool>(q.bias) &&
           (!p.bias || p.bias.getType() == q.bias.getType());
  };
  if (a.first.size() != b.first.size() ||
      a.function.size() != b.function.size() || !sameProduct(a.last, b.last))
    return false;
  for (auto [p, q] : llvm::zip_equal(a.first, b.first))
    if (!sameProduct(p, q))
      return false;
  // The same ops on corresponding operands: positions in the chain, or
  // equal splat constants.
  auto position = [](const Expert &expert, Value value) -> int64_t {
    Operation *op = value.getDefiningOp();
    auto it = llvm::find(expert.ops, op);
    return it == expert.ops.end() ? -1 : it - expert.ops.begin();
  };
  for (auto [p, q] : llvm::zip_equal(a.function, b.function)) {
    if (p->getName() != q->getName() || p->getAttrs() != q->getAttrs() ||
        p->getNumOperands() != q->getNumOperands())
      return false;
    for (auto [u, v] : llvm::zip_equal(p->getOperands(), q->getOperands())) {
      int64_t pu = position(a, u), qv = position(b, v);
      if (pu != qv)
        return false;
      if (pu < 0 && !OperationEquivalence::isEquivalentTo(
                        u.getDefiningOp(), v.getDefiningOp(),
                        OperationEquivalence::IgnoreLocations))
        return false;
    }
  }
  return true;
}

/// The terms of the sum that `root` is: adds of terms, each add used once
/// (by the next add of the sum).
bool collectSum(Value value, ArrayRef<MulOp> terms, bool isRoot,
                SmallVectorImpl<MulOp> &found) {
  if (auto mul = value.getDefiningOp<MulOp>();
      mul && llvm::is_contained(terms, mul)) {
    found.push_back(mul);
    return true;
  }
  auto add = value.getDefiningOp<AddOp>();
  if (!add || (!isRoot && !add->hasOneUse()))
    return false;
  return collectSum(add.getLhs(), terms, false, found) &&
         collectSum(add.getRhs(), terms, false, found);
}

/// The rows a dispatch of `slots` slots into `groups` groups needs at most,
/// in tiles of `tileRows`: every slot, and a partial tile per group.
int64_t boundRows(int64_t slots, int64_t groups, int64_t tileRows) {
  int64_t rows = slots + groups * (tileRows - 1);
  return llvm::divideCeil(rows, tileRows) * tileRows;
}

/// `values` (of one shape) stacked along a new first dimension.
Value stack(QuernOps &d, ArrayRef<Value> values) {
  SmallVector<int64_t> one = {1};
  llvm::append_range(one, QuernOps::typeOf(values[0]).getShape());
  SmallVector<Value> rows;
  for (Value value : values)
    rows.push_back(d.reshape(value, one));
  if (rows.size() == 1)
    return rows[0];
  SmallVector<int64_t> shape(one);
  shape[0] = values.size();
  return d.b.create<ConcatOp>(d.loc, QuernOps::typeOf(rows[0]).clone(shape),
                              rows, 0);
}

struct FuseExpertsPass : quern::impl::FuseExpertsPassBase<FuseExpertsPass> {
  using FuseExpertsPassBase::FuseExpertsPassBase;

  void runOnOperation() override {
    if (tileRows < 1) {
      getOperation().emitError("quern-fuse-experts: tile-rows must be "
                               "positive, got ")
          << tileRows.getValue();
      return signalPassFailure();
    }
    SmallVector<std::pair<Operation *, Routing>> candidates;
    getOperation().walk([&](Operation *op) {
      if (std::optional<Routing> routing = matchRouting(op))
        candidates.push_back({op, *routing});
    });
    for (auto &[gates, routing] : candidates) {
      // Fusing an earlier block may have erased this one's gates.
      if (erased.contains(gates))
        continue;
      Refusal refusal;
      if (failed(fuse(routing, refusal)) && report)
        gates->emitRemark("mixture-of-experts block left dense: ")
            << refusal.reason;
    }
  }

  LogicalResult fuse(const Routing &routing, Refusal &refusal) {
    Block block;
    block.routing = routing;
    bool columns = false;
    if (failed(matchUnrolled(block, columns, refusal)) &&
        (columns || failed(matchStacked(block, refusal))))
      return failure();
    if (QuernOps::typeOf(block.x).getRank() != 2 ||
        QuernOps::typeOf(block.x).getDimSize(0) != routing.tokens)
      return refuse(refusal, "the experts' input is not one row per token");
    // The widest tile, from `tile-rows` down, whose rows are fewer than the
    // dense block's (each expert on every token). Wider tiles read each
    // expert's weights for more rows at once but pad more, and measured
    // slower: the 64-expert layer of bench/moe.py took 1.16-1.35 s a step
    // in tiles of 32 rows, 1.04-1.09 s in tiles of 16 (the default most).
    int64_t groupCount = block.groupCount();
    int64_t slots = routing.tokens * routing.slots;
    int64_t rows = tileRows;
    while (rows > 1 &&
           boundRows(slots, groupCount, rows) >= routing.tokens * groupCount)
      rows /= 2;
    if (boundRows(slots, groupCount, rows) >= routing.tokens * groupCount)
      return refuse(refusal, "routing " + Twine(routing.slots) + " of " +
                                 Twine(routing.expertCount) +
                                 " experts per token saves no rows over "
                                 "running them densely");
    build(block, rows);
    return success();
  }

  /// Experts unrolled, one term per gate column: `columns` says whether
  /// there were any.
  LogicalResult matchUnrolled(Block &block, bool &columns, Refusal &refusal) {
    const Routing &routing = block.routing;
    SmallVector<MulOp> terms;
    for (Operation *user : routing.gates.getUsers()) {
      auto slice = dyn_cast<SliceOp>(user);
      std::optional<int64_t> column =
          slice ? gateColumn(slice, routing.tokens) : std::nullopt;
      if (!column)
        continue;
      columns = true;
      auto term = weighedTerm(slice);
      if (!term)
        return refuse(refusal, "expert " + Twine(*column) +
                                   "'s gate is not a factor of one term");
      if (llvm::any_of(block.experts,
                       [&](const Expert &e) { return e.index == *column; }))
        return refuse(refusal, "expert " + Twine(*column) + " has two terms");
      Expert expert;
      expert.index = *column;
      expert.gate = slice.getResult();
      expert.term = term->first;
      expert.hidden = term->second;
      block.experts.push_back(expert);
      terms.push_back(term->first);
    }
    if (!columns)
      return refuse(refusal, "no expert's output is weighed by its gate");
    // Chains first, so that x is known before identity experts are told
    // from the others.
    for (Expert &expert : block.experts) {
      if (!expert.hidden.getDefiningOp<MatMulOp>())
        continue;
      FailureOr<Expert> chain =
          matchChain(expert.hidden, block.x, /*stacked=*/false, refusal);
      if (failed(chain))
        return failure();
      chain->index = expert.index;
      chain->gate = expert.gate;
      chain->term = expert.term;
      expert = *chain;
    }
    for (Expert &expert : block.experts) {
      if (!expert.ops.empty())
        continue;
      if (!block.x || expert.hidden != block.x)
        return refuse(refusal, "expert " + Twine(expert.index) +
                                   " is neither its input nor a chain of "
                                   "products");
      expert.identity = true;
    }
    llvm::sort(block.experts, [](const Expert &a, const Expert &b) {
      return a.index < b.index;
    });
    const Expert *model = nullptr;
    for (const Expert &expert : block.experts) {
      if (expert.identity)
        continue;
      if (!model)
        model = &expert;
      else if (!sameChain(*model, expert))
        return refuse(refusal, "expert " + Twine(expert.index) +
                                   "'s chain differs from expert " +
                                   Twine(model->index) + "'s");
    }
    if (!model)
      return refuse(refusal, "every expert is an identity");

    // The sum of the terms, and nothing else.
    Value root = terms.front().getResult();
    while (root.hasOneUse()) {
      auto add = dyn_cast<AddOp>(*root.getUsers().begin());
      SmallVector<MulOp> found;
      if (!add || !collectSum(add.getResult(), terms, true, found))
        break;
      root = add.getResult();
    }
    SmallVector<MulOp> found;
    collectSum(root, terms, true, found);
    llvm::SmallPtrSet<Operation *, 8> distinct;
    for (MulOp term : found)
      distinct.insert(term);
    if (found.size() != terms.size() || distinct.size() != terms.size() ||
        !llvm::all_of(terms, [](MulOp term) { return term->hasOneUse(); }))
      return refuse(refusal, "the experts' weighed outputs are not one sum");
    block.root = root;
    return success();
  }

  /// Experts stacked: `sum_e(y[e] * gates[:, first + e].T[..., None])` of
  /// one chain of products over the expert dimension. The gate columns
  /// outside [first, first + E) are experts without products (identity
  /// experts the graph adds by itself).
  LogicalResult matchStacked(Block &block, Refusal &refusal) {
    const Routing &routing = block.routing;
    for (Operation *user : routing.gates.getUsers()) {
      int64_t first = 0;
      Operation *next = user;
      if (auto slice = dyn_cast<SliceOp>(user)) {
        ArrayRef<int64_t> offsets = slice.getOffsets();
        if (offsets[0] != 0 || !slice->hasOneUse() ||
            llvm::any_of(slice.getStrides(),
                         [](int64_t stride) { return stride != 1; }) ||
            QuernOps::typeOf(slice).getDimSize(0) != routing.tokens)
          continue;
        first = offsets[1];
        next = *slice->getUsers().begin();
      }
      auto transpose = dyn_cast<TransposeOp>(next);
      auto reshape = transpose && transpose->hasOneUse()
                         ? dyn_cast<ReshapeOp>(*transpose->getUsers().begin())
                         : ReshapeOp();
      auto broadcast = reshape && reshape->hasOneUse()
                           ? dyn_cast<BroadcastOp>(*reshape->getUsers().begin())
                           : BroadcastOp();
      auto mul = broadcast && broadcast->hasOneUse()
                     ? dyn_cast<MulOp>(*broadcast->getUsers().begin())
                     : MulOp();
      auto sum = mul && mul->hasOneUse()
                     ? dyn_cast<ReduceSumOp>(*mul->getUsers().begin())
                     : ReduceSumOp();
      if (!sum || transpose.getPerm() != ArrayRef<int64_t>{1, 0} ||
          sum.getAxes() != ArrayRef<int64_t>{0} || sum.getKeepDims())
        continue;
      int64_t count = QuernOps::typeOf(transpose).getDimSize(0);
      if (QuernOps::typeOf(reshape).getShape() !=
          ArrayRef<int64_t>{count, routing.tokens, 1})
        continue;
      Value y =
          mul.getLhs() == broadcast.getResult() ? mul.getRhs() : mul.getLhs();
      FailureOr<Expert> chain =
          matchChain(y, block.x, /*stacked=*/true, refusal);
      if (failed(chain))
        return failure();
      if (QuernOps::typeOf(chain->last.weight).getDimSize(0) != count)
        return refuse(refusal, "the stacked experts are not the gates' " +
                                   Twine(count) + " columns");
      chain->index = first;
      block.experts = {*chain};
      block.stackedCount = count;
      block.root = sum.getResult();
      return success();
    }
    return refuse(refusal, "no expert's output is weighed by its gate");
  }

  void build(const Block &block, int64_t rowsPerTile) {
    const Routing &routing = block.routing;
    Value x = block.x, root = block.root;
    Operation *rootOp = root.getDefiningOp();
    OpBuilder b(rootOp);
    Location loc = rootOp->getLoc();
    QuernOps d{b, loc};
    SmallVector<const Expert *> computed;
    SmallVector<Value> identityGates;
    for (const Expert &expert : block.experts)
      if (expert.identity)
        identityGates.push_back(expert.gate);
      else
        computed.push_back(&expert);
    int64_t groupCount = block.groupCount();
    SmallVector<int64_t> groups(routing.expertCount, -1);
    for (int64_t group = 0; group < groupCount; ++group)
      groups[block.stackedCount ? computed[0]->index + group
                                : computed[group]->index] = group;
    int64_t slots = routing.tokens * routing.slots;
    int64_t rows = boundRows(slots, groupCount, rowsPerTile);
    int64_t tiles = rows / rowsPerTile;
    auto i64 = [&](ArrayRef<int64_t> shape) {
      return RankedTensorType::get(shape, b.getI64Type());
    };
    auto dispatch = b.create<MoeDispatchOp>(
        loc,
        TypeRange{i64({rows}), i64({tiles}), QuernOps::typeOf(routing.experts)},
        routing.experts, groups);
    Value tokenRows = d.gather(x, dispatch.getRows());
    // Each row's group, for the biases: -1 (unused tiles) reads the last
    // group's, on rows that nothing reads.
    Value rowGroups;
    // One grouped product: the experts' weights stacked (or already so),
    // their biases added row by row.
    auto product = [&](Value input, ArrayRef<const Product *> products) {
      SmallVector<Value> weights, biases;
      for (const Product *p : products) {
        weights.push_back(p->weight);
        biases.push_back(p->bias);
      }
      const Product &first = *products.front();
      Value stacked = block.stackedCount ? first.weight : stack(d, weights);
      ArrayRef<int64_t> w = QuernOps::typeOf(stacked).getShape();
      int64_t columns = first.transposeRhs ? w[1] : w[2];
      auto type = QuernOps::typeOf(input).clone(
          {QuernOps::typeOf(input).getDimSize(0), columns});
      Value result = b.create<GroupedMatMulOp>(loc, type, input, stacked,
                                               dispatch.getTileGroups(),
                                               first.transposeRhs);
      if (!first.bias)
        return result;
      if (!rowGroups)
        rowGroups = d.reshape(
            d.broadcast(d.reshape(dispatch.getTileGroups(), {tiles, 1}),
                        {tiles, rowsPerTile}),
            {rows});
      return d.add(result,
                   d.gather(block.stackedCount ? first.bias : stack(d, biases),
                            rowGroups));
    };
    // The first products, then the function over all rows.
    const Expert &model = *computed.front();
    IRMapping mapping;
    for (size_t i = 0; i < model.first.size(); ++i) {
      SmallVector<const Product *> products;
      for (const Expert *expert : computed)
        products.push_back(&expert->first[i]);
      mapping.map(model.ops[i]->getResult(0), product(tokenRows, products));
    }
    auto hiddenType =
        QuernOps::typeOf(model.hidden)
            .clone({rows, QuernOps::typeOf(model.hidden).getShape().back()});
    for (Operation *op : model.function) {
      SmallVector<Value> operands;
      for (Value operand : op->getOperands()) {
        if (Value mapped = mapping.lookupOrNull(operand)) {
          operands.push_back(mapped);
          continue;
        }
        // A splat constant of the hidden values' shape.
        auto constant = operand.getDefiningOp<ConstantOp>();
        auto splat = cast<SplatElementsAttr>(constant.getValue());
        operands.push_back(b.create<ConstantOp>(
            loc, splat.resizeSplat(hiddenType.clone(splat.getElementType()))));
      }
      OperationState state(loc, op->getName());
      state.addOperands(operands);
      state.addAttributes(op->getAttrs());
      state.addTypes(
          hiddenType.clone(getElementTypeOrSelf(op->getResult(0).getType())));
      mapping.map(op->getResult(0), b.create(state)->getResult(0));
    }
    SmallVector<const Product *> lasts;
    for (const Expert *expert : computed)
      lasts.push_back(&expert->last);
    Value outputs = product(mapping.lookup(model.hidden), lasts);

    // Each token's slots, weighed by their gates and summed. Slots whose
    // expert runs no product read some row, weighed by zero.
    Value weights = routing.weights;
    if (!weights)
      weights = b.create<GatherElementsOp>(
          loc,
          QuernOps::typeOf(routing.experts)
              .clone(getElementTypeOrSelf(routing.scores.getType())),
          routing.scores, routing.experts, 1);
    int64_t width = QuernOps::typeOf(outputs).getDimSize(1);
    SmallVector<int64_t> picked = {routing.tokens, routing.slots, width};
    Value rowsPicked = d.gather(outputs, dispatch.getSlots());
    Value weighed = d.mul(
        rowsPicked,
        d.broadcast(d.reshape(weights, {routing.tokens, routing.slots, 1}),
                    picked));
    if (groupCount < routing.expertCount) {
      // Slots whose expert runs no product read some row: they count zero
      // (a select, not a product with zero, which an infinity in that row
      // would make NaN).
      SmallVector<bool> computes;
      for (int64_t group : groups)
        computes.push_back(group >= 0);
      auto type = RankedTensorType::get({routing.expertCount}, b.getI1Type());
      Value table = b.create<ConstantOp>(
          loc, DenseElementsAttr::get(type, ArrayRef(computes)));
      Value routed = d.broadcast(d.reshape(d.gather(table, routing.experts),
                                           {routing.tokens, routing.slots, 1}),
                                 picked);
      weighed = d.select(routed, weighed, d.zerosLike(weighed));
    }
    Value result = d.reduceSum(weighed, {1}, /*keepDims=*/false);
    // Identity experts: their gates times the input.
    if (!identityGates.empty()) {
      Value gate = identityGates.front();
      for (Value other : ArrayRef(identityGates).drop_front())
        gate = d.add(gate, other);
      result = d.add(
          result, d.mul(d.broadcast(gate, QuernOps::typeOf(x).getShape()), x));
    }
    // What the block costs, dense and fused, in the remark and the module's
    // record (the manifest's).
    int64_t dense = 0;
    for (const Expert *expert : computed)
      for (Operation *op : expert->ops)
        if (isa<MatMulOp>(op))
          dense += cast<CostOpInterface>(op).getFlops();
    int64_t fused = dense / (groupCount * routing.tokens) * rows;
    auto entry = [&](StringRef name, int64_t value) {
      return b.getNamedAttr(name, b.getI64IntegerAttr(value));
    };
    ModuleOp module = rootOp->getParentOfType<ModuleOp>();
    SmallVector<Attribute> blocks;
    if (auto recorded = module->getAttrOfType<ArrayAttr>(kExpertBlocksAttrName))
      blocks.assign(recorded.begin(), recorded.end());
    blocks.push_back(b.getDictionaryAttr(
        {b.getNamedAttr("loc", LocationAttr(loc)),
         entry("experts", routing.expertCount), entry("groups", groupCount),
         entry("k", routing.slots), entry("tile_rows", rowsPerTile),
         entry("rows", rows), entry("dense_flops", dense),
         entry("fused_flops", fused)}));
    module->setAttr(kExpertBlocksAttrName, b.getArrayAttr(blocks));
    if (report)
      result.getDefiningOp()->emitRemark()
          << "fused mixture-of-experts block: " << routing.expertCount
          << " experts (" << groupCount << " with products, "
          << routing.expertCount - groupCount << " without), top-"
          << routing.slots << "; expert product FLOPs " << dense
          << " dense, at most " << fused << " fused (" << rows
          << " rows in tiles of " << rowsPerTile << ")";
    if (exposeLoad)
      exposeExpertLoad(b, loc, routing, rootOp->getParentOfType<func::FuncOp>(),
                       blocks.size() - 1);
    root.replaceAllUsesWith(result);
    eraseDead(rootOp);
  }

  /// Adds a result to `func`, `expert_load.INDEX`: how many of the tokens'
  /// slots each expert of the block was routed (i64 [experts]).
  static void exposeExpertLoad(OpBuilder &b, Location loc,
                               const Routing &routing, func::FuncOp func,
                               size_t index) {
    QuernOps d{b, loc};
    int64_t slots = routing.tokens * routing.slots;
    SmallVector<int64_t> table = {slots, routing.expertCount};
    auto i64 = [&](ArrayRef<int64_t> shape) {
      return RankedTensorType::get(shape, b.getI64Type());
    };
    auto experts = b.create<ConstantOp>(
        loc, DenseElementsAttr::get(i64({1, routing.expertCount}),
                                    ArrayRef(llvm::to_vector(llvm::seq<int64_t>(
                                        0, routing.expertCount)))));
    Value routed =
        d.compare(ComparePredicate::eq,
                  d.broadcast(d.reshape(routing.experts, {slots, 1}), table),
                  d.broadcast(experts, table));
    Value load = d.reduceSum(b.create<CastOp>(loc, i64(table), routed), {0},
                             /*keepDims=*/false);
    auto ret = cast<func::ReturnOp>(func.getBody().front().getTerminator());
    ret->insertOperands(ret->getNumOperands(), load);
    unsigned result = func.getNumResults();
    func.insertResult(
        result, load.getType(),
        b.getDictionaryAttr(b.getNamedAttr(
            kNameAttrName, b.getStringAttr("expert_load." + Twine(index)))));
  }

  /// The ops eraseDead erased, which later candidates must not touch.
  llvm::DenseSet<Operation *> erased;

  /// Erases `op` and every op that only it (transitively) kept alive.
  void eraseDead(Operation *op) {
    SmallVector<Operation *> worklist = {op};
    while (!worklist.empty()) {
      Operation *dead = worklist.pop_back_val();
      if (!dead->use_empty() || !isPure(dead))
        continue;
      SmallVector<Operation *> producers;
      for (Value operand : dead->getOperands())
        if (Operation *producer = operand.getDefiningOp())
          producers.push_back(producer);
      erased.insert(dead);
      dead->erase();
      for (Operation *producer : producers)
        if (producer->use_empty() && !llvm::is_contained(worklist, producer))
          worklist.push_back(producer);
    }
  }
};

} // namespace
