//===- ManifestTest.cpp - Tests of manifest parsing and validation --------===//
//
// This file is part of Quern.
//
//===----------------------------------------------------------------------===//

#include "Manifest.h"

#include <gtest/gtest.h>

using namespace quern::rt;

namespace {

/// A manifest as quernc writes it for a two-layer MLP with a train step.
const char kMlpManifest[] = R"json({
  "format": "quern-manifest", "version": 2, "name": "mlp",
  "target": {"triple": "x86_64-unknown-linux-gnu", "cpu": "znver4",
             "features": "+avx2,+fma"},
  "entry_points": {
    "forward": {"symbol": "mlp_forward",
      "inputs":  [{"name": "x", "dtype": "f32", "shape": [1, 784]}],
      "outputs": [{"name": "y", "dtype": "f32", "shape": [1, 10]}]},
    "train_step": {"symbol": "mlp_train_step",
      "inputs":  [{"name": "x", "dtype": "f32", "shape": [32, 784]},
                  {"name": "label", "dtype": "i64", "shape": [32],
                   "values": {"min": 0, "max": 9, "ignore": -100,
                              "reader": "class labels of node 'ce'"}},
                  {"name": "lr", "dtype": "f32", "shape": []}],
      "outputs": [{"name": "loss", "dtype": "f32", "shape": []}]}},
  "state": {"bytes": 805120, "tensors": [
    {"name": "fc1.weight", "role": "param", "dtype": "f32",
     "shape": [256, 784], "offset": 0, "bytes": 802816},
    {"name": "fc1.bias", "role": "frozen", "dtype": "bf16",
     "shape": [256], "offset": 802816, "bytes": 512},
    {"name": "step", "role": "optimizer", "dtype": "i64",
     "shape": [], "offset": 803328, "bytes": 8},
    {"name": "empty", "role": "optimizer", "dtype": "f32",
     "shape": [0], "offset": 803328, "bytes": 0}]},
  "workspace_bytes": 4096,
  "optimizer": {"kind": "adamw", "beta1": 0.9},
  "memory": {"workspace_bytes": 4096, "kept_for_backward_bytes": 2048,
             "kept_for_backward_values": 3},
  "kernels": [
    {"symbol": "train_step_contraction_0", "kind": "contraction",
     "loops": [32, 256, 784], "strategy": "cache 32x32x112, registers 8x32x1",
     "source": "node 'fc1' (Gemm)", "flops": 12845056, "bytes": 926720,
     "calls": {"train_step": 1}, "estimated_share": 0.75},
    {"symbol": "train_step_elementwise_1", "kind": "elementwise",
     "loops": [32, 256], "strategy": "", "source": "", "flops": 8192,
     "bytes": 65536, "calls": {"train_step": 1}, "estimated_share": 0.25}],
  "added_in_a_later_compiler": {"anything": [1, 2, 3]}
})json";

/// Returns `base` with the first occurrence of `from` replaced by `to`.
std::string edited(const std::string &from, const std::string &to,
                   std::string base = kMlpManifest) {
  std::string text = std::move(base);
  size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos)
    text.replace(at, from.size(), to);
  return text;
}

TEST(ManifestTest, ParsesTheReferenceManifest) {
  Manifest manifest;
  std::string error;
  ASSERT_TRUE(parseManifest(kMlpManifest, manifest, error)) << error;
  EXPECT_EQ(manifest.name, "mlp");
  EXPECT_EQ(manifest.triple, "x86_64-unknown-linux-gnu");
  EXPECT_EQ(manifest.cpu, "znver4");
  EXPECT_EQ(manifest.features, "+avx2,+fma");
  EXPECT_EQ(manifest.stateBytes, 805120u);
  EXPECT_EQ(manifest.workspaceBytes, 4096u);

  const EntryPointSpec *forward = manifest.entry(EntryKind::Forward);
  ASSERT_NE(forward, nullptr);
  EXPECT_EQ(forward->symbol, "mlp_forward");
  ASSERT_EQ(forward->inputs.size(), 1u);
  EXPECT_EQ(forward->inputs[0].name, "x");
  EXPECT_EQ(forward->inputs[0].shape, (std::vector<int64_t>{1, 784}));
  EXPECT_EQ(forward->inputs[0].bytes, 784u * 4);
  EXPECT_EQ(forward->outputs[0].bytes, 40u);

  const EntryPointSpec *step = manifest.entry(EntryKind::TrainStep);
  ASSERT_NE(step, nullptr);
  ASSERT_EQ(step->inputs.size(), 3u);
  EXPECT_EQ(step->inputs[1].dtype, "i64");
  EXPECT_EQ(step->inputs[1].bytes, 256u);
  EXPECT_TRUE(step->inputs[2].shape.empty());
  EXPECT_EQ(step->inputs[2].bytes, 4u) << "a scalar is one element";
  ASSERT_TRUE(step->inputs[1].values.has_value());
  EXPECT_EQ(step->inputs[1].values->min, 0);
  EXPECT_EQ(step->inputs[1].values->max, 9);
  EXPECT_EQ(step->inputs[1].values->ignore, -100);
  EXPECT_EQ(step->inputs[1].values->reader, "class labels of node 'ce'");
  EXPECT_FALSE(step->inputs[0].values.has_value());

  ASSERT_EQ(manifest.stateTensors.size(), 4u);
  EXPECT_EQ(manifest.stateTensors[1].name, "fc1.bias");
  EXPECT_EQ(manifest.stateTensors[1].role, "frozen");
  EXPECT_EQ(manifest.stateTensors[1].offset, 802816u);
  EXPECT_EQ(manifest.stateTensors[1].bytes, 512u);
  EXPECT_EQ(manifest.findStateTensor("step"), &manifest.stateTensors[2]);
  EXPECT_EQ(manifest.findStateTensor("nope"), nullptr);

  ASSERT_EQ(manifest.kernels.size(), 2u);
  EXPECT_EQ(manifest.kernels[0].symbol, "train_step_contraction_0");
  EXPECT_EQ(manifest.kernels[0].source, "node 'fc1' (Gemm)");
  EXPECT_EQ(manifest.kernels[0].flops, 12845056u);
  EXPECT_EQ(manifest.kernels[1].strategy, "");
  EXPECT_DOUBLE_EQ(manifest.kernels[1].estimatedShare, 0.25);
}

TEST(ManifestTest, OptionalSections) {
  Manifest manifest;
  std::string error;
  // Forward only, no optimizer/memory/kernels sections, optimizer null.
  std::string text = R"({"format": "quern-manifest", "version": 2,
    "name": "m", "target": {"triple": "t", "cpu": "", "features": ""},
    "entry_points": {"forward": {"symbol": "m_forward", "inputs": [],
                                 "outputs": []}},
    "state": {"bytes": 0, "tensors": []}, "workspace_bytes": 0,
    "optimizer": null})";
  ASSERT_TRUE(parseManifest(text, manifest, error)) << error;
  EXPECT_EQ(manifest.entry(EntryKind::TrainStep), nullptr);
  EXPECT_NE(manifest.entry(EntryKind::Forward), nullptr);
  EXPECT_TRUE(manifest.kernels.empty());
  EXPECT_TRUE(manifest.gpuChip.empty());
}

TEST(ManifestTest, Device) {
  Manifest manifest;
  std::string error;
  const std::string device =
      R"("device": {"triple": "amdgcn-amd-amdhsa", "chip": "gfx90a",
                    "features": "", "wavefront_size": 64, "on_host": false},
         "workspace_bytes")";
  // A GPU's library is version 3, which a runtime reading only version 2
  // refuses.
  const std::string gpu = edited(R"("version": 2)", R"("version": 3)",
                                 edited(R"("workspace_bytes")", device));
  ASSERT_TRUE(parseManifest(gpu, manifest, error)) << error;
  EXPECT_EQ(manifest.gpuChip, "gfx90a");
  EXPECT_FALSE(parseManifest(edited(R"("version": 3)", R"("version": 2)", gpu),
                             manifest, error));
  EXPECT_NE(error.find("'version' is 2, but the library is a GPU's"),
            std::string::npos)
      << error;
  // GPU-mapped code lowered for the host is a host library, version 2.
  ASSERT_TRUE(parseManifest(
      edited("false}", "true}", edited(R"("workspace_bytes")", device)),
      manifest, error))
      << error;
  EXPECT_EQ(manifest.gpuChip, "");
  EXPECT_FALSE(parseManifest(edited(R"("version": 2)", R"("version": 3)"),
                             manifest, error));
  EXPECT_NE(error.find("'version' is 3, but the library is not a GPU's"),
            std::string::npos)
      << error;
}

struct BadManifest {
  std::string name;
  std::string text;
  std::string message;
};

class ManifestInvalidTest : public testing::TestWithParam<BadManifest> {};

TEST_P(ManifestInvalidTest, IsRefused) {
  Manifest manifest;
  manifest.name = "untouched";
  std::string error;
  EXPECT_FALSE(parseManifest(GetParam().text, manifest, error));
  EXPECT_NE(error.find(GetParam().message), std::string::npos) << error;
  EXPECT_EQ(manifest.name, "untouched") << "output kept on failure";
}

INSTANTIATE_TEST_SUITE_P(
    Manifest, ManifestInvalidTest,
    testing::Values(
        BadManifest{"notJson", "{\"format\": ",
                    "invalid manifest: unexpected "
                    "end of input at byte 11"},
        BadManifest{"notObject", "[]", "not a JSON object"},
        BadManifest{"noFormat", edited(R"("format": "quern-manifest",)", ""),
                    "'format' is missing"},
        BadManifest{"badFormat", edited("quern-manifest", "onnx"),
                    "'format' is \"onnx\", expected \"quern-manifest\""},
        BadManifest{"noVersion", edited(R"("version": 2,)", ""),
                    "'version' is missing"},
        BadManifest{"version1", edited(R"("version": 2)", R"("version": 1)"),
                    "'version' is not 2"},
        BadManifest{"versionString",
                    edited(R"("version": 2)", R"("version": "2")"),
                    "'version' is not 2"},
        BadManifest{"noName", edited(R"("name": "mlp",)", ""),
                    "'name' is missing"},
        BadManifest{"emptyName", edited(R"("name": "mlp")", R"("name": "")"),
                    "'name' is empty"},
        BadManifest{
            "deviceNotObject",
            edited(R"("workspace_bytes")", R"("device": 1, "workspace_bytes")"),
            "'device' is neither null nor an object"},
        BadManifest{"deviceOnHostNotBool",
                    edited(R"("workspace_bytes")",
                           R"("device": {"chip": "gfx90a", "on_host": 0},
                              "workspace_bytes")"),
                    "'device.on_host' is not a boolean"},
        BadManifest{
            "deviceNoChip",
            edited(R"("workspace_bytes")",
                   R"("device": {"on_host": false}, "workspace_bytes")"),
            "'device.chip' is missing"},
        BadManifest{"noTarget", edited(R"("target")", R"("targets")"),
                    "'target' is missing"},
        BadManifest{"noTriple", edited(R"("triple")", R"("triples")"),
                    "'target.triple' is missing"},
        BadManifest{
            "entryPointsNotObject",
            edited(R"("entry_points": {)", R"("entry_points": [], "x": {)"),
            "'entry_points' is not an object"},
        BadManifest{"noEntryPoints",
                    edited(R"("train_step")", R"("train")",
                           edited(R"("forward")", R"("fwd")")),
                    "'entry_points' has neither"},
        BadManifest{"noSymbol", edited(R"("symbol": "mlp_forward",)", ""),
                    "'entry_points.forward.symbol' is missing"},
        BadManifest{"noInputs", edited(R"("inputs")", R"("ins")"),
                    "'entry_points.forward.inputs' is missing"},
        BadManifest{"inputsNotArray",
                    edited(R"("inputs":  [{"name": "x", "dtype": "f32", )"
                           R"("shape": [1, 784]}])",
                           R"("inputs": 3)"),
                    "'entry_points.forward.inputs' is not an array"},
        BadManifest{"unknownDtype",
                    edited(R"("name": "label", "dtype": "i64")",
                           R"("name": "label", "dtype": "int64")"),
                    "'entry_points.train_step.inputs[1].dtype' is unknown: "
                    "\"int64\""},
        BadManifest{"valuesOfFloats",
                    edited(R"("shape": [32],)",
                           R"("shape": [32], "dtype": "f32",)",
                           edited(R"("name": "label", "dtype": "i64",)",
                                  R"("name": "label",)")),
                    "'entry_points.train_step.inputs[1].values' bounds the "
                    "values of a f32 tensor"},
        BadManifest{"valuesMinNotInteger",
                    edited(R"("min": 0,)", R"("min": 0.5,)"),
                    "'entry_points.train_step.inputs[1].values.min' is not "
                    "an integer"},
        BadManifest{
            "valuesNoReader",
            edited(R"("reader": "class labels of node 'ce'")", R"("by": "")"),
            "'entry_points.train_step.inputs[1].values.reader' is "
            "missing"},
        BadManifest{"negativeDim", edited("[1, 10]", "[1, -10]"),
                    "'entry_points.forward.outputs[0].shape[1]' is not a "
                    "non-negative integer"},
        BadManifest{"duplicateInput",
                    edited(R"("name": "label")", R"("name": "x")"),
                    "'entry_points.train_step.inputs[1]' repeats the name"},
        BadManifest{"noState", edited(R"("state")", R"("states")"),
                    "'state' is missing"},
        BadManifest{"noStateBytes",
                    edited(R"("bytes": 805120)", R"("size": 805120)"),
                    "'state.bytes' is missing"},
        BadManifest{"noOffset", edited(R"("offset": 0, )", ""),
                    "'state.tensors[0].offset' is missing"},
        BadManifest{"misaligned",
                    edited(R"("offset": 802816)", R"("offset": 802817)"),
                    "'state.tensors[1].offset' is 802817, not a multiple of "
                    "64"},
        BadManifest{"bytesMismatch",
                    edited(R"("bytes": 512)", R"("bytes": 1024)"),
                    "'state.tensors[1].bytes' is 1024 but shape [256] of "
                    "bf16 needs 512"},
        BadManifest{"pastStateEnd",
                    edited(R"("bytes": 805120)", R"("bytes": 803300)"),
                    "'state.tensors[1]' ends past state.bytes (803300)"},
        BadManifest{"overlap",
                    edited(R"("offset": 803328, "bytes": 8)",
                           R"("offset": 803264, "bytes": 8)"),
                    "\"fc1.bias\" and \"step\" overlap"},
        BadManifest{"badRole", edited(R"("role": "frozen")", R"("role": "x")"),
                    "'state.tensors[1].role' is \"x\""},
        BadManifest{"duplicateState",
                    edited(R"("name": "step")", R"("name": "fc1.weight")"),
                    "'state.tensors[2]' repeats the name \"fc1.weight\""},
        BadManifest{"noWorkspace",
                    edited(R"("workspace_bytes": 4096)", R"("ws": 4096)"),
                    "'workspace_bytes' is missing"},
        BadManifest{
            "negativeWorkspace",
            edited(R"("workspace_bytes": 4096)", R"("workspace_bytes": -1)"),
            "'workspace_bytes' is not a non-negative integer"},
        BadManifest{"optimizerNotObject",
                    edited(R"("optimizer": {"kind": "adamw", "beta1": 0.9})",
                           R"("optimizer": "adamw")"),
                    "'optimizer' is neither null nor an object"},
        BadManifest{"kernelsNotArray",
                    edited(R"("kernels": [)", R"("kernels": 7, "was": [)"),
                    "'kernels' is not an array"},
        BadManifest{"kernelWithoutSymbol",
                    edited(R"("symbol": "train_step_contraction_0")",
                           R"("name": "train_step_contraction_0")"),
                    "'kernels[0].symbol' is missing"},
        BadManifest{
            "shareAboveOne",
            edited(R"("estimated_share": 0.75)", R"("estimated_share": 1.5)"),
            "'kernels[0].estimated_share' is not a number from 0 to "
            "1"}),
    [](const testing::TestParamInfo<BadManifest> &param) {
      return param.param.name;
    });

} // namespace
