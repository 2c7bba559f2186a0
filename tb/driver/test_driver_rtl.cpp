// SPDX-License-Identifier: Apache-2.0
// The driver on the verilated core (DIM 8 and 16): GEMM, FC and conv2d layers, each output
// compared element by element with the golden references (the same checks as the golden
// backend's tests in sw/driver/tests), and the cycle counters read back through the driver.
#include <catch2/catch.hpp>

#include "driver_test_util.h"
#include "rtl_device.h"

using namespace qilin;
using qilin::golden::Rng;
using qilin::test::DriverFixture;

namespace {

DriverFixture rtl_fixture(int dim) {
  tb::driver::RtlOptions o;
  o.dim = dim;
  o.max_cycles = 50'000'000;
  return DriverFixture(tb::driver::make_rtl_device(o));
}

}  // namespace

TEST_CASE("RTL: probe reads the chip build's configuration", "[driver_rtl]") {
  for (int dim : {8, 16}) {
    DriverFixture f = rtl_fixture(dim);
    CHECK(f.dev.hw.dim == static_cast<uint32_t>(dim));
    CHECK(f.dev.hw.sp_rows == 1024);
    CHECK(f.dev.hw.acc_rows == 256);
  }
}

TEST_CASE("RTL: GEMM tiler equals the golden GEMM and requantisation", "[driver_rtl]") {
  const uint64_t seed = Catch::rngSeed();
  CAPTURE(seed);
  Rng rng(seed);
  for (int dim : {8, 16}) {
    DriverFixture f = rtl_fixture(dim);
    for (int iter = 0; iter < 3; ++iter) {
      test::GemmCase c = test::random_gemm_case(rng, static_cast<int>(rng.uniform(1, 300)),
                                                static_cast<int>(rng.uniform(1, 70)),
                                                static_cast<int>(rng.uniform(1, 40)));
      CAPTURE(dim, iter, c.m, c.k, c.n);
      qilin_perf_t perf{};
      const std::vector<uint8_t> got = test::run_gemm_requant(f.dev, c, &perf);
      test::require_equal_matrix(test::golden_gemm_requant(c), got, c.m, c.n);
      // PERF_MACS counts every lane of the array: m_size * k_size * DIM per MATMUL.
      CHECK(perf.macs >= static_cast<uint64_t>(c.m) * c.k * c.n);
      CHECK(perf.cycles > 0);
    }
  }
}

TEST_CASE("RTL: conv2d tiler equals the im2col reference", "[driver_rtl]") {
  const uint64_t seed = Catch::rngSeed();
  CAPTURE(seed);
  Rng rng(seed);
  for (int dim : {8, 16}) {
    DriverFixture f = rtl_fixture(dim);
    test::check_random_convs(f.dev, rng, dim, 5);
  }
}

TEST_CASE("RTL: int32 outputs (ConvInteger, MatMulInteger) equal the golden accumulators",
          "[driver_rtl]") {
  const uint64_t seed = Catch::rngSeed();
  CAPTURE(seed);
  Rng rng(seed);
  for (int dim : {8, 16}) {
    DriverFixture f = rtl_fixture(dim);
    test::check_random_int32_layers(f.dev, rng, dim, 3);
  }
}
