//===- TensorProto.cpp - Reading serialized ONNX TensorProtos -------------===//
//
// This file is part of Quern.
//
//===----------------------------------------------------------------------===//

#include "TensorProto.h"
#include "Files.h"

#include "Session.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iterator>
#include <limits>

using namespace quern::train;

namespace {
/// A range of the file's bytes.
struct Span {
  const uint8_t *begin = nullptr;
  const uint8_t *end = nullptr;

  size_t size() const { return size_t(end - begin); }
};

enum WireType : unsigned {
  Varint = 0,
  Fixed64 = 1,
  LengthDelimited = 2,
  StartGroup = 3,
  EndGroup = 4,
  Fixed32 = 5,
};

/// The TensorProto fields read here, apart from the value fields below.
enum FieldNumber : unsigned {
  DimsField = 1,
  DataTypeField = 2,
  SegmentField = 3,
  StringDataField = 6,
  RawDataField = 9,
  ExternalDataField = 13,
  DataLocationField = 14,
};

/// Reads the protobuf wire format from a span of the file. A failure
/// records what went wrong and at which byte of the file.
class WireReader {
public:
  WireReader(Span span, const uint8_t *fileBegin)
      : pos(span.begin), end(span.end), fileBegin(fileBegin) {}

  bool atEnd() const { return pos == end; }
  const std::string &problem() const { return whatWentWrong; }

  bool readTag(unsigned &field, unsigned &wireType) {
    tagStart = pos;
    uint64_t tag;
    if (!readVarint(tag))
      return false;
    if (tag >> 3 == 0 || tag >> 3 > maxFieldNumber)
      return fail("field number " + std::to_string(tag >> 3), tagStart);
    field = unsigned(tag >> 3);
    wireType = unsigned(tag & 7);
    if (wireType > Fixed32)
      return fail("wire type " + std::to_string(wireType), tagStart);
    return true;
  }

  bool readVarint(uint64_t &value) {
    const uint8_t *start = pos;
    value = 0;
    for (unsigned shift = 0; shift < 64; shift += 7) {
      if (pos == end)
        return fail("truncated varint", start);
      uint8_t byte = *pos++;
      value |= uint64_t(byte & 0x7f) << shift;
      if (!(byte & 0x80))
        return true;
    }
    return fail("varint longer than 10 bytes", start);
  }

  /// A value of wire type Varint, Fixed32 or Fixed64, as its bits.
  bool readValue(WireType encoding, uint64_t &value) {
    if (encoding == Varint)
      return readVarint(value);
    size_t bytes = encoding == Fixed32 ? 4 : 8;
    if (size_t(end - pos) < bytes)
      return fail("truncated value", pos);
    value = 0;
    for (size_t i = 0; i < bytes; ++i)
      value |= uint64_t(pos[i]) << (8 * i);
    pos += bytes;
    return true;
  }

  bool readLengthDelimited(Span &span) {
    const uint8_t *start = pos;
    uint64_t length;
    if (!readVarint(length))
      return false;
    if (length > uint64_t(end - pos))
      return fail("a field of " + std::to_string(length) +
                      " bytes runs past the end of the file",
                  start);
    span = {pos, pos + length};
    pos += length;
    return true;
  }

  /// One occurrence of a repeated scalar field, which the writer may have
  /// packed (a length-delimited run of values) or not (one value): either
  /// way a run of values encoded as `encoding`.
  bool readRun(const char *name, unsigned wireType, WireType encoding,
               Span &run) {
    if (wireType == LengthDelimited)
      return readLengthDelimited(run);
    if (!expect(name, wireType, encoding))
      return false;
    run.begin = pos;
    uint64_t value;
    if (!readValue(encoding, value))
      return false;
    run.end = pos;
    return true;
  }

  /// Checks the wire type of a field this reader knows.
  bool expect(const char *name, unsigned wireType, WireType wanted) {
    if (wireType == wanted)
      return true;
    return fail(std::string(name) + " with wire type " +
                    std::to_string(wireType),
                tagStart);
  }

  /// Skips the value of a field nobody reads. A group (proto2) ends at the
  /// end-group tag of its own field.
  bool skip(unsigned field, unsigned wireType, unsigned depth = 0) {
    uint64_t value;
    Span span;
    switch (wireType) {
    case Varint:
      return readVarint(value);
    case Fixed64:
      return readValue(Fixed64, value);
    case Fixed32:
      return readValue(Fixed32, value);
    case LengthDelimited:
      return readLengthDelimited(span);
    case EndGroup:
      return fail("end-group tag outside a group", tagStart);
    }
    if (depth == maxGroupDepth)
      return fail("groups nested too deeply", tagStart);
    const uint8_t *groupStart = tagStart;
    for (;;) {
      if (atEnd())
        return fail("unterminated group", groupStart);
      unsigned innerField, innerType;
      if (!readTag(innerField, innerType))
        return false;
      if (innerType == EndGroup)
        return innerField == field ||
               fail("end-group tag of another field", tagStart);
      if (!skip(innerField, innerType, depth + 1))
        return false;
    }
  }

private:
  static constexpr uint64_t maxFieldNumber = (1u << 29) - 1;
  static constexpr unsigned maxGroupDepth = 64;

  bool fail(const std::string &what, const uint8_t *at) {
    whatWentWrong = what + " at byte " + std::to_string(at - fileBegin);
    return false;
  }

  const uint8_t *pos;
  const uint8_t *end;
  const uint8_t *fileBegin;
  const uint8_t *tagStart = nullptr;
  std::string whatWentWrong;
};

/// The repeated numeric fields that hold the values when raw_data does not.
enum ValueFieldIndex {
  FloatData,
  Int32Data,
  Int64Data,
  DoubleData,
  Uint64Data,
};

struct ValueField {
  unsigned number;
  const char *name;
  WireType encoding;
};

/// A TensorProto.DataType and how quern-train reads it.
struct OnnxType {
  int64_t code;
  const char *name;
  const char *dtype = nullptr; // manifest spelling; null: not supported
  size_t bytes = 0;
  ValueFieldIndex field = FloatData; // where the values are without raw_data
  // The values the typed field may hold, its bits read as int64: int32_data
  // also carries the narrow types, uint64_data carries UINT32.
  int64_t min = 0;
  int64_t max = 0;
};
} // namespace

static const ValueField valueFields[] = {
    {4, "float_data", Fixed32},  {5, "int32_data", Varint},
    {7, "int64_data", Varint},   {10, "double_data", Fixed64},
    {11, "uint64_data", Varint},
};
static constexpr size_t numValueFields = std::size(valueFields);

static constexpr int64_t int64Min = std::numeric_limits<int64_t>::min();
static constexpr int64_t int64Max = std::numeric_limits<int64_t>::max();

static const OnnxType onnxTypes[] = {
    {1, "FLOAT", "f32", 4, FloatData, 0, UINT32_MAX},
    {2, "UINT8", "u8", 1, Int32Data, 0, UINT8_MAX},
    {3, "INT8", "i8", 1, Int32Data, INT8_MIN, INT8_MAX},
    {4, "UINT16", "u16", 2, Int32Data, 0, UINT16_MAX},
    {5, "INT16", "i16", 2, Int32Data, INT16_MIN, INT16_MAX},
    {6, "INT32", "i32", 4, Int32Data, INT32_MIN, INT32_MAX},
    {7, "INT64", "i64", 8, Int64Data, int64Min, int64Max},
    {8, "STRING"},
    {9, "BOOL", "bool", 1, Int32Data, 0, 1},
    {10, "FLOAT16", "f16", 2, Int32Data, 0, UINT16_MAX},
    {11, "DOUBLE", "f64", 8, DoubleData, int64Min, int64Max},
    {12, "UINT32", "u32", 4, Uint64Data, 0, UINT32_MAX},
    {13, "UINT64", "u64", 8, Uint64Data, int64Min, int64Max},
    {14, "COMPLEX64"},
    {15, "COMPLEX128"},
    {16, "BFLOAT16", "bf16", 2, Int32Data, 0, UINT16_MAX},
    {17, "FLOAT8E4M3FN"},
    {18, "FLOAT8E4M3FNUZ"},
    {19, "FLOAT8E5M2"},
    {20, "FLOAT8E5M2FNUZ"},
    {21, "UINT4"},
    {22, "INT4"},
    {23, "FLOAT4E2M1"},
    {24, "FLOAT8E8M0"},
};

namespace {
/// The fields of a TensorProto that matter here, as spans of the file.
struct TensorFields {
  std::vector<int64_t> dims;
  int64_t dataType = 0;
  int64_t dataLocation = 0; // 1: EXTERNAL
  bool hasRawData = false;
  Span rawData;
  std::vector<Span> values[numValueFields];
  bool hasSegment = false;
  bool hasStringData = false;
  bool hasExternalData = false;
};
} // namespace

static const ValueField *findValueField(unsigned number, size_t &index) {
  for (index = 0; index < numValueFields; ++index)
    if (valueFields[index].number == number)
      return &valueFields[index];
  return nullptr;
}

/// Reads the fields of the message; name (8), doc_string (12) and fields
/// newer than this reader are skipped. Fails only on a broken wire format.
static bool parseFields(Span file, TensorFields &fields, std::string &problem) {
  WireReader reader(file, file.begin);
  auto fail = [&](const WireReader &failed) {
    problem = failed.problem();
    return false;
  };
  while (!reader.atEnd()) {
    unsigned field, wireType;
    if (!reader.readTag(field, wireType))
      return fail(reader);
    uint64_t value;
    Span span;
    size_t index;
    if (const ValueField *valueField = findValueField(field, index)) {
      if (!reader.readRun(valueField->name, wireType, valueField->encoding,
                          span))
        return fail(reader);
      if (span.size())
        fields.values[index].push_back(span);
      continue;
    }
    switch (field) {
    case DimsField: {
      if (!reader.readRun("dims", wireType, Varint, span))
        return fail(reader);
      WireReader run(span, file.begin);
      while (!run.atEnd()) {
        if (!run.readVarint(value))
          return fail(run);
        fields.dims.push_back(int64_t(value));
      }
      continue;
    }
    case DataTypeField:
    case DataLocationField:
      // int32 and enum values arrive sign-extended to 64 bits.
      if (!reader.expect(field == DataTypeField ? "data_type" : "data_location",
                         wireType, Varint) ||
          !reader.readVarint(value))
        return fail(reader);
      (field == DataTypeField ? fields.dataType : fields.dataLocation) =
          int32_t(uint32_t(value));
      continue;
    case RawDataField:
      if (!reader.expect("raw_data", wireType, LengthDelimited) ||
          !reader.readLengthDelimited(fields.rawData))
        return fail(reader);
      fields.hasRawData = true;
      continue;
    case SegmentField:
      fields.hasSegment = true;
      break;
    case StringDataField:
      fields.hasStringData = true;
      break;
    case ExternalDataField:
      fields.hasExternalData = true;
      break;
    }
    if (!reader.skip(field, wireType))
      return fail(reader);
  }
  return true;
}

/// Reads the values of a typed field, checking that each fits the data
/// type, and counts them; with `out`, also stores them there. Each value
/// lands in its element as the low bytes of its bits, since the targets
/// Quern runs on are little-endian.
static bool decodeValues(const std::vector<Span> &runs, const OnnxType &type,
                         const uint8_t *fileBegin, uint8_t *out, size_t &count,
                         std::string &what) {
  const ValueField &field = valueFields[type.field];
  count = 0;
  for (Span runSpan : runs) {
    WireReader run(runSpan, fileBegin);
    while (!run.atEnd()) {
      uint64_t value;
      if (!run.readValue(field.encoding, value)) {
        what = "not a valid ONNX TensorProto (" + run.problem() + ")";
        return false;
      }
      // An int32 arrives sign-extended to 64 bits, or, from a lax writer,
      // as its 32 bits: protobuf keeps the low 32 either way.
      if (type.field == Int32Data)
        value = uint64_t(int64_t(int32_t(uint32_t(value))));
      if (int64_t(value) < type.min || int64_t(value) > type.max) {
        what = std::string(field.name) + " value " +
               std::to_string(int64_t(value)) + " does not fit " + type.name;
        return false;
      }
      if (out)
        std::memcpy(out + count * type.bytes, &value, type.bytes);
      ++count;
    }
  }
  return true;
}

/// Fills `array` from the parsed fields; `what` is set to a message
/// without the file name on failure.
static bool decodeTensor(const TensorFields &fields, const uint8_t *fileBegin,
                         HostArray &array, std::string &what) {
  if (fields.dataLocation == 1 || fields.hasExternalData) {
    what = "external data is not supported in --data files";
    return false;
  }
  if (fields.hasSegment) {
    what = "segmented tensors are not supported";
    return false;
  }
  if (fields.dataType == 0) {
    what = "not a valid ONNX TensorProto (no data_type)";
    return false;
  }
  const OnnxType *type = nullptr;
  for (const OnnxType &candidate : onnxTypes)
    if (candidate.code == fields.dataType)
      type = &candidate;
  if (!type) {
    what = "unknown ONNX data type " + std::to_string(fields.dataType);
    return false;
  }
  if (!type->dtype) {
    what = "ONNX data type " + std::string(type->name) + " is not supported";
    return false;
  }
  array.dtype = type->dtype;
  array.elementBytes = type->bytes;
  array.shape = fields.dims;

  std::string spec = formatSpec(array.dtype, array.shape);
  size_t elements = 1;
  for (int64_t dim : array.shape) {
    if (dim < 0) {
      what = "negative dimension in " + spec;
      return false;
    }
    if (dim != 0 &&
        elements > std::numeric_limits<size_t>::max() / 16 / size_t(dim)) {
      what = "shape too large: " + spec;
      return false;
    }
    elements *= size_t(dim);
  }
  size_t bytes = elements * type->bytes;

  const ValueField &typedField = valueFields[type->field];
  auto misplaced = [&](const char *fieldName) {
    what = std::string("a ") + type->name + " tensor keeps its values in " +
           typedField.name + " or raw_data, not " + fieldName;
    return false;
  };
  if (fields.hasStringData)
    return misplaced("string_data");
  for (size_t i = 0; i < numValueFields; ++i)
    if (i != size_t(type->field) && !fields.values[i].empty())
      return misplaced(valueFields[i].name);

  const std::vector<Span> &runs = fields.values[type->field];
  if (fields.hasRawData) {
    if (!runs.empty()) {
      what =
          std::string("both raw_data and ") + typedField.name + " hold values";
      return false;
    }
    if (fields.rawData.size() != bytes) {
      what = "raw_data holds " + std::to_string(fields.rawData.size()) +
             " bytes but " + spec + " needs " + std::to_string(bytes);
      return false;
    }
    array.data.assign(fields.rawData.begin, fields.rawData.end);
    return true;
  }

  // The values are checked and counted before any memory is set aside for
  // them: the dims alone could ask for any amount.
  size_t count = 0;
  if (!decodeValues(runs, *type, fileBegin, nullptr, count, what))
    return false;
  if (count != elements) {
    what = std::string(typedField.name) + " holds " + std::to_string(count) +
           " values but " + spec + " needs " + std::to_string(elements);
    return false;
  }
  array.data.resize(bytes);
  return decodeValues(runs, *type, fileBegin, array.data.data(), count, what);
}

bool quern::train::readTensorProto(const std::string &path, HostArray &array,
                                   std::string &error) {
  std::FILE *file = openRegularFile(path, error);
  if (!file)
    return false;
  std::vector<uint8_t> bytes;
  uint8_t chunk[1 << 16];
  size_t got;
  while ((got = std::fread(chunk, 1, sizeof(chunk), file)) > 0)
    bytes.insert(bytes.end(), chunk, chunk + got);
  int readError = std::ferror(file) ? errno : 0;
  std::fclose(file);
  if (readError) {
    error = "cannot read '" + path + "': " + std::strerror(readError);
    return false;
  }

  Span whole = {bytes.data(), bytes.data() + bytes.size()};
  TensorFields fields;
  std::string what;
  if (!parseFields(whole, fields, what)) {
    error = "'" + path + "': not a valid ONNX TensorProto (" + what + ")";
    return false;
  }
  if (!decodeTensor(fields, whole.begin, array, what)) {
    error = "'" + path + "': " + what;
    return false;
  }
  return true;
}
