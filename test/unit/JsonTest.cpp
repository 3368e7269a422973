//===- JsonTest.cpp - Tests of the runtime's JSON parser ------------------===//
//
// This file is part of Quern.
//
//===----------------------------------------------------------------------===//

#include "Json.h"

#include <gtest/gtest.h>

using quern::rt::JsonKind;
using quern::rt::JsonValue;
using quern::rt::parseJson;
using quern::rt::quoteJson;

namespace {

JsonValue parseOk(const std::string &text) {
  JsonValue value;
  std::string error;
  EXPECT_TRUE(parseJson(text, value, error)) << text << ": " << error;
  return value;
}

TEST(JsonTest, Literals) {
  EXPECT_TRUE(parseOk("null").isNull());
  EXPECT_TRUE(parseOk("true").boolean);
  JsonValue no = parseOk("false");
  EXPECT_TRUE(no.isBool());
  EXPECT_FALSE(no.boolean);
  EXPECT_TRUE(parseOk(" \t\r\n true \n").boolean);
}

TEST(JsonTest, Numbers) {
  JsonValue twelve = parseOk("12");
  EXPECT_TRUE(twelve.isInteger);
  EXPECT_EQ(twelve.integer, 12);
  EXPECT_EQ(twelve.number, 12.0);
  EXPECT_EQ(parseOk("-7").integer, -7);
  EXPECT_EQ(parseOk("-0").integer, 0);
  JsonValue half = parseOk("1.5");
  EXPECT_FALSE(half.isInteger);
  EXPECT_EQ(half.number, 1.5);
  EXPECT_EQ(parseOk("2.5E-2").number, 0.025);
  EXPECT_EQ(parseOk("-1e+2").number, -100.0);
}

TEST(JsonTest, IntegersBeyondDoublePrecisionStayExact) {
  JsonValue big = parseOk("9007199254740993"); // 2^53 + 1
  int64_t value;
  ASSERT_TRUE(big.getInt64(value));
  EXPECT_EQ(value, 9007199254740993LL);
  EXPECT_EQ(parseOk("9223372036854775807").integer, INT64_MAX);
  EXPECT_EQ(parseOk("-9223372036854775808").integer, INT64_MIN);
  // One past int64: still a number, but not an exact integer.
  JsonValue tooBig = parseOk("9223372036854775808");
  EXPECT_FALSE(tooBig.isInteger);
  EXPECT_FALSE(tooBig.getInt64(value));
}

TEST(JsonTest, GetInt64AcceptsOnlyIntegralValues) {
  int64_t value = 0;
  EXPECT_TRUE(parseOk("1e3").getInt64(value));
  EXPECT_EQ(value, 1000);
  EXPECT_TRUE(parseOk("4.0").getInt64(value));
  EXPECT_EQ(value, 4);
  EXPECT_FALSE(parseOk("1.5").getInt64(value));
  EXPECT_FALSE(parseOk("\"1\"").getInt64(value));
  EXPECT_FALSE(parseOk("1e300").getInt64(value));
}

TEST(JsonTest, StringEscapes) {
  EXPECT_EQ(parseOk(R"("a\"b\\c\/d\be\ff\ng\rh\ti")").string,
            "a\"b\\c/d\be\ff\ng\rh\ti");
  EXPECT_EQ(parseOk(R"("\u0041\u00e9\u20AC")").string, "A\xC3\xA9\xE2\x82\xAC");
  // A surrogate pair is one code point (U+1F600), four UTF-8 bytes.
  EXPECT_EQ(parseOk(R"("\ud83d\ude00")").string, "\xF0\x9F\x98\x80");
  EXPECT_EQ(parseOk(R"("\u0000")").string, std::string(1, '\0'));
  // Raw UTF-8 passes through unchanged.
  EXPECT_EQ(parseOk("\"caf\xC3\xA9 \xF0\x9F\x98\x80\"").string,
            "caf\xC3\xA9 \xF0\x9F\x98\x80");
  EXPECT_EQ(parseOk("\"\"").string, "");
}

TEST(JsonTest, Nesting) {
  JsonValue root =
      parseOk(R"( {"a": [1, {"b": []}, "x"], "c": {}, "d": null} )");
  ASSERT_TRUE(root.isObject());
  EXPECT_EQ(root.keys, (std::vector<std::string>{"a", "c", "d"}));
  const JsonValue *a = root.get("a");
  ASSERT_TRUE(a && a->isArray());
  ASSERT_EQ(a->elements.size(), 3u);
  EXPECT_EQ(a->elements[0].integer, 1);
  const JsonValue *b = a->elements[1].get("b");
  ASSERT_TRUE(b && b->isArray());
  EXPECT_TRUE(b->elements.empty());
  EXPECT_EQ(a->elements[2].string, "x");
  EXPECT_TRUE(root.get("c")->isObject());
  EXPECT_TRUE(root.get("d")->isNull());
  EXPECT_EQ(root.get("missing"), nullptr);
  EXPECT_EQ(a->get("a"), nullptr); // get() on an array
}

TEST(JsonTest, ModerateNestingIsAccepted) {
  std::string text = std::string(200, '[') + std::string(200, ']');
  EXPECT_TRUE(parseOk(text).isArray());
}

struct InvalidCase {
  std::string text;
  size_t offset;
  std::string message;
};

class JsonInvalidTest : public testing::TestWithParam<InvalidCase> {};

TEST_P(JsonInvalidTest, ReportsOffset) {
  const InvalidCase &c = GetParam();
  JsonValue value;
  std::string error;
  size_t offset = 12345;
  ASSERT_FALSE(parseJson(c.text, value, error, &offset)) << c.text;
  EXPECT_EQ(offset, c.offset) << c.text << ": " << error;
  EXPECT_NE(error.find(c.message), std::string::npos) << error;
  EXPECT_NE(error.find("at byte " + std::to_string(c.offset)),
            std::string::npos)
      << error;
}

INSTANTIATE_TEST_SUITE_P(
    Json, JsonInvalidTest,
    testing::Values(
        InvalidCase{"", 0, "unexpected end of input"},
        InvalidCase{"   ", 3, "unexpected end of input"},
        InvalidCase{"{", 1, "expected a string key"},
        InvalidCase{"{\"a\":}", 5, "unexpected character"},
        InvalidCase{"{\"a\" 1}", 5, "expected ':'"},
        InvalidCase{"{\"a\":1,}", 7, "expected a string key"},
        InvalidCase{"{\"a\":1 \"b\":2}", 7, "expected ',' or '}'"},
        InvalidCase{"{1:2}", 1, "expected a string key"},
        InvalidCase{"[1,]", 3, "unexpected character"},
        InvalidCase{"[1 2]", 3, "expected ',' or ']'"},
        InvalidCase{"[1", 2, "unexpected end of input in array"},
        InvalidCase{"01", 1, "unexpected trailing characters"},
        InvalidCase{"[1] x", 4, "unexpected trailing characters"},
        InvalidCase{"1.", 2, "expected a digit after '.'"},
        InvalidCase{"-", 1, "expected a digit"},
        InvalidCase{"+1", 0, "unexpected character"},
        InvalidCase{"1e", 2, "expected a digit in exponent"},
        InvalidCase{"1e999", 0, "number out of range"},
        InvalidCase{"tru", 0, "invalid literal"},
        InvalidCase{"nul", 0, "invalid literal"},
        InvalidCase{"\"abc", 0, "unterminated string"},
        InvalidCase{"'a'", 0, "unexpected character"},
        InvalidCase{"\"\\x\"", 1, "invalid escape"},
        InvalidCase{"\"\\u12\"", 3, "truncated \\u escape"},
        InvalidCase{"\"\\u12G4\"", 5, "invalid hex digit"},
        InvalidCase{"\"\\ud800\"", 1, "unpaired high surrogate"},
        InvalidCase{"\"\\ud800\\u0041\"", 1, "unpaired high surrogate"},
        InvalidCase{"\"\\udc00\"", 1, "unpaired low surrogate"},
        InvalidCase{"\"a\x01\"", 2, "control character in string"},
        InvalidCase{"\"a\nb\"", 2, "control character in string"},
        InvalidCase{"\"\xff\"", 1, "invalid UTF-8"},
        InvalidCase{"\"\xC0\xAF\"", 1, "invalid UTF-8"},         // overlong
        InvalidCase{"\"\xED\xA0\x80\"", 1, "invalid UTF-8"},     // surrogate
        InvalidCase{"\"\xF4\x90\x80\x80\"", 1, "invalid UTF-8"}, // > U+10FFFF
        InvalidCase{"\"\xE2\x82\"", 1, "invalid UTF-8"},         // truncated
        InvalidCase{"{\"a\":1,\"a\":2}", 7, "duplicate key \"a\""},
        InvalidCase{std::string(300, '['), 256, "nesting too deep"}));

TEST(JsonTest, FailureLeavesOutputUnchanged) {
  JsonValue value = parseOk("[1, 2]");
  std::string error;
  EXPECT_FALSE(parseJson("[3, 4", value, error));
  ASSERT_TRUE(value.isArray());
  EXPECT_EQ(value.elements.size(), 2u);
  EXPECT_EQ(value.elements[1].integer, 2);
}

TEST(JsonTest, QuoteRoundTrips) {
  std::string text = "quote\" backslash\\ slash/ \n\r\t\b\f";
  for (char c = 1; c < 0x20; ++c)
    text += c;
  text += std::string(1, '\0') + "caf\xC3\xA9";
  std::string quoted = quoteJson(text);
  EXPECT_EQ(quoted.find('\n'), std::string::npos);
  EXPECT_EQ(parseOk(quoted).string, text);
  EXPECT_EQ(quoteJson("x\x01y"), "\"x\\u0001y\"");
}

} // namespace
