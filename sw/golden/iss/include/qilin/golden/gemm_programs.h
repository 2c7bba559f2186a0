// SPDX-License-Identifier: Apache-2.0
// Test program generators shared by the ISS tests, the chip tests and the chip-top tests and
// bench: the double-buffered tiled GEMM of docs/isa.md §4 (requantised output, and int32
// output stored from the ACC), its random data and its job descriptions.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "qilin/golden/gemm.h"
#include "qilin/golden/insn_builders.h"
#include "qilin/golden/iss.h"
#include "qilin/golden/mem_image.h"
#include "qilin/golden/requant.h"
#include "qilin/golden/rng.h"
#include "qilin/isa.h"

namespace qilin::golden::programs {

using namespace golden::insn;  // instruction builders (insn_builders.h)

// C (M x N, uint8/int8) = requant(A (M x K) * B (K x N) + bias) with per-column parameters.
// Device layout: A, B and C row-major with their row pitches (lda, ldb, ldc) rounded up to
// DIM, because the DMA moves whole DIM-byte vectors from vector-aligned addresses; the
// per-column parameters as three int32 arrays bias, multiplier, shift of ldc entries each.
struct GemmJob {
  int M, N, K;
  bool a_signed, b_signed, out_signed;
  int32_t a_zp, b_zp, out_zp;
  int tile_m;  // A rows per tile (M-split)
  uint64_t a, b, params, c;
  int lda, ldb, ldc;
};

// The loop nest is m-tile, n-block, k-block. Per iteration t, LD loads the weight block and the
// A block into SP buffer t % 2 and signals EX; EX multiplies (accumulating over k) and frees the
// buffer for iteration t + 2; after the last k-block EX requantises into output buffer u % 2 and
// signals ST, which stores it and frees the output buffer for tile u + 2. The parameters are
// loaded into ACC up front; EX's first token wait covers them because LD is in order.
inline std::vector<qilin_insn_t> tiled_gemm_program(const GemmJob& g, int dim) {
  const int mt_n = (g.M + g.tile_m - 1) / g.tile_m;
  const int nb_n = (g.N + dim - 1) / dim;
  const int kb_n = (g.K + dim - 1) / dim;
  const int iters = mt_n * nb_n * kb_n;
  const int tiles = mt_n * nb_n;
  const uint32_t in_buf_rows = static_cast<uint32_t>(dim + g.tile_m);  // W block, then A block
  const uint32_t out_buf0 = 2 * in_buf_rows;
  const uint32_t acc_params = static_cast<uint32_t>(g.tile_m);  // C tile first, then parameters

  std::vector<qilin_insn_t> p;
  for (int nb = 0; nb < nb_n; ++nb) {
    p.push_back(encode(
        load_f(QILIN_MEM_ACC, acc_params + 3 * nb, g.params + 4ull * nb * dim, 4 * g.ldc, 3, 1)));
  }
  int t = 0;
  int u = 0;
  for (int mt = 0; mt < mt_n; ++mt) {
    const int m0 = mt * g.tile_m;
    const int mc = std::min(g.tile_m, g.M - m0);
    for (int nb = 0; nb < nb_n; ++nb) {
      for (int kb = 0; kb < kb_n; ++kb, ++t) {
        const int kc = std::min(dim, g.K - kb * dim);
        const uint32_t w_rows = static_cast<uint32_t>(t % 2) * in_buf_rows;
        const uint32_t a_rows = w_rows + static_cast<uint32_t>(dim);
        // LD: wait until EX has freed this buffer (from iteration t - 2), load, signal EX.
        p.push_back(encode(with(
            load_f(QILIN_MEM_SP, w_rows, g.b + uint64_t(kb) * dim * g.ldb + nb * dim, g.ldb, kc, 1),
            t >= 2 ? kPopNext : Flags{})));
        p.push_back(encode(
            with(load_f(QILIN_MEM_SP, a_rows, g.a + uint64_t(m0) * g.lda + kb * dim, g.lda, mc, 1),
                 kPushNext)));
        // EX: wait for the data, multiply, free the buffer if LD will reuse it.
        qilin_matmul_t mm = matmul_f(a_rows, w_rows, 0, mc, kc);
        mm.accumulate = kb > 0;
        mm.a_signed = g.a_signed;
        mm.w_signed = g.b_signed;
        mm.a_zp = g.a_zp;
        mm.w_zp = g.b_zp;
        p.push_back(encode(with(mm, kPopPrev | (t + 2 < iters ? kPushPrev : Flags{}))));
        if (kb + 1 < kb_n) continue;
        // EX: requantise into output buffer u % 2 once ST has stored tile u - 2 from it.
        const uint32_t o_rows = out_buf0 + static_cast<uint32_t>(u % 2) * g.tile_m;
        qilin_postproc_t pp = postproc_f(0, acc_params + 3 * nb, o_rows, mc, 1, g.out_signed);
        pp.bias_en = 1;
        pp.out_zp = g.out_zp;
        p.push_back(encode(with(pp, (u >= 2 ? kPopNext : Flags{}) | kPushNext)));
        // ST: wait for the tile, store it, free the output buffer if EX will reuse it.
        p.push_back(encode(
            with(store_f(QILIN_MEM_SP, o_rows, g.c + uint64_t(m0) * g.ldc + nb * dim, g.ldc, mc, 1),
                 kPopPrev | (u + 2 < tiles ? kPushPrev : Flags{}))));
        ++u;
      }
    }
  }
  p.push_back(encode_end());
  return p;
}

struct GemmData {
  std::vector<uint8_t> a, b;
  std::vector<int32_t> bias, mult, shift;  // ldc entries each
};

// Random operands and per-column parameters, written to the device memory.
inline GemmData make_gemm_data(Rng& rng, MemImage& mem, const GemmJob& g) {
  GemmData d;
  d.a = rng.bytes(static_cast<std::size_t>(g.M) * g.K);
  d.b = rng.bytes(static_cast<std::size_t>(g.K) * g.N);
  for (int n = 0; n < g.ldc; ++n) {
    // Scale so that a typical accumulator lands inside the 8-bit range.
    const QuantMultiplier qm = quantize_multiplier(rng.uniform_real(0.2, 4.0) / (256.0 * g.K));
    d.bias.push_back(static_cast<int32_t>(rng.uniform(-20000, 20000)));
    d.mult.push_back(qm.multiplier);
    d.shift.push_back(qm.shift);
  }
  for (int m = 0; m < g.M; ++m)
    mem.write(g.a + uint64_t(m) * g.lda, &d.a[std::size_t(m) * g.K], g.K);
  for (int k = 0; k < g.K; ++k)
    mem.write(g.b + uint64_t(k) * g.ldb, &d.b[std::size_t(k) * g.N], g.N);
  mem.write_s32(g.params, d.bias.data(), g.ldc);
  mem.write_s32(g.params + 4ull * g.ldc, d.mult.data(), g.ldc);
  mem.write_s32(g.params + 8ull * g.ldc, d.shift.data(), g.ldc);
  return d;
}

// POSTPROC parameter rows for `dim` lanes, as three consecutive int32 ACC rows: bias in
// [-2000, 2000], then the multipliers and shifts of scales in [0.001, 0.5] (the chip tests'
// random POSTPROCs read accumulators of a few thousand).
inline std::vector<int32_t> random_post_params(Rng& rng, int dim) {
  std::vector<int32_t> par;
  for (int i = 0; i < dim; ++i) par.push_back(static_cast<int32_t>(rng.uniform(-2000, 2000)));
  std::vector<QuantMultiplier> qms;
  for (int i = 0; i < dim; ++i) qms.push_back(quantize_multiplier(rng.uniform_real(0.001, 0.5)));
  for (int i = 0; i < dim; ++i) par.push_back(qms[i].multiplier);
  for (int i = 0; i < dim; ++i) par.push_back(qms[i].shift);
  return par;
}

// ---- Tiled GEMM with int32 output: MATMULs into an ACC buffer, STORE src = ACC --------------
// Inputs double-buffered as in tiled_gemm_program; the output tile alternates between ACC rows
// 0.. and tile_m.. (u % 2). EX -> ST: the last MATMUL of a tile; ST -> EX: the STORE frees
// its ACC buffer for the tile after next. C is int32, row pitch 4 * ldc bytes.
inline std::vector<qilin_insn_t> gemm_s32_program(const GemmJob& g, int dim) {
  const int mt_n = (g.M + g.tile_m - 1) / g.tile_m;
  const int nb_n = (g.N + dim - 1) / dim;
  const int kb_n = (g.K + dim - 1) / dim;
  const int iters = mt_n * nb_n * kb_n;
  const int tiles = mt_n * nb_n;
  const uint32_t in_buf_rows = static_cast<uint32_t>(dim + g.tile_m);
  std::vector<qilin_insn_t> p;
  int t = 0, u = 0;
  for (int mt = 0; mt < mt_n; ++mt) {
    const int m0 = mt * g.tile_m;
    const int mc = std::min(g.tile_m, g.M - m0);
    for (int nb = 0; nb < nb_n; ++nb, ++u) {
      const uint32_t c_rows = static_cast<uint32_t>(u % 2) * static_cast<uint32_t>(g.tile_m);
      for (int kb = 0; kb < kb_n; ++kb, ++t) {
        const int kc = std::min(dim, g.K - kb * dim);
        const uint32_t w_rows = static_cast<uint32_t>(t % 2) * in_buf_rows;
        const uint32_t a_rows = w_rows + static_cast<uint32_t>(dim);
        p.push_back(encode(with(
            load_f(QILIN_MEM_SP, w_rows, g.b + uint64_t(kb) * dim * g.ldb + nb * dim, g.ldb, kc, 1),
            t >= 2 ? kPopNext : Flags{})));
        p.push_back(encode(
            with(load_f(QILIN_MEM_SP, a_rows, g.a + uint64_t(m0) * g.lda + kb * dim, g.lda, mc, 1),
                 kPushNext)));
        qilin_matmul_t mm = matmul_f(a_rows, w_rows, c_rows, mc, kc);
        mm.accumulate = kb > 0;
        mm.a_signed = g.a_signed;
        mm.w_signed = g.b_signed;
        mm.a_zp = g.a_zp;
        mm.w_zp = g.b_zp;
        Flags f = kPopPrev;
        if (t + 2 < iters) f = f | kPushPrev;
        if (kb == 0 && u >= 2) f = f | kPopNext;
        if (kb + 1 == kb_n) f = f | kPushNext;
        p.push_back(encode(with(mm, f)));
      }
      const uint64_t c = g.c + uint64_t(m0) * 4 * g.ldc + uint64_t(nb) * 4 * dim;
      p.push_back(encode(with(store_f(QILIN_MEM_ACC, c_rows, c, 4 * g.ldc, mc, 1),
                              kPopPrev | (u + 2 < tiles ? kPushPrev : Flags{}))));
    }
  }
  p.push_back(encode_end());
  return p;
}

// Random signs and zero points; A, B, params and C in 1 MiB slots from `data`; pitches
// rounded up to the vector width `dim`.
inline GemmJob gemm_job(Rng& rng, int M, int N, int K, int tile_m, int dim, uint64_t data) {
  GemmJob g{};
  g.M = M;
  g.N = N;
  g.K = K;
  g.tile_m = tile_m;
  g.a_signed = rng.coin();
  g.b_signed = rng.coin();
  g.out_signed = rng.coin();
  g.a_zp = static_cast<int32_t>(g.a_signed ? rng.uniform(-128, 127) : rng.uniform(0, 255));
  g.b_zp = static_cast<int32_t>(g.b_signed ? rng.uniform(-128, 127) : rng.uniform(0, 255));
  g.out_zp = static_cast<int32_t>(g.out_signed ? rng.uniform(-128, 127) : rng.uniform(0, 255));
  g.a = data;
  g.b = data + 0x100000;
  g.params = data + 0x200000;
  g.c = data + 0x300000;
  g.lda = (K + dim - 1) / dim * dim;
  g.ldb = (N + dim - 1) / dim * dim;
  g.ldc = g.ldb;
  return g;
}

// The golden int32 C (M x N, row-major) of job g, from the A and B that `img` holds at the
// job's addresses: the reference for gemm_s32_program.
inline std::vector<int32_t> gemm_s32_reference(const MemImage& img, const GemmJob& g) {
  std::vector<uint8_t> a(static_cast<std::size_t>(g.M) * g.K);
  std::vector<uint8_t> w(static_cast<std::size_t>(g.K) * g.N);
  for (int m = 0; m < g.M; ++m) img.read(g.a + uint64_t(m) * g.lda, &a[std::size_t(m) * g.K], g.K);
  for (int k = 0; k < g.K; ++k) img.read(g.b + uint64_t(k) * g.ldb, &w[std::size_t(k) * g.N], g.N);
  const std::vector<int32_t> b_zp(g.N, g.b_zp);
  std::vector<int32_t> c(static_cast<std::size_t>(g.M) * g.N);
  gemm_s32(g.M, g.N, g.K, {a.data(), g.a_signed}, g.a_zp, {w.data(), g.b_signed}, b_zp.data(),
           c.data());
  return c;
}

}  // namespace qilin::golden::programs
