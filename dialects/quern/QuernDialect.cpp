//===- QuernDialect.cpp - The quern dialect ---------------------*- C++ -*-===//

#include "dialects/quern/QuernDialect.h"
#include "dialects/quern/QuernOps.h"

using namespace mlir;
using namespace quern;

#include "dialects/quern/QuernDialect.cpp.inc"

void QuernDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "dialects/quern/QuernOps.cpp.inc"
      >();
}

Operation *QuernDialect::materializeConstant(OpBuilder &builder,
                                             Attribute value, Type type,
                                             Location loc) {
  auto elements = dyn_cast<ElementsAttr>(value);
  if (!elements || elements.getType() != type)
    return nullptr;
  return builder.create<ConstantOp>(loc, elements);
}
