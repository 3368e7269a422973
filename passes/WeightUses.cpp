//===- WeightUses.cpp - the products that read a weight ---------*- C++ -*-===//

#include "passes/WeightUses.h"

using namespace mlir;
using namespace quern;

FailureOr<SmallVector<MatMulOp>>
quern::productsReadingWeight(Value weight, OpOperand *&other) {
  SmallVector<MatMulOp> products;
  SmallVector<Value> worklist = {weight};
  while (!worklist.empty()) {
    Value value = worklist.pop_back_val();
    for (OpOperand &use : value.getUses()) {
      Operation *user = use.getOwner();
      auto decode = dyn_cast<DequantizeOp>(user);
      if (isa<TransposeOp, ReshapeOp>(user) ||
          (decode && use.get() == decode.getCodes())) {
        worklist.push_back(user->getResult(0));
        continue;
      }
      auto product = dyn_cast<MatMulOp>(user);
      if (!product || use.getOperandNumber() != 1) {
        other = &use;
        return failure();
      }
      products.push_back(product);
    }
  }
  return products;
}

std::string quern::describeRead(OpOperand &use) {
  std::string text =
      ("by '" + use.getOwner()->getName().getStringRef() + "'").str();
  if (isa<MatMulOp>(use.getOwner()) && use.getOperandNumber() != 1)
    text +=
        use.getOperandNumber() == 0 ? " as its left operand" : " as its bias";
  return text;
}
