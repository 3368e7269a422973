//===- Builders.cpp - linalg builders shared by the lowerings ---*- C++ -*-===//

#include "Patterns.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/ReshapeOpsUtils.h"
#include "llvm/ADT/STLExtras.h"

using namespace mlir;
using namespace quern::detail;

Value quern::detail::buildParallelGeneric(OpBuilder &builder, Location loc,
                                          RankedTensorType resultType,
                                          ValueRange inputs,
                                          ArrayRef<AffineMap> inputMaps,
                                          ScalarBody body) {
  int64_t rank = resultType.getRank();
  SmallVector<AffineMap> maps(inputMaps);
  maps.push_back(builder.getMultiDimIdentityMap(rank));
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  Value init = builder.create<tensor::EmptyOp>(loc, resultType.getShape(),
                                               resultType.getElementType());
  auto generic = builder.create<linalg::GenericOp>(
      loc, resultType, inputs, init, maps, iterators,
      [&](OpBuilder &b, Location l, ValueRange args) {
        b.create<linalg::YieldOp>(l, body(b, l, args.drop_back()));
      });
  return generic.getResult(0);
}

AffineMap quern::detail::dropAxesMap(MLIRContext *context, int64_t rank,
                                     ArrayRef<int64_t> axes) {
  SmallVector<AffineExpr> exprs;
  for (int64_t dim = 0; dim < rank; ++dim)
    if (!llvm::is_contained(axes, dim))
      exprs.push_back(getAffineDimExpr(dim, context));
  return AffineMap::get(rank, 0, exprs, context);
}

Value quern::detail::buildFloatConstant(OpBuilder &builder, Location loc,
                                        Type type, double value) {
  Type elementType = getElementTypeOrSelf(type);
  return builder.create<arith::ConstantOp>(
      loc, builder.getFloatAttr(elementType, value));
}

Value quern::detail::buildReduction(OpBuilder &builder, Location loc,
                                    Value input, ArrayRef<int64_t> axes,
                                    ReductionKind kind) {
  auto inputType = cast<RankedTensorType>(input.getType());
  int64_t rank = inputType.getRank();
  Type elementType = inputType.getElementType();
  SmallVector<int64_t> shape;
  for (int64_t dim = 0; dim < rank; ++dim)
    if (!llvm::is_contained(axes, dim))
      shape.push_back(inputType.getDimSize(dim));

  auto floatType = cast<FloatType>(elementType);
  TypedAttr identity =
      kind == ReductionKind::Sum
          ? builder.getFloatAttr(floatType, 0.0)
          : builder.getFloatAttr(
                floatType, APFloat::getInf(floatType.getFloatSemantics(),
                                           /*Negative=*/true));
  Value identityValue = builder.create<arith::ConstantOp>(loc, identity);
  Value empty = builder.create<tensor::EmptyOp>(loc, shape, elementType);
  Value init =
      builder.create<linalg::FillOp>(loc, identityValue, empty).getResult(0);

  SmallVector<AffineMap> maps = {builder.getMultiDimIdentityMap(rank),
                                 dropAxesMap(builder.getContext(), rank, axes)};
  SmallVector<utils::IteratorType> iterators;
  for (int64_t dim = 0; dim < rank; ++dim)
    iterators.push_back(llvm::is_contained(axes, dim)
                            ? utils::IteratorType::reduction
                            : utils::IteratorType::parallel);
  auto generic = builder.create<linalg::GenericOp>(
      loc, init.getType(), input, init, maps, iterators,
      [&](OpBuilder &b, Location l, ValueRange args) {
        Value combined =
            kind == ReductionKind::Sum
                ? b.create<arith::AddFOp>(l, args[0], args[1]).getResult()
                : b.create<arith::MaximumFOp>(l, args[0], args[1]).getResult();
        b.create<linalg::YieldOp>(l, combined);
      });
  return generic.getResult(0);
}

Value quern::detail::buildReshape(OpBuilder &builder, Location loc,
                                  Value input, RankedTensorType resultType) {
  auto inputType = cast<RankedTensorType>(input.getType());
  if (inputType == resultType)
    return input;
  // Reshapes that only merge or only split neighbouring dimensions are one
  // op; anything else goes through the flat vector.
  if (inputType.getRank() > resultType.getRank()) {
    if (auto groups = getReassociationIndicesForCollapse(
            inputType.getShape(), resultType.getShape()))
      return builder.create<tensor::CollapseShapeOp>(loc, resultType, input,
                                                     *groups);
  } else if (inputType.getRank() < resultType.getRank()) {
    if (auto groups = getReassociationIndicesForCollapse(
            resultType.getShape(), inputType.getShape()))
      return builder.create<tensor::ExpandShapeOp>(loc, resultType, input,
                                                   *groups);
  }
  // The flat vector is reached with one group of all dimensions, not with
  // getReassociationIndicesForCollapse: that gives up on zero extents, and
  // recursing here would then never end.
  auto allDims = [](int64_t rank) {
    ReassociationIndices group;
    for (int64_t dim = 0; dim < rank; ++dim)
      group.push_back(dim);
    return SmallVector<ReassociationIndices>{group};
  };
  // Shapes of one element are all ones, which the cases above handle.
  assert(inputType.getRank() > 0 && resultType.getRank() > 0 &&
         "rank-0 reshapes are expand/collapse_shape without groups");
  auto flatType = RankedTensorType::get({inputType.getNumElements()},
                                        inputType.getElementType());
  Value flat = input;
  if (inputType != flatType)
    flat = builder.create<tensor::CollapseShapeOp>(
        loc, flatType, input, allDims(inputType.getRank()));
  if (flatType == resultType)
    return flat;
  return builder.create<tensor::ExpandShapeOp>(loc, resultType, flat,
                                               allDims(resultType.getRank()));
}
