//===- QuernOps.cpp - quern op verifiers ------------------------*- C++ -*-===//
//
// Verifiers for the constraints that types and traits cannot express: the
// shape relations between operands and results. Folds live in
// QuernFolds.cpp.
//
//===----------------------------------------------------------------------===//

#include "dialects/quern/QuernOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpImplementation.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallBitVector.h"

using namespace mlir;
using namespace quern;

/// Formats a shape like `[4, 8]` for diagnostics.
static std::string formatShape(ArrayRef<int64_t> shape) {
  std::string text = "[";
  llvm::raw_string_ostream os(text);
  llvm::interleaveComma(shape, os);
  os << "]";
  return text;
}

//===----------------------------------------------------------------------===//
// MatMulOp
//===----------------------------------------------------------------------===//

LogicalResult MatMulOp::verify() {
  auto lhsType = getLhs().getType();
  auto rhsType = getRhs().getType();
  auto resultType = getResult().getType();
  int64_t rank = lhsType.getRank();
  if (rank < 2 || rhsType.getRank() != rank || resultType.getRank() != rank)
    return emitOpError("expects operands and result of one rank, at least 2");
  if (lhsType.getElementType() != rhsType.getElementType() ||
      lhsType.getElementType() != resultType.getElementType())
    return emitOpError("expects operands and result of one element type");

  ArrayRef<int64_t> lhs = lhsType.getShape(), rhs = rhsType.getShape();
  if (lhs.drop_back(2) != rhs.drop_back(2))
    return emitOpError("expects equal batch dimensions, got ")
           << formatShape(lhs.drop_back(2)) << " and "
           << formatShape(rhs.drop_back(2));
  int64_t m = getTransposeLhs() ? lhs[rank - 1] : lhs[rank - 2];
  int64_t lhsK = getTransposeLhs() ? lhs[rank - 2] : lhs[rank - 1];
  int64_t rhsK = getTransposeRhs() ? rhs[rank - 1] : rhs[rank - 2];
  int64_t n = getTransposeRhs() ? rhs[rank - 2] : rhs[rank - 1];
  if (lhsK != rhsK)
    return emitOpError("contraction dimensions differ: ")
           << lhsK << " vs " << rhsK;

  SmallVector<int64_t> expected(lhs.drop_back(2));
  expected.append({m, n});
  if (resultType.getShape() != ArrayRef<int64_t>(expected))
    return emitOpError("expects result shape ")
           << formatShape(expected) << ", got "
           << formatShape(resultType.getShape());

  if (Value bias = getBias()) {
    auto biasType = cast<RankedTensorType>(bias.getType());
    if (biasType.getElementType() != resultType.getElementType())
      return emitOpError("expects bias of the result's element type");
    bool isVector = biasType.getRank() == 1 && biasType.getDimSize(0) == n;
    if (!isVector && biasType != resultType)
      return emitOpError("expects bias of shape [")
             << n << "] or of the result's shape, got "
             << formatShape(biasType.getShape());
  }
  return success();
}

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

/// Checks `axes` against `rank`: each in [0, rank), none twice, ascending.
static LogicalResult verifyAxes(Operation *op, ArrayRef<int64_t> axes,
                                int64_t rank) {
  for (auto [index, axis] : llvm::enumerate(axes)) {
    if (axis < 0 || axis >= rank)
      return op->emitOpError("axis ")
             << axis << " is out of range for rank " << rank;
    if (index > 0 && axes[index - 1] >= axis)
      return op->emitOpError("expects strictly ascending axes");
  }
  return success();
}

/// The shape of reducing `shape` over `axes`.
static SmallVector<int64_t> reducedShape(ArrayRef<int64_t> shape,
                                         ArrayRef<int64_t> axes,
                                         bool keepDims) {
  SmallVector<int64_t> result;
  for (auto [dim, size] : llvm::enumerate(shape)) {
    if (!llvm::is_contained(axes, static_cast<int64_t>(dim)))
      result.push_back(size);
    else if (keepDims)
      result.push_back(1);
  }
  return result;
}

template <typename ReduceOp>
static LogicalResult verifyReduction(ReduceOp op) {
  auto inputType = op.getInput().getType();
  if (failed(verifyAxes(op, op.getAxes(), inputType.getRank())))
    return failure();
  SmallVector<int64_t> expected =
      reducedShape(inputType.getShape(), op.getAxes(), op.getKeepDims());
  ArrayRef<int64_t> actual = op.getResult().getType().getShape();
  if (actual != ArrayRef<int64_t>(expected))
    return op.emitOpError("expects result shape ")
           << formatShape(expected) << ", got " << formatShape(actual);
  return success();
}

LogicalResult ReduceSumOp::verify() { return verifyReduction(*this); }
LogicalResult ReduceMeanOp::verify() { return verifyReduction(*this); }
LogicalResult ReduceMaxOp::verify() { return verifyReduction(*this); }

//===----------------------------------------------------------------------===//
// Softmax family
//===----------------------------------------------------------------------===//

template <typename SoftmaxOp>
static LogicalResult verifySoftmax(SoftmaxOp op) {
  int64_t rank = op.getInput().getType().getRank();
  int64_t axis = op.getAxis();
  if (axis < 0 || axis >= rank)
    return op.emitOpError("axis ")
           << axis << " is out of range for rank " << rank;
  return success();
}

LogicalResult SoftmaxOp::verify() { return verifySoftmax(*this); }
LogicalResult LogSoftmaxOp::verify() { return verifySoftmax(*this); }

//===----------------------------------------------------------------------===//
// Shape ops
//===----------------------------------------------------------------------===//

LogicalResult ReshapeOp::verify() {
  auto inputType = getInput().getType();
  auto resultType = getResult().getType();
  if (inputType.getNumElements() != resultType.getNumElements())
    return emitOpError("cannot reshape ")
           << inputType.getNumElements() << " elements into "
           << resultType.getNumElements();
  return success();
}

LogicalResult TransposeOp::verify() {
  ArrayRef<int64_t> perm = getPerm();
  ArrayRef<int64_t> input = getInput().getType().getShape();
  ArrayRef<int64_t> result = getResult().getType().getShape();
  int64_t rank = input.size();
  if (static_cast<int64_t>(perm.size()) != rank ||
      static_cast<int64_t>(result.size()) != rank)
    return emitOpError("expects perm, input and result of one rank");
  llvm::SmallBitVector seen(rank);
  for (int64_t dim : perm) {
    if (dim < 0 || dim >= rank || seen.test(dim))
      return emitOpError("perm ")
             << formatShape(perm) << " is not a permutation of [0, " << rank
             << ")";
    seen.set(dim);
  }
  for (int64_t dim = 0; dim < rank; ++dim)
    if (result[dim] != input[perm[dim]])
      return emitOpError("expects result dimension ")
             << dim << " to be " << input[perm[dim]] << ", got "
             << result[dim];
  return success();
}

LogicalResult BroadcastOp::verify() {
  ArrayRef<int64_t> input = getInput().getType().getShape();
  ArrayRef<int64_t> result = getResult().getType().getShape();
  if (input.size() > result.size())
    return emitOpError("cannot broadcast rank ")
           << input.size() << " to the lower rank " << result.size();
  size_t offset = result.size() - input.size();
  for (auto [dim, size] : llvm::enumerate(input))
    if (size != 1 && size != result[offset + dim])
      return emitOpError("cannot broadcast ")
             << formatShape(input) << " to " << formatShape(result);
  return success();
}

#define GET_OP_CLASSES
#include "dialects/quern/QuernOps.cpp.inc"
