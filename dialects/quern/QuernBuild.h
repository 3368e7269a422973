//===- QuernBuild.h - building quern ops at one location ---------*- C++
//-*-===//

#ifndef QUERN_DIALECTS_QUERN_QUERNBUILD_H
#define QUERN_DIALECTS_QUERN_QUERNBUILD_H

#include "dialects/quern/QuernOps.h"

#include "mlir/IR/Builders.h"

namespace quern {

/// Builds quern ops at one location, shapes as given (broadcasting is
/// explicit in quern): what the gradients (QuernGradients.cpp) and the graph
/// passes that rewrite ops are written in. Reshapes and broadcasts to the
/// shape a value has already are no ops.
struct QuernOps {
  mlir::OpBuilder &b;
  mlir::Location loc;

  static mlir::RankedTensorType typeOf(mlir::Value value) {
    return mlir::cast<mlir::RankedTensorType>(value.getType());
  }
  mlir::Value splat(mlir::RankedTensorType type, double value) {
    return b.create<ConstantOp>(loc, type, value);
  }
  mlir::Value splatLike(mlir::Value value, double scalar) {
    return splat(typeOf(value), scalar);
  }
  mlir::Value zerosLike(mlir::Value value) { return splatLike(value, 0.0); }
  mlir::Value add(mlir::Value x, mlir::Value y) {
    return b.create<AddOp>(loc, x, y);
  }
  mlir::Value sub(mlir::Value x, mlir::Value y) {
    return b.create<SubOp>(loc, x, y);
  }
  mlir::Value mul(mlir::Value x, mlir::Value y) {
    return b.create<MulOp>(loc, x, y);
  }
  mlir::Value div(mlir::Value x, mlir::Value y) {
    return b.create<DivOp>(loc, x, y);
  }
  mlir::Value neg(mlir::Value x) { return b.create<NegOp>(loc, x); }
  mlir::Value scale(mlir::Value x, double factor) {
    return mul(x, splatLike(x, factor));
  }
  mlir::Value compare(ComparePredicate predicate, mlir::Value x,
                      mlir::Value y) {
    return b.create<CompareOp>(loc, typeOf(x).clone(b.getI1Type()), predicate,
                               x, y);
  }
  mlir::Value select(mlir::Value condition, mlir::Value x, mlir::Value y) {
    return b.create<SelectOp>(loc, condition, x, y);
  }
  mlir::Value reshape(mlir::Value x, llvm::ArrayRef<int64_t> shape) {
    if (typeOf(x).getShape() == shape)
      return x;
    return b.create<ReshapeOp>(loc, typeOf(x).clone(shape), x);
  }
  mlir::Value broadcast(mlir::Value x, llvm::ArrayRef<int64_t> shape) {
    if (typeOf(x).getShape() == shape)
      return x;
    return b.create<BroadcastOp>(loc, typeOf(x).clone(shape), x);
  }
  /// Sums over `axes`, keeping them as extent 1 when `keepDims`.
  mlir::Value reduceSum(mlir::Value x, llvm::ArrayRef<int64_t> axes,
                        bool keepDims) {
    if (axes.empty())
      return x;
    llvm::SmallVector<int64_t> shape;
    for (auto [dim, size] : llvm::enumerate(typeOf(x).getShape())) {
      if (!llvm::is_contained(axes, static_cast<int64_t>(dim)))
        shape.push_back(size);
      else if (keepDims)
        shape.push_back(1);
    }
    return b.create<ReduceSumOp>(loc, typeOf(x).clone(shape), x, axes,
                                 keepDims);
  }
  /// The adjoint of a numpy broadcast: sums `grad` down to `shape`.
  mlir::Value sumToShape(mlir::Value grad, llvm::ArrayRef<int64_t> shape) {
    llvm::ArrayRef<int64_t> from = typeOf(grad).getShape();
    if (from == shape)
      return grad;
    size_t offset = from.size() - shape.size();
    llvm::SmallVector<int64_t> axes;
    for (size_t dim = 0; dim < from.size(); ++dim)
      if (dim < offset || (shape[dim - offset] == 1 && from[dim] != 1))
        axes.push_back(dim);
    return reshape(reduceSum(grad, axes, /*keepDims=*/true), shape);
  }
  /// A reduced tensor (axes dropped or kept as 1) broadcast back to `shape`.
  mlir::Value expandReduced(mlir::Value reduced, llvm::ArrayRef<int64_t> shape,
                            llvm::ArrayRef<int64_t> axes) {
    llvm::SmallVector<int64_t> kept(shape);
    for (int64_t axis : axes)
      kept[axis] = 1;
    return broadcast(reshape(reduced, kept), shape);
  }
  /// Rows of `data` (along its first dimension) at `indices`.
  mlir::Value gather(mlir::Value data, mlir::Value indices) {
    llvm::SmallVector<int64_t> shape(typeOf(indices).getShape());
    llvm::append_range(shape, typeOf(data).getShape().drop_front());
    return b.create<GatherOp>(loc, typeOf(data).clone(shape), data, indices, 0);
  }
  mlir::Value matmul(mlir::Value x, mlir::Value y, bool transposeX,
                     bool transposeY, llvm::ArrayRef<int64_t> shape) {
    return b.create<MatMulOp>(loc, typeOf(x).clone(shape), x, y, mlir::Value(),
                              transposeX, transposeY);
  }
};

} // namespace quern

#endif // QUERN_DIALECTS_QUERN_QUERNBUILD_H
