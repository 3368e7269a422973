//===- ApiTest.cpp - Tests of the runtime C API ---------------------------===//
//
// This file is part of Quern.
//
//===----------------------------------------------------------------------===//
//
// Opens the stand-in models built from fixtures/TinyModel.c and drives them
// only through quern/runtime.h, as a user program would.
//
//===----------------------------------------------------------------------===//

#include "TestUtil.h"

#include "quern/SafeTensors.h"
#include "quern/runtime.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <thread>

using quern::test::TempDir;

extern "C" int quernTestRunFromC(const char *soPath);

namespace {

std::string modelPath(const std::string &name) {
  return std::string(QUERN_TEST_MODEL_DIR) + "/" + name + ".so";
}

bool lastErrorContains(const std::string &part) {
  return std::string(quern_rt_last_error()).find(part) != std::string::npos;
}

/// An open model with 64-byte aligned state and workspace, all released at
/// scope exit.
struct OpenModel {
  explicit OpenModel(const std::string &name) {
    status = quern_rt_model_open(modelPath(name).c_str(), &model);
    if (model) {
      state = quern_rt_alloc(quern_rt_model_state_bytes(model));
      workspace = quern_rt_alloc(quern_rt_model_workspace_bytes(model));
    }
  }
  ~OpenModel() {
    quern_rt_free(state);
    quern_rt_free(workspace);
    quern_rt_model_close(model);
  }
  float *floats(size_t offset) {
    return reinterpret_cast<float *>(static_cast<char *>(state) + offset);
  }

  int status;
  quern_rt_model *model = nullptr;
  void *state = nullptr;
  void *workspace = nullptr;
};

TEST(AllocTest, AlignedAndZeroed) {
  for (size_t bytes : {0, 1, 63, 64, 65, 1000, 1 << 20}) {
    unsigned char *ptr = static_cast<unsigned char *>(quern_rt_alloc(bytes));
    ASSERT_NE(ptr, nullptr) << bytes;
    EXPECT_EQ(reinterpret_cast<uintptr_t>(ptr) % 64, 0u) << bytes;
    for (size_t i = 0; i < bytes; ++i)
      ASSERT_EQ(ptr[i], 0) << "byte " << i << " of " << bytes;
    quern_rt_free(ptr);
  }
  quern_rt_free(nullptr);
}

TEST(AllocTest, ImpossibleSizeFailsCleanly) {
  EXPECT_EQ(quern_rt_alloc(std::numeric_limits<size_t>::max()), nullptr);
  EXPECT_TRUE(lastErrorContains("quern_rt_alloc"));
}

TEST(ApiTest, DescribesTheModel) {
  OpenModel m("tinymodel");
  ASSERT_EQ(m.status, QUERN_RT_OK) << quern_rt_last_error();
  EXPECT_STREQ(quern_rt_model_name(m.model), "tinymodel");
  EXPECT_STREQ(quern_rt_model_triple(m.model), "x86_64-unknown-linux-gnu");
  EXPECT_NE(std::strstr(quern_rt_model_manifest(m.model), "quern-manifest"),
            nullptr);
  EXPECT_EQ(quern_rt_model_state_bytes(m.model), 192u);
  EXPECT_EQ(quern_rt_model_workspace_bytes(m.model), 64u);
  EXPECT_EQ(quern_rt_model_has_entry(m.model, QUERN_RT_FORWARD), 1);
  EXPECT_EQ(quern_rt_model_has_entry(m.model, QUERN_RT_TRAIN_STEP), 1);
  EXPECT_EQ(quern_rt_model_has_entry(m.model, quern_rt_entry(7)), 0);

  ASSERT_EQ(quern_rt_entry_num_inputs(m.model, QUERN_RT_TRAIN_STEP), 3u);
  ASSERT_EQ(quern_rt_entry_num_outputs(m.model, QUERN_RT_TRAIN_STEP), 1u);
  quern_rt_tensor_info info;
  ASSERT_EQ(quern_rt_entry_input(m.model, QUERN_RT_TRAIN_STEP, 1, &info),
            QUERN_RT_OK);
  EXPECT_STREQ(info.name, "target");
  EXPECT_STREQ(info.dtype, "f32");
  ASSERT_EQ(info.rank, 2u);
  EXPECT_EQ(info.dims[0], 1);
  EXPECT_EQ(info.dims[1], 2);
  EXPECT_EQ(info.bytes, 8u);
  EXPECT_EQ(info.role, nullptr);
  ASSERT_EQ(quern_rt_entry_output(m.model, QUERN_RT_TRAIN_STEP, 0, &info),
            QUERN_RT_OK);
  EXPECT_STREQ(info.name, "loss");
  EXPECT_EQ(info.rank, 0u);
  EXPECT_EQ(info.bytes, 4u);

  EXPECT_EQ(quern_rt_entry_input(m.model, QUERN_RT_FORWARD, 1, &info),
            QUERN_RT_ERROR_INVALID_ARGUMENT);
  EXPECT_TRUE(lastErrorContains("input index 1 out of range (1 inputs)"));

  // A float input has no value bounds (test/quern-train/values.test has
  // integer inputs that do).
  quern_rt_value_bounds bounds;
  bounds.bounded = 7;
  ASSERT_EQ(
      quern_rt_entry_input_bounds(m.model, QUERN_RT_TRAIN_STEP, 1, &bounds),
      QUERN_RT_OK);
  EXPECT_EQ(bounds.bounded, 0);
  EXPECT_EQ(quern_rt_entry_input_bounds(m.model, QUERN_RT_FORWARD, 1, &bounds),
            QUERN_RT_ERROR_INVALID_ARGUMENT);
  EXPECT_TRUE(lastErrorContains("input index 1 out of range (1 inputs)"));
  EXPECT_EQ(quern_rt_entry_input_bounds(m.model, QUERN_RT_FORWARD, 0, nullptr),
            QUERN_RT_ERROR_INVALID_ARGUMENT);
  EXPECT_TRUE(lastErrorContains("quern_rt_entry_input_bounds: no such entry"));

  ASSERT_EQ(quern_rt_state_num_tensors(m.model), 3u);
  ASSERT_EQ(quern_rt_state_tensor(m.model, 2, &info), QUERN_RT_OK);
  EXPECT_STREQ(info.name, "step");
  EXPECT_STREQ(info.dtype, "i64");
  EXPECT_STREQ(info.role, "optimizer");
  EXPECT_EQ(info.offset, 128u);
  EXPECT_EQ(info.bytes, 8u);
  EXPECT_EQ(quern_rt_state_tensor(m.model, 3, &info),
            QUERN_RT_ERROR_INVALID_ARGUMENT);
}

TEST(ApiTest, ForwardTrainSaveAndResume) {
  TempDir dir;
  OpenModel m("tinymodel");
  ASSERT_EQ(m.status, QUERN_RT_OK) << quern_rt_last_error();

  // The initial state, as the compiler would write NAME.safetensors.
  const float weights[6] = {1, 0, 0, 0, 1, 0};
  const float bias[2] = {0.5f, -0.5f};
  const int64_t step = 0;
  std::string init = dir.path("tinymodel.safetensors"), error;
  ASSERT_TRUE(
      quern::rt::writeSafeTensors(init,
                                  {{"fc.weight", "f32", {2, 3}, weights, 24},
                                   {"fc.bias", "f32", {2}, bias, 8},
                                   {"step", "i64", {}, &step, 8}},
                                  {}, error))
      << error;
  ASSERT_EQ(quern_rt_state_load(m.model, init.c_str(), m.state), QUERN_RT_OK)
      << quern_rt_last_error();

  float x[3] = {2, 3, 4}, y[2] = {};
  const void *forwardIn[] = {x};
  void *forwardOut[] = {y};
  ASSERT_EQ(
      quern_rt_forward(m.model, m.state, m.workspace, forwardIn, forwardOut),
      QUERN_RT_OK)
      << quern_rt_last_error();
  EXPECT_FLOAT_EQ(y[0], 2.5f);
  EXPECT_FLOAT_EQ(y[1], 2.5f);

  float target[2] = {1, -1}, lr = 0.01f, loss = 0, firstLoss = 0;
  const void *stepIn[] = {x, target, &lr};
  void *stepOut[] = {&loss};
  for (int i = 0; i < 50; ++i) {
    ASSERT_EQ(
        quern_rt_train_step(m.model, m.state, m.workspace, stepIn, stepOut),
        QUERN_RT_OK)
        << quern_rt_last_error();
    if (i == 0)
      firstLoss = loss;
  }
  EXPECT_LT(loss, firstLoss * 0.01f) << "SGD converges on one example";
  int64_t steps;
  std::memcpy(&steps, static_cast<char *>(m.state) + 128, 8);
  EXPECT_EQ(steps, 50);

  // Checkpoint, reopen and resume: same state, same predictions.
  std::string ckpt = dir.path("ckpt.safetensors");
  ASSERT_EQ(quern_rt_state_save(m.model, ckpt.c_str(), m.state), QUERN_RT_OK)
      << quern_rt_last_error();
  OpenModel resumed("tinymodel");
  ASSERT_EQ(quern_rt_state_load(resumed.model, ckpt.c_str(), resumed.state),
            QUERN_RT_OK)
      << quern_rt_last_error();
  EXPECT_EQ(std::memcmp(resumed.state, m.state, 192), 0);
  float again[2] = {};
  void *againOut[] = {again};
  ASSERT_EQ(quern_rt_forward(resumed.model, resumed.state, resumed.workspace,
                             forwardIn, againOut),
            QUERN_RT_OK);
  ASSERT_EQ(
      quern_rt_forward(m.model, m.state, m.workspace, forwardIn, forwardOut),
      QUERN_RT_OK);
  EXPECT_EQ(again[0], y[0]);
  EXPECT_EQ(again[1], y[1]);
}

TEST(ApiTest, RefusesAnotherModelsCheckpoint) {
  TempDir dir;
  OpenModel m("tinymodel");
  ASSERT_EQ(m.status, QUERN_RT_OK) << quern_rt_last_error();
  const float data[4] = {};
  std::string path = dir.path("other.safetensors"), error;
  ASSERT_TRUE(quern::rt::writeSafeTensors(
      path, {{"fc.weight", "f32", {4}, data, 16}}, {}, error));
  EXPECT_EQ(quern_rt_state_load(m.model, path.c_str(), m.state),
            QUERN_RT_ERROR_MISMATCH);
  EXPECT_TRUE(lastErrorContains(path));
  EXPECT_TRUE(lastErrorContains("'fc.weight' is f32 [4]"));
}

TEST(ApiTest, ForwardOnlyModel) {
  OpenModel m("tinyinfer");
  ASSERT_EQ(m.status, QUERN_RT_OK) << quern_rt_last_error();
  EXPECT_EQ(quern_rt_model_has_entry(m.model, QUERN_RT_TRAIN_STEP), 0);
  EXPECT_EQ(quern_rt_entry_num_inputs(m.model, QUERN_RT_TRAIN_STEP), 0u);
  EXPECT_EQ(
      quern_rt_train_step(m.model, m.state, m.workspace, nullptr, nullptr),
      QUERN_RT_ERROR_NO_ENTRY_POINT);
  EXPECT_TRUE(lastErrorContains("model 'tinyinfer' has no train_step"));
}

TEST(ApiTest, EntryPointFailureIsReported) {
  OpenModel m("tinymodel");
  ASSERT_EQ(m.status, QUERN_RT_OK);
  float x[3] = {std::nanf(""), 0, 0}, y[2];
  const void *in[] = {x};
  void *out[] = {y};
  EXPECT_EQ(quern_rt_forward(m.model, m.state, m.workspace, in, out),
            QUERN_RT_ERROR_ENTRY_FAILED);
  EXPECT_TRUE(lastErrorContains("tinymodel_forward returned 3"));
}

TEST(ApiTest, BadBuffersAreCaughtBeforeTheCall) {
  OpenModel m("tinymodel");
  ASSERT_EQ(m.status, QUERN_RT_OK);
  float x[3] = {}, y[2] = {};
  const void *in[] = {x};
  void *out[] = {y};
  const void *noInput[] = {nullptr};
  auto forward = [&](const void *state, void *workspace,
                     const void *const *inputs, void *const *outputs) {
    return quern_rt_forward(m.model, state, workspace, inputs, outputs);
  };
  EXPECT_EQ(forward(nullptr, m.workspace, in, out),
            QUERN_RT_ERROR_INVALID_ARGUMENT);
  EXPECT_TRUE(lastErrorContains("state is NULL"));
  EXPECT_EQ(forward(m.state, nullptr, in, out),
            QUERN_RT_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(forward(m.state, m.workspace, nullptr, out),
            QUERN_RT_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(forward(m.state, m.workspace, noInput, out),
            QUERN_RT_ERROR_INVALID_ARGUMENT);
  EXPECT_TRUE(lastErrorContains("inputs[0] ('x') is NULL"));
  EXPECT_EQ(forward(static_cast<char *>(m.state) + 4, m.workspace, in, out),
            QUERN_RT_ERROR_INVALID_ARGUMENT);
  EXPECT_TRUE(lastErrorContains("not 64-byte aligned"));
  EXPECT_EQ(quern_rt_forward(nullptr, m.state, m.workspace, in, out),
            QUERN_RT_ERROR_INVALID_ARGUMENT);
}

TEST(ApiTest, OpenFailures) {
  quern_rt_model *model = reinterpret_cast<quern_rt_model *>(0x1);
  EXPECT_EQ(quern_rt_model_open("/nonexistent/dir/m.so", &model),
            QUERN_RT_ERROR_LIBRARY);
  EXPECT_EQ(model, nullptr);
  EXPECT_TRUE(lastErrorContains("cannot load '/nonexistent/dir/m.so'"));

  EXPECT_EQ(quern_rt_model_open(nullptr, &model),
            QUERN_RT_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(quern_rt_model_open("x.so", nullptr),
            QUERN_RT_ERROR_INVALID_ARGUMENT);

  EXPECT_EQ(quern_rt_model_open(modelPath("tinyskew").c_str(), &model),
            QUERN_RT_ERROR_MANIFEST);
  EXPECT_EQ(model, nullptr);
  EXPECT_TRUE(lastErrorContains(
      "tinyskew_state_bytes() returns 256 but the manifest says 192"));

  EXPECT_EQ(quern_rt_model_open(modelPath("tinynostep").c_str(), &model),
            QUERN_RT_ERROR_LIBRARY);
  EXPECT_TRUE(lastErrorContains("does not export tinynostep_train_step"));
}

TEST(ApiTest, RenamedLibraryIsRefused) {
  // The name comes from the file name; a renamed library no longer exports
  // the symbols that name implies.
  TempDir dir;
  std::string renamed = dir.path("other.so");
  quern::test::writeFile(renamed,
                         quern::test::readFile(modelPath("tinymodel")));
  quern_rt_model *model = nullptr;
  EXPECT_EQ(quern_rt_model_open(renamed.c_str(), &model),
            QUERN_RT_ERROR_LIBRARY);
  EXPECT_TRUE(lastErrorContains("does not export other_manifest"));
}

TEST(ApiTest, LastErrorIsPerThread) {
  quern_rt_model *model = nullptr;
  quern_rt_model_open("/nonexistent/main-thread.so", &model);
  std::thread([] {
    quern_rt_model *other = nullptr;
    EXPECT_STREQ(quern_rt_last_error(), "");
    quern_rt_model_open("/nonexistent/other-thread.so", &other);
    EXPECT_TRUE(lastErrorContains("other-thread"));
  }).join();
  EXPECT_TRUE(lastErrorContains("main-thread"));
}

TEST(ApiTest, StatusNames) {
  EXPECT_STREQ(quern_rt_status_name(QUERN_RT_OK), "QUERN_RT_OK");
  EXPECT_STREQ(quern_rt_status_name(QUERN_RT_ERROR_MISMATCH),
               "QUERN_RT_ERROR_MISMATCH");
  EXPECT_STREQ(quern_rt_status_name(-1), "unknown status");
}

TEST(ApiTest, UsableFromC99) {
  EXPECT_EQ(quernTestRunFromC(modelPath("tinymodel").c_str()), 0)
      << quern_rt_last_error();
}

} // namespace
