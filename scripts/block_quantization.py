"""Block quantization as Quern defines it, written out in numpy.

The reference that Quern's quantizer (passes/Quantize/Quantization.cpp) and
decoder (quern.dequantize) are checked against, and that the QLoRA training
references are built with: it shares no code with Quern.

- nf4 (QLoRA's NormalFloat): per block of `block` consecutive elements in
  row-major order, absmax = max |x| is the scale; each element's code is the
  index of the nearest of the 16 levels to x / absmax (float32 arithmetic,
  the first level on a tie); a block of zeros gets the code of 0.0.
- int8 / int4: symmetric, scale = absmax / 127 (/ 7), code = x / scale
  rounded to nearest even (0 where the scale is 0).
- 4-bit codes are packed two a byte, element 2i in the low nibble; int4
  codes are two's complement.
- Double quantization: offset = mean of the scales (summed in float64 in
  order, rounded to float32); the scales minus offset are int8-quantized in
  blocks of 256.

The value of code c in a block of scale s is level(c) * s, and with double
quantization s = scale_code * scale_scale + offset, all in float32.
"""
import numpy as np

# bitsandbytes' NF4 table.
NF4_LEVELS = np.array([
    -1.0, -0.6961928009986877, -0.5250730514526367, -0.39491748809814453,
    -0.28444138169288635, -0.18477343022823334, -0.09105003625154495, 0.0,
    0.07958029955625534, 0.16093020141124725, 0.24611230194568634,
    0.33791524171829224, 0.44070982933044434, 0.5626170039176941,
    0.7229568362236023, 1.0], dtype=np.float32)
SCALE_BLOCK = 256
LIMITS = {"int8": 127, "int4": 7}


def _blocks(flat, block):
    """`flat` padded with zeros to whole blocks, as rows."""
    padded = np.zeros(-(-flat.size // block) * block, np.float32)
    padded[:flat.size] = flat
    return padded.reshape(-1, block)


def _absmax(flat, block):
    return np.abs(_blocks(flat, block)).max(axis=1).astype(np.float32)


def _symmetric(flat, block, limit):
    scales = (_absmax(flat, block) / np.float32(limit)).astype(np.float32)
    per_element = np.repeat(scales, block)[:flat.size]
    safe = np.where(per_element == 0, np.float32(1), per_element)
    codes = np.where(per_element == 0, np.float32(0),
                     np.rint((flat / safe).astype(np.float32)))
    return np.clip(codes, -limit, limit).astype(np.int8), scales


def _nf4(flat, block):
    absmax = _absmax(flat, block)
    per_element = np.repeat(absmax, block)[:flat.size]
    safe = np.where(per_element == 0, np.float32(1), per_element)
    normalized = np.where(per_element == 0, np.float32(0),
                          (flat / safe).astype(np.float32))
    distance = np.abs(normalized[:, None] - NF4_LEVELS[None, :])
    return np.argmin(distance, axis=1).astype(np.int8), absmax


def quantize(weight, scheme, block=64, double_quant=False):
    """The parts of `weight` (float32) as Quern stores them: a dict with
    codes (int8 bytes) and scales, or with double quantization scale_codes,
    scale_scales and scale_offset."""
    flat = np.ascontiguousarray(weight, np.float32).reshape(-1)
    if not np.all(np.isfinite(flat)):
        raise ValueError("a value that is not finite cannot be quantized")
    if scheme == "nf4":
        codes, scales = _nf4(flat, block)
    else:
        codes, scales = _symmetric(flat, block, LIMITS[scheme])
    if scheme != "int8":
        nibbles = codes.astype(np.uint8) & 0xF
        codes = (nibbles[0::2] | (nibbles[1::2] << 4)).astype(np.uint8).view(np.int8)
    parts = {"codes": codes}
    if not double_quant:
        parts["scales"] = scales
        return parts
    offset = np.float32(np.cumsum(scales.astype(np.float64))[-1] / scales.size)
    centred = (scales - offset).astype(np.float32)
    parts["scale_codes"], parts["scale_scales"] = _symmetric(
        centred, SCALE_BLOCK, 127)
    parts["scale_offset"] = np.array([offset], np.float32)
    return parts


def dequantize(parts, scheme, shape, block=64):
    """The float32 weight of `shape` that `parts` (quantize's) encode."""
    count = int(np.prod(shape))
    codes = np.asarray(parts["codes"]).view(np.uint8)
    if scheme == "int8":
        levels = codes.view(np.int8).astype(np.float32)
    else:
        nibbles = np.empty(count, np.uint8)
        nibbles[0::2] = codes & 0xF
        nibbles[1::2] = codes >> 4
        if scheme == "nf4":
            levels = NF4_LEVELS[nibbles]
        else:
            levels = ((nibbles ^ 8).astype(np.int32) - 8).astype(np.float32)
    if "scales" in parts:
        scales = np.asarray(parts["scales"], np.float32)
    else:
        scale_codes = np.asarray(parts["scale_codes"]).view(np.int8).astype(np.float32)
        per_code = np.repeat(parts["scale_scales"], SCALE_BLOCK)[:scale_codes.size]
        scales = ((scale_codes * per_code).astype(np.float32)
                  + np.asarray(parts["scale_offset"], np.float32)[0]).astype(np.float32)
    per_element = np.repeat(scales, block)[:count]
    return (levels * per_element).astype(np.float32).reshape(shape)
