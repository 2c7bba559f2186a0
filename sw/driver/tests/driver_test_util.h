// SPDX-License-Identifier: Apache-2.0
// Shared helpers for the driver tests (golden backend here, RTL backend in tb/driver).
#pragma once

#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>
#include <memory>
#include <sstream>
#include <vector>

#include "qilin/driver.h"
#include "qilin/golden/gemm.h"
#include "qilin/golden/requant.h"
#include "qilin/golden/rng.h"
#include "qilin/host_device.h"

namespace qilin::test {

// A driver opened on a backend device (golden by default).
struct DriverFixture {
  static constexpr uint64_t kMemBase = 0x1000'0000;
  static constexpr uint64_t kMemSize = 64ull << 20;

  explicit DriverFixture(int dim, uint32_t sp_rows = 1024, uint32_t acc_rows = 256,
                         uint32_t insn_cap = 1u << 16)
      : DriverFixture(host::make_golden_device({dim, sp_rows, acc_rows}), insn_cap) {}

  DriverFixture(std::unique_ptr<host::Device> d, uint32_t insn_cap = 1u << 16)
      : device(std::move(d)), insns(insn_cap) {
    hal = device->hal();
    const int st = qilin_open(&dev, &hal, kMemBase, kMemSize, insns.data(), insn_cap);
    if (st) throw std::runtime_error(std::string("qilin_open: ") + qilin_strerror(st));
  }

  std::unique_ptr<host::Device> device;
  std::vector<qilin_insn_t> insns;
  qilin_hal_t hal{};
  qilin_dev_t dev{};
};

// A requantised GEMM: C = requant(A x B + bias), per-column parameters.
struct GemmCase {
  int m = 0, k = 0, n = 0;
  bool a_signed = false, b_signed = true;
  int32_t a_zp = 0, b_zp = 0;
  std::vector<uint8_t> a, b;  // raw bytes, row-major M x K and K x N
  std::vector<int32_t> bias, mult, shift;
  int32_t out_zp = 0, act_min = 0, act_max = 255;
  qilin_dtype_t out_dtype = QILIN_U8;

  qilin_requant_t requant() const {
    return {bias.data(), mult.data(), shift.data(), out_zp, act_min, act_max, out_dtype};
  }
};

inline GemmCase random_gemm_case(golden::Rng& rng, int m, int k, int n) {
  GemmCase c;
  c.m = m;
  c.k = k;
  c.n = n;
  c.a_signed = rng.uniform(0, 1) != 0;
  c.b_signed = rng.uniform(0, 1) != 0;
  c.a_zp = static_cast<int32_t>(c.a_signed ? rng.uniform(-128, 127) : rng.uniform(0, 255));
  c.b_zp = static_cast<int32_t>(c.b_signed ? rng.uniform(-20, 20) : rng.uniform(100, 155));
  c.a.resize(static_cast<size_t>(m) * k);
  c.b.resize(static_cast<size_t>(k) * n);
  for (auto& v : c.a) v = static_cast<uint8_t>(rng.uniform(0, 255));
  for (auto& v : c.b) v = static_cast<uint8_t>(rng.uniform(0, 255));
  c.out_dtype = rng.uniform(0, 1) ? QILIN_I8 : QILIN_U8;
  const int32_t lo = c.out_dtype == QILIN_I8 ? -128 : 0;
  c.out_zp = static_cast<int32_t>(rng.uniform(lo, lo + 255));
  c.act_min = static_cast<int32_t>(rng.uniform(lo, lo + 100));
  c.act_max = static_cast<int32_t>(rng.uniform(lo + 150, lo + 255));
  // Scales that put the accumulators' spread across the output range.
  const double spread = 128.0 * 128.0 * std::sqrt(static_cast<double>(k)) + 1.0;
  for (int j = 0; j < n; ++j) {
    c.bias.push_back(static_cast<int32_t>(rng.uniform(-5000, 5000)));
    const golden::QuantMultiplier qm =
        golden::quantize_multiplier(40.0 / spread * (0.5 + rng.uniform(0, 1000) / 1000.0));
    c.mult.push_back(qm.multiplier);
    c.shift.push_back(qm.shift);
  }
  return c;
}

inline std::vector<uint8_t> golden_gemm_requant(const GemmCase& c) {
  std::vector<int32_t> acc(static_cast<size_t>(c.m) * c.n);
  std::vector<int32_t> bzp(static_cast<size_t>(c.n), c.b_zp);
  golden::gemm_s32(c.m, c.n, c.k, {c.a.data(), c.a_signed}, c.a_zp, {c.b.data(), c.b_signed},
                   bzp.data(), acc.data());
  std::vector<golden::RequantParams> p;
  for (int j = 0; j < c.n; ++j)
    p.push_back({{c.mult[j], c.shift[j]}, c.out_zp, c.act_min, c.act_max, c.out_dtype == QILIN_I8});
  std::vector<uint8_t> out(acc.size());
  golden::requantize_matrix(c.m, c.n, acc.data(), c.bias.data(), p.data(), out.data());
  return out;
}

// Runs c through qilin_gemm_prepare / qilin_gemm on dev; returns C's bytes.
inline std::vector<uint8_t> run_gemm_requant(qilin_dev_t& dev, const GemmCase& c,
                                             qilin_perf_t* perf = nullptr) {
  qilin_gemm_layer_t L;
  const qilin_requant_t rq = c.requant();
  REQUIRE(qilin_gemm_prepare(&dev, &L, c.b.data(), static_cast<uint32_t>(c.k),
                             static_cast<uint32_t>(c.n), c.b_signed ? QILIN_I8 : QILIN_U8, c.b_zp,
                             &rq) == QILIN_OK);
  qilin_mat_t a{};
  a.rows = static_cast<uint32_t>(c.m);
  a.cols = static_cast<uint32_t>(c.k);
  a.dtype = c.a_signed ? QILIN_I8 : QILIN_U8;
  a.zp = c.a_zp;
  REQUIRE(qilin_mat_alloc(&dev, &a) == QILIN_OK);
  REQUIRE(qilin_mat_upload(&dev, &a, c.a.data()) == QILIN_OK);
  qilin_mat_t out{};
  out.rows = a.rows;
  out.cols = static_cast<uint32_t>(c.n);
  out.dtype = c.out_dtype;
  REQUIRE(qilin_mat_alloc(&dev, &out) == QILIN_OK);
  REQUIRE(qilin_prog_begin(&dev) == QILIN_OK);
  REQUIRE(qilin_gemm(&dev, &L, &a, &out) == QILIN_OK);
  const int st = qilin_prog_run(&dev);
  INFO("device error " << qilin_dev_error_name(dev.last_error.code) << " pc " << dev.last_error.pc
                       << " addr 0x" << std::hex << dev.last_error.addr);
  REQUIRE(st == QILIN_OK);
  if (perf) REQUIRE(qilin_read_perf(&dev, perf) == QILIN_OK);
  std::vector<uint8_t> got(static_cast<size_t>(c.m) * c.n);
  REQUIRE(qilin_mat_download(&dev, &out, got.data()) == QILIN_OK);
  qilin_gemm_release(&dev, &L);
  qilin_free(&dev, a.addr);
  qilin_free(&dev, out.addr);
  return got;
}

// Fails with the first mismatch's coordinates, expected and actual value.
template <class T>
void require_equal_matrix(const std::vector<T>& want, const std::vector<T>& got, int rows,
                          int cols) {
  REQUIRE(want.size() == got.size());
  for (int r = 0; r < rows; ++r) {
    for (int c = 0; c < cols; ++c) {
      const size_t i = static_cast<size_t>(r) * cols + c;
      if (want[i] != got[i]) {
        std::ostringstream os;
        os << "mismatch at (" << r << ", " << c << "): expected " << +want[i] << ", got "
           << +got[i];
        FAIL(os.str());
      }
    }
  }
}

}  // namespace qilin::test

namespace qilin::test {

// A quantised conv2d (+ optional fused pooling) and its reference, computed independently of
// the driver's shifted-window scheme: explicit im2col per group, golden GEMM, golden
// requantisation, then pooling on the 8-bit outputs (ONNX floor semantics; AVG rounds half
// away from zero, as POSTPROC does).
struct ConvCase {
  uint32_t n = 1, c_in = 1, h = 1, w = 1, c_out = 1, kh = 1, kw = 1, groups = 1;
  qilin_conv_attr_t attr{};
  qilin_pool_t pool{};
  bool x_signed = false, w_signed = true;
  int32_t x_zp = 0, w_zp = 0;
  std::vector<uint8_t> x, wt;  // NCHW, OIHW raw bytes
  std::vector<int32_t> bias, mult, shift;
  int32_t out_zp = 0, act_min = 0, act_max = 255;
  qilin_dtype_t out_dtype = QILIN_U8;

  qilin_requant_t requant() const {
    return {bias.data(), mult.data(), shift.data(), out_zp, act_min, act_max, out_dtype};
  }
};

// The int32 accumulators of c (NCHW), before bias and requantisation.
inline std::vector<int32_t> conv_acc_reference(const ConvCase& c, uint32_t* oh_out,
                                               uint32_t* ow_out) {
  const qilin_conv_attr_t& a = c.attr;
  const uint32_t ekh = (c.kh - 1) * a.dil_h + 1, ekw = (c.kw - 1) * a.dil_w + 1;
  const uint32_t hp = c.h + a.pad_t + a.pad_b, wp = c.w + a.pad_l + a.pad_r;
  const uint32_t oh = (hp - ekh) / a.stride_h + 1, ow = (wp - ekw) / a.stride_w + 1;
  const uint32_t cig = c.c_in / c.groups, cog = c.c_out / c.groups, kk = cig * c.kh * c.kw;
  std::vector<int32_t> out(static_cast<size_t>(c.n) * c.c_out * oh * ow);
  for (uint32_t img = 0; img < c.n; ++img) {
    for (uint32_t g = 0; g < c.groups; ++g) {
      std::vector<uint8_t> col(static_cast<size_t>(oh) * ow * kk);
      for (uint32_t oy = 0; oy < oh; ++oy)
        for (uint32_t ox = 0; ox < ow; ++ox)
          for (uint32_t ci = 0; ci < cig; ++ci)
            for (uint32_t ky = 0; ky < c.kh; ++ky)
              for (uint32_t kx = 0; kx < c.kw; ++kx) {
                const int64_t iy = int64_t(oy) * a.stride_h + ky * a.dil_h - a.pad_t;
                const int64_t ix = int64_t(ox) * a.stride_w + kx * a.dil_w - a.pad_l;
                const bool in = iy >= 0 && ix >= 0 && iy < c.h && ix < c.w;
                const size_t xi =
                    ((size_t(img) * c.c_in + g * cig + ci) * c.h + size_t(iy)) * c.w + size_t(ix);
                col[(size_t(oy) * ow + ox) * kk + (ci * c.kh + ky) * c.kw + kx] =
                    in ? c.x[xi] : static_cast<uint8_t>(c.x_zp);
              }
      std::vector<uint8_t> wm(static_cast<size_t>(kk) * cog);  // [kk][cog]
      for (uint32_t o = 0; o < cog; ++o)
        for (uint32_t k = 0; k < kk; ++k)
          wm[size_t(k) * cog + o] = c.wt[(size_t(g) * cog + o) * kk + k];
      std::vector<int32_t> acc(static_cast<size_t>(oh) * ow * cog);
      std::vector<int32_t> wzp(cog, c.w_zp);
      golden::gemm_s32(static_cast<int>(oh * ow), static_cast<int>(cog), static_cast<int>(kk),
                       {col.data(), c.x_signed}, c.x_zp, {wm.data(), c.w_signed}, wzp.data(),
                       acc.data());
      for (uint32_t o = 0; o < cog; ++o)
        for (uint32_t i = 0; i < oh * ow; ++i)
          out[(size_t(img) * c.c_out + g * cog + o) * oh * ow + i] = acc[size_t(i) * cog + o];
    }
  }
  *oh_out = oh;
  *ow_out = ow;
  return out;
}

inline std::vector<uint8_t> conv_reference(const ConvCase& c, uint32_t* oh_out, uint32_t* ow_out) {
  uint32_t oh, ow;
  const std::vector<int32_t> acc = conv_acc_reference(c, &oh, &ow);
  std::vector<uint8_t> conv(acc.size());
  for (size_t i = 0; i < acc.size(); ++i) {
    const uint32_t co = static_cast<uint32_t>(i / (size_t(oh) * ow) % c.c_out);
    const golden::RequantParams p{
        {c.mult[co], c.shift[co]}, c.out_zp, c.act_min, c.act_max, c.out_dtype == QILIN_I8};
    conv[i] = golden::requantize(acc[i], c.bias[co], p);
  }
  if (c.pool.kind == QILIN_POOL_KIND_NONE) {
    *oh_out = oh;
    *ow_out = ow;
    return conv;
  }
  const qilin_pool_t& p = c.pool;
  const uint32_t ph = (oh - p.kh) / p.sh + 1, pw = (ow - p.kw) / p.sw + 1;
  const bool sgn = c.out_dtype == QILIN_I8;
  auto val = [&](uint8_t b) { return golden::as_int(b, sgn); };
  std::vector<uint8_t> out(static_cast<size_t>(c.n) * c.c_out * ph * pw);
  for (uint32_t plane = 0; plane < c.n * c.c_out; ++plane)
    for (uint32_t y = 0; y < ph; ++y)
      for (uint32_t x = 0; x < pw; ++x) {
        int32_t best = -1000, sum = 0;
        for (uint32_t dy = 0; dy < p.kh; ++dy)
          for (uint32_t dx = 0; dx < p.kw; ++dx) {
            const int32_t v = val(conv[(size_t(plane) * oh + y * p.sh + dy) * ow + x * p.sw + dx]);
            best = std::max(best, v);
            sum += v;
          }
        const int32_t cnt = static_cast<int32_t>(p.kh * p.kw);
        const int32_t avg =
            sum >= 0 ? (2 * sum + cnt) / (2 * cnt) : -((-2 * sum + cnt) / (2 * cnt));
        out[(size_t(plane) * ph + y) * pw + x] =
            static_cast<uint8_t>(p.kind == QILIN_POOL_KIND_MAX ? best : avg);
      }
  *oh_out = ph;
  *ow_out = pw;
  return out;
}

inline ConvCase random_conv_case(golden::Rng& rng, int dim) {
  ConvCase c;
  auto u = [&](int64_t lo, int64_t hi) { return static_cast<uint32_t>(rng.uniform(lo, hi)); };
  const int kind = static_cast<int>(rng.uniform(0, 3));  // dense, grouped, depthwise, strided
  c.n = u(1, 2);
  c.groups = 1;
  c.kh = u(1, 3);
  c.kw = u(1, 3);
  if (kind == 2) {
    c.groups = c.c_in = c.c_out = u(1, static_cast<int64_t>(dim) + 3);
  } else if (kind == 1) {
    c.groups = u(2, 3);
    c.c_in = c.groups * u(1, 3);
    c.c_out = c.groups * u(1, 6);
  } else {
    c.c_in = u(1, static_cast<int64_t>(dim) * 2 + 1);
    c.c_out = u(1, static_cast<int64_t>(dim) * 2 + 1);
  }
  c.h = u(c.kh * 2, 14);
  c.w = u(c.kw * 2, 14);
  qilin_conv_attr_t& a = c.attr;
  a.kh = c.kh;
  a.kw = c.kw;
  a.groups = c.groups;
  a.pad_t = u(0, c.kh);
  a.pad_b = u(0, c.kh);
  a.pad_l = u(0, c.kw);
  a.pad_r = u(0, c.kw);
  a.stride_h = a.stride_w = 1;
  a.dil_h = a.dil_w = 1;
  if (kind == 3) {
    a.stride_h = u(1, 3);
    a.stride_w = u(1, 3);
  } else if (rng.uniform(0, 3) == 0) {
    a.dil_h = u(1, 2);
    a.dil_w = u(1, 2);
  }
  if (kind != 3 && rng.uniform(0, 1)) {
    c.pool.kind = rng.uniform(0, 1) ? QILIN_POOL_KIND_MAX : QILIN_POOL_KIND_AVG;
    c.pool.kh = c.pool.sh = u(1, 2);
    c.pool.kw = c.pool.sw = u(1, 2);
  }
  c.x_signed = rng.uniform(0, 1) != 0;
  c.w_signed = rng.uniform(0, 1) != 0;
  c.x_zp = static_cast<int32_t>(c.x_signed ? rng.uniform(-128, 127) : rng.uniform(0, 255));
  c.w_zp = static_cast<int32_t>(c.w_signed ? rng.uniform(-10, 10) : rng.uniform(118, 138));
  c.x.resize(size_t(c.n) * c.c_in * c.h * c.w);
  c.wt.resize(size_t(c.c_out) * (c.c_in / c.groups) * c.kh * c.kw);
  for (auto& v : c.x) v = static_cast<uint8_t>(rng.uniform(0, 255));
  for (auto& v : c.wt) v = static_cast<uint8_t>(rng.uniform(0, 255));
  c.out_dtype = rng.uniform(0, 1) ? QILIN_I8 : QILIN_U8;
  const int32_t lo = c.out_dtype == QILIN_I8 ? -128 : 0;
  c.out_zp = static_cast<int32_t>(rng.uniform(lo, lo + 255));
  c.act_min = lo;
  c.act_max = lo + 255;
  if (rng.uniform(0, 1)) c.act_min = c.out_zp;  // ReLU
  const double spread =
      128.0 * 128.0 * std::sqrt(static_cast<double>(c.c_in / c.groups * c.kh * c.kw)) + 1.0;
  for (uint32_t o = 0; o < c.c_out; ++o) {
    c.bias.push_back(static_cast<int32_t>(rng.uniform(-3000, 3000)));
    const golden::QuantMultiplier qm =
        golden::quantize_multiplier(40.0 / spread * (0.5 + rng.uniform(0, 1000) / 1000.0));
    c.mult.push_back(qm.multiplier);
    c.shift.push_back(qm.shift);
  }
  return c;
}

// Runs c through the driver on dev; returns NCHW output bytes and the output shape.
// int32_out: ConvInteger (no requantisation); the bytes are then little-endian int32.
inline std::vector<uint8_t> run_conv(qilin_dev_t& dev, const ConvCase& c, uint32_t* oh,
                                     uint32_t* ow, bool int32_out = false) {
  qilin_conv_layer_t L;
  const qilin_requant_t rq = c.requant();
  REQUIRE(qilin_conv_prepare(&dev, &L, c.wt.data(), c.c_out, c.c_in, c.kh, c.kw, c.groups,
                             c.w_signed ? QILIN_I8 : QILIN_U8, c.w_zp,
                             int32_out ? nullptr : &rq) == QILIN_OK);
  qilin_act_t x{};
  x.n = c.n;
  x.c = c.c_in;
  x.h = c.h;
  x.w = c.w;
  x.dtype = c.x_signed ? QILIN_I8 : QILIN_U8;
  x.zp = c.x_zp;
  REQUIRE(qilin_act_alloc(&dev, &x) == QILIN_OK);
  REQUIRE(qilin_act_upload(&dev, &x, c.x.data()) == QILIN_OK);
  qilin_act_t y{};
  const qilin_pool_t* pool = c.pool.kind == QILIN_POOL_KIND_NONE ? nullptr : &c.pool;
  REQUIRE(qilin_conv2d_shape(&dev, &L, &x, &c.attr, pool, &y) == QILIN_OK);
  REQUIRE(qilin_act_alloc(&dev, &y) == QILIN_OK);
  REQUIRE(qilin_prog_begin(&dev) == QILIN_OK);
  REQUIRE(qilin_conv2d(&dev, &L, &x, &c.attr, pool, &y) == QILIN_OK);
  const int st = qilin_prog_run(&dev);
  INFO("device error " << qilin_dev_error_name(dev.last_error.code) << " pc " << dev.last_error.pc
                       << " addr 0x" << std::hex << dev.last_error.addr);
  REQUIRE(st == QILIN_OK);
  std::vector<uint8_t> got(size_t(y.n) * y.c * y.h * y.w * (int32_out ? 4 : 1));
  REQUIRE(qilin_act_download(&dev, &y, got.data()) == QILIN_OK);
  *oh = y.h;
  *ow = y.w;
  qilin_conv_release(&dev, &L);
  qilin_free(&dev, x.addr);
  qilin_free(&dev, y.addr);
  return got;
}

// Runs `iters` random convolutions on dev and compares each with conv_reference.
inline void check_random_convs(qilin_dev_t& dev, golden::Rng& rng, int dim, int iters) {
  for (int iter = 0; iter < iters; ++iter) {
    const ConvCase c = random_conv_case(rng, dim);
    const qilin_conv_attr_t& a = c.attr;
    CAPTURE(dim, iter, c.n, c.c_in, c.c_out, c.h, c.w, c.kh, c.kw, c.groups, a.pad_t, a.pad_l,
            a.pad_b, a.pad_r, a.stride_h, a.stride_w, a.dil_h, a.dil_w, int(c.pool.kind), c.pool.kh,
            c.pool.kw);
    uint32_t oh, ow, roh, row;
    const std::vector<uint8_t> want = conv_reference(c, &roh, &row);
    const std::vector<uint8_t> got = run_conv(dev, c, &oh, &ow);
    REQUIRE(oh == roh);
    REQUIRE(ow == row);
    require_equal_matrix(want, got, static_cast<int>(c.n * c.c_out * oh), static_cast<int>(ow));
  }
}

// ConvInteger and MatMulInteger: int32 outputs stored straight from the accumulator.
inline void check_random_int32_layers(qilin_dev_t& dev, golden::Rng& rng, int dim, int iters) {
  for (int iter = 0; iter < iters; ++iter) {
    ConvCase c = random_conv_case(rng, dim);
    c.attr.stride_h = c.attr.stride_w = 1;  // int32 outputs: stride 1, no pooling
    c.pool = {};
    CAPTURE(dim, iter, c.n, c.c_in, c.c_out, c.h, c.w, c.kh, c.kw, c.groups, c.attr.dil_h);
    uint32_t oh, ow, roh, row;
    const std::vector<int32_t> want = conv_acc_reference(c, &roh, &row);
    const std::vector<uint8_t> raw = run_conv(dev, c, &oh, &ow, true);
    REQUIRE(oh == roh);
    REQUIRE(ow == row);
    std::vector<int32_t> got(want.size());
    std::memcpy(got.data(), raw.data(), raw.size());
    require_equal_matrix(want, got, static_cast<int>(c.n * c.c_out * oh), static_cast<int>(ow));

    GemmCase g = random_gemm_case(rng, static_cast<int>(rng.uniform(1, 200)),
                                  static_cast<int>(rng.uniform(1, 70)),
                                  static_cast<int>(rng.uniform(1, 40)));
    CAPTURE(g.m, g.k, g.n);
    std::vector<int32_t> acc(size_t(g.m) * g.n), bzp(size_t(g.n), g.b_zp);
    golden::gemm_s32(g.m, g.n, g.k, {g.a.data(), g.a_signed}, g.a_zp, {g.b.data(), g.b_signed},
                     bzp.data(), acc.data());
    qilin_gemm_layer_t L;
    REQUIRE(qilin_gemm_prepare(&dev, &L, g.b.data(), uint32_t(g.k), uint32_t(g.n),
                               g.b_signed ? QILIN_I8 : QILIN_U8, g.b_zp, nullptr) == QILIN_OK);
    qilin_mat_t a{0, uint32_t(g.m), uint32_t(g.k), 0, g.a_signed ? QILIN_I8 : QILIN_U8, g.a_zp};
    qilin_mat_t y{0, uint32_t(g.m), uint32_t(g.n), 0, QILIN_I32, 0};
    REQUIRE(qilin_mat_alloc(&dev, &a) == QILIN_OK);
    REQUIRE(qilin_mat_upload(&dev, &a, g.a.data()) == QILIN_OK);
    REQUIRE(qilin_mat_alloc(&dev, &y) == QILIN_OK);
    REQUIRE(qilin_prog_begin(&dev) == QILIN_OK);
    REQUIRE(qilin_gemm(&dev, &L, &a, &y) == QILIN_OK);
    REQUIRE(qilin_prog_run(&dev) == QILIN_OK);
    std::vector<int32_t> gy(acc.size());
    REQUIRE(qilin_mat_download(&dev, &y, gy.data()) == QILIN_OK);
    require_equal_matrix(acc, gy, g.m, g.n);
    qilin_gemm_release(&dev, &L);
    qilin_free(&dev, a.addr);
    qilin_free(&dev, y.addr);
  }
}

}  // namespace qilin::test
