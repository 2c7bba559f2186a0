// Tests for the golden requantisation: the two rounding primitives at their ties and limits,
// quantize_multiplier, the full pipeline's saturation and clamping, and random comparisons
// with exact and floating-point references.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "qilin/golden/requant.h"
#include "qilin/golden/rng.h"

using qilin::golden::activation_range;
using qilin::golden::Activation;
using qilin::golden::ActRange;
using qilin::golden::multiply_by_quantized_multiplier;
using qilin::golden::quantize_multiplier;
using qilin::golden::QuantMultiplier;
using qilin::golden::requantize;
using qilin::golden::requantize_matrix;
using qilin::golden::RequantParams;
using qilin::golden::Rng;
using qilin::golden::rounding_divide_by_pot;
using qilin::golden::saturating_rounding_doubling_high_mul;

// Comparison and printing for CHECK(qm == ...); in the type's namespace so that Catch finds it.
namespace qilin::golden {
bool operator==(QuantMultiplier a, QuantMultiplier b) {
  return a.multiplier == b.multiplier && a.shift == b.shift;
}
}  // namespace qilin::golden

template <>
struct Catch::StringMaker<QuantMultiplier> {
  static std::string convert(QuantMultiplier q) {
    return "{" + std::to_string(q.multiplier) + ", " + std::to_string(q.shift) + "}";
  }
};

namespace {

constexpr int32_t kMin = std::numeric_limits<int32_t>::min();
constexpr int32_t kMax = std::numeric_limits<int32_t>::max();
constexpr int32_t k2p30 = 1 << 30;  // 0.5 in Q31

// Independent references, written differently from the implementation.

// round(a*b / 2^31) with ties toward +inf, as floor((a*b + 2^30) / 2^31).
int64_t ref_high_mul(int32_t a, int32_t b) {
  const int64_t num = static_cast<int64_t>(a) * b + (int64_t{1} << 30);
  return num >= 0 ? num / (int64_t{1} << 31)
                  : -((-num + (int64_t{1} << 31) - 1) / (int64_t{1} << 31));
}

// round(num / 2^e), ties away from zero, on the magnitude. num may use all 63 bits.
int64_t ref_round_away(int64_t num, int e) {
  const uint64_t mag = num < 0 ? 0 - static_cast<uint64_t>(num) : static_cast<uint64_t>(num);
  uint64_t q = mag >> e;
  const uint64_t r = mag - (q << e);
  if (e > 0 && 2 * r >= (uint64_t{1} << e)) ++q;
  return num < 0 ? -static_cast<int64_t>(q) : static_cast<int64_t>(q);
}

}  // namespace

TEST_CASE("high-mul saturates INT32_MIN * INT32_MIN and is exact at the other limits",
          "[requant]") {
  CHECK(saturating_rounding_doubling_high_mul(kMin, kMin) == kMax);         // -1 * -1 = +1 in Q31
  CHECK(saturating_rounding_doubling_high_mul(kMin, kMax) == -2147483647);  // -(2^31 - 1), exact
  CHECK(saturating_rounding_doubling_high_mul(kMax, kMax) == 2147483646);   // 2^31 - 2 + 2^-31
  CHECK(saturating_rounding_doubling_high_mul(kMin, k2p30) == -k2p30);      // -1 * 0.5
  CHECK(saturating_rounding_doubling_high_mul(k2p30, k2p30) == 1 << 29);    // 0.5 * 0.5
  CHECK(saturating_rounding_doubling_high_mul(0, kMin) == 0);
}

TEST_CASE("high-mul ties round toward +infinity (the gemmlowp nudge)", "[requant]") {
  // a * 2^30 / 2^31 = a / 2: odd a lands exactly on a half.
  CHECK(saturating_rounding_doubling_high_mul(1, k2p30) == 1);    //  0.5 ->  1
  CHECK(saturating_rounding_doubling_high_mul(3, k2p30) == 2);    //  1.5 ->  2
  CHECK(saturating_rounding_doubling_high_mul(5, k2p30) == 3);    //  2.5 ->  3
  CHECK(saturating_rounding_doubling_high_mul(-1, k2p30) == 0);   // -0.5 ->  0 (not -1)
  CHECK(saturating_rounding_doubling_high_mul(-3, k2p30) == -1);  // -1.5 -> -1 (not -2)
  CHECK(saturating_rounding_doubling_high_mul(-5, k2p30) == -2);  // -2.5 -> -2
  // One LSB of the product either side of a tie rounds to nearest in both signs.
  CHECK(saturating_rounding_doubling_high_mul(1, k2p30 - 1) == 0);    //  0.4999..
  CHECK(saturating_rounding_doubling_high_mul(1, k2p30 + 1) == 1);    //  0.5000..1
  CHECK(saturating_rounding_doubling_high_mul(-1, k2p30 - 1) == 0);   // -0.4999..
  CHECK(saturating_rounding_doubling_high_mul(-1, k2p30 + 1) == -1);  // -0.5000..1
}

TEST_CASE("high-mul equals floor((a*b + 2^30) / 2^31) on random operands", "[requant][random]") {
  const uint64_t seed = Catch::rngSeed();
  CAPTURE(seed);
  Rng rng(seed);
  const int32_t edges[] = {kMin, kMin + 1, -k2p30, -1, 0, 1, k2p30, kMax - 1, kMax};
  for (int i = 0; i < 200000; ++i) {
    const int32_t a = i < 81 ? edges[i % 9] : static_cast<int32_t>(rng.uniform(kMin, kMax));
    const int32_t b = i < 81 ? edges[i / 9] : static_cast<int32_t>(rng.uniform(kMin, kMax));
    if (a == kMin && b == kMin) continue;  // the one saturating case, tested above
    const int64_t got = saturating_rounding_doubling_high_mul(a, b);
    if (got != ref_high_mul(a, b)) {
      CAPTURE(i, a, b);
      REQUIRE(got == ref_high_mul(a, b));
    }
  }
  SUCCEED();
}

TEST_CASE("rounding_divide_by_pot rounds half away from zero", "[requant]") {
  CHECK(rounding_divide_by_pot(5, 1) == 3);    //  2.5
  CHECK(rounding_divide_by_pot(-5, 1) == -3);  // -2.5
  CHECK(rounding_divide_by_pot(3, 1) == 2);    //  1.5
  CHECK(rounding_divide_by_pot(-3, 1) == -2);  // -1.5
  CHECK(rounding_divide_by_pot(-1, 1) == -1);  // -0.5
  CHECK(rounding_divide_by_pot(6, 2) == 2);    //  1.5
  CHECK(rounding_divide_by_pot(-6, 2) == -2);  // -1.5
  CHECK(rounding_divide_by_pot(5, 2) == 1);    //  1.25
  CHECK(rounding_divide_by_pot(-5, 2) == -1);  // -1.25
  CHECK(rounding_divide_by_pot(7, 2) == 2);    //  1.75
  CHECK(rounding_divide_by_pot(-7, 2) == -2);  // -1.75
  CHECK(rounding_divide_by_pot(-123, 0) == -123);
  CHECK(rounding_divide_by_pot(kMin, 0) == kMin);
  // exponent 31: the full int32 range maps to -1..1
  CHECK(rounding_divide_by_pot(kMin, 31) == -1);
  CHECK(rounding_divide_by_pot(kMax, 31) == 1);     //  0.99..
  CHECK(rounding_divide_by_pot(k2p30, 31) == 1);    //  0.5
  CHECK(rounding_divide_by_pot(-k2p30, 31) == -1);  // -0.5
  CHECK(rounding_divide_by_pot(k2p30 - 1, 31) == 0);
  CHECK(rounding_divide_by_pot(-k2p30 + 1, 31) == 0);
  CHECK_THROWS_AS(rounding_divide_by_pot(1, 32), std::invalid_argument);
  CHECK_THROWS_AS(rounding_divide_by_pot(1, -1), std::invalid_argument);
}

TEST_CASE("rounding_divide_by_pot matches a sign-magnitude reference", "[requant][random]") {
  const uint64_t seed = Catch::rngSeed();
  CAPTURE(seed);
  Rng rng(seed);
  for (int i = 0; i < 200000; ++i) {
    const int e = static_cast<int>(rng.uniform(0, 31));
    // Half the draws are small, so that ties and near-ties at small exponents are common.
    const int32_t x =
        static_cast<int32_t>(rng.coin() ? rng.uniform(-1000, 1000) : rng.uniform(kMin, kMax));
    const int64_t got = rounding_divide_by_pot(x, e);
    if (got != ref_round_away(x, e)) {
      CAPTURE(i, x, e);
      REQUIRE(got == ref_round_away(x, e));
    }
  }
  SUCCEED();
}

TEST_CASE("quantize_multiplier on hand-worked scales", "[requant]") {
  CHECK(quantize_multiplier(0.0) == QuantMultiplier{0, 0});
  CHECK(quantize_multiplier(0.5) == QuantMultiplier{k2p30, 0});
  CHECK(quantize_multiplier(1.0) == QuantMultiplier{k2p30, 1});
  CHECK(quantize_multiplier(0.75) == QuantMultiplier{1610612736, 0});  // 0.75 * 2^31
  CHECK(quantize_multiplier(3.0) == QuantMultiplier{1610612736, 2});   // 0.75 * 2^2
  CHECK(quantize_multiplier(2.5) == QuantMultiplier{1342177280, 2});   // 0.625 * 2^2
  CHECK(quantize_multiplier(0.1) == QuantMultiplier{1717986918, -3});  // 0.8 * 2^31 = ...918.4
  // A mantissa ending in exactly .5 rounds away from zero: (2^30 + 0.5) -> 2^30 + 1.
  CHECK(quantize_multiplier(0.5 + std::ldexp(1.0, -32)) == QuantMultiplier{k2p30 + 1, 0});
  // The mantissa rounds up to 2^31: renormalised to 2^30 with shift + 1.
  CHECK(quantize_multiplier(1.0 - std::ldexp(1.0, -40)) == QuantMultiplier{k2p30, 1});
  // Tiny scales: 2^-32 still has shift -31; anything needing shift -32 becomes 0.
  CHECK(quantize_multiplier(std::ldexp(1.0, -32)) == QuantMultiplier{k2p30, -31});
  CHECK(quantize_multiplier(std::ldexp(1.0, -33)) == QuantMultiplier{0, 0});
  CHECK(quantize_multiplier(1e-12) == QuantMultiplier{0, 0});
  CHECK(quantize_multiplier(std::ldexp(1.0, 29)) == QuantMultiplier{k2p30, 30});
  CHECK_THROWS_AS(quantize_multiplier(std::ldexp(1.0, 30)), std::invalid_argument);
  CHECK_THROWS_AS(quantize_multiplier(-0.5), std::invalid_argument);
  CHECK_THROWS_AS(quantize_multiplier(std::nan("")), std::invalid_argument);
}

TEST_CASE("quantize_multiplier round-trips scales in [1e-6, 100] within 1e-9",
          "[requant][random]") {
  const uint64_t seed = Catch::rngSeed();
  CAPTURE(seed);
  Rng rng(seed);
  for (int i = 0; i < 20000; ++i) {
    const double real = std::exp(rng.uniform_real(std::log(1e-6), std::log(100.0)));
    const QuantMultiplier qm = quantize_multiplier(real);
    CAPTURE(i, real, qm.multiplier, qm.shift);
    REQUIRE(qm.multiplier >= k2p30);  // normalised (int32 bounds the top end)
    const double back = std::ldexp(static_cast<double>(qm.multiplier), qm.shift - 31);
    REQUIRE(std::fabs(back - real) <= 1e-9 * real);
  }
}

TEST_CASE("multiply_by_quantized_multiplier on hand-worked values", "[requant]") {
  SECTION("real > 1 (shift > 0): left shift, then one rounding") {
    const QuantMultiplier three = {1610612736, 2};  // 3.0
    CHECK(multiply_by_quantized_multiplier(5, three) == 15);
    CHECK(multiply_by_quantized_multiplier(-7, three) == -21);
    const QuantMultiplier two_and_half = {1342177280, 2};             // 2.5
    CHECK(multiply_by_quantized_multiplier(3, two_and_half) == 8);    //  7.5 -> 8
    CHECK(multiply_by_quantized_multiplier(-3, two_and_half) == -7);  // -7.5 -> -7 (tie to +inf)
  }
  SECTION("real < 1: high-mul, then rounding divide") {
    const QuantMultiplier r0375 = {1610612736, -1};             // 0.75 * 2^-1
    CHECK(multiply_by_quantized_multiplier(10, r0375) == 4);    // 7.5 -> 8, 8/2 = 4
    CHECK(multiply_by_quantized_multiplier(-10, r0375) == -4);  // -7.5 -> -7, -3.5 -> -4
    // Double rounding: 5 * 0.25 = 1.25, but 2.5 -> 3 in the high-mul, then 1.5 -> 2.
    const QuantMultiplier quarter = {k2p30, -1};
    CHECK(multiply_by_quantized_multiplier(5, quarter) == 2);
    CHECK(multiply_by_quantized_multiplier(-5, quarter) == -1);  // -2.5 -> -2, -1 exactly
  }
  SECTION("zero and the saturating left shift") {
    CHECK(multiply_by_quantized_multiplier(12345, {0, 0}) == 0);
    CHECK(multiply_by_quantized_multiplier(0, {kMax, 30}) == 0);
    // 2^30 << 2 saturates to INT32_MAX; the high-mul then gives (2^31 - 1) / 2 -> 2^30.
    CHECK(multiply_by_quantized_multiplier(k2p30, {k2p30, 2}) == k2p30);
    CHECK(multiply_by_quantized_multiplier(-k2p30, {k2p30, 2}) == -k2p30);
    CHECK_THROWS_AS(multiply_by_quantized_multiplier(1, {k2p30, 31}), std::invalid_argument);
    CHECK_THROWS_AS(multiply_by_quantized_multiplier(1, {k2p30, -32}), std::invalid_argument);
  }
}

TEST_CASE("multiply_by_quantized_multiplier is within 1 LSB of exact and float references",
          "[requant][random]") {
  const uint64_t seed = Catch::rngSeed();
  CAPTURE(seed);
  Rng rng(seed);
  for (int i = 0; i < 100000; ++i) {
    const double real = std::exp(rng.uniform_real(std::log(1e-6), std::log(100.0)));
    const QuantMultiplier qm = quantize_multiplier(real);
    // Keep |x * real| <= 2^29 so nothing saturates and the multiplier's own quantisation
    // error (relative <= 2^-31) stays below 0.25 LSB.
    const int64_t xmax = std::min<int64_t>(kMax, static_cast<int64_t>(std::ldexp(1.0, 29) / real));
    const int32_t x = static_cast<int32_t>(rng.uniform(-xmax, xmax));
    const int64_t got = multiply_by_quantized_multiplier(x, qm);
    CAPTURE(i, real, x, qm.multiplier, qm.shift, got);

    // Exact value of x * multiplier * 2^(shift - 31), rounded half away from zero.
    const int64_t exact = ref_round_away(static_cast<int64_t>(x) * qm.multiplier, 31 - qm.shift);
    REQUIRE(std::llabs(got - exact) <= 1);
    if (qm.shift >= 0) {
      // Only the high-mul rounds: the result is exactly round-to-nearest, ties to +inf.
      const int64_t num = (static_cast<int64_t>(x) << qm.shift) * qm.multiplier;
      const int64_t floor_half =
          static_cast<int64_t>(std::floor(std::ldexp(static_cast<double>(num), -31) + 0.5));
      REQUIRE(got == floor_half);
    }
    REQUIRE(std::llabs(got - std::llround(x * real)) <= 1);
  }
}

TEST_CASE("requantize clamps and saturates for int8 and uint8", "[requant]") {
  const QuantMultiplier one = {k2p30, 1};  // 1.0
  SECTION("int8, out_zp -10") {
    const RequantParams p = {one, -10, -128, 127, true};
    CHECK(requantize(1000, 0, p) == 0x7F);   //  990 -> 127
    CHECK(requantize(-1000, 0, p) == 0x80);  // -1010 -> -128
    CHECK(requantize(50, 0, p) == 0x28);     //  40
    CHECK(requantize(-50, 0, p) == 0xC4);    // -60
    CHECK(requantize(40, 10, p) == 0x28);    //  bias: 50 - 10 = 40
  }
  SECTION("uint8, out_zp 128") {
    const RequantParams p = {one, 128, 0, 255, false};
    CHECK(requantize(200, 0, p) == 255);  // 328
    CHECK(requantize(-200, 0, p) == 0);   // -72
    CHECK(requantize(-5, 0, p) == 123);
  }
  SECTION("ReLU and ReLU6 clamp ranges") {
    const ActRange relu = activation_range(Activation::kRelu, 0.1, -10, true);
    CHECK((relu.min == -10 && relu.max == 127));
    CHECK(requantize(-50, 0, {one, -10, relu.min, relu.max, true}) == 0xF6);  // clamp at -10
    const ActRange relu6 = activation_range(Activation::kRelu6, 0.05, -128, true);
    CHECK((relu6.min == -128 && relu6.max == -8));                                // -128 + 6 / 0.05
    CHECK(requantize(1000, 0, {one, -128, relu6.min, relu6.max, true}) == 0xF8);  // -8
    const ActRange u6 = activation_range(Activation::kRelu6, 0.02, 10, false);
    CHECK((u6.min == 10 && u6.max == 255));  // 10 + 300 clipped to the type
    const ActRange none = activation_range(Activation::kNone, 1.0, 0, false);
    CHECK((none.min == 0 && none.max == 255));
  }
  SECTION("acc + bias saturates instead of wrapping") {
    const QuantMultiplier tiny = {k2p30, -23};  // 2^-24
    REQUIRE(quantize_multiplier(std::ldexp(1.0, -24)) == tiny);
    // INT32_MAX * 2^-24 = 127.99.. -> 128; a wrapped sum would be -2^30 - 1 -> -64 -> 0.
    CHECK(requantize(kMax, k2p30, {tiny, 0, 0, 255, false}) == 128);
    // INT32_MIN * 2^-24 = -128; a wrapped sum would be INT32_MAX -> 128 -> 127.
    CHECK(requantize(kMin, -1, {tiny, 0, -128, 127, true}) == 0x80);
  }
  SECTION("a saturated left shift still clamps to the right extreme") {
    CHECK(requantize(k2p30, 0, {{k2p30, 2}, 0, -128, 127, true}) == 0x7F);
    CHECK(requantize(-k2p30, 0, {{k2p30, 2}, 0, -128, 127, true}) == 0x80);
    CHECK(requantize(kMax, 0, {{kMax, 30}, 255, 0, 255, false}) == 255);  // + out_zp past INT32_MAX
  }
  SECTION("illegal ranges are rejected") {
    CHECK_THROWS_AS(requantize(0, 0, {one, 128, -128, 127, true}), std::invalid_argument);
    CHECK_THROWS_AS(requantize(0, 0, {one, 0, -128, 128, true}), std::invalid_argument);
    CHECK_THROWS_AS(requantize(0, 0, {one, 0, -1, 255, false}), std::invalid_argument);
    CHECK_THROWS_AS(requantize(0, 0, {one, 0, 10, 9, false}), std::invalid_argument);
  }
}

TEST_CASE("requantize_matrix applies per-column params and bias", "[requant]") {
  // col 0: x0.5, int8, zp 0;  col 1: x2.0, uint8, zp 100.
  const RequantParams cols[2] = {{{k2p30, 0}, 0, -128, 127, true},
                                 {{k2p30, 2}, 100, 0, 255, false}};
  const int32_t acc[4] = {10, 20, -7, 100};
  uint8_t out[4] = {};
  SECTION("with bias {1, -3}") {
    // (10+1)*0.5 = 5.5 -> 6;  (20-3)*2 + 100 = 134;  (-7+1)*0.5 = -3;  97*2 + 100 = 294 -> 255
    const int32_t bias[2] = {1, -3};
    requantize_matrix(2, 2, acc, bias, cols, out);
    CHECK(std::vector<uint8_t>(out, out + 4) == std::vector<uint8_t>{6, 134, 0xFD, 255});
  }
  SECTION("without bias") {
    // 10*0.5 = 5;  40 + 100 = 140;  -7*0.5 = -3.5 -> -3 (tie to +inf);  300 -> 255
    requantize_matrix(2, 2, acc, nullptr, cols, out);
    CHECK(std::vector<uint8_t>(out, out + 4) == std::vector<uint8_t>{5, 140, 0xFD, 255});
  }
}
