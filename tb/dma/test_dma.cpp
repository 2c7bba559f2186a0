// SPDX-License-Identifier: Apache-2.0
// DMA engines against the reference of the command semantics: random 2-D LOADs with
// padding into SP and ACC, random STOREs, exact AXI beat counts, window and alignment
// errors, injected SLVERR/DECERR, backpressure everywhere, and LOAD/STORE throughput.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdio>

#include "dma_bench.h"
#include "dma_configs.h"

using namespace qilin::tb;
using qilin::golden::Rng;

namespace {

uint64_t test_seed(const char* what) {
  const uint64_t seed = Catch::rngSeed();
  std::printf("[seed] %s: %llu (replay with --rng-seed %llu)\n", what,
              static_cast<unsigned long long>(seed), static_cast<unsigned long long>(seed));
  return seed;
}

// Device memory used by the tests: above 4 GiB so that high address bits are exercised.
constexpr uint64_t kLo = 0x2'3456'0000ull;
constexpr uint64_t kSize = 96 * 1024;
constexpr uint64_t kHi = kLo + kSize;

void fill_random(AxiMem& mem, uint64_t lo, uint64_t n, Rng& rng) {
  const auto bytes = rng.bytes(n);
  mem.write(lo, bytes);
}

AxiMemConfig random_timing(Rng& rng) {
  AxiMemConfig mc;
  mc.seed = rng.uniform(1, 1 << 30);
  mc.read_latency = static_cast<unsigned>(rng.uniform(1, 40));
  mc.write_latency = static_cast<unsigned>(rng.uniform(1, 20));
  mc.extra_latency_max = static_cast<unsigned>(rng.uniform(0, 20));
  mc.p_ar_stall = rng.uniform_real(0, 0.4);
  mc.p_aw_stall = rng.uniform_real(0, 0.4);
  mc.p_w_stall = rng.uniform_real(0, 0.4);
  mc.p_r_gap = rng.uniform_real(0, 0.4);
  mc.p_b_gap = rng.uniform_real(0, 0.4);
  return mc;
}

// Last byte + 1 of a 2-D access.
uint64_t access_end(uint64_t addr, uint64_t stride, uint32_t y, uint64_t row_bytes) {
  return (y == 0 || row_bytes == 0) ? addr : addr + (y - 1) * stride + row_bytes;
}

template <unsigned Dim>
RdCmd random_load(Rng& rng) {
  for (;;) {
    RdCmd c;
    c.acc = rng.coin();
    const unsigned vb = c.acc ? 4 * Dim : Dim;
    c.x = rng.uniform(0, 9) == 0 ? 0 : static_cast<uint32_t>(rng.uniform(1, 24));
    c.y = rng.uniform(0, 9) == 0 ? 0 : static_cast<uint32_t>(rng.uniform(1, 7));
    auto pad = [&] { return rng.coin() ? 0u : static_cast<uint32_t>(rng.uniform(1, 3)); };
    c.pt = pad(), c.pb = pad(), c.pl = pad(), c.pr = pad();
    c.pad = static_cast<uint8_t>(rng.uniform(0, 255));
    const uint64_t rb = static_cast<uint64_t>(c.x) * vb;
    switch (rng.uniform(0, 3)) {
      case 0:
        c.stride = 0;
        break;  // repeat a row
      case 1:
        c.stride = static_cast<uint32_t>(rb);
        break;  // contiguous
      case 2:
        c.stride = static_cast<uint32_t>(rb + vb * rng.uniform(1, 8));
        break;
      default:
        c.stride = static_cast<uint32_t>(vb * rng.uniform(1, 8192 / vb));
        break;
    }
    c.dram_addr = kLo + vb * static_cast<uint64_t>(rng.uniform(0, kSize / vb - 1));
    c.dst = static_cast<uint32_t>(rng.uniform(0, 4095));
    if (c.rows() * c.cols() > 400) continue;
    if (access_end(c.dram_addr, c.stride, c.y, rb) <= kHi) return c;
  }
}

// From SP (Dim-byte vectors) or, one command in three, from ACC (4*Dim-byte vectors).
template <unsigned Dim>
WrCmd random_store(Rng& rng) {
  for (;;) {
    WrCmd c;
    c.acc = rng.uniform(0, 2) == 0;
    const uint32_t vb = c.vb(Dim);
    c.x = rng.uniform(0, 9) == 0 ? 0 : static_cast<uint32_t>(rng.uniform(1, c.acc ? 10 : 40));
    c.y = rng.uniform(0, 9) == 0 ? 0 : static_cast<uint32_t>(rng.uniform(1, 8));
    const uint64_t rb = static_cast<uint64_t>(c.x) * vb;
    switch (rng.uniform(0, 2)) {
      case 0:
        c.stride = static_cast<uint32_t>(rb);
        break;
      case 1:
        c.stride = static_cast<uint32_t>(rb + vb * rng.uniform(1, 8));
        break;
      default:
        c.stride = static_cast<uint32_t>(vb * rng.uniform(1, 8192 / vb));
        break;
    }
    c.dram_addr = kLo + vb * static_cast<uint64_t>(rng.uniform(0, kSize / vb - 1));
    c.src = static_cast<uint32_t>(rng.uniform(0, 4095));
    if (access_end(c.dram_addr, c.stride, c.y, rb) <= kHi) return c;
  }
}

// Runs a store and checks the memory image around the block byte by byte.
template <class Cfg>
DmaResult checked_store(DmaWrBench<Cfg>& b, const WrCmd& c) {
  const unsigned D = c.vb(Cfg::kDim);
  const uint64_t rb = static_cast<uint64_t>(c.x) * D;
  const uint64_t lo = c.dram_addr >= kLo + 64 ? c.dram_addr - 64 : kLo;
  const uint64_t hi = std::min(kHi, access_end(c.dram_addr, c.stride, c.y, rb) + 64);
  const auto want = b.reference(c, b.mem().read(lo, hi - lo), lo);
  const DmaResult r = b.run(c);
  REQUIRE(r.err == kErrNone);
  const auto got = b.mem().read(lo, hi - lo);
  for (uint64_t i = 0; i < want.size(); ++i) {
    if (got[i] != want[i]) {
      const uint64_t a = lo + i;
      std::string where = "outside the block";
      if (a >= c.dram_addr && c.stride) {
        const uint64_t y = (a - c.dram_addr) / c.stride, off = (a - c.dram_addr) % c.stride;
        if (y < c.y && off < rb)
          where = "row " + std::to_string(y) + " vector " + std::to_string(off / D) + " byte " +
                  std::to_string(off % D);
      }
      FAIL("memory byte " << hex(a) << " (" << where << "): expected " << hex(want[i]) << " actual "
                          << hex(got[i]));
    }
  }
  return r;
}

}  // namespace

#define DMA_CONFIGS Dma8, Dma16, Dma8Small

// ---------------------------------------------------------------------------------------
// LOAD
// ---------------------------------------------------------------------------------------
TEMPLATE_TEST_CASE("LOAD: random 2-D commands with padding into SP and ACC", "[dma][load][random]",
                   DMA_CONFIGS) {
  const uint64_t seed = test_seed("load random");
  CAPTURE(seed, TestType::kName);
  Rng rng(seed);
  DmaRdBench<TestType> b(std::string("dma_load_random_") + TestType::kName, random_timing(rng),
                         rng.uniform(0, 1 << 30));
  fill_random(b.mem(), kLo, kSize, rng);
  b.set_window(kLo, kHi);
  b.p_sink_stall = rng.uniform_real(0, 0.5);
  b.p_done_stall = 0.3;
  for (int i = 0; i < 150; ++i) {
    const RdCmd c = random_load<TestType::kDim>(rng);
    const unsigned vb = c.acc ? 4 * TestType::kDim : TestType::kDim;
    CAPTURE(i, c.dram_addr, c.stride, c.y, c.x, c.acc, c.dst, c.pt, c.pb, c.pl, c.pr);
    b.mem().clear_stats();
    const DmaResult r = b.run(c);
    REQUIRE(r.err == kErrNone);
    const BurstCount want =
        expected_bursts(c.dram_addr, c.stride, c.y, uint64_t{c.x} * vb, TestType::kMaxBurst);
    const AxiMemStats& s = b.mem().stats();
    REQUIRE(s.ar == want.bursts);
    REQUIRE(s.r_beats == want.beats);
    REQUIRE(s.max_read_len == want.max_len);
    REQUIRE(s.max_reads_inflight <= TestType::kMaxOut);
    REQUIRE(s.aw + s.w_beats == 0);
  }
}

TEMPLATE_TEST_CASE("LOAD: edge shapes (pure padding, empty rows, repeated row, 4 KiB crossing)",
                   "[dma][load]", DMA_CONFIGS) {
  const uint64_t seed = test_seed("load edges");
  CAPTURE(seed, TestType::kName);
  Rng rng(seed);
  constexpr unsigned D = TestType::kDim;
  DmaRdBench<TestType> b(std::string("dma_load_edges_") + TestType::kName, AxiMemConfig{}, seed);
  fill_random(b.mem(), kLo, kSize, rng);
  b.set_window(kLo, kHi);
  std::vector<RdCmd> cmds;
  {  // Only padding: nothing is read, the window is not consulted.
    RdCmd c;
    c.y = 0, c.x = 3, c.pt = 2, c.pb = 1, c.pl = 1, c.pr = 0, c.pad = 0x5a, c.dst = 100;
    c.dram_addr = 1;  // neither aligned nor inside the window: irrelevant
    cmds.push_back(c);
  }
  {  // ACC padding is zero whatever pad_value says.
    RdCmd c;
    c.acc = true, c.y = 2, c.x = 2, c.pt = 1, c.pb = 1, c.pl = 1, c.pr = 2, c.pad = 0xff;
    c.dram_addr = kLo + 4 * D * 7, c.stride = 4 * D * 5, c.dst = 4090;  // wraps the address
    cmds.push_back(c);
  }
  {  // x = 0: rows of padding only.
    RdCmd c;
    c.y = 3, c.x = 0, c.pl = 2, c.pr = 1, c.pad = 7, c.dram_addr = kLo, c.stride = 64;
    cmds.push_back(c);
  }
  {  // Stride 0 repeats one row; a single vector.
    RdCmd c;
    c.y = 5, c.x = 1, c.dram_addr = kLo + 3 * D, c.stride = 0;
    cmds.push_back(c);
  }
  {  // Long rows crossing 4 KiB boundaries at odd offsets, SP and ACC.
    for (bool acc : {false, true}) {
      RdCmd c;
      c.acc = acc;
      const unsigned vb = acc ? 4 * D : D;
      c.x = 4096 / vb + 3, c.y = 3, c.stride = 4096 + 2 * vb;
      c.dram_addr = kLo + 4096 - 5 * vb;
      c.pl = 1, c.pt = 1;
      cmds.push_back(c);
    }
  }
  for (size_t i = 0; i < cmds.size(); ++i) {
    const RdCmd& c = cmds[i];
    CAPTURE(i, c.dram_addr, c.stride, c.y, c.x, c.acc);
    b.mem().clear_stats();
    const DmaResult r = b.run(c);
    REQUIRE(r.err == kErrNone);
    const unsigned vb = c.acc ? 4 * D : D;
    const BurstCount want =
        expected_bursts(c.dram_addr, c.stride, c.y, uint64_t{c.x} * vb, TestType::kMaxBurst);
    REQUIRE(b.mem().stats().ar == want.bursts);
    REQUIRE(b.mem().stats().r_beats == want.beats);
  }
}

TEMPLATE_TEST_CASE("LOAD: heavy destination and AXI backpressure", "[dma][load][backpressure]",
                   DMA_CONFIGS) {
  const uint64_t seed = test_seed("load backpressure");
  CAPTURE(seed, TestType::kName);
  Rng rng(seed);
  AxiMemConfig mc = random_timing(rng);
  mc.p_ar_stall = 0.6, mc.p_r_gap = 0.6;
  DmaRdBench<TestType> b(std::string("dma_load_bp_") + TestType::kName, mc, seed);
  fill_random(b.mem(), kLo, kSize, rng);
  b.set_window(kLo, kHi);
  b.p_sink_stall = 0.75;
  b.p_done_stall = 0.75;
  for (int i = 0; i < 40; ++i) {
    const RdCmd c = random_load<TestType::kDim>(rng);
    CAPTURE(i, c.dram_addr, c.stride, c.y, c.x, c.acc);
    REQUIRE(b.run(c).err == kErrNone);
  }
}

// ---------------------------------------------------------------------------------------
// STORE
// ---------------------------------------------------------------------------------------
TEMPLATE_TEST_CASE("STORE: random commands and strides", "[dma][store][random]", DMA_CONFIGS) {
  const uint64_t seed = test_seed("store random");
  CAPTURE(seed, TestType::kName);
  Rng rng(seed);
  DmaWrBench<TestType> b(std::string("dma_store_random_") + TestType::kName, random_timing(rng),
                         rng.uniform(0, 1 << 30));
  fill_random(b.mem(), kLo, kSize, rng);
  b.set_window(kLo, kHi);
  b.p_sp_stall = rng.uniform_real(0, 0.5);
  b.sp_latency = static_cast<unsigned>(rng.uniform(1, 3));
  b.p_done_stall = 0.3;
  for (int i = 0; i < 150; ++i) {
    const WrCmd c = random_store<TestType::kDim>(rng);
    CAPTURE(i, c.dram_addr, c.stride, c.y, c.x, c.src, c.acc);
    b.mem().clear_stats();
    checked_store(b, c);
    const uint64_t rb = uint64_t{c.x} * c.vb(TestType::kDim);
    const BurstCount want = expected_bursts(c.dram_addr, c.stride, c.y, rb, TestType::kMaxBurst);
    const AxiMemStats& s = b.mem().stats();
    REQUIRE(s.aw == want.bursts);
    REQUIRE(s.w_beats == want.beats);
    REQUIRE(s.b == want.bursts);
    REQUIRE(s.max_write_len == want.max_len);
    REQUIRE(s.max_writes_inflight <= TestType::kMaxOut);
    REQUIRE(s.bytes_written == uint64_t{c.y} * rb);
    REQUIRE(s.ar + s.r_beats == 0);
  }
}

TEMPLATE_TEST_CASE("STORE: heavy SP and AXI backpressure", "[dma][store][backpressure]",
                   DMA_CONFIGS) {
  const uint64_t seed = test_seed("store backpressure");
  CAPTURE(seed, TestType::kName);
  Rng rng(seed);
  AxiMemConfig mc = random_timing(rng);
  mc.p_aw_stall = 0.6, mc.p_w_stall = 0.6, mc.p_b_gap = 0.6;
  DmaWrBench<TestType> b(std::string("dma_store_bp_") + TestType::kName, mc, seed);
  fill_random(b.mem(), kLo, kSize, rng);
  b.set_window(kLo, kHi);
  b.p_sp_stall = 0.7;
  b.sp_latency = 3;
  b.p_done_stall = 0.75;
  for (int i = 0; i < 40; ++i) {
    const WrCmd c = random_store<TestType::kDim>(rng);
    CAPTURE(i, c.dram_addr, c.stride, c.y, c.x, c.src, c.acc);
    checked_store(b, c);
  }
}

// ---------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------
namespace {

struct WindowCase {
  const char* what;
  uint64_t addr, stride;
  uint32_t y, x;
  uint64_t base, limit;
  unsigned err;
  uint64_t err_addr;
};

// Window, alignment and empty-access cases for vectors of vb bytes.
std::vector<WindowCase> window_cases(unsigned vb) {
  const uint64_t rb = 4 * vb;  // x = 4
  std::vector<WindowCase> v;
  v.push_back({"start below the window", kLo + 8 * vb, 0, 2, 4, kLo + 9 * vb, kHi, kErrWindow,
               kLo + 8 * vb});
  v.push_back({"last row straddles the limit", kLo, 1024, 6, 4, kLo, kLo + 5 * 1024 + 2 * vb,
               kErrWindow, kLo + 5 * 1024 + 2 * vb});
  v.push_back({"a row starts beyond the limit (limit in a gap)", kLo, 1024, 6, 4, kLo,
               kLo + 3 * 1024 + rb + vb, kErrWindow, kLo + 4 * 1024});
  v.push_back(
      {"exactly up to the limit is fine", kLo, 1024, 6, 4, kLo, kLo + 5 * 1024 + rb, kErrNone, 0});
  v.push_back({"address bits above the 34-bit AXI space", (1ull << 34) + 64 * vb, vb, 1, 4, 0,
               (1ull << 40) - 1, kErrWindow, (1ull << 34) + 64 * vb});
  v.push_back({"row crosses 2**34", (1ull << 34) - 2 * vb, vb, 1, 4, 0, (1ull << 40) - 1,
               kErrWindow, 1ull << 34});
  v.push_back({"empty window", kLo, 0, 1, 1, kLo, kLo, kErrWindow, kLo});
  // addr - stride is negative: the check forms the last row's end from it.
  v.push_back({"stride above the address, inside the window", 64 * vb, 1ull << 31, 2, 4, 0, kHi,
               kErrNone, 0});
  v.push_back({"stride above the address, a row past 2**34", 64 * vb, 1ull << 31, 9, 4, 0,
               (1ull << 40) - 1, kErrWindow, (1ull << 34) + 64 * vb});
  if (vb > 1)
    v.push_back({"address not vector-aligned", kLo + vb / 2, 4 * vb, 2, 4, kLo, kHi, kErrBadAlign,
                 kLo + vb / 2});
  if (vb > 1)
    v.push_back(
        {"stride not vector-aligned", kLo, 4 * vb + vb / 2, 2, 4, kLo, kHi, kErrBadAlign, kLo});
  v.push_back({"misaligned but empty (x = 0)", kLo + 1, 3, 2, 0, kLo, kHi, kErrNone, 0});
  return v;
}

}  // namespace

TEMPLATE_TEST_CASE("LOAD/STORE: window and alignment errors are caught before any traffic",
                   "[dma][error][window]", DMA_CONFIGS) {
  const uint64_t seed = test_seed("window errors");
  CAPTURE(seed, TestType::kName);
  Rng rng(seed);
  constexpr unsigned D = TestType::kDim;
  SECTION("LOAD") {
    DmaRdBench<TestType> b(std::string("dma_load_window_") + TestType::kName, random_timing(rng),
                           seed);
    fill_random(b.mem(), kLo, kSize, rng);
    for (bool acc : {false, true}) {
      for (const WindowCase& w : window_cases(acc ? 4 * D : D)) {
        CAPTURE(w.what, acc);
        RdCmd c;
        c.acc = acc, c.dram_addr = w.addr, c.stride = static_cast<uint32_t>(w.stride);
        c.y = w.y, c.x = w.x, c.pt = 1, c.pl = 1;
        b.set_window(w.base, w.limit);
        b.mem().clear_stats();
        const DmaResult r = b.run(c);
        REQUIRE(r.err == w.err);
        REQUIRE(r.err_addr == w.err_addr);
        if (w.err != kErrNone) {
          REQUIRE(b.mem().stats().ar == 0);
          REQUIRE(r.writes == 0);
        }
        // The engine is usable again at once.
        RdCmd ok;
        ok.acc = acc, ok.dram_addr = kLo, ok.stride = 4 * D * 8, ok.y = 2, ok.x = 3, ok.pr = 1;
        b.set_window(kLo, kHi);
        REQUIRE(b.run(ok).err == kErrNone);
      }
    }
  }
  SECTION("STORE") {
    DmaWrBench<TestType> b(std::string("dma_store_window_") + TestType::kName, random_timing(rng),
                           seed);
    fill_random(b.mem(), kLo, kSize, rng);
    for (bool acc : {false, true}) {
      for (const WindowCase& w : window_cases(acc ? 4 * D : D)) {
        CAPTURE(w.what, acc);
        WrCmd c;
        c.acc = acc;
        c.dram_addr = w.addr, c.stride = static_cast<uint32_t>(w.stride), c.y = w.y, c.x = w.x;
        c.src = 17;
        b.set_window(w.base, w.limit);
        b.mem().clear_stats();
        const DmaResult r = b.run(c);
        REQUIRE(r.err == w.err);
        REQUIRE(r.err_addr == w.err_addr);
        if (w.err != kErrNone) {
          REQUIRE(b.mem().stats().aw == 0);
          REQUIRE(b.mem().stats().w_beats == 0);
          REQUIRE(r.writes == 0);  // not even a scratchpad read
        }
        WrCmd ok;
        ok.acc = acc;
        ok.dram_addr = kLo + 3 * ok.vb(D), ok.stride = 40 * ok.vb(D), ok.y = 3, ok.x = 33;
        ok.src = 5;
        b.set_window(kLo, kHi);
        checked_store(b, ok);
      }
    }
  }
}

TEMPLATE_TEST_CASE("LOAD/STORE: SLVERR and DECERR are reported and the engine recovers",
                   "[dma][error][axi]", DMA_CONFIGS) {
  const uint64_t seed = test_seed("axi errors");
  CAPTURE(seed, TestType::kName);
  Rng rng(seed);
  constexpr unsigned D = TestType::kDim;
  SECTION("LOAD") {
    DmaRdBench<TestType> b(std::string("dma_load_axierr_") + TestType::kName, random_timing(rng),
                           seed);
    fill_random(b.mem(), kLo, kSize, rng);
    b.set_window(kLo, kHi);
    b.p_sink_stall = 0.3;
    for (int i = 0; i < 30; ++i) {
      RdCmd c = random_load<D>(rng);
      const unsigned vb = c.acc ? 4 * D : D;
      if (c.x == 0 || c.y == 0) c.x = 5, c.y = 3;
      const uint64_t rb = uint64_t{c.x} * vb;
      if (c.dram_addr + (c.y - 1) * uint64_t{c.stride} + rb > kHi) c.stride = 0;
      if (c.dram_addr + rb > kHi) c.dram_addr = kLo;
      // An error range somewhere inside the accessed rows.
      const uint32_t row = static_cast<uint32_t>(rng.uniform(0, c.y - 1));
      const uint64_t lo = c.dram_addr + row * uint64_t{c.stride} + rng.uniform(0, rb - 1);
      const uint64_t hi = lo + rng.uniform(1, 64);
      const AxiResp resp = rng.coin() ? AxiResp::kSlvErr : AxiResp::kDecErr;
      CAPTURE(i, c.dram_addr, c.stride, c.y, c.x, c.acc, lo, hi, static_cast<int>(resp));
      b.mem().add_error_range(lo, hi, resp);
      const DmaResult r = b.run(c);
      REQUIRE(r.err == kErrAxi);
      REQUIRE(r.err_addr ==
              first_error_burst(c.dram_addr, c.stride, c.y, rb, TestType::kMaxBurst, lo, hi));
      b.mem().clear_error_ranges();
      const RdCmd next = random_load<D>(rng);
      REQUIRE(b.run(next).err == kErrNone);
    }
  }
  SECTION("STORE") {
    DmaWrBench<TestType> b(std::string("dma_store_axierr_") + TestType::kName, random_timing(rng),
                           seed);
    fill_random(b.mem(), kLo, kSize, rng);
    b.set_window(kLo, kHi);
    b.p_sp_stall = 0.3;
    for (int i = 0; i < 30; ++i) {
      WrCmd c = random_store<D>(rng);
      if (c.x == 0 || c.y == 0) c.x = 9, c.y = 3;
      const uint64_t rb = uint64_t{c.x} * c.vb(D);
      if (c.dram_addr + (c.y - 1) * uint64_t{c.stride} + rb > kHi) c.stride = 0;
      if (c.dram_addr + rb > kHi) c.dram_addr = kLo;
      const uint32_t row = static_cast<uint32_t>(rng.uniform(0, c.y - 1));
      const uint64_t lo = c.dram_addr + row * uint64_t{c.stride} + rng.uniform(0, rb - 1);
      const uint64_t hi = lo + rng.uniform(1, 64);
      const AxiResp resp = rng.coin() ? AxiResp::kSlvErr : AxiResp::kDecErr;
      CAPTURE(i, c.dram_addr, c.stride, c.y, c.x, c.acc, lo, hi, static_cast<int>(resp));
      b.mem().add_error_range(lo, hi, resp);
      const DmaResult r = b.run(c);
      REQUIRE(r.err == kErrAxi);
      REQUIRE(r.err_addr ==
              first_error_burst(c.dram_addr, c.stride, c.y, rb, TestType::kMaxBurst, lo, hi));
      b.mem().clear_error_ranges();
      checked_store(b, random_store<D>(rng));
    }
  }
}

// ---------------------------------------------------------------------------------------
// Throughput (deterministic cycle counts: fixed latency, no stalls)
// ---------------------------------------------------------------------------------------
TEMPLATE_TEST_CASE("LOAD/STORE throughput with a fixed 60-cycle memory latency", "[dma][perf]",
                   DMA_CONFIGS) {
  constexpr unsigned D = TestType::kDim;
  AxiMemConfig mc;
  mc.read_latency = 60;
  mc.write_latency = 60;
  const bool full = TestType::kMaxOut * TestType::kMaxBurst >= 64;  // enough in flight for 60
  Rng rng(1);
  {
    DmaRdBench<TestType> b(std::string("dma_load_perf_") + TestType::kName, mc, 1);
    fill_random(b.mem(), kLo, kSize, rng);
    b.set_window(kLo, kHi);
    for (bool acc : {true, false}) {
      const unsigned vb = acc ? 4 * D : D;
      RdCmd c;
      c.acc = acc;
      c.x = 2048 / vb;
      c.y = static_cast<uint32_t>(std::min<uint64_t>(4096 * 32 / 2048, kSize / 2048));
      c.stride = 2048;
      c.dram_addr = kLo;
      const DmaResult r = b.run(c);
      REQUIRE(r.err == kErrNone);
      const double beats = static_cast<double>(c.y) * 2048 / 32;
      const double bpc = beats / r.cycles;
      std::printf(
          "[perf] %s LOAD %s: %u x %u vectors of %u B, %llu cycles: %.3f beats/cycle, "
          "%.1f B/cycle, %.3f rows/cycle\n",
          TestType::kName, acc ? "ACC" : "SP ", c.y, c.x, vb,
          static_cast<unsigned long long>(r.cycles), bpc, bpc * 32, double(c.y) * c.x / r.cycles);
      // One destination row per cycle bounds SP loads of vectors narrower than a beat.
      const double bound = std::min(1.0, vb / 32.0);
      if (full) REQUIRE(bpc >= 0.9 * bound);
    }
  }
  for (unsigned sp_lat : {1u, 4u}) {
    DmaWrBench<TestType> b(std::string("dma_store_perf_") + TestType::kName, mc, 1);
    b.set_window(kLo, kHi);
    b.sp_latency = sp_lat;
    WrCmd c;
    c.x = 2048 / D, c.y = 32, c.stride = 2048, c.dram_addr = kLo, c.src = 0;
    const DmaResult r = b.run(c);
    REQUIRE(r.err == kErrNone);
    const double beats = double(c.y) * 2048 / 32;
    const double bpc = beats / r.cycles;
    std::printf(
        "[perf] %s STORE SP (SRAM latency %u): %u x %u vectors of %u B, %llu cycles: "
        "%.3f beats/cycle, %.1f B/cycle\n",
        TestType::kName, sp_lat, c.y, c.x, D, static_cast<unsigned long long>(r.cycles), bpc,
        bpc * 32);
    // One scratchpad row per cycle bounds stores.
    if (full) REQUIRE(bpc >= 0.9 * std::min(1.0, D / 32.0));
  }
}
