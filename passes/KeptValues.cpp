//===- KeptValues.cpp - what a training step keeps for its backward -*- C++
//-*-//

#include "passes/KeptValues.h"

#include "dialects/quern/QuernAttributes.h"
#include "dialects/quern/QuernCost.h"

using namespace mlir;
using namespace quern;

ArrayAttr quern::describeByNode(MLIRContext *context,
                                ArrayRef<NodeRecord> records) {
  struct Named {
    const NodeRecord *record;
    OnnxNodeLocation node;
  };
  SmallVector<Named> named;
  for (const NodeRecord &record : records)
    named.push_back({&record, describeLocation(record.loc)});
  llvm::stable_sort(named, [](const Named &a, const Named &b) {
    return std::tie(b.record->bytes, a.node.name) <
           std::tie(a.record->bytes, b.node.name);
  });
  Builder b(context);
  SmallVector<Attribute> values;
  for (const Named &value : named) {
    SmallVector<NamedAttribute> fields = {
        b.getNamedAttr("bytes", b.getI64IntegerAttr(value.record->bytes)),
        b.getNamedAttr("name", b.getStringAttr(value.node.name)),
        b.getNamedAttr("op", b.getStringAttr(value.node.opType))};
    if (value.record->flops)
      fields.push_back(
          b.getNamedAttr("flops", b.getI64IntegerAttr(*value.record->flops)));
    values.push_back(b.getDictionaryAttr(fields));
  }
  return b.getArrayAttr(values);
}

void quern::recordKeptValues(func::FuncOp step, Operation *marker) {
  Block &body = *marker->getBlock();
  SmallVector<NodeRecord> kept;
  for (Operation &op : llvm::make_range(body.begin(), marker->getIterator()))
    for (Value result : op.getResults())
      if (llvm::any_of(result.getUsers(), [&](Operation *user) {
            Operation *ancestor = body.findAncestorOpInBlock(*user);
            return ancestor && !ancestor->isBeforeInBlock(marker) &&
                   ancestor != body.getTerminator();
          }))
        kept.push_back({tensorBytes(result.getType()), op.getLoc()});
  step->setAttr(kKeptForBackwardAttrName,
                describeByNode(step.getContext(), kept));
}
