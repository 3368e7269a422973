//===- Quantization.cpp - block quantization of frozen weights --*- C++ -*-===//

#include "passes/Quantize/Quantization.h"

#include "llvm/ADT/StringSwitch.h"
#include "llvm/Support/Parallel.h"

#include <algorithm>
#include <array>
#include <atomic>
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

/// Calls `perChunk(begin, end)` for consecutive chunks of `chunk` of
/// [0, size) on all cores: a billion-parameter model's weights quantize in
/// seconds. Chunks are independent, so the result does not depend on the
/// thread count.
static void
forEachChunk(size_t size, size_t chunk,
             llvm::function_ref<void(size_t begin, size_t end)> perChunk) {
  llvm::parallelFor(0, (size + chunk - 1) / chunk, [&](size_t index) {
    perChunk(index * chunk, std::min(size, (index + 1) * chunk));
  });
}

/// Elements a chunk of a whole-tensor pass takes: enough that scheduling
/// costs nothing.
constexpr size_t kElementsPerChunk = size_t(1) << 18;

/// Calls `perBlock(blockIndex, values)` for every block of `block` values
/// (the last may be shorter), on all cores.
static void
forEachBlock(ArrayRef<float> values, int64_t block,
             llvm::function_ref<void(size_t, ArrayRef<float>)> perBlock) {
  size_t blocks = (values.size() + block - 1) / block;
  forEachChunk(
      blocks, std::max<size_t>(1, kElementsPerChunk / block),
      [&](size_t begin, size_t end) {
        for (size_t index = begin; index < end; ++index) {
          size_t start = index * block;
          perBlock(index,
                   values.slice(
                       start, std::min<size_t>(block, values.size() - start)));
        }
      });
}

static float absmax(ArrayRef<float> values) {
  float largest = 0;
  for (float value : values)
    largest = std::max(largest, std::fabs(value));
  return largest;
}

/// Symmetric integer codes in [-limit, limit] of `values` in blocks, and
/// each block's scale absmax / limit.
static void quantizeSymmetric(ArrayRef<float> values, int64_t block,
                              float limit, std::vector<int8_t> &codes,
                              std::vector<float> &scales) {
  scales.resize((values.size() + block - 1) / block);
  codes.resize(values.size());
  forEachBlock(values, block, [&](size_t index, ArrayRef<float> part) {
    float scale = absmax(part) / limit;
    scales[index] = scale;
    int8_t *out = codes.data() + index * block;
    for (float value : part) {
      float code = scale == 0 ? 0 : std::nearbyint(value / scale);
      *out++ = static_cast<int8_t>(std::clamp(code, -limit, limit));
    }
  });
}

/// The nf4 code of each value: the nearest level to value / absmax, the
/// lower code on a tie. The levels ascend, so counting the midpoints
/// between them below a value finds the nearest; the exact distances then
/// decide between it and its neighbours, as a search over all 16 would.
static void quantizeNF4(ArrayRef<float> values, int64_t block,
                        std::vector<int8_t> &codes,
                        std::vector<float> &scales) {
  ArrayRef<float> levels = DequantizeOp::nf4Levels();
  std::array<float, 15> midpoints;
  for (int code = 0; code < 15; ++code)
    midpoints[code] = (levels[code] + levels[code + 1]) / 2;
  scales.resize((values.size() + block - 1) / block);
  codes.resize(values.size());
  forEachBlock(values, block, [&](size_t index, ArrayRef<float> part) {
    float scale = absmax(part);
    scales[index] = scale;
    int8_t *out = codes.data() + index * block;
    for (float value : part) {
      float normalized = scale == 0 ? 0 : value / scale;
      // Counted without branches: random weights defeat a branchy search.
      int guess = 0;
      for (float midpoint : midpoints)
        guess += normalized >= midpoint;
      int nearest = std::max(guess - 1, 0);
      float best = std::fabs(normalized - levels[nearest]);
      for (int code = nearest + 1; code <= std::min(guess + 1, 15); ++code) {
        float distance = std::fabs(normalized - levels[code]);
        nearest = distance < best ? code : nearest;
        best = std::min(distance, best);
      }
      *out++ = static_cast<int8_t>(nearest);
    }
  });
}

std::optional<QuantizedWeight> quern::quantizeWeight(const QuantSpec &spec,
                                                     ArrayRef<float> values,
                                                     std::string &error) {
  // The first element no scale can quantize, if any.
  std::atomic<size_t> firstBad = values.size();
  forEachChunk(values.size(), kElementsPerChunk, [&](size_t begin, size_t end) {
    for (size_t position = begin; position < end; ++position)
      if (!std::isfinite(values[position])) {
        size_t seen = firstBad.load();
        while (position < seen &&
               !firstBad.compare_exchange_weak(seen, position)) {
        }
        return;
      }
  });
  if (size_t position = firstBad.load(); position < values.size()) {
    error = "element " + std::to_string(position) + " is " +
            (std::isnan(values[position]) ? "NaN" : "infinite") +
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
    forEachChunk(
        weight.codes.size(), kElementsPerChunk, [&](size_t begin, size_t end) {
          for (size_t i = begin; i < end; ++i)
            weight.codes[i] = static_cast<int8_t>(
                (codes[2 * i] & 0xF) | ((codes[2 * i + 1] & 0xF) << 4));
        });
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
