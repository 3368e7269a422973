//===- Scalar.h - scalar arithmetic by quern element type -------*- C++ -*-===//
//
// Inside linalg bodies the lowering works on signless values, but quern
// types carry signedness (ui8 is unsigned). These builders take the quern
// element type and pick the matching arith/math op, so every lowering that
// divides, compares, reduces or converts agrees on the semantics.
//
//===----------------------------------------------------------------------===//

#ifndef QUERN_LIB_CONVERSION_QUERNTOLINALG_SCALAR_H
#define QUERN_LIB_CONVERSION_QUERNTOLINALG_SCALAR_H

#include "dialects/quern/QuernOps.h"
#include "mlir/IR/Builders.h"

namespace quern::detail::scalar {

/// The signless type the lowering uses for quern element type `type`.
mlir::Type signless(mlir::Type type);

/// A constant of quern element type `type` (float, or integer from the
/// truncated value).
mlir::Value constant(mlir::OpBuilder &b, mlir::Location loc, mlir::Type type,
                     double value);
/// The lowest and highest values of `type` (-inf/+inf for floats).
mlir::Value lowest(mlir::OpBuilder &b, mlir::Location loc, mlir::Type type);
mlir::Value highest(mlir::OpBuilder &b, mlir::Location loc, mlir::Type type);

mlir::Value add(mlir::OpBuilder &b, mlir::Location loc, mlir::Type type,
                mlir::Value lhs, mlir::Value rhs);
mlir::Value sub(mlir::OpBuilder &b, mlir::Location loc, mlir::Type type,
                mlir::Value lhs, mlir::Value rhs);
mlir::Value mul(mlir::OpBuilder &b, mlir::Location loc, mlir::Type type,
                mlir::Value lhs, mlir::Value rhs);
mlir::Value div(mlir::OpBuilder &b, mlir::Location loc, mlir::Type type,
                mlir::Value lhs, mlir::Value rhs);
/// max/min where a NaN operand wins (numpy and ONNX semantics).
mlir::Value max(mlir::OpBuilder &b, mlir::Location loc, mlir::Type type,
                mlir::Value lhs, mlir::Value rhs);
mlir::Value min(mlir::OpBuilder &b, mlir::Location loc, mlir::Type type,
                mlir::Value lhs, mlir::Value rhs);
/// An i1: `lhs predicate rhs`; false whenever a NaN is involved.
mlir::Value compare(mlir::OpBuilder &b, mlir::Location loc, mlir::Type type,
                    ComparePredicate predicate, mlir::Value lhs,
                    mlir::Value rhs);
/// ONNX Cast semantics from quern element type `from` to `to`.
mlir::Value cast(mlir::OpBuilder &b, mlir::Location loc, mlir::Type from,
                 mlir::Type to, mlir::Value value);
/// `value` (an index) as an integer of `type`, or the reverse.
mlir::Value fromIndex(mlir::OpBuilder &b, mlir::Location loc, mlir::Type type,
                      mlir::Value index);
mlir::Value toIndex(mlir::OpBuilder &b, mlir::Location loc, mlir::Value value);

/// How reductions and scatters combine two values.
enum class Combiner { Sum, Product, Max, Min };
mlir::Value combine(mlir::OpBuilder &b, mlir::Location loc, Combiner combiner,
                    mlir::Type type, mlir::Value lhs, mlir::Value rhs);
/// The identity element of `combiner` in `type`.
mlir::Value identity(mlir::OpBuilder &b, mlir::Location loc, Combiner combiner,
                     mlir::Type type);

/// An index into a dimension of `size` from a (possibly negative) integer:
/// negative values count from the end, and anything still out of range is
/// clamped, so a bad index never reads or writes outside the tensor.
mlir::Value wrapIndex(mlir::OpBuilder &b, mlir::Location loc, mlir::Value value,
                      int64_t size);

} // namespace quern::detail::scalar

#endif // QUERN_LIB_CONVERSION_QUERNTOLINALG_SCALAR_H
