// SPDX-License-Identifier: Apache-2.0
// Full-chip convolution test: a 3x3, stride-1, pad-1 convolution (NHWC, C = Cout = DIM) lowered
// to a Qilin program (one padded LOAD of the input, 9 weight blocks, per output row 9
// accumulating MATMULs, one POSTPROC, one STORE), run on the verilated qilin_core and on the
// ISS. Checks that the device memories are equal byte for byte and that the int8 output equals
// a direct convolution computed here with plain loops + golden::requantize.
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <sstream>
#include <vector>

#include "chip_bench.h"
#include "chip_run_both.h"
#include "qilin/golden/insn_builders.h"
#include "qilin/golden/iss.h"
#include "qilin/golden/requant.h"
#include "qilin/golden/rng.h"
#include "qilin/isa.h"

using qilin::golden::encode;
using qilin::golden::encode_end;
using qilin::golden::IssResult;
using qilin::golden::MemImage;
using qilin::golden::quantize_multiplier;
using qilin::golden::QuantMultiplier;
using qilin::golden::RequantParams;
using qilin::golden::Rng;
using qilin::tb::chip::ChipBench;
using qilin::tb::chip::kDim;
using qilin::tb::chip::kMemBytes;
using qilin::tb::chip::kSpRows;
using qilin::tb::chip::RunResult;
using qilin::tb::chip::run_both;

namespace {

constexpr uint64_t kProg = 0x1000;
constexpr uint64_t kIn = 0x100000;       // NHWC input, H x W pixels of kDim bytes
constexpr uint64_t kWts = 0x110000;      // 9 taps x [C_in][C_out] int8
constexpr uint64_t kParams = 0x120000;   // bias[kDim], multiplier[kDim], shift[kDim] (int32)
constexpr uint64_t kOut = 0x130000;      // NHWC output, H x W pixels of kDim bytes

// SP / ACC layout of the lowered program.
constexpr uint32_t kSpWts = 0;       // 9 * kDim weight rows
constexpr uint32_t kSpIn = 256;      // (H+2) x (W+2) padded input rows
constexpr uint32_t kSpOut = 512;     // H * W output rows
constexpr uint32_t kAccOut = 0;      // H * W int32 rows
constexpr uint32_t kAccParams = 200; // bias, multiplier, shift rows

using namespace qilin::golden::insn;  // instruction builders (insn_builders.h)

struct ConvJob {
  int H, W;
  int32_t in_zp, w_zp, out_zp;
  bool tokens;  // LD->EX->ST dependency tokens (true) or SYNC ALL barriers (false)
  std::vector<int8_t> in;    // [H][W][C]
  std::vector<int8_t> wts;   // [9][C_in][C_out], tap t = ky*3 + kx
  std::vector<int32_t> bias; // [C_out]
  std::vector<QuantMultiplier> qm;
};

ConvJob make_job(Rng& rng, int H, int W, bool tokens) {
  ConvJob j;
  j.H = H;
  j.W = W;
  j.tokens = tokens;
  do {
    j.in_zp = static_cast<int32_t>(rng.uniform(-128, 127));
  } while (j.in_zp == 0);
  j.w_zp = rng.coin() ? 0 : static_cast<int32_t>(rng.uniform(-20, 20));
  j.out_zp = static_cast<int32_t>(rng.uniform(-128, 127));
  for (uint8_t b : rng.bytes(static_cast<std::size_t>(H) * W * kDim))
    j.in.push_back(static_cast<int8_t>(b));
  for (uint8_t b : rng.bytes(static_cast<std::size_t>(9) * kDim * kDim))
    j.wts.push_back(static_cast<int8_t>(b));
  const double k = 9.0 * kDim;
  for (int n = 0; n < kDim; ++n) {
    j.bias.push_back(static_cast<int32_t>(rng.uniform(-20000, 20000)));
    j.qm.push_back(quantize_multiplier(rng.uniform_real(0.25, 2.0) / (64.0 * std::sqrt(k))));
  }
  return j;
}

void write_job(const ConvJob& j, MemImage& img) {
  img.write(kIn, j.in.data(), j.in.size());
  img.write(kWts, j.wts.data(), j.wts.size());
  std::vector<int32_t> par(j.bias);
  for (const QuantMultiplier& q : j.qm) par.push_back(q.multiplier);
  for (const QuantMultiplier& q : j.qm) par.push_back(q.shift);
  img.write_s32(kParams, par.data(), par.size());
}

std::vector<qilin_insn_t> conv_program(const ConvJob& j) {
  const uint32_t H = static_cast<uint32_t>(j.H), W = static_cast<uint32_t>(j.W);
  const uint32_t PW = W + 2;  // padded row width
  const qilin_insn_t barrier = encode(sync_f(QILIN_QUEUE_ALL));
  std::vector<qilin_insn_t> p;
  p.push_back(encode(load_f(QILIN_MEM_ACC, kAccParams, kParams, 4 * kDim, 3, 1)));
  p.push_back(encode(load_f(QILIN_MEM_SP, kSpWts, kWts, kDim, 9 * kDim, 1)));
  qilin_load_t in = load_f(QILIN_MEM_SP, kSpIn, kIn, W * kDim, H, W);
  in.pad_top = in.pad_bottom = in.pad_left = in.pad_right = 1;
  in.pad_value = static_cast<uint8_t>(j.in_zp);
  p.push_back(encode(j.tokens ? with(in, kPushNext) : in));
  if (!j.tokens) p.push_back(barrier);
  bool first = true;
  for (uint32_t y = 0; y < H; ++y) {
    for (uint32_t t = 0; t < 9; ++t) {
      const uint32_t ky = t / 3, kx = t % 3;
      qilin_matmul_t mm{};
      mm.a_addr = kSpIn + (y + ky) * PW + kx;
      mm.w_addr = kSpWts + t * kDim;
      mm.c_addr = kAccOut + y * W;
      mm.m_size = W;
      mm.k_size = kDim;
      mm.a_signed = 1;
      mm.w_signed = 1;
      mm.a_zp = j.in_zp;
      mm.w_zp = j.w_zp;
      mm.accumulate = t > 0;
      p.push_back(encode(j.tokens && first ? with(mm, kPopPrev) : mm));
      first = false;
    }
  }
  qilin_postproc_t pp{};
  pp.c_addr = kAccOut;
  pp.p_addr = kAccParams;
  pp.o_addr = kSpOut;
  pp.in_h = H;
  pp.in_w = W;
  pp.out_signed = 1;
  pp.bias_en = 1;
  pp.out_zp = j.out_zp;
  pp.act_min = 0x80;
  pp.act_max = 0x7F;
  p.push_back(encode(j.tokens ? with(pp, kPushNext) : pp));
  if (!j.tokens) p.push_back(barrier);
  const qilin_store_t st = store_f(QILIN_MEM_SP, kSpOut, kOut, kDim, H * W, 1);
  p.push_back(encode(j.tokens ? with(st, kPopPrev) : st));
  p.push_back(encode_end());
  return p;
}

// Direct convolution: NHWC, 3x3, stride 1, zero padding 1 (padding is the input zero point,
// i.e. real zero, so padded taps contribute nothing), then per-channel requantisation.
std::vector<int8_t> direct_conv(const ConvJob& j) {
  std::vector<int8_t> out(static_cast<std::size_t>(j.H) * j.W * kDim);
  for (int y = 0; y < j.H; ++y)
    for (int x = 0; x < j.W; ++x)
      for (int co = 0; co < kDim; ++co) {
        int32_t acc = 0;
        for (int ky = 0; ky < 3; ++ky)
          for (int kx = 0; kx < 3; ++kx) {
            const int iy = y + ky - 1, ix = x + kx - 1;
            if (iy < 0 || iy >= j.H || ix < 0 || ix >= j.W) continue;
            for (int ci = 0; ci < kDim; ++ci) {
              const int32_t a = j.in[(static_cast<std::size_t>(iy) * j.W + ix) * kDim + ci];
              const int32_t w = j.wts[(static_cast<std::size_t>(ky * 3 + kx) * kDim + ci) * kDim + co];
              acc += (a - j.in_zp) * (w - j.w_zp);
            }
          }
        const RequantParams rp{j.qm[co], j.out_zp, -128, 127, true};
        out[(static_cast<std::size_t>(y) * j.W + x) * kDim + co] =
            static_cast<int8_t>(qilin::golden::requantize(acc, j.bias[co], rp));
      }
  return out;
}

// First (y, x, cout) where `got` differs from `want`, as a message; empty if equal.
std::string first_mismatch(const ConvJob& j, const std::vector<int8_t>& want,
                           const std::vector<uint8_t>& got) {
  for (int y = 0; y < j.H; ++y)
    for (int x = 0; x < j.W; ++x)
      for (int co = 0; co < kDim; ++co) {
        const std::size_t i = (static_cast<std::size_t>(y) * j.W + x) * kDim + co;
        if (static_cast<int8_t>(got[i]) != want[i]) {
          std::ostringstream s;
          s << "(y " << y << ", x " << x << ", cout " << co << "): expected " << int(want[i])
            << ", actual " << int(static_cast<int8_t>(got[i]));
          return s.str();
        }
      }
  return {};
}

}  // namespace

TEST_CASE("chip: convolution lowered to GEMM matches the ISS and a direct convolution",
          "[chip][conv]") {
  const uint64_t seed = Catch::rngSeed();
  CAPTURE(seed);
  Rng rng(seed);
  struct Shape {
    int H, W;
    bool tokens;
  };
  for (const Shape s : {Shape{6, 6, true}, Shape{5, 7, false}}) {
    CAPTURE(s.H, s.W, s.tokens);
    const ConvJob j = make_job(rng, s.H, s.W, s.tokens);
    CAPTURE(j.in_zp, j.w_zp, j.out_zp);
    MemImage img(kMemBytes);
    write_job(j, img);
    ChipBench b("chip_conv");
    b.set_windows(0, kMemBytes, 0, kMemBytes);
    MemImage iss_mem(kMemBytes);
    const IssResult r = run_both(b, img, kProg, conv_program(j), &iss_mem);
    REQUIRE(r.ok());
    CHECK(r.macs == uint64_t(9) * s.H * s.W * kDim * kDim);
    const std::size_t n = static_cast<std::size_t>(j.H) * j.W * kDim;
    const std::vector<int8_t> want = direct_conv(j);
    // The outputs must not be degenerate (all clamped or constant).
    int distinct = 0;
    {
      std::vector<bool> seen(256, false);
      for (int8_t v : want)
        if (!seen[static_cast<uint8_t>(v)]) seen[static_cast<uint8_t>(v)] = true, ++distinct;
    }
    CHECK(distinct > 16);
    {
      const std::string rtl = first_mismatch(j, want, b.mem().read(kOut, n));
      INFO("RTL vs direct convolution: first mismatch " << rtl);
      CHECK(rtl.empty());
    }
    {
      const std::string iss = first_mismatch(j, want, iss_mem.read(kOut, n));
      INFO("ISS vs direct convolution: first mismatch " << iss);
      CHECK(iss.empty());
    }
  }
}
