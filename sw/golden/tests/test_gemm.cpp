// Tests for the golden GEMM: hand-worked cases, extremes, accumulate mode, and a random
// cross-check against an independent double-precision reference.
#include <catch2/catch.hpp>
#include <cstdint>
#include <initializer_list>
#include <stdexcept>
#include <vector>

#include "qilin/golden/gemm.h"
#include "qilin/golden/rng.h"

using qilin::golden::gemm_s32;
using qilin::golden::kMaxGemmK;
using qilin::golden::Operand8;
using qilin::golden::Rng;

namespace {

// Values -> raw bytes (two's complement for negatives).
std::vector<uint8_t> raw(std::initializer_list<int> values) {
  std::vector<uint8_t> out;
  for (int v : values) out.push_back(static_cast<uint8_t>(v & 0xFF));
  return out;
}

// Decoding written independently of as_int(), for the reference model.
double decode(uint8_t b, bool is_signed) { return (is_signed && b >= 128) ? b - 256.0 : b; }

}  // namespace

TEST_CASE("as_int decodes int8 and uint8 bytes", "[gemm]") {
  CHECK(qilin::golden::as_int(0x80, true) == -128);
  CHECK(qilin::golden::as_int(0x80, false) == 128);
  CHECK(qilin::golden::as_int(0xFF, true) == -1);
  CHECK(qilin::golden::as_int(0xFF, false) == 255);
  CHECK(qilin::golden::as_int(0x7F, true) == 127);
}

TEST_CASE("gemm 2x3x2 int8 with non-zero zero points, worked by hand", "[gemm]") {
  // A - a_zp (a_zp = -1):  [[2, -1, 4], [-127, 128, 1]]
  // B - b_zp (b_zp = {2, -3}): col0 = [3, 5, -11], col1 = [-3, 11, 13]
  // C00 = 2*3 + (-1)*5 + 4*(-11)          = 6 - 5 - 44       = -43
  // C01 = 2*(-3) + (-1)*11 + 4*13         = -6 - 11 + 52     = 35
  // C10 = -127*3 + 128*5 + 1*(-11)        = -381 + 640 - 11  = 248
  // C11 = -127*(-3) + 128*11 + 1*13       = 381 + 1408 + 13  = 1802
  const auto a = raw({1, -2, 3, -128, 127, 0});
  const auto b = raw({5, -6, 7, 8, -9, 10});
  const int32_t b_zp[2] = {2, -3};
  int32_t c[4] = {7, 7, 7, 7};  // garbage: must be overwritten
  gemm_s32(2, 2, 3, {a.data(), true}, -1, {b.data(), true}, b_zp, c);
  CHECK(std::vector<int32_t>(c, c + 4) == std::vector<int32_t>{-43, 35, 248, 1802});

  SECTION("accumulate adds into C") {
    int32_t acc[4] = {1000, -1000, 0, 1};
    gemm_s32(2, 2, 3, {a.data(), true}, -1, {b.data(), true}, b_zp, acc, true);
    CHECK(std::vector<int32_t>(acc, acc + 4) == std::vector<int32_t>{957, -965, 248, 1803});
  }
}

TEST_CASE("gemm 2x3x2 uint8 (ONNX QLinear style), worked by hand", "[gemm]") {
  // A - 128: [[-128, 127, -118], [0, -127, 72]]
  // B - 128: col0 = [127, -125, -28], col1 = [-128, 0, -121]
  // C00 = -128*127 + 127*(-125) + (-118)*(-28) = -16256 - 15875 + 3304 = -28827
  // C01 = -128*(-128) + 0 + (-118)*(-121)      = 16384 + 14278         = 30662
  // C10 = 0 + (-127)*(-125) + 72*(-28)         = 15875 - 2016          = 13859
  // C11 = 0 + 0 + 72*(-121)                    =                         -8712
  const auto a = raw({0, 255, 10, 128, 1, 200});
  const auto b = raw({255, 0, 3, 128, 100, 7});
  const int32_t b_zp[2] = {128, 128};
  int32_t c[4] = {};
  gemm_s32(2, 2, 3, {a.data(), false}, 128, {b.data(), false}, b_zp, c);
  CHECK(std::vector<int32_t>(c, c + 4) == std::vector<int32_t>{-28827, 30662, 13859, -8712});
}

TEST_CASE("gemm mixed signedness: uint8 A times int8 B", "[gemm]") {
  // A = [200, 3] (zp 0), B = [[-1, 2], [100, -128]] (zp {0, -128} -> col1 = [130, 0])
  // C0 = 200*(-1) + 3*100 = 100;  C1 = 200*130 + 3*0 = 26000
  const auto a = raw({200, 3});
  const auto b = raw({-1, 2, 100, -128});
  const int32_t b_zp[2] = {0, -128};
  int32_t c[2] = {};
  gemm_s32(1, 2, 2, {a.data(), false}, 0, {b.data(), true}, b_zp, c);
  CHECK(c[0] == 100);
  CHECK(c[1] == 26000);
}

TEST_CASE("gemm extremes at K = 4096 do not overflow", "[gemm]") {
  constexpr int kK = 4096;
  const int32_t zp0[2] = {0, 0};
  int32_t c[4] = {};
  auto run = [&](uint8_t a_byte, bool a_signed, uint8_t b_byte, bool b_signed) {
    const std::vector<uint8_t> a(2 * kK, a_byte), b(kK * 2, b_byte);
    gemm_s32(2, 2, kK, {a.data(), a_signed}, 0, {b.data(), b_signed}, zp0, c);
  };
  run(0x80, true, 0x80, true);  // (-128)^2 * 4096
  for (int32_t v : c) CHECK(v == 67108864);
  run(0x80, true, 0x7F, true);  // -128 * 127 * 4096
  for (int32_t v : c) CHECK(v == -66584576);
  run(0x7F, true, 0x7F, true);  // 127^2 * 4096
  for (int32_t v : c) CHECK(v == 66064384);
  run(0xFF, false, 0xFF, false);  // 255^2 * 4096
  for (int32_t v : c) CHECK(v == 266342400);
}

TEST_CASE("gemm at the largest legal K reaches +-65025*(2^15-1) exactly", "[gemm]") {
  constexpr int kK = kMaxGemmK - 1;  // 32767
  const std::vector<uint8_t> zeros(kK, 0x00), ffs(kK, 0xFF);
  const int32_t zp0 = 0;
  int32_t c = 0;
  gemm_s32(1, 1, kK, {ffs.data(), false}, 0, {ffs.data(), false}, &zp0, &c);
  CHECK(c == 2130674175);  // 65025 * 32767
  gemm_s32(1, 1, kK, {zeros.data(), false}, 255, {ffs.data(), false}, &zp0, &c);
  CHECK(c == -2130674175);  // (0 - 255) * 255 * 32767
}

TEST_CASE("gemm rejects illegal arguments and never wraps", "[gemm]") {
  const std::vector<uint8_t> big(kMaxGemmK, 1);
  const int32_t zp0 = 0, zp_bad = 128;
  int32_t c = 0;
  CHECK_THROWS_AS(gemm_s32(1, 1, kMaxGemmK, {big.data(), true}, 0, {big.data(), true}, &zp0, &c),
                  std::invalid_argument);
  CHECK_THROWS_AS(gemm_s32(1, 1, 1, {big.data(), true}, 0, {big.data(), true}, &zp_bad, &c),
                  std::invalid_argument);  // 128 is not an int8 zero point
  CHECK_THROWS_AS(gemm_s32(1, 1, 1, {big.data(), false}, -1, {big.data(), false}, &zp0, &c),
                  std::invalid_argument);  // -1 is not a uint8 zero point
  c = INT32_MAX;
  CHECK_THROWS_AS(gemm_s32(1, 1, 1, {big.data(), true}, 0, {big.data(), true}, &zp0, &c, true),
                  std::overflow_error);
}

TEST_CASE("gemm with K = 0 writes zeros, or leaves C alone when accumulating", "[gemm]") {
  const int32_t zp[2] = {0, 0};
  int32_t c[2] = {5, -5};
  gemm_s32(1, 2, 0, {nullptr, true}, 0, {nullptr, true}, zp, c, true);
  CHECK((c[0] == 5 && c[1] == -5));
  gemm_s32(1, 2, 0, {nullptr, true}, 0, {nullptr, true}, zp, c);
  CHECK((c[0] == 0 && c[1] == 0));
}

TEST_CASE("gemm matches a double-precision reference on random shapes", "[gemm][random]") {
  const uint64_t seed = Catch::rngSeed();
  CAPTURE(seed);
  Rng rng(seed);
  for (int iter = 0; iter < 300; ++iter) {
    const int M = static_cast<int>(rng.uniform(1, 9));
    const int N = static_cast<int>(rng.uniform(1, 9));
    const int K = static_cast<int>(rng.uniform(1, 300));
    const bool a_s = rng.coin(), b_s = rng.coin();
    const auto zp = [&](bool s) {
      return static_cast<int32_t>(s ? rng.uniform(-128, 127) : rng.uniform(0, 255));
    };
    const int32_t a_zp = zp(a_s);
    std::vector<int32_t> b_zp(N, zp(b_s));
    if (rng.coin()) {
      for (auto& z : b_zp) z = zp(b_s);  // per-channel
    }
    const auto a = rng.bytes(static_cast<std::size_t>(M) * K);
    const auto b = rng.bytes(static_cast<std::size_t>(K) * N);
    CAPTURE(iter, M, N, K, a_s, b_s, a_zp);

    // Split K so the accumulate path is exercised too: C = A[:, :k1] B[:k1] + A[:, k1:] B[k1:].
    const int k1 = static_cast<int>(rng.uniform(0, K));
    std::vector<uint8_t> a1, a2;
    for (int m = 0; m < M; ++m) {
      for (int k = 0; k < K; ++k) (k < k1 ? a1 : a2).push_back(a[m * K + k]);
    }
    std::vector<int32_t> c(static_cast<std::size_t>(M) * N, -1);
    gemm_s32(M, N, k1, {a1.data(), a_s}, a_zp, {b.data(), b_s}, b_zp.data(), c.data());
    gemm_s32(M, N, K - k1, {a2.data(), a_s}, a_zp, {b.data() + k1 * N, b_s}, b_zp.data(), c.data(),
             true);

    for (int m = 0; m < M; ++m) {
      for (int n = 0; n < N; ++n) {
        double ref = 0.0;  // exact: |ref| < 2^53
        for (int k = 0; k < K; ++k) {
          ref += (decode(a[m * K + k], a_s) - a_zp) * (decode(b[k * N + n], b_s) - b_zp[n]);
        }
        const int32_t got = c[m * N + n];
        if (got != static_cast<int32_t>(ref)) {
          CAPTURE(m, n, k1);
          REQUIRE(got == static_cast<int32_t>(ref));
        }
      }
    }
  }
  SUCCEED("all random shapes matched");
}
