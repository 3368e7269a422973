//===- VectorizeLanes.cpp - ops computed from position, in lanes -*- C++ -*-=//
//
// See VectorizeLanes.h. The rules that follow an integer across the lanes
// keep it exact: lane i holds c + o[i], c the part common to the lanes
// (known not to be negative, and a multiple of a known divisor g), o[i] >= 0
// a known offset. Divided by q
// (or shifted), c + o[i] is c / q + o[i] / q in every lane as long as each
// o[i] mod q is below gcd(g, q): c mod q is a multiple of that gcd, so
// adding o[i] mod q never carries into the next multiple of q. The same
// condition makes a remainder (or a mask of low bits) c mod q + o[i] mod q.
//
//===----------------------------------------------------------------------===//

#include "VectorizeLanes.h"
#include "Views.h"

#include "quern/Conversion/PackedProduct.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Affine/Utils.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/Support/MathExtras.h"

#include <numeric>
#include <optional>

using namespace mlir;

namespace {

/// A value of the body across the lanes. An integer (or index) is its
/// common part plus offsets[i] in lane i, the common part a multiple of
/// `divisor` (0: the common part is 0), and `nonNegative` when it is a sum
/// of products of loop indices and constants that are not negative (the
/// only common parts the file comment's rule holds for: divided as
/// unsigned numbers, a negative one wraps). A `vector` differs between
/// lanes in a way no offsets describe. Anything else is the same in every
/// lane.
struct LaneForm {
  SmallVector<int64_t> offsets;
  int64_t divisor = 1;
  bool nonNegative = false;
  bool vector = false;

  bool varies() const {
    return vector ||
           llvm::any_of(offsets, [](int64_t offset) { return offset != 0; });
  }
};

/// r when lane i reads element i / r (r dividing the lane count): one
/// vector load of lanes / r elements, each repeated r times.
std::optional<int64_t> repeatOf(ArrayRef<int64_t> offsets) {
  for (int64_t repeat = 1; repeat <= static_cast<int64_t>(offsets.size());
       repeat *= 2) {
    if (offsets.size() % repeat != 0)
      break;
    if (llvm::all_of(llvm::seq<int64_t>(0, offsets.size()),
                     [&](int64_t i) { return offsets[i] == i / repeat; }))
      return repeat;
  }
  return std::nullopt;
}

/// How register tiles run in lanes: `lanes` along loop `laneDim`; with
/// `copies` > 1, the last loop (just after it) too, unrolled: the body
/// computed once per element of its tile, each copy a vector along the
/// lane loop, the copies transposed into the tile.
struct LanePlan {
  unsigned laneDim = 0;
  int64_t lanes = 1;
  int64_t copies = 1;
};

/// The plan of `tiles`, when they are one: a lane loop, and possibly the
/// last loop right after it unrolled; whole tiles of static loops.
std::optional<LanePlan> planOf(linalg::GenericOp op, ArrayRef<int64_t> tiles) {
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  if (ranges.empty() || ranges.size() != tiles.size() ||
      llvm::any_of(ranges, ShapedType::isDynamic))
    return std::nullopt;
  SmallVector<unsigned> tiled;
  for (auto [dim, range, tile] : llvm::enumerate(ranges, tiles)) {
    if (tile < 1 || range % tile != 0)
      return std::nullopt;
    if (tile > 1)
      tiled.push_back(dim);
  }
  unsigned last = ranges.size() - 1;
  LanePlan plan;
  if (tiled.size() == 1 && tiled[0] == last) {
    plan.laneDim = last;
  } else if (tiled.size() == 2 && tiled[0] + 1 == last && tiled[1] == last) {
    plan.laneDim = tiled[0];
    plan.copies = tiles[last];
  } else {
    return std::nullopt;
  }
  plan.lanes = tiles[plan.laneDim];
  return plan;
}

class LaneAnalysis {
public:
  /// The body across the lanes of `plan`, in the copy `copy` of the
  /// unrolled loop.
  LaneAnalysis(linalg::GenericOp op, ArrayRef<int64_t> tiles, LanePlan plan,
               int64_t copy)
      : op(op), tiles(tiles), plan(plan), copy(copy) {}

  /// Follows every op of the body; false at the first it cannot.
  bool run() {
    for (Operation &inner : op.getBody()->without_terminator()) {
      if (inner.getNumResults() != 1)
        return false;
      for (Value operand : inner.getOperands())
        if (!op->isAncestor(operand.getParentBlock()->getParentOp()))
          followAbove(operand);
      std::optional<LaneForm> form = follow(inner);
      if (!form)
        return false;
      forms[inner.getResult(0)] = std::move(*form);
    }
    return true;
  }

  /// What `value` is across the lanes; values from above the body are the
  /// same in every lane.
  LaneForm form(Value value) const {
    if (auto found = forms.find(value); found != forms.end())
      return found->second;
    return uniform(value.getType(), 1);
  }

  const LanePlan &lanePlan() const { return plan; }

private:
  LaneForm uniform(Type type, int64_t divisor, bool nonNegative = false) const {
    LaneForm form;
    if (type.isIntOrIndex())
      form.offsets.assign(plan.lanes, 0);
    form.divisor = divisor;
    form.nonNegative = nonNegative;
    return form;
  }

  /// A value from above the body (the same in every lane): what its
  /// common part is a multiple of, followed through the integer ops that
  /// compute it from loop induction variables and constants, as a tile's
  /// offsets are. A loop's variable from a lower bound of L by steps of S is
  /// a multiple of gcd(L, S), and not negative when L is not.
  LaneForm followAbove(Value value) {
    if (auto found = forms.find(value); found != forms.end())
      return found->second;
    Type type = value.getType();
    LaneForm form = uniform(type, 1);
    if (std::optional<std::pair<int64_t, int64_t>> loop =
            constantLoopOf(value)) {
      auto [lower, step] = *loop;
      if (lower >= 0 && step > 0)
        form = uniform(type, std::gcd(lower, step), true);
    } else if (Operation *def = value.getDefiningOp();
               def && type.isIntOrIndex() && def->getNumResults() == 1 &&
               def->getNumRegions() == 0 && isPure(def)) {
      for (Value operand : def->getOperands())
        followAbove(operand);
      if (std::optional<LaneForm> followed = follow(*def))
        form = *followed;
    }
    forms[value] = form;
    return form;
  }

  /// The constant lower bound and step of the loop (scf.for or
  /// scf.parallel) whose induction variable `value` is.
  static std::optional<std::pair<int64_t, int64_t>>
  constantLoopOf(Value value) {
    auto argument = dyn_cast<BlockArgument>(value);
    if (!argument)
      return std::nullopt;
    Operation *owner = argument.getOwner()->getParentOp();
    std::optional<OpFoldResult> lower, step;
    if (auto loop = dyn_cast<scf::ForOp>(owner);
        loop && loop.getInductionVar() == value) {
      lower = getAsOpFoldResult(loop.getLowerBound());
      step = getAsOpFoldResult(loop.getStep());
    } else if (auto loops = dyn_cast<scf::ParallelOp>(owner)) {
      unsigned index = argument.getArgNumber();
      if (index >= loops.getNumLoops())
        return std::nullopt;
      lower = getAsOpFoldResult(loops.getLowerBound()[index]);
      step = getAsOpFoldResult(loops.getStep()[index]);
    } else {
      return std::nullopt;
    }
    std::optional<int64_t> lowerValue = getConstantIntValue(*lower),
                           stepValue = getConstantIntValue(*step);
    if (!lowerValue || !stepValue)
      return std::nullopt;
    return std::make_pair(*lowerValue, *stepValue);
  }

  static LaneForm vectorForm() {
    LaneForm form;
    form.vector = true;
    return form;
  }

  /// Whether `form` divided by `q` (or taken modulo `q`) splits into the
  /// common part's and the offsets' (the file comment's condition).
  static bool splits(const LaneForm &form, int64_t q) {
    int64_t common = std::gcd(form.divisor, q);
    return q > 0 && form.nonNegative &&
           llvm::all_of(form.offsets, [&](int64_t offset) {
             return offset >= 0 && offset % q < common;
           });
  }

  std::optional<LaneForm> follow(Operation &inner) {
    Value result = inner.getResult(0);
    Type type = result.getType();
    if (auto index = dyn_cast<linalg::IndexOp>(inner)) {
      // Where the tile starts (a multiple of its size), plus the lane along
      // the lane loop, or the copy along the unrolled one.
      unsigned dim = index.getDim();
      bool unrolled = plan.copies > 1 && dim + 1 == tiles.size();
      LaneForm form = uniform(
          type, std::gcd(tiles[dim], unrolled ? copy : int64_t(0)), true);
      if (dim == plan.laneDim)
        for (int64_t lane = 0; lane < plan.lanes; ++lane)
          form.offsets[lane] = lane;
      return form;
    }
    if (std::optional<int64_t> constant = getConstantIntValue(result))
      return *constant >= 0 ? uniform(type, *constant, true) : uniform(type, 1);
    if (auto load = dyn_cast<memref::LoadOp>(inner)) {
      ValueRange indices = load.getIndices();
      if (indices.empty())
        return uniform(type, 1);
      for (Value index : indices.drop_back())
        if (form(index).varies())
          return std::nullopt;
      if (!form(indices.back()).varies())
        return uniform(type, 1);
      // Lanes reading consecutive elements (each possibly repeated), or
      // at places computed from loaded data (a table's entries). Lanes
      // reading elements apart (a transposed weight's codes) would gather
      // from as many cache lines: slower than scalar code, measured.
      // Booleans are a byte each in memory, a vector of them packed bits.
      LaneForm last = form(indices.back());
      if (!isLastMemrefDimUnitStride(load.getMemRefType()) ||
          type.getIntOrFloatBitWidth() % 8 != 0 ||
          (!last.vector && !repeatOf(last.offsets)))
        return std::nullopt;
      return vectorForm();
    }
    SmallVector<LaneForm> operands;
    for (Value operand : inner.getOperands())
      operands.push_back(form(operand));
    bool anyVector = llvm::any_of(
        operands, [](const LaneForm &form) { return form.vector; });
    if (!anyVector && type.isIntOrIndex()) {
      if (std::optional<LaneForm> form = followInteger(inner, operands))
        return form;
    }
    // Anything else: the same in every lane if its operands are, else one
    // op on vectors.
    if (!isPure(&inner) || inner.getNumRegions() != 0 ||
        !llvm::all_of(inner.getOperandTypes(),
                      [](Type t) { return t.isIntOrIndexOrFloat(); }) ||
        !type.isIntOrIndexOrFloat())
      return std::nullopt;
    if (llvm::none_of(operands,
                      [](const LaneForm &form) { return form.varies(); }))
      return uniform(type, 1);
    if (!inner.hasTrait<OpTrait::Elementwise>())
      return std::nullopt;
    return vectorForm();
  }

  /// The integer ops the offsets follow exactly; none for any other. In a
  /// type narrower than 64 bits the common part might wrap: a varying
  /// value is followed there only when its common part is 0 (a nibble's
  /// shift), and a divisor is no proof that it is not negative.
  std::optional<LaneForm> followInteger(Operation &inner,
                                        ArrayRef<LaneForm> operands) {
    std::optional<LaneForm> form = followArithmetic(inner, operands);
    Type type = inner.getResult(0).getType();
    if (!form || type.isIndex() || type.getIntOrFloatBitWidth() >= 64)
      return form;
    if (form->divisor != 0) {
      form->nonNegative = false;
      return form->varies() ? std::nullopt : form;
    }
    int64_t limit = int64_t(1) << (type.getIntOrFloatBitWidth() - 1);
    if (llvm::any_of(form->offsets, [&](int64_t offset) {
          return offset <= -limit || offset >= limit;
        }))
      return std::nullopt;
    return form;
  }

  std::optional<LaneForm> followArithmetic(Operation &inner,
                                           ArrayRef<LaneForm> operands) {
    if (isa<arith::IndexCastOp, arith::IndexCastUIOp, arith::ExtUIOp,
            arith::ExtSIOp>(inner))
      return operands[0];
    if (inner.getNumOperands() != 2)
      return std::nullopt;
    if (isa<arith::AddIOp>(inner))
      return sum(operands[0], operands[1]);
    if (isa<arith::MulIOp>(inner)) {
      for (int side : {0, 1})
        if (std::optional<int64_t> factor =
                getConstantIntValue(inner.getOperand(side)))
          return scaled(operands[1 - side], *factor);
      return std::nullopt;
    }
    // Division, a right shift, a remainder and a mask of low bits by a
    // constant.
    std::optional<int64_t> rhs = getConstantIntValue(inner.getOperand(1));
    if (!rhs || *rhs <= 0)
      return std::nullopt;
    bool quotient = isa<arith::DivUIOp, arith::ShRUIOp>(inner);
    bool remainder =
        isa<arith::RemUIOp>(inner) ||
        (isa<arith::AndIOp>(inner) && llvm::isPowerOf2_64(*rhs + 1));
    if (!quotient && !remainder)
      return std::nullopt;
    int64_t q = *rhs;
    if (isa<arith::ShRUIOp>(inner))
      q = *rhs < 62 ? int64_t(1) << *rhs : 0;
    else if (isa<arith::AndIOp>(inner))
      q = *rhs + 1;
    LaneForm form = operands[0];
    if (!splits(form, q))
      return std::nullopt;
    int64_t g = form.divisor;
    int64_t common = std::gcd(g, q);
    for (int64_t &value : form.offsets)
      value = quotient ? value / q : value % q;
    // c / q, or c mod q: a multiple of gcd(g, q) below q, 0 when that gcd
    // is q.
    if (quotient)
      form.divisor = g == 0 ? 0 : (g % q == 0 ? g / q : 1);
    else
      form.divisor = common == q ? 0 : common;
    return form;
  }

  static std::optional<LaneForm> sum(const LaneForm &lhs, const LaneForm &rhs) {
    LaneForm form = lhs;
    for (auto [value, other] : llvm::zip_equal(form.offsets, rhs.offsets))
      if (llvm::AddOverflow(value, other, value))
        return std::nullopt;
    form.divisor = std::gcd(lhs.divisor, rhs.divisor);
    form.nonNegative = lhs.nonNegative && rhs.nonNegative;
    return form;
  }

  static std::optional<LaneForm> scaled(LaneForm form, int64_t factor) {
    for (int64_t &value : form.offsets)
      if (llvm::MulOverflow(value, factor, value))
        return std::nullopt;
    form.nonNegative = form.nonNegative && factor >= 0;
    if (!form.nonNegative ||
        llvm::MulOverflow(form.divisor, factor, form.divisor))
      form.divisor = 1;
    return form;
  }

  linalg::GenericOp op;
  ArrayRef<int64_t> tiles;
  LanePlan plan;
  int64_t copy;
  llvm::DenseMap<Value, LaneForm> forms;
};

/// The body followed in every copy of `tiles`' plan; empty if it cannot be.
SmallVector<LaneAnalysis> analyze(linalg::GenericOp op,
                                  ArrayRef<int64_t> tiles) {
  std::optional<LanePlan> plan = planOf(op, tiles);
  SmallVector<LaneAnalysis> copies;
  if (!plan || !quern::computesFromPosition(op))
    return {};
  for (int64_t copy = 0; copy < plan->copies; ++copy)
    if (!copies.emplace_back(op, tiles, *plan, copy).run())
      return {};
  return copies;
}

/// One copy of the body (LaneAnalysis) at the insertion point, inside the
/// loops over the tiles (`ivs`): each value's common part as the scalar
/// op cloned, and a vector where it varies.
class CopyEmitter {
public:
  CopyEmitter(RewriterBase &rewriter, linalg::GenericOp op,
              const LaneAnalysis &analysis, ArrayRef<Value> ivs, int64_t copy)
      : rewriter(rewriter), loc(op.getLoc()), op(op), analysis(analysis),
        plan(analysis.lanePlan()), ivs(ivs), copy(copy) {}

  /// The copy's elements of the tile, a vector along the lane loop.
  Value emit() {
    for (Operation &inner : op.getBody()->without_terminator()) {
      Value result = inner.getResult(0);
      if (!analysis.form(result).vector)
        emitCommon(inner);
      else if (auto load = dyn_cast<memref::LoadOp>(inner))
        vectors[result] = emitLoad(load);
      else
        vectors[result] = emitElementwise(inner);
    }
    return vectorOf(op.getBody()->getTerminator()->getOperand(0));
  }

private:
  VectorType vectorType(Type element) const {
    return VectorType::get({plan.lanes}, element);
  }

  /// The tile's start along a loop, or the clone of a scalar op.
  void emitCommon(Operation &inner) {
    auto index = dyn_cast<linalg::IndexOp>(inner);
    if (!index) {
      rewriter.clone(inner, common);
      return;
    }
    Value start = ivs[index.getDim()];
    if (plan.copies > 1 && index.getDim() + 1 == ivs.size() && copy > 0)
      start = rewriter.create<arith::AddIOp>(
          loc, start, rewriter.create<arith::ConstantIndexOp>(loc, copy));
    common.map(index.getResult(), start);
  }

  /// Consecutive elements (each possibly repeated): one vector load and a
  /// shuffle. At places computed from loaded data: a gather.
  Value emitLoad(memref::LoadOp load) {
    Type element = load.getType();
    Value memref = common.lookupOrDefault(load.getMemRef());
    SmallVector<Value> indices =
        llvm::map_to_vector(load.getIndices(), [&](Value index) {
          return common.lookupOrDefault(index);
        });
    LaneForm last = analysis.form(load.getIndices().back());
    if (!last.vector) {
      int64_t repeat = *repeatOf(last.offsets);
      Value loaded = rewriter.create<vector::LoadOp>(
          loc, VectorType::get({plan.lanes / repeat}, element), memref,
          indices);
      if (repeat == 1)
        return loaded;
      SmallVector<int64_t> mask;
      for (int64_t lane = 0; lane < plan.lanes; ++lane)
        mask.push_back(lane / repeat);
      return rewriter.create<vector::ShuffleOp>(loc, loaded, loaded, mask);
    }
    Value indexVector = vectorOf(load.getIndices().back());
    indices.back() = rewriter.create<arith::ConstantIndexOp>(loc, 0);
    Value all = rewriter.create<arith::ConstantOp>(
        loc, DenseElementsAttr::get(vectorType(rewriter.getI1Type()),
                                    rewriter.getBoolAttr(true)));
    Value zero = rewriter.create<arith::ConstantOp>(
        loc, rewriter.getZeroAttr(vectorType(element)));
    return rewriter.create<vector::GatherOp>(loc, vectorType(element), memref,
                                             indices, indexVector, all, zero);
  }

  /// The op on vectors of its operands.
  Value emitElementwise(Operation &inner) {
    SmallVector<Value> operands = llvm::map_to_vector(
        inner.getOperands(), [&](Value operand) { return vectorOf(operand); });
    OperationState state(loc, inner.getName(), operands,
                         {vectorType(inner.getResult(0).getType())},
                         inner.getAttrs());
    return rewriter.create(state)->getResult(0);
  }

  /// `value` in every lane: its vector, or its common part broadcast plus
  /// its offsets (the offsets alone where the common part is known 0).
  Value vectorOf(Value value) {
    if (Value found = vectors.lookup(value))
      return found;
    Type element = value.getType();
    LaneForm form = analysis.form(value);
    Value vector;
    if (form.varies()) {
      SmallVector<Attribute> offsets;
      for (int64_t offset : form.offsets)
        offsets.push_back(IntegerAttr::get(element, offset));
      vector = rewriter.create<arith::ConstantOp>(
          loc, DenseElementsAttr::get(vectorType(element), offsets));
    }
    if (!vector || form.divisor != 0) {
      Value broadcast = rewriter.create<vector::BroadcastOp>(
          loc, vectorType(element), common.lookupOrDefault(value));
      vector = vector ? rewriter.create<arith::AddIOp>(loc, broadcast, vector)
                            .getResult()
                      : broadcast;
    }
    vectors[value] = vector;
    return vector;
  }

  RewriterBase &rewriter;
  Location loc;
  linalg::GenericOp op;
  const LaneAnalysis &analysis;
  const LanePlan &plan;
  ArrayRef<Value> ivs;
  int64_t copy;
  /// Each body value's common part, and its vector where it has one.
  IRMapping common;
  llvm::DenseMap<Value, Value> vectors;
};

} // namespace

SmallVector<int64_t> quern::laneTiles(linalg::LinalgOp linalgOp,
                                      int64_t lanes) {
  auto op = dyn_cast<linalg::GenericOp>(linalgOp.getOperation());
  if (!op)
    return {};
  // The first loop is the threads'; the lanes run along the last, or, when
  // the last is narrower than the lanes (a bf16 pair), along the one
  // before it, the last unrolled. (A transposed weight's panels could run
  // the same way with the last loop a vector wide, then transposed: that
  // was slower than scalar code, as both are bound by the writes.)
  size_t rank = op.getNumLoops();
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  if (rank < 2)
    return {};
  SmallVector<int64_t> tiles(rank, 1);
  tiles.back() = lanes;
  if (!analyze(op, tiles).empty())
    return tiles;
  if (rank < 3 || ranges.back() >= lanes)
    return {};
  tiles[rank - 2] = lanes;
  tiles.back() = ranges.back();
  if (analyze(op, tiles).empty())
    return {};
  return tiles;
}

LogicalResult quern::vectorizeLanes(RewriterBase &rewriter,
                                    linalg::LinalgOp linalgOp,
                                    ArrayRef<int64_t> tiles) {
  auto op = dyn_cast<linalg::GenericOp>(linalgOp.getOperation());
  if (!op || !op.hasPureBufferSemantics() || !planOf(op, tiles))
    return failure();
  // Tiling offsets the loop indices with affine.apply, in the body and in
  // the offsets it reads from above (a cache tile's, inside a product's
  // tile loops): arithmetic instead, which the analysis follows (the same
  // values: nothing else changes if the analysis then fails).
  llvm::SetVector<affine::AffineApplyOp> applies;
  SmallVector<Value> above;
  op.getBody()->walk([&](Operation *inner) {
    if (auto apply = dyn_cast<affine::AffineApplyOp>(inner))
      applies.insert(apply);
    for (Value operand : inner->getOperands())
      if (!op->isAncestor(operand.getParentBlock()->getParentOp()))
        above.push_back(operand);
  });
  for (Value value : computedFrom(above))
    if (auto apply = value.getDefiningOp<affine::AffineApplyOp>())
      applies.insert(apply);
  for (affine::AffineApplyOp apply : applies) {
    rewriter.setInsertionPoint(apply);
    std::optional<SmallVector<Value, 8>> expanded = affine::expandAffineMap(
        rewriter, apply.getLoc(), apply.getAffineMap(), apply.getOperands());
    if (!expanded)
      return failure();
    rewriter.replaceOp(apply, (*expanded)[0]);
  }
  SmallVector<LaneAnalysis> copies = analyze(op, tiles);
  if (copies.empty())
    return failure();

  const LanePlan &plan = copies.front().lanePlan();
  Location loc = op.getLoc();
  rewriter.setInsertionPoint(op);
  SmallVector<Value> ivs;
  for (auto [range, tile] : llvm::zip_equal(op.getStaticLoopRanges(), tiles)) {
    auto loop = rewriter.create<scf::ForOp>(
        loc, rewriter.create<arith::ConstantIndexOp>(loc, 0),
        rewriter.create<arith::ConstantIndexOp>(loc, range),
        rewriter.create<arith::ConstantIndexOp>(loc, tile));
    ivs.push_back(loop.getInductionVar());
    rewriter.setInsertionPointToStart(loop.getBody());
  }

  // The tile, written in the last dimensions (a minor identity): one
  // vector, or the copies stacked and transposed.
  SmallVector<Value> rows;
  for (auto [copy, analysis] : llvm::enumerate(copies))
    rows.push_back(CopyEmitter(rewriter, op, analysis, ivs, copy).emit());
  Value tile = rows.front();
  if (rows.size() > 1) {
    tile = rewriter.create<arith::ConstantOp>(
        loc, rewriter.getZeroAttr(VectorType::get({plan.copies, plan.lanes},
                                                  getElementTypeOrSelf(tile))));
    for (auto [copy, row] : llvm::enumerate(rows))
      tile = rewriter.create<vector::InsertOp>(
          loc, row, tile, ArrayRef<int64_t>{static_cast<int64_t>(copy)});
    tile = rewriter.create<vector::TransposeOp>(loc, tile,
                                                ArrayRef<int64_t>{1, 0});
  }
  SmallVector<bool> inBounds(rows.size() > 1 ? 2 : 1, true);
  rewriter.create<vector::TransferWriteOp>(loc, tile, op.getDpsInits()[0], ivs,
                                           inBounds);
  rewriter.eraseOp(op);
  return success();
}
