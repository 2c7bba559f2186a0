// SPDX-License-Identifier: Apache-2.0
// qilin_top_bench: one large INT8 GEMM (C[S x S] = requant(A[S x S] * B[S x S])) on the
// verilated qilin_top (DIM 16, 2 HBM pseudo-channels, HBM2_2000 device models), checked
// byte for byte against the ISS. Prints end-to-end cycles, MAC utilisation and the PERF_* CSRs.
//
//   qilin_top_bench [S=128] [tile_m=min(S,128)]
//
// Tiling (SP has 2 banks, chosen by the row address MSB: rows 0..8191 and 8192..16383):
// - A is stored blocked in device memory (per K block of 16: an [S x 16] panel), so one LOAD
//   fetches a whole [tile_m x K] A panel into bank 1, double-buffered across M tiles.
// - B is stored blocked (16 x 16 blocks, contiguous 256 B); each W block is loaded into a
//   8-deep ring in bank 0, so the LOADs run ahead of the MATMULs that use them.
// - Per (M tile, N block) the K blocks accumulate in ACC rows 0..tile_m-1; POSTPROC writes
//   the int8 tile to a 2-deep output buffer in bank 0 and STORE writes it to C (row-major).
// Weights and activations are thus in different SP banks.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "Vqilin_top_16.h"
#include "top_bench.h"
#include "top_programs.h"

using namespace qilin::tb::top;
using qilin::golden::Iss;
using qilin::golden::IssConfig;
using qilin::golden::IssResult;
using qilin::golden::write_program;

namespace {
constexpr int kDim = 16;
constexpr uint32_t kSpRows = 16384, kAccRows = 1024, kBank1 = 8192;
constexpr unsigned kNumPC = 2;
constexpr uint64_t kProg = 0x1000;
constexpr uint64_t kA = 0x1000000, kB = 0x1800000, kP = 0x2000000, kC = 0x2800000;
}  // namespace

int main(int argc, char** argv) {
  const int S = argc > 1 ? std::atoi(argv[1]) : 128;
  const int tm = argc > 2 ? std::atoi(argv[2]) : std::min(S, 128);
  if (S % kDim || S % tm || tm > 256) {
    std::fprintf(stderr, "S must be a multiple of 16 and of tile_m (<= 256)\n");
    return 2;
  }
  const int M = S, N = S, K = S;
  const int mt_n = M / tm, nb_n = N / kDim, kb_n = K / kDim;
  const uint32_t panel_rows = static_cast<uint32_t>(tm * kb_n);
  if (kBank1 + 2 * panel_rows > kSpRows || 32 + 2 * uint32_t(tm) > kBank1 ||
      uint32_t(tm + 3 * nb_n) > kAccRows) {
    std::fprintf(stderr, "tile does not fit the SP / ACC\n");
    return 2;
  }

  // ---- Data.
  Rng rng(12345);
  MemImage img(hbm_bytes(kNumPC));
  const std::vector<uint8_t> a = rng.bytes(std::size_t(M) * K), b = rng.bytes(std::size_t(K) * N);
  for (int kb = 0; kb < kb_n; ++kb)
    for (int m = 0; m < M; ++m)
      img.write(kA + (uint64_t(kb) * M + m) * kDim, &a[std::size_t(m) * K + kb * kDim], kDim);
  for (int nb = 0; nb < nb_n; ++nb)
    for (int kb = 0; kb < kb_n; ++kb)
      for (int k = 0; k < kDim; ++k)
        img.write(kB + (uint64_t(nb) * kb_n + kb) * kDim * kDim + k * kDim,
                  &b[std::size_t(kb * kDim + k) * N + nb * kDim], kDim);
  std::vector<int32_t> bias, mult, shift;
  for (int n = 0; n < N; ++n) {
    const QuantMultiplier qm = quantize_multiplier(rng.uniform_real(0.2, 4.0) / (256.0 * K));
    bias.push_back(static_cast<int32_t>(rng.uniform(-20000, 20000)));
    mult.push_back(qm.multiplier);
    shift.push_back(qm.shift);
  }
  img.write_s32(kP, bias.data(), N);
  img.write_s32(kP + 4ull * N, mult.data(), N);
  img.write_s32(kP + 8ull * N, shift.data(), N);

  // ---- Program.
  constexpr int kWRing = 8;
  std::vector<qilin_insn_t> p;
  const uint32_t acc_params = static_cast<uint32_t>(tm);
  for (int nb = 0; nb < nb_n; ++nb)
    p.push_back(encode(load_f(QILIN_MEM_ACC, acc_params + 3 * nb, kP + 4ull * nb * kDim, 4 * N, 3, 1)));
  const int iters = mt_n * nb_n * kb_n, tiles = mt_n * nb_n;
  int t = 0, u = 0;
  for (int mt = 0; mt < mt_n; ++mt) {
    const uint32_t a_base = kBank1 + static_cast<uint32_t>(mt % 2) * panel_rows;
    for (int nb = 0; nb < nb_n; ++nb) {
      for (int kb = 0; kb < kb_n; ++kb, ++t) {
        // A kWRing-deep ring of weight blocks lets LD run that many blocks ahead of EX, which
        // covers the HBM round trip of each small weight LOAD.
        const uint32_t w_rows = static_cast<uint32_t>(t % kWRing) * kDim;
        const Flags pop = t >= kWRing ? kPopNext : Flags{};
        bool popped = false;
        if (nb == 0 && kb == 0) {
          // The whole A panel of this M tile: y = K blocks, x = tile_m vectors.
          p.push_back(encode(with(load_f(QILIN_MEM_SP, a_base, kA + uint64_t(mt) * tm * kDim,
                                         uint32_t(M * kDim), uint32_t(kb_n), uint32_t(tm)),
                                  pop)));
          popped = true;
        }
        p.push_back(encode(with(
            load_f(QILIN_MEM_SP, w_rows, kB + (uint64_t(nb) * kb_n + kb) * kDim * kDim, kDim, kDim, 1),
            (popped ? Flags{} : pop) | kPushNext)));
        qilin_matmul_t mm = matmul_f(a_base + uint32_t(kb * tm), w_rows, 0, uint32_t(tm), kDim);
        mm.accumulate = kb > 0;
        p.push_back(encode(with(mm, kPopPrev | (t + kWRing < iters ? kPushPrev : Flags{}))));
        if (kb + 1 < kb_n) continue;
        const uint32_t o_rows = kWRing * kDim + static_cast<uint32_t>(u % 2) * tm;
        qilin_postproc_t pp = postproc_f(0, acc_params + 3 * nb, o_rows, uint32_t(tm), 1, true);
        pp.bias_en = 1;
        p.push_back(encode(with(pp, (u >= 2 ? kPopNext : Flags{}) | kPushNext)));
        p.push_back(encode(with(store_f(QILIN_MEM_SP, o_rows, kC + uint64_t(mt) * tm * N + nb * kDim,
                                        uint32_t(N), uint32_t(tm), 1),
                                kPopPrev | (u + 2 < tiles ? kPushPrev : Flags{}))));
        ++u;
      }
    }
  }
  p.push_back(encode_end());
  write_program(img, kProg, p);

  // ---- ISS.
  IssConfig cfg;
  cfg.dim = kDim;
  cfg.sp_rows = kSpRows;
  cfg.acc_rows = kAccRows;
  MemImage want = img;
  Iss iss(cfg, want);
  const IssResult ir = iss.run(kProg, static_cast<uint32_t>(p.size()));
  if (!ir.ok()) {
    std::fprintf(stderr, "ISS: %s\n", ir.to_string().c_str());
    return 1;
  }

  // ---- RTL.
  const uint64_t macs = uint64_t(M) * N * K;
  const uint64_t budget = 20 * macs / (kDim * kDim) + 200000;
  TopBench<Vqilin_top_16> bench("top_bench", kNumPC, budget + 100000);
  bench.set_windows(0, uint64_t{1} << 34, 0, uint64_t{1} << 34);
  bench.load_image(img);
  const auto t0 = std::chrono::steady_clock::now();
  const RunResult r = bench.run(kProg, static_cast<uint32_t>(p.size()), budget, 8);
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (!r.finished || (r.status & QILIN_CSR__STATUS__ERROR_bm)) {
    std::fprintf(stderr, "RTL did not finish: status 0x%x err_code %u err_pc %u after %llu cycles\n",
                 r.status, r.err_code, r.err_pc, (unsigned long long)r.cycles);
    return 1;
  }
  for (int i = 0; i < 4000; ++i) bench.step();  // let the last writes reach the devices
  bench.finish_devices();
  uint8_t e = 0, g = 0;
  const int64_t diff = bench.first_difference(want, &e, &g);
  if (diff >= 0) {
    std::fprintf(stderr, "MISMATCH at 0x%llx: expected 0x%02x, got 0x%02x\n",
                 (unsigned long long)diff, e, g);
    return 1;
  }
  auto rd = [&](uint32_t off) { return (unsigned long long)bench.csr_read64(off); };
  const unsigned long long perf_cycles = rd(QILIN_CSR_OFF(PERF_CYCLES_LO));
  std::printf("GEMM %dx%dx%d (tile_m %d) on qilin_top DIM %d, %u HBM PCs: result == ISS\n", M, N,
              K, tm, kDim, kNumPC);
  std::printf("  program:        %zu instructions\n", p.size());
  std::printf("  end-to-end:     %llu cycles (doorbell to STATUS.done seen, 8-cycle poll)\n",
              (unsigned long long)r.cycles);
  std::printf("  PERF_CYCLES:    %llu\n", perf_cycles);
  std::printf("  MAC util:       %.1f %% (useful MACs %llu / (%d^2 * end-to-end cycles))\n",
              100.0 * double(macs) / (double(kDim * kDim) * double(r.cycles)),
              (unsigned long long)macs, kDim);
  std::printf("  PERF_MACS:      %llu\n", rd(QILIN_CSR_OFF(PERF_MACS_LO)));
  std::printf("  PERF_ARRAY_BUSY:%llu\n", rd(QILIN_CSR_OFF(PERF_ARRAY_BUSY_LO)));
  std::printf("  PERF_INSN_RETIRED: %llu\n", rd(QILIN_CSR_OFF(PERF_INSN_RETIRED_LO)));
  std::printf("  PERF_STALL_LD/EX/ST: %llu / %llu / %llu\n", rd(QILIN_CSR_OFF(PERF_STALL_LD_LO)),
              rd(QILIN_CSR_OFF(PERF_STALL_EX_LO)), rd(QILIN_CSR_OFF(PERF_STALL_ST_LO)));
  std::printf("  PERF_DMA_RD/WR_BYTES: %llu / %llu\n", rd(QILIN_CSR_OFF(PERF_DMA_RD_BYTES_LO)),
              rd(QILIN_CSR_OFF(PERF_DMA_WR_BYTES_LO)));
  for (unsigned pc = 0; pc < kNumPC; ++pc)
    std::printf("  HBM PC%u: ACT %llu RD %llu WR %llu REF %llu\n", pc,
                (unsigned long long)bench.phy(pc).act, (unsigned long long)bench.phy(pc).rd,
                (unsigned long long)bench.phy(pc).wr, (unsigned long long)bench.phy(pc).ref);
  std::printf("  simulation:     %.1f s wall, %.0f cycles/s\n", secs, double(r.cycles) / secs);
  return 0;
}
