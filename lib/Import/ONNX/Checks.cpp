//===- Checks.cpp - what is checked before a model is imported --*- C++ -*-===//

#include "Checks.h"

#include "NodeImporter.h"
#include "OpTable.h"
#include "Opsets.h"
#include "Tensor.h"
#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/MapVector.h"
#include "llvm/ADT/StringSet.h"

#include <onnx/checker.h>
#include <onnx/shape_inference/implementation.h>
#include <onnx/version_converter/convert.h>

#include <cerrno>
#include <csignal>
#include <deque>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace mlir;
using namespace quern;
using namespace quern::onnx_import;

/// ONNX's messages append multi-line context; the first line says it.
static llvm::StringRef firstLine(const char *message) {
  return llvm::StringRef(message).split('\n').first.trim();
}

/// check_model(ModelProto) resolves external data against the working
/// folder; this is its body with the model's own folder instead.
static void checkWithDirectory(onnx::ModelProto &model,
                               const std::string &directory) {
  NewerSchemaScope newerSchemas(model);
  if (!model.ir_version())
    throw std::runtime_error("the model has no ir_version");
  onnx::checker::CheckerContext context;
  context.set_ir_version(static_cast<int>(model.ir_version()));
  std::unordered_map<std::string, int> opsets;
  for (const onnx::OperatorSetIdProto &opset : model.opset_import())
    opsets[opset.domain()] = static_cast<int>(opset.version());
  context.set_opset_imports(opsets);
  context.set_model_dir(directory);
  onnx::checker::LexicalScopeContext scope;
  onnx::checker::check_graph(model.graph(), context, scope);
  if (model.ir_version() >= 8)
    onnx::checker::check_model_local_functions(model, context, scope);
}

/// Runs ONNX's shape inference on a copy of `model` in a child process.
/// libonnx 1.12 reads out of bounds on some malformed models (found by
/// fuzzing, e.g. LayerNormalization of a rank-0 input); a crash in it must
/// become a diagnostic, not the end of the compiler. False if it crashed.
static bool inferenceSurvives(const onnx::ModelProto &model);

static onnx::ShapeInferenceOptions inferenceOptions() {
  return onnx::ShapeInferenceOptions(/*check_type=*/true, /*error_mode=*/1,
                                     /*enable_data_propagation=*/true);
}

LogicalResult quern::onnx_import::checkModel(onnx::ModelProto &model,
                                             StringRef modelDirectory,
                                             Location loc) {
  try {
    checkWithDirectory(model, modelDirectory.str());
  } catch (const std::exception &error) {
    return emitError(loc) << "invalid ONNX model: " << firstLine(error.what());
  }
  return success();
}

// In a sanitizer build (make fuzz), what kills the child is reported to
// the death callback the fuzzer set, which would record the input as the
// fuzzer's own crash; the child's death is the parent's business instead.
extern "C" void __sanitizer_set_death_callback(void (*)(void))
    __attribute__((weak));

static bool inferenceSurvives(const onnx::ModelProto &model) {
  pid_t child = fork();
  if (child < 0)
    return true; // No process to spare: run it unguarded.
  if (child == 0) {
    // The child only reports, by its exit status, whether it survived,
    // and says nothing: what a crashing libonnx or the C library prints
    // ("munmap_chunk(): invalid pointer") would come before quernc's one
    // line.
    for (int signal : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT})
      std::signal(signal, [](int) { _exit(1); });
    if (int null = open("/dev/null", O_WRONLY); null >= 0)
      dup2(null, STDERR_FILENO);
    if (__sanitizer_set_death_callback)
      __sanitizer_set_death_callback(nullptr);
    onnx::ModelProto copy = model;
    try {
      onnx::shape_inference::InferShapes(
          copy, onnx::OpSchemaRegistry::Instance(), inferenceOptions());
    } catch (...) {
    }
    _exit(0);
  }
  int status = 0;
  while (waitpid(child, &status, 0) < 0 && errno == EINTR)
    continue;
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/// Shape inference, guarded (see inferenceSurvives).
static LogicalResult runInference(onnx::ModelProto &model, Location loc) {
  NewerSchemaScope newerSchemas(model);
  if (!inferenceSurvives(model))
    return emitError(loc) << "invalid ONNX model: ONNX's shape inference "
                             "crashed on it";
  try {
    onnx::shape_inference::InferShapes(
        model, onnx::OpSchemaRegistry::Instance(), inferenceOptions());
  } catch (const std::exception &error) {
    return emitError(loc) << "ONNX shape inference failed: "
                          << firstLine(error.what());
  }
  return success();
}

LogicalResult quern::onnx_import::inferShapes(onnx::ModelProto &model,
                                              Location loc) {
  return runInference(model, loc);
}

LogicalResult quern::onnx_import::convertOpset(onnx::ModelProto &model,
                                               int target, Location loc) {
  try {
    model = onnx::version_conversion::ConvertVersion(model, target);
  } catch (const std::exception &error) {
    return emitError(loc) << "the model's opset is unsupported: ONNX's "
                             "version converter cannot bring it to opset "
                          << target << " (" << firstLine(error.what()) << ")";
  }
  return success();
}

FailureOr<std::vector<onnx::TypeProto>>
quern::onnx_import::inferNodeOutputTypes(const onnx::NodeProto &node,
                                         ArrayRef<KnownInput> inputs, int opset,
                                         Location loc) {
  onnx::ModelProto model;
  model.set_ir_version(8);
  onnx::OperatorSetIdProto *import = model.add_opset_import();
  import->set_domain("");
  import->set_version(opset);
  onnx::GraphProto *graph = model.mutable_graph();
  *graph->add_node() = node;
  for (const KnownInput &input : inputs) {
    if (input.value) {
      *graph->add_initializer() = tensorProto(input.value, input.name);
      continue;
    }
    onnx::ValueInfoProto *info = graph->add_input();
    info->set_name(input.name);
    onnx::TypeProto::Tensor *tensor =
        info->mutable_type()->mutable_tensor_type();
    tensor->set_elem_type(onnxDataType(input.type.getElementType()));
    onnx::TensorShapeProto *shape = tensor->mutable_shape();
    for (int64_t size : input.type.getShape())
      shape->add_dim()->set_dim_value(size);
  }
  for (const std::string &output : node.output())
    graph->add_output()->set_name(output);
  if (failed(runInference(model, loc)))
    return failure();
  std::vector<onnx::TypeProto> types;
  for (const onnx::ValueInfoProto &output : graph->output())
    types.push_back(output.type());
  return types;
}

//===----------------------------------------------------------------------===//
// Quern's own checks
//===----------------------------------------------------------------------===//

bool quern::onnx_import::isDefaultDomain(const std::string &domain) {
  return domain.empty() || domain == "ai.onnx";
}

FailureOr<int> quern::onnx_import::declaredOpset(const onnx::ModelProto &model,
                                                 Location loc) {
  for (const onnx::OperatorSetIdProto &opset : model.opset_import()) {
    if (!isDefaultDomain(opset.domain()))
      continue;
    int version = opset.version();
    if (version > kMaxOpset)
      return emitError(loc) << "opset " << version
                            << " of the default ONNX domain is newer than "
                               "Quern imports (opsets "
                            << kMinOpset << " to " << kMaxOpset << ")";
    return version;
  }
  return kMaxOpset;
}

LogicalResult
quern::onnx_import::checkOpsSupported(const onnx::GraphProto &graph,
                                      const llvm::StringMap<int> &opsets,
                                      Location fileLoc) {
  struct Unsupported {
    int count = 0;
    int firstIndex = 0;
  };
  llvm::MapVector<StringRef, Unsupported> unsupported;
  std::deque<std::string> keys;
  for (const auto &[index, node] : llvm::enumerate(graph.node())) {
    if (OpTable::get().lookup(node, opsets).importer)
      continue;
    const std::string &key = keys.emplace_back(OpTable::key(node));
    Unsupported &entry = unsupported[key];
    if (entry.count++ == 0)
      entry.firstIndex = index;
  }
  if (unsupported.empty())
    return success();
  int first = unsupported.front().second.firstIndex;
  InFlightDiagnostic diag =
      emitError(nodeLocation(graph.node(first), first, fileLoc))
      << "unsupported ONNX op" << (unsupported.size() > 1 ? "s" : "") << ": ";
  llvm::interleaveComma(unsupported, diag, [&](const auto &entry) {
    const onnx::NodeProto &node = graph.node(entry.second.firstIndex);
    diag << entry.first << " (" << entry.second.count << " node"
         << (entry.second.count > 1 ? "s" : "") << ", first '"
         << (node.name().empty() ? "#" + std::to_string(entry.second.firstIndex)
                                 : node.name())
         << "'";
    // An op of a newer opset than the model's.
    if (isDefaultDomain(node.domain()))
      if (int oldest = OpTable::get().oldestVersion(entry.first);
          oldest > opsets.lookup(""))
        diag << "; Quern imports it from opset " << oldest << " on";
    diag << ")";
  });
  return diag;
}

LogicalResult
quern::onnx_import::checkOutputsProduced(const onnx::GraphProto &graph,
                                         Location loc) {
  llvm::StringSet<> produced;
  for (const onnx::ValueInfoProto &input : graph.input())
    produced.insert(input.name());
  for (const onnx::TensorProto &tensor : graph.initializer())
    produced.insert(tensor.name());
  for (const onnx::NodeProto &node : graph.node())
    for (const std::string &output : node.output())
      produced.insert(output);
  for (const onnx::ValueInfoProto &output : graph.output())
    if (!produced.contains(output.name()))
      return emitError(loc) << "graph output '" << output.name()
                            << "' is produced by no node, input or "
                               "initializer";
  return success();
}

LogicalResult
quern::onnx_import::checkAxisAttributes(const onnx::GraphProto &graph,
                                        Location fileLoc) {
  constexpr int64_t kMaxRank = 64;
  for (const auto &[index, node] : llvm::enumerate(graph.node()))
    for (const onnx::AttributeProto &attribute : node.attribute()) {
      if (attribute.name() != "axis" && attribute.name() != "axes")
        continue;
      SmallVector<int64_t> values(attribute.ints().begin(),
                                  attribute.ints().end());
      if (attribute.has_i())
        values.push_back(attribute.i());
      for (int64_t value : values)
        if (value < -kMaxRank || value >= kMaxRank)
          return emitError(nodeLocation(node, index, fileLoc))
                 << "attribute '" << attribute.name() << "' = " << value
                 << " is out of range for any tensor";
    }
  return success();
}
