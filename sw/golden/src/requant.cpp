// Golden requantisation, following the TFLite reference integer kernels operation for operation.
#include "qilin/golden/requant.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <stdexcept>

namespace qilin::golden {

namespace {

constexpr int64_t kInt32Min = std::numeric_limits<int32_t>::min();
constexpr int64_t kInt32Max = std::numeric_limits<int32_t>::max();

int32_t saturate_s32(int64_t v) {
  return static_cast<int32_t>(std::clamp(v, kInt32Min, kInt32Max));
}

int32_t type_min(bool is_signed) { return is_signed ? -128 : 0; }
int32_t type_max(bool is_signed) { return is_signed ? 127 : 255; }

}  // namespace

QuantMultiplier quantize_multiplier(double real_multiplier) {
  if (!std::isfinite(real_multiplier) || real_multiplier < 0.0) {
    throw std::invalid_argument("quantize_multiplier: need a finite real >= 0");
  }
  if (real_multiplier == 0.0) return {0, 0};
  int shift = 0;
  const double q = std::frexp(real_multiplier, &shift);  // real = q * 2^shift, q in [0.5, 1)
  // std::round rounds half away from zero, like TfLiteRound. q * 2^31 is exact in double.
  int64_t q_fixed = static_cast<int64_t>(std::round(std::ldexp(q, 31)));
  if (q_fixed == (int64_t{1} << 31)) {  // q was within 2^-32 of 1: renormalise
    q_fixed /= 2;
    ++shift;
  }
  if (shift < -31) return {0, 0};  // below the smallest right shift: the product rounds to 0
  if (shift > 30) throw std::invalid_argument("quantize_multiplier: real >= 2^30");
  return {static_cast<int32_t>(q_fixed), shift};
}

int32_t saturating_rounding_doubling_high_mul(int32_t a, int32_t b) {
  // The only product whose doubled high half leaves int32: (-1) * (-1) in Q31 is +1.
  if (a == b && a == std::numeric_limits<int32_t>::min())
    return std::numeric_limits<int32_t>::max();
  const int64_t ab = static_cast<int64_t>(a) * b;
  // The nudge 1 - 2^30 (not -2^30) combined with C++'s truncating division makes negative ties
  // round toward zero, so all ties round toward +infinity. Kept exactly as gemmlowp has it.
  const int64_t nudge = ab >= 0 ? (int64_t{1} << 30) : 1 - (int64_t{1} << 30);
  return static_cast<int32_t>((ab + nudge) / (int64_t{1} << 31));
}

int32_t rounding_divide_by_pot(int32_t x, int exponent) {
  if (exponent < 0 || exponent > 31) {
    throw std::invalid_argument("rounding_divide_by_pot: exponent must be 0..31");
  }
  // int64 so that the mask for exponent 31 (2^31 - 1) and its arithmetic need no special case.
  const int64_t mask = (int64_t{1} << exponent) - 1;
  const int64_t remainder = x & mask;                       // x - floor(x / 2^e) * 2^e, in [0, 2^e)
  const int64_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);  // ties: up if x >= 0, down if x < 0
  return static_cast<int32_t>((static_cast<int64_t>(x) >> exponent) +
                              (remainder > threshold ? 1 : 0));
}

int32_t multiply_by_quantized_multiplier(int32_t x, QuantMultiplier qm) {
  if (qm.shift < -31 || qm.shift > 30) {
    throw std::invalid_argument("multiply_by_quantized_multiplier: shift must be -31..30");
  }
  const int left_shift = qm.shift > 0 ? qm.shift : 0;
  const int right_shift = qm.shift > 0 ? 0 : -qm.shift;
  // Saturating the left shift keeps the sign and a magnitude >= 2^30 after the high-mul, so an
  // out-of-range product still clamps to the correct 8-bit extreme.
  const int32_t shifted = saturate_s32(static_cast<int64_t>(x) * (int64_t{1} << left_shift));
  return rounding_divide_by_pot(saturating_rounding_doubling_high_mul(shifted, qm.multiplier),
                                right_shift);
}

uint8_t requantize(int32_t acc, int32_t bias, const RequantParams& p) {
  const int32_t lo = type_min(p.out_signed);
  const int32_t hi = type_max(p.out_signed);
  if (p.out_zp < lo || p.out_zp > hi || p.act_min < lo || p.act_max > hi || p.act_min > p.act_max) {
    throw std::invalid_argument("requantize: out_zp/act_min/act_max outside the output type");
  }
  // Saturating add: a wrapped sum would flip the sign of an already-huge value and produce
  // the opposite extreme after the clamp.
  const int32_t x = saturate_s32(static_cast<int64_t>(acc) + bias);
  // int64 for + out_zp: the scaled value may sit at the int32 limits.
  const int64_t y = static_cast<int64_t>(multiply_by_quantized_multiplier(x, p.qm)) + p.out_zp;
  const int64_t clamped = std::clamp<int64_t>(y, p.act_min, p.act_max);
  return static_cast<uint8_t>(clamped);  // two's complement byte for int8 outputs
}

void requantize_matrix(int M, int N, const int32_t* acc, const int32_t* bias,
                       const RequantParams* per_col, uint8_t* out) {
  if (M < 0 || N < 0) throw std::invalid_argument("requantize_matrix: negative shape");
  for (int m = 0; m < M; ++m) {
    for (int n = 0; n < N; ++n) {
      const std::size_t i =
          static_cast<std::size_t>(m) * static_cast<std::size_t>(N) + static_cast<std::size_t>(n);
      out[i] = requantize(acc[i], bias ? bias[n] : 0, per_col[n]);
    }
  }
}

ActRange activation_range(Activation act, double out_scale, int32_t out_zp, bool out_signed) {
  const int32_t lo = type_min(out_signed);
  const int32_t hi = type_max(out_signed);
  if (!(out_scale > 0.0) || out_zp < lo || out_zp > hi) {
    throw std::invalid_argument("activation_range: need scale > 0 and out_zp in the type range");
  }
  switch (act) {
    case Activation::kRelu:
      return {out_zp, hi};
    case Activation::kRelu6: {
      // Quantised 6.0, rounded half away from zero; clipped before the int32 cast.
      const double q6 = out_zp + std::round(6.0 / out_scale);
      return {out_zp, static_cast<int32_t>(std::min<double>(q6, hi))};
    }
    case Activation::kNone:
    default:
      return {lo, hi};
  }
}

}  // namespace qilin::golden
