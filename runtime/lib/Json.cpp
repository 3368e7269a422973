//===- Json.cpp - Minimal JSON values and parser --------------------------===//
//
// This file is part of Quern.
//
//===----------------------------------------------------------------------===//

#include "Json.h"

#include <charconv>
#include <cmath>
#include <unordered_set>

namespace quern::rt {

const JsonValue *JsonValue::get(std::string_view key) const {
  if (kind != JsonKind::Object)
    return nullptr;
  for (size_t i = 0; i < keys.size(); ++i)
    if (keys[i] == key)
      return &elements[i];
  return nullptr;
}

bool JsonValue::getInt64(int64_t &out) const {
  if (kind != JsonKind::Number)
    return false;
  if (isInteger) {
    out = integer;
    return true;
  }
  // Beyond 2^53 a double no longer identifies one integer; refuse rather
  // than silently round a size or an offset.
  const double limit = 9007199254740992.0; // 2^53
  if (std::trunc(number) != number || std::fabs(number) > limit)
    return false;
  out = static_cast<int64_t>(number);
  return true;
}

namespace {

/// Deep enough for any manifest or header, shallow enough that a hostile
/// "[[[[..." cannot overflow the stack of the recursive descent.
constexpr unsigned kMaxDepth = 256;

/// The two-character escapes: a backslash followed by kEscapeLetters[i]
/// stands for kEscapedChars[i].
constexpr std::string_view kEscapeLetters = "\"\\/bfnrt";
constexpr std::string_view kEscapedChars = "\"\\/\b\f\n\r\t";

class Parser {
public:
  explicit Parser(std::string_view input) : text(input) {}

  bool parseDocument(JsonValue &out) {
    skipWhitespace();
    if (!parseValue(out, 0))
      return false;
    skipWhitespace();
    if (pos != text.size())
      return fail(pos, "unexpected trailing characters");
    return true;
  }

  const std::string &error() const { return message; }
  size_t errorOffset() const { return offset; }

private:
  bool fail(size_t at, const std::string &what) {
    message = what + " at byte " + std::to_string(at);
    offset = at;
    return false;
  }

  bool atEnd() const { return pos >= text.size(); }
  char peek() const { return text[pos]; }

  void skipWhitespace() {
    while (!atEnd() && (peek() == ' ' || peek() == '\t' || peek() == '\n' ||
                        peek() == '\r'))
      ++pos;
  }

  bool parseValue(JsonValue &out, unsigned depth) {
    if (atEnd())
      return fail(pos, "unexpected end of input");
    switch (peek()) {
    case '{':
      return parseObject(out, depth);
    case '[':
      return parseArray(out, depth);
    case '"':
      out.kind = JsonKind::String;
      return parseString(out.string);
    case 't':
      out.kind = JsonKind::Bool;
      out.boolean = true;
      return parseLiteral("true");
    case 'f':
      out.kind = JsonKind::Bool;
      out.boolean = false;
      return parseLiteral("false");
    case 'n':
      out.kind = JsonKind::Null;
      return parseLiteral("null");
    default:
      if (peek() == '-' || (peek() >= '0' && peek() <= '9'))
        return parseNumber(out);
      return fail(pos, "unexpected character");
    }
  }

  bool parseLiteral(std::string_view word) {
    if (text.substr(pos, word.size()) != word)
      return fail(pos, "invalid literal");
    pos += word.size();
    return true;
  }

  bool parseObject(JsonValue &out, unsigned depth) {
    if (depth >= kMaxDepth)
      return fail(pos, "nesting too deep");
    out.kind = JsonKind::Object;
    ++pos; // '{'
    std::unordered_set<std::string> seen;
    skipWhitespace();
    if (!atEnd() && peek() == '}') {
      ++pos;
      return true;
    }
    while (true) {
      skipWhitespace();
      if (atEnd() || peek() != '"')
        return fail(pos, "expected a string key");
      size_t keyOffset = pos;
      std::string key;
      if (!parseString(key))
        return false;
      // Two readers may pick different duplicates; a checkpoint whose
      // meaning depends on the reader is refused outright.
      if (!seen.insert(key).second)
        return fail(keyOffset, "duplicate key \"" + key + "\"");
      skipWhitespace();
      if (atEnd() || peek() != ':')
        return fail(pos, "expected ':'");
      ++pos;
      skipWhitespace();
      out.keys.push_back(std::move(key));
      out.elements.emplace_back();
      if (!parseValue(out.elements.back(), depth + 1))
        return false;
      skipWhitespace();
      if (atEnd())
        return fail(pos, "unexpected end of input in object");
      if (peek() == '}') {
        ++pos;
        return true;
      }
      if (peek() != ',')
        return fail(pos, "expected ',' or '}'");
      ++pos;
    }
  }

  bool parseArray(JsonValue &out, unsigned depth) {
    if (depth >= kMaxDepth)
      return fail(pos, "nesting too deep");
    out.kind = JsonKind::Array;
    ++pos; // '['
    skipWhitespace();
    if (!atEnd() && peek() == ']') {
      ++pos;
      return true;
    }
    while (true) {
      skipWhitespace();
      out.elements.emplace_back();
      if (!parseValue(out.elements.back(), depth + 1))
        return false;
      skipWhitespace();
      if (atEnd())
        return fail(pos, "unexpected end of input in array");
      if (peek() == ']') {
        ++pos;
        return true;
      }
      if (peek() != ',')
        return fail(pos, "expected ',' or ']'");
      ++pos;
    }
  }

  bool parseHex4(uint32_t &value) {
    if (text.size() - pos < 4)
      return fail(pos, "truncated \\u escape");
    value = 0;
    for (int i = 0; i < 4; ++i) {
      char c = text[pos + i];
      uint32_t digit;
      if (c >= '0' && c <= '9')
        digit = c - '0';
      else if (c >= 'a' && c <= 'f')
        digit = c - 'a' + 10;
      else if (c >= 'A' && c <= 'F')
        digit = c - 'A' + 10;
      else
        return fail(pos + i, "invalid hex digit in \\u escape");
      value = value * 16 + digit;
    }
    pos += 4;
    return true;
  }

  static void appendUtf8(std::string &out, uint32_t cp) {
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }

  bool parseEscape(std::string &out) {
    size_t start = pos - 1; // the backslash
    if (atEnd())
      return fail(pos, "unterminated string");
    char c = text[pos++];
    size_t simple = kEscapeLetters.find(c);
    if (simple != std::string_view::npos) {
      out += kEscapedChars[simple];
      return true;
    }
    if (c != 'u')
      return fail(start, "invalid escape");
    uint32_t cp;
    if (!parseHex4(cp))
      return false;
    if (cp >= 0xDC00 && cp <= 0xDFFF)
      return fail(start, "unpaired low surrogate");
    if (cp >= 0xD800 && cp <= 0xDBFF) {
      if (text.substr(pos, 2) != "\\u")
        return fail(start, "unpaired high surrogate");
      pos += 2;
      uint32_t low;
      if (!parseHex4(low))
        return false;
      if (low < 0xDC00 || low > 0xDFFF)
        return fail(start, "unpaired high surrogate");
      cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
    }
    appendUtf8(out, cp);
    return true;
  }

  /// Copies one well-formed UTF-8 sequence starting at `pos`: JSON text must
  /// be UTF-8, and names we accept end up in error messages and files.
  bool copyUtf8Sequence(std::string &out) {
    auto byteAt = [&](size_t i) { return static_cast<unsigned char>(text[i]); };
    unsigned char lead = byteAt(pos);
    size_t length;
    uint32_t min, cp;
    if (lead >= 0xC2 && lead <= 0xDF) {
      length = 2, min = 0x80, cp = lead & 0x1F;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
      length = 3, min = 0x800, cp = lead & 0x0F;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
      length = 4, min = 0x10000, cp = lead & 0x07;
    } else {
      return fail(pos, "invalid UTF-8");
    }
    if (text.size() - pos < length)
      return fail(pos, "invalid UTF-8");
    for (size_t i = 1; i < length; ++i) {
      unsigned char next = byteAt(pos + i);
      if ((next & 0xC0) != 0x80)
        return fail(pos, "invalid UTF-8");
      cp = (cp << 6) | (next & 0x3F);
    }
    // Overlong forms, UTF-16 surrogates and values past U+10FFFF.
    if (cp < min || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
      return fail(pos, "invalid UTF-8");
    out.append(text.data() + pos, length);
    pos += length;
    return true;
  }

  bool parseString(std::string &out) {
    size_t start = pos;
    ++pos; // opening quote
    while (true) {
      if (atEnd())
        return fail(start, "unterminated string");
      unsigned char c = static_cast<unsigned char>(peek());
      if (c == '"') {
        ++pos;
        return true;
      }
      if (c == '\\') {
        ++pos;
        if (!parseEscape(out))
          return false;
      } else if (c < 0x20) {
        return fail(pos, "control character in string");
      } else if (c < 0x80) {
        out += static_cast<char>(c);
        ++pos;
      } else if (!copyUtf8Sequence(out)) {
        return false;
      }
    }
  }

  bool parseNumber(JsonValue &out) {
    size_t start = pos;
    auto isDigit = [&] { return !atEnd() && peek() >= '0' && peek() <= '9'; };
    if (peek() == '-')
      ++pos;
    if (!isDigit())
      return fail(pos, "expected a digit");
    // JSON forbids leading zeros: "01" is not a number.
    if (peek() == '0')
      ++pos;
    else
      while (isDigit())
        ++pos;
    bool isIntegral = true;
    if (!atEnd() && peek() == '.') {
      isIntegral = false;
      ++pos;
      if (!isDigit())
        return fail(pos, "expected a digit after '.'");
      while (isDigit())
        ++pos;
    }
    if (!atEnd() && (peek() == 'e' || peek() == 'E')) {
      isIntegral = false;
      ++pos;
      if (!atEnd() && (peek() == '+' || peek() == '-'))
        ++pos;
      if (!isDigit())
        return fail(pos, "expected a digit in exponent");
      while (isDigit())
        ++pos;
    }
    const char *first = text.data() + start;
    const char *last = text.data() + pos;
    out.kind = JsonKind::Number;
    // from_chars, unlike strtod, ignores the process locale: a host program
    // that sets a comma decimal separator must not change what we parse.
    auto [ptr, ec] = std::from_chars(first, last, out.number);
    if (ec != std::errc() || ptr != last)
      return fail(start, "number out of range");
    if (isIntegral) {
      auto [intPtr, intEc] = std::from_chars(first, last, out.integer);
      out.isInteger = intEc == std::errc() && intPtr == last;
    }
    return true;
  }

  std::string_view text;
  size_t pos = 0;
  std::string message;
  size_t offset = 0;
};

} // namespace

bool parseJson(std::string_view text, JsonValue &out, std::string &error,
               size_t *errorOffset) {
  Parser parser(text);
  JsonValue value;
  if (parser.parseDocument(value)) {
    out = std::move(value);
    return true;
  }
  error = parser.error();
  if (errorOffset)
    *errorOffset = parser.errorOffset();
  return false;
}

std::string quoteJson(std::string_view text) {
  static const char kHex[] = "0123456789abcdef";
  std::string out = "\"";
  for (char c : text) {
    // '/' may be escaped but need not be; keep paths readable.
    size_t simple = c == '/' ? std::string_view::npos : kEscapedChars.find(c);
    if (simple != std::string_view::npos) {
      out += '\\';
      out += kEscapeLetters[simple];
    } else if (static_cast<unsigned char>(c) < 0x20) {
      out += "\\u00";
      out += kHex[(c >> 4) & 0xF];
      out += kHex[c & 0xF];
    } else {
      out += c;
    }
  }
  return out + "\"";
}

} // namespace quern::rt
