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
                                          ScalarBody body,
                                          AffineMap resultMap) {
  int64_t rank = resultType.getRank();
  assert((!resultMap || resultMap.isPermutation()) &&
         "a generic writes its result through a permutation");
  SmallVector<AffineMap> maps(inputMaps);
  maps.push_back(resultMap ? resultMap : builder.getMultiDimIdentityMap(rank));
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

Value quern::detail::buildFilled(OpBuilder &builder, Location loc,
                                 RankedTensorType type, Value value) {
  Value empty = builder.create<tensor::EmptyOp>(loc, type.getShape(),
                                                type.getElementType());
  return builder.create<linalg::FillOp>(loc, value, empty).getResult(0);
}

Value quern::detail::buildReduction(OpBuilder &builder, Location loc,
                                    Value input, ArrayRef<int64_t> axes,
                                    scalar::Combiner combiner,
                                    Type elementType) {
  auto inputType = cast<RankedTensorType>(input.getType());
  int64_t rank = inputType.getRank();
  SmallVector<int64_t> shape;
  for (int64_t dim = 0; dim < rank; ++dim)
    if (!llvm::is_contained(axes, dim))
      shape.push_back(inputType.getDimSize(dim));
  auto resultType = RankedTensorType::get(shape, inputType.getElementType());
  Value init =
      buildFilled(builder, loc, resultType,
                  scalar::identity(builder, loc, combiner, elementType));

  SmallVector<AffineMap> maps = {builder.getMultiDimIdentityMap(rank),
                                 dropAxesMap(builder.getContext(), rank, axes)};
  SmallVector<utils::IteratorType> iterators;
  for (int64_t dim = 0; dim < rank; ++dim)
    iterators.push_back(llvm::is_contained(axes, dim)
                            ? utils::IteratorType::reduction
                            : utils::IteratorType::parallel);
  auto generic = builder.create<linalg::GenericOp>(
      loc, resultType, input, init, maps, iterators,
      [&](OpBuilder &b, Location l, ValueRange args) {
        b.create<linalg::YieldOp>(
            l, scalar::combine(b, l, combiner, elementType, args[0], args[1]));
      });
  return generic.getResult(0);
}

Value quern::detail::buildLinearIndex(OpBuilder &builder, Location loc,
                                      ArrayRef<int64_t> shape) {
  Value linear = builder.create<arith::ConstantIndexOp>(loc, 0);
  for (auto [dim, size] : llvm::enumerate(shape)) {
    Value extent = builder.create<arith::ConstantIndexOp>(loc, size);
    Value position = builder.create<linalg::IndexOp>(loc, dim);
    linear = builder.create<arith::AddIOp>(
        loc, builder.create<arith::MulIOp>(loc, linear, extent), position);
  }
  return linear;
}

Value quern::detail::buildReshape(OpBuilder &builder, Location loc, Value input,
                                  RankedTensorType resultType) {
  auto inputType = cast<RankedTensorType>(input.getType());
  if (inputType == resultType)
    return input;
  // Reshapes that only merge or only split neighbouring dimensions are one
  // op; anything else goes through the flat vector.
  if (inputType.getRank() > resultType.getRank()) {
    if (auto groups = getReassociationIndicesForCollapse(inputType.getShape(),
                                                         resultType.getShape()))
      return builder.create<tensor::CollapseShapeOp>(loc, resultType, input,
                                                     *groups);
  } else if (inputType.getRank() < resultType.getRank()) {
    if (auto groups = getReassociationIndicesForCollapse(resultType.getShape(),
                                                         inputType.getShape()))
      return builder.create<tensor::ExpandShapeOp>(loc, resultType, input,
                                                   *groups);
  }
  // One group of all dimensions is a valid reassociation for any shapes,
  // including ones with zero extents, where the search above gives up.
  assert(inputType.getRank() > 0 && resultType.getRank() > 0 &&
         "rank-0 reshapes have all-unit shapes, handled above");
  auto allDims = [](int64_t rank) {
    ReassociationIndices group;
    for (int64_t dim = 0; dim < rank; ++dim)
      group.push_back(dim);
    return SmallVector<ReassociationIndices>{group};
  };
  auto flatType = RankedTensorType::get({inputType.getNumElements()},
                                        inputType.getElementType());
  Value flat = input;
  if (inputType.getRank() != 1)
    flat = builder.create<tensor::CollapseShapeOp>(
        loc, flatType, input, allDims(inputType.getRank()));
  if (resultType.getRank() == 1)
    return flat;
  return builder.create<tensor::ExpandShapeOp>(loc, resultType, flat,
                                               allDims(resultType.getRank()));
}
