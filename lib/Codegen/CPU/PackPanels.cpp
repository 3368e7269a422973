//===- PackPanels.cpp - products in register-tile panels --------*- C++ -*-===//
//
// Rebuilds the products the conversion built without panels (paired bf16
// ones, and f32 ones large enough for the copies; quern/Conversion/
// PackedProduct.h reads them back and builds them) with the panels of the
// target's register tile.
//
//===----------------------------------------------------------------------===//

#include "quern/Codegen/CPU/Passes.h"
#include "quern/Conversion/PackedProduct.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
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

  /// A product's sizes: its result's rows and columns, its depth, the bytes
  /// of an element.
  struct Sizes {
    int64_t rows, columns, depth, elementBytes;
    /// Whether the result's rows (and an untransposed right operand's) are
    /// a multiple of kAliasingStride apart: the rows of a tile fall in the
    /// same cache sets.
    bool aliasedRows() const {
      return columns * elementBytes % kAliasingStride == 0;
    }
  };
  static Sizes sizesOf(linalg::GenericOp product,
                       const PackedProductOperands &operands) {
    auto type = cast<RankedTensorType>(product.getResultTypes()[0]);
    auto lhsType = cast<RankedTensorType>(operands.lhs.getType());
    return {
        type.getShape().drop_back().back(), type.getShape().back(),
        lhsType.getShape()[lhsType.getRank() - (operands.transposeLhs ? 2 : 1)],
        llvm::divideCeil(type.getElementType().getIntOrFloatBitWidth(), 8)};
  }

  /// Whether `product` is large: at least kLargeSize columns and depth, and
  /// at least kLargeSize rows, or kFewRows with a right operand of
  /// kLargeRightBytes or more that is transposed or has aliased rows. A
  /// large product accumulates in panels too.
  static bool isLarge(linalg::GenericOp product,
                      const PackedProductOperands &operands) {
    Sizes sizes = sizesOf(product, operands);
    bool awkwardRight = operands.transposeRhs || sizes.aliasedRows();
    return sizes.columns >= kLargeSize && sizes.depth >= kLargeSize &&
           (sizes.rows >= kLargeSize ||
            (sizes.rows >= kFewRows && awkwardRight &&
             sizes.columns * sizes.depth * sizes.elementBytes >=
                 kLargeRightBytes));
  }
  /// From these sizes up, the copies that panels take (the operand's pack,
  /// the result's, the padding) are small beside the product: on one core
  /// f32 products of 512 and more measured gained 1.03-1.26x, smaller ones
  /// lost up to 8%; bf16 products accumulating in panels gained 1.03-1.09x
  /// and smaller ones lost 4-5%. With fewer rows (two multiply-adds a row
  /// for each element packed) panels pay only for a large right operand
  /// that is awkward to read in place: transposed, or with aliased rows.
  /// 128 rows of a 1024 x 65536 operand gained 1.55-1.7x (fp32, one and two
  /// threads), 256 of 1024 x 4096 1.28-1.48x, 128 of a transposed 50257 x
  /// 768 1.14x; 128 of 768 x 50257 lost 13-22%, of 768 x 768 15% on two
  /// threads.
  static constexpr int64_t kLargeSize = 512;
  static constexpr int64_t kFewRows = 128;
  static constexpr int64_t kLargeRightBytes = 4 << 20;
  static constexpr int64_t kAliasingStride = 4096;

  /// Whether `product`'s right operand is worth its panels though the
  /// product is not large: its rows are aliased, and it is at least
  /// kAliasedDepth deep and kAliasedRows tall. A tile's kc rows of the
  /// operand, read in place, would fight over a few sets of L1. Measured
  /// on one Zen 5 core (48 KiB 12-way L1), panels of the right operand
  /// alone: 256x256x1024 131 -> 181 GFLOP/s, 1024x256x1024 121 -> 177,
  /// 384x256x2048 133 -> 182, 64x256x1024 137 -> 163, and on two cores
  /// 1.08-1.35x; the transposed forms likewise. Products 128 deep gained on
  /// one core but lost 4-40% on two.
  static bool isAliased(linalg::GenericOp product,
                        const PackedProductOperands &operands) {
    Sizes sizes = sizesOf(product, operands);
    return sizes.aliasedRows() && sizes.depth >= kAliasedDepth &&
           sizes.rows >= kAliasedRows;
  }
  static constexpr int64_t kAliasedDepth = 256;
  static constexpr int64_t kAliasedRows = 64;

  /// Whether `product` is worth its panels: every one whose right operand is
  /// computed from position (a quantized weight, decoded into the panels
  /// rather than into a buffer of its own, in one panel when it is narrower
  /// than a panel), every paired one wider than a panel (its operand is
  /// packed anyway), an f32 one when it is large or aliased.
  bool worthPanels(linalg::GenericOp product,
                   const PackedProductOperands &operands) const {
    if (computedFromPosition(operands.rhs))
      return true;
    auto type = cast<RankedTensorType>(product.getResultTypes()[0]);
    return type.getShape().back() > panel &&
           (operands.pairs || isLarge(product, operands) ||
            isAliased(product, operands));
  }

  /// Whether `op` is in a parallel loop's body (a grouped product's tile
  /// of one expert's rows): its panels would be a buffer that every
  /// iteration shares, which the workspace plan cannot place. Tiles of 64
  /// rows, 512 deep and 1024 wide (aliased rows) were rebuilt in panels, and
  /// the compile failed.
  static bool inParallelLoop(Operation *op) {
    return op->getParentOfType<scf::ForallOp>() ||
           op->getParentOfType<scf::ParallelOp>();
  }

  /// Replaces each view of an operand computed from position (a transpose,
  /// a reshape) by an operand computed from position itself, until none is
  /// left, so that every product reading it decodes it into its own panels
  /// (a transposed or reshaped copy of a decoded weight would live from the
  /// forward product to the backward one). Only views that products (or
  /// views of them) read: the k pairs a paired product's conversion split
  /// its operand into stay, so that the product is still recognized.
  static void computeViewsFromPosition(func::FuncOp func) {
    auto isView = [](Operation *op) {
      return isa<linalg::TransposeOp, tensor::ExpandShapeOp,
                 tensor::CollapseShapeOp>(op);
    };
    for (bool changed = true; changed;) {
      SmallVector<Operation *> views;
      func.walk([&](Operation *op) {
        if (isView(op) && computedFromPosition(op->getOperand(0)) &&
            llvm::all_of(op->getUsers(), [&](Operation *user) {
              auto generic = dyn_cast<linalg::GenericOp>(user);
              return isView(user) || (generic && !inParallelLoop(generic) &&
                                      matchPackableProduct(generic));
            }))
          views.push_back(op);
      });
      changed = !views.empty();
      for (Operation *view : views) {
        OpBuilder builder(view);
        view->getResult(0).replaceAllUsesWith(
            buildViewComputedFromPosition(builder, view));
        eraseWithDeadProducers(view);
      }
    }
  }

  void runOnOperation() override {
    if (panel <= 0)
      return;
    computeViewsFromPosition(getOperation());
    SmallVector<std::pair<linalg::GenericOp, PackedProductOperands>> products;
    getOperation().walk([&](linalg::GenericOp op) {
      std::optional<PackedProductOperands> operands = matchPackableProduct(op);
      if (operands && worthPanels(op, *operands) && !inParallelLoop(op))
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
    // The f32 products left as the conversion built them read a small left
    // operand that the conversion transposed from before the transpose.
    getOperation().walk([&](linalg::GenericOp op) {
      std::optional<PackedProductOperands> operands = matchPackableProduct(op);
      if (operands && !operands->pairs)
        readTransposedLeftInPlace(op);
    });
  }

  /// A left operand of at most this many bytes that the conversion
  /// transposed is read in place.
  static constexpr int64_t kInPlaceLeftBytes = 512 << 10;

  /// Reads `product`'s left operand from before the conversion's transpose
  /// (a linalg.transpose of the last two dimensions that only it uses) when
  /// the operand is at most kInPlaceLeftBytes. A register tile broadcasts
  /// the left operand element by element, so a row of the tile is contiguous
  /// in the transposed layout too, and the copy is saved: Aᵀ·B from 32³ to
  /// 384³ gained 1.03-1.06x on one core, 100³ 1.28x on two. Larger ones
  /// keep the copy, read contiguously: read in place, a left operand of
  /// 768 KiB (256x768x768) lost 5% on two cores, 1024³ 8% and 2048³ 5% on
  /// one.
  static void readTransposedLeftInPlace(linalg::GenericOp product) {
    Value copy = product.getDpsInputs()[0];
    Value source = transposedSource(copy);
    if (!source)
      return;
    auto type = cast<RankedTensorType>(source.getType());
    int64_t rank = type.getRank();
    if (type.getNumElements() *
            llvm::divideCeil(type.getElementTypeBitWidth(), 8) >
        kInPlaceLeftBytes)
      return;
    SmallVector<AffineMap> maps = product.getIndexingMapsArray();
    SmallVector<AffineExpr> results(maps[0].getResults());
    std::swap(results[rank - 2], results[rank - 1]);
    maps[0] =
        AffineMap::get(maps[0].getNumDims(), 0, results, product.getContext());
    OpBuilder builder(product);
    product.setIndexingMapsAttr(builder.getAffineMapArrayAttr(maps));
    product->setOperand(0, source);
    eraseWithDeadProducers(copy.getDefiningOp());
  }
};

} // namespace
