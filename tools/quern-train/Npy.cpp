//===- Npy.cpp - Reading NumPy .npy files ---------------------------------===//
//
// This file is part of Quern.
//
//===----------------------------------------------------------------------===//

#include "Npy.h"
#include "Files.h"

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <limits>

using namespace quern::train;

namespace {
/// Reads the header dict, e.g. "{'descr': '<f4', 'fortran_order': False,
/// 'shape': (8, 16), }": a Python literal, so quotes may be either kind and
/// a 1-tuple has a trailing comma.
class HeaderParser {
public:
  explicit HeaderParser(const std::string &text) : text(text) {}

  bool parse(std::string &descr, bool &fortranOrder,
             std::vector<int64_t> &shape) {
    bool haveDescr = false, haveOrder = false, haveShape = false;
    if (!consume('{'))
      return false;
    while (!consume('}')) {
      std::string key;
      if (!readString(key) || !consume(':'))
        return false;
      if (key == "descr") {
        // A list here is a structured dtype, which has no manifest type.
        if (!readString(descr))
          return false;
        haveDescr = true;
      } else if (key == "fortran_order") {
        if (!readWord(fortranOrder))
          return false;
        haveOrder = true;
      } else if (key == "shape") {
        if (!readShape(shape))
          return false;
        haveShape = true;
      } else {
        return false;
      }
      consume(',');
    }
    return haveDescr && haveOrder && haveShape;
  }

private:
  void skipSpace() {
    while (pos < text.size() && std::isspace((unsigned char)text[pos]))
      ++pos;
  }
  bool consume(char c) {
    skipSpace();
    if (pos < text.size() && text[pos] == c) {
      ++pos;
      return true;
    }
    return false;
  }
  bool readString(std::string &out) {
    skipSpace();
    if (pos >= text.size() || (text[pos] != '\'' && text[pos] != '"'))
      return false;
    char quote = text[pos++];
    size_t end = text.find(quote, pos);
    if (end == std::string::npos)
      return false;
    out = text.substr(pos, end - pos);
    pos = end + 1;
    return true;
  }
  bool readWord(bool &value) {
    skipSpace();
    for (const char *word : {"True", "False"})
      if (text.compare(pos, std::strlen(word), word) == 0) {
        pos += std::strlen(word);
        value = word[0] == 'T';
        return true;
      }
    return false;
  }
  bool readShape(std::vector<int64_t> &shape) {
    if (!consume('('))
      return false;
    while (!consume(')')) {
      skipSpace();
      int64_t dim = 0;
      size_t start = pos;
      while (pos < text.size() && std::isdigit((unsigned char)text[pos])) {
        if (dim > (std::numeric_limits<int64_t>::max() - 9) / 10)
          return false;
        dim = dim * 10 + (text[pos++] - '0');
      }
      // NumPy may write 3L on Python 2.
      if (pos < text.size() && text[pos] == 'L')
        ++pos;
      if (pos == start)
        return false;
      shape.push_back(dim);
      consume(',');
    }
    return true;
  }

  const std::string &text;
  size_t pos = 0;
};

struct NpyType {
  const char *descr; // without the byte-order character
  const char *dtype;
  size_t bytes;
};
} // namespace

static const NpyType npyTypes[] = {
    {"f2", "f16", 2}, {"f4", "f32", 4}, {"f8", "f64", 8}, {"i1", "i8", 1},
    {"i2", "i16", 2}, {"i4", "i32", 4}, {"i8", "i64", 8}, {"u1", "u8", 1},
    {"u2", "u16", 2}, {"u4", "u32", 4}, {"u8", "u64", 8}, {"b1", "bool", 1},
};

/// Maps a dtype descr such as "<f4" to the manifest's "f32".
static bool mapDescr(const std::string &descr, HostArray &array,
                     std::string &error) {
  if (descr.size() >= 2) {
    char order = descr[0];
    std::string kind = descr.substr(1);
    for (const NpyType &type : npyTypes) {
      if (kind != type.descr)
        continue;
      // One-byte types are written with '|'; x86 and AArch64 Linux, the
      // targets Quern runs on, are little-endian, so '=' is '<'.
      bool littleEndian =
          order == '<' || order == '=' || (order == '|' && type.bytes == 1);
      if (!littleEndian) {
        error = "big-endian dtype '" + descr +
                "' (save it as little-endian: arr.astype(arr.dtype"
                ".newbyteorder('<')))";
        return false;
      }
      array.dtype = type.dtype;
      array.elementBytes = type.bytes;
      return true;
    }
  }
  error = "unsupported dtype '" + descr + "'";
  return false;
}

/// `text` on one line: a newline (which ends every .npy header) as \n,
/// other control bytes as \xNN, at most 200 characters.
static std::string printable(const std::string &text) {
  std::string out;
  for (unsigned char c : text) {
    if (out.size() >= 200)
      return out + "...";
    if (c == '\n') {
      out += "\\n";
    } else if (c < 0x20 || c >= 0x7f) {
      char hex[5];
      std::snprintf(hex, sizeof hex, "\\x%02x", c);
      out += hex;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

bool quern::train::readNpy(const std::string &path, HostArray &array,
                           std::string &error) {
  std::FILE *file = openRegularFile(path, error);
  if (!file)
    return false;
  auto fail = [&](const std::string &what) {
    std::fclose(file);
    error = "'" + path + "': " + what;
    return false;
  };

  unsigned char prefix[12];
  if (std::fread(prefix, 1, 10, file) != 10 ||
      std::memcmp(prefix, "\x93NUMPY", 6) != 0)
    return fail("not a .npy file");
  unsigned major = prefix[6];
  size_t headerBytes;
  if (major == 1) {
    headerBytes = prefix[8] | size_t(prefix[9]) << 8;
  } else if (major == 2 || major == 3) {
    if (std::fread(prefix + 10, 1, 2, file) != 2)
      return fail("truncated header");
    headerBytes = prefix[8] | size_t(prefix[9]) << 8 |
                  size_t(prefix[10]) << 16 | size_t(prefix[11]) << 24;
  } else {
    return fail("unsupported .npy version " + std::to_string(major));
  }
  // np.save pads headers to 64 bytes; anything near this bound is damage.
  if (headerBytes > (1u << 20))
    return fail("header of " + std::to_string(headerBytes) + " bytes");
  std::string header(headerBytes, '\0');
  if (std::fread(header.data(), 1, headerBytes, file) != headerBytes)
    return fail("truncated header");

  std::string descr;
  bool fortranOrder = false;
  if (!HeaderParser(header).parse(descr, fortranOrder, array.shape))
    return fail("cannot parse the header '" + printable(header) + "'");
  std::string dtypeError;
  if (!mapDescr(descr, array, dtypeError))
    return fail(dtypeError);
  if (fortranOrder && array.shape.size() > 1)
    return fail("Fortran-order array (save np.ascontiguousarray(arr))");

  size_t elements = 1;
  for (int64_t dim : array.shape) {
    if (dim != 0 &&
        elements > std::numeric_limits<size_t>::max() / 16 / size_t(dim))
      return fail("shape too large");
    elements *= size_t(dim);
  }
  size_t bytes = elements * array.elementBytes;
  // Compare with what the file holds before allocating what a damaged
  // header may promise.
  long start = std::ftell(file);
  if (start < 0 || std::fseek(file, 0, SEEK_END) != 0)
    return fail("cannot read the data");
  size_t available = size_t(std::ftell(file) - start);
  std::fseek(file, start, SEEK_SET);
  if (available < bytes)
    return fail("truncated data: the header promises " + std::to_string(bytes) +
                " bytes");
  if (available > bytes)
    return fail("data after the array");
  array.data.resize(bytes);
  if (std::fread(array.data.data(), 1, bytes, file) != bytes)
    return fail("cannot read the data");
  std::fclose(file);
  return true;
}
