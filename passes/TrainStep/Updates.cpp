//===- Updates.cpp - building blocks of @train_step -------------*- C++ -*-===//

#include "passes/TrainStep/TrainStep.h"

#include "dialects/quern/QuernOps.h"
#include "passes/Passes.h"

using namespace mlir;
using namespace quern;

BlockArgument quern::appendStateArgument(OpBuilder &builder, func::FuncOp func,
                                         Type type, StringRef name,
                                         StringRef role) {
  unsigned index = func.getNumArguments();
  func.insertArgument(index, type, {}, func.getLoc());
  setState(func, index, name, role);
  return func.getArgument(index);
}

BlockArgument quern::appendStepCounter(OpBuilder &builder, func::FuncOp func) {
  return appendStateArgument(builder, func,
                             RankedTensorType::get({}, builder.getI64Type()),
                             "step", "optimizer");
}

StateUpdate quern::incrementStepCounter(OpBuilder &builder, Location loc,
                                        BlockArgument counter) {
  auto type = cast<RankedTensorType>(counter.getType());
  Value one = builder.create<ConstantOp>(loc, type, 1);
  return {builder.create<AddOp>(loc, counter, one), counter.getArgNumber()};
}

void quern::returnWithUpdates(OpBuilder &builder, func::FuncOp func,
                              ArrayRef<Value> results,
                              ArrayRef<DictionaryAttr> resultAttrs,
                              ArrayRef<StateUpdate> updates) {
  Block &body = func.getBody().front();
  if (!body.empty() && body.back().hasTrait<OpTrait::IsTerminator>())
    body.back().erase();
  SmallVector<Value> values(results);
  SmallVector<DictionaryAttr> attrs(resultAttrs);
  for (const StateUpdate &update : updates) {
    values.push_back(update.value);
    attrs.push_back(builder.getDictionaryAttr(builder.getNamedAttr(
        kUpdatesAttrName, builder.getI64IntegerAttr(update.argument))));
    func.setArgAttr(update.argument, "bufferization.writable",
                    builder.getBoolAttr(true));
  }
  OpBuilder::InsertionGuard guard(builder);
  builder.setInsertionPointToEnd(&body);
  builder.create<func::ReturnOp>(func.getLoc(), values);
  func.setFunctionType(builder.getFunctionType(body.getArgumentTypes(),
                                               ValueRange(values).getTypes()));
  func.setAllResultAttrs(attrs);
}
