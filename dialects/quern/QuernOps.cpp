//===- QuernOps.cpp - quern op verifiers ------------------------*- C++ -*-===//
//
// Verifiers for the constraints that types and traits cannot express: the
// shape relations between operands and results. Folds live in
// QuernFolds.cpp.
//
//===----------------------------------------------------------------------===//

#include "dialects/quern/QuernOps.h"

#include "dialects/quern/NF4Levels.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpImplementation.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallBitVector.h"
#include "llvm/ADT/StringExtras.h"

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
static SmallVector<int64_t>
reducedShape(ArrayRef<int64_t> shape, ArrayRef<int64_t> axes, bool keepDims) {
  SmallVector<int64_t> result;
  for (auto [dim, size] : llvm::enumerate(shape)) {
    if (!llvm::is_contained(axes, static_cast<int64_t>(dim)))
      result.push_back(size);
    else if (keepDims)
      result.push_back(1);
  }
  return result;
}

template <typename ReduceOp> static LogicalResult verifyReduction(ReduceOp op) {
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
LogicalResult ReduceMinOp::verify() { return verifyReduction(*this); }

//===----------------------------------------------------------------------===//
// Softmax family
//===----------------------------------------------------------------------===//

template <typename SoftmaxOp> static LogicalResult verifySoftmax(SoftmaxOp op) {
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
             << dim << " to be " << input[perm[dim]] << ", got " << result[dim];
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

//===----------------------------------------------------------------------===//
// EinsumOp
//===----------------------------------------------------------------------===//

std::optional<EinsumEquation> quern::parseEinsumEquation(StringRef equation) {
  auto [inputs, result] = equation.split("->");
  if (!equation.contains("->"))
    return std::nullopt;
  EinsumEquation parsed;
  SmallVector<StringRef> operands;
  inputs.split(operands, ',');
  auto isLetters = [](StringRef text) {
    return llvm::all_of(text, [](char c) { return llvm::isAlpha(c); });
  };
  for (StringRef operand : operands) {
    if (!isLetters(operand))
      return std::nullopt;
    parsed.operands.push_back(operand.str());
  }
  if (!isLetters(result))
    return std::nullopt;
  parsed.result = result.str();
  return parsed;
}

LogicalResult EinsumOp::verify() {
  std::optional<EinsumEquation> equation = parseEinsumEquation(getEquation());
  if (!equation)
    return emitOpError("expects an explicit equation of letters such as "
                       "\"ij,jk->ik\", got \"")
           << getEquation() << "\"";
  if (equation->operands.size() != getOperands().size())
    return emitOpError("equation names ")
           << equation->operands.size() << " operands, got "
           << getOperands().size();
  llvm::DenseMap<char, int64_t> extents;
  auto record = [&](char letter, int64_t extent) {
    auto [it, inserted] = extents.try_emplace(letter, extent);
    return inserted || it->second == extent;
  };
  Type elementType = getType().getElementType();
  for (auto [letters, operand] :
       llvm::zip_equal(equation->operands, getOperands())) {
    auto type = cast<RankedTensorType>(operand.getType());
    if (type.getElementType() != elementType)
      return emitOpError("expects operands and result of one element type");
    if (static_cast<int64_t>(letters.size()) != type.getRank())
      return emitOpError("operand subscripts '")
             << letters << "' do not match rank " << type.getRank();
    for (auto [letter, extent] : llvm::zip_equal(letters, type.getShape()))
      if (!record(letter, extent))
        return emitOpError("dimension '")
               << letter << "' has two different extents";
  }
  ArrayRef<int64_t> resultShape = getType().getShape();
  if (equation->result.size() != resultShape.size())
    return emitOpError("result subscripts '")
           << equation->result << "' do not match rank " << resultShape.size();
  // A result letter names one loop; twice in the result it would write a
  // diagonal of the result and leave the rest undefined.
  for (auto [index, letter] : llvm::enumerate(equation->result))
    if (StringRef(equation->result).take_front(index).contains(letter))
      return emitOpError("result subscripts '")
             << equation->result << "' repeat '" << letter << "'";
  for (auto [letter, extent] : llvm::zip_equal(equation->result, resultShape)) {
    auto found = extents.find(letter);
    if (found == extents.end())
      return emitOpError("result dimension '")
             << letter << "' appears in no operand";
    if (found->second != extent)
      return emitOpError("result dimension '")
             << letter << "' has extent " << extent << ", operands say "
             << found->second;
  }
  return success();
}

//===----------------------------------------------------------------------===//
// LayerNormOp and NllLossOp
//===----------------------------------------------------------------------===//

LogicalResult LayerNormOp::verify() {
  auto inputType = cast<RankedTensorType>(getInput().getType());
  int64_t rank = inputType.getRank();
  int64_t axis = getAxis();
  if (axis < 0 || axis >= rank)
    return emitOpError("axis ") << axis << " is out of range for rank " << rank;
  ArrayRef<int64_t> normalized = inputType.getShape().drop_front(axis);
  for (Value parameter : {getScale(), getBias()}) {
    if (!parameter)
      continue;
    auto type = cast<RankedTensorType>(parameter.getType());
    if (type.getShape() != normalized ||
        type.getElementType() != inputType.getElementType())
      return emitOpError("expects scale and bias of shape ")
             << formatShape(normalized) << " and the input's element type";
  }
  if (getResult().getType() != inputType)
    return emitOpError("expects a result of the input's type");
  SmallVector<int64_t> statsShape(inputType.getShape().take_front(axis));
  statsShape.append(rank - axis, 1);
  for (Value stat : {getMean(), getInvStd()}) {
    auto type = cast<RankedTensorType>(stat.getType());
    if (type.getShape() != ArrayRef<int64_t>(statsShape) ||
        type.getElementType() != inputType.getElementType())
      return emitOpError("expects mean and inv_std of shape ")
             << formatShape(statsShape) << " and the input's element type";
  }
  return success();
}

LogicalResult NllLossOp::verify() {
  auto inputType = cast<RankedTensorType>(getInput().getType());
  auto targetType = cast<RankedTensorType>(getTarget().getType());
  if (inputType.getRank() < 2)
    return emitOpError("expects input of shape [N, C, d...]");
  SmallVector<int64_t> targetShape = {inputType.getDimSize(0)};
  llvm::append_range(targetShape, inputType.getShape().drop_front(2));
  if (targetType.getShape() != ArrayRef<int64_t>(targetShape))
    return emitOpError("expects target of shape ")
           << formatShape(targetShape) << ", got "
           << formatShape(targetType.getShape());
  if (Value weight = getWeight()) {
    auto weightType = cast<RankedTensorType>(weight.getType());
    if (weightType.getRank() != 1 ||
        weightType.getDimSize(0) != inputType.getDimSize(1) ||
        weightType.getElementType() != inputType.getElementType())
      return emitOpError("expects weight of shape [")
             << inputType.getDimSize(1) << "] and the input's element type";
  }
  auto resultType = cast<RankedTensorType>(getResult().getType());
  bool perPosition = getReduction() == LossReduction::none;
  if (perPosition ? resultType.getShape() != ArrayRef<int64_t>(targetShape)
                  : resultType.getRank() != 0)
    return emitOpError("expects a result of shape ")
           << (perPosition ? formatShape(targetShape) : "[]");
  if (resultType.getElementType() != inputType.getElementType())
    return emitOpError("expects a result of the input's element type");
  return success();
}

//===----------------------------------------------------------------------===//
// ConcatOp and SliceOp
//===----------------------------------------------------------------------===//

LogicalResult ConcatOp::verify() {
  if (getInputs().empty())
    return emitOpError("expects at least one input");
  auto resultType = cast<RankedTensorType>(getType());
  int64_t rank = resultType.getRank();
  int64_t axis = getAxis();
  if (axis < 0 || axis >= rank)
    return emitOpError("axis ") << axis << " is out of range for rank " << rank;
  int64_t total = 0;
  for (Value input : getInputs()) {
    auto type = cast<RankedTensorType>(input.getType());
    if (type.getElementType() != resultType.getElementType() ||
        type.getRank() != rank)
      return emitOpError("expects inputs of the result's rank and element "
                         "type");
    for (int64_t dim = 0; dim < rank; ++dim)
      if (dim != axis && type.getDimSize(dim) != resultType.getDimSize(dim))
        return emitOpError("expects inputs to agree with the result outside "
                           "dimension ")
               << axis;
    total += type.getDimSize(axis);
  }
  if (total != resultType.getDimSize(axis))
    return emitOpError("expects result dimension ")
           << axis << " to be " << total;
  return success();
}

LogicalResult SliceOp::verify() {
  ArrayRef<int64_t> input = getInput().getType().getShape();
  ArrayRef<int64_t> result = getType().getShape();
  if (getOffsets().size() != input.size() ||
      getStrides().size() != input.size() || result.size() != input.size())
    return emitOpError("expects offsets, strides, input and result of one "
                       "rank");
  for (auto [dim, offset, stride, size] :
       llvm::enumerate(getOffsets(), getStrides(), result)) {
    if (stride == 0)
      return emitOpError("stride of dimension ") << dim << " is 0";
    if (size == 0)
      continue;
    int64_t last = offset + (size - 1) * stride;
    if (offset < 0 || offset >= input[dim] || last < 0 || last >= input[dim])
      return emitOpError("window of dimension ")
             << dim << " (offset " << offset << ", stride " << stride
             << ", size " << size << ") leaves [0, " << input[dim] << ")";
  }
  return success();
}

LogicalResult InsertSliceOp::verify() {
  ArrayRef<int64_t> source = getSource().getType().getShape();
  ArrayRef<int64_t> dest = getDest().getType().getShape();
  if (getOffsets().size() != dest.size() ||
      getStrides().size() != dest.size() || source.size() != dest.size())
    return emitOpError("expects offsets, strides, source and dest of one "
                       "rank");
  if (getSource().getType().getElementType() !=
      getDest().getType().getElementType())
    return emitOpError("expects source and dest of one element type");
  for (auto [dim, offset, stride, size] :
       llvm::enumerate(getOffsets(), getStrides(), source)) {
    if (stride <= 0)
      return emitOpError("stride of dimension ") << dim << " is not positive";
    if (size == 0)
      continue;
    if (offset < 0 || offset + (size - 1) * stride >= dest[dim])
      return emitOpError("window of dimension ")
             << dim << " (offset " << offset << ", stride " << stride
             << ", size " << size << ") leaves [0, " << dest[dim] << ")";
  }
  return success();
}

//===----------------------------------------------------------------------===//
// Indexing ops
//===----------------------------------------------------------------------===//

/// Checks `axis` against the rank of `data`.
static LogicalResult verifyAxis(Operation *op, int64_t axis, int64_t rank) {
  if (axis < 0 || axis >= rank)
    return op->emitOpError("axis ")
           << axis << " is out of range for rank " << rank;
  return success();
}

/// gather_elements and scatter_elements use an index position as a data
/// position in every dimension but `axis`, where only the index values are
/// clamped; so the indices may not extend beyond the data there.
static LogicalResult verifyIndicesWithinData(Operation *op,
                                             ArrayRef<int64_t> indices,
                                             ArrayRef<int64_t> data,
                                             int64_t axis) {
  for (auto [dim, extent] : llvm::enumerate(indices))
    if (static_cast<int64_t>(dim) != axis && extent > data[dim])
      return op->emitOpError("expects indices of shape ")
             << formatShape(indices) << " to fit in data of shape "
             << formatShape(data) << " outside dimension " << axis;
  return success();
}

LogicalResult GatherOp::verify() {
  auto dataType = cast<RankedTensorType>(getData().getType());
  auto indicesType = cast<RankedTensorType>(getIndices().getType());
  int64_t axis = getAxis();
  if (failed(verifyAxis(*this, axis, dataType.getRank())))
    return failure();
  SmallVector<int64_t> expected(dataType.getShape().take_front(axis));
  llvm::append_range(expected, indicesType.getShape());
  llvm::append_range(expected, dataType.getShape().drop_front(axis + 1));
  auto resultType = cast<RankedTensorType>(getType());
  if (resultType.getShape() != ArrayRef<int64_t>(expected) ||
      resultType.getElementType() != dataType.getElementType())
    return emitOpError("expects result shape ")
           << formatShape(expected) << " of the data's element type";
  return success();
}

LogicalResult GatherElementsOp::verify() {
  auto dataType = cast<RankedTensorType>(getData().getType());
  if (failed(verifyAxis(*this, getAxis(), dataType.getRank())))
    return failure();
  auto indicesType = cast<RankedTensorType>(getIndices().getType());
  if (indicesType.getRank() != dataType.getRank() ||
      getType().getElementType() != dataType.getElementType())
    return emitOpError("expects indices of the data's rank and a result of "
                       "its element type");
  return verifyIndicesWithinData(*this, indicesType.getShape(),
                                 dataType.getShape(), getAxis());
}

LogicalResult ScatterElementsOp::verify() {
  auto dataType = cast<RankedTensorType>(getData().getType());
  if (failed(verifyAxis(*this, getAxis(), dataType.getRank())))
    return failure();
  auto updatesType = cast<RankedTensorType>(getUpdates().getType());
  if (updatesType.getRank() != dataType.getRank() ||
      updatesType.getElementType() != dataType.getElementType())
    return emitOpError("expects updates of the data's rank and element type");
  return verifyIndicesWithinData(
      *this, cast<RankedTensorType>(getIndices().getType()).getShape(),
      dataType.getShape(), getAxis());
}

LogicalResult ScatterNDOp::verify() {
  auto dataType = cast<RankedTensorType>(getData().getType());
  auto indicesType = cast<RankedTensorType>(getIndices().getType());
  auto updatesType = cast<RankedTensorType>(getUpdates().getType());
  if (indicesType.getRank() < 1)
    return emitOpError("expects indices of rank at least 1");
  int64_t depth = indicesType.getShape().back();
  if (depth < 1 || depth > dataType.getRank())
    return emitOpError("index tuples of length ")
           << depth << " do not fit data of rank " << dataType.getRank();
  SmallVector<int64_t> expected(indicesType.getShape().drop_back());
  llvm::append_range(expected, dataType.getShape().drop_front(depth));
  if (updatesType.getShape() != ArrayRef<int64_t>(expected) ||
      updatesType.getElementType() != dataType.getElementType())
    return emitOpError("expects updates of shape ")
           << formatShape(expected) << " and the data's element type";
  return success();
}

LogicalResult TopKOp::verify() {
  auto inputType = cast<RankedTensorType>(getInput().getType());
  int64_t axis = getAxis();
  if (failed(verifyAxis(*this, axis, inputType.getRank())))
    return failure();
  int64_t k = getK();
  if (k < 0 || k > inputType.getDimSize(axis))
    return emitOpError("k = ") << k << " is out of range for dimension " << axis
                               << " of size " << inputType.getDimSize(axis);
  SmallVector<int64_t> expected(inputType.getShape());
  expected[axis] = k;
  auto valuesType = cast<RankedTensorType>(getValues().getType());
  if (valuesType.getShape() != ArrayRef<int64_t>(expected) ||
      valuesType.getElementType() != inputType.getElementType() ||
      cast<RankedTensorType>(getIndices().getType()).getShape() !=
          ArrayRef<int64_t>(expected))
    return emitOpError("expects values and indices of shape ")
           << formatShape(expected);
  return success();
}

LogicalResult TriluOp::verify() {
  if (cast<RankedTensorType>(getType()).getRank() < 2)
    return emitOpError("expects a tensor of rank at least 2");
  return success();
}

LogicalResult DropoutOp::verify() {
  if (getStep() && cast<RankedTensorType>(getStep().getType()).getRank() != 0)
    return emitOpError("expects step as a rank-0 tensor");
  double ratio = getRatio().convertToDouble();
  if (!(ratio >= 0.0 && ratio < 1.0))
    return emitOpError("ratio ") << ratio << " is not in [0, 1)";
  return success();
}

//===----------------------------------------------------------------------===//
// Optimizer updates
//===----------------------------------------------------------------------===//

/// The learning rate is a float scalar of the parameter's element type.
static LogicalResult verifyLearningRate(Operation *op, Value param, Value lr) {
  auto lrType = cast<RankedTensorType>(lr.getType());
  if (lrType.getRank() != 0 ||
      lrType.getElementType() !=
          cast<RankedTensorType>(param.getType()).getElementType())
    return op->emitOpError("expects lr as a rank-0 tensor of the parameter's "
                           "element type");
  return success();
}

LogicalResult SgdUpdateOp::verify() {
  if (failed(verifyLearningRate(*this, getParam(), getLr())))
    return failure();
  bool hasMomentum = getMomentum().convertToDouble() != 0.0;
  if (hasMomentum != static_cast<bool>(getBuffer()) ||
      hasMomentum != static_cast<bool>(getNewBuffer()))
    return emitOpError("expects a momentum buffer exactly when momentum is "
                       "not 0");
  if (getBuffer() && (getBuffer().getType() != getParam().getType() ||
                      getNewBuffer().getType() != getParam().getType()))
    return emitOpError("expects the momentum buffer of the parameter's type");
  if (getNesterov() && !hasMomentum)
    return emitOpError("expects momentum with nesterov");
  return success();
}

LogicalResult AdamUpdateOp::verify() {
  if (failed(verifyLearningRate(*this, getParam(), getLr())))
    return failure();
  if (cast<RankedTensorType>(getStep().getType()).getRank() != 0)
    return emitOpError("expects step as a rank-0 tensor");
  return success();
}

LogicalResult AdagradUpdateOp::verify() {
  return verifyLearningRate(*this, getParam(), getLr());
}

/// A collective's kind and process count agree, and the count divides the
/// bucket into its chunks.
template <typename Op>
static LogicalResult verifyCollective(Op op, int64_t elements) {
  std::optional<int64_t> processes = op.getProcesses();
  if (op.getKind() == CollectiveKind::all_reduce)
    return processes ? op.emitOpError("takes no process count for an "
                                      "all_reduce")
                     : success();
  if (!processes || *processes < 1)
    return op.emitOpError("expects the count of processes (over N) of a ")
           << stringifyCollectiveKind(op.getKind());
  if (elements % *processes)
    return op.emitOpError("expects ")
           << elements << " elements to be " << *processes
           << " chunks, one per process";
  return success();
}

LogicalResult CollectiveStartOp::verify() {
  // A bucket started and never waited for would still be in the host's
  // hands when the step returns.
  if (!getPending().hasOneUse() ||
      !isa<CollectiveWaitOp>(*getPending().getUsers().begin()))
    return emitOpError("expects one quern.collective_wait of its pending "
                       "values, and no other use");
  if (getValues().empty())
    return emitOpError("expects values to pack into the bucket");
  int64_t packed = 0;
  for (Value value : getValues())
    packed += cast<RankedTensorType>(value.getType()).getNumElements();
  int64_t elements = getPending().getType().getNumElements();
  // An all-gather's values are this process's chunk; the others' are the
  // host's to write.
  int64_t expected = getKind() == CollectiveKind::all_gather && getProcesses()
                         ? elements / std::max<int64_t>(*getProcesses(), 1)
                         : elements;
  if (failed(verifyCollective(*this, elements)))
    return failure();
  if (packed != expected)
    return emitOpError("packs ")
           << packed << " elements into a bucket that takes " << expected;
  return success();
}

LogicalResult CollectiveWaitOp::verify() {
  auto start = getPending().getDefiningOp<CollectiveStartOp>();
  if (!start)
    return emitOpError("expects the result of a quern.collective_start");
  if (start.getBucket() != getBucket())
    return emitOpError("waits for bucket ")
           << getBucket() << " but its operand is bucket " << start.getBucket();
  if (start.getKind() != getKind() || start.getProcesses() != getProcesses())
    return emitOpError("waits for another kind of collective than its "
                       "operand's start");
  return success();
}

//===----------------------------------------------------------------------===//
// Mixture-of-experts ops
//===----------------------------------------------------------------------===//

int64_t MoeDispatchOp::getNumGroups() {
  int64_t largest = -1;
  for (int64_t group : getGroups())
    largest = std::max(largest, group);
  return largest + 1;
}

int64_t MoeDispatchOp::getTileRows() {
  return getRows().getType().getDimSize(0) /
         getTileGroups().getType().getDimSize(0);
}

LogicalResult MoeDispatchOp::verify() {
  if (getExperts().getType().getRank() != 2)
    return emitOpError("expects experts of rank 2 (tokens x slots)");
  if (getRows().getType().getRank() != 1 ||
      getTileGroups().getType().getRank() != 1)
    return emitOpError("expects rows and tile_groups of rank 1");
  if (getGroups().empty())
    return emitOpError("expects at least one expert in groups");
  for (int64_t group : getGroups())
    if (group < -1)
      return emitOpError("expects groups of -1 or more, got ") << group;
  int64_t rows = getRows().getType().getDimSize(0),
          tiles = getTileGroups().getType().getDimSize(0);
  if (tiles == 0 || rows % tiles != 0)
    return emitOpError("expects rows (")
           << rows << ") to be a multiple of the tiles (" << tiles << ")";
  int64_t tileRows = rows / tiles;
  int64_t bound =
      getExperts().getType().getNumElements() + getNumGroups() * (tileRows - 1);
  if (rows < bound)
    return emitOpError("expects at least ")
           << bound << " rows (slots plus a partial tile per group), got "
           << rows;
  return success();
}

/// The checks the grouped ops share: rows in whole tiles of `tiles`,
/// operands (and `result`, unless null) of one float type, and a rank of 2
/// for `rowOperands`.
static LogicalResult verifyGroupedRows(Operation *op, ValueRange rowOperands,
                                       Value tiles, Value result) {
  auto tileType = cast<RankedTensorType>(tiles.getType());
  Type element = getElementTypeOrSelf(rowOperands[0].getType());
  for (Value operand : rowOperands) {
    auto type = cast<RankedTensorType>(operand.getType());
    if (type.getRank() != 2)
      return op->emitOpError("expects row operands of rank 2");
    if (type.getElementType() != element)
      return op->emitOpError("expects operands of one element type");
  }
  if (result && getElementTypeOrSelf(result.getType()) != element)
    return op->emitOpError("expects the result of the operands' element type");
  int64_t rows = cast<RankedTensorType>(rowOperands[0].getType()).getDimSize(0);
  if (tileType.getRank() != 1 || tileType.getDimSize(0) == 0 ||
      rows % tileType.getDimSize(0) != 0)
    return op->emitOpError("expects tile_groups of rank 1 whose size divides "
                           "the rows (")
           << rows << ")";
  return success();
}

/// The shape of the product of `lhs` with the weights `rhs` ([G, K, N], or
/// [G, N, K] when `transposed`), or failure with a diagnostic.
static FailureOr<SmallVector<int64_t>>
verifyGroupedWeights(Operation *op, RankedTensorType lhsType,
                     RankedTensorType rhsType, bool transposed) {
  ArrayRef<int64_t> lhs = lhsType.getShape(), rhs = rhsType.getShape();
  if (rhs.size() != 3 || rhsType.getElementType() != lhsType.getElementType())
    return op->emitOpError("expects weights of rank 3 (groups x K x N) of the "
                           "operands' element type");
  int64_t k = transposed ? rhs[2] : rhs[1], n = transposed ? rhs[1] : rhs[2];
  if (lhs[1] != k)
    return op->emitOpError("contraction dimensions differ: ")
           << lhs[1] << " vs " << k;
  return SmallVector<int64_t>{lhs[0], n};
}

LogicalResult GroupedMatMulOp::verify() {
  if (failed(verifyGroupedRows(*this, getLhs(), getTileGroups(), getResult())))
    return failure();
  FailureOr<SmallVector<int64_t>> expected = verifyGroupedWeights(
      *this, getLhs().getType(), getRhs().getType(), getTransposeRhs());
  if (failed(expected))
    return failure();
  if (getResult().getType().getShape() != ArrayRef<int64_t>(*expected))
    return emitOpError("expects result shape ") << formatShape(*expected);
  return success();
}

int64_t GroupedMatMulEpilogueOp::getTileRows() {
  return getLhs().getType().getDimSize(0) /
         getTileGroups().getType().getDimSize(0);
}

RankedTensorType GroupedMatMulEpilogueOp::getProductType() {
  auto weights = cast<RankedTensorType>(getRhs()[0].getType());
  return getLhs().getType().clone(
      {getLhs().getType().getDimSize(0),
       weights.getDimSize(getTransposeRhs() ? 1 : 2)});
}

LogicalResult GroupedMatMulEpilogueOp::verify() {
  if (failed(verifyGroupedRows(*this, getLhs(), getTileGroups(), nullptr)))
    return failure();
  if (getRhs().empty())
    return emitOpError("expects at least one weight stack");
  for (Value weights : getRhs()) {
    if (weights.getType() != getRhs()[0].getType())
      return emitOpError("expects weight stacks of one type");
    if (failed(verifyGroupedWeights(*this, getLhs().getType(),
                                    cast<RankedTensorType>(weights.getType()),
                                    getTransposeRhs())))
      return failure();
  }
  if (getResults().size() < getRhs().size())
    return emitOpError("expects a result for each product");
  for (Value product : getResults().take_front(getRhs().size()))
    if (product.getType() != getProductType())
      return emitOpError("expects the first results to be the products, of "
                         "type ")
             << getProductType();
  int64_t rows = getLhs().getType().getDimSize(0);
  SmallVector<Type> rowTypes(getRowInputs().getTypes());
  llvm::append_range(rowTypes, getResultTypes());
  for (Type type : rowTypes) {
    auto tensor = cast<RankedTensorType>(type);
    if (tensor.getRank() != 2 || tensor.getDimSize(0) != rows)
      return emitOpError("expects row inputs and results of rank 2 with the "
                         "products' ")
             << rows << " rows";
  }
  return success();
}

LogicalResult GroupedMatMulEpilogueOp::verifyRegions() {
  Block &body = getEpilogue().front();
  int64_t tileRows = getTileRows();
  // What the region sees of a value with the products' rows: a tile of it.
  auto tileOf = [&](Type type) -> Type {
    auto tensor = cast<RankedTensorType>(type);
    return tensor.clone({tileRows, tensor.getDimSize(1)});
  };
  SmallVector<Type> expected(getRhs().size(), tileOf(getProductType()));
  for (Value input : getRowInputs())
    expected.push_back(tileOf(input.getType()));
  if (body.getArgumentTypes() != ArrayRef<Type>(expected))
    return emitOpError("expects the epilogue to take a tile of each product "
                       "and row input");
  for (Operation &inner : body.without_terminator()) {
    auto constant = dyn_cast<ConstantOp>(inner);
    if (!(constant && constant.getSplat()) &&
        !(isa<QuernDialect>(inner.getDialect()) &&
          inner.hasTrait<OpTrait::Elementwise>()))
      return emitOpError("expects the epilogue to hold quern elementwise ops "
                         "and splat constants, got '")
             << inner.getName() << "'";
  }
  auto yield =
      body.empty() ? nullptr : dyn_cast<GroupedEpilogueYieldOp>(body.back());
  if (!yield)
    return emitOpError("expects the epilogue to end in quern.epilogue_yield");
  SmallVector<Type> yielded = llvm::map_to_vector(
      getResults().drop_front(getRhs().size()).getTypes(), tileOf);
  if (yield.getTiles().getTypes() != ArrayRef<Type>(yielded))
    return emitOpError("expects the epilogue to yield a tile of each result "
                       "after the products");
  return success();
}

LogicalResult GroupedWeightGradientOp::verify() {
  if (failed(verifyGroupedRows(*this, {getLhs(), getRhs()}, getTileGroups(),
                               getResult())))
    return failure();
  ArrayRef<int64_t> lhs = getLhs().getType().getShape(),
                    rhs = getRhs().getType().getShape(),
                    result = getResult().getType().getShape();
  if (lhs[0] != rhs[0])
    return emitOpError("expects operands of the same rows, got ")
           << lhs[0] << " and " << rhs[0];
  if (result.size() != 3)
    return emitOpError("expects a result of rank 3 (groups x K x N)");
  SmallVector<int64_t> expected = {result[0], lhs[1], rhs[1]};
  if (getTransposeResult())
    std::swap(expected[1], expected[2]);
  if (result != ArrayRef<int64_t>(expected))
    return emitOpError("expects result shape ") << formatShape(expected);
  return success();
}

int64_t DequantizeOp::codeBits(QuantScheme scheme) {
  return scheme == QuantScheme::int8 || scheme == QuantScheme::uint8 ? 8 : 4;
}

ArrayRef<float> DequantizeOp::nf4Levels() { return kNF4Levels; }

LogicalResult DequantizeOp::verify() {
  int64_t elements = getResult().getType().getNumElements();
  int64_t block = getBlock(), bits = codeBits(getScheme());
  if (bits == 4 && elements % 2 != 0)
    return emitOpError("expects an even number of elements: 4-bit codes "
                       "pack two a byte");
  int64_t codes = elements * bits / 8;
  if (getCodes().getType().getRank() != 1 ||
      getCodes().getType().getNumElements() != codes)
    return emitOpError("expects ")
           << codes << " bytes of codes in one dimension, got "
           << getCodes().getType();
  int64_t blocks = llvm::divideCeil(elements, block);
  if (getScales().getType().getRank() != 1 ||
      getScales().getType().getNumElements() != blocks)
    return emitOpError("expects ") << blocks << " scales in one dimension, got "
                                   << getScales().getType();
  if (getOffset() && getOffset().getType().getNumElements() != 1)
    return emitOpError("expects one offset, got ") << getOffset().getType();
  if (Value zeroPoints = getZeroPoints()) {
    if (getScheme() != QuantScheme::uint4 && getScheme() != QuantScheme::uint8)
      return emitOpError("expects zero points only with unsigned codes");
    ArrayRef<int64_t> shape = getResult().getType().getShape();
    int64_t last = shape.empty() ? 1 : shape.back();
    if (last % block != 0)
      return emitOpError("expects the block (")
             << block << ") to divide the last dimension (" << last
             << ") with zero points, which come a row at a time";
    int64_t rows = elements / last,
            bytes = rows * llvm::divideCeil(last / block * bits, 8);
    auto type = cast<RankedTensorType>(zeroPoints.getType());
    if (type.getRank() != 1 || type.getNumElements() != bytes)
      return emitOpError("expects ")
             << bytes << " bytes of zero points in one dimension, got " << type;
  }
  return success();
}

#include "dialects/quern/QuernEnums.cpp.inc"
#include "dialects/quern/QuernInterfaces.cpp.inc"

#define GET_OP_CLASSES
#include "dialects/quern/QuernOps.cpp.inc"
