//===- OutlineKernels.cpp - one function per linalg op ----------*- C++ -*-===//
//
// A training step is hundreds of linalg ops. Tiled, peeled and vectorized in
// one function, they made a function so large that LLVM's optimizer and the
// OpenMP translation (which outlines each parallel region by scanning the
// whole function) took minutes. Outlined, each op is a small function of its
// own: compile time grows linearly with the model, and a profile names the
// op that the time is spent in. The one exception: a fill that initializes
// the next op's accumulator goes into that op's kernel.
//
//===----------------------------------------------------------------------===//

#include "Strategy.h"

#include "quern/Codegen/CPU/Passes.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
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

/// Moves `ops` (linalg ops of one block, in order) into a new private
/// function after `after`, named after the last, and calls it where the last
/// was. Constants they use are cloned into the function; every other value
/// they use becomes an argument. Returns false, leaving the ops alone, when
/// some value cannot be passed.
bool outline(ArrayRef<linalg::LinalgOp> ops, func::FuncOp parent,
             Operation *&after, SymbolTable &symbols, unsigned index) {
  llvm::SetVector<Value> used;
  for (linalg::LinalgOp op : ops) {
    used.insert(op->getOperands().begin(), op->getOperands().end());
    getUsedValuesDefinedAbove(op->getRegions(), used);
  }
  SmallVector<Value> arguments;
  SmallVector<Operation *> constants;
  for (Value value : used) {
    if (matchPattern(value, m_Constant()))
      constants.push_back(value.getDefiningOp());
    else if (isPassableBuffer(value.getType()))
      arguments.push_back(value);
    else
      return false;
  }

  linalg::LinalgOp last = ops.back();
  OpBuilder builder(after);
  builder.setInsertionPointAfter(after);
  Location loc = last.getLoc();
  std::string name =
      (parent.getSymName() + "_" + kernelKind(last) + "_" + Twine(index)).str();
  std::replace(name.begin(), name.end(), '.', '_');
  auto kernel = builder.create<func::FuncOp>(
      loc, name,
      builder.getFunctionType(ValueRange(arguments).getTypes(), {}));
  kernel.setPrivate();
  // Internal to the library, and kept out of line: inlined back, the ops
  // would make the one huge function this pass exists to avoid.
  kernel->setAttr("llvm.linkage",
                  LLVM::LinkageAttr::get(builder.getContext(),
                                         LLVM::Linkage::Internal));
  kernel->setAttr("no_inline", builder.getUnitAttr());
  symbols.insert(kernel);
  after = kernel;

  IRMapping mapping;
  Block *body = kernel.addEntryBlock();
  mapping.map(arguments, body->getArguments());
  OpBuilder inside = OpBuilder::atBlockBegin(body);
  for (Operation *constant : constants)
    inside.clone(*constant, mapping);
  for (linalg::LinalgOp op : ops)
    inside.clone(*op, mapping);
  inside.create<func::ReturnOp>(loc);

  builder.setInsertionPoint(last);
  builder.create<func::CallOp>(loc, kernel, arguments);
  for (linalg::LinalgOp op : ops)
    op->erase();
  return true;
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
        SmallVector<linalg::LinalgOp, 2> kernelOps = {ops[i]};
        if (auto fill = dyn_cast<linalg::FillOp>(ops[i].getOperation());
            fill && i + 1 < ops.size() &&
            quern::filledAccumulator(fill) == ops[i + 1])
          kernelOps.push_back(ops[++i]);
        if (outline(kernelOps, function, after, symbols, index))
          ++index;
      }
    }
  }
};

} // namespace

linalg::LinalgOp quern::filledAccumulator(linalg::FillOp fill) {
  if (!fill.hasPureBufferSemantics() ||
      !matchPattern(fill.getInputs()[0], m_Constant()))
    return {};
  Value buffer = fill.getOutputs()[0];
  for (Operation *next = fill->getNextNode(); next; next = next->getNextNode()) {
    auto op = dyn_cast<linalg::LinalgOp>(next);
    if (!op) {
      if (!isMemoryEffectFree(next))
        return {};
      continue;
    }
    if (op.getNumDpsInits() != 1 || op.getDpsInits()[0] != buffer ||
        op.getNumReductionLoops() == 0 ||
        llvm::is_contained(op.getDpsInputs(), buffer))
      return {};
    return op;
  }
  return {};
}
