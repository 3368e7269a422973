//===- OutlineKernels.cpp - one function per linalg op ----------*- C++ -*-===//
//
// A training step is hundreds of linalg ops. Tiled, peeled and vectorized in
// one function, they made a function so large that LLVM's optimizer and the
// OpenMP translation (which outlines each parallel region by scanning the
// whole function) took minutes. Outlined, each op is a small function of its
// own: compile time grows linearly with the model, and a profile names the
// op that the time is spent in; kernels with equal bodies (a model's layers)
// are then merged into one. Two exceptions: a fill that initializes
// the next op's accumulator goes into that op's kernel, and so does a pack
// that lays out the next product's right operand (packedProduct), which
// tiling then does panel by panel inside the product's tile loops.
//
//===----------------------------------------------------------------------===//

#include "Strategy.h"
#include "Views.h"

#include "quern/Codegen/CPU/Passes.h"
#include "quern/Conversion/PackedProduct.h"

#include "dialects/quern/QuernOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Transforms/RegionUtils.h"
#include "llvm/ADT/SetVector.h"

namespace quern {
#define GEN_PASS_DEF_OUTLINEKERNELSPASS
#include "quern/Codegen/CPU/Passes.h.inc"
} // namespace quern

using namespace mlir;

namespace {

/// A buffer the bare-pointer calling convention can pass: static shape,
/// static strides and offset (the callee rebuilds the descriptor from its
/// type), and at least one element.
bool isPassableBuffer(Type type) {
  auto memref = dyn_cast<MemRefType>(type);
  if (!memref)
    return type.isIntOrIndexOrFloat();
  SmallVector<int64_t> strides;
  int64_t offset;
  return memref.hasStaticShape() && memref.getNumElements() > 0 &&
         succeeded(getStridesAndOffset(memref, strides, offset)) &&
         !ShapedType::isDynamic(offset) &&
         llvm::none_of(strides, ShapedType::isDynamic);
}

/// What the kernel is named after: its strategy's kind, else the op.
StringRef kernelKind(linalg::LinalgOp op) {
  if (auto strategy =
          op->getAttrOfType<DictionaryAttr>(quern::kStrategyAttrName))
    if (auto kind = strategy.getAs<StringAttr>("kind"))
      return kind.getValue();
  return op->getName().stripDialect();
}

/// The kKernelAttrName dictionary of a kernel holding `ops`, the last the
/// one it is named after.
DictionaryAttr describeKernel(ArrayRef<linalg::LinalgOp> ops) {
  linalg::LinalgOp last = ops.back();
  Builder b(last->getContext());
  int64_t flops = 0, bytes = 0;
  for (linalg::LinalgOp op : ops) {
    auto cost = cast<quern::CostOpInterface>(op.getOperation());
    flops += cost.getFlops();
    bytes += cost.getBytesRead() + cost.getBytesWritten();
  }
  SmallVector<NamedAttribute> entries = {
      b.getNamedAttr("kind", b.getStringAttr(kernelKind(last))),
      b.getNamedAttr("loops",
                     b.getDenseI64ArrayAttr(last.getStaticLoopRanges())),
      b.getNamedAttr("flops", b.getI64IntegerAttr(flops)),
      b.getNamedAttr("bytes", b.getI64IntegerAttr(bytes))};
  if (Attribute strategy = last->getAttr(quern::kStrategyAttrName))
    entries.push_back(b.getNamedAttr("strategy", strategy));
  return b.getDictionaryAttr(entries);
}

/// Moves `ops` (linalg ops of one block, in order) into a new private
/// function after `after`, named after the last, and calls it where the last
/// was. Constants they use are cloned into the function; so are views at
/// offsets known only at run time (a grouped product's tile of rows, its
/// expert's weights), whose buffer and offsets are passed instead; every
/// other value they use becomes an argument. Returns the call, or null,
/// leaving the ops alone, when some value cannot be passed.
func::CallOp outline(ArrayRef<linalg::LinalgOp> ops, func::FuncOp parent,
                     Operation *&after, SymbolTable &symbols, unsigned index) {
  llvm::SetVector<Value> used;
  for (linalg::LinalgOp op : ops) {
    used.insert(op->getOperands().begin(), op->getOperands().end());
    getUsedValuesDefinedAbove(op->getRegions(), used);
  }
  SmallVector<Value> arguments;
  // Cloned in this order: constants, then views (whose offsets may be
  // constants too).
  SmallVector<Operation *> constants, views;
  for (size_t i = 0; i < used.size(); ++i) {
    Value value = used[i];
    auto view = value.getDefiningOp<memref::SubViewOp>();
    if (matchPattern(value, m_Constant())) {
      constants.push_back(value.getDefiningOp());
    } else if (isPassableBuffer(value.getType())) {
      arguments.push_back(value);
    } else if (view && view.getType().hasStaticShape() &&
               isPassableBuffer(view.getSource().getType())) {
      views.insert(views.begin(), view);
      used.insert(view->getOperands().begin(), view->getOperands().end());
    } else {
      return {};
    }
  }

  linalg::LinalgOp last = ops.back();
  OpBuilder builder(after);
  builder.setInsertionPointAfter(after);
  Location loc = last.getLoc();
  std::string name =
      (parent.getSymName() + "_" + kernelKind(last) + "_" + Twine(index)).str();
  std::replace(name.begin(), name.end(), '.', '_');
  auto kernel = builder.create<func::FuncOp>(
      loc, name, builder.getFunctionType(ValueRange(arguments).getTypes(), {}));
  kernel.setPrivate();
  // Internal to the library, and kept out of line: inlined back, the ops
  // would make the one huge function this pass exists to avoid.
  kernel->setAttr(
      "llvm.linkage",
      LLVM::LinkageAttr::get(builder.getContext(), LLVM::Linkage::Internal));
  kernel->setAttr("no_inline", builder.getUnitAttr());
  kernel->setAttr(quern::kKernelAttrName, describeKernel(ops));
  symbols.insert(kernel);
  after = kernel;

  IRMapping mapping;
  Block *body = kernel.addEntryBlock();
  mapping.map(arguments, body->getArguments());
  OpBuilder inside = OpBuilder::atBlockBegin(body);
  for (Operation *constant : constants)
    inside.clone(*constant, mapping);
  for (Operation *view : views)
    inside.clone(*view, mapping);
  for (linalg::LinalgOp op : ops)
    inside.clone(*op, mapping);
  inside.create<func::ReturnOp>(loc);

  builder.setInsertionPoint(last);
  auto call = builder.create<func::CallOp>(loc, kernel, arguments);
  for (linalg::LinalgOp op : ops)
    op->erase();
  for (Operation *view : llvm::reverse(views))
    if (view->use_empty())
      view->erase();
  return call;
}

/// Kernels whose bodies are the same ops on arguments of the same types
/// (the layers of a model have the same shapes) become one: the call of
/// each later copy (`calls`, one per kernel) calls the first, and the copy
/// goes. Each kernel is then tiled, vectorized and compiled by LLVM once,
/// however many layers use it.
void mergeEqualKernels(ArrayRef<func::CallOp> calls, SymbolTable &symbols) {
  // Candidates by type; equal bodies within them, ignoring locations.
  llvm::DenseMap<Type, SmallVector<func::FuncOp>> byType;
  for (func::CallOp call : calls) {
    auto kernel = symbols.lookup<func::FuncOp>(call.getCallee());
    SmallVector<func::FuncOp> &firsts = byType[kernel.getFunctionType()];
    auto equal = llvm::find_if(firsts, [&](func::FuncOp first) {
      return OperationEquivalence::isRegionEquivalentTo(
          &first.getBody(), &kernel.getBody(),
          OperationEquivalence::IgnoreLocations);
    });
    if (equal == firsts.end()) {
      firsts.push_back(kernel);
      continue;
    }
    call.setCallee(equal->getSymName());
    symbols.erase(kernel);
  }
}

struct OutlineKernelsPass
    : quern::impl::OutlineKernelsPassBase<OutlineKernelsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SymbolTable symbols(module);
    SmallVector<func::FuncOp> functions;
    for (auto function : module.getOps<func::FuncOp>())
      if (!function.isExternal())
        functions.push_back(function);
    SmallVector<func::CallOp> calls;
    for (func::FuncOp function : functions) {
      SmallVector<linalg::LinalgOp> ops;
      function.walk([&](linalg::LinalgOp op) {
        if (op.hasPureBufferSemantics() &&
            !op->getParentOfType<linalg::LinalgOp>())
          ops.push_back(op);
      });
      unsigned index = 0;
      Operation *after = function;
      for (size_t i = 0; i < ops.size(); ++i) {
        // A fill goes with the op whose accumulator it initializes, a pack
        // with its product (and the product's fill between them): the next
        // linalg ops of the block.
        linalg::LinalgOp last = quern::plannedProduct(ops[i]);
        if (auto fill = dyn_cast<linalg::FillOp>(ops[i].getOperation()))
          last = quern::filledAccumulator(fill);
        SmallVector<linalg::LinalgOp, 3> kernelOps = {ops[i]};
        while (last && kernelOps.back() != last && i + 1 < ops.size())
          kernelOps.push_back(ops[++i]);
        if (func::CallOp call =
                outline(kernelOps, function, after, symbols, index)) {
          calls.push_back(call);
          ++index;
        }
      }
    }
    mergeEqualKernels(calls, symbols);
  }
};

} // namespace

/// The next linalg op after `op` in its block, when only ops free of memory
/// effects and allocations come between them.
static linalg::LinalgOp nextLinalgOp(Operation *op) {
  for (Operation *next = op->getNextNode(); next; next = next->getNextNode()) {
    if (auto linalgOp = dyn_cast<linalg::LinalgOp>(next))
      return linalgOp;
    if (!isMemoryEffectFree(next) && !isa<memref::AllocOp>(next))
      return {};
  }
  return {};
}

linalg::LinalgOp quern::filledAccumulator(linalg::FillOp fill) {
  if (!fill.hasPureBufferSemantics() ||
      !matchPattern(fill.getInputs()[0], m_Constant()))
    return {};
  Value buffer = fill.getOutputs()[0];
  linalg::LinalgOp op = nextLinalgOp(fill);
  if (!op || op.getNumDpsInits() != 1 || op.getDpsInits()[0] != buffer ||
      op.getNumReductionLoops() == 0 ||
      llvm::is_contained(op.getDpsInputs(), buffer))
    return {};
  return op;
}

bool quern::roundsOnly(Operation *op, bool permuted) {
  auto generic = dyn_cast_or_null<linalg::GenericOp>(op);
  if (!generic || generic.getNumDpsInputs() != 1 ||
      generic.getNumDpsInits() != 1 ||
      generic.getNumParallelLoops() != generic.getNumLoops() ||
      !llvm::all_of(generic.getIndexingMapsArray(), [&](AffineMap map) {
        return permuted ? map.isPermutation() : map.isIdentity();
      }))
    return false;
  Block &body = generic.getRegion().front();
  Operation *yield = body.getTerminator();
  if (&body.front() == yield)
    return yield->getOperands() == body.getArguments().take_front();
  auto round = dyn_cast<arith::TruncFOp>(&body.front());
  return round && round.getIn() == body.getArgument(0) &&
         round->getNextNode() == yield &&
         yield->getOperands() == round->getResults();
}

/// Whether `op` computes its f32 or bf16 buffer from position
/// (computesFromPosition), its body reading memory only by memref.load (a
/// quantized weight decoded into panels: its codes and scales loaded where
/// the panel's indices say).
static bool decodesFromPosition(linalg::LinalgOp op) {
  auto generic = dyn_cast<linalg::GenericOp>(op.getOperation());
  if (!generic || !generic.hasPureBufferSemantics() ||
      !quern::computesFromPosition(generic) ||
      !isa<Float32Type, BFloat16Type>(
          getElementTypeOrSelf(generic.getDpsInits()[0].getType())))
    return false;
  return llvm::all_of(
      generic.getBody()->without_terminator(), [](Operation &op) {
        return isa<memref::LoadOp>(op) || isMemoryEffectFree(&op);
      });
}

/// Whether `op` is a pack: it rounds its one f32 buffer to bf16, or copies
/// a bf16 or an f32 one, through permutation maps; or it computes its
/// buffer from position.
static bool isPack(linalg::LinalgOp op) {
  if (decodesFromPosition(op))
    return true;
  if (!quern::roundsOnly(op, /*permuted=*/true) || !op.hasPureBufferSemantics())
    return false;
  Type from = getElementTypeOrSelf(op.getDpsInputs()[0].getType()),
       to = getElementTypeOrSelf(op.getDpsInits()[0].getType());
  return to.isBF16() ? isa<Float32Type, BFloat16Type>(from)
                     : to.isF32() && from.isF32();
}

/// The buffers a pack reads: its input, or those its body loads from.
static SmallVector<Value> packSources(linalg::LinalgOp pack) {
  SmallVector<Value> sources(pack.getDpsInputs());
  pack->walk([&](memref::LoadOp load) { sources.push_back(load.getMemRef()); });
  return sources;
}

/// The next linalg op after `pack` (after its accumulator's fill, if that
/// comes first), when it is a contraction on buffers.
static linalg::LinalgOp nextProduct(linalg::LinalgOp pack) {
  linalg::LinalgOp op = nextLinalgOp(pack);
  if (auto fill = dyn_cast_if_present<linalg::FillOp>(op.getOperation()))
    op = quern::filledAccumulator(fill);
  return op && op.hasPureBufferSemantics() &&
                 linalg::isaContractionOpInterface(op)
             ? op
             : linalg::LinalgOp();
}

linalg::LinalgOp quern::packedProduct(linalg::LinalgOp pack) {
  linalg::LinalgOp product = isPack(pack) ? nextProduct(pack) : nullptr;
  if (!product)
    return {};
  FailureOr<linalg::ContractionDimensions> dims =
      linalg::inferContractionDims(product);
  // The product reads the packed buffer as one operand, and no other
  // operand of it is (a view of) the buffer or what the pack reads.
  Value packed = pack.getDpsInits()[0];
  auto aliases = [&](Value buffer) {
    return llvm::make_filter_range(
        product->getOpOperands(), [&](OpOperand &operand) {
          return viewedBuffer(operand.get()) == buffer;
        });
  };
  auto reads = aliases(packed);
  if (failed(dims) || !llvm::hasSingleElement(reads) ||
      reads.begin()->get() != packed || !product.isDpsInput(&*reads.begin()) ||
      viewedBuffer(packed) != packed ||
      llvm::any_of(packSources(pack), [&](Value source) {
        return !aliases(viewedBuffer(source)).empty();
      }))
    return {};
  AffineMap map = product.getMatchingIndexingMap(&*reads.begin());
  if (llvm::any_of(dims->m, [&](unsigned m) { return map.isFunctionOfDim(m); }))
    return {};
  // Between the two, nothing uses the buffer, and nothing anywhere makes
  // an alias of it that is not a view (whose users the walk visits). Later
  // readers read what they did before: when the product ends, its tiles
  // have packed every panel.
  Block *block = pack->getBlock();
  bool alone =
      forEachUserThroughViews(packed, [&](Operation *user, bool isView) {
        if (isView || user == pack || user == product)
          return true;
        Operation *op = block->findAncestorOpInBlock(*user);
        return op &&
               !(pack->isBeforeInBlock(op) && op->isBeforeInBlock(product)) &&
               llvm::none_of(user->getResultTypes(), llvm::IsaPred<MemRefType>);
      });
  return alone ? product : linalg::LinalgOp();
}

linalg::LinalgOp quern::plannedProduct(linalg::LinalgOp pack) {
  return pack->hasAttr(quern::kPanelPackAttrName) && isPack(pack)
             ? nextProduct(pack)
             : linalg::LinalgOp();
}
