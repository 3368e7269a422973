//===- FlattenEmptyArguments.cpp - empty buffers as memref<0xT> -*- C++ -*-===//

#include "quern/Codegen/CPU/Passes.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"

namespace quern {
#define GEN_PASS_DEF_FLATTENEMPTYARGUMENTSPASS
#include "quern/Codegen/CPU/Passes.h.inc"
} // namespace quern

using namespace mlir;

namespace {

struct FlattenEmptyArgumentsPass
    : quern::impl::FlattenEmptyArgumentsPassBase<FlattenEmptyArgumentsPass> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (func.isExternal())
      return;
    OpBuilder builder = OpBuilder::atBlockBegin(&func.getBody().front());
    SmallVector<Type> argumentTypes(func.getArgumentTypes());
    for (BlockArgument argument : func.getArguments()) {
      auto type = dyn_cast<MemRefType>(argument.getType());
      if (!type || !type.hasStaticShape() || type.getNumElements() != 0 ||
          type.getRank() == 1)
        continue;
      auto flatType = MemRefType::get({0}, type.getElementType());
      SmallVector<int64_t> strides(type.getRank(), 1);
      for (int64_t dim = type.getRank() - 2; dim >= 0; --dim)
        strides[dim] = strides[dim + 1] * type.getDimSize(dim + 1);
      argument.setType(flatType);
      auto view = builder.create<memref::ReinterpretCastOp>(
          func.getLoc(), type, argument, /*offset=*/0, type.getShape(),
          strides);
      argument.replaceAllUsesExcept(view, view);
      argumentTypes[argument.getArgNumber()] = flatType;
    }
    func.setFunctionType(
        builder.getFunctionType(argumentTypes, func.getResultTypes()));
  }
};

} // namespace
