//===- Manifest.cpp - The description a compiled model carries ------------===//
//
// This file is part of Quern.
//
//===----------------------------------------------------------------------===//

#include "Manifest.h"

#include "DType.h"
#include "Json.h"
#include "quern/Shard.h"

#include <algorithm>
#include <limits>
#include <set>

namespace quern::rt {

const EntryPointSpec *Manifest::entry(EntryKind kind) const {
  const std::optional<EntryPointSpec> &spec =
      kind == EntryKind::Forward ? forward : trainStep;
  return spec ? &*spec : nullptr;
}

const StateTensorSpec *
Manifest::findStateTensor(std::string_view tensorName) const {
  for (const StateTensorSpec &tensor : stateTensors)
    if (tensor.name == tensorName)
      return &tensor;
  return nullptr;
}

int64_t Manifest::shardProcesses() const {
  for (const StateTensorSpec &tensor : stateTensors)
    if (tensor.shardProcesses)
      return tensor.shardProcesses;
  return 0;
}

namespace {

/// Walks the JSON document keeping track of where it is, so that every
/// message names the key path a compiler developer has to look at.
class ManifestReader {
public:
  std::string error;

  bool fail(const std::string &path, const std::string &what) {
    error = "invalid manifest: '" + path + "' " + what;
    return false;
  }

  static std::string join(const std::string &path, const std::string &key) {
    return path.empty() ? key : path + "." + key;
  }

  static std::string index(const std::string &path, size_t i) {
    return path + "[" + std::to_string(i) + "]";
  }

  const JsonValue *member(const JsonValue &object, const std::string &path,
                          const char *key) {
    const JsonValue *value = object.get(key);
    if (!value)
      fail(join(path, key), "is missing");
    return value;
  }

  bool getObject(const JsonValue &object, const std::string &path,
                 const char *key, const JsonValue *&out) {
    out = member(object, path, key);
    if (out && !out->isObject())
      return fail(join(path, key), "is not an object");
    return out != nullptr;
  }

  bool getString(const JsonValue &object, const std::string &path,
                 const char *key, std::string &out, bool allowEmpty = false) {
    const JsonValue *value = member(object, path, key);
    if (!value)
      return false;
    if (!value->isString())
      return fail(join(path, key), "is not a string");
    if (!allowEmpty && value->string.empty())
      return fail(join(path, key), "is empty");
    out = value->string;
    return true;
  }

  bool getSize(const JsonValue &object, const std::string &path,
               const char *key, size_t &out) {
    const JsonValue *value = member(object, path, key);
    if (!value)
      return false;
    int64_t number;
    if (!value->getInt64(number) || number < 0 ||
        static_cast<uint64_t>(number) > std::numeric_limits<size_t>::max())
      return fail(join(path, key), "is not a non-negative integer");
    out = static_cast<size_t>(number);
    return true;
  }

  bool readTensor(const JsonValue &value, const std::string &path,
                  TensorSpec &out) {
    if (!value.isObject())
      return fail(path, "is not an object");
    if (!getString(value, path, "name", out.name) ||
        !getString(value, path, "dtype", out.dtype))
      return false;
    const DTypeInfo *dtype = lookupDType(out.dtype);
    if (!dtype)
      return fail(join(path, "dtype"), "is unknown: \"" + out.dtype + "\"");
    const JsonValue *shape = member(value, path, "shape");
    if (!shape)
      return false;
    if (!shape->isArray())
      return fail(join(path, "shape"), "is not an array");
    for (size_t i = 0; i < shape->elements.size(); ++i) {
      int64_t dim;
      if (!shape->elements[i].getInt64(dim) || dim < 0)
        return fail(index(join(path, "shape"), i),
                    "is not a non-negative integer");
      out.shape.push_back(dim);
    }
    if (!computeTensorBytes(*dtype, out.shape, out.bytes))
      return fail(join(path, "shape"), "is too large");
    if (const JsonValue *values = value.get("values"))
      return readValueBounds(*values, join(path, "values"), *dtype, out);
    return true;
  }

  bool getInt64(const JsonValue &object, const std::string &path,
                const char *key, int64_t &out) {
    const JsonValue *value = member(object, path, key);
    if (!value)
      return false;
    if (!value->getInt64(out))
      return fail(join(path, key), "is not an integer");
    return true;
  }

  bool readValueBounds(const JsonValue &value, const std::string &path,
                       const DTypeInfo &dtype, TensorSpec &out) {
    if (!value.isObject())
      return fail(path, "is not an object");
    if (!dtype.isInteger)
      return fail(path, "bounds the values of a " + out.dtype + " tensor");
    ValueBoundsSpec bounds;
    if (!getInt64(value, path, "min", bounds.min) ||
        !getInt64(value, path, "max", bounds.max) ||
        !getString(value, path, "reader", bounds.reader))
      return false;
    if (value.get("ignore")) {
      int64_t ignore;
      if (!getInt64(value, path, "ignore", ignore))
        return false;
      bounds.ignore = ignore;
    }
    out.values = std::move(bounds);
    return true;
  }

  bool readTensorList(const JsonValue &object, const std::string &path,
                      const char *key, std::vector<TensorSpec> &out) {
    const JsonValue *list = member(object, path, key);
    std::string listPath = join(path, key);
    if (!list)
      return false;
    if (!list->isArray())
      return fail(listPath, "is not an array");
    std::set<std::string> names;
    for (size_t i = 0; i < list->elements.size(); ++i) {
      TensorSpec tensor;
      if (!readTensor(list->elements[i], index(listPath, i), tensor))
        return false;
      if (!names.insert(tensor.name).second)
        return fail(index(listPath, i),
                    "repeats the name \"" + tensor.name + "\"");
      out.push_back(std::move(tensor));
    }
    return true;
  }

  bool readEntryPoint(const JsonValue &value, const std::string &path,
                      std::optional<EntryPointSpec> &out) {
    if (!value.isObject())
      return fail(path, "is not an object");
    EntryPointSpec entry;
    if (!getString(value, path, "symbol", entry.symbol) ||
        !readTensorList(value, path, "inputs", entry.inputs) ||
        !readTensorList(value, path, "outputs", entry.outputs))
      return false;
    out = std::move(entry);
    return true;
  }

  bool readStateTensor(const JsonValue &value, const std::string &path,
                       size_t stateBytes, StateTensorSpec &out) {
    if (!readTensor(value, path, out) ||
        !getString(value, path, "role", out.role))
      return false;
    if (out.role != "param" && out.role != "frozen" && out.role != "optimizer")
      return fail(join(path, "role"),
                  "is \"" + out.role +
                      "\", expected \"param\", \"frozen\" or \"optimizer\"");
    size_t declaredBytes;
    if (!getSize(value, path, "offset", out.offset) ||
        !getSize(value, path, "bytes", declaredBytes))
      return false;
    out.wholeBytes = out.bytes;
    if (value.get("shard") && !readShard(value, path, out))
      return false;
    if (declaredBytes != out.bytes)
      return fail(join(path, "bytes"),
                  "is " + std::to_string(declaredBytes) + " but shape " +
                      formatShape(out.shape) + " of " + out.dtype + " needs " +
                      std::to_string(out.bytes));
    if (out.offset % kStateAlignment != 0)
      return fail(join(path, "offset"), "is " + std::to_string(out.offset) +
                                            ", not a multiple of " +
                                            std::to_string(kStateAlignment));
    if (out.offset > stateBytes || out.bytes > stateBytes - out.offset)
      return fail(path,
                  "ends past state.bytes (" + std::to_string(stateBytes) + ")");
    return true;
  }

  /// A sharded tensor's "shard": {"processes": N, "elements": C}, C the
  /// size quern/Shard.h gives its pieces; `bytes` become one piece's.
  bool readShard(const JsonValue &value, const std::string &path,
                 StateTensorSpec &out) {
    const JsonValue *shard;
    std::string shardPath = join(path, "shard");
    if (!getObject(value, path, "shard", shard) ||
        !getInt64(*shard, shardPath, "processes", out.shardProcesses) ||
        !getInt64(*shard, shardPath, "elements", out.shardElements))
      return false;
    if (out.role != "optimizer")
      return fail(shardPath, "shards a tensor of role \"" + out.role +
                                 "\"; only optimizer state is sharded");
    // computeTensorBytes bounded the shape's product; the processes are a
    // job's, far fewer than elements of any size.
    int64_t elements = 1;
    for (int64_t size : out.shape)
      elements *= size;
    constexpr int64_t kMostProcesses = int64_t(1) << 24;
    if (out.shardProcesses < 2 || out.shardProcesses > kMostProcesses ||
        elements < 1 ||
        out.shardElements != shardElements(elements, out.shardProcesses))
      return fail(shardPath, "is not a piece of " + formatShape(out.shape) +
                                 " over 2 to 2^24 processes");
    out.bytes = out.wholeBytes / size_t(elements) * size_t(out.shardElements);
    return true;
  }

  bool readState(const JsonValue &root, Manifest &out) {
    const JsonValue *state;
    if (!getObject(root, "", "state", state) ||
        !getSize(*state, "state", "bytes", out.stateBytes))
      return false;
    const JsonValue *list = member(*state, "state", "tensors");
    if (!list)
      return false;
    if (!list->isArray())
      return fail("state.tensors", "is not an array");
    std::set<std::string> names;
    for (size_t i = 0; i < list->elements.size(); ++i) {
      StateTensorSpec tensor;
      std::string path = index("state.tensors", i);
      if (!readStateTensor(list->elements[i], path, out.stateBytes, tensor))
        return false;
      if (!names.insert(tensor.name).second)
        return fail(path, "repeats the name \"" + tensor.name + "\"");
      if (tensor.shardProcesses && out.shardProcesses() &&
          tensor.shardProcesses != out.shardProcesses())
        return fail(join(path, "shard"),
                    "is over another number of processes than the state's "
                    "first sharded tensor");
      out.stateTensors.push_back(std::move(tensor));
    }
    // Two tensors sharing bytes would silently corrupt each other on load.
    std::vector<const StateTensorSpec *> byOffset;
    for (const StateTensorSpec &tensor : out.stateTensors)
      if (tensor.bytes > 0)
        byOffset.push_back(&tensor);
    std::sort(byOffset.begin(), byOffset.end(),
              [](const StateTensorSpec *a, const StateTensorSpec *b) {
                return a->offset < b->offset;
              });
    for (size_t i = 1; i < byOffset.size(); ++i)
      if (byOffset[i - 1]->offset + byOffset[i - 1]->bytes >
          byOffset[i]->offset)
        return fail("state.tensors", "\"" + byOffset[i - 1]->name +
                                         "\" and \"" + byOffset[i]->name +
                                         "\" overlap");
    return true;
  }

  bool readKernels(const JsonValue &list, std::vector<KernelSpec> &out) {
    if (!list.isArray())
      return fail("kernels", "is not an array");
    for (size_t i = 0; i < list.elements.size(); ++i) {
      const JsonValue &value = list.elements[i];
      std::string path = index("kernels", i);
      KernelSpec kernel;
      if (!value.isObject())
        return fail(path, "is not an object");
      if (!getString(value, path, "symbol", kernel.symbol) ||
          !getString(value, path, "kind", kernel.kind) ||
          !getString(value, path, "strategy", kernel.strategy, true) ||
          !getString(value, path, "source", kernel.source, true) ||
          !getSize(value, path, "flops", kernel.flops))
        return false;
      const JsonValue *share = member(value, path, "estimated_share");
      if (!share)
        return false;
      if (!share->isNumber() || !(share->number >= 0 && share->number <= 1))
        return fail(join(path, "estimated_share"),
                    "is not a number from 0 to 1");
      kernel.estimatedShare = share->number;
      out.push_back(std::move(kernel));
    }
    return true;
  }

  bool readManifest(const JsonValue &root, Manifest &out) {
    if (!root.isObject()) {
      error = "invalid manifest: not a JSON object";
      return false;
    }
    std::string format;
    if (!getString(root, "", "format", format))
      return false;
    if (format != "quern-manifest")
      return fail("format",
                  "is \"" + format + "\", expected " + "\"quern-manifest\"");
    const JsonValue *version = member(root, "", "version");
    int64_t versionNumber;
    if (!version)
      return false;
    if (!version->getInt64(versionNumber) ||
        (versionNumber != 2 && versionNumber != 3))
      return fail("version", "is not 2 or 3, the versions this runtime "
                             "reads (compile the model again with this "
                             "quernc)");

    const JsonValue *target, *entries;
    if (!getString(root, "", "name", out.name) ||
        !getObject(root, "", "target", target) ||
        !getString(*target, "target", "triple", out.triple) ||
        !getString(*target, "target", "cpu", out.cpu, true) ||
        !getString(*target, "target", "features", out.features, true) ||
        !getObject(root, "", "entry_points", entries))
      return false;
    if (const JsonValue *forward = entries->get("forward"))
      if (!readEntryPoint(*forward, "entry_points.forward", out.forward))
        return false;
    if (const JsonValue *step = entries->get("train_step"))
      if (!readEntryPoint(*step, "entry_points.train_step", out.trainStep))
        return false;
    if (!out.forward && !out.trainStep)
      return fail("entry_points", "has neither \"forward\" nor \"train_step\"");

    if (!readState(root, out) ||
        !getSize(root, "", "workspace_bytes", out.workspaceBytes))
      return false;
    // Informational sections: their contents are for tools, not for running
    // the model, but a wrong type still means a broken compiler.
    if (const JsonValue *optimizer = root.get("optimizer"))
      if (!optimizer->isNull() && !optimizer->isObject())
        return fail("optimizer", "is neither null nor an object");
    if (const JsonValue *memory = root.get("memory"))
      if (!memory->isObject())
        return fail("memory", "is not an object");
    if (const JsonValue *kernels = root.get("kernels"))
      if (!readKernels(*kernels, out.kernels))
        return false;
    if (!readDevice(root, out))
      return false;
    // Version 3 is a library whose buffers are a GPU's, which a runtime
    // that reads only version 2 would take for the host's.
    if ((versionNumber == 3) != !out.gpuChip.empty())
      return fail("version", versionNumber == 3
                                 ? "is 3, but the library is not a GPU's"
                                 : "is 2, but the library is a GPU's");
    return true;
  }

  bool readDevice(const JsonValue &root, Manifest &out) {
    const JsonValue *device = root.get("device");
    if (!device || device->isNull())
      return true;
    if (!device->isObject())
      return fail("device", "is neither null nor an object");
    const JsonValue *onHost = member(*device, "device", "on_host");
    if (!onHost)
      return false;
    if (!onHost->isBool())
      return fail("device.on_host", "is not a boolean");
    std::string chip;
    if (!getString(*device, "device", "chip", chip))
      return false;
    if (!onHost->boolean)
      out.gpuChip = chip;
    return true;
  }
};

} // namespace

bool parseManifest(std::string_view json, Manifest &out, std::string &error) {
  JsonValue root;
  std::string jsonError;
  if (!parseJson(json, root, jsonError)) {
    error = "invalid manifest: " + jsonError;
    return false;
  }
  ManifestReader reader;
  Manifest manifest;
  if (!reader.readManifest(root, manifest)) {
    error = reader.error;
    return false;
  }
  out = std::move(manifest);
  return true;
}

} // namespace quern::rt
