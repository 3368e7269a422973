//===- Quantization.cpp - block quantization of frozen weights --*- C++ -*-===//

#include "passes/Quantize/Quantization.h"

#include "llvm/ADT/StringSwitch.h"

#include <cmath>

using namespace mlir;
using namespace quern;

StringRef quern::quantSchemeName(QuantScheme scheme) {
  return stringifyQuantScheme(scheme);
}

std::optional<QuantScheme> quern::parseQuantScheme(StringRef name) {
  std::optional<QuantScheme> scheme = symbolizeQuantScheme(name);
  if (scheme == QuantScheme::uint4 || scheme == QuantScheme::uint8)
    return std::nullopt;
  return scheme;
}

/// The parts by kind (their names are kQuantPartNames'): suffix, whether
/// they are codes.
static constexpr struct {
  const char *suffix;
  bool isCodes;
} kParts[] = {
    {"", true},                // codes
    {".scales", false},        // scales
    {".scales", true},         // scale_codes
    {".scales.scales", false}, // scale_scales
    {".scales.offset", false}, // scale_offset
};
static_assert(std::size(kParts) == std::size(kQuantPartNames),
              "one entry per part");

std::vector<QuantPart> quern::quantParts(const QuantSpec &spec,
                                         int64_t elements) {
  assert(elements % spec.block == 0 && "quern-quantize takes whole blocks");
  int64_t blocks = elements / spec.block;
  auto part = [](QuantPart::Kind kind, int64_t count) {
    return QuantPart{kind, kParts[kind].suffix, kParts[kind].isCodes, count};
  };
  std::vector<QuantPart> parts = {part(
      QuantPart::Codes, elements * DequantizeOp::codeBits(spec.scheme) / 8)};
  if (!spec.doubleQuant) {
    parts.push_back(part(QuantPart::Scales, blocks));
    return parts;
  }
  parts.push_back(part(QuantPart::ScaleCodes, blocks));
  parts.push_back(
      part(QuantPart::ScaleScales, llvm::divideCeil(blocks, kScaleBlock)));
  parts.push_back(part(QuantPart::ScaleOffset, 1));
  return parts;
}

std::optional<QuantPart::Kind> quern::parseQuantPart(StringRef name) {
  const auto *found = llvm::find(kQuantPartNames, name);
  if (found == std::end(kQuantPartNames))
    return std::nullopt;
  return QuantPart::Kind(found - std::begin(kQuantPartNames));
}

StringRef quern::quantPartName(QuantPart::Kind kind) {
  return kQuantPartNames[kind];
}

ArrayRef<char> QuantizedWeight::bytes(QuantPart::Kind kind) const {
  auto of = [](const auto &values) {
    return ArrayRef<char>(reinterpret_cast<const char *>(values.data()),
                          values.size() * sizeof(values[0]));
  };
  switch (kind) {
  case QuantPart::Codes:
    return of(codes);
  case QuantPart::Scales:
    return of(scales);
  case QuantPart::ScaleCodes:
    return of(scaleCodes);
  case QuantPart::ScaleScales:
    return of(scaleScales);
  case QuantPart::ScaleOffset:
    return ArrayRef<char>(reinterpret_cast<const char *>(&offset),
                          sizeof(offset));
  }
  llvm_unreachable("every part has bytes");
}

/// The largest |value| of each block of `block` values (the last may be
/// shorter).
static std::vector<float> absmaxPerBlock(ArrayRef<float> values,
                                         int64_t block) {
  std::vector<float> absmax;
  for (size_t start = 0; start < values.size(); start += block) {
    float largest = 0;
    for (float value :
         values.slice(start, std::min<size_t>(block, values.size() - start)))
      largest = std::max(largest, std::fabs(value));
    absmax.push_back(largest);
  }
  return absmax;
}

/// Symmetric integer codes in [-limit, limit] of `values` in blocks, and
/// each block's scale absmax / limit.
static void quantizeSymmetric(ArrayRef<float> values, int64_t block,
                              float limit, std::vector<int8_t> &codes,
                              std::vector<float> &scales) {
  scales = absmaxPerBlock(values, block);
  for (float &scale : scales)
    scale /= limit;
  codes.resize(values.size());
  for (size_t i = 0; i < values.size(); ++i) {
    float scale = scales[i / block];
    float code = scale == 0 ? 0 : std::nearbyint(values[i] / scale);
    codes[i] = static_cast<int8_t>(std::clamp(code, -limit, limit));
  }
}

/// The nf4 code of each value: the nearest level to value / absmax.
static void quantizeNF4(ArrayRef<float> values, int64_t block,
                        std::vector<int8_t> &codes,
                        std::vector<float> &scales) {
  ArrayRef<float> levels = DequantizeOp::nf4Levels();
  scales = absmaxPerBlock(values, block);
  codes.resize(values.size());
  for (size_t i = 0; i < values.size(); ++i) {
    float absmax = scales[i / block];
    float normalized = absmax == 0 ? 0 : values[i] / absmax;
    int8_t nearest = 0;
    for (int8_t code = 1; code < 16; ++code)
      if (std::fabs(normalized - levels[code]) <
          std::fabs(normalized - levels[nearest]))
        nearest = code;
    codes[i] = nearest;
  }
}

std::optional<QuantizedWeight> quern::quantizeWeight(const QuantSpec &spec,
                                                     ArrayRef<float> values,
                                                     std::string &error) {
  for (auto [position, value] : llvm::enumerate(values))
    if (!std::isfinite(value)) {
      error = "element " + std::to_string(position) + " is " +
              (std::isnan(value) ? "NaN" : "infinite") +
              ", which no scale can quantize";
      return std::nullopt;
    }
  QuantizedWeight weight;
  std::vector<int8_t> codes;
  switch (spec.scheme) {
  case QuantScheme::nf4:
    quantizeNF4(values, spec.block, codes, weight.scales);
    break;
  case QuantScheme::int4:
    quantizeSymmetric(values, spec.block, 7, codes, weight.scales);
    break;
  case QuantScheme::int8:
    quantizeSymmetric(values, spec.block, 127, codes, weight.scales);
    break;
  case QuantScheme::uint4:
  case QuantScheme::uint8:
    llvm_unreachable("quern-quantize writes nf4, int4 and int8 codes");
  }
  if (DequantizeOp::codeBits(spec.scheme) == 8) {
    weight.codes = std::move(codes);
  } else {
    // Two codes a byte, the first in the low nibble.
    weight.codes.resize(codes.size() / 2);
    for (size_t i = 0; i < weight.codes.size(); ++i)
      weight.codes[i] = static_cast<int8_t>((codes[2 * i] & 0xF) |
                                            ((codes[2 * i + 1] & 0xF) << 4));
  }
  if (spec.doubleQuant) {
    double sum = 0;
    for (float scale : weight.scales)
      sum += scale;
    weight.offset = static_cast<float>(sum / weight.scales.size());
    std::vector<float> centred;
    for (float scale : weight.scales)
      centred.push_back(scale - weight.offset);
    quantizeSymmetric(centred, kScaleBlock, 127, weight.scaleCodes,
                      weight.scaleScales);
    weight.scales.clear();
  }
  return weight;
}
