//===- Autodiff.cpp - reverse-mode differentiation of quern IR --*- C++ -*-===//
//
// Classic reverse mode on one block of value-semantics ops: mark what depends
// on the inputs of interest (active), walk the ops backwards from the loss,
// and let each op turn its results' gradients into its operands' through
// GradientOpInterface, summing where a value fans out (a tied weight used
// twice gets the sum of both uses' gradients).
//
//===----------------------------------------------------------------------===//

#include "passes/Autodiff/Autodiff.h"

#include "dialects/quern/QuernOps.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"

using namespace mlir;
using namespace quern;

static bool isFloatTensor(Value value) {
  auto type = dyn_cast<RankedTensorType>(value.getType());
  return type && isa<FloatType>(type.getElementType());
}

FailureOr<SmallVector<Value>>
quern::buildGradients(OpBuilder &builder, Value loss, ArrayRef<Value> wrt) {
  Block *block = loss.getParentBlock();
  SmallVector<Operation *> ops;
  for (Operation &op : *block)
    if (!op.hasTrait<OpTrait::IsTerminator>())
      ops.push_back(&op);

  // Forward: values that depend on `wrt` through float computations.
  llvm::DenseSet<Value> active(wrt.begin(), wrt.end());
  for (Operation *op : ops)
    if (llvm::any_of(op->getOperands(),
                     [&](Value operand) { return active.contains(operand); }))
      for (Value result : op->getResults())
        if (isFloatTensor(result))
          active.insert(result);

  llvm::DenseMap<Value, Value> gradients;
  auto accumulate = [&](Value value, Value gradient) {
    Value &slot = gradients[value];
    slot =
        slot ? builder.create<AddOp>(value.getLoc(), slot, gradient).getResult()
             : gradient;
  };
  auto lossType = cast<RankedTensorType>(loss.getType());
  gradients[loss] = builder.create<ConstantOp>(loss.getLoc(), lossType, 1.0);

  for (Operation *op : llvm::reverse(ops)) {
    SmallVector<Value> resultGradients;
    bool reached = false;
    for (Value result : op->getResults()) {
      resultGradients.push_back(gradients.lookup(result));
      reached |= static_cast<bool>(resultGradients.back());
    }
    bool isActive = llvm::any_of(op->getOperands(), [&](Value operand) {
      return active.contains(operand);
    });
    if (!reached || !isActive)
      continue;
    auto differentiable = dyn_cast<GradientOpInterface>(op);
    if (!differentiable)
      return op->emitError("'")
             << op->getName()
             << "' lies between the parameters and the loss but has no "
                "gradient";
    SmallVector<Value> operandGradients;
    if (failed(differentiable.buildGradients(builder, resultGradients,
                                             operandGradients)))
      return failure();
    assert(operandGradients.size() == op->getNumOperands() &&
           "one gradient (or null) per operand");
    for (auto [operand, gradient] :
         llvm::zip_equal(op->getOperands(), operandGradients))
      if (gradient && active.contains(operand))
        accumulate(operand, gradient);
  }

  SmallVector<Value> result;
  for (Value value : wrt)
    result.push_back(gradients.lookup(value));
  return result;
}
