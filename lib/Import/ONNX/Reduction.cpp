//===- Reduction.cpp - ONNX reductions and softmax --------------*- C++ -*-===//

#include "OpTable.h"

#include "Tensor.h"
#include "dialects/quern/QuernOps.h"

using namespace mlir;
using namespace quern;
using namespace quern::onnx_import;

/// The axes a Reduce* node reduces over: from its `axes` input (ReduceSum
/// since 13) or attribute (the others until 18). No axes means all of them,
/// or none with noop_with_empty_axes.
static FailureOr<SmallVector<int64_t>>
reductionAxes(NodeImporter &node, bool axesAreInput, int64_t rank) {
  SmallVector<int64_t> axes;
  if (axesAreInput && node.hasInput(1)) {
    FailureOr<SmallVector<int64_t>> constant = node.constantIntsInput(1);
    if (failed(constant))
      return failure();
    axes = *constant;
  } else if (!axesAreInput) {
    axes = node.intsAttribute("axes").value_or(SmallVector<int64_t>());
  }
  if (axes.empty() && !node.intAttribute("noop_with_empty_axes", 0))
    for (int64_t dim = 0; dim < rank; ++dim)
      axes.push_back(dim);
  return node.normalizeAxes(axes, rank);
}

static bool isNumeric(Type type) { return !type.isInteger(1); }
static bool isFloat(Type type) { return isa<FloatType>(type); }

template <typename Op, bool AxesAreInput, bool (*Accepts)(Type) = isNumeric>
static LogicalResult importReduction(NodeImporter &node) {
  RankedTensorType inputType = node.inputType(0);
  if (failed(node.requireElementType(inputType, Accepts,
                                     Accepts == isFloat ? "float" : "numeric")))
    return failure();
  // Axes first: when they are not constant, shape inference cannot type the
  // result either, and the axes are the cause to report.
  FailureOr<SmallVector<int64_t>> axes =
      reductionAxes(node, AxesAreInput, inputType.getRank());
  if (failed(axes))
    return failure();
  if (axes->empty()) {
    node.setResult(0, node.input(0));
    return success();
  }
  FailureOr<RankedTensorType> type = node.resultType(0);
  if (failed(type))
    return failure();
  bool keepDims = node.intAttribute("keepdims", 1) != 0;
  node.setResult(0, node.build<Op>(*type, node.input(0), *axes, keepDims));
  return success();
}

template <typename Op> static LogicalResult importSoftmax(NodeImporter &node) {
  FailureOr<RankedTensorType> type = node.resultType(0);
  if (failed(type))
    return failure();
  if (failed(node.requireFloat(*type)))
    return failure();
  FailureOr<int64_t> axis =
      node.normalizeAxis(node.intAttribute("axis", -1), type->getRank());
  if (failed(axis))
    return failure();
  node.setResult(0, node.build<Op>(*type, node.input(0), *axis));
  return success();
}

/// Scale or bias (input `index`) as a tensor of the normalized dimensions.
/// ONNX broadcasts it against the whole input, so it may have leading
/// dimensions of extent 1 beyond those and extents of 1 within them.
static FailureOr<Value> normalizedParameter(NodeImporter &node, int index,
                                            ArrayRef<int64_t> normalized) {
  RankedTensorType type = node.inputType(index);
  ArrayRef<int64_t> shape = type.getShape();
  size_t leading =
      shape.size() > normalized.size() ? shape.size() - normalized.size() : 0;
  ArrayRef<int64_t> kept = shape.drop_front(leading);
  bool broadcasts =
      llvm::all_of(shape.take_front(leading),
                   [](int64_t extent) { return extent == 1; }) &&
      llvm::all_of(llvm::zip(llvm::reverse(kept), llvm::reverse(normalized)),
                   [](auto extents) {
                     auto [from, to] = extents;
                     return from == 1 || from == to;
                   });
  if (!broadcasts)
    return node.emitError() << "input " << index << " ('"
                            << node.node.input(index) << "') of type " << type
                            << " does not broadcast to the normalized "
                               "dimensions of the input";
  Value value = node.reshapeTo(node.input(index), type.clone(kept));
  return node.broadcastTo(value, normalized);
}

/// ONNX normalizes in the stash type (stash_type, float by default) and
/// casts Y back to the input's type; Mean and InvStdDev stay in the stash
/// type.
static LogicalResult importLayerNorm(NodeImporter &node) {
  RankedTensorType type = node.inputType(0);
  if (failed(node.requireFloat(type)))
    return failure();
  FailureOr<int64_t> axis =
      node.normalizeAxis(node.intAttribute("axis", -1), type.getRank());
  if (failed(axis))
    return failure();
  int64_t stashCode = node.intAttribute("stash_type", onnx::TensorProto::FLOAT);
  Type stashType = convertElementType(stashCode, node.builder.getContext());
  if (!isa_and_nonnull<FloatType>(stashType))
    return node.emitError()
           << "stash_type " << stashCode << " is not a float type";
  ArrayRef<int64_t> normalized = type.getShape().drop_front(*axis);
  FailureOr<Value> scale = normalizedParameter(node, 1, normalized);
  if (failed(scale))
    return failure();
  Value bias;
  if (node.hasInput(2)) {
    FailureOr<Value> given = normalizedParameter(node, 2, normalized);
    if (failed(given))
      return failure();
    bias = node.castTo(*given, stashType);
  }
  auto computeType = type.clone(stashType);
  SmallVector<int64_t> statsShape(type.getShape().take_front(*axis));
  statsShape.append(type.getRank() - *axis, 1);
  auto statsType = computeType.clone(statsShape);
  auto layerNorm = node.builder.create<LayerNormOp>(
      node.loc, TypeRange{computeType, statsType, statsType},
      node.castTo(node.input(0), stashType), node.castTo(*scale, stashType),
      bias, node.builder.getI64IntegerAttr(*axis),
      node.builder.getF64FloatAttr(node.floatAttribute("epsilon", 1e-5f)));
  for (int output = 0; output < node.node.output_size(); ++output) {
    if (node.node.output(output).empty())
      continue;
    Value result = layerNorm->getResult(output);
    if (output == 0)
      result = node.castTo(result, type.getElementType());
    node.setResult(output, result);
  }
  return success();
}

static FailureOr<LossReduction> lossReduction(NodeImporter &node) {
  const onnx::AttributeProto *attribute = node.attribute("reduction");
  std::string name = attribute ? attribute->s() : "mean";
  std::optional<LossReduction> reduction = symbolizeLossReduction(name);
  if (!reduction)
    return node.emitError() << "reduction '" << name << "' is not supported";
  return *reduction;
}

/// The loss of NegativeLogLikelihoodLoss on `logProbabilities`.
static LogicalResult importNllLossOf(NodeImporter &node,
                                     Value logProbabilities) {
  FailureOr<LossReduction> reduction = lossReduction(node);
  FailureOr<RankedTensorType> type = node.resultType(0);
  if (failed(reduction) || failed(type))
    return failure();
  IntegerAttr ignoreIndex;
  if (node.attribute("ignore_index"))
    ignoreIndex =
        node.builder.getI64IntegerAttr(node.intAttribute("ignore_index", 0));
  Value weight = node.hasInput(2) ? node.input(2) : Value();
  node.setResult(0,
                 node.build<NllLossOp>(*type, logProbabilities, node.input(1),
                                       weight, *reduction, ignoreIndex));
  return success();
}

static LogicalResult importNllLoss(NodeImporter &node) {
  if (failed(node.requireFloat(node.inputType(0))))
    return failure();
  return importNllLossOf(node, node.input(0));
}

/// log_softmax over the class axis, then the NLL loss; the optional second
/// output is the log-probabilities.
static LogicalResult importSoftmaxCrossEntropy(NodeImporter &node) {
  RankedTensorType type = node.inputType(0);
  if (failed(node.requireFloat(type)))
    return failure();
  if (type.getRank() < 2)
    return node.emitError() << "expects scores of shape [N, C, d...]";
  Value logProbabilities = node.build<LogSoftmaxOp>(
      type, node.input(0), node.builder.getI64IntegerAttr(1));
  if (node.node.output_size() > 1 && !node.node.output(1).empty())
    node.setResult(1, logProbabilities);
  return importNllLossOf(node, logProbabilities);
}

void quern::onnx_import::registerReductionOps(OpTable &table) {
  table.add("ReduceSum", {13}, importReduction<ReduceSumOp, true>);
  table.add("ReduceMean", {13}, importReduction<ReduceMeanOp, false, isFloat>);
  table.add("ReduceMax", {13}, importReduction<ReduceMaxOp, false>);
  table.add("ReduceMin", {13}, importReduction<ReduceMinOp, false>);
  table.add("LayerNormalization", {17}, importLayerNorm);
  table.add("NegativeLogLikelihoodLoss", {13}, importNllLoss);
  table.add("SoftmaxCrossEntropyLoss", {13}, importSoftmaxCrossEntropy);
  table.add("Softmax", {13}, importSoftmax<SoftmaxOp>);
  table.add("LogSoftmax", {13}, importSoftmax<LogSoftmaxOp>);
}
