//===- PackPanels.cpp - bf16 products in register-tile panels ---*- C++ -*-===//
//
// Rebuilds each paired bf16 product the conversion built without panels
// (quern/Conversion/PairedProduct.h reads it back and builds it) with the
// panels of the target's register tile.
//
//===----------------------------------------------------------------------===//

#include "quern/Codegen/CPU/Passes.h"
#include "quern/Conversion/PackedProduct.h"

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

  /// Whether all of `product`'s sizes are at least kLargeSize.
  static bool isLarge(linalg::GenericOp product,
                      const PackedProductOperands &operands) {
    auto type = cast<RankedTensorType>(product.getResultTypes()[0]);
    auto lhsType = cast<RankedTensorType>(operands.lhs.getType());
    int64_t rows = type.getShape().drop_back().back(),
            columns = type.getShape().back(),
            depth = lhsType.getShape()[lhsType.getRank() -
                                       (operands.transposeLhs ? 2 : 1)];
    return rows >= kLargeSize && columns >= kLargeSize && depth >= kLargeSize;
  }
  /// From this size up, the copies that panels take (the operand's pack,
  /// the result's, the padding) are small beside the product: on one core
  /// f32 products measured gained 1.03-1.26x, smaller ones lost up to 8%;
  /// bf16 products accumulating in panels gained 1.03-1.09x and smaller
  /// ones lost 4-5%.
  static constexpr int64_t kLargeSize = 512;

  /// Whether `product` is worth its panels: every paired one wider than a
  /// panel (its operand is packed anyway), an f32 one when it is large.
  bool worthPanels(linalg::GenericOp product,
                   const PackedProductOperands &operands) const {
    auto type = cast<RankedTensorType>(product.getResultTypes()[0]);
    return type.getShape().back() > panel &&
           (operands.pairs || isLarge(product, operands));
  }

  void runOnOperation() override {
    if (panel <= 0)
      return;
    SmallVector<std::pair<linalg::GenericOp, PackedProductOperands>> products;
    getOperation().walk([&](linalg::GenericOp op) {
      std::optional<PackedProductOperands> operands = matchPackableProduct(op);
      if (operands && worthPanels(op, *operands))
        products.push_back({op, *operands});
    });
    for (auto &[product, operands] : products) {
      OpBuilder builder(product);
      Value rebuilt = buildPackedProduct(
          builder, product.getLoc(),
          cast<RankedTensorType>(product.getResultTypes()[0]), operands.lhs,
          operands.transposeLhs, operands.rhs, operands.transposeRhs,
          operands.bias, panel, operands.pairs,
          /*accumulateInPanels=*/isLarge(product, operands));
      product.getResult(0).replaceAllUsesWith(rebuilt);
      eraseWithDeadProducers(product);
    }
  }
};

} // namespace
