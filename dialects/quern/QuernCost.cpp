//===- QuernCost.cpp - what a quern op costs --------------------*- C++ -*-===//
//
// FLOPs per op family, as profilers count them: an add, multiply, compare
// against a float or transcendental function is one per element, a
// multiply-add two; moving data (shape ops, gathers, casts, selects) and
// logic are none. Fused ops count the arithmetic of what they fuse.
//
//===----------------------------------------------------------------------===//

#include "dialects/quern/QuernCost.h"

#include "dialects/quern/QuernOps.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace quern;

static int64_t elements(Value value) {
  return cast<RankedTensorType>(value.getType()).getNumElements();
}

int64_t quern::tensorBytes(TypeRange types) {
  int64_t bytes = 0;
  for (Type type : types)
    if (auto tensor = dyn_cast<RankedTensorType>(type);
        tensor && tensor.hasStaticShape())
      bytes += llvm::divideCeil(
          tensor.getNumElements() * tensor.getElementTypeBitWidth(), 8);
  return bytes;
}

/// Per element of the (first) result.
static int64_t perResultElement(Operation *op, int64_t flops) {
  return flops * elements(op->getResult(0));
}

int64_t quern::countFlops(Operation *op) {
  return llvm::TypeSwitch<Operation *, int64_t>(op)
      .Case([](MatMulOp matmul) {
        // Every result element sums K products; a bias adds one each.
        auto lhs = cast<RankedTensorType>(matmul.getLhs().getType());
        int64_t k =
            lhs.getDimSize(lhs.getRank() - (matmul.getTransposeLhs() ? 2 : 1));
        return perResultElement(matmul, 2 * k + (matmul.getBias() ? 1 : 0));
      })
      // A multiply-add per row (padding included), column and depth.
      .Case<GroupedMatMulOp, GroupedWeightGradientOp>([](Operation *op) {
        auto lhs = cast<RankedTensorType>(op->getOperand(0).getType());
        auto rhs = cast<RankedTensorType>(op->getOperand(1).getType());
        return 2 * lhs.getNumElements() *
               (isa<GroupedMatMulOp>(op)
                    ? elements(op->getResult(0)) / lhs.getDimSize(0)
                    : rhs.getDimSize(1));
      })
      // The products as above, and the epilogue once per tile.
      .Case([](GroupedMatMulEpilogueOp op) {
        int64_t flops = 2 * elements(op.getLhs()) *
                        op.getProductType().getDimSize(1) * op.getRhs().size();
        int64_t tiles = elements(op.getTileGroups());
        for (Operation &inner : op.getEpilogue().front().without_terminator())
          flops += tiles * countFlops(&inner);
        return flops;
      })
      .Case([](EinsumOp einsum) {
        // A multiply-add per point of the space of all its letters.
        std::optional<EinsumEquation> equation =
            parseEinsumEquation(einsum.getEquation());
        llvm::DenseMap<char, int64_t> extents;
        for (auto [letters, operand] :
             llvm::zip(equation->operands, einsum->getOperands()))
          for (auto [letter, size] : llvm::zip_equal(
                   letters,
                   cast<RankedTensorType>(operand.getType()).getShape()))
            extents[letter] = std::max(extents.lookup(letter), size);
        int64_t points = 1;
        for (auto &[letter, size] : extents)
          points *= size;
        return 2 * points;
      })
      // Moves and logic.
      .Case<NotOp, AndOp, OrOp, SelectOp, CastOp, GatherOp, GatherElementsOp,
            ScatterNDOp, TopKOp, TriluOp, ReshapeOp, TransposeOp, BroadcastOp,
            ConcatOp, SliceOp, InsertSliceOp, ConstantOp, BackwardBeginsOp,
            RecomputeInputOp, MoeDispatchOp, CollectiveStartOp,
            CollectiveWaitOp, ProcessRankOp>(
          [](Operation *) { return int64_t(0); })
      // Compare (and pick) per element.
      .Case<ReluOp, AbsOp, NegOp, MaxOp, MinOp, CompareOp>(
          [](Operation *op) { return perResultElement(op, 1); })
      .Case<ExpOp, LogOp, TanhOp, SqrtOp, ReciprocalOp, ErfOp, SinOp, CosOp,
            AddOp, SubOp, MulOp, DivOp, PowOp>(
          [](Operation *op) { return perResultElement(op, 1); })
      // 1 / (1 + exp(-x)); x or slope * x; x * mask * scale.
      .Case([](SigmoidOp op) { return perResultElement(op, 3); })
      .Case([](LeakyReluOp op) { return perResultElement(op, 2); })
      .Case([](DropoutOp op) { return perResultElement(op, 2); })
      // A code's level times its scale (plus the offset).
      .Case([](DequantizeOp op) {
        return perResultElement(op, op.getOffset() ? 2 : 1);
      })
      // Combining an update with what it lands on.
      .Case([](ScatterElementsOp op) { return elements(op.getUpdates()); })
      // One combination per input element.
      .Case<ReduceSumOp, ReduceMaxOp, ReduceMinOp>(
          [](Operation *op) { return elements(op->getOperand(0)); })
      .Case([](ReduceMeanOp op) {
        return elements(op.getInput()) + elements(op.getResult());
      })
      // Max, subtract, exp, sum, divide (log-softmax: log and subtract).
      .Case<SoftmaxOp, LogSoftmaxOp>(
          [](Operation *op) { return perResultElement(op, 5); })
      // Mean, centre, square, sum, scale, shift.
      .Case([](LayerNormOp op) { return 8 * elements(op.getInput()); })
      // The picked log-probabilities, weighted and summed.
      .Case([](NllLossOp op) { return 2 * elements(op.getTarget()); })
      // Per parameter element: decay, momentum, step.
      .Case([](SgdUpdateOp op) { return 6 * elements(op.getParam()); })
      // Decay, both moments, bias corrections, square root, step.
      .Case([](AdamUpdateOp op) { return 14 * elements(op.getParam()); })
      .Case([](AdagradUpdateOp op) { return 7 * elements(op.getParam()); })
      .Default([](Operation *op) -> int64_t {
        llvm_unreachable("every quern op has a cost rule");
      });
}
