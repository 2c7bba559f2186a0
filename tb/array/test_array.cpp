// qilin_array against the golden GEMM: random shapes, extremes, zero points, back-to-back
// tiles with exact cycle counts, and stalls on every stream.
#include <catch2/catch.hpp>

#include <cstdio>

#include "array_bench.h"
#include "array_configs.h"

using namespace qilin::tb;
using qilin::golden::Rng;

namespace {

uint64_t test_seed(const char* what) {
  const uint64_t seed = Catch::rngSeed();
  std::printf("[seed] %s: %llu (replay with --rng-seed %llu)\n", what,
              static_cast<unsigned long long>(seed), static_cast<unsigned long long>(seed));
  return seed;
}

ArrayTile filled_tile(int M, int K, int N, uint8_t a, bool as, int32_t azp, uint8_t w, bool ws,
                      int32_t wzp) {
  ArrayTile t;
  t.M = M, t.K = K, t.N = N;
  t.a.assign(static_cast<size_t>(M) * K, a);
  t.w.assign(static_cast<size_t>(K) * N, w);
  t.a_signed = as, t.w_signed = ws;
  t.a_zp = azp;
  t.w_zp.assign(N, wzp);
  return t;
}

}  // namespace

// The regression build (test_array32) compiles this file once more for 32x32 only.
#ifndef ARRAY_CONFIGS
#define ARRAY_CONFIGS Array4x4, Array8x8, Array16x16
#define QILIN_ARRAY_DEFAULT_CONFIGS 1
#endif

TEMPLATE_TEST_CASE("array matches golden GEMM on random shapes and data", "[array][random]",
                   ARRAY_CONFIGS) {
  const uint64_t seed = test_seed("random shapes");
  CAPTURE(seed, TestType::kName);
  Rng rng(seed);
  constexpr int R = TestType::kRows, C = TestType::kCols;
  ArrayBench<TestType> bench(std::string("array_random_") + TestType::kName);
  for (int iter = 0; iter < 8; ++iter) {
    std::vector<ArrayTile> tiles;
    const int n = static_cast<int>(rng.uniform(1, 4));
    for (int i = 0; i < n; ++i) {
      tiles.push_back(random_tile(rng, static_cast<int>(rng.uniform(1, 3 * R)),
                                  static_cast<int>(rng.uniform(1, R)),
                                  static_cast<int>(rng.uniform(1, C))));
    }
    CAPTURE(iter);
    REQUIRE_NOTHROW(bench.run(tiles, {}, rng.uniform(0, 1 << 30)));
  }
}

TEMPLATE_TEST_CASE("array is exact at extreme values with K at its maximum", "[array][extreme]",
                   ARRAY_CONFIGS) {
  constexpr int R = TestType::kRows, C = TestType::kCols, M = 2 * R;
  ArrayBench<TestType> bench(std::string("array_extreme_") + TestType::kName);
  const std::vector<ArrayTile> tiles = {
      filled_tile(M, R, C, 0x80, true, 0, 0x80, true, 0),      // all -128: +16384 per term
      filled_tile(M, R, C, 0x7f, true, 0, 0x7f, true, 0),      // all 127
      filled_tile(M, R, C, 0x80, true, 0, 0x7f, true, 0),      // -128 x 127
      filled_tile(M, R, C, 0xff, false, 0, 0x80, true, 127),   // 255 x (-255): largest magnitude
      filled_tile(M, R, C, 0x00, false, 255, 0xff, false, 0),  // (-255) x 255
      filled_tile(M, R, C, 0x80, true, 127, 0x80, true, 127),  // (-255) x (-255)
  };
  const ArrayRun run = bench.run(tiles);
  // The largest magnitude reached must really be K * 255 * 255: the test checks it, so the
  // case cannot silently degrade into small values.
  REQUIRE(tiles[3].expected()[0] == -R * 255 * 255);
  REQUIRE(tiles[5].expected()[0] == R * 255 * 255);
  REQUIRE(run.useful_macs == 6ull * M * R * C);
}

TEMPLATE_TEST_CASE("array applies non-zero zero points (uint8 ONNX and int8 TFLite)",
                   "[array][zeropoint]", ARRAY_CONFIGS) {
  const uint64_t seed = test_seed("zero points");
  CAPTURE(seed);
  Rng rng(seed);
  constexpr int R = TestType::kRows, C = TestType::kCols;
  ArrayBench<TestType> bench(std::string("array_zp_") + TestType::kName);
  std::vector<ArrayTile> tiles;
  for (int i = 0; i < 4; ++i) {
    ArrayTile t = random_tile(rng, R, R, C);
    t.a_signed = (i & 1), t.w_signed = (i & 2);
    t.a_zp = t.a_signed ? -77 : 131;  // non-zero, in range for the operand type
    for (int n = 0; n < C; ++n) t.w_zp[n] = t.w_signed ? (n * 37) % 256 - 128 : (n * 53) % 256;
    tiles.push_back(t);
  }
  REQUIRE_NOTHROW(bench.run(tiles, {}, seed));
}

TEMPLATE_TEST_CASE("back-to-back tiles pay fill and drain once (exact cycles)", "[array][cycles]",
                   ARRAY_CONFIGS) {
  constexpr int R = TestType::kRows, C = TestType::kCols;
  constexpr uint64_t L = ArrayBench<TestType>::kLatency;
  Rng rng(7);
  for (int M : {R, 2 * R, 3 * R + 1}) {
    for (int T : {1, 2, 5}) {
      ArrayBench<TestType> bench(std::string("array_b2b_") + TestType::kName);
      std::vector<ArrayTile> tiles;
      for (int i = 0; i < T; ++i) tiles.push_back(random_tile(rng, M, R, C));
      const ArrayRun run = bench.run(tiles);
      CAPTURE(M, T, L);
      // First weight row at cycle 0, first A row at cycle 1, then one A row per cycle with
      // no bubble between tiles; the last result leaves L cycles after its A row.
      REQUIRE(run.cycles() == static_cast<uint64_t>(T) * M + L + 1);
    }
  }
}

TEMPLATE_TEST_CASE("two back-to-back tiles add no bubble", "[array][cycles]", ARRAY_CONFIGS) {
  constexpr int R = TestType::kRows, C = TestType::kCols;
  Rng rng(11);
  const int M = R;
  const ArrayTile a = random_tile(rng, M, R, C), b = random_tile(rng, M, R, C);
  // One model alive at a time (see Sim): scope each bench.
  const uint64_t c1 = ArrayBench<TestType>(std::string("array_one_") + TestType::kName).run({a}).cycles();
  const uint64_t c2 =
      ArrayBench<TestType>(std::string("array_two_") + TestType::kName).run({a, b}).cycles();
  REQUIRE(c2 - c1 == static_cast<uint64_t>(M));
}

TEMPLATE_TEST_CASE("array survives stalls on every stream mid-stream", "[array][stall]",
                   ARRAY_CONFIGS) {
  const uint64_t seed = test_seed("stalls");
  CAPTURE(seed);
  Rng rng(seed);
  constexpr int R = TestType::kRows, C = TestType::kCols;
  const Stalls patterns[] = {
      {0.0, 0.3, 0.0},   // bubbles in A
      {0.0, 0.0, 0.5},   // output backpressure
      {0.4, 0.0, 0.0},   // weight gaps: the wavefront can overtake, so the array freezes
      {0.3, 0.3, 0.3},   // everything at once
      {0.0, 0.0, 0.95},  // near-blocked output: credits must throttle admission
  };
  for (const Stalls& st : patterns) {
    ArrayBench<TestType> bench(std::string("array_stall_") + TestType::kName);
    std::vector<ArrayTile> tiles;
    for (int i = 0; i < 4; ++i) {
      tiles.push_back(random_tile(rng, static_cast<int>(rng.uniform(1, 2 * R)),
                                  static_cast<int>(rng.uniform(1, R)),
                                  static_cast<int>(rng.uniform(1, C))));
    }
    CAPTURE(st.w_gap, st.a_gap, st.o_block);
    REQUIRE_NOTHROW(bench.run(tiles, st, rng.uniform(0, 1 << 30)));
  }
}

#ifdef QILIN_ARRAY_DEFAULT_CONFIGS
TEST_CASE("16x16: one tile streaming 1024 rows takes 1024 + fill + drain cycles",
          "[array][cycles]") {
  Rng rng(3);
  ArrayBench<Array16x16> bench("array_stream1024_16x16");
  const ArrayRun run = bench.run({random_tile(rng, 1024, 16, 16)});
  REQUIRE(run.cycles() == 1024 + ArrayBench<Array16x16>::kLatency + 1);
  const double util = static_cast<double>(run.useful_macs) / (16.0 * 16.0 * run.cycles());
  CAPTURE(util);
  REQUIRE(util >= 0.97);
}
#endif
