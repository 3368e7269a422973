//===- SafeTensorsTest.cpp - Tests of safetensors reading and writing -----===//
//
// This file is part of Quern.
//
//===----------------------------------------------------------------------===//

#include "TestUtil.h"

#include "quern/SafeTensors.h"

#include <gtest/gtest.h>

#include <cstring>

using namespace quern::rt;
using quern::test::rawSafeTensors;
using quern::test::TempDir;

namespace {

bool contains(const std::string &text, const std::string &part) {
  return text.find(part) != std::string::npos;
}

TEST(SafeTensorsTest, RoundTrip) {
  TempDir dir;
  const float weights[6] = {1, 2, 3, 4, 5, 6};
  const int64_t step = 42;
  const uint8_t bytes[5] = {9, 8, 7, 6, 5};
  const uint16_t halves[3] = {0x3f80, 0x4000, 0xbf80};
  std::vector<TensorRef> tensors = {
      {"w", "f32", {2, 3}, weights, sizeof(weights)},
      {"step", "i64", {}, &step, sizeof(step)},
      {"empty", "bf16", {0, 4}, nullptr, 0},
      {"bytes", "u8", {5}, bytes, sizeof(bytes)},
      {"h", "bf16", {3}, halves, sizeof(halves)},
  };
  std::string path = dir.path("t.safetensors"), error;
  ASSERT_TRUE(writeSafeTensors(
      path, tensors, {{"format", "pt"}, {"note", "caf\xC3\xA9"}}, error))
      << error;

  SafeTensorsFile file;
  ASSERT_TRUE(file.open(path, error)) << error;
  EXPECT_EQ(file.path(), path);
  EXPECT_EQ(file.tensors().size(), tensors.size());
  for (const TensorRef &expected : tensors) {
    const TensorView *view = file.find(expected.name);
    ASSERT_NE(view, nullptr) << expected.name;
    EXPECT_EQ(view->dtype, expected.dtype);
    EXPECT_EQ(view->shape, expected.shape);
    ASSERT_EQ(view->bytes, expected.bytes);
    if (expected.bytes) {
      EXPECT_EQ(std::memcmp(view->data, expected.data, expected.bytes), 0);
    }
  }
  EXPECT_EQ(file.find("missing"), nullptr);
  EXPECT_EQ(file.metadata().at("format"), "pt");
  EXPECT_EQ(file.metadata().at("note"), "caf\xC3\xA9");
}

// Large all-zero tensors (a fresh optimizer state) are written as holes:
// between written tensors and at the end of the file, they read back as
// zeros and the file has its whole size.
TEST(SafeTensorsTest, ZerosReadBackFromHoles) {
  TempDir dir;
  std::vector<float> zeros(1 << 16, 0.0f), moments(1 << 16, 0.0f);
  std::vector<float> weights(1 << 16);
  for (size_t i = 0; i < weights.size(); ++i)
    weights[i] = static_cast<float>(i) + 1;
  moments.back() = 3; // Almost all zeros is not all zeros.
  size_t bytes = zeros.size() * sizeof(float);
  std::vector<TensorRef> tensors = {
      {"a", "f32", {1 << 16}, zeros.data(), bytes},
      {"w", "f32", {1 << 16}, weights.data(), bytes},
      {"m", "f32", {1 << 16}, moments.data(), bytes},
      {"z", "f32", {1 << 16}, zeros.data(), bytes},
  };
  std::string path = dir.path("zeros.safetensors"), error;
  ASSERT_TRUE(writeSafeTensors(path, tensors, {}, error)) << error;
  SafeTensorsFile file;
  ASSERT_TRUE(file.open(path, error)) << error;
  for (const TensorRef &expected : tensors) {
    const TensorView *view = file.find(expected.name);
    ASSERT_NE(view, nullptr) << expected.name;
    ASSERT_EQ(view->bytes, bytes);
    EXPECT_EQ(std::memcmp(view->data, expected.data, bytes), 0)
        << expected.name;
  }
}

TEST(SafeTensorsTest, LayoutFollowsTheSpec) {
  TempDir dir;
  const float a[1] = {1.5f};
  const float b[2] = {2.5f, 3.5f};
  std::string path = dir.path("t.safetensors"), error;
  ASSERT_TRUE(writeSafeTensors(
      path, {{"zeta", "f32", {1}, a, 4}, {"alpha", "f32", {2}, b, 8}}, {},
      error))
      << error;
  std::string raw = quern::test::readFile(path);
  ASSERT_GE(raw.size(), 8u);
  uint64_t headerBytes = 0;
  for (int i = 7; i >= 0; --i)
    headerBytes = (headerBytes << 8) | static_cast<unsigned char>(raw[i]);
  EXPECT_EQ(headerBytes % 8, 0u) << "header is padded to 8 bytes";
  ASSERT_EQ(raw.size(), 8 + headerBytes + 12);
  std::string header = raw.substr(8, headerBytes);
  EXPECT_EQ(header.front(), '{');
  EXPECT_FALSE(contains(header, "__metadata__")) << "no metadata given";
  // Data are in the order given, not sorted by name.
  EXPECT_TRUE(contains(header, "\"zeta\":{\"dtype\":\"F32\",\"shape\":[1],"
                               "\"data_offsets\":[0,4]}"))
      << header;
  EXPECT_TRUE(contains(header, "\"data_offsets\":[4,12]")) << header;
  EXPECT_EQ(std::memcmp(raw.data() + 8 + headerBytes, a, 4), 0);
  EXPECT_EQ(std::memcmp(raw.data() + 8 + headerBytes + 4, b, 8), 0);
}

TEST(SafeTensorsTest, OverwriteLeavesNoTemporaryFiles) {
  TempDir dir;
  const int32_t one = 1, two = 2;
  std::string path = dir.path("state.safetensors"), error;
  ASSERT_TRUE(writeSafeTensors(path, {{"x", "i32", {}, &one, 4}}, {}, error));
  ASSERT_TRUE(writeSafeTensors(path, {{"x", "i32", {}, &two, 4}}, {}, error));
  EXPECT_EQ(dir.list(), std::vector<std::string>{"state.safetensors"});
  SafeTensorsFile file;
  ASSERT_TRUE(file.open(path, error)) << error;
  int32_t value;
  std::memcpy(&value, file.find("x")->data, 4);
  EXPECT_EQ(value, 2);
}

TEST(SafeTensorsTest, WriterRejectsBadTensorsWithoutCreatingAFile) {
  TempDir dir;
  const float data[4] = {};
  const std::string path = dir.path("bad.safetensors");
  struct Case {
    std::vector<TensorRef> tensors;
    std::map<std::string, std::string> metadata;
    std::string message;
  };
  const Case cases[] = {
      {{{"w", "f8", {4}, data, 4}}, {}, "unknown dtype 'f8'"},
      {{{"w", "F32", {4}, data, 16}}, {}, "unknown dtype 'F32'"},
      {{{"w", "f32", {4}, data, 12}}, {}, "has 12 bytes but shape [4]"},
      {{{"w", "f32", {-1}, data, 4}}, {}, "invalid shape [-1]"},
      {{{"w", "f32", {1}, data, 4}, {"w", "f32", {1}, data, 4}},
       {},
       "'w' is given twice"},
      {{{"__metadata__", "f32", {1}, data, 4}}, {}, "reserved"},
      {{{"", "f32", {1}, data, 4}}, {}, "empty name"},
      {{{"w", "f32", {1}, nullptr, 4}}, {}, "no data"},
      {{{"w\xff", "f32", {1}, data, 4}}, {}, "not valid UTF-8"},
      {{}, {{"k", "\xC0\xAF"}}, "not valid UTF-8"},
  };
  for (const Case &c : cases) {
    std::string error;
    EXPECT_FALSE(writeSafeTensors(path, c.tensors, c.metadata, error));
    EXPECT_TRUE(contains(error, c.message)) << error;
    EXPECT_TRUE(contains(error, path)) << error;
  }
  EXPECT_TRUE(dir.list().empty());
}

TEST(SafeTensorsTest, WriterReportsMissingFolder) {
  TempDir dir;
  std::string error;
  EXPECT_FALSE(
      writeSafeTensors(dir.path("no/such/dir/x.safetensors"), {}, {}, error));
  EXPECT_TRUE(contains(error, "no/such/dir")) << error;
}

TEST(SafeTensorsTest, EmptyFileWithoutTensorsIsValid) {
  TempDir dir;
  std::string path = dir.path("e.safetensors"), error;
  ASSERT_TRUE(writeSafeTensors(path, {}, {}, error)) << error;
  SafeTensorsFile file;
  ASSERT_TRUE(file.open(path, error)) << error;
  EXPECT_TRUE(file.tensors().empty());
}

TEST(SafeTensorsTest, ReadsForeignLayouts) {
  // Whitespace, keys in any order, data not in key order, unknown fields:
  // all allowed by the format and produced by other writers.
  TempDir dir;
  std::string path = dir.path("f.safetensors"), error;
  std::string data("\x01\x00\x02\x00\x07", 5);
  quern::test::writeFile(
      path,
      rawSafeTensors(
          R"({ "b" : {"data_offsets": [4, 5], "shape": [1], )"
          R"("dtype": "BOOL", "extra": 1},)"
          R"( "a": {"dtype": "I16", "shape": [2], "data_offsets": [0, 4]},)"
          R"( "__metadata__": {"format": "pt"}}    )",
          data));
  SafeTensorsFile file;
  ASSERT_TRUE(file.open(path, error)) << error;
  EXPECT_EQ(file.find("a")->dtype, "i16");
  EXPECT_EQ(file.find("b")->dtype, "bool");
  EXPECT_EQ(*static_cast<const char *>(file.find("b")->data), 7);
}

TEST(SafeTensorsTest, MovedFileKeepsItsMapping) {
  TempDir dir;
  const float value = 3.25f;
  std::string path = dir.path("m.safetensors"), error;
  ASSERT_TRUE(writeSafeTensors(path, {{"v", "f32", {}, &value, 4}}, {}, error));
  SafeTensorsFile first;
  ASSERT_TRUE(first.open(path, error)) << error;
  SafeTensorsFile second = std::move(first);
  EXPECT_TRUE(first.tensors().empty());
  float read;
  std::memcpy(&read, second.find("v")->data, 4);
  EXPECT_EQ(read, 3.25f);
}

struct BadFile {
  std::string name;
  std::string bytes;
  std::string message;
};

class SafeTensorsInvalidTest : public testing::TestWithParam<BadFile> {};

TEST_P(SafeTensorsInvalidTest, IsRefused) {
  TempDir dir;
  const BadFile &bad = GetParam();
  std::string path = dir.path(bad.name + ".safetensors"), error;
  quern::test::writeFile(path, bad.bytes);
  SafeTensorsFile file;
  EXPECT_FALSE(file.open(path, error));
  EXPECT_TRUE(contains(error, bad.message)) << error;
  EXPECT_TRUE(contains(error, path)) << "names the file: " << error;
  EXPECT_TRUE(file.tensors().empty());
}

std::string f32Header(const std::string &name, const std::string &shape,
                      const std::string &offsets) {
  return "\"" + name + "\": {\"dtype\": \"F32\", \"shape\": " + shape +
         ", \"data_offsets\": " + offsets + "}";
}

INSTANTIATE_TEST_SUITE_P(
    SafeTensors, SafeTensorsInvalidTest,
    testing::Values(
        BadFile{"empty", "", "truncated to 0 bytes"},
        BadFile{"short", "abcde", "truncated to 5 bytes"},
        BadFile{"headerPastEnd",
                rawSafeTensors("{}", "").replace(0, 1, "\xE8"), // 232
                "header length 232 runs past the end of the 10-byte file"},
        BadFile{"headerTruncated",
                rawSafeTensors("{" + f32Header("w", "[1]", "[0, 4]") + "}",
                               std::string(4, '\0'))
                    .substr(0, 20),
                "runs past the end of the 20-byte file"},
        BadFile{"notJson", rawSafeTensors("{\"w\": ", ""),
                "header: unexpected end of input at byte 6"},
        BadFile{"notObject", rawSafeTensors("[1, 2]", ""),
                "header is not a JSON object"},
        BadFile{"tensorNotObject", rawSafeTensors("{\"w\": 3}", ""),
                "tensor 'w' is not an object"},
        BadFile{
            "noDtype",
            rawSafeTensors(R"({"w": {"shape": [], "data_offsets": [0, 4]}})",
                           std::string(4, '\0')),
            "tensor 'w' has no dtype"},
        BadFile{"unknownDtype",
                rawSafeTensors(R"({"w": {"dtype": "F8_E4M3", "shape": [1],)"
                               R"( "data_offsets": [0, 1]}})",
                               std::string(1, '\0')),
                "tensor 'w' has unknown dtype 'F8_E4M3'"},
        BadFile{"negativeDim",
                rawSafeTensors("{" + f32Header("w", "[-1]", "[0, 4]") + "}",
                               std::string(4, '\0')),
                "tensor 'w' has no valid shape"},
        BadFile{"reversedOffsets",
                rawSafeTensors("{" + f32Header("w", "[0]", "[4, 0]") + "}",
                               std::string(4, '\0')),
                "tensor 'w' has no valid data_offsets"},
        BadFile{"offsetsPastEnd",
                rawSafeTensors("{" + f32Header("w", "[4]", "[0, 16]") + "}",
                               std::string(8, '\0')),
                "data_offsets [0, 16] run past the end of the 8-byte data"},
        BadFile{"sizeMismatch",
                rawSafeTensors("{" + f32Header("w", "[2, 3]", "[0, 20]") + "}",
                               std::string(20, '\0')),
                "tensor 'w' has shape [2, 3] of f32 but data_offsets [0, 20] "
                "hold 20 bytes"},
        BadFile{"overlap",
                rawSafeTensors("{" + f32Header("a", "[2]", "[0, 8]") + ", " +
                                   f32Header("b", "[2]", "[4, 12]") + "}",
                               std::string(12, '\0')),
                "tensor 'b' overlaps tensor 'a'"},
        BadFile{"gap",
                rawSafeTensors("{" + f32Header("a", "[1]", "[0, 4]") + ", " +
                                   f32Header("b", "[1]", "[8, 12]") + "}",
                               std::string(12, '\0')),
                "gap in the data area before tensor 'b'"},
        BadFile{"trailingData",
                rawSafeTensors("{" + f32Header("a", "[1]", "[0, 4]") + "}",
                               std::string(8, '\0')),
                "the data area has 8 bytes but the tensors cover 4"},
        BadFile{"duplicateName",
                rawSafeTensors("{" + f32Header("a", "[1]", "[0, 4]") + ", " +
                                   f32Header("a", "[1]", "[4, 8]") + "}",
                               std::string(8, '\0')),
                "duplicate key \"a\""},
        BadFile{"metadataNotObject",
                rawSafeTensors(R"({"__metadata__": [1]})", ""),
                "__metadata__ is not an object"},
        BadFile{"metadataNotString",
                rawSafeTensors(R"({"__metadata__": {"step": 3}})", ""),
                "__metadata__ entry 'step' is not a string"}),
    [](const testing::TestParamInfo<BadFile> &param) {
      return param.param.name;
    });

TEST(SafeTensorsTest, MissingFile) {
  SafeTensorsFile file;
  std::string error;
  EXPECT_FALSE(file.open("/nonexistent/x.safetensors", error));
  EXPECT_TRUE(contains(error, "cannot open '/nonexistent/x.safetensors'"))
      << error;
}

TEST(SafeTensorsTest, Folder) {
  TempDir dir;
  SafeTensorsFile file;
  std::string error;
  EXPECT_FALSE(file.open(dir.path(""), error));
  EXPECT_TRUE(contains(error, "not a regular file")) << error;
}

} // namespace
