// Golden requantisation int32 -> int8/uint8, bit-exact with the TFLite reference kernels
// (classic double-rounding MultiplyByQuantizedMultiplier). See docs/quantization.md.
#pragma once

#include <cstdint>

namespace qilin::golden {

// real ~= multiplier * 2^(shift - 31); multiplier in [2^30, 2^31), or 0 (then shift is 0).
struct QuantMultiplier {
  int32_t multiplier;
  int shift;
};

// Host side only (the one place a float scale is used). Rounds the 31-bit mantissa half away
// from zero; a mantissa that rounds up to 2^31 becomes 2^30 with shift + 1; a real that still
// needs shift < -31 (below about 2^-32) becomes {0, 0}. Throws std::invalid_argument for a
// negative or non-finite real, or one that needs shift > 30 (about 2^30 and above).
QuantMultiplier quantize_multiplier(double real_multiplier);

// round(a * b / 2^31), ties toward +infinity, and INT32_MIN * INT32_MIN -> INT32_MAX.
// (gemmlowp's nudge 2^30 / 1 - 2^30 with a truncating division; equal to
// (a * b + 2^30) >> 31 with an arithmetic shift.)
int32_t saturating_rounding_doubling_high_mul(int32_t a, int32_t b);

// round(x / 2^exponent), ties away from zero; exponent in 0..31.
int32_t rounding_divide_by_pot(int32_t x, int exponent);

// x * real for qm = quantize_multiplier(real). Shift > 0: x << shift (saturating; TFLite leaves
// the overflow undefined), then the high-mul. Shift <= 0: the high-mul, then
// rounding_divide_by_pot(-shift). Requires shift in -31..30.
int32_t multiply_by_quantized_multiplier(int32_t x, QuantMultiplier qm);

struct RequantParams {
  QuantMultiplier qm;
  int32_t out_zp;
  int32_t act_min;  // act_min <= act_max, both inside the output type's range
  int32_t act_max;
  bool out_signed;  // int8 output if true, uint8 if false
};

// clamp(multiply_by_quantized_multiplier(sat(acc + bias), qm) + out_zp, act_min, act_max),
// returned as the raw output byte. acc + bias saturates to int32 rather than wrapping.
// Throws std::invalid_argument if out_zp, act_min or act_max lie outside the output type.
uint8_t requantize(int32_t acc, int32_t bias, const RequantParams& p);

// Per-column (per output channel) requantisation of an M x N row-major int32 matrix into
// M x N raw bytes. bias has N entries or is nullptr (no bias); per_col has N entries.
void requantize_matrix(int M, int N, const int32_t* acc, const int32_t* bias,
                       const RequantParams* per_col, uint8_t* out);

// Fused activations, expressed as the clamp range of the quantised output (host side).
enum class Activation { kNone, kRelu, kRelu6 };
struct ActRange {
  int32_t min;
  int32_t max;
};
// kNone: the type range. kRelu: [out_zp, type max]. kRelu6: [out_zp, out_zp + round(6/scale)],
// each bound clipped to the type range.
ActRange activation_range(Activation act, double out_scale, int32_t out_zp, bool out_signed);

}  // namespace qilin::golden
