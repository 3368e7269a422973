//===- Attention.cpp - ONNX's attention ops (opset 23) ----------*- C++ -*-===//
//
// Attention and RotaryEmbedding, as Llama-style graphs write them since
// opset 23, built from quern's products, softmax and elementwise ops so
// that autodiff and the CPU back end treat them as any other graph.
// Attention follows ONNX's corrected definition (ONNX 1.22): 3-D inputs are
// split into heads and transposed, grouped key/value heads are repeated
// head by head (np.repeat), a causal mask is aligned to the bottom right
// (past keys are visible), and softcap comes before the mask.
//
//===----------------------------------------------------------------------===//

#include "OpTable.h"

#include "Tensor.h"
#include "dialects/quern/QuernOps.h"
#include "mlir/Dialect/Traits.h"

#include <cmath>

using namespace mlir;
using namespace quern;
using namespace quern::onnx_import;

static RankedTensorType typeOf(Value value) {
  return cast<RankedTensorType>(value.getType());
}

static Value transposed(NodeImporter &node, Value value,
                        ArrayRef<int64_t> perm) {
  RankedTensorType type = typeOf(value);
  SmallVector<int64_t> shape;
  for (int64_t dim : perm)
    shape.push_back(type.getDimSize(dim));
  return node.build<TransposeOp>(type.clone(shape), value, perm);
}

//===----------------------------------------------------------------------===//
// RotaryEmbedding
//===----------------------------------------------------------------------===//

/// RotaryEmbedding (23) of X [B, H, S, D], or [B, S, H * D] with num_heads:
/// the first rotary_embedding_dim (default D) features of each head rotated
/// by the angles whose cosines and sines the caches hold (rows picked by
/// position_ids [B, S], or the caches are [B, S, r / 2]), as two halves or
/// as interleaved pairs.
static LogicalResult importRotaryEmbedding(NodeImporter &node) {
  RankedTensorType type = node.inputType(0);
  if (failed(node.requireFloat(type)))
    return failure();
  int64_t rank = type.getRank();
  if (rank != 3 && rank != 4)
    return node.emitError() << "expects X of rank 3 or 4, got " << type;
  int64_t batch = type.getDimSize(0);
  int64_t heads, sequence, headSize;
  Value x = node.input(0);
  if (rank == 4) {
    heads = type.getDimSize(1);
    sequence = type.getDimSize(2);
    headSize = type.getDimSize(3);
  } else {
    heads = node.intAttribute("num_heads", 0);
    sequence = type.getDimSize(1);
    if (heads <= 0 || type.getDimSize(2) % heads)
      return node.emitError() << "3-D X needs num_heads dividing its "
                              << type.getDimSize(2) << " features";
    headSize = type.getDimSize(2) / heads;
    x = node.reshapeTo(x, type.clone({batch, sequence, heads, headSize}));
  }
  int64_t rotated = node.intAttribute("rotary_embedding_dim", 0);
  if (rotated == 0)
    rotated = headSize;
  if (rotated < 0 || rotated > headSize || rotated % 2)
    return node.emitError()
           << "rotary_embedding_dim " << rotated
           << " is not an even size up to the head size " << headSize;
  int64_t half = rotated / 2;

  // cos and sin as [B, S, r/2], then with a unit head dimension where X
  // has its heads.
  auto angles = [&](int index) -> FailureOr<Value> {
    RankedTensorType cacheType = node.inputType(index);
    Value cache = node.castTo(node.input(index), type.getElementType());
    if (node.hasInput(3)) {
      RankedTensorType positions = node.inputType(3);
      if (cacheType.getRank() != 2 ||
          positions.getShape() != ArrayRef<int64_t>{batch, sequence})
        return node.emitError()
               << "with position_ids, input " << index << " ('"
               << node.node.input(index) << "') must be [positions, " << half
               << "] and position_ids [" << batch << ", " << sequence
               << "]; got " << cacheType << " and " << positions;
      cache = node.build<GatherOp>(
          type.clone({batch, sequence, cacheType.getDimSize(1)}), cache,
          node.input(3), node.builder.getI64IntegerAttr(0));
    } else if (cacheType.getRank() != 3 || cacheType.getDimSize(0) != batch ||
               cacheType.getDimSize(1) != sequence) {
      return node.emitError()
             << "without position_ids, input " << index << " ('"
             << node.node.input(index) << "') must be [" << batch << ", "
             << sequence << ", " << half << "]; got " << cacheType;
    }
    if (typeOf(cache).getShape().back() < half)
      return node.emitError()
             << "input " << index << " ('" << node.node.input(index)
             << "') has " << typeOf(cache).getShape().back()
             << " angles per position; rotating " << rotated
             << " features takes " << half;
    cache = node.window(cache, -1, 0, half);
    return node.reshapeTo(cache, rank == 4
                                     ? type.clone({batch, 1, sequence, half})
                                     : type.clone({batch, sequence, 1, half}));
  };
  FailureOr<Value> cos = angles(1), sin = angles(2);
  if (failed(cos) || failed(sin))
    return failure();

  Value toRotate = node.window(x, -1, 0, rotated);
  bool interleaved = node.intAttribute("interleaved", 0) != 0;
  Value x1 = interleaved ? node.window(toRotate, -1, 0, half, 2)
                         : node.window(toRotate, -1, 0, half);
  Value x2 = interleaved ? node.window(toRotate, -1, 1, half, 2)
                         : node.window(toRotate, -1, half, half);
  Value real = node.combine<SubOp>(node.combine<MulOp>(*cos, x1),
                                   node.combine<MulOp>(*sin, x2));
  Value imaginary = node.combine<AddOp>(node.combine<MulOp>(*sin, x1),
                                        node.combine<MulOp>(*cos, x2));
  RankedTensorType halfType = typeOf(real);
  int64_t lastAxis = halfType.getRank() - 1;
  Value result;
  if (interleaved) {
    SmallVector<int64_t> pairShape(halfType.getShape());
    pairShape.push_back(1);
    auto pairType = halfType.clone(pairShape);
    pairShape.back() = 2;
    Value pairs =
        node.build<ConcatOp>(halfType.clone(pairShape),
                             ValueRange{node.reshapeTo(real, pairType),
                                        node.reshapeTo(imaginary, pairType)},
                             lastAxis + 1);
    result = node.reshapeTo(pairs, typeOf(toRotate));
  } else {
    result = node.build<ConcatOp>(typeOf(toRotate), ValueRange{real, imaginary},
                                  lastAxis);
  }
  if (rotated < headSize)
    result = node.build<ConcatOp>(
        typeOf(x),
        ValueRange{result, node.window(x, -1, rotated, headSize - rotated)},
        lastAxis);
  node.setResult(0, node.reshapeTo(result, type));
  return success();
}

//===----------------------------------------------------------------------===//
// Attention
//===----------------------------------------------------------------------===//

/// Q, K or V (input `index`) as [B, heads, sequence, head size]: a 3-D
/// input [B, sequence, heads * head size] split into `heads` heads.
static FailureOr<Value> headsFirst(NodeImporter &node, int index,
                                   int64_t heads) {
  RankedTensorType type = node.inputType(index);
  if (type.getRank() == 4)
    return node.input(index);
  if (heads <= 0 || type.getDimSize(2) % heads)
    return node.emitError() << "3-D input " << index << " ('"
                            << node.node.input(index) << "') of type " << type
                            << " needs a head count (q_num_heads, "
                               "kv_num_heads) dividing its last dimension";
  Value split = node.reshapeTo(
      node.input(index), type.clone({type.getDimSize(0), type.getDimSize(1),
                                     heads, type.getDimSize(2) / heads}));
  return transposed(node, split, {0, 2, 1, 3});
}

/// Attention (23): softmax(Q K^T * scale [softcap] + mask) V, with optional
/// past keys and values, grouped key/value heads, a causal or given mask
/// (bool: true attends; float: added), and the optional outputs present_key,
/// present_value and qk_matmul_output (qk_matmul_output_mode 0: Q K^T
/// scaled, 1: after softcap, 2: after the mask, 3: after softmax).
static LogicalResult importAttention(NodeImporter &node) {
  RankedTensorType qType = node.inputType(0);
  if (failed(node.requireFloat(qType)))
    return failure();
  int64_t rank = qType.getRank();
  if ((rank != 3 && rank != 4) || node.inputType(1).getRank() != rank ||
      node.inputType(2).getRank() != rank)
    return node.emitError() << "expects Q, K and V all of rank 3 or all of "
                               "rank 4";
  if (node.hasInput(4) != node.hasInput(5))
    return node.emitError()
           << "takes past_key and past_value together; got "
           << (node.hasInput(4) ? "only past_key ('" : "only past_value ('")
           << node.node.input(node.hasInput(4) ? 4 : 5) << "')";
  FailureOr<Value> q = headsFirst(node, 0, node.intAttribute("q_num_heads", 0));
  FailureOr<Value> k =
      headsFirst(node, 1, node.intAttribute("kv_num_heads", 0));
  FailureOr<Value> v =
      headsFirst(node, 2, node.intAttribute("kv_num_heads", 0));
  if (failed(q) || failed(k) || failed(v))
    return failure();
  Type elementType = qType.getElementType();
  ArrayRef<int64_t> qShape = typeOf(*q).getShape(),
                    kShape = typeOf(*k).getShape(),
                    vShape = typeOf(*v).getShape();
  int64_t batch = qShape[0], qHeads = qShape[1], qLength = qShape[2],
          headSize = qShape[3], kvHeads = kShape[1];
  if (kShape[0] != batch || vShape[0] != batch || vShape[1] != kvHeads ||
      vShape[2] != kShape[2])
    return node.emitError() << "K " << typeOf(*k) << " and V " << typeOf(*v)
                            << " (as [batch, heads, length, size]) do not "
                               "agree with each other or with Q "
                            << typeOf(*q);
  if (kShape[3] != headSize)
    return node.emitError() << "Q's heads have " << headSize
                            << " features and K's " << kShape[3];
  if (qHeads <= 0 || kvHeads <= 0 || qHeads % kvHeads)
    return node.emitError() << qHeads << " query heads cannot share " << kvHeads
                            << " key/value heads";

  // Past keys and values come first along the sequence; present_key and
  // present_value keep K's and V's types.
  int64_t pastLength = 0;
  Value key = *k, value = *v;
  if (node.hasInput(4)) {
    RankedTensorType pastKey = node.inputType(4), pastValue = node.inputType(5);
    pastLength = pastKey.getRank() == 4 ? pastKey.getDimSize(2) : -1;
    if (pastKey.getShape() !=
            ArrayRef<int64_t>{batch, kvHeads, pastLength, headSize} ||
        pastValue.getShape() !=
            ArrayRef<int64_t>{batch, kvHeads, pastLength, vShape[3]})
      return node.emitError()
             << "past_key " << pastKey << " and past_value " << pastValue
             << " must be [batch, key/value heads, past length, size] of K "
             << typeOf(*k) << " and V " << typeOf(*v);
    auto withPast = [&](Value current, int index) {
      RankedTensorType type = typeOf(current);
      SmallVector<int64_t> shape(type.getShape());
      shape[2] += pastLength;
      return node.build<ConcatOp>(
          type.clone(shape),
          ValueRange{node.castTo(node.input(index), type.getElementType()),
                     current},
          2);
    };
    key = withPast(key, 4);
    value = withPast(value, 5);
  }
  int64_t totalLength = typeOf(key).getDimSize(2);
  if (node.node.output_size() > 1 && !node.node.output(1).empty())
    node.setResult(1, key);
  if (node.node.output_size() > 2 && !node.node.output(2).empty())
    node.setResult(2, value);

  // Each key/value head serves qHeads / kvHeads consecutive query heads.
  key = node.repeatEach(node.castTo(key, elementType), 1, qHeads / kvHeads);
  value = node.repeatEach(node.castTo(value, elementType), 1, qHeads / kvHeads);

  const onnx::AttributeProto *scaleAttribute = node.attribute("scale");
  double scale = scaleAttribute
                     ? scaleAttribute->f()
                     : 1.0 / std::sqrt(static_cast<double>(headSize));
  auto scoresType =
      RankedTensorType::get({batch, qHeads, qLength, totalLength}, elementType);
  Value scaledQ = node.withConstant<MulOp>(*q, scale);
  Value scores = node.builder.create<MatMulOp>(node.loc, scoresType, scaledQ,
                                               key, Value(), false, true);
  int64_t mode = node.intAttribute("qk_matmul_output_mode", 0);
  if (mode < 0 || mode > 3)
    return node.emitError()
           << "qk_matmul_output_mode " << mode << " is not 0, 1, 2 or 3";
  Value qkOutput = scores;
  if (double softcap = node.floatAttribute("softcap", 0.0f); softcap > 0) {
    Value capped = node.build<TanhOp>(
        scoresType, node.withConstant<MulOp>(scores, 1.0 / softcap));
    scores = node.withConstant<MulOp>(capped, softcap);
  }
  if (mode == 1)
    qkOutput = scores;

  // Where attention is allowed, as bools: the causal triangle (shifted by
  // the past) and a bool mask; a float mask is added.
  Value allowed;
  if (node.intAttribute("is_causal", 0)) {
    SmallVector<bool> triangle;
    for (int64_t row = 0; row < qLength; ++row)
      for (int64_t column = 0; column < totalLength; ++column)
        triangle.push_back(column <= row + pastLength);
    auto maskType =
        RankedTensorType::get({qLength, totalLength}, node.builder.getI1Type());
    allowed = node.builder.create<ConstantOp>(
        node.loc, DenseElementsAttr::get(maskType, ArrayRef<bool>(triangle)));
  }
  if (node.hasInput(3)) {
    RankedTensorType maskType = node.inputType(3);
    Value mask = node.input(3);
    bool isBool = maskType.getElementType().isInteger(1);
    if (!isBool)
      mask = node.castTo(mask, elementType);
    // A mask shorter than the keys leaves the rest masked out.
    if (maskType.getRank() > 0 && maskType.getShape().back() < totalLength) {
      SmallVector<int64_t> restShape(maskType.getShape());
      restShape.back() = totalLength - maskType.getShape().back();
      Value rest =
          node.broadcastTo(isBool ? node.scalar(node.builder.getI1Type(), 0)
                                  : node.scalar(elementType, -INFINITY),
                           restShape);
      SmallVector<int64_t> fullShape(maskType.getShape());
      fullShape.back() = totalLength;
      mask =
          node.build<ConcatOp>(typeOf(mask).clone(fullShape),
                               ValueRange{mask, rest}, maskType.getRank() - 1);
    }
    SmallVector<int64_t> combined;
    if (!OpTrait::util::getBroadcastedShape(typeOf(mask).getShape(),
                                            scoresType.getShape(), combined) ||
        ArrayRef<int64_t>(combined) != scoresType.getShape())
      return node.emitError()
             << "attn_mask of type " << maskType
             << " does not broadcast to the scores " << scoresType;
    if (!isBool)
      scores = node.combine<AddOp>(scores, mask);
    else
      allowed = allowed ? node.combine<AndOp>(allowed, mask) : mask;
  }
  if (allowed) {
    scores =
        node.build<SelectOp>(scoresType, node.broadcastTo(allowed, scoresType),
                             scores, node.splatConstant(scoresType, -INFINITY));
  }
  if (mode == 2)
    qkOutput = scores;

  Type softmaxType = elementType;
  if (node.attribute("softmax_precision")) {
    int64_t code = node.intAttribute("softmax_precision", 0);
    softmaxType = convertElementType(code, node.builder.getContext());
    if (!isa_and_nonnull<FloatType>(softmaxType))
      return node.emitError()
             << "softmax_precision " << code << " is not a float type";
  }
  Value probabilities =
      node.castTo(node.build<SoftmaxOp>(scoresType.clone(softmaxType),
                                        node.castTo(scores, softmaxType),
                                        node.builder.getI64IntegerAttr(3)),
                  elementType);
  if (mode == 3)
    qkOutput = probabilities;
  if (node.node.output_size() > 3 && !node.node.output(3).empty())
    node.setResult(3, qkOutput);

  int64_t valueSize = typeOf(value).getDimSize(3);
  Value y = node.builder.create<MatMulOp>(
      node.loc, scoresType.clone({batch, qHeads, qLength, valueSize}),
      probabilities, value, Value(), false, false);
  if (rank == 3)
    y = node.reshapeTo(transposed(node, y, {0, 2, 1, 3}),
                       qType.clone({batch, qLength, qHeads * valueSize}));
  node.setResult(0, y);
  return success();
}

void quern::onnx_import::registerAttentionOps(OpTable &table) {
  table.add("Attention", {23}, importAttention);
  table.add("RotaryEmbedding", {23}, importRotaryEmbedding);
}
