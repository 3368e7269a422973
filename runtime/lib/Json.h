//===- Json.h - Minimal JSON values and parser ------------------*- C++ -*-===//
//
// This file is part of Quern.
//
//===----------------------------------------------------------------------===//
//
// The runtime reads two kinds of JSON: the manifest embedded in a compiled
// model and the header of a safetensors file. The latter comes from files a
// user hands us, so the parser is strict (RFC 8259, valid UTF-8, no duplicate
// keys, bounded nesting) and reports where it stopped as a byte offset rather
// than trusting its input. It depends on nothing outside the standard library
// because the runtime must not pull in LLVM.
//
//===----------------------------------------------------------------------===//

#ifndef QUERN_RUNTIME_JSON_H
#define QUERN_RUNTIME_JSON_H

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace quern::rt {

enum class JsonKind { Null, Bool, Number, String, Array, Object };

/// One node of a parsed document. A plain aggregate: the consumers (manifest
/// and safetensors readers) walk it once and copy out what they need.
struct JsonValue {
  JsonKind kind = JsonKind::Null;
  bool boolean = false;
  /// Every number has a double value; `isInteger` additionally says the
  /// literal had no fraction or exponent and fits in int64, so byte offsets
  /// above 2^53 survive exactly.
  double number = 0;
  bool isInteger = false;
  int64_t integer = 0;
  std::string string;
  /// Array elements, or object member values in document order.
  std::vector<JsonValue> elements;
  /// Object member keys, parallel to `elements`.
  std::vector<std::string> keys;

  bool isNull() const { return kind == JsonKind::Null; }
  bool isBool() const { return kind == JsonKind::Bool; }
  bool isNumber() const { return kind == JsonKind::Number; }
  bool isString() const { return kind == JsonKind::String; }
  bool isArray() const { return kind == JsonKind::Array; }
  bool isObject() const { return kind == JsonKind::Object; }

  /// Returns the member named `key` of an object, or null if absent or if
  /// this is not an object.
  const JsonValue *get(std::string_view key) const;

  /// Extracts an exact int64: integer literals, and integral doubles such as
  /// 1e3 that are exactly representable. False for anything else.
  bool getInt64(int64_t &out) const;
};

/// Parses `text` as exactly one JSON value, optionally surrounded by
/// whitespace. On failure returns false, leaves `out` unchanged, sets `error`
/// to a message ending in "at byte N" and, if given, `errorOffset` to N.
bool parseJson(std::string_view text, JsonValue &out, std::string &error,
               size_t *errorOffset = nullptr);

/// Returns `text` as a quoted JSON string literal. `text` is taken to be
/// UTF-8; control characters, quotes and backslashes are escaped.
std::string quoteJson(std::string_view text);

} // namespace quern::rt

#endif // QUERN_RUNTIME_JSON_H
