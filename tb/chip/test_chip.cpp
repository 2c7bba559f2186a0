// SPDX-License-Identifier: Apache-2.0
// Full-chip tests: programs run on the verilated qilin_core (DIM 8) with the AxiMem device
// memory, and the same program and data on the ISS; the final device memories must be equal
// byte for byte, and STATUS/ERR_* must match the ISS's result.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "chip_bench.h"
#include "chip_run_both.h"
#include "qilin/golden/gemm.h"
#include "qilin/golden/gemm_programs.h"
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
using qilin::golden::Rng;
using qilin::golden::write_program;
using qilin::tb::chip::ChipBench;
using qilin::tb::chip::kAccRows;
using qilin::tb::chip::kDim;
using qilin::tb::chip::kMemBytes;
using qilin::tb::chip::kSpRows;
using qilin::tb::chip::RunResult;
using qilin::tb::chip::run_both;

namespace {

constexpr uint64_t kProg = 0x1000;
constexpr uint64_t kData = 0x100000;

using namespace qilin::golden::insn;  // instruction builders (insn_builders.h)
using namespace qilin::golden::programs;  // the tiled GEMM programs (gemm_programs.h)

GemmJob gemm_job(Rng& rng, int M, int N, int K, int tile_m) {
  return qilin::golden::programs::gemm_job(rng, M, N, K, tile_m, kDim, kData);
}


// Compares the int32 C (M x N, pitch 4 * ldc bytes) in the RTL's device memory with
// golden::gemm_s32; reports the first mismatching element with its coordinates.
void check_gemm_s32(ChipBench& b, const MemImage& img, const GemmJob& g) {
  const std::vector<int32_t> want = gemm_s32_reference(img, g);
  for (int m = 0; m < g.M; ++m) {
    const std::vector<uint8_t> row = b.mem().read(g.c + uint64_t(m) * 4 * g.ldc, 4ull * g.N);
    for (int n = 0; n < g.N; ++n) {
      uint32_t u = 0;
      for (int i = 0; i < 4; ++i) u |= uint32_t(row[4 * n + i]) << (8 * i);
      const int32_t got = static_cast<int32_t>(u);
      const int32_t exp = want[std::size_t(m) * g.N + n];
      if (got != exp) {
        const uint64_t at = g.c + uint64_t(m) * 4 * g.ldc + 4 * uint64_t(n);
        FAIL("C[" << m << "][" << n << "] at 0x" << std::hex << at << std::dec << ": expected "
                  << exp << ", actual " << got);
      }
    }
  }
}

// ---- Random phased programs -------------------------------------------------------------------
// LD phase (random LOADs with padding and strides into SP rows 0..511), EX phase (MATMULs with
// random sizes, signs, zero points, accumulate; k_size/m_size 0 included; POSTPROCs with or
// without pooling into SP rows 512..1023), ST phase (STOREs of SP rows and of raw int32 ACC
// rows), separated by SYNC ALL so
// the ISS sees no race. SP rows 0..511 are loaded up front and ACC rows are tracked, so
// nothing reads uninitialised rows.
std::vector<qilin_insn_t> random_program(Rng& rng, MemImage& img) {
  const std::vector<uint8_t> data = rng.bytes(0x10000);
  img.write(kData, data.data(), data.size());
  constexpr uint32_t kParams = 240;  // ACC rows 240..242: bias, multiplier, shift
  const std::vector<int32_t> par = random_post_params(rng, kDim);
  img.write_s32(kData + 0x20000, par.data(), par.size());
  const qilin_insn_t barrier = encode(sync_f(QILIN_QUEUE_ALL));

  std::vector<qilin_insn_t> p;
  p.push_back(encode(load_f(QILIN_MEM_ACC, kParams, kData + 0x20000, 4 * kDim, 3, 1)));
  p.push_back(encode(load_f(QILIN_MEM_SP, 0, kData, kDim, 512, 1)));
  p.push_back(barrier);
  std::vector<bool> acc_ok(kAccRows, false);
  const int phases = static_cast<int>(rng.uniform(1, 3));
  for (int ph = 0; ph < phases; ++ph) {
    // LD phase.
    for (int n = static_cast<int>(rng.uniform(0, 4)); n > 0; --n) {
      const uint32_t y = static_cast<uint32_t>(rng.uniform(0, 6));
      const uint32_t x = static_cast<uint32_t>(rng.uniform(0, 3));
      qilin_load_t ld{};
      ld.dst = QILIN_MEM_SP;
      ld.y_size = y;
      ld.x_size = x;
      ld.pad_top = static_cast<uint32_t>(rng.uniform(0, 2));
      ld.pad_bottom = static_cast<uint32_t>(rng.uniform(0, 2));
      ld.pad_left = static_cast<uint32_t>(rng.uniform(0, 2));
      ld.pad_right = static_cast<uint32_t>(rng.uniform(0, 2));
      ld.pad_value = static_cast<uint32_t>(rng.uniform(0, 255));
      ld.dram_stride = static_cast<uint32_t>(kDim * rng.uniform(0, 6));
      if (y > 1 && ld.dram_stride == 0 && rng.coin()) ld.dram_stride = kDim * x;
      ld.dram_addr = kData + kDim * static_cast<uint64_t>(rng.uniform(0, 4000));
      const uint32_t rows = (ld.pad_top + y + ld.pad_bottom) * (ld.pad_left + x + ld.pad_right);
      ld.local_addr = static_cast<uint32_t>(rng.uniform(0, 511 - rows));
      p.push_back(encode(ld));
    }
    p.push_back(barrier);
    // EX phase.
    int posts = 0;
    std::vector<uint32_t> post_rows;
    for (int n = static_cast<int>(rng.uniform(1, 6)); n > 0; --n) {
      if (rng.uniform(0, 3) == 0) {
        // POSTPROC over a fully written ACC range.
        const uint32_t h = static_cast<uint32_t>(rng.uniform(1, 12));
        const uint32_t c = static_cast<uint32_t>(rng.uniform(0, 200 - h));
        bool ok = true;
        for (uint32_t r = c; r < c + h; ++r) ok = ok && acc_ok[r];
        if (!ok) continue;
        qilin_postproc_t pp = postproc_f(c, kParams, 512 + 16 * posts, h, 1, rng.coin());
        pp.bias_en = rng.coin();
        pp.out_zp = static_cast<int32_t>(pp.out_signed ? rng.uniform(-128, 127) : rng.uniform(0, 255));
        if (rng.coin() && h >= 2) {
          pp.pool_kind = rng.coin() ? QILIN_POOL_MAX : QILIN_POOL_AVG;
          pp.pool_kh = 2;
          pp.pool_kw = 1;
          pp.pool_sh = 2;
          pp.pool_sw = 1;
          pp.in_h = h & ~1u;
        }
        ++posts;
        post_rows.push_back(pp.pool_kind == QILIN_POOL_NONE ? h : pp.in_h / 2);
        p.push_back(encode(pp));
        continue;
      }
      const uint32_t m = static_cast<uint32_t>(rng.uniform(0, 24));
      const uint32_t k = static_cast<uint32_t>(rng.uniform(0, kDim));
      const uint32_t c = static_cast<uint32_t>(rng.uniform(0, 200 - 24));
      qilin_matmul_t mm = matmul_f(static_cast<uint32_t>(rng.uniform(0, 511 - 24)),
                                   static_cast<uint32_t>(rng.uniform(0, 511 - kDim)), c, m, k);
      mm.a_signed = rng.coin();
      mm.w_signed = rng.coin();
      mm.a_zp = static_cast<int32_t>(mm.a_signed ? rng.uniform(-128, 127) : rng.uniform(0, 255));
      mm.w_zp = static_cast<int32_t>(mm.w_signed ? rng.uniform(-128, 127) : rng.uniform(0, 255));
      bool all = true;
      for (uint32_t r = c; r < c + m; ++r) all = all && acc_ok[r];
      mm.accumulate = all && rng.coin();
      if (m > 0 && !(k == 0 && mm.accumulate))
        for (uint32_t r = c; r < c + m; ++r) acc_ok[r] = true;
      p.push_back(encode(mm));
    }
    p.push_back(barrier);
    // ST phase: the POSTPROC outputs and some input rows.
    for (int i = 0; i < posts; ++i)
      p.push_back(encode(store_f(QILIN_MEM_SP, 512 + 16 * i, kData + 0x40000 + 0x1000 * ph + 0x100 * i,
                                 kDim, post_rows[i], 1)));
    if (rng.coin())
      p.push_back(encode(store_f(QILIN_MEM_SP, static_cast<uint32_t>(rng.uniform(0, 400)),
                                 kData + 0x50000 + 0x1000 * ph, 3 * kDim, 10, 2)));
    // Raw int32 ACC rows (STORE src = ACC) of a fully written range, with gaps between rows.
    for (int n = static_cast<int>(rng.uniform(0, 2)); n > 0; --n) {
      const uint32_t y = static_cast<uint32_t>(rng.uniform(1, 6));
      const uint32_t x = static_cast<uint32_t>(rng.uniform(1, 3));
      for (int tries = 0; tries < 8; ++tries) {
        const uint32_t c = static_cast<uint32_t>(rng.uniform(0, 200 - y * x));
        bool ok = true;
        for (uint32_t r = c; r < c + y * x; ++r) ok = ok && acc_ok[r];
        if (!ok) continue;
        const uint32_t vb = 4 * kDim;
        const uint32_t stride = vb * (x + static_cast<uint32_t>(rng.uniform(0, 2)));
        const uint64_t addr = kData + 0x60000 + 0x1000 * ph + 0x800 * (n - 1) +
                              vb * static_cast<uint64_t>(rng.uniform(0, 4));
        p.push_back(encode(store_f(QILIN_MEM_ACC, c, addr, stride, y, x)));
        break;
      }
    }
    p.push_back(barrier);
  }
  p.push_back(encode_end());
  return p;
}

// ---- RTL vs ISS ------------------------------------------------------------------------------

MemImage fresh_image() { return MemImage(kMemBytes); }

void full_windows(ChipBench& b) { b.set_windows(0, kMemBytes, 0, kMemBytes); }

}  // namespace

TEST_CASE("chip: ID and hardware configuration CSRs", "[chip]") {
  ChipBench b("chip_id");
  CHECK(b.csr_read(QILIN_CSR_OFF(ID)) == QILIN_CSR__ID__VALUE_reset);
  const uint32_t cfg0 = b.csr_read(QILIN_CSR_OFF(HW_CFG0));
  CHECK((cfg0 & QILIN_CSR__HW_CFG0__ROWS_bm) >> QILIN_CSR__HW_CFG0__ROWS_bp == uint32_t(kDim));
  CHECK((cfg0 & QILIN_CSR__HW_CFG0__COLS_bm) >> QILIN_CSR__HW_CFG0__COLS_bp == uint32_t(kDim));
  CHECK(b.csr_read(QILIN_CSR_OFF(HW_SP_ROWS)) == kSpRows);
  CHECK(b.csr_read(QILIN_CSR_OFF(HW_ACC_ROWS)) == kAccRows);
  CHECK(b.csr_read(QILIN_CSR_OFF(STATUS)) == 0);
}

TEST_CASE("chip: small tiled GEMM matches the ISS byte for byte", "[chip][gemm]") {
  const uint64_t seed = Catch::rngSeed();
  CAPTURE(seed);
  Rng rng(seed);
  GemmJob g = gemm_job(rng, 16, 16, 16, 16);
  CAPTURE(g.a_signed, g.b_signed, g.out_signed, g.a_zp, g.b_zp, g.out_zp);
  MemImage img = fresh_image();
  make_gemm_data(rng, img, g);
  ChipBench b("chip_gemm_small");
  full_windows(b);
  const IssResult r = run_both(b, img, kProg, tiled_gemm_program(g, kDim));
  REQUIRE(r.ok());
  CHECK(b.csr_read64(QILIN_CSR_OFF(PERF_INSN_RETIRED_LO)) > 0);
  CHECK(b.csr_read64(QILIN_CSR_OFF(PERF_ARRAY_BUSY_LO)) > 0);
}

TEST_CASE("chip: random tiled GEMM shapes match the ISS", "[chip][gemm][random]") {
  const uint64_t seed = Catch::rngSeed();
  CAPTURE(seed);
  Rng rng(seed);
  for (int iter = 0; iter < 4; ++iter) {
    const int M = static_cast<int>(rng.uniform(1, 40));
    const int N = static_cast<int>(rng.uniform(1, 24));
    const int K = static_cast<int>(rng.uniform(1, 24));
    const int tile_m = static_cast<int>(rng.uniform(1, 16));
    CAPTURE(iter, M, N, K, tile_m);
    GemmJob g = gemm_job(rng, M, N, K, tile_m);
    MemImage img = fresh_image();
    make_gemm_data(rng, img, g);
    ChipBench b("chip_gemm_random");
    b.mem().config().p_ar_stall = 0.2;
    b.mem().config().p_w_stall = 0.2;
    b.mem().config().p_r_gap = 0.2;
    b.mem().config().extra_latency_max = 20;
    full_windows(b);
    REQUIRE(run_both(b, img, kProg, tiled_gemm_program(g, kDim)).ok());
  }
}

TEST_CASE("chip: LOAD with padding into SP, then STORE", "[chip][directed]") {
  const uint64_t seed = Catch::rngSeed();
  CAPTURE(seed);
  Rng rng(seed);
  MemImage img = fresh_image();
  const std::vector<uint8_t> src = rng.bytes(4096);
  img.write(kData, src.data(), src.size());
  qilin_load_t ld = load_f(QILIN_MEM_SP, 10, kData + 3 * kDim, 5 * kDim, 3, 2);
  ld.pad_top = 1;
  ld.pad_bottom = 2;
  ld.pad_left = 1;
  ld.pad_right = 3;
  ld.pad_value = 0x5a;
  const uint32_t rows = (1 + 3 + 2) * (1 + 2 + 3);
  std::vector<qilin_insn_t> p;
  p.push_back(encode(with(ld, kPushNext)));
  p.push_back(encode(sync_f(QILIN_QUEUE_EX, kPopPrev | kPushNext)));
  p.push_back(encode(with(store_f(QILIN_MEM_SP, 10, kData + 0x10000, 6 * kDim, rows / 6, 6),
                          kPopPrev)));
  p.push_back(encode_end());
  ChipBench b("chip_load_pad_store");
  full_windows(b);
  REQUIRE(run_both(b, img, kProg, p).ok());
}

TEST_CASE("chip: MATMUL (incl. k_size 0 and m_size 0) and POSTPROC", "[chip][directed]") {
  const uint64_t seed = Catch::rngSeed();
  CAPTURE(seed);
  Rng rng(seed);
  MemImage img = fresh_image();
  const std::vector<uint8_t> src = rng.bytes(64 * kDim);
  img.write(kData, src.data(), src.size());
  // Identity requantisation parameters: bias 0, multiplier 2^30, shift 1.
  std::vector<int32_t> params;
  for (int i = 0; i < kDim; ++i) params.push_back(0);
  for (int i = 0; i < kDim; ++i) params.push_back(1 << 30);
  for (int i = 0; i < kDim; ++i) params.push_back(1);
  img.write_s32(kData + 0x8000, params.data(), params.size());
  std::vector<qilin_insn_t> p;
  p.push_back(encode(load_f(QILIN_MEM_ACC, 100, kData + 0x8000, 4 * kDim, 3, 1)));
  p.push_back(encode(with(load_f(QILIN_MEM_SP, 0, kData, kDim, 40, 1), kPushNext)));
  qilin_matmul_t m1 = matmul_f(8, 0, 0, 20, kDim);
  p.push_back(encode(with(m1, kPopPrev)));
  qilin_matmul_t m2 = matmul_f(16, 0, 0, 20, 3);
  m2.accumulate = 1;
  p.push_back(encode(m2));
  p.push_back(encode(matmul_f(8, 0, 20, 5, 0)));   // k_size 0: rows 20..24 become 0
  p.push_back(encode(matmul_f(8, 0, 40, 0, 4)));   // m_size 0: nothing
  qilin_matmul_t m3 = matmul_f(8, 0, 20, 5, 0);    // accumulate with k_size 0: unchanged
  m3.accumulate = 1;
  p.push_back(encode(m3));
  p.push_back(encode(with(postproc_f(0, 100, 200, 25, 1, true), kPushNext)));
  p.push_back(encode(with(store_f(QILIN_MEM_SP, 200, kData + 0x20000, kDim, 25, 1), kPopPrev)));
  p.push_back(encode_end());
  ChipBench b("chip_matmul_post");
  full_windows(b);
  REQUIRE(run_both(b, img, kProg, p).ok());
}

TEST_CASE("chip: tiled GEMM with int32 output (STORE from ACC) equals gemm_s32 and the ISS",
          "[chip][gemm][acc_store]") {
  const uint64_t seed = Catch::rngSeed();
  CAPTURE(seed);
  Rng rng(seed);
  struct Shape {
    int M, N, K, tile_m;
  };
  std::vector<Shape> shapes = {{16, 16, 16, 16}, {2 * kDim, 2 * kDim, 3 * kDim, kDim}};
  for (int i = 0; i < 2; ++i)
    shapes.push_back({static_cast<int>(rng.uniform(1, 40)), static_cast<int>(rng.uniform(1, 24)),
                      static_cast<int>(rng.uniform(1, 40)), static_cast<int>(rng.uniform(1, 16))});
  for (std::size_t i = 0; i < shapes.size(); ++i) {
    const Shape& sh = shapes[i];
    CAPTURE(i, sh.M, sh.N, sh.K, sh.tile_m);
    GemmJob g = gemm_job(rng, sh.M, sh.N, sh.K, sh.tile_m);
    CAPTURE(g.a_signed, g.b_signed, g.a_zp, g.b_zp);
    MemImage img = fresh_image();
    make_gemm_data(rng, img, g);
    ChipBench b("chip_gemm_s32");
    if (i % 2) {
      b.mem().config().p_aw_stall = 0.3;
      b.mem().config().p_w_stall = 0.3;
      b.mem().config().p_b_gap = 0.3;
      b.mem().config().extra_latency_max = 20;
    }
    full_windows(b);
    REQUIRE(run_both(b, img, kProg, gemm_s32_program(g, kDim)).ok());
    check_gemm_s32(b, img, g);
  }
}

TEST_CASE("chip: an ACC STORE overlapping a POSTPROC on the shared ACC read port",
          "[chip][directed][acc_store]") {
  const uint64_t seed = Catch::rngSeed();
  CAPTURE(seed);
  Rng rng(seed);
  constexpr uint32_t kM = 150;  // ACC rows written by the MATMUL, read by both
  constexpr uint32_t kP = 200;  // parameter rows
  for (int variant = 0; variant < 3; ++variant) {
    CAPTURE(variant);
    MemImage img = fresh_image();
    const std::vector<uint8_t> src = rng.bytes((kM + kDim) * kDim);
    img.write(kData, src.data(), src.size());
    std::vector<int32_t> par;
    for (int i = 0; i < kDim; ++i) par.push_back(static_cast<int32_t>(rng.uniform(-5000, 5000)));
    for (int i = 0; i < kDim; ++i)
      par.push_back(quantize_multiplier(rng.uniform_real(0.0005, 0.01)).multiplier);
    for (int i = 0; i < kDim; ++i)
      par.push_back(quantize_multiplier(rng.uniform_real(0.0005, 0.01)).shift);
    img.write_s32(kData + 0x20000, par.data(), par.size());
    std::vector<qilin_insn_t> p;
    p.push_back(encode(load_f(QILIN_MEM_ACC, kP, kData + 0x20000, 4 * kDim, 3, 1)));
    p.push_back(encode(with(load_f(QILIN_MEM_SP, 0, kData, kDim, kM + kDim, 1), kPushNext)));
    qilin_matmul_t mm = matmul_f(kDim, 0, 0, kM, kDim);
    mm.a_signed = rng.coin();
    mm.w_signed = rng.coin();
    p.push_back(encode(with(mm, kPopPrev | kPushNext)));
    // EX: POSTPROC reads ACC rows 0..kM-1 while ST stores the same rows raw (read/read: no
    // token between them), 3 vectors per row with a one-vector gap.
    qilin_postproc_t pp = postproc_f(0, kP, 300, kM, 1, rng.coin());
    pp.bias_en = 1;
    p.push_back(encode(with(pp, kPushNext)));
    const uint32_t vb = 4 * kDim;
    p.push_back(encode(with(store_f(QILIN_MEM_ACC, 0, kData + 0x40000, 4 * vb, kM / 3, 3),
                            kPopPrev)));
    p.push_back(encode(with(store_f(QILIN_MEM_SP, 300, kData + 0x60000, kDim, kM, 1), kPopPrev)));
    p.push_back(encode_end());
    ChipBench b("chip_acc_store_vs_post");
    if (variant == 1) {
      b.mem().config().p_w_stall = 0.5;
      b.mem().config().p_aw_stall = 0.3;
    } else if (variant == 2) {
      b.mem().config().p_b_gap = 0.5;
      b.mem().config().extra_latency_max = 40;
    }
    full_windows(b);
    REQUIRE(run_both(b, img, kProg, p).ok());
    const auto& pr = b.acc_probe();
    INFO("ACC port requests: POSTPROC " << pr.post << " cycles, STORE " << pr.dma
                                        << " cycles, both " << pr.both << " cycles");
    CHECK(pr.dma >= 4 * kM);  // at least one request cycle per chunk (4 per row)
    CHECK(pr.both >= 20);     // the two really contended for the port
  }
}

// ---- POSTPROC overlapping MATMULs in the EX unit ----------------------------------------------
// After ACC rows 120..239 are set up, MM0 fills rows 0..119 and a POSTPROC turns them into SP rows 600..719; three 40-row
// MATMULs follow it (or, for the rule-2 variants, one 120-row MATMUL precedes it). Only where
// the row ranges are disjoint may the EX unit run them at the same time. Returns PERF_CYCLES.
enum class Ovl { kIndep, kDepAcc, kDepSp, kPostIndep, kPostDep };

uint64_t run_overlap_program(Rng& rng, Ovl v, bool pool) {
  constexpr uint32_t kH = 120, kP = 240, kO = 600;
  MemImage img = fresh_image();
  const std::vector<uint8_t> src = rng.bytes(kSpRows * kDim);  // every SP row defined
  img.write(kData, src.data(), src.size());
  std::vector<int32_t> par;
  for (int i = 0; i < kDim; ++i) par.push_back(static_cast<int32_t>(rng.uniform(-5000, 5000)));
  for (int i = 0; i < kDim; ++i)
    par.push_back(quantize_multiplier(rng.uniform_real(0.0005, 0.01)).multiplier);
  for (int i = 0; i < kDim; ++i)
    par.push_back(quantize_multiplier(rng.uniform_real(0.0005, 0.01)).shift);
  img.write_s32(kData + 0x20000, par.data(), par.size());
  const qilin_insn_t barrier = encode(sync_f(QILIN_QUEUE_ALL));
  std::vector<qilin_insn_t> p;
  p.push_back(encode(load_f(QILIN_MEM_ACC, kP, kData + 0x20000, 4 * kDim, 3, 1)));
  p.push_back(encode(load_f(QILIN_MEM_SP, 0, kData, kDim, kSpRows, 1)));
  p.push_back(barrier);
  auto mm = [&](uint32_t a, uint32_t w, uint32_t c, uint32_t m) {
    qilin_matmul_t x = matmul_f(a, w, c, m, kDim);
    x.a_signed = rng.coin();
    x.w_signed = rng.coin();
    return encode(x);
  };
  p.push_back(mm(200, 320, kH, kP - kH));  // ACC rows 120..239 defined in every variant
  p.push_back(barrier);
  p.push_back(mm(0, 300, 0, kH));
  qilin_postproc_t pp = postproc_f(0, kP, kO, kH, 1, rng.coin());
  pp.bias_en = 1;
  if (pool) {  // 2x1 max pooling over a 60x2 grid: 30 output rows
    pp.in_h = kH / 2;
    pp.in_w = 2;
    pp.pool_kind = QILIN_POOL_MAX;
    pp.pool_kh = 2;
    pp.pool_kw = 2;
    pp.pool_sh = 2;
    pp.pool_sw = 1;
  }
  if (v == Ovl::kPostIndep) p.push_back(mm(130, 310, 120, 120));  // rows 120..239: disjoint
  if (v == Ovl::kPostDep) p.push_back(mm(130, 310, 60, 120));     // rows 60..179: overlap
  p.push_back(encode(pp));
  for (uint32_t i = 0; i < 3; ++i) {
    if (v == Ovl::kIndep) p.push_back(mm(100 + 40 * i, 400, 120 + 40 * i, 40));
    if (v == Ovl::kDepAcc) p.push_back(mm(100 + 40 * i, 400, 40 * i, 40));     // POST's grid
    if (v == Ovl::kDepSp) p.push_back(mm(kO + 40 * i, 400, 120 + 40 * i, 40));  // POST's output
  }
  p.push_back(barrier);
  p.push_back(encode(store_f(QILIN_MEM_SP, kO, kData + 0x40000, kDim, kH, 1)));
  p.push_back(encode(store_f(QILIN_MEM_ACC, 0, kData + 0x60000, 4 * kDim, kP, 1)));
  p.push_back(encode_end());
  ChipBench b("chip_post_overlap");
  full_windows(b);
  REQUIRE(run_both(b, img, kProg, p).ok());
  return b.csr_read64(QILIN_CSR_OFF(PERF_CYCLES_LO));
}

TEST_CASE("chip: MATMULs after a POSTPROC overlap it only on disjoint rows", "[chip][directed][overlap]") {
  const uint64_t seed = Catch::rngSeed();
  CAPTURE(seed);
  Rng rng(seed);
  for (const bool pool : {false, true}) {
    CAPTURE(pool);
    const uint64_t indep = run_overlap_program(rng, Ovl::kIndep, pool);
    const uint64_t dep_acc = run_overlap_program(rng, Ovl::kDepAcc, pool);
    const uint64_t dep_sp = run_overlap_program(rng, Ovl::kDepSp, pool);
    INFO("cycles: independent " << indep << ", ACC conflict " << dep_acc << ", SP conflict "
                                << dep_sp);
    // Serialised, the three 40-row MATMULs add at least 120 streaming cycles after the
    // POSTPROC; overlapped, most of them hide under it (60 is a safe part of either).
    const uint64_t hidden = pool ? 40 : 60;
    CHECK(indep + hidden < dep_acc);
    CHECK(indep + hidden < dep_sp);
  }
}

TEST_CASE("chip: a POSTPROC overlaps earlier MATMULs in flight only on disjoint rows",
          "[chip][directed][overlap]") {
  const uint64_t seed = Catch::rngSeed();
  CAPTURE(seed);
  Rng rng(seed);
  for (const bool pool : {false, true}) {
    CAPTURE(pool);
    const uint64_t indep = run_overlap_program(rng, Ovl::kPostIndep, pool);
    const uint64_t dep = run_overlap_program(rng, Ovl::kPostDep, pool);
    INFO("cycles: independent " << indep << ", ACC conflict " << dep);
    CHECK(indep + (pool ? 30 : 60) < dep);
  }
}

TEST_CASE("chip: a POSTPROC error while MATMULs run around it reports the POSTPROC's PC",
          "[chip][error][overlap]") {
  // A 200-row MATMUL into ACC rows 0..199, then a POSTPROC of rows 200..219 whose shift row is
  // out of range (it may start and fail while the MATMUL still runs: its error must wait for
  // the MATMUL's done so that ERR_PC is its own), then MATMULs that may run under it.
  const uint64_t seed = Catch::rngSeed();
  CAPTURE(seed);
  Rng rng(seed);
  for (int variant = 0; variant < 2; ++variant) {
    CAPTURE(variant);
    MemImage img = fresh_image();
    const std::vector<uint8_t> src = rng.bytes(512 * kDim);
    img.write(kData, src.data(), src.size());
    std::vector<int32_t> par;
    for (int i = 0; i < kDim; ++i) par.push_back(0);
    for (int i = 0; i < kDim; ++i) par.push_back(1 << 30);
    for (int i = 0; i < kDim; ++i) par.push_back(i == kDim / 2 ? 40 : 1);  // one bad lane
    img.write_s32(kData + 0x20000, par.data(), par.size());
    std::vector<qilin_insn_t> p;
    p.push_back(encode(load_f(QILIN_MEM_ACC, 240, kData + 0x20000, 4 * kDim, 3, 1)));
    p.push_back(encode(load_f(QILIN_MEM_SP, 0, kData, kDim, 512, 1)));
    p.push_back(encode(sync_f(QILIN_QUEUE_ALL)));
    p.push_back(encode(matmul_f(300, 0, 200, 20, kDim)));  // rows 200..219 for the POSTPROC
    p.push_back(encode(sync_f(QILIN_QUEUE_ALL)));
    p.push_back(encode(matmul_f(0, 300, 0, 200, kDim)));
    p.push_back(encode(postproc_f(200, 240, 600, 20, 1, rng.coin())));
    if (variant == 1) {
      p.push_back(encode(matmul_f(0, 320, 0, 100, kDim)));
      p.push_back(encode(matmul_f(0, 320, 100, 100, kDim)));
    }
    p.push_back(encode_end());
    ChipBench b("chip_post_err_overlap");
    full_windows(b);
    const IssResult r = run_both(b, img, kProg, p);
    CHECK(r.code == QILIN_ERR_PARAM_RANGE);
    b.soft_reset();
    // The chip works again after the soft reset.
    std::vector<qilin_insn_t> ok;
    ok.push_back(encode(load_f(QILIN_MEM_SP, 0, kData, kDim, 16, 1)));
    ok.push_back(encode(sync_f(QILIN_QUEUE_ALL)));
    ok.push_back(encode(store_f(QILIN_MEM_SP, 0, kData + 0x50000, kDim, 16, 1)));
    ok.push_back(encode_end());
    REQUIRE(run_both(b, img, kProg, ok).ok());
  }
}

TEST_CASE("chip: ACC STORE errors (ALIGN, DMA_WINDOW, ACC_RANGE, ILLEGAL) match the ISS",
          "[chip][error][acc_store]") {
  const uint64_t seed = Catch::rngSeed();
  CAPTURE(seed);
  Rng rng(seed);
  MemImage img = fresh_image();
  const std::vector<int32_t> words = [&] {
    std::vector<int32_t> v;
    for (int i = 0; i < 16 * kDim; ++i)
      v.push_back(static_cast<int32_t>(rng.uniform(INT32_MIN, INT32_MAX)));
    return v;
  }();
  img.write_s32(kData, words.data(), words.size());
  const uint32_t vb = 4 * kDim;
  const uint64_t out = kData + 0x4000;
  // LD fills ACC rows 0..15; a SYNC relays the token to ST; then the STORE under test.
  auto prog = [&](const qilin_store_t& st) {
    return std::vector<qilin_insn_t>{
        encode(with(load_f(QILIN_MEM_ACC, 0, kData, vb, 16, 1), kPushNext)),
        encode(sync_f(QILIN_QUEUE_EX, kPopPrev | kPushNext)), encode(with(st, kPopPrev)),
        encode_end()};
  };
  struct Case {
    const char* what;
    qilin_store_t st;
    uint64_t wr_lo, wr_hi;  // write window
    unsigned code;
  };
  const Case cases[] = {
      {"dram_addr a multiple of DIM but not of 4*DIM",
       store_f(QILIN_MEM_ACC, 0, out + kDim, vb, 4, 1), 0, kMemBytes, QILIN_ERR_ALIGN},
      {"dram_stride a multiple of DIM but not of 4*DIM",
       store_f(QILIN_MEM_ACC, 0, out, 2 * vb + kDim, 4, 2), 0, kMemBytes, QILIN_ERR_ALIGN},
      {"second row crosses the write limit", store_f(QILIN_MEM_ACC, 2, out, 4 * vb, 3, 2), out,
       out + 4 * vb + vb, QILIN_ERR_DMA_WINDOW},
      {"first row below the write base", store_f(QILIN_MEM_ACC, 0, out, vb, 2, 1), out + vb,
       kMemBytes, QILIN_ERR_DMA_WINDOW},
      {"rows past AccRows", store_f(QILIN_MEM_ACC, kAccRows - 4, out, 2 * vb, 3, 2), 0, kMemBytes,
       QILIN_ERR_ACC_RANGE},
      {"start past AccRows (inside the SP range)",
       store_f(QILIN_MEM_ACC, kAccRows + 1, out, 0, 0, 1), 0, kMemBytes, QILIN_ERR_ACC_RANGE},
      {"rows overlap (stride of SP-sized vectors)", store_f(QILIN_MEM_ACC, 0, out, 2 * kDim, 3, 2),
       0, kMemBytes, QILIN_ERR_ILLEGAL_INSN},
      {"legal: exactly up to the write limit", store_f(QILIN_MEM_ACC, 2, out, 4 * vb, 3, 2), out,
       out + 2 * 4 * vb + 2 * vb, QILIN_ERR_NONE},
  };
  ChipBench b("chip_acc_store_errors");
  for (const Case& c : cases) {
    CAPTURE(c.what);
    b.set_windows(0, kMemBytes, c.wr_lo, c.wr_hi);
    MemImage m = img;
    m.set_write_window(c.wr_lo, c.wr_hi);
    const IssResult r = run_both(b, m, kProg, prog(c.st));
    CHECK(r.code == c.code);
    if (!r.ok()) CHECK(r.err_pc == 2);
    b.soft_reset();
  }
}

TEST_CASE("chip: error paths match the ISS, and a soft reset recovers", "[chip][error]") {
  const uint64_t seed = Catch::rngSeed();
  CAPTURE(seed);
  Rng rng(seed);
  MemImage img = fresh_image();
  const std::vector<uint8_t> src = rng.bytes(1024);
  img.write(kData, src.data(), src.size());
  ChipBench b("chip_errors");
  full_windows(b);
  const std::vector<qilin_insn_t> good = {
      encode(with(load_f(QILIN_MEM_SP, 0, kData, kDim, 16, 1), kPushNext)),
      encode(sync_f(QILIN_QUEUE_EX, kPopPrev | kPushNext)),
      encode(with(store_f(QILIN_MEM_SP, 0, kData + 0x4000, kDim, 16, 1), kPopPrev)),
      encode_end()};

  SECTION("illegal opcode") {
    std::vector<qilin_insn_t> p = good;
    qilin_insn_t bad{};
    bad.w[0] = 9;  // opcode 9 is illegal
    p.insert(p.begin() + 1, bad);
    CHECK(run_both(b, img, kProg, p).code == QILIN_ERR_ILLEGAL_INSN);
  }
  SECTION("LOAD outside the read window") {
    b.set_windows(kData, kData + 64, 0, kMemBytes);
    img.set_read_window(kData, kData + 64);
    CHECK(run_both(b, img, kProg, good).code == QILIN_ERR_DMA_WINDOW);
    b.set_windows(0, kMemBytes, 0, kMemBytes);
    img.set_read_window(0, kMemBytes);
  }
  SECTION("STORE outside the write window") {
    b.set_windows(0, kMemBytes, kData + 0x4000, kData + 0x4000 + 64);
    img.set_write_window(kData + 0x4000, kData + 0x4000 + 64);
    CHECK(run_both(b, img, kProg, good).code == QILIN_ERR_DMA_WINDOW);
    b.set_windows(0, kMemBytes, 0, kMemBytes);
    img.set_write_window(0, kMemBytes);
  }
  SECTION("POSTPROC shift parameter outside -31..30") {
    std::vector<int32_t> par(3 * kDim, 0);
    for (int i = 0; i < kDim; ++i) par[kDim + i] = 1 << 30;
    for (int i = 0; i < kDim; ++i) par[2 * kDim + i] = (i == 3) ? 40 : 1;
    img.write_s32(kData + 0x8000, par.data(), par.size());
    std::vector<qilin_insn_t> p = {
        encode(load_f(QILIN_MEM_ACC, 50, kData + 0x8000, 4 * kDim, 3, 1)),
        encode(with(load_f(QILIN_MEM_SP, 0, kData, kDim, 16, 1), kPushNext)),
        encode(with(matmul_f(8, 0, 0, 8, kDim), kPopPrev)),
        encode(postproc_f(0, 50, 100, 8, 1, true)),
        encode_end()};
    CHECK(run_both(b, img, kProg, p).code == QILIN_ERR_PARAM_RANGE);
  }
  SECTION("LOAD and STORE beyond the end of memory: BUS_ERROR") {
    const uint64_t end = kData + 0x8000;
    MemImage small(end);
    small.set_read_window(0, kMemBytes);  // the windows may extend beyond the memory
    small.set_write_window(0, kMemBytes);
    small.write(kData, src.data(), src.size());
    // Both error responses, on a read (LOAD) and on a write (STORE).
    for (const auto resp : {qilin::tb::AxiResp::kSlvErr, qilin::tb::AxiResp::kDecErr}) {
      for (const bool st : {false, true}) {
        b.mem().add_error_range(end, kMemBytes, resp);
        std::vector<qilin_insn_t> p = good;
        if (st)
          p[2] = encode(with(store_f(QILIN_MEM_SP, 0, end - 3 * kDim, kDim, 16, 1), kPopPrev));
        else
          p[0] = encode(with(load_f(QILIN_MEM_SP, 0, end - 5 * kDim, kDim, 16, 1), kPushNext));
        CAPTURE(st, resp == qilin::tb::AxiResp::kDecErr);
        CHECK(run_both(b, small, kProg, p).code == QILIN_ERR_BUS_ERROR);
        b.mem().clear_error_ranges();
        b.soft_reset();
      }
    }
  }
  SECTION("no END") {
    std::vector<qilin_insn_t> p = good;
    p.pop_back();
    CHECK(run_both(b, img, kProg, p).code == QILIN_ERR_NO_END);
  }
  b.soft_reset();
  CHECK((b.csr_read(QILIN_CSR_OFF(STATUS)) & 0x7u) == 0);
  // The recovery program starts from the device memory as the failed program left it.
  MemImage img2 = fresh_image();
  img2.write(kData, src.data(), src.size());
  for (const uint64_t pg : b.written_pages()) {
    const std::vector<uint8_t> bytes = b.mem().read(pg << 12, 4096);
    img2.write(pg << 12, bytes.data(), bytes.size());
  }
  REQUIRE(run_both(b, img2, kProg, good).ok());
}

TEST_CASE("chip: random phased programs match the ISS", "[chip][random]") {
  // 200 programs, each from its own seed (printed on failure; all replay with --rng-seed).
  const uint64_t base = Catch::rngSeed();
  int acc_store_programs = 0;  // programs with at least one STORE src = ACC
  for (int iter = 0; iter < 200; ++iter) {
    const uint64_t seed = base * 1000 + static_cast<uint64_t>(iter);
    CAPTURE(base, iter, seed);
    Rng rng(seed);
    MemImage img = fresh_image();
    const std::vector<qilin_insn_t> p = random_program(rng, img);
    acc_store_programs += std::any_of(p.begin(), p.end(), [](const qilin_insn_t& i) {
      return qilin_insn_opcode(&i) == QILIN_OP_STORE && qilin_decode_store(&i).src == QILIN_MEM_ACC;
    });
    // Skip programs the ISS rejects (e.g. a POSTPROC output range beyond the SP: none expected).
    ChipBench b("chip_random_program");
    if (iter % 2) {
      b.mem().config().p_ar_stall = 0.3;
      b.mem().config().p_w_stall = 0.3;
      b.mem().config().p_r_gap = 0.3;
      b.mem().config().p_b_gap = 0.3;
      b.mem().config().extra_latency_max = 30;
    }
    full_windows(b);
    const IssResult r = run_both(b, img, kProg, p);
    CHECK(r.ok());
  }
  INFO("programs with an ACC STORE: " << acc_store_programs);
  CHECK(acc_store_programs >= 50);
}

TEST_CASE("chip: soft reset in the middle of a GEMM, then the GEMM runs again", "[chip][error]") {
  const uint64_t seed = Catch::rngSeed();
  CAPTURE(seed);
  Rng rng(seed);
  GemmJob g = gemm_job(rng, 24, 16, 24, 8);
  MemImage img = fresh_image();
  make_gemm_data(rng, img, g);
  const std::vector<qilin_insn_t> prog = tiled_gemm_program(g, kDim);
  MemImage first = img;
  write_program(first, kProg, prog);
  ChipBench b("chip_soft_reset_mid");
  full_windows(b);
  b.load_image(first);
  b.csr_write64(QILIN_CSR_OFF(CMD_BASE_LO), kProg);
  b.csr_write(QILIN_CSR_OFF(CMD_LEN), static_cast<uint32_t>(prog.size()));
  b.csr_write(QILIN_CSR_OFF(CTRL), QILIN_CSR__CTRL__START_bm);
  const int wait = static_cast<int>(rng.uniform(0, 600));
  CAPTURE(wait);
  for (int i = 0; i < wait; ++i) b.step();
  b.soft_reset();
  CHECK((b.csr_read(QILIN_CSR_OFF(STATUS)) & 0x7u) == 0);
  // The whole program again on the same device memory: the end state matches the ISS.
  REQUIRE(run_both(b, img, kProg, prog).ok());
}

// ---- Throughput probes (hidden: run with `test_chip16 "[.perf]"`) ---------------------------
// Back-to-back MATMULs from a preloaded SP (EX alone), and the LOADs of one 256x256x256
// GEMM iteration (LD alone): per-instruction cycles from two program lengths.
TEST_CASE("chip: perf probe, back-to-back MATMULs and GEMM-iteration LOADs", "[.perf]") {
  Rng rng(1);
  auto run = [&](int n, bool ld, uint32_t m) {
    MemImage img = fresh_image();
    const std::vector<uint8_t> src = rng.bytes(0x20000);
    img.write(kData, src.data(), src.size());
    std::vector<qilin_insn_t> p;
    p.push_back(encode(load_f(QILIN_MEM_SP, 0, kData, kDim, kSpRows, 1)));
    p.push_back(encode(sync_f(QILIN_QUEUE_ALL)));
    for (int i = 0; i < n; ++i) {
      if (ld) {
        for (uint32_t j = 0; j < 4; ++j)
          p.push_back(encode(load_f(QILIN_MEM_SP, 512 + 16 * j, kData + 0x1000 * j, 16 * kDim, 1, 1)));
        p.push_back(encode(load_f(QILIN_MEM_SP, 600, kData + 0x8000, 256, m, 1)));
      } else {
        qilin_matmul_t x = matmul_f(0, 512 + kDim * (i % 4), m * (i % 4), m, kDim);
        x.accumulate = i >= 4;
        p.push_back(encode(x));
      }
    }
    p.push_back(encode_end());
    ChipBench b("chip_perf_probe");
    full_windows(b);
    REQUIRE(run_both(b, img, kProg, p).ok());
    return b.csr_read64(QILIN_CSR_OFF(PERF_CYCLES_LO));
  };
  for (uint32_t m : {52u, 26u}) {
    const uint64_t e20 = run(20, false, m), e40 = run(40, false, m);
    const uint64_t l20 = run(20, true, m), l40 = run(40, true, m);
    WARN("m " << m << ": MATMUL " << (e40 - e20) / 20.0 << " cycles each; GEMM-iteration LOADs "
              << (l40 - l20) / 20.0 << " cycles per iteration");
  }
}
