//===- QuernAttributes.cpp - the quern.* attributes -------------*- C++ -*-===//

#include "dialects/quern/QuernAttributes.h"

#include "dialects/quern/QuernDialect.h"
#include "dialects/quern/QuernOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace quern;

static void describeInto(Location loc, OnnxNodeLocation &out) {
  llvm::TypeSwitch<Location>(loc)
      .Case([&](FusedLoc fused) {
        if (auto opType = dyn_cast_if_present<StringAttr>(fused.getMetadata()))
          out.opType = opType.str();
        for (Location inner : fused.getLocations())
          describeInto(inner, out);
      })
      .Case([&](NameLoc name) {
        if (out.name.empty())
          out.name = name.getName().str();
        describeInto(name.getChildLoc(), out);
      })
      .Case([&](FileLineColLoc file) {
        if (out.file.empty())
          out.file = file.getFilename().str();
      })
      .Case([&](CallSiteLoc call) { describeInto(call.getCallee(), out); });
}

OnnxNodeLocation quern::describeLocation(Location loc) {
  OnnxNodeLocation described;
  describeInto(loc, described);
  return described;
}

std::optional<ParamInfo> quern::getParam(FunctionOpInterface func,
                                         unsigned index) {
  auto param = func.getArgAttrOfType<DictionaryAttr>(index, kParamAttrName);
  if (!param)
    return std::nullopt;
  return ParamInfo{param.getAs<StringAttr>("name").getValue(),
                   param.getAs<BoolAttr>("trainable").getValue()};
}

void quern::setParam(FunctionOpInterface func, unsigned index, StringRef name,
                     bool trainable) {
  Builder b(func.getContext());
  func.setArgAttr(index, kParamAttrName,
                  b.getDictionaryAttr(
                      {b.getNamedAttr("name", b.getStringAttr(name)),
                       b.getNamedAttr("trainable", b.getBoolAttr(trainable))}));
}

std::optional<StateInfo> quern::getState(FunctionOpInterface func,
                                         unsigned index) {
  auto state = func.getArgAttrOfType<DictionaryAttr>(index, kStateAttrName);
  if (!state)
    return std::nullopt;
  return StateInfo{state.getAs<StringAttr>("name").getValue(),
                   state.getAs<StringAttr>("role").getValue()};
}

void quern::setState(FunctionOpInterface func, unsigned index, StringRef name,
                     StringRef role) {
  Builder b(func.getContext());
  func.setArgAttr(
      index, kStateAttrName,
      b.getDictionaryAttr({b.getNamedAttr("name", b.getStringAttr(name)),
                           b.getNamedAttr("role", b.getStringAttr(role))}));
}

std::optional<QuantizedInfo> quern::getQuantized(FunctionOpInterface func,
                                                 unsigned index) {
  auto info = func.getArgAttrOfType<DictionaryAttr>(index, kQuantizedAttrName);
  if (!info)
    return std::nullopt;
  return QuantizedInfo{info.getAs<StringAttr>("of").getValue(),
                       info.getAs<StringAttr>("part").getValue(),
                       info.getAs<StringAttr>("scheme").getValue(),
                       info.getAs<IntegerAttr>("block").getInt(),
                       info.getAs<BoolAttr>("double_quant").getValue(),
                       info.getAs<DenseI64ArrayAttr>("shape").asArrayRef()};
}

void quern::setQuantized(FunctionOpInterface func, unsigned index,
                         const QuantizedInfo &info) {
  Builder b(func.getContext());
  func.setArgAttr(
      index, kQuantizedAttrName,
      b.getDictionaryAttr(
          {b.getNamedAttr("of", b.getStringAttr(info.of)),
           b.getNamedAttr("part", b.getStringAttr(info.part)),
           b.getNamedAttr("scheme", b.getStringAttr(info.scheme)),
           b.getNamedAttr("block", b.getI64IntegerAttr(info.block)),
           b.getNamedAttr("double_quant", b.getBoolAttr(info.doubleQuant)),
           b.getNamedAttr("shape", b.getDenseI64ArrayAttr(info.shape))}));
}

std::optional<ShardInfo> quern::getShard(FunctionOpInterface func,
                                         unsigned index) {
  auto info = func.getArgAttrOfType<DictionaryAttr>(index, kShardAttrName);
  if (!info)
    return std::nullopt;
  return ShardInfo{info.getAs<IntegerAttr>("processes").getInt(),
                   info.getAs<DenseI64ArrayAttr>("shape").asArrayRef()};
}

void quern::setShard(FunctionOpInterface func, unsigned index,
                     const ShardInfo &info) {
  Builder b(func.getContext());
  func.setArgAttr(
      index, kShardAttrName,
      b.getDictionaryAttr(
          {b.getNamedAttr("processes", b.getI64IntegerAttr(info.processes)),
           b.getNamedAttr("shape", b.getDenseI64ArrayAttr(info.shape))}));
}

std::optional<double> quern::getUniformInitial(FunctionOpInterface func,
                                               unsigned index) {
  auto initial = func.getArgAttrOfType<DictionaryAttr>(index, kInitialAttrName);
  if (!initial)
    return std::nullopt;
  return initial.getAs<FloatAttr>("uniform_bound").getValueAsDouble();
}

void quern::setUniformInitial(FunctionOpInterface func, unsigned index,
                              double bound) {
  Builder b(func.getContext());
  func.setArgAttr(index, kInitialAttrName,
                  b.getDictionaryAttr({b.getNamedAttr(
                      "uniform_bound", b.getF64FloatAttr(bound))}));
}

std::optional<unsigned> quern::getUpdatedArgument(FunctionOpInterface func,
                                                  unsigned index) {
  if (auto target =
          func.getResultAttrOfType<IntegerAttr>(index, kUpdatesAttrName))
    return target.getInt();
  return std::nullopt;
}

//===----------------------------------------------------------------------===//
// Verification
//===----------------------------------------------------------------------===//

/// A field of a record attribute: its name and whether it is a bool (else a
/// non-empty string).
struct Field {
  StringRef name;
  bool isBool;
};

/// Checks that `attr` is a dictionary of exactly `fields`.
static LogicalResult verifyRecord(function_ref<InFlightDiagnostic()> error,
                                  NamedAttribute attr, ArrayRef<Field> fields) {
  auto dict = dyn_cast<DictionaryAttr>(attr.getValue());
  bool ok = dict && dict.size() == fields.size() &&
            llvm::all_of(fields, [&](const Field &field) {
              Attribute value = dict.get(field.name);
              if (field.isBool)
                return isa_and_present<BoolAttr>(value);
              auto text = dyn_cast_if_present<StringAttr>(value);
              return text && !text.empty();
            });
  if (ok)
    return success();
  InFlightDiagnostic diagnostic = error();
  diagnostic << "'" << attr.getName().getValue() << "' must be {";
  llvm::interleaveComma(fields, diagnostic, [&](const Field &field) {
    diagnostic << field.name << " = "
               << (field.isBool ? "<bool>" : "<non-empty string>");
  });
  return diagnostic << "}";
}

static LogicalResult verifyName(function_ref<InFlightDiagnostic()> error,
                                NamedAttribute attr) {
  auto name = dyn_cast<StringAttr>(attr.getValue());
  if (!name || name.empty())
    return error() << "'" << kNameAttrName << "' must be a non-empty string";
  return success();
}

static LogicalResult verifyQuantized(function_ref<InFlightDiagnostic()> error,
                                     NamedAttribute attr) {
  auto dict = dyn_cast<DictionaryAttr>(attr.getValue());
  auto text = [&](StringRef key) {
    auto value = dict.getAs<StringAttr>(key);
    return value && !value.empty();
  };
  auto block = dict ? dict.getAs<IntegerAttr>("block") : IntegerAttr();
  auto shape =
      dict ? dict.getAs<DenseI64ArrayAttr>("shape") : DenseI64ArrayAttr();
  // The parts and schemes quern-quantize writes.
  auto part = dict ? dict.getAs<StringAttr>("part") : StringAttr();
  auto schemeName = dict ? dict.getAs<StringAttr>("scheme") : StringAttr();
  std::optional<QuantScheme> scheme =
      schemeName ? symbolizeQuantScheme(schemeName) : std::nullopt;
  if (dict && dict.size() == 6 && text("of") && part &&
      llvm::is_contained(kQuantPartNames, part.getValue()) &&
      (scheme == QuantScheme::nf4 || scheme == QuantScheme::int4 ||
       scheme == QuantScheme::int8) &&
      block && block.getInt() > 0 && dict.getAs<BoolAttr>("double_quant") &&
      shape &&
      llvm::all_of(shape.asArrayRef(), [](int64_t size) { return size > 0; }))
    return success();
  return error() << "'" << kQuantizedAttrName
                 << "' must be {of = <non-empty string>, part = \"codes\" | "
                    "\"scales\" | \"scale_codes\" | \"scale_scales\" | "
                    "\"scale_offset\", scheme = \"nf4\" | \"int4\" | "
                    "\"int8\", block = <positive integer>, double_quant = "
                    "<bool>, shape = <array of positive i64>}";
}

LogicalResult QuernDialect::verifyRegionArgAttribute(Operation *op,
                                                     unsigned regionIndex,
                                                     unsigned argIndex,
                                                     NamedAttribute attr) {
  auto error = [&] {
    return op->emitOpError() << "argument " << argIndex << ": ";
  };
  StringRef name = attr.getName().getValue();
  if (name == kParamAttrName)
    return verifyRecord(error, attr, {{"name", false}, {"trainable", true}});
  if (name == kStateAttrName)
    return verifyRecord(error, attr, {{"name", false}, {"role", false}});
  if (name == kNameAttrName)
    return verifyName(error, attr);
  if (name == kQuantizedAttrName)
    return verifyQuantized(error, attr);
  if (name == kInitialAttrName) {
    auto dict = dyn_cast<DictionaryAttr>(attr.getValue());
    auto bound = dict ? dict.getAs<FloatAttr>("uniform_bound") : FloatAttr();
    if (!bound || dict.size() != 1 || !(bound.getValueAsDouble() > 0))
      return error() << "'" << name
                     << "' must be {uniform_bound = <positive float>}";
    return success();
  }
  if (name == kShardAttrName) {
    auto dict = dyn_cast<DictionaryAttr>(attr.getValue());
    auto processes =
        dict ? dict.getAs<IntegerAttr>("processes") : IntegerAttr();
    auto shape =
        dict ? dict.getAs<DenseI64ArrayAttr>("shape") : DenseI64ArrayAttr();
    if (!processes || !shape || dict.size() != 2 || processes.getInt() < 2 ||
        llvm::any_of(shape.asArrayRef(), [](int64_t size) { return size < 1; }))
      return error() << "'" << name
                     << "' must be {processes = <integer >= 2>, shape = "
                        "<array of positive i64>}";
    return success();
  }
  if (name == kWorkspaceAttrName) {
    if (!isa<UnitAttr>(attr.getValue()))
      return error() << "'" << name << "' must be a unit attribute";
    return success();
  }
  return error() << "'" << name << "' is not an argument attribute of quern";
}

LogicalResult QuernDialect::verifyRegionResultAttribute(Operation *op,
                                                        unsigned regionIndex,
                                                        unsigned resultIndex,
                                                        NamedAttribute attr) {
  auto error = [&] {
    return op->emitOpError() << "result " << resultIndex << ": ";
  };
  StringRef name = attr.getName().getValue();
  if (name == kNameAttrName)
    return verifyName(error, attr);
  if (name == kUpdatesAttrName) {
    auto target = dyn_cast<IntegerAttr>(attr.getValue());
    auto func = dyn_cast<FunctionOpInterface>(op);
    if (!target || !func || target.getInt() < 0 ||
        target.getInt() >= static_cast<int64_t>(func.getNumArguments()))
      return error() << "'" << name
                     << "' must be the index of an argument of the function";
    if (func.getArgumentTypes()[target.getInt()] !=
        func.getResultTypes()[resultIndex])
      return error() << "'" << name << "' names argument " << target.getInt()
                     << " of type " << func.getArgumentTypes()[target.getInt()]
                     << ", not the result's type "
                     << func.getResultTypes()[resultIndex];
    return success();
  }
  return error() << "'" << name << "' is not a result attribute of quern";
}

LogicalResult QuernDialect::verifyOperationAttribute(Operation *op,
                                                     NamedAttribute attr) {
  StringRef name = attr.getName().getValue();
  Attribute value = attr.getValue();
  auto error = [&] { return op->emitOpError() << "'" << name << "' "; };
  if (name == kStrategyAttrName || name == kKernelAttrName)
    return isa<DictionaryAttr>(value)
               ? success()
               : LogicalResult(error() << "must be a dictionary");
  // {bytes, name, op, <extra integers>}, and an array of them.
  auto isNode = [](Attribute entry, ArrayRef<StringRef> extra) {
    auto dict = dyn_cast_or_null<DictionaryAttr>(entry);
    return dict && dict.getAs<IntegerAttr>("bytes") &&
           dict.getAs<StringAttr>("name") && dict.getAs<StringAttr>("op") &&
           llvm::all_of(extra, [&](StringRef key) {
             return static_cast<bool>(dict.getAs<IntegerAttr>(key));
           });
  };
  auto isNodeArray = [&](Attribute value, ArrayRef<StringRef> extra) {
    auto values = dyn_cast_or_null<ArrayAttr>(value);
    return values && llvm::all_of(values, [&](Attribute entry) {
             return isNode(entry, extra);
           });
  };
  if (name == kKeptForBackwardAttrName)
    return isNodeArray(value, {})
               ? success()
               : LogicalResult(error()
                               << "must be an array of {bytes, name, op}");
  if (name == kRecomputeAttrName) {
    auto dict = dyn_cast<DictionaryAttr>(value);
    bool valid =
        dict && isNodeArray(dict.get("values"), {"flops"}) &&
        llvm::all_of(ArrayRef<StringRef>{"flops", "estimated_peak",
                                         "estimated_peak_keeping_all"},
                     [&](StringRef key) {
                       return static_cast<bool>(dict.getAs<IntegerAttr>(key));
                     }) &&
        dict.getAs<FloatAttr>("gap") && dict.getAs<FloatAttr>("solve_seconds");
    return valid
               ? success()
               : LogicalResult(error()
                               << "must be {flops, gap, solve_seconds, "
                                  "estimated_peak, estimated_peak_keeping_all, "
                                  "values = [{bytes, name, op, flops}, ...]}");
  }
  if (name == kPeakAttrName) {
    bool valid = isNode(value, {"count"}) &&
                 isNodeArray(cast<DictionaryAttr>(value).get("buffers"), {});
    return valid ? success()
                 : LogicalResult(error() << "must be {bytes, name, op, count, "
                                            "buffers = [{bytes, name, op}, "
                                            "...]}");
  }
  if (name == kExpertBlocksAttrName) {
    auto values = dyn_cast<ArrayAttr>(value);
    if (!isa<ModuleOp>(op) || !values ||
        !llvm::all_of(values, [](Attribute entry) {
          auto dict = dyn_cast<DictionaryAttr>(entry);
          return dict && dict.getAs<LocationAttr>("loc") &&
                 llvm::all_of(
                     ArrayRef<StringRef>{"experts", "groups", "k", "tile_rows",
                                         "rows", "dense_flops", "fused_flops"},
                     [&](StringRef key) {
                       return static_cast<bool>(dict.getAs<IntegerAttr>(key));
                     });
        }))
      return error()
             << "must be an array of {loc, experts, groups, k, "
                "tile_rows, rows, dense_flops, fused_flops} on a module";
    return success();
  }
  if (name == kWorkspaceBytesAttrName || name == kKeptBytesAttrName)
    return isa<IntegerAttr>(value)
               ? success()
               : LogicalResult(error() << "must be an integer");
  if (name == kPanelPackAttrName || name == kForwardFillAttrName ||
      name == kReductionTilesAttrName)
    return isa<UnitAttr>(value)
               ? success()
               : LogicalResult(error() << "must be a unit attribute");
  if (name == kVectorSizesAttrName)
    return isa<DenseI64ArrayAttr>(value)
               ? success()
               : LogicalResult(error() << "must be an array of i64");
  return error() << "is not an attribute of quern";
}
