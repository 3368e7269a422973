//===- Quantization.h - block quantization of frozen weights ----*- C++ -*-===//
//
// How quern-quantize stores a weight, in one place: the state tensors a
// quantized weight becomes (the pass declares them as parameters, quernc
// fills them) and the encoding of their values from the weight's f32
// values. The decoding is quern.dequantize's (QuernQuantOps.td); the two
// meet in test/e2e/quantize, which checks both against numpy.
//
// nf4 is QLoRA's NormalFloat: per block of `block` consecutive elements in
// row-major order, absmax = max |x| (f32) is the scale and each element is
// the index of the nearest of the 16 levels to x / absmax (the first on a
// tie). int8 and int4 are symmetric: scale = absmax / 127 (/ 7), code =
// x / scale rounded to nearest even. A block of zeros has scale 0 and codes
// of 0 (nf4: the level 0.0). Double quantization stores nf4/int4 scales as
// int8 codes around their mean: offset = mean of the scales (summed in
// double, rounded to f32), then int8 blocks of kScaleBlock.
//
//===----------------------------------------------------------------------===//

#ifndef QUERN_PASSES_QUANTIZE_QUANTIZATION_H
#define QUERN_PASSES_QUANTIZE_QUANTIZATION_H

#include "dialects/quern/QuernOps.h"

#include <optional>
#include <string>
#include <vector>

namespace quern {

/// How a weight is quantized.
struct QuantSpec {
  QuantScheme scheme;
  int64_t block;
  bool doubleQuant;
};

/// Elements per block of the second level of double quantization.
inline constexpr int64_t kScaleBlock = 256;

/// The name of `scheme` (`nf4`, ...), and back (none for another name, and
/// for the unsigned schemes, which only imported models use).
llvm::StringRef quantSchemeName(QuantScheme scheme);
std::optional<QuantScheme> parseQuantScheme(llvm::StringRef name);

/// One state tensor of a quantized weight: the weight's name followed by
/// `suffix` ("" for the codes), `i8` codes or f32 values, one dimension.
struct QuantPart {
  enum Kind { Codes, Scales, ScaleCodes, ScaleScales, ScaleOffset } kind;
  llvm::StringRef suffix;
  bool isCodes;
  int64_t elements;
};

/// The state tensors of a weight of `elements` elements (whole blocks)
/// quantized by `spec`, in the order quern-quantize declares them.
std::vector<QuantPart> quantParts(const QuantSpec &spec, int64_t elements);

/// The part named `kind` ("codes", "scales", ...), and a part's name.
std::optional<QuantPart::Kind> parseQuantPart(llvm::StringRef name);
llvm::StringRef quantPartName(QuantPart::Kind kind);

/// A quantized weight's parts, as quantParts lists them.
struct QuantizedWeight {
  std::vector<int8_t> codes;
  std::vector<float> scales;
  /// Double quantization: the scales as int8 codes, their scales, offset.
  std::vector<int8_t> scaleCodes;
  std::vector<float> scaleScales;
  float offset = 0;

  /// The bytes of `kind`.
  llvm::ArrayRef<char> bytes(QuantPart::Kind kind) const;
};

/// Quantizes `values` by `spec` (its block dividing their count, even for
/// 4-bit codes). A value that is not finite makes it fail: `error` names
/// its position.
std::optional<QuantizedWeight> quantizeWeight(const QuantSpec &spec,
                                              llvm::ArrayRef<float> values,
                                              std::string &error);

} // namespace quern

#endif // QUERN_PASSES_QUANTIZE_QUANTIZATION_H
