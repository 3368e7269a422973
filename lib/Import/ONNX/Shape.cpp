//===- Shape.cpp - ONNX shape ops and constants -----------------*- C++ -*-===//
//
// Reshape-like ops take their result shape from ONNX shape inference, which
// has already evaluated the shape operand (with data propagation), so the
// shape input is only checked to be a constant, not read.
//
//===----------------------------------------------------------------------===//

#include "OpTable.h"

#include "Tensor.h"
#include "dialects/quern/QuernOps.h"

#include <cmath>

using namespace mlir;
using namespace quern;
using namespace quern::onnx_import;

static LogicalResult importReshapeLike(NodeImporter &node) {
  FailureOr<RankedTensorType> type = node.resultType(0);
  if (failed(type))
    return failure();
  node.setResult(0, node.reshapeTo(node.input(0), *type));
  return success();
}

/// Reshape's shape operand must be a constant: any other source (a graph
/// input) makes the shape a runtime value, which static shapes cannot honour
/// even when the output's declared type happens to be static.
static LogicalResult importReshape(NodeImporter &node) {
  if (failed(node.constantIntsInput(1)))
    return failure();
  return importReshapeLike(node);
}

static LogicalResult importIdentity(NodeImporter &node) {
  node.setResult(0, node.input(0));
  return success();
}

static LogicalResult importTranspose(NodeImporter &node) {
  FailureOr<RankedTensorType> type = node.resultType(0);
  if (failed(type))
    return failure();
  int64_t rank = type->getRank();
  SmallVector<int64_t> perm;
  if (std::optional<SmallVector<int64_t>> given = node.intsAttribute("perm")) {
    perm = *given;
  } else {
    for (int64_t dim = rank - 1; dim >= 0; --dim)
      perm.push_back(dim);
  }
  node.setResult(0, node.build<TransposeOp>(*type, node.input(0), perm));
  return success();
}

/// A float or int attribute as a rank-0 or rank-1 dense constant.
template <typename T>
static DenseElementsAttr scalarsAttribute(Type elementType, ArrayRef<T> values,
                                          bool isList) {
  SmallVector<int64_t> shape;
  if (isList)
    shape.push_back(values.size());
  return DenseElementsAttr::get(RankedTensorType::get(shape, elementType),
                                values);
}

static LogicalResult importConstant(NodeImporter &node) {
  const onnx::AttributeProto &attribute = node.node.attribute(0);
  Builder &b = node.builder;
  DenseElementsAttr value;
  if (attribute.name() == "value") {
    FailureOr<DenseElementsAttr> tensor =
        node.reader.attribute(attribute.t(), node.loc);
    if (failed(tensor))
      return failure();
    value = *tensor;
  } else if (attribute.name() == "value_float") {
    float scalar = attribute.f();
    value = scalarsAttribute<float>(b.getF32Type(), scalar, false);
  } else if (attribute.name() == "value_floats") {
    SmallVector<float> values(attribute.floats().begin(),
                              attribute.floats().end());
    value = scalarsAttribute<float>(b.getF32Type(), values, true);
  } else if (attribute.name() == "value_int") {
    int64_t scalar = attribute.i();
    value = scalarsAttribute<int64_t>(b.getI64Type(), scalar, false);
  } else if (attribute.name() == "value_ints") {
    SmallVector<int64_t> values(attribute.ints().begin(),
                                attribute.ints().end());
    value = scalarsAttribute<int64_t>(b.getI64Type(), values, true);
  } else {
    return node.emitError()
           << "attribute '" << attribute.name() << "' is not supported";
  }
  node.setResult(0, node.builder.create<ConstantOp>(node.loc, value));
  return success();
}

/// Squeeze and Unsqueeze take their axes as a constant input; the result
/// type from shape inference says the rest.
static LogicalResult importAxesReshape(NodeImporter &node) {
  if (node.hasInput(1) && failed(node.constantIntsInput(1)))
    return failure();
  return importReshapeLike(node);
}

static LogicalResult importConcat(NodeImporter &node) {
  FailureOr<RankedTensorType> type = node.resultType(0);
  if (failed(type))
    return failure();
  FailureOr<int64_t> axis =
      node.normalizeAxis(node.intAttribute("axis", 0), type->getRank());
  if (failed(axis))
    return failure();
  SmallVector<Value> inputs;
  for (int i = 0; i < node.node.input_size(); ++i)
    inputs.push_back(node.input(i));
  node.setResult(0, node.build<ConcatOp>(*type, inputs, *axis));
  return success();
}

/// The window of one sliced dimension: first index, stride and count, with
/// ONNX's clamping of out-of-range starts and ends.
struct Window {
  int64_t offset, stride, size;
};
static Window sliceWindow(int64_t start, int64_t end, int64_t step,
                          int64_t extent) {
  if (start < 0)
    start += extent;
  if (end < 0)
    end += extent;
  if (step > 0) {
    start = std::clamp<int64_t>(start, 0, extent);
    end = std::clamp<int64_t>(end, 0, extent);
    // (end - start + step - 1) / step could overflow for huge steps.
    int64_t size = end > start ? (end - start - 1) / step + 1 : 0;
    return {size ? start : 0, step, size};
  }
  start = std::clamp<int64_t>(start, 0, extent - 1);
  end = std::clamp<int64_t>(end, -1, extent - 1);
  // Division truncates toward zero, so x / -step is -(x / step), which
  // cannot overflow (step may be INT64_MIN).
  int64_t size = start > end ? 1 - (start - end - 1) / step : 0;
  return {size ? start : 0, step, size};
}

static LogicalResult importSlice(NodeImporter &node) {
  RankedTensorType inputType = node.inputType(0);
  int64_t rank = inputType.getRank();
  FailureOr<SmallVector<int64_t>> starts = node.constantIntsInput(1);
  FailureOr<SmallVector<int64_t>> ends = node.constantIntsInput(2);
  if (failed(starts) || failed(ends))
    return failure();
  SmallVector<int64_t> axes, steps(starts->size(), 1);
  for (int64_t i = 0; i < static_cast<int64_t>(starts->size()); ++i)
    axes.push_back(i);
  if (node.hasInput(3)) {
    FailureOr<SmallVector<int64_t>> given = node.constantIntsInput(3);
    if (failed(given))
      return failure();
    axes = *given;
  }
  if (node.hasInput(4)) {
    FailureOr<SmallVector<int64_t>> given = node.constantIntsInput(4);
    if (failed(given))
      return failure();
    steps = *given;
  }
  if (axes.size() != starts->size() || ends->size() != starts->size() ||
      steps.size() != starts->size())
    return node.emitError() << "starts, ends, axes and steps differ in length";
  SmallVector<int64_t> offsets(rank, 0), strides(rank, 1),
      shape(inputType.getShape());
  for (auto [index, axis] : llvm::enumerate(axes)) {
    FailureOr<int64_t> dim = node.normalizeAxis(axis, rank);
    if (failed(dim))
      return failure();
    if (steps[index] == 0)
      return node.emitError() << "step of axis " << axis << " is 0";
    Window window = sliceWindow((*starts)[index], (*ends)[index], steps[index],
                                shape[*dim]);
    offsets[*dim] = window.offset;
    strides[*dim] = window.stride;
    shape[*dim] = window.size;
  }
  node.setResult(0, node.build<SliceOp>(inputType.clone(shape), node.input(0),
                                        offsets, strides));
  return success();
}

/// Split's parts are slices along the axis; sizes from the `split` input,
/// or equal parts.
static LogicalResult importSplit(NodeImporter &node) {
  RankedTensorType inputType = node.inputType(0);
  FailureOr<int64_t> axis =
      node.normalizeAxis(node.intAttribute("axis", 0), inputType.getRank());
  if (failed(axis))
    return failure();
  int64_t parts = node.node.output_size();
  if (node.attribute("num_outputs") &&
      node.intAttribute("num_outputs", 0) != parts)
    return node.emitError()
           << "num_outputs = " << node.intAttribute("num_outputs", 0)
           << " but the node has " << parts << " outputs";
  SmallVector<int64_t> sizes;
  if (node.hasInput(1)) {
    FailureOr<SmallVector<int64_t>> given = node.constantIntsInput(1);
    if (failed(given))
      return failure();
    sizes = *given;
  } else {
    int64_t extent = inputType.getDimSize(*axis);
    int64_t each = (extent + parts - 1) / parts;
    for (int64_t part = 0; part < parts; ++part)
      sizes.push_back(std::min(each, extent - part * each));
  }
  if (static_cast<int64_t>(sizes.size()) != parts)
    return node.emitError() << "split gives " << sizes.size() << " sizes for "
                            << parts << " outputs";
  // Equal parts of ceil(extent / parts) can leave nothing for the last ones
  // (5 in 4 parts); given sizes must tile the axis.
  int64_t total = 0;
  for (int64_t size : sizes)
    total += size;
  if (llvm::any_of(sizes, [](int64_t size) { return size < 0; }) ||
      total != inputType.getDimSize(*axis)) {
    InFlightDiagnostic diag = node.emitError()
                              << "splits axis " << *axis << " of extent "
                              << inputType.getDimSize(*axis) << " into sizes [";
    llvm::interleaveComma(sizes, diag);
    return diag << "], which do not tile it";
  }
  SmallVector<int64_t> offsets(inputType.getRank(), 0),
      strides(inputType.getRank(), 1);
  for (auto [part, size] : llvm::enumerate(sizes)) {
    SmallVector<int64_t> shape(inputType.getShape());
    shape[*axis] = size;
    node.setResult(part, node.build<SliceOp>(inputType.clone(shape),
                                             node.input(0), offsets, strides));
    offsets[*axis] += size;
  }
  return success();
}

/// As with Reshape, the shape input must be a constant even when the
/// output's declared type is static.
static LogicalResult importExpand(NodeImporter &node) {
  if (failed(node.constantIntsInput(1)))
    return failure();
  FailureOr<RankedTensorType> type = node.resultType(0);
  if (failed(type))
    return failure();
  node.setResult(0, node.broadcastTo(node.input(0), *type));
  return success();
}

static LogicalResult importConstantOfShape(NodeImporter &node) {
  FailureOr<SmallVector<int64_t>> shape = node.constantIntsInput(0);
  if (failed(shape))
    return failure();
  if (llvm::any_of(*shape, [](int64_t extent) { return extent < 0; })) {
    InFlightDiagnostic diag = node.emitError() << "shape [";
    llvm::interleaveComma(*shape, diag);
    return diag << "] has a negative extent";
  }
  DenseElementsAttr element;
  if (const onnx::AttributeProto *value = node.attribute("value")) {
    FailureOr<DenseElementsAttr> given =
        node.reader.attribute(value->t(), node.loc);
    if (failed(given))
      return failure();
    element = *given;
  }
  Type elementType =
      element ? element.getElementType() : Type(node.builder.getF32Type());
  auto type = RankedTensorType::get(*shape, elementType);
  Attribute splat = element ? element.getValues<Attribute>()[0]
                            : node.builder.getF32FloatAttr(0.0f);
  node.setResult(0, node.builder.create<ConstantOp>(
                        node.loc, DenseElementsAttr::get(type, splat)));
  return success();
}

/// Shapes are static, so Shape is a constant (of dims [start, end)).
static LogicalResult importShape(NodeImporter &node) {
  ArrayRef<int64_t> shape = node.inputType(0).getShape();
  int64_t rank = shape.size();
  auto clampAxis = [&](int64_t axis) {
    return std::clamp<int64_t>(axis < 0 ? axis + rank : axis, 0, rank);
  };
  int64_t start = clampAxis(node.intAttribute("start", 0));
  int64_t end = clampAxis(node.intAttribute("end", rank));
  SmallVector<int64_t> dims(shape.begin() + start,
                            shape.begin() + std::max(start, end));
  auto type = RankedTensorType::get({static_cast<int64_t>(dims.size())},
                                    node.builder.getI64Type());
  node.setResult(0,
                 node.builder.create<ConstantOp>(
                     node.loc, DenseElementsAttr::get(type, ArrayRef(dims))));
  return success();
}

/// Range on constants is a constant. Its length is computed as ONNX's shape
/// inference computes it, so that the types of its users agree: limit -
/// start in the element type, divided by delta in double (with limit -
/// start rounded to f32 first, an f32 range can be one longer than exact
/// arithmetic would say).
static LogicalResult importRange(NodeImporter &node) {
  FailureOr<DenseElementsAttr> start = node.constantInput(0);
  FailureOr<DenseElementsAttr> limit = node.constantInput(1);
  FailureOr<DenseElementsAttr> delta = node.constantInput(2);
  if (failed(start) || failed(limit) || failed(delta))
    return failure();
  Type elementType = start->getElementType();
  bool isFloat = isa<FloatType>(elementType);
  auto asDouble = [](DenseElementsAttr attr) {
    return attr.getSplatValue<FloatAttr>().getValueAsDouble();
  };
  auto asInt = [](DenseElementsAttr attr) {
    return attr.getSplatValue<APInt>().getSExtValue();
  };
  double first = isFloat ? asDouble(*start) : 0.0;
  double step = isFloat ? asDouble(*delta) : static_cast<double>(asInt(*delta));
  if (step == 0)
    return node.emitError() << "delta is 0";
  double difference;
  if (elementType.isF32())
    difference =
        static_cast<float>(asDouble(*limit)) - static_cast<float>(first);
  else if (isFloat)
    difference = asDouble(*limit) - first;
  else
    difference = static_cast<double>(asInt(*limit) - asInt(*start));
  double exact = std::max(std::ceil(difference / step), 0.0);
  // Checked before a single element is built.
  std::string elements = exact < 9e18
                             ? std::to_string(static_cast<int64_t>(exact))
                             : std::string("over 9e18");
  if (!(exact <= static_cast<double>(node.options.maxFoldedElements)))
    return node.emitError()
           << "the range has " << elements << " elements, above the limit of "
           << node.options.maxFoldedElements
           << " for a constant computed at import (--max-folded-elements "
              "raises it)";
  double bytes =
      exact * llvm::divideCeil(elementType.getIntOrFloatBitWidth(), 8);
  if (!(bytes <= static_cast<double>(node.options.maxTensorBytes)))
    return node.emitError()
           << "the range has " << elements << " elements ("
           << static_cast<uint64_t>(bytes) << " bytes), above the limit of "
           << node.options.maxTensorBytes
           << " bytes per tensor (--max-tensor-bytes raises it)";
  auto count = static_cast<int64_t>(exact);
  SmallVector<Attribute> values;
  for (int64_t i = 0; i < count; ++i) {
    // Integer ranges are exact; float ones are start + i * delta, as
    // ONNX's reference (numpy.arange) computes them.
    if (isFloat)
      values.push_back(
          node.builder.getFloatAttr(elementType, first + i * step));
    else
      values.push_back(node.builder.getIntegerAttr(
          elementType, asInt(*start) + i * asInt(*delta)));
  }
  auto type = RankedTensorType::get({count}, elementType);
  node.setResult(0, node.builder.create<ConstantOp>(
                        node.loc, DenseElementsAttr::get(type, values)));
  return success();
}

/// Pad: per padded axis, a crop for negative pads, then the padding
/// before and after joined to the value. The padding is the constant
/// (constant_value, 0 by default; it may be a runtime scalar), the edge
/// element repeated (edge), the mirror image without the edge (reflect)
/// or the other end (wrap, since 19). Axes are an input since 18.
static LogicalResult importPad(NodeImporter &node) {
  RankedTensorType type = node.inputType(0);
  int64_t rank = type.getRank();
  FailureOr<SmallVector<int64_t>> pads = node.constantIntsInput(1);
  if (failed(pads))
    return failure();
  SmallVector<int64_t> axes;
  if (node.version >= 18 && node.hasInput(3)) {
    FailureOr<SmallVector<int64_t>> given = node.constantIntsInput(3);
    if (failed(given))
      return failure();
    for (int64_t axis : *given) {
      FailureOr<int64_t> normalized = node.normalizeAxis(axis, rank);
      if (failed(normalized))
        return failure();
      axes.push_back(*normalized);
    }
  } else {
    axes = llvm::to_vector(llvm::seq<int64_t>(0, rank));
  }
  if (pads->size() != 2 * axes.size())
    return node.emitError() << "pads has " << pads->size() << " values for "
                            << axes.size() << " axes (2 per axis)";
  const onnx::AttributeProto *modeAttribute = node.attribute("mode");
  std::string mode = modeAttribute ? modeAttribute->s() : "constant";
  if (mode != "constant" && mode != "edge" && mode != "reflect" &&
      !(mode == "wrap" && node.version >= 19))
    return node.emitError()
           << "mode '" << mode << "' is not a Pad-" << node.version << " mode";
  Value fill;
  if (mode == "constant")
    fill = node.hasInput(2) && !node.inputType(2).getShape().empty()
               ? node.reshapeTo(node.input(2), type.clone({}))
           : node.hasInput(2) ? node.input(2)
                              : node.scalar(type.getElementType(), 0);

  Value value = node.input(0);
  for (size_t index = 0; index < axes.size(); ++index) {
    int64_t axis = axes[index];
    int64_t before = (*pads)[index], after = (*pads)[index + axes.size()];
    int64_t extent = cast<RankedTensorType>(value.getType()).getDimSize(axis);
    if (before < 0 || after < 0) {
      int64_t kept =
          extent - std::max<int64_t>(0, -before) - std::max<int64_t>(0, -after);
      if (kept < 0)
        return node.emitError()
               << "pads crop " << -std::min<int64_t>(before, 0) << " and "
               << -std::min<int64_t>(after, 0) << " elements from axis " << axis
               << " of extent " << extent;
      value = node.window(value, axis, std::max<int64_t>(0, -before), kept);
      extent = kept;
      before = std::max<int64_t>(0, before);
      after = std::max<int64_t>(0, after);
    }
    if (before == 0 && after == 0)
      continue;
    int64_t limit = mode == "reflect" ? extent - 1 : extent;
    if (mode != "constant" && std::max(before, after) > limit)
      return node.emitError()
             << "mode '" << mode << "' pads axis " << axis << " of extent "
             << extent << " by " << std::max(before, after) << "; at most "
             << limit;
    auto padding = [&](int64_t width, bool atStart) -> Value {
      if (mode == "constant") {
        SmallVector<int64_t> shape(
            cast<RankedTensorType>(value.getType()).getShape());
        shape[axis] = width;
        return node.broadcastTo(fill, shape);
      }
      if (mode == "edge") {
        SmallVector<int64_t> shape(
            cast<RankedTensorType>(value.getType()).getShape());
        shape[axis] = width;
        return node.broadcastTo(
            node.window(value, axis, atStart ? 0 : extent - 1, 1), shape);
      }
      if (mode == "reflect")
        return atStart ? node.window(value, axis, width, width, -1)
                       : node.window(value, axis, extent - 2, width, -1);
      return atStart ? node.window(value, axis, extent - width, width)
                     : node.window(value, axis, 0, width);
    };
    SmallVector<Value> pieces;
    if (before)
      pieces.push_back(padding(before, true));
    pieces.push_back(value);
    if (after)
      pieces.push_back(padding(after, false));
    SmallVector<int64_t> shape(
        cast<RankedTensorType>(value.getType()).getShape());
    shape[axis] += before + after;
    value = node.build<ConcatOp>(type.clone(shape), pieces, axis);
  }
  node.setResult(0, value);
  return success();
}

void quern::onnx_import::registerShapeOps(OpTable &table) {
  // Versions 19 to 23 of the shape ops only add element types (float8,
  // int4, float4) that Quern refuses where it reads them.
  table.add("Concat", {13}, importConcat);
  table.add("ConstantOfShape", {9, 20, 21, 23}, importConstantOfShape);
  table.add("Expand", {13}, importExpand);
  table.add("Pad", {13, 18, 19, 21, 23}, importPad);
  table.add("Range", {11}, importRange);
  table.add("Shape", {13, 15, 19, 21, 23}, importShape);
  table.add("Slice", {13}, importSlice);
  table.add("Split", {13, 18}, importSplit);
  table.add("Squeeze", {13, 21, 23}, importAxesReshape);
  table.add("Unsqueeze", {13, 21, 23}, importAxesReshape);
  table.add("Constant", {13, 19, 21, 23}, importConstant);
  table.add("Flatten", {13, 21, 23}, importReshapeLike);
  table.add("Identity", {13, 14, 16, 19, 21, 23}, importIdentity);
  table.add("Reshape", {13, 14, 19, 21, 23}, importReshape);
  table.add("Transpose", {13, 21, 23}, importTranspose);
}
