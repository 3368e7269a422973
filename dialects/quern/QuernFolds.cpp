//===- QuernFolds.cpp - quern op folders ------------------------*- C++ -*-===//
//
// Two jobs. Folds that remove no-op shape manipulation, so that the importer
// can emit ONNX's ops one for one and leave the clean-up to
// canonicalization. And constant evaluation of the ops that ONNX models use
// to compute shapes and indices (Shape -> Gather -> Concat -> Reshape and
// the like): the importer builds ops with createOrFold, so such subgraphs
// become constants while the model is imported.
//
//===----------------------------------------------------------------------===//

#include "dialects/quern/QuernOps.h"

#include "mlir/Dialect/CommonFolders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/TypeUtilities.h"
#include "llvm/ADT/APSInt.h"

using namespace mlir;
using namespace quern;

/// Constant evaluation is for shape computations, which are small; large
/// constant tensors are left to run time rather than copied at compile time.
static constexpr int64_t kFoldElementLimit = 1 << 16;

static DenseElementsAttr denseIfSmall(Attribute attr) {
  auto dense = dyn_cast_if_present<DenseElementsAttr>(attr);
  if (!dense || dense.getNumElements() > kFoldElementLimit)
    return {};
  return dense;
}

/// The row-major strides of `shape`.
static SmallVector<int64_t> stridesOf(ArrayRef<int64_t> shape) {
  SmallVector<int64_t> strides(shape.size(), 1);
  for (int64_t dim = static_cast<int64_t>(shape.size()) - 2; dim >= 0; --dim)
    strides[dim] = strides[dim + 1] * shape[dim + 1];
  return strides;
}

/// Builds a constant of `type` whose element at each multi-index is
/// `source(index)`, an element taken from some constant operand.
static DenseElementsAttr
buildByIndex(RankedTensorType type,
             llvm::function_ref<Attribute(ArrayRef<int64_t>)> source) {
  if (type.getNumElements() > kFoldElementLimit)
    return {};
  ArrayRef<int64_t> shape = type.getShape();
  SmallVector<Attribute> values;
  values.reserve(type.getNumElements());
  SmallVector<int64_t> index(shape.size(), 0);
  for (int64_t linear = 0; linear < type.getNumElements(); ++linear) {
    Attribute value = source(index);
    if (!value)
      return {};
    values.push_back(value);
    for (int64_t dim = static_cast<int64_t>(shape.size()) - 1; dim >= 0;
         --dim) {
      if (++index[dim] < shape[dim])
        break;
      index[dim] = 0;
    }
  }
  return DenseElementsAttr::get(type, values);
}

/// The element of `dense` at a multi-index.
static Attribute elementAt(DenseElementsAttr dense, ArrayRef<int64_t> index) {
  if (dense.isSplat())
    return dense.getSplatValue<Attribute>();
  auto strides = stridesOf(dense.getType().getShape());
  int64_t linear = 0;
  for (auto [position, stride] : llvm::zip_equal(index, strides))
    linear += position * stride;
  return dense.getValues<Attribute>()[linear];
}

/// An index element as a position along a dimension of `size`, wrapping
/// negative values and clamping the rest as the lowering does.
static int64_t indexValue(Attribute attr, int64_t size) {
  int64_t value = cast<IntegerAttr>(attr).getValue().getSExtValue();
  if (value < 0)
    value += size;
  return std::clamp<int64_t>(value, 0, std::max<int64_t>(size - 1, 0));
}

//===----------------------------------------------------------------------===//
// Elementwise arithmetic
//===----------------------------------------------------------------------===//

using IntFn = function_ref<std::optional<APInt>(const APInt &, const APInt &)>;
using FloatFn =
    function_ref<std::optional<APFloat>(const APFloat &, const APFloat &)>;

/// Whether a binary op on `lhs` and `rhs` is folded: both small constants,
/// or both splats of any size, whose result is a splat too (a gradient's
/// exponent y - 1 of a Pow by a splat y is a splat, not a tensor read).
static bool foldsBinary(Attribute lhs, Attribute rhs) {
  return (denseIfSmall(lhs) && denseIfSmall(rhs)) ||
         (isa_and_present<SplatElementsAttr>(lhs) &&
          isa_and_present<SplatElementsAttr>(rhs));
}

/// Folds a binary op on two constants with the function for its element
/// type (either may be null: no fold for that kind of element).
static Attribute foldBinary(ArrayRef<Attribute> operands, Type resultType,
                            IntFn intFn, FloatFn floatFn) {
  if (!foldsBinary(operands[0], operands[1]))
    return {};
  Type elementType = getElementTypeOrSelf(resultType);
  if (isa<FloatType>(elementType) && floatFn)
    return constFoldBinaryOpConditional<FloatAttr, APFloat, void>(
        operands, resultType,
        [&](APFloat a, APFloat b) { return floatFn(a, b); });
  if (isa<IntegerType>(elementType) && intFn)
    return constFoldBinaryOpConditional<IntegerAttr, APInt, void>(
        operands, resultType, [&](APInt a, APInt b) { return intFn(a, b); });
  return {};
}

/// Booleans order as 0 < 1, as in the lowering (Scalar.cpp); read as signed
/// i1, true would be -1.
static bool isUnsigned(Type type) {
  Type element = getElementTypeOrSelf(type);
  return element.isUnsignedInteger() || element.isInteger(1);
}

OpFoldResult AddOp::fold(FoldAdaptor adaptor) {
  return foldBinary(
      adaptor.getOperands(), getType(),
      [](const APInt &a, const APInt &b) -> std::optional<APInt> {
        return a + b;
      },
      [](const APFloat &a, const APFloat &b) -> std::optional<APFloat> {
        return a + b;
      });
}

OpFoldResult SubOp::fold(FoldAdaptor adaptor) {
  return foldBinary(
      adaptor.getOperands(), getType(),
      [](const APInt &a, const APInt &b) -> std::optional<APInt> {
        return a - b;
      },
      [](const APFloat &a, const APFloat &b) -> std::optional<APFloat> {
        return a - b;
      });
}

OpFoldResult MulOp::fold(FoldAdaptor adaptor) {
  return foldBinary(
      adaptor.getOperands(), getType(),
      [](const APInt &a, const APInt &b) -> std::optional<APInt> {
        return a * b;
      },
      [](const APFloat &a, const APFloat &b) -> std::optional<APFloat> {
        return a * b;
      });
}

OpFoldResult DivOp::fold(FoldAdaptor adaptor) {
  bool isUnsignedDiv = isUnsigned(getType());
  return foldBinary(
      adaptor.getOperands(), getType(),
      [&](const APInt &a, const APInt &b) -> std::optional<APInt> {
        if (b.isZero())
          return std::nullopt;
        return isUnsignedDiv ? a.udiv(b) : a.sdiv(b);
      },
      [](const APFloat &a, const APFloat &b) -> std::optional<APFloat> {
        return a / b;
      });
}

OpFoldResult PowOp::fold(FoldAdaptor) { return {}; }

OpFoldResult MaxOp::fold(FoldAdaptor adaptor) {
  bool isUnsignedMax = isUnsigned(getType());
  return foldBinary(
      adaptor.getOperands(), getType(),
      [&](const APInt &a, const APInt &b) -> std::optional<APInt> {
        return isUnsignedMax ? llvm::APIntOps::umax(a, b)
                             : llvm::APIntOps::smax(a, b);
      },
      [](const APFloat &a, const APFloat &b) -> std::optional<APFloat> {
        return llvm::maximum(a, b);
      });
}

OpFoldResult MinOp::fold(FoldAdaptor adaptor) {
  bool isUnsignedMin = isUnsigned(getType());
  return foldBinary(
      adaptor.getOperands(), getType(),
      [&](const APInt &a, const APInt &b) -> std::optional<APInt> {
        return isUnsignedMin ? llvm::APIntOps::umin(a, b)
                             : llvm::APIntOps::smin(a, b);
      },
      [](const APFloat &a, const APFloat &b) -> std::optional<APFloat> {
        return llvm::minimum(a, b);
      });
}

OpFoldResult AndOp::fold(FoldAdaptor adaptor) {
  return foldBinary(
      adaptor.getOperands(), getType(),
      [](const APInt &a, const APInt &b) -> std::optional<APInt> {
        return a & b;
      },
      nullptr);
}

OpFoldResult OrOp::fold(FoldAdaptor adaptor) {
  return foldBinary(
      adaptor.getOperands(), getType(),
      [](const APInt &a, const APInt &b) -> std::optional<APInt> {
        return a | b;
      },
      nullptr);
}

OpFoldResult CompareOp::fold(FoldAdaptor adaptor) {
  DenseElementsAttr lhs = denseIfSmall(adaptor.getLhs());
  DenseElementsAttr rhs = denseIfSmall(adaptor.getRhs());
  if (!lhs || !rhs)
    return {};
  bool isUnsignedCompare = isUnsigned(getLhs().getType());
  ComparePredicate predicate = getPredicate();
  // Orders two elements: -1, 0, 1, or std::nullopt when unordered (NaN).
  auto order = [&](Attribute a, Attribute b) -> std::optional<int> {
    if (auto fa = dyn_cast<FloatAttr>(a)) {
      switch (fa.getValue().compare(cast<FloatAttr>(b).getValue())) {
      case APFloat::cmpLessThan:
        return -1;
      case APFloat::cmpEqual:
        return 0;
      case APFloat::cmpGreaterThan:
        return 1;
      case APFloat::cmpUnordered:
        return std::nullopt;
      }
    }
    const APInt &x = cast<IntegerAttr>(a).getValue();
    const APInt &y = cast<IntegerAttr>(b).getValue();
    if (x == y)
      return 0;
    return (isUnsignedCompare ? x.ult(y) : x.slt(y)) ? -1 : 1;
  };
  Builder builder(getContext());
  return buildByIndex(getType(), [&](ArrayRef<int64_t> index) -> Attribute {
    std::optional<int> sign =
        order(elementAt(lhs, index), elementAt(rhs, index));
    bool value = false;
    if (sign) {
      switch (predicate) {
      case ComparePredicate::eq:
        value = *sign == 0;
        break;
      case ComparePredicate::lt:
        value = *sign < 0;
        break;
      case ComparePredicate::le:
        value = *sign <= 0;
        break;
      case ComparePredicate::gt:
        value = *sign > 0;
        break;
      case ComparePredicate::ge:
        value = *sign >= 0;
        break;
      }
    }
    return builder.getBoolAttr(value);
  });
}

OpFoldResult SelectOp::fold(FoldAdaptor adaptor) {
  if (getOnTrue() == getOnFalse())
    return getOnTrue();
  auto condition =
      dyn_cast_if_present<DenseElementsAttr>(adaptor.getCondition());
  if (!condition)
    return {};
  if (condition.isSplat())
    return condition.getSplatValue<bool>() ? getOnTrue() : getOnFalse();
  DenseElementsAttr onTrue = denseIfSmall(adaptor.getOnTrue());
  DenseElementsAttr onFalse = denseIfSmall(adaptor.getOnFalse());
  if (!onTrue || !onFalse)
    return {};
  return buildByIndex(getType(), [&](ArrayRef<int64_t> index) {
    bool pick = cast<IntegerAttr>(elementAt(condition, index)).getInt() != 0;
    return elementAt(pick ? onTrue : onFalse, index);
  });
}

OpFoldResult CastOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getType())
    return getInput();
  Attribute operand = denseIfSmall(adaptor.getInput());
  if (!operand)
    return {};
  Type from = getElementTypeOrSelf(getInput().getType());
  Type to = getElementTypeOrSelf(getType());
  bool fromUnsigned = from.isUnsignedInteger() || from.isInteger(1);
  Type resultType = getType();
  if (auto toFloat = dyn_cast<FloatType>(to)) {
    const llvm::fltSemantics &semantics = toFloat.getFloatSemantics();
    if (isa<FloatType>(from))
      return constFoldCastOp<FloatAttr, FloatAttr, APFloat, APFloat, void>(
          operand, resultType, [&](const APFloat &value, bool &) {
            APFloat converted = value;
            bool lost;
            converted.convert(semantics, APFloat::rmNearestTiesToEven, &lost);
            return converted;
          });
    return constFoldCastOp<IntegerAttr, FloatAttr, APInt, APFloat, void>(
        operand, resultType, [&](const APInt &value, bool &) {
          APFloat converted(semantics);
          converted.convertFromAPInt(value, !fromUnsigned,
                                     APFloat::rmNearestTiesToEven);
          return converted;
        });
  }
  unsigned width = to.getIntOrFloatBitWidth();
  if (to.isInteger(1)) {
    if (isa<FloatType>(from))
      return constFoldCastOp<FloatAttr, IntegerAttr, APFloat, APInt, void>(
          operand, resultType, [](const APFloat &value, bool &) {
            return APInt(1, !value.isZero());
          });
    return constFoldCastOp<IntegerAttr, IntegerAttr, APInt, APInt, void>(
        operand, resultType,
        [](const APInt &value, bool &) { return APInt(1, !value.isZero()); });
  }
  if (isa<FloatType>(from))
    return constFoldCastOp<FloatAttr, IntegerAttr, APFloat, APInt, void>(
        operand, resultType, [&](const APFloat &value, bool &ok) {
          APSInt result(width, to.isUnsignedInteger());
          bool exact;
          ok = value.convertToInteger(result, APFloat::rmTowardZero, &exact) !=
               APFloat::opInvalidOp;
          return APInt(result);
        });
  return constFoldCastOp<IntegerAttr, IntegerAttr, APInt, APInt, void>(
      operand, resultType, [&](const APInt &value, bool &) {
        return fromUnsigned ? value.zextOrTrunc(width)
                            : value.sextOrTrunc(width);
      });
}

//===----------------------------------------------------------------------===//
// Shape ops
//===----------------------------------------------------------------------===//

OpFoldResult ConstantOp::fold(FoldAdaptor) { return getValue(); }

void ConstantOp::build(OpBuilder &builder, OperationState &state,
                       RankedTensorType type, double value) {
  Type element = type.getElementType();
  TypedAttr scalar;
  if (isa<FloatType>(element))
    scalar = builder.getFloatAttr(element, value);
  else if (element.isInteger(1))
    scalar = builder.getBoolAttr(value != 0);
  else
    scalar = builder.getIntegerAttr(element, static_cast<int64_t>(value));
  build(builder, state, DenseElementsAttr::get(type, scalar));
}

OpFoldResult ReshapeOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getType())
    return getInput();
  // A chain of reshapes is one reshape of the first input.
  if (auto producer = getInput().getDefiningOp<ReshapeOp>()) {
    setOperand(producer.getInput());
    return getResult();
  }
  if (auto dense = dyn_cast_if_present<DenseElementsAttr>(adaptor.getInput()))
    return dense.reshape(getType());
  return {};
}

OpFoldResult TransposeOp::fold(FoldAdaptor adaptor) {
  if (llvm::equal(getPerm(), llvm::seq<int64_t>(0, getPerm().size())))
    return getInput();
  DenseElementsAttr input = denseIfSmall(adaptor.getInput());
  if (!input)
    return {};
  return buildByIndex(getType(), [&](ArrayRef<int64_t> index) {
    SmallVector<int64_t> source(index.size());
    for (auto [dim, from] : llvm::enumerate(getPerm()))
      source[from] = index[dim];
    return elementAt(input, source);
  });
}

OpFoldResult BroadcastOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getType())
    return getInput();
  auto dense = dyn_cast_if_present<DenseElementsAttr>(adaptor.getInput());
  if (!dense)
    return {};
  if (dense.isSplat())
    return DenseElementsAttr::get(getType(), dense.getSplatValue<Attribute>());
  // Shape computations are small; a large broadcast of a constant (a causal
  // mask over every batch and head) stays a broadcast, which the code that
  // reads it fuses, instead of a constant of the full size in the library.
  constexpr int64_t kMaxFoldedElements = 4096;
  if (getType().getNumElements() > kMaxFoldedElements)
    return {};
  ArrayRef<int64_t> inputShape = dense.getType().getShape();
  size_t offset = getType().getRank() - inputShape.size();
  return buildByIndex(getType(), [&](ArrayRef<int64_t> index) {
    SmallVector<int64_t> source;
    for (auto [dim, size] : llvm::enumerate(inputShape))
      source.push_back(size == 1 ? 0 : index[offset + dim]);
    return elementAt(dense, source);
  });
}

OpFoldResult ConcatOp::fold(FoldAdaptor adaptor) {
  if (getInputs().size() == 1 && getInputs()[0].getType() == getType())
    return getInputs()[0];
  SmallVector<DenseElementsAttr> inputs;
  for (Attribute attr : adaptor.getInputs()) {
    DenseElementsAttr dense = denseIfSmall(attr);
    if (!dense)
      return {};
    inputs.push_back(dense);
  }
  int64_t axis = getAxis();
  return buildByIndex(getType(), [&](ArrayRef<int64_t> index) -> Attribute {
    SmallVector<int64_t> source(index);
    for (DenseElementsAttr input : inputs) {
      int64_t size = input.getType().getDimSize(axis);
      if (source[axis] < size)
        return elementAt(input, source);
      source[axis] -= size;
    }
    return {};
  });
}

OpFoldResult SliceOp::fold(FoldAdaptor adaptor) {
  bool isIdentity =
      getInput().getType() == getType() &&
      llvm::all_of(getOffsets(), [](int64_t o) { return o == 0; }) &&
      llvm::all_of(getStrides(), [](int64_t s) { return s == 1; });
  if (isIdentity)
    return getInput();
  DenseElementsAttr input = denseIfSmall(adaptor.getInput());
  if (!input)
    return {};
  return buildByIndex(getType(), [&](ArrayRef<int64_t> index) {
    SmallVector<int64_t> source;
    for (auto [position, offset, stride] :
         llvm::zip_equal(index, getOffsets(), getStrides()))
      source.push_back(offset + position * stride);
    return elementAt(input, source);
  });
}

OpFoldResult GatherOp::fold(FoldAdaptor adaptor) {
  DenseElementsAttr data = denseIfSmall(adaptor.getData());
  DenseElementsAttr indices = denseIfSmall(adaptor.getIndices());
  if (!data || !indices)
    return {};
  int64_t axis = getAxis();
  int64_t indexRank = indices.getType().getRank();
  int64_t size = data.getType().getDimSize(axis);
  return buildByIndex(getType(), [&](ArrayRef<int64_t> index) {
    SmallVector<int64_t> source(index.take_front(axis));
    source.push_back(
        indexValue(elementAt(indices, index.slice(axis, indexRank)), size));
    llvm::append_range(source, index.drop_front(axis + indexRank));
    return elementAt(data, source);
  });
}
