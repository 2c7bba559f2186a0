// SPDX-License-Identifier: Apache-2.0
// Driver unit tests on the host: probe, allocator, quantize_multiplier, submit/wait/error and
// timeout paths, and the GEMM / FC tilers on the golden backend (the ISS), every element
// compared with the golden GEMM and requantisation.
#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>
#include <map>
#include <memory>
#include <vector>

#include "driver_test_util.h"
#include "qilin/csr.h"
#include "qilin/driver.h"
#include "qilin/golden/gemm.h"
#include "qilin/golden/requant.h"
#include "qilin/golden/rng.h"
#include "qilin/host_device.h"

using namespace qilin;
using qilin::golden::Rng;
using qilin::test::DriverFixture;

namespace {

// A device that answers with a chosen ID, or never finishes a program.
class FakeDevice final : public host::Device {
 public:
  uint32_t id = QILIN_CSR__ID__VALUE_reset;
  bool hang = false;
  int soft_resets = 0;
  uint32_t csr_read(uint32_t o) override {
    if (o == offsetof(qilin_csr_t, ID)) return id;
    if (o == offsetof(qilin_csr_t, HW_CFG0)) return 8u | (8u << 16);
    if (o == offsetof(qilin_csr_t, HW_SP_ROWS)) return 1024;
    if (o == offsetof(qilin_csr_t, HW_ACC_ROWS)) return 256;
    if (o == offsetof(qilin_csr_t, STATUS)) return busy ? QILIN_CSR__STATUS__BUSY_bm : 0u;
    return 0;
  }
  void csr_write(uint32_t o, uint32_t v) override {
    if (o != offsetof(qilin_csr_t, CTRL)) return;
    if (v & QILIN_CSR__CTRL__START_bm) busy = hang;
    if (v & QILIN_CSR__CTRL__SOFT_RESET_bm) {
      ++soft_resets;
      busy = false;
    }
  }
  int mem_write(uint64_t, const void*, std::size_t) override { return 0; }
  int mem_read(uint64_t, void*, std::size_t) override { return 0; }
  void delay(uint32_t) override {}
  std::string name() const override { return "fake"; }

 private:
  bool busy = false;
};

}  // namespace

TEST_CASE("probe reads the configuration and rejects a wrong ID", "[driver]") {
  FakeDevice fake;
  qilin_hal_t hal = fake.hal();
  qilin_insn_t buf[16];
  qilin_dev_t dev;
  REQUIRE(qilin_open(&dev, &hal, 0x1000, 0x10000, buf, 16) == QILIN_OK);
  CHECK(dev.hw.dim == 8);
  CHECK(dev.hw.sp_rows == 1024);
  CHECK(dev.hw.acc_rows == 256);
  fake.id = 0xdeadbeef;
  CHECK(qilin_open(&dev, &hal, 0x1000, 0x10000, buf, 16) == QILIN_E_PROBE);
}

TEST_CASE("wait times out on a hung device and soft-resets it", "[driver]") {
  FakeDevice fake;
  fake.hang = true;
  qilin_hal_t hal = fake.hal();
  qilin_insn_t buf[16];
  qilin_dev_t dev;
  REQUIRE(qilin_open(&dev, &hal, 0x1000, 0x10000, buf, 16) == QILIN_OK);
  const int resets = fake.soft_resets;
  dev.timeout = 1000;
  REQUIRE(qilin_prog_begin(&dev) == QILIN_OK);
  CHECK(qilin_prog_run(&dev) == QILIN_E_TIMEOUT);
  CHECK(fake.soft_resets == resets + 1);
}

TEST_CASE("allocator: first fit, alignment, reuse and exhaustion", "[driver]") {
  DriverFixture f(8);
  qilin_dev_t& dev = f.dev;
  uint64_t a, b, c;
  REQUIRE(qilin_malloc(&dev, 100, &a) == QILIN_OK);
  REQUIRE(qilin_malloc(&dev, 1, &b) == QILIN_OK);
  CHECK(a % 64 == 0);
  CHECK(b >= a + 100);
  CHECK(b % 64 == 0);
  REQUIRE(qilin_free(&dev, a) == QILIN_OK);
  REQUIRE(qilin_malloc(&dev, 64, &c) == QILIN_OK);
  CHECK(c == a);  // the freed hole is reused
  CHECK(qilin_free(&dev, a + 1) == QILIN_E_ARG);
  uint64_t big;
  CHECK(qilin_malloc(&dev, DriverFixture::kMemSize, &big) == QILIN_E_NOMEM);
  CHECK(qilin_mem_write(&dev, DriverFixture::kMemBase - 1, &a, 1) == QILIN_E_ARG);
}

TEST_CASE("quantize_multiplier is bit-exact with the golden one", "[driver]") {
  const uint64_t seed = Catch::rngSeed();
  CAPTURE(seed);
  Rng rng(seed);
  std::vector<double> reals = {0.0, 1.0, 0.5, 0.25, 1e-12, 0.999999999999, 1e-9, 3.0, 1000.5};
  for (int i = 0; i < 20000; ++i) {
    const double mant = 0.5 + 0.5 * static_cast<double>(rng.uniform(0, (1ll << 52) - 1)) /
                                  static_cast<double>(1ll << 52);
    reals.push_back(std::ldexp(mant, static_cast<int>(rng.uniform(-40, 28))));
  }
  for (double r : reals) {
    CAPTURE(r);
    const golden::QuantMultiplier want = golden::quantize_multiplier(r);
    int32_t m = -1, s = -1;
    REQUIRE(qilin_quantize_multiplier(r, &m, &s) == QILIN_OK);
    CHECK(m == want.multiplier);
    CHECK(s == want.shift);
  }
  int32_t m, s;
  CHECK(qilin_quantize_multiplier(-0.5, &m, &s) == QILIN_E_ARG);
  CHECK(qilin_quantize_multiplier(std::ldexp(1.0, 31), &m, &s) == QILIN_E_ARG);
}

TEST_CASE("a device error is decoded, and the device recovers", "[driver]") {
  DriverFixture f(8);
  qilin_dev_t& dev = f.dev;
  REQUIRE(qilin_prog_begin(&dev) == QILIN_OK);
  qilin_insn_t bad{};
  bad.w[0] = 0xf;  // unknown opcode
  dev.prog[dev.prog_len++] = bad;
  CHECK(qilin_prog_run(&dev) == QILIN_E_DEVICE);
  CHECK(dev.last_error.code == QILIN_ERR_ILLEGAL_INSN);
  CHECK(dev.last_error.pc == 0);
  CHECK(std::string(qilin_dev_error_name(dev.last_error.code)) == "ILLEGAL_INSN");
  REQUIRE(qilin_recover(&dev) == QILIN_OK);
  REQUIRE(qilin_prog_begin(&dev) == QILIN_OK);
  CHECK(qilin_prog_run(&dev) == QILIN_OK);
}

TEST_CASE("program buffer overflow is reported, not written past", "[driver]") {
  DriverFixture f(8, 1024, 256, /*insn_cap=*/8);
  qilin_dev_t& dev = f.dev;
  REQUIRE(qilin_prog_begin(&dev) == QILIN_OK);
  for (int i = 0; i < 7; ++i) REQUIRE(qilin_prog_barrier(&dev) == QILIN_OK);
  CHECK(qilin_prog_barrier(&dev) == QILIN_E_PROG_FULL);
  CHECK(qilin_prog_run(&dev) == QILIN_E_PROG_FULL);
  CHECK(qilin_prog_begin(&dev) == QILIN_OK);  // a new program starts clean
  CHECK(qilin_prog_run(&dev) == QILIN_OK);
}

TEST_CASE("GEMM tiler: random shapes, 8-bit and requantised output, golden backend",
          "[driver][gemm]") {
  const uint64_t seed = Catch::rngSeed();
  CAPTURE(seed);
  Rng rng(seed);
  for (int dim : {8, 16}) {
    // A small accumulator forces several M tiles; a small scratchpad too.
    DriverFixture f(dim, 1024, 256);
    for (int iter = 0; iter < 12; ++iter) {
      test::GemmCase c = test::random_gemm_case(rng, 1 + static_cast<int>(rng.uniform(0, 300)),
                                                1 + static_cast<int>(rng.uniform(0, 80)),
                                                1 + static_cast<int>(rng.uniform(0, 40)));
      CAPTURE(dim, iter, c.m, c.k, c.n, c.a_signed, c.b_signed, c.a_zp, c.b_zp);
      const std::vector<uint8_t> got = test::run_gemm_requant(f.dev, c);
      const std::vector<uint8_t> want = test::golden_gemm_requant(c);
      test::require_equal_matrix(want, got, c.m, c.n);
    }
  }
}

TEST_CASE("FC over a flattened activation equals the GEMM over NCHW flatten", "[driver][fc]") {
  const uint64_t seed = Catch::rngSeed();
  CAPTURE(seed);
  Rng rng(seed);
  DriverFixture f(8);
  for (int iter = 0; iter < 6; ++iter) {
    const uint32_t n = static_cast<uint32_t>(rng.uniform(1, 5)),
                   c = static_cast<uint32_t>(rng.uniform(1, 20)),
                   h = static_cast<uint32_t>(rng.uniform(1, 5)),
                   w = static_cast<uint32_t>(rng.uniform(1, 5)),
                   o = static_cast<uint32_t>(rng.uniform(1, 12));
    CAPTURE(iter, n, c, h, w, o);
    // As a GEMM: A = X flattened (n x c*h*w), B = W^T.
    test::GemmCase g = test::random_gemm_case(rng, static_cast<int>(n), static_cast<int>(c * h * w),
                                              static_cast<int>(o));
    std::vector<uint8_t> wt(static_cast<size_t>(o) * c * h * w);  // [o][k]
    for (uint32_t k = 0; k < c * h * w; ++k)
      for (uint32_t j = 0; j < o; ++j) wt[j * c * h * w + k] = g.b[k * o + j];
    const std::vector<uint8_t> want = test::golden_gemm_requant(g);

    qilin_act_t x{};
    x.n = n;
    x.c = c;
    x.h = h;
    x.w = w;
    x.pitch = w + static_cast<uint32_t>(rng.uniform(0, 2));  // scratch columns are skipped
    x.dtype = g.a_signed ? QILIN_I8 : QILIN_U8;
    x.zp = g.a_zp;
    REQUIRE(qilin_act_alloc(&f.dev, &x) == QILIN_OK);
    REQUIRE(qilin_act_upload(&f.dev, &x, g.a.data()) == QILIN_OK);
    qilin_gemm_layer_t L;
    const qilin_requant_t rq = g.requant();
    REQUIRE(qilin_fc_prepare(&f.dev, &L, wt.data(), o, c, h, w, g.b_signed ? QILIN_I8 : QILIN_U8,
                             g.b_zp, &rq) == QILIN_OK);
    qilin_mat_t y{};
    y.rows = n;
    y.cols = o;
    y.dtype = g.out_dtype;
    REQUIRE(qilin_mat_alloc(&f.dev, &y) == QILIN_OK);
    REQUIRE(qilin_prog_begin(&f.dev) == QILIN_OK);
    REQUIRE(qilin_fc(&f.dev, &L, &x, &y) == QILIN_OK);
    REQUIRE(qilin_prog_run(&f.dev) == QILIN_OK);
    std::vector<uint8_t> got(static_cast<size_t>(n) * o);
    REQUIRE(qilin_mat_download(&f.dev, &y, got.data()) == QILIN_OK);
    test::require_equal_matrix(want, got, static_cast<int>(n), static_cast<int>(o));
    qilin_gemm_release(&f.dev, &L);
    qilin_free(&f.dev, x.addr);
    qilin_free(&f.dev, y.addr);
  }
}

TEST_CASE("layer arguments are checked", "[driver]") {
  DriverFixture f(8);
  qilin_gemm_layer_t L;
  std::vector<uint8_t> b(4 * 4);
  int32_t mult[4] = {1 << 30, 1 << 30, 1 << 30, 1 << 30}, shift[4] = {0, 0, 0, 40};
  qilin_requant_t rq{nullptr, mult, shift, 0, 0, 255, QILIN_U8};
  CHECK(qilin_gemm_prepare(&f.dev, &L, b.data(), 4, 4, QILIN_U8, 0, &rq) == QILIN_E_ARG);  // shift
  shift[3] = 0;
  rq.out_zp = 300;
  CHECK(qilin_gemm_prepare(&f.dev, &L, b.data(), 4, 4, QILIN_U8, 0, &rq) == QILIN_E_ARG);  // zp
  rq.out_zp = 0;
  CHECK(qilin_gemm_prepare(&f.dev, &L, b.data(), 4, 4, QILIN_I8, 200, &rq) == QILIN_E_ARG);
  REQUIRE(qilin_gemm_prepare(&f.dev, &L, b.data(), 4, 4, QILIN_U8, 0, &rq) == QILIN_OK);
  qilin_mat_t a{};
  a.rows = 3;
  a.cols = 5;  // K mismatch
  a.dtype = QILIN_U8;
  REQUIRE(qilin_mat_alloc(&f.dev, &a) == QILIN_OK);
  qilin_mat_t c{};
  c.rows = 3;
  c.cols = 4;
  c.dtype = QILIN_U8;
  REQUIRE(qilin_mat_alloc(&f.dev, &c) == QILIN_OK);
  REQUIRE(qilin_prog_begin(&f.dev) == QILIN_OK);
  CHECK(qilin_gemm(&f.dev, &L, &a, &c) == QILIN_E_ARG);
  a.cols = 4;
  c.dtype = QILIN_I8;  // output type differs from the layer's
  CHECK(qilin_gemm(&f.dev, &L, &a, &c) == QILIN_E_ARG);
  CHECK(qilin_prog_run(&f.dev) == QILIN_OK);
}

TEST_CASE("conv2d tiler: pads, strides, dilations, groups, depthwise and fused pooling",
          "[driver][conv]") {
  const uint64_t seed = Catch::rngSeed();
  CAPTURE(seed);
  Rng rng(seed);
  for (int dim : {8, 16}) {
    DriverFixture f(dim, 1024, 256);
    test::check_random_convs(f.dev, rng, dim, 25);
  }
}

TEST_CASE("conv2d on an im2col-uploaded input equals the direct conv2d", "[driver][conv]") {
  const uint64_t seed = Catch::rngSeed();
  CAPTURE(seed);
  Rng rng(seed);
  DriverFixture f(16);
  for (int iter = 0; iter < 8; ++iter) {
    test::ConvCase c = test::random_conv_case(rng, 16);
    // Few input channels and one group: the case im2col upload is for.
    c.groups = c.attr.groups = 1;
    c.c_in = static_cast<uint32_t>(rng.uniform(1, 2));
    c.wt.resize(size_t(c.c_out) * c.c_in * c.kh * c.kw);
    c.x.resize(size_t(c.n) * c.c_in * c.h * c.w);
    const qilin_conv_attr_t a = c.attr;
    CAPTURE(iter, c.c_in, c.c_out, c.h, c.w, c.kh, c.kw, a.pad_t, a.pad_l, a.stride_h, a.dil_h);
    uint32_t roh, row;
    const std::vector<uint8_t> want = test::conv_reference(c, &roh, &row);
    // The same weights as a 1x1 convolution over c_in*kh*kw channels.
    qilin_conv_layer_t L;
    const qilin_requant_t rq = c.requant();
    const uint32_t k = c.c_in * c.kh * c.kw;
    REQUIRE(qilin_conv_prepare(&f.dev, &L, c.wt.data(), c.c_out, k, 1, 1, 1,
                               c.w_signed ? QILIN_I8 : QILIN_U8, c.w_zp, &rq) == QILIN_OK);
    const uint32_t oh1 = (c.h + a.pad_t + a.pad_b - (c.kh - 1) * a.dil_h - 1) / a.stride_h + 1;
    const uint32_t ow1 = (c.w + a.pad_l + a.pad_r - (c.kw - 1) * a.dil_w - 1) / a.stride_w + 1;
    qilin_act_t x{0, c.n, k, oh1, ow1, 0, c.x_signed ? QILIN_I8 : QILIN_U8, c.x_zp};
    REQUIRE(qilin_act_alloc(&f.dev, &x) == QILIN_OK);
    REQUIRE(qilin_act_upload_im2col(&f.dev, &x, c.x.data(), c.c_in, c.h, c.w, &a) == QILIN_OK);
    const qilin_conv_attr_t one = {1, 1, 0, 0, 0, 0, 1, 1, 1, 1, 1};
    const qilin_pool_t* pool = c.pool.kind == QILIN_POOL_KIND_NONE ? nullptr : &c.pool;
    qilin_act_t y{};
    REQUIRE(qilin_conv2d_shape(&f.dev, &L, &x, &one, pool, &y) == QILIN_OK);
    REQUIRE(y.h == roh);
    REQUIRE(y.w == row);
    REQUIRE(qilin_act_alloc(&f.dev, &y) == QILIN_OK);
    REQUIRE(qilin_prog_begin(&f.dev) == QILIN_OK);
    REQUIRE(qilin_conv2d(&f.dev, &L, &x, &one, pool, &y) == QILIN_OK);
    REQUIRE(qilin_prog_run(&f.dev) == QILIN_OK);
    std::vector<uint8_t> got(size_t(y.n) * y.c * y.h * y.w);
    REQUIRE(qilin_act_download(&f.dev, &y, got.data()) == QILIN_OK);
    test::require_equal_matrix(want, got, static_cast<int>(c.n * c.c_out * y.h),
                               static_cast<int>(y.w));
    qilin_conv_release(&f.dev, &L);
    qilin_free(&f.dev, x.addr);
    qilin_free(&f.dev, y.addr);
  }
}

TEST_CASE("int32 outputs: ConvInteger and MatMulInteger stored from the accumulator",
          "[driver][int32]") {
  const uint64_t seed = Catch::rngSeed();
  CAPTURE(seed);
  Rng rng(seed);
  for (int dim : {8, 16}) {
    DriverFixture f(dim);
    test::check_random_int32_layers(f.dev, rng, dim, 12);
  }
}
