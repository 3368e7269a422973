//===- PackPanels.cpp - bf16 products in register-tile panels ---*- C++ -*-===//
//
// Rebuilds each paired bf16 product the conversion built without panels
// (quern/Conversion/PairedProduct.h reads it back and builds it) with the
// panels of the target's register tile.
//
//===----------------------------------------------------------------------===//

#include "quern/Codegen/CPU/Passes.h"
#include "quern/Conversion/PairedProduct.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

namespace quern {
#define GEN_PASS_DEF_PACKPANELSPASS
#include "quern/Codegen/CPU/Passes.h.inc"
} // namespace quern

using namespace mlir;
using namespace quern;

namespace {

/// Erases `op` and then every op that computed only what it read.
void eraseWithDeadProducers(Operation *op) {
  SmallVector<Operation *> worklist = {op};
  while (!worklist.empty()) {
    Operation *dead = worklist.pop_back_val();
    SmallVector<Operation *> producers;
    for (Value operand : dead->getOperands())
      if (Operation *producer = operand.getDefiningOp())
        producers.push_back(producer);
    dead->erase();
    for (Operation *producer : producers)
      if (isOpTriviallyDead(producer) &&
          !llvm::is_contained(worklist, producer))
        worklist.push_back(producer);
  }
}

struct PackPanelsPass : quern::impl::PackPanelsPassBase<PackPanelsPass> {
  using PackPanelsPassBase::PackPanelsPassBase;

  void runOnOperation() override {
    if (panel <= 0)
      return;
    SmallVector<std::pair<linalg::GenericOp, PairedProductOperands>> products;
    getOperation().walk([&](linalg::GenericOp op) {
      auto type = cast<RankedTensorType>(op.getResultTypes()[0]);
      if (type.getRank() < 2 || type.getShape().back() <= panel)
        return;
      if (std::optional<PairedProductOperands> operands =
              matchPairedProduct(op))
        products.push_back({op, *operands});
    });
    for (auto &[product, operands] : products) {
      OpBuilder builder(product);
      Value rebuilt = buildPairedProduct(
          builder, product.getLoc(),
          cast<RankedTensorType>(product.getResultTypes()[0]), operands.lhs,
          operands.transposeLhs, operands.rhs, operands.transposeRhs,
          operands.bias, panel);
      product.getResult(0).replaceAllUsesWith(rebuilt);
      eraseWithDeadProducers(product);
    }
  }
};

} // namespace
