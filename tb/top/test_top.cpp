// SPDX-License-Identifier: Apache-2.0
// Chip-top tests: programs run on the verilated qilin_top (DIM 8, 2 HBM pseudo-channels) with
// one HBM2 device model per PC on the PHY ports, and on the ISS with the same program and
// data; the device memories must match byte for byte, STATUS/ERR_* must match the ISS, and
// the device models must see no timing violation.
#include <catch2/catch.hpp>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

// The default build is DIM 8, 2 PCs, HBM2_2000; the regression (-DQILIN_REGRESS=ON) also
// compiles this file for NumPC 1 and for the HBM2E_3200 preset (tb/top/CMakeLists.txt).
#ifndef QILIN_TOP_MODEL
#define QILIN_TOP_MODEL Vqilin_top_8
#define QILIN_TOP_HEADER "Vqilin_top_8.h"
#define QILIN_TOP_NUMPC 2
#define QILIN_TOP_TIMING kHBM2_2000
#endif
#include QILIN_TOP_HEADER
#include "qilin/golden/gemm.h"
#include "top_bench.h"
#include "top_programs.h"

using qilin::golden::Iss;
using qilin::golden::IssConfig;
using qilin::golden::IssResult;
using qilin::golden::write_program;
using namespace qilin::tb::top;

namespace {

constexpr int kDim = 8;
constexpr uint32_t kSpRows = 1024, kAccRows = 256;
constexpr unsigned kNumPC = QILIN_TOP_NUMPC;
constexpr uint64_t kMemBytes = uint64_t{1} << 34;  // the AXI address space (DMA windows)
constexpr uint64_t kProg = 0x1000;
constexpr uint64_t kData = 0x100000;

// TopBench on this build's model, with device models of this build's timing preset.
class Bench : public TopBench<QILIN_TOP_MODEL> {
 public:
  Bench(const std::string& name, unsigned num_pc, uint64_t timeout = 5'000'000)
      : TopBench<QILIN_TOP_MODEL>(name, num_pc, timeout, qilin::hbm::QILIN_TOP_TIMING) {}
};

IssConfig chip_cfg() {
  IssConfig c;
  c.dim = kDim;
  c.sp_rows = kSpRows;
  c.acc_rows = kAccRows;
  return c;
}

// The ISS image is as large as the HBM behind the controller (so nothing beyond it aliases).
MemImage fresh_image() { return MemImage(hbm_bytes(kNumPC)); }

void full_windows(Bench& b) { b.set_windows(0, kMemBytes, 0, kMemBytes); }

// Runs `prog` (written at kProg into a copy of `img`) on the ISS and on the chip; the device
// memory is loaded with the image by backdoor first. Returns the ISS result.
IssResult run_both(Bench& bench, MemImage img, const std::vector<qilin_insn_t>& prog,
                   uint64_t budget = 1'000'000, MemImage* final_image = nullptr) {
  const uint32_t len = static_cast<uint32_t>(prog.size());
  write_program(img, kProg, prog);
  bench.load_image(img);
  MemImage iss_mem = img;
  Iss iss(chip_cfg(), iss_mem);
  const IssResult want = iss.run(kProg, len);
  INFO("ISS: " << want.to_string());
  const RunResult got = bench.run(kProg, len, budget);
  INFO("RTL: status " << got.status << " err_code " << got.err_code << " err_pc " << got.err_pc
                      << " err_addr " << got.err_addr << " cycles " << got.cycles);
  REQUIRE(got.finished);
  if (want.ok()) {
    CHECK((got.status & QILIN_CSR__STATUS__DONE_bm) != 0);
    CHECK((got.status & QILIN_CSR__STATUS__ERROR_bm) == 0);
  } else {
    CHECK((got.status & QILIN_CSR__STATUS__ERROR_bm) != 0);
    CHECK(got.err_code == want.code);
    CHECK(got.err_pc == want.err_pc);
    CHECK(got.err_addr == want.err_addr);
  }
  if (want.ok()) {
    // Writes complete at the AXI level when they enter the controller's queues; let them
    // reach the devices before the backdoor comparison.
    for (int i = 0; i < 2000; ++i) {
      bool empty = true;
      for (unsigned p = 0; p < kNumPC; ++p)
        if (qilin::tb::get_bits(bench.dut().stat_queue_count_o, 7 * p, 7) != 0) empty = false;
      if (empty) break;
      bench.step();
    }
    for (int i = 0; i < 16; ++i) bench.step();
    uint8_t e = 0, a = 0;
    const int64_t diff = bench.first_difference(iss_mem, &e, &a);
    INFO("first difference at 0x" << std::hex << diff << ": expected 0x" << int(e) << ", got 0x"
                                  << int(a));
    CHECK(diff == -1);
    CHECK(bench.csr_read64(QILIN_CSR_OFF(PERF_MACS_LO)) == want.macs);
  }
  bench.csr_write(QILIN_CSR_OFF(STATUS), QILIN_CSR__STATUS__DONE_bm | QILIN_CSR__STATUS__ERROR_bm);
  CHECK((bench.csr_read(QILIN_CSR_OFF(STATUS)) & 0x6u) == 0);
  bench.check_violations();
  if (final_image) *final_image = iss_mem;
  return want;
}

}  // namespace

TEST_CASE("top: address map 0 round trip", "[top]") {
  for (uint64_t a : std::vector<uint64_t>{0, 32, 64, 0x1000, 0x123460, hbm_bytes(kNumPC) - 32})
    CHECK(unmap0(map0(a, kNumPC), kNumPC) == a);
}

TEST_CASE("top: small tiled GEMM through HBM matches the ISS byte for byte", "[top][gemm]") {
  const uint64_t seed = Catch::rngSeed();
  CAPTURE(seed);
  Rng rng(seed);
  GemmJob g = gemm_job(rng, 16, 16, 16, 16, kDim, kData);
  CAPTURE(g.a_signed, g.b_signed, g.out_signed, g.a_zp, g.b_zp, g.out_zp);
  MemImage img = fresh_image();
  make_gemm_data(rng, img, g);
  Bench b("top_gemm_small", kNumPC, 2'000'000);
  CHECK(b.csr_read(QILIN_CSR_OFF(HW_SP_ROWS)) == kSpRows);
  full_windows(b);
  MemImage want = img;
  const IssResult r = run_both(b, img, tiled_gemm_program(g, kDim), 200'000, &want);
  REQUIRE(r.ok());
  // The comparison is live: one flipped output byte in the device is found.
  Line l = b.read_line(g.c + 32);
  l[5] ^= 0x40;
  b.write_line(g.c + 32, l);
  uint8_t e = 0, a = 0;
  CHECK(b.first_difference(want, &e, &a) == int64_t(g.c + 32 + 5));
  CHECK((e ^ a) == 0x40);
  l[5] ^= 0x40;
  b.write_line(g.c + 32, l);
  CHECK(b.csr_read64(QILIN_CSR_OFF(PERF_ARRAY_BUSY_LO)) > 0);
  // Both pseudo-channels carried traffic.
  for (unsigned p = 0; p < kNumPC; ++p) {
    CAPTURE(p);
    CHECK(b.phy(p).rd > 0);
    CHECK(b.phy(p).wr > 0);
  }
  b.finish_devices();
}

TEST_CASE("top: random tiled GEMMs through HBM match the ISS", "[top][gemm][random]") {
  const uint64_t seed = Catch::rngSeed();
  CAPTURE(seed);
  Rng rng(seed);
  Bench b("top_gemm_random", kNumPC, 5'000'000);
  full_windows(b);
  // The device memory persists from one GEMM to the next, and so does the ISS image.
  MemImage img = fresh_image();
  for (int iter = 0; iter < 3; ++iter) {
    const int M = static_cast<int>(rng.uniform(1, 40));
    const int N = static_cast<int>(rng.uniform(1, 24));
    const int K = static_cast<int>(rng.uniform(1, 24));
    const int tile_m = static_cast<int>(rng.uniform(1, 16));
    CAPTURE(iter, M, N, K, tile_m);
    // Each GEMM in its own 4 MiB region (the device memory persists between programs).
    GemmJob g = gemm_job(rng, M, N, K, tile_m, kDim, kData + 0x400000ull * iter);
    make_gemm_data(rng, img, g);
    REQUIRE(run_both(b, img, tiled_gemm_program(g, kDim), 500'000, &img).ok());
  }
  b.finish_devices();
}

TEST_CASE("top: tiled GEMM with int32 output (STORE from ACC) through HBM", "[top][gemm]") {
  const uint64_t seed = Catch::rngSeed();
  CAPTURE(seed);
  Rng rng(seed);
  GemmJob g = gemm_job(rng, 24, 2 * kDim, 2 * kDim, 8, kDim, kData);
  CAPTURE(g.a_signed, g.b_signed, g.a_zp, g.b_zp);
  MemImage img = fresh_image();
  make_gemm_data(rng, img, g);
  Bench b("top_gemm_s32", kNumPC, 2'000'000);
  full_windows(b);
  MemImage want = img;
  REQUIRE(run_both(b, img, gemm_s32_program(g, kDim), 300'000, &want).ok());
  // The device matches the ISS byte for byte (run_both); the ISS's C is the golden int32 GEMM.
  const std::vector<int32_t> c = gemm_s32_reference(img, g);
  for (int m = 0; m < g.M; ++m) {
    const std::vector<int32_t> got = want.read_s32(g.c + uint64_t(m) * 4 * g.ldc, g.N);
    for (int n = 0; n < g.N; ++n) {
      if (got[n] != c[std::size_t(m) * g.N + n])
        FAIL("C[" << m << "][" << n << "]: expected " << c[std::size_t(m) * g.N + n] << ", actual "
                  << got[n]);
    }
  }
  b.finish_devices();
}

TEST_CASE("top: illegal opcode matches the ISS, and a soft reset recovers", "[top][error]") {
  const uint64_t seed = Catch::rngSeed();
  CAPTURE(seed);
  Rng rng(seed);
  MemImage img = fresh_image();
  const std::vector<uint8_t> src = rng.bytes(1024);
  img.write(kData, src.data(), src.size());
  Bench b("top_errors", kNumPC, 2'000'000);
  full_windows(b);
  const std::vector<qilin_insn_t> good = {
      encode(with(load_f(QILIN_MEM_SP, 0, kData, kDim, 16, 1), kPushNext)),
      encode(sync_f(QILIN_QUEUE_EX, kPopPrev | kPushNext)),
      encode(with(store_f(QILIN_MEM_SP, 0, kData + 0x4000, kDim, 16, 1), kPopPrev)),
      encode_end()};
  std::vector<qilin_insn_t> bad_prog = good;
  qilin_insn_t bad{};
  bad.w[0] = 9;  // opcode 9 is illegal
  bad_prog.insert(bad_prog.begin() + 1, bad);
  CHECK(run_both(b, img, bad_prog, 200'000).code == QILIN_ERR_ILLEGAL_INSN);
  b.soft_reset();
  CHECK((b.csr_read(QILIN_CSR_OFF(STATUS)) & 0x7u) == 0);
  // The recovery program starts from the device memory as the failed program left it.
  MemImage img2 = fresh_image();
  img2.write(kData, src.data(), src.size());
  b.read_back(img2);
  REQUIRE(run_both(b, img2, good, 200'000).ok());
  b.finish_devices();
}

TEST_CASE("top: every token FIFO fills to its depth, and an unaligned LOAD ends in ALIGN",
          "[top][directed]") {
  // Directed for the functional cover points cp_tok_*_full and cp_err_align: in each phase
  // the consumer queue is held (by a long LOAD/STORE or a token wait) while the producer
  // pushes TokenDepth (16) tokens; then the consumer takes them all.
  const uint64_t seed = Catch::rngSeed();
  CAPTURE(seed);
  Rng rng(seed);
  MemImage img = fresh_image();
  const std::vector<uint8_t> src = rng.bytes(64 * kDim);
  img.write(kData, src.data(), src.size());
  Bench b("top_tokens", kNumPC, 5'000'000);
  full_windows(b);
  const auto big_load = load_f(QILIN_MEM_SP, 0, kData, kDim, 64, 1);
  const auto big_store = store_f(QILIN_MEM_SP, 100, kData + 0x8000, kDim, 64, 1);
  std::vector<qilin_insn_t> p;
  auto rep = [&p](int n, const qilin_insn_t& i) { p.insert(p.end(), n, i); };
  // SP rows 100..163 written before any STORE reads them (LD -> EX -> ST).
  p.push_back(encode(with(load_f(QILIN_MEM_SP, 100, kData, kDim, 64, 1), kPushNext)));
  p.push_back(encode(sync_f(QILIN_QUEUE_EX, kPopPrev | kPushNext)));
  p.push_back(encode(sync_f(QILIN_QUEUE_ST, kPopPrev)));
  // LD -> EX full: EX waits for a token from ST, which comes after a long STORE.
  p.push_back(encode(sync_f(QILIN_QUEUE_EX, kPopNext)));
  p.push_back(encode(with(big_store, kPushPrev)));
  rep(16, encode(sync_f(QILIN_QUEUE_LD, kPushNext)));
  rep(16, encode(sync_f(QILIN_QUEUE_EX, kPopPrev)));
  // ST -> EX full: EX waits for a token from LD, which comes after a long LOAD.
  p.push_back(encode(sync_f(QILIN_QUEUE_EX, kPopPrev)));
  p.push_back(encode(with(big_load, kPushNext)));
  rep(16, encode(sync_f(QILIN_QUEUE_ST, kPushPrev)));
  rep(16, encode(sync_f(QILIN_QUEUE_EX, kPopNext)));
  // EX -> LD full: LD busy with a long LOAD that starts only once EX has begun pushing (its
  // first token), so the LOAD cannot finish early and let LD drain the tokens as they come.
  // The SYNC behind the LOAD takes one token at the queue head and then waits for the LOAD
  // to retire, so EX pushes 1 + 1 + TokenDepth tokens.
  p.push_back(encode(sync_f(QILIN_QUEUE_LD, kPopNext)));
  p.push_back(encode(big_load));
  rep(18, encode(sync_f(QILIN_QUEUE_EX, kPushPrev)));
  rep(17, encode(sync_f(QILIN_QUEUE_LD, kPopNext)));
  // EX -> ST full: the same with ST's long STORE.
  p.push_back(encode(sync_f(QILIN_QUEUE_ST, kPopPrev)));
  p.push_back(encode(big_store));
  rep(18, encode(sync_f(QILIN_QUEUE_EX, kPushNext)));
  rep(17, encode(sync_f(QILIN_QUEUE_ST, kPopPrev)));
  p.push_back(encode_end());
  REQUIRE(run_both(b, img, p, 2'000'000).ok());
  // A LOAD from a DRAM address that is not vector aligned.
  const std::vector<qilin_insn_t> bad = {encode(load_f(QILIN_MEM_SP, 0, kData + 1, kDim, 1, 1)),
                                         encode_end()};
  CHECK(!run_both(b, img, bad, 200'000).ok());
  b.soft_reset();
  b.finish_devices();
}

TEST_CASE("top: pooling windows of every kh and kw bit pattern match the ISS", "[top][pool]") {
  // Directed for the EX unit's window size N = kh * kw (two halves of kw, each a select among
  // multiples of kh) and ex_post's window walk and AVG reciprocal: MAX and AVG pools over a
  // 15x15 ACC grid with kh and kw from 1 to 15, so that kw[1:0] and kw[3:2] each take all
  // four values, then the outputs are stored and compared with the ISS byte for byte.
  const uint64_t seed = Catch::rngSeed();
  CAPTURE(seed);
  Rng rng(seed);
  constexpr uint32_t kGrid = 15, kParams = 240;
  MemImage img = fresh_image();
  std::vector<int32_t> grid;
  for (uint32_t i = 0; i < kGrid * kGrid * kDim; ++i)
    grid.push_back(static_cast<int32_t>(rng.uniform(-30000, 30000)));
  img.write_s32(kData, grid.data(), grid.size());
  const std::vector<int32_t> par = random_post_params(rng, kDim);
  img.write_s32(kData + 0x20000, par.data(), par.size());

  struct Win { uint32_t kh, kw, sh, sw; };
  const std::vector<Win> wins = {{3, 3, 2, 2},  {15, 15, 1, 1}, {5, 12, 3, 1}, {7, 13, 2, 2},
                                 {2, 14, 1, 1}, {1, 7, 1, 4},   {13, 1, 2, 1}, {4, 6, 4, 6},
                                 {11, 10, 3, 5}, {6, 15, 5, 1}, {14, 5, 1, 2}, {9, 11, 6, 4},
                                 {12, 2, 3, 7}, {8, 9, 7, 6},  {10, 4, 5, 7}, {1, 1, 1, 1}};
  const qilin_insn_t barrier = encode(sync_f(QILIN_QUEUE_ALL));
  std::vector<qilin_insn_t> p;
  p.push_back(encode(load_f(QILIN_MEM_ACC, 0, kData, 4 * kDim, kGrid * kGrid, 1)));
  p.push_back(encode(load_f(QILIN_MEM_ACC, kParams, kData + 0x20000, 4 * kDim, 3, 1)));
  p.push_back(barrier);
  std::vector<std::pair<uint32_t, uint32_t>> outs;  // SP row, rows
  uint32_t o = 0;
  for (const Win& w : wins) {
    qilin_postproc_t pp = postproc_f(0, kParams, o, kGrid, kGrid, rng.coin());
    pp.bias_en = rng.coin();
    pp.out_zp = static_cast<int32_t>(pp.out_signed ? rng.uniform(-128, 127) : rng.uniform(0, 255));
    pp.pool_kind = rng.coin() ? QILIN_POOL_MAX : QILIN_POOL_AVG;
    pp.pool_kh = w.kh;
    pp.pool_kw = w.kw;
    pp.pool_sh = w.sh;
    pp.pool_sw = w.sw;
    const uint32_t rows = ((kGrid - w.kh) / w.sh + 1) * ((kGrid - w.kw) / w.sw + 1);
    CAPTURE(w.kh, w.kw, w.sh, w.sw, rows);
    REQUIRE(o + rows <= kSpRows);
    outs.emplace_back(o, rows);
    o += rows;
    p.push_back(encode(pp));
  }
  p.push_back(barrier);
  for (std::size_t i = 0; i < outs.size(); ++i)
    p.push_back(encode(store_f(QILIN_MEM_SP, outs[i].first, kData + 0x40000 + 0x1000 * i, kDim,
                               outs[i].second, 1)));
  p.push_back(encode_end());
  Bench b("top_pool", kNumPC, 2'000'000);
  full_windows(b);
  REQUIRE(run_both(b, img, p, 1'000'000).ok());
  b.finish_devices();
}
