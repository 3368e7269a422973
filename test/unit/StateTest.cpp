//===- StateTest.cpp - Tests of state loading and saving ------------------===//
//
// This file is part of Quern.
//
//===----------------------------------------------------------------------===//
//
// Exercises State.cpp with a Manifest alone, no compiled library.
//
//===----------------------------------------------------------------------===//

#include "TestUtil.h"

#include "Manifest.h"
#include "State.h"
#include "quern/SafeTensors.h"
#include "quern/runtime.h"

#include <gtest/gtest.h>

#include <cstring>

using namespace quern::rt;
using quern::test::TempDir;

namespace {

const char kManifest[] = R"({
  "format": "quern-manifest", "version": 2, "name": "lin",
  "target": {"triple": "x86_64-unknown-linux-gnu", "cpu": "", "features": ""},
  "entry_points": {"forward": {"symbol": "lin_forward", "inputs": [],
                               "outputs": []}},
  "state": {"bytes": 192, "tensors": [
    {"name": "fc.weight", "role": "param", "dtype": "f32", "shape": [2, 3],
     "offset": 0, "bytes": 24},
    {"name": "fc.bias", "role": "param", "dtype": "f32", "shape": [2],
     "offset": 64, "bytes": 8},
    {"name": "step", "role": "optimizer", "dtype": "i64", "shape": [],
     "offset": 128, "bytes": 8}]},
  "workspace_bytes": 0, "optimizer": null, "memory": {}})";

class StateTest : public testing::Test {
protected:
  void SetUp() override {
    std::string error;
    ASSERT_TRUE(parseManifest(kManifest, manifest, error)) << error;
  }

  /// A state buffer with recognisable contents; padding bytes hold 0xEE so
  /// a test can tell whether loading wrote outside the tensors.
  std::vector<unsigned char> filledState() const {
    std::vector<unsigned char> state(manifest.stateBytes, 0xEE);
    const float weights[6] = {1, -2, 3, -4, 5, -6};
    const float bias[2] = {0.5f, -0.25f};
    const int64_t step = 7;
    std::memcpy(state.data() + 0, weights, sizeof(weights));
    std::memcpy(state.data() + 64, bias, sizeof(bias));
    std::memcpy(state.data() + 128, &step, sizeof(step));
    return state;
  }

  /// Expects loadState to refuse `path` and leave the state untouched.
  void expectMismatch(const std::string &path,
                      const std::vector<std::string> &messageParts) {
    std::vector<unsigned char> state(manifest.stateBytes, 0xAB);
    std::string error;
    EXPECT_EQ(loadState(manifest, path, state.data(), error),
              QUERN_RT_ERROR_MISMATCH);
    for (const std::string &part : messageParts)
      EXPECT_NE(error.find(part), std::string::npos)
          << "'" << part << "' not in: " << error;
    EXPECT_EQ(state, std::vector<unsigned char>(manifest.stateBytes, 0xAB));
  }

  Manifest manifest;
  TempDir dir;
  const float zeros[6] = {};
};

TEST_F(StateTest, SaveLoadRoundTrip) {
  std::vector<unsigned char> saved = filledState();
  std::string path = dir.path("ckpt.safetensors"), error;
  ASSERT_EQ(saveState(manifest, path, saved.data(), error), QUERN_RT_OK)
      << error;

  std::vector<unsigned char> loaded(manifest.stateBytes, 0xEE);
  ASSERT_EQ(loadState(manifest, path, loaded.data(), error), QUERN_RT_OK)
      << error;
  EXPECT_EQ(loaded, saved) << "tensors restored, padding untouched";
}

TEST_F(StateTest, SavedFileIsStandardSafeTensors) {
  std::vector<unsigned char> state = filledState();
  std::string path = dir.path("ckpt.safetensors"), error;
  ASSERT_EQ(saveState(manifest, path, state.data(), error), QUERN_RT_OK);
  SafeTensorsFile file;
  ASSERT_TRUE(file.open(path, error)) << error;
  // The metadata of the initial state file quernc writes.
  EXPECT_EQ(file.metadata(), (std::map<std::string, std::string>{
                                 {"format", "quern-state"}, {"model", "lin"}}));
  ASSERT_EQ(file.tensors().size(), 3u);
  const TensorView *bias = file.find("fc.bias");
  ASSERT_NE(bias, nullptr);
  EXPECT_EQ(bias->dtype, "f32");
  EXPECT_EQ(bias->shape, std::vector<int64_t>{2});
  EXPECT_EQ(std::memcmp(bias->data, state.data() + 64, 8), 0);
  EXPECT_TRUE(file.find("step")->shape.empty());
  EXPECT_EQ(dir.list(), std::vector<std::string>{"ckpt.safetensors"});
}

TEST_F(StateTest, RefusesMissingTensor) {
  std::string path = dir.path("missing.safetensors"), error;
  ASSERT_TRUE(writeSafeTensors(path,
                               {{"fc.weight", "f32", {2, 3}, zeros, 24},
                                {"fc.bias", "f32", {2}, zeros, 8}},
                               {}, error));
  expectMismatch(path, {path, "model 'lin'", "no tensor 'step'"});
}

TEST_F(StateTest, RefusesShapeMismatch) {
  std::string path = dir.path("shape.safetensors"), error;
  const int64_t step = 0;
  ASSERT_TRUE(writeSafeTensors(path,
                               {{"fc.weight", "f32", {3, 2}, zeros, 24},
                                {"fc.bias", "f32", {2}, zeros, 8},
                                {"step", "i64", {}, &step, 8}},
                               {}, error));
  expectMismatch(path, {path, "tensor 'fc.weight' is f32 [3, 2] but the "
                              "model expects f32 [2, 3]"});
}

TEST_F(StateTest, RefusesDtypeMismatch) {
  std::string path = dir.path("dtype.safetensors"), error;
  const int32_t step[2] = {};
  ASSERT_TRUE(writeSafeTensors(path,
                               {{"fc.weight", "f32", {2, 3}, zeros, 24},
                                {"fc.bias", "f32", {2}, zeros, 8},
                                {"step", "i32", {2}, step, 8}},
                               {}, error));
  expectMismatch(path, {"tensor 'step' is i32 [2] but the model expects "
                        "i64 []"});
}

TEST_F(StateTest, RefusesExtraTensor) {
  std::string path = dir.path("extra.safetensors"), error;
  const int64_t step = 0;
  ASSERT_TRUE(writeSafeTensors(path,
                               {{"fc.weight", "f32", {2, 3}, zeros, 24},
                                {"fc.bias", "f32", {2}, zeros, 8},
                                {"step", "i64", {}, &step, 8},
                                {"fc2.weight", "f32", {1}, zeros, 4}},
                               {}, error));
  expectMismatch(path, {"tensor 'fc2.weight', which is not part of the "
                        "model's state"});
}

TEST_F(StateTest, RefusesAnotherModelsCheckpoint) {
  std::string path = dir.path("other.safetensors"), error;
  ASSERT_TRUE(writeSafeTensors(path,
                               {{"encoder.weight", "f32", {6}, zeros, 24},
                                {"encoder.bias", "f32", {2}, zeros, 8}},
                               {}, error));
  // Three missing tensors and two unknown ones.
  expectMismatch(path, {"no tensor 'fc.weight'", "(and 4 more differences)"});
}

TEST_F(StateTest, MissingOrCorruptFileIsAFileError) {
  std::vector<unsigned char> state(manifest.stateBytes);
  std::string error;
  EXPECT_EQ(
      loadState(manifest, dir.path("absent.safetensors"), state.data(), error),
      QUERN_RT_ERROR_FILE);
  EXPECT_NE(error.find("absent.safetensors"), std::string::npos) << error;

  std::string corrupt = dir.path("corrupt.safetensors");
  quern::test::writeFile(corrupt, std::string("\x10\0\0\0\0\0\0\0{}", 10));
  EXPECT_EQ(loadState(manifest, corrupt, state.data(), error),
            QUERN_RT_ERROR_FILE);
  EXPECT_NE(error.find("runs past the end"), std::string::npos) << error;
}

TEST_F(StateTest, SaveIntoMissingFolderFails) {
  std::vector<unsigned char> state = filledState();
  std::string error;
  EXPECT_EQ(saveState(manifest, dir.path("none/ckpt.safetensors"), state.data(),
                      error),
            QUERN_RT_ERROR_FILE);
  EXPECT_FALSE(error.empty());
}

} // namespace

// The trained parameters alone (LoRA adapters): the file holds the role
// "param" tensors only, with format quern-adapters; loading it writes those
// and leaves every other tensor of the state as it was.
TEST_F(StateTest, TrainedParametersRoundTrip) {
  std::vector<unsigned char> saved = filledState();
  std::string path = dir.path("adapters.safetensors"), error;
  ASSERT_EQ(
      saveState(manifest, path, saved.data(), error, StatePart::Trainable),
      QUERN_RT_OK)
      << error;
  SafeTensorsFile file;
  ASSERT_TRUE(file.open(path, error)) << error;
  EXPECT_EQ(file.metadata().at("format"), "quern-adapters");
  EXPECT_EQ(file.tensors().size(), 2u);
  EXPECT_EQ(file.find("step"), nullptr);

  std::vector<unsigned char> loaded(manifest.stateBytes, 0xEE);
  const int64_t step = 42;
  std::memcpy(loaded.data() + 128, &step, sizeof(step));
  ASSERT_EQ(
      loadState(manifest, path, loaded.data(), error, StatePart::Trainable),
      QUERN_RT_OK)
      << error;
  EXPECT_EQ(std::memcmp(loaded.data(), saved.data(), 24), 0);
  EXPECT_EQ(std::memcmp(loaded.data() + 64, saved.data() + 64, 8), 0);
  int64_t kept;
  std::memcpy(&kept, loaded.data() + 128, sizeof(kept));
  EXPECT_EQ(kept, 42) << "the optimizer state is not the adapters'";
}

// A whole checkpoint is not an adapters file: it has tensors the model does
// not train, and the state is left untouched.
TEST_F(StateTest, TrainedParametersRefuseACheckpoint) {
  std::vector<unsigned char> saved = filledState();
  std::string path = dir.path("ckpt.safetensors"), error;
  ASSERT_EQ(saveState(manifest, path, saved.data(), error), QUERN_RT_OK);
  std::vector<unsigned char> state(manifest.stateBytes, 0xAB);
  EXPECT_EQ(
      loadState(manifest, path, state.data(), error, StatePart::Trainable),
      QUERN_RT_ERROR_MISMATCH);
  EXPECT_NE(error.find("does not match the trained parameters of model 'lin'"),
            std::string::npos)
      << error;
  EXPECT_NE(error.find("it has tensor 'step', which the model does not train"),
            std::string::npos)
      << error;
  EXPECT_EQ(state, std::vector<unsigned char>(manifest.stateBytes, 0xAB));
}
