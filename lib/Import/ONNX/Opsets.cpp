//===- Opsets.cpp - ONNX opsets newer than libonnx's ------------*- C++ -*-===//

#include "Opsets.h"

#include "Checks.h"
#include "OpTable.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringMap.h"

#include <onnx/defs/schema.h>
#include <onnx/defs/shape_inference.h>
#include <onnx/defs/tensor_proto_util.h>

#include <mutex>

using namespace quern::onnx_import;
using onnx::InferenceContext;
using onnx::OpSchema;
using onnx::TensorShapeProto;

/// Quern's schemas of the newer op versions; no model names this domain.
static constexpr const char *kSchemaDomain = "ai.onnx.quern-newer-opsets";

//===----------------------------------------------------------------------===//
// The versions ONNX defined after opset 17
//===----------------------------------------------------------------------===//

/// Every default-domain op with a version in opsets 18 to 23 (ONNX's
/// docs/Changelog.md): new ops, changed meanings and type extensions alike.
static const llvm::StringMap<std::vector<int>> &versionsAfterLibOnnx() {
  static const llvm::StringMap<std::vector<int>> versions = {
      {"Acos", {22}},
      {"Acosh", {22}},
      {"AffineGrid", {20}},
      {"Asin", {22}},
      {"Asinh", {22}},
      {"Atan", {22}},
      {"Atanh", {22}},
      {"Attention", {23}},
      {"AveragePool", {19, 22}},
      {"Bernoulli", {22}},
      {"BitwiseAnd", {18}},
      {"BitwiseNot", {18}},
      {"BitwiseOr", {18}},
      {"BitwiseXor", {18}},
      {"Cast", {19, 21, 23}},
      {"CastLike", {19, 21, 23}},
      {"CenterCropPad", {18}},
      {"Col2Im", {18}},
      {"Constant", {19, 21, 23}},
      {"ConstantOfShape", {20, 21, 23}},
      {"Conv", {22}},
      {"ConvTranspose", {22}},
      {"Cos", {22}},
      {"Cosh", {22}},
      {"DFT", {20}},
      {"DeformConv", {19, 22}},
      {"DequantizeLinear", {19, 21, 23}},
      {"Det", {22}},
      {"Dropout", {22}},
      {"Elu", {22}},
      {"Equal", {19}},
      {"EyeLike", {22}},
      {"Flatten", {21, 23}},
      {"GRU", {22}},
      {"Gelu", {20}},
      {"GlobalAveragePool", {22}},
      {"GlobalLpPool", {22}},
      {"GlobalMaxPool", {22}},
      {"GridSample", {20, 22}},
      {"GroupNormalization", {18, 21}},
      {"HardSigmoid", {22}},
      {"HardSwish", {22}},
      {"Identity", {19, 21, 23}},
      {"If", {19, 21, 23}},
      {"ImageDecoder", {20}},
      {"InstanceNormalization", {22}},
      {"IsInf", {20}},
      {"IsNaN", {20}},
      {"LSTM", {22}},
      {"Loop", {19, 21, 23}},
      {"LpNormalization", {22}},
      {"LpPool", {18, 22}},
      {"MaxPool", {22}},
      {"MaxRoiPool", {22}},
      {"MaxUnpool", {22}},
      {"Mish", {18, 22}},
      {"Multinomial", {22}},
      {"NegativeLogLikelihoodLoss", {22}},
      {"OptionalGetElement", {18}},
      {"OptionalHasElement", {18}},
      {"Pad", {18, 19, 21, 23}},
      {"QLinearMatMul", {21}},
      {"QuantizeLinear", {19, 21, 23}},
      {"RMSNormalization", {23}},
      {"RNN", {22}},
      {"RandomNormal", {22}},
      {"RandomNormalLike", {22}},
      {"RandomUniform", {22}},
      {"RandomUniformLike", {22}},
      {"ReduceL1", {18}},
      {"ReduceL2", {18}},
      {"ReduceLogSum", {18}},
      {"ReduceLogSumExp", {18}},
      {"ReduceMax", {18, 20}},
      {"ReduceMean", {18}},
      {"ReduceMin", {18, 20}},
      {"ReduceProd", {18}},
      {"ReduceSumSquare", {18}},
      {"RegexFullMatch", {20}},
      {"Reshape", {19, 21, 23}},
      {"Resize", {18, 19}},
      {"RoiAlign", {22}},
      {"RotaryEmbedding", {23}},
      {"Round", {22}},
      {"Scan", {19, 21, 23}},
      {"ScatterElements", {18}},
      {"ScatterND", {18}},
      {"Selu", {22}},
      {"Shape", {19, 21, 23}},
      {"Sin", {22}},
      {"Sinh", {22}},
      {"Size", {19, 21, 23}},
      {"Softplus", {22}},
      {"Softsign", {22}},
      {"Split", {18}},
      {"Squeeze", {21, 23}},
      {"StringConcat", {20}},
      {"StringSplit", {20}},
      {"Tan", {22}},
      {"ThresholdedRelu", {22}},
      {"Transpose", {21, 23}},
      {"Unsqueeze", {21, 23}},
  };
  return versions;
}

int quern::onnx_import::versionAfterLibOnnx(llvm::StringRef opType, int opset) {
  auto found = versionsAfterLibOnnx().find(opType);
  if (found == versionsAfterLibOnnx().end())
    return 0;
  int inForce = 0;
  for (int version : found->second)
    if (version <= opset)
      inForce = version;
  return inForce;
}

//===----------------------------------------------------------------------===//
// Type and shape inference of the newer versions
//===----------------------------------------------------------------------===//

/// Input `index`'s constant value as int64s, if the node has the input and
/// inference knows its value.
static std::optional<std::vector<int64_t>> constantInts(InferenceContext &ctx,
                                                        size_t index) {
  if (index >= ctx.getNumInputs() || !ctx.getInputType(index))
    return std::nullopt;
  const onnx::TensorProto *data = ctx.getInputData(index);
  if (!data)
    return std::nullopt;
  if (data->data_type() == onnx::TensorProto::INT32) {
    std::vector<int32_t> values = onnx::ParseData<int32_t>(data);
    return std::vector<int64_t>(values.begin(), values.end());
  }
  return onnx::ParseData<int64_t>(data);
}

static bool hasInput(InferenceContext &ctx, size_t index) {
  return index < ctx.getNumInputs() && ctx.getInputType(index);
}

// The inference functions leave what they cannot infer from a malformed
// node untyped rather than fail: the node's importer then reports the
// problem itself, naming the node.

/// `axis` in [0, rank), or nothing if it is out of range.
static std::optional<int64_t> normalizedAxis(int64_t axis, int64_t rank) {
  if (axis < -rank || axis >= rank)
    return std::nullopt;
  return axis < 0 ? axis + rank : axis;
}

/// ReduceX-18: the axes are an input.
static void inferReduction(InferenceContext &ctx) {
  onnx::propagateElemTypeFromInputToOutput(ctx, 0, 0);
  if (!onnx::hasNInputShapes(ctx, 1))
    return;
  const TensorShapeProto &input = onnx::getInputShape(ctx, 0);
  int64_t rank = input.dim_size();
  std::vector<int64_t> axes;
  if (hasInput(ctx, 1)) {
    std::optional<std::vector<int64_t>> given = constantInts(ctx, 1);
    if (!given)
      return;
    axes = *given;
  }
  if (axes.empty()) {
    if (onnx::getAttribute(ctx, "noop_with_empty_axes", 0)) {
      onnx::propagateShapeFromInputToOutput(ctx, 0, 0);
      return;
    }
    for (int64_t dim = 0; dim < rank; ++dim)
      axes.push_back(dim);
  }
  for (int64_t &axis : axes) {
    std::optional<int64_t> normalized = normalizedAxis(axis, rank);
    if (!normalized)
      return;
    axis = *normalized;
  }
  bool keepDims = onnx::getAttribute(ctx, "keepdims", 1) != 0;
  TensorShapeProto *output = onnx::getOutputShape(ctx, 0);
  for (int64_t dim = 0; dim < rank; ++dim) {
    if (!llvm::is_contained(axes, dim))
      *output->add_dim() = input.dim(dim);
    else if (keepDims)
      output->add_dim()->set_dim_value(1);
  }
}

/// Split-18: equal parts (the last one smaller) unless sizes are given.
static void inferSplit(InferenceContext &ctx) {
  size_t parts = ctx.getNumOutputs();
  for (size_t part = 0; part < parts; ++part)
    onnx::propagateElemTypeFromInputToOutput(ctx, 0, part);
  if (const onnx::AttributeProto *count = ctx.getAttribute("num_outputs"))
    if (count->i() != static_cast<int64_t>(parts))
      return;
  if (!onnx::hasNInputShapes(ctx, 1))
    return;
  const TensorShapeProto &input = onnx::getInputShape(ctx, 0);
  std::optional<int64_t> normalized =
      normalizedAxis(onnx::getAttribute(ctx, "axis", 0), input.dim_size());
  if (!normalized)
    return;
  int64_t axis = *normalized;
  std::vector<int64_t> sizes;
  if (hasInput(ctx, 1)) {
    std::optional<std::vector<int64_t>> given = constantInts(ctx, 1);
    if (!given)
      return;
    sizes = *given;
  } else {
    if (!input.dim(axis).has_dim_value())
      return;
    int64_t extent = input.dim(axis).dim_value();
    int64_t each = (extent + parts - 1) / parts;
    for (size_t part = 0; part < parts; ++part)
      sizes.push_back(
          std::min<int64_t>(each, extent - static_cast<int64_t>(part) * each));
  }
  if (sizes.size() != parts ||
      llvm::any_of(sizes, [](int64_t size) { return size < 0; }))
    return;
  for (size_t part = 0; part < parts; ++part) {
    TensorShapeProto *output = onnx::getOutputShape(ctx, part);
    *output = input;
    output->mutable_dim(axis)->Clear();
    output->mutable_dim(axis)->set_dim_value(sizes[part]);
  }
}

/// Pad-18 and later: pads for the listed axes (all by default).
static void inferPad(InferenceContext &ctx) {
  onnx::propagateElemTypeFromInputToOutput(ctx, 0, 0);
  if (!onnx::hasNInputShapes(ctx, 1))
    return;
  const TensorShapeProto &input = onnx::getInputShape(ctx, 0);
  int64_t rank = input.dim_size();
  std::optional<std::vector<int64_t>> pads = constantInts(ctx, 1);
  if (!pads)
    return;
  std::vector<int64_t> axes;
  if (hasInput(ctx, 3)) {
    std::optional<std::vector<int64_t>> given = constantInts(ctx, 3);
    if (!given)
      return;
    for (int64_t axis : *given) {
      std::optional<int64_t> normalized = normalizedAxis(axis, rank);
      if (!normalized)
        return;
      axes.push_back(*normalized);
    }
  } else {
    for (int64_t dim = 0; dim < rank; ++dim)
      axes.push_back(dim);
  }
  if (pads->size() != 2 * axes.size())
    return;
  TensorShapeProto *output = onnx::getOutputShape(ctx, 0);
  *output = input;
  for (auto [index, axis] : llvm::enumerate(axes)) {
    const TensorShapeProto::Dimension &dim = input.dim(axis);
    TensorShapeProto::Dimension *padded = output->mutable_dim(axis);
    padded->Clear();
    if (dim.has_dim_value())
      padded->set_dim_value(dim.dim_value() + (*pads)[index] +
                            (*pads)[index + axes.size()]);
  }
}

/// Output 0 has input 0's shape and input `typeFrom`'s element type.
template <size_t TypeFrom> static void inferSameShape(InferenceContext &ctx) {
  onnx::propagateElemTypeFromInputToOutput(ctx, TypeFrom, 0);
  if (onnx::hasNInputShapes(ctx, 1))
    onnx::propagateShapeFromInputToOutput(ctx, 0, 0);
}

static void inferCast(InferenceContext &ctx) {
  onnx::propagateElemTypeFromAttributeToOutput(ctx, "to", 0);
  if (onnx::hasNInputShapes(ctx, 1))
    onnx::propagateShapeFromInputToOutput(ctx, 0, 0);
}

/// DequantizeLinear-21 and -23: x's shape, the scale's type (or
/// output_dtype's).
static void inferDequantize(InferenceContext &ctx) {
  if (int64_t dtype = onnx::getAttribute(ctx, "output_dtype", 0))
    onnx::updateOutputElemType(ctx, 0, static_cast<int32_t>(dtype));
  else
    onnx::propagateElemTypeFromInputToOutput(ctx, 1, 0);
  if (onnx::hasNInputShapes(ctx, 1))
    onnx::propagateShapeFromInputToOutput(ctx, 0, 0);
}

/// QuantizeLinear-21 and -23: x's shape, the zero point's type (or
/// output_dtype's; uint8 without either).
static void inferQuantize(InferenceContext &ctx) {
  if (hasInput(ctx, 2))
    onnx::propagateElemTypeFromInputToOutput(ctx, 2, 0);
  else if (int64_t dtype = onnx::getAttribute(ctx, "output_dtype", 0))
    onnx::updateOutputElemType(ctx, 0, static_cast<int32_t>(dtype));
  else
    onnx::updateOutputElemType(ctx, 0, onnx::TensorProto::UINT8);
  if (onnx::hasNInputShapes(ctx, 1))
    onnx::propagateShapeFromInputToOutput(ctx, 0, 0);
}

static int64_t dimValue(const TensorShapeProto &shape, int index) {
  return shape.dim(index).has_dim_value() ? shape.dim(index).dim_value() : -1;
}

static void setDims(TensorShapeProto *shape,
                    std::initializer_list<int64_t> dims) {
  for (int64_t dim : dims) {
    TensorShapeProto::Dimension *added = shape->add_dim();
    if (dim >= 0)
      added->set_dim_value(dim);
  }
}

/// Attention-23: Q, K, V as [batch, heads, sequence, head size], or as
/// [batch, sequence, hidden] with the head counts as attributes.
static void inferAttention(InferenceContext &ctx) {
  onnx::propagateElemTypeFromInputToOutput(ctx, 0, 0);
  for (size_t output : {1, 2, 3})
    if (output < ctx.getNumOutputs())
      onnx::propagateElemTypeFromInputToOutput(ctx, output == 3 ? 0 : output,
                                               output);
  if (!onnx::hasNInputShapes(ctx, 3))
    return;
  const TensorShapeProto &q = onnx::getInputShape(ctx, 0);
  const TensorShapeProto &k = onnx::getInputShape(ctx, 1);
  const TensorShapeProto &v = onnx::getInputShape(ctx, 2);
  int rank = q.dim_size();
  if ((rank != 3 && rank != 4) || k.dim_size() != rank || v.dim_size() != rank)
    return;
  int64_t batch = dimValue(q, 0), qHeads, kvHeads, qSequence, kvSequence,
          headSize, vHeadSize;
  if (rank == 4) {
    qHeads = dimValue(q, 1);
    kvHeads = dimValue(k, 1);
    qSequence = dimValue(q, 2);
    kvSequence = dimValue(k, 2);
    headSize = dimValue(k, 3);
    vHeadSize = dimValue(v, 3);
  } else {
    qHeads = onnx::getAttribute(ctx, "q_num_heads", 0);
    kvHeads = onnx::getAttribute(ctx, "kv_num_heads", 0);
    if (qHeads <= 0 || kvHeads <= 0)
      return;
    qSequence = dimValue(q, 1);
    kvSequence = dimValue(k, 1);
    int64_t kHidden = dimValue(k, 2), vHidden = dimValue(v, 2);
    headSize = kHidden < 0 ? -1 : kHidden / kvHeads;
    vHeadSize = vHidden < 0 ? -1 : vHidden / kvHeads;
  }
  TensorShapeProto *y = onnx::getOutputShape(ctx, 0);
  if (rank == 4)
    setDims(y, {batch, qHeads, qSequence, vHeadSize});
  else
    setDims(y, {batch, qSequence, vHeadSize < 0 ? -1 : qHeads * vHeadSize});
  int64_t total = kvSequence;
  if (hasInput(ctx, 4)) {
    const TensorShapeProto *past =
        onnx::hasInputShape(ctx, 4) ? &onnx::getInputShape(ctx, 4) : nullptr;
    int64_t pastLength =
        past && past->dim_size() == 4 ? dimValue(*past, 2) : -1;
    total = total < 0 || pastLength < 0 ? -1 : total + pastLength;
  }
  if (ctx.getNumOutputs() > 1 && ctx.getOutputType(1))
    setDims(onnx::getOutputShape(ctx, 1), {batch, kvHeads, total, headSize});
  if (ctx.getNumOutputs() > 2 && ctx.getOutputType(2))
    setDims(onnx::getOutputShape(ctx, 2), {batch, kvHeads, total, vHeadSize});
  if (ctx.getNumOutputs() > 3 && ctx.getOutputType(3))
    setDims(onnx::getOutputShape(ctx, 3), {batch, qHeads, qSequence, total});
}

//===----------------------------------------------------------------------===//
// The schemas
//===----------------------------------------------------------------------===//

static const std::vector<std::string> &floatTypes() {
  static const std::vector<std::string> types = {
      "tensor(float16)", "tensor(float)", "tensor(double)", "tensor(bfloat16)"};
  return types;
}

static OpSchema newSchema(const char *name, int version, const char *doc) {
  OpSchema schema(name, __FILE__, __LINE__);
  schema.SetDomain(kSchemaDomain)
      .SinceVersion(version)
      .SetDoc(std::string(doc) + " (Quern's schema of ONNX's " + name + "-" +
              std::to_string(version) + ")");
  return schema;
}

static void registerSchema(OpSchema &&schema) {
  OpSchema registered = std::move(schema);
  onnx::OpSchemaRegistry::OpSchemaRegisterOnce once(registered);
}

using Attribute = onnx::AttributeProto;

static void registerReduction(const char *name, int version) {
  // ReduceMax/Min-20 take bools too.
  std::vector<std::string> types = OpSchema::all_numeric_types_with_bfloat();
  if (version == 20)
    types.push_back("tensor(bool)");
  OpSchema schema = newSchema(name, version, "reduction with axes as input");
  schema.Input(0, "data", "", "T")
      .Input(1, "axes", "", "tensor(int64)", OpSchema::Optional)
      .Output(0, "reduced", "", "T")
      .Attr("keepdims", "", Attribute::INT, static_cast<int64_t>(1))
      .Attr("noop_with_empty_axes", "", Attribute::INT, static_cast<int64_t>(0))
      .TypeConstraint("T", types, "")
      .TypeAndShapeInferenceFunction(inferReduction);
  registerSchema(std::move(schema));
}

static void registerSchemas() {
  onnx::OpSchemaRegistry::DomainToVersionRange::Instance().AddDomainToVersion(
      kSchemaDomain, kLibOnnxMaxOpset + 1, kMaxOpset);
  for (const char *name :
       {"ReduceMean", "ReduceMax", "ReduceMin", "ReduceL1", "ReduceL2",
        "ReduceLogSum", "ReduceLogSumExp", "ReduceSumSquare"})
    registerReduction(name, 18);
  for (const char *name : {"ReduceMax", "ReduceMin"})
    registerReduction(name, 20);

  OpSchema split = newSchema("Split", 18, "split with num_outputs");
  split.Input(0, "input", "", "T")
      .Input(1, "split", "", "tensor(int64)", OpSchema::Optional)
      .Output(0, "outputs", "", "T", OpSchema::Variadic)
      .Attr("axis", "", Attribute::INT, static_cast<int64_t>(0))
      .Attr("num_outputs", "", Attribute::INT, /*required=*/false)
      .TypeConstraint("T", OpSchema::all_tensor_types_with_bfloat(), "")
      .TypeAndShapeInferenceFunction(inferSplit);
  registerSchema(std::move(split));

  OpSchema pad = newSchema("Pad", 18, "pad with axes, and wrap (19)");
  pad.Input(0, "data", "", "T")
      .Input(1, "pads", "", "tensor(int64)")
      .Input(2, "constant_value", "", "T", OpSchema::Optional)
      .Input(3, "axes", "", "Tind", OpSchema::Optional)
      .Output(0, "output", "", "T")
      .Attr("mode", "", Attribute::STRING, std::string("constant"))
      .TypeConstraint("T", OpSchema::all_tensor_types_with_bfloat(), "")
      .TypeConstraint("Tind", {"tensor(int32)", "tensor(int64)"}, "")
      .TypeAndShapeInferenceFunction(inferPad);
  registerSchema(std::move(pad));

  OpSchema cast = newSchema("Cast", 19, "cast with saturate");
  cast.Input(0, "input", "", "T1")
      .Output(0, "output", "", "T2")
      .Attr("to", "", Attribute::INT)
      .Attr("saturate", "", Attribute::INT, static_cast<int64_t>(1))
      .TypeConstraint("T1", OpSchema::all_tensor_types_with_bfloat(), "")
      .TypeConstraint("T2", OpSchema::all_tensor_types_with_bfloat(), "")
      .TypeAndShapeInferenceFunction(inferCast);
  registerSchema(std::move(cast));

  OpSchema castLike = newSchema("CastLike", 19, "cast-like with saturate");
  castLike.Input(0, "input", "", "T1")
      .Input(1, "target_type", "", "T2")
      .Output(0, "output", "", "T2")
      .Attr("saturate", "", Attribute::INT, static_cast<int64_t>(1))
      .TypeConstraint("T1", OpSchema::all_tensor_types_with_bfloat(), "")
      .TypeConstraint("T2", OpSchema::all_tensor_types_with_bfloat(), "")
      .TypeAndShapeInferenceFunction(inferSameShape<1>);
  registerSchema(std::move(castLike));

  OpSchema groupNorm = newSchema("GroupNormalization", 18, "group norm");
  groupNorm.Input(0, "X", "", "T")
      .Input(1, "scale", "", "T")
      .Input(2, "bias", "", "T")
      .Output(0, "Y", "", "T")
      .Attr("epsilon", "", Attribute::FLOAT, 1e-5f)
      .Attr("num_groups", "", Attribute::INT)
      .Attr("stash_type", "", Attribute::INT, static_cast<int64_t>(1))
      .TypeConstraint("T", floatTypes(), "")
      .TypeAndShapeInferenceFunction(inferSameShape<0>);
  registerSchema(std::move(groupNorm));

  OpSchema gelu = newSchema("Gelu", 20, "GELU");
  gelu.Input(0, "X", "", "T")
      .Output(0, "Y", "", "T")
      .Attr("approximate", "", Attribute::STRING, std::string("none"))
      .TypeConstraint("T", floatTypes(), "")
      .TypeAndShapeInferenceFunction(inferSameShape<0>);
  registerSchema(std::move(gelu));

  for (int version : {19, 21}) {
    OpSchema dequantize = newSchema("DequantizeLinear", version,
                                    "float16/bfloat16 scales, block-wise (21)");
    dequantize.Input(0, "x", "", "T1")
        .Input(1, "x_scale", "", "T2")
        .Input(2, "x_zero_point", "", "T1", OpSchema::Optional)
        .Output(0, "y", "", "T3")
        .Attr("axis", "", Attribute::INT, static_cast<int64_t>(1))
        .Attr("block_size", "", Attribute::INT, static_cast<int64_t>(0))
        .Attr("output_dtype", "", Attribute::INT, static_cast<int64_t>(0))
        .TypeConstraint("T1",
                        {"tensor(int8)", "tensor(uint8)", "tensor(int16)",
                         "tensor(uint16)", "tensor(int32)"},
                        "")
        .TypeConstraint("T2", floatTypes(), "")
        .TypeConstraint("T3", floatTypes(), "")
        .TypeAndShapeInferenceFunction(inferDequantize);
    registerSchema(std::move(dequantize));
  }

  OpSchema quantize = newSchema("QuantizeLinear", 21, "block-wise");
  quantize.Input(0, "x", "", "T1")
      .Input(1, "y_scale", "", "T2")
      .Input(2, "y_zero_point", "", "T3", OpSchema::Optional)
      .Output(0, "y", "", "T3")
      .Attr("axis", "", Attribute::INT, static_cast<int64_t>(1))
      .Attr("block_size", "", Attribute::INT, static_cast<int64_t>(0))
      .Attr("output_dtype", "", Attribute::INT, static_cast<int64_t>(0))
      .Attr("saturate", "", Attribute::INT, static_cast<int64_t>(1))
      .Attr("precision", "", Attribute::INT, static_cast<int64_t>(0))
      .TypeConstraint("T1", floatTypes(), "")
      .TypeConstraint("T2", floatTypes(), "")
      .TypeConstraint(
          "T3",
          {"tensor(int8)", "tensor(uint8)", "tensor(int16)", "tensor(uint16)"},
          "")
      .TypeAndShapeInferenceFunction(inferQuantize);
  registerSchema(std::move(quantize));

  OpSchema rmsNorm = newSchema("RMSNormalization", 23, "RMS norm");
  rmsNorm.Input(0, "X", "", "T")
      .Input(1, "scale", "", "V")
      .Output(0, "Y", "", "V")
      .Attr("axis", "", Attribute::INT, static_cast<int64_t>(-1))
      .Attr("epsilon", "", Attribute::FLOAT, 1e-5f)
      .Attr("stash_type", "", Attribute::INT, static_cast<int64_t>(1))
      .TypeConstraint("T", floatTypes(), "")
      .TypeConstraint("V", floatTypes(), "")
      .TypeAndShapeInferenceFunction(inferSameShape<1>);
  registerSchema(std::move(rmsNorm));

  OpSchema rotary = newSchema("RotaryEmbedding", 23, "rotary embedding");
  rotary.Input(0, "X", "", "T")
      .Input(1, "cos_cache", "", "T")
      .Input(2, "sin_cache", "", "T")
      .Input(3, "position_ids", "", "M", OpSchema::Optional)
      .Output(0, "Y", "", "T")
      .Attr("interleaved", "", Attribute::INT, static_cast<int64_t>(0))
      .Attr("rotary_embedding_dim", "", Attribute::INT, static_cast<int64_t>(0))
      .Attr("num_heads", "", Attribute::INT, static_cast<int64_t>(0))
      .TypeConstraint("T", floatTypes(), "")
      .TypeConstraint("M", {"tensor(int64)"}, "")
      .TypeAndShapeInferenceFunction(inferSameShape<0>);
  registerSchema(std::move(rotary));

  OpSchema attention = newSchema("Attention", 23, "attention");
  attention.Input(0, "Q", "", "T1")
      .Input(1, "K", "", "T1")
      .Input(2, "V", "", "T2")
      .Input(3, "attn_mask", "", "U", OpSchema::Optional)
      .Input(4, "past_key", "", "T1", OpSchema::Optional)
      .Input(5, "past_value", "", "T2", OpSchema::Optional)
      .Output(0, "Y", "", "T1")
      .Output(1, "present_key", "", "T1", OpSchema::Optional)
      .Output(2, "present_value", "", "T2", OpSchema::Optional)
      .Output(3, "qk_matmul_output", "", "T1", OpSchema::Optional)
      .Attr("is_causal", "", Attribute::INT, static_cast<int64_t>(0))
      .Attr("kv_num_heads", "", Attribute::INT, /*required=*/false)
      .Attr("q_num_heads", "", Attribute::INT, /*required=*/false)
      .Attr("qk_matmul_output_mode", "", Attribute::INT,
            static_cast<int64_t>(0))
      .Attr("scale", "", Attribute::FLOAT, /*required=*/false)
      .Attr("softcap", "", Attribute::FLOAT, 0.0f)
      .Attr("softmax_precision", "", Attribute::INT, /*required=*/false)
      .TypeConstraint("T1", floatTypes(), "")
      .TypeConstraint("T2", floatTypes(), "")
      .TypeConstraint(
          "U",
          [] {
            std::vector<std::string> types = floatTypes();
            types.push_back("tensor(bool)");
            return types;
          }(),
          "")
      .TypeAndShapeInferenceFunction(inferAttention);
  registerSchema(std::move(attention));
}

//===----------------------------------------------------------------------===//
// Moving nodes into the schema domain
//===----------------------------------------------------------------------===//

static int defaultOpset(const onnx::ModelProto &model) {
  for (const onnx::OperatorSetIdProto &import : model.opset_import())
    if (isDefaultDomain(import.domain()))
      return static_cast<int>(import.version());
  return 0;
}

NewerSchemaScope::NewerSchemaScope(onnx::ModelProto &model) : model(model) {
  int opset = defaultOpset(model);
  if (opset <= kLibOnnxMaxOpset)
    return;
  static std::once_flag registered;
  std::call_once(registered, registerSchemas);
  std::vector<onnx::GraphProto *> graphs = {model.mutable_graph()};
  for (onnx::TrainingInfoProto &training : *model.mutable_training_info())
    graphs.insert(graphs.end(), {training.mutable_initialization(),
                                 training.mutable_algorithm()});
  for (onnx::GraphProto *graph : graphs)
    for (onnx::NodeProto &node : *graph->mutable_node())
      if (isDefaultDomain(node.domain()) &&
          onnx::OpSchemaRegistry::Schema(node.op_type(), opset,
                                         kSchemaDomain)) {
        moved.emplace_back(&node, node.domain());
        node.set_domain(kSchemaDomain);
      }
  if (moved.empty())
    return;
  onnx::OperatorSetIdProto *import = model.add_opset_import();
  import->set_domain(kSchemaDomain);
  import->set_version(opset);
}

NewerSchemaScope::~NewerSchemaScope() {
  if (moved.empty())
    return;
  for (auto &[node, domain] : moved)
    node->set_domain(domain);
  model.mutable_opset_import()->RemoveLast();
}
