// SPDX-License-Identifier: Apache-2.0
// The AxiMem slave model on its own: data path, latency, per-ID order, error ranges and the
// protocol violations it must report.
#include <catch2/catch.hpp>
#include <deque>

#include "axi_mem.h"

using namespace qilin::tb;

namespace {

AxiAddr ax(uint32_t id, uint64_t addr, uint32_t len, uint32_t size = 5) {
  AxiAddr a;
  a.id = id, a.addr = addr, a.len = len, a.size = size, a.burst = 1;
  return a;
}

// Runs until `pred` or the cycle budget is used up; `drive` fills the master outputs.
template <class Drive, class Pred>
void run(AxiMem& m, Drive drive, Pred pred, int budget = 1000) {
  for (int i = 0; i < budget && !pred(); ++i) {
    AxiMasterOut in;
    drive(in, m.out());
    m.tick(in);
  }
  REQUIRE(pred());
}

}  // namespace

TEST_CASE("AxiMem: write then read back, fixed latency, strobes", "[axi_mem]") {
  AxiMemConfig c;
  c.read_latency = 7;
  AxiMem m(c);
  // One 2-beat write, the second beat with half the strobes.
  bool aw_done = false;
  int w_sent = 0;
  run(
      m,
      [&](AxiMasterOut& in, const AxiSlaveOut& o) {
        in.aw_valid = !aw_done;
        in.aw = ax(3, 0x1000, 1);
        in.w_valid = w_sent < 2;
        for (unsigned i = 0; i < 32; ++i) in.w_data[i] = static_cast<uint8_t>(w_sent * 32 + i);
        in.w_strb = w_sent == 0 ? 0xffffffffu : 0x0000ffffu;
        in.w_last = w_sent == 1;
        in.b_ready = true;
        if (in.aw_valid && o.aw_ready) aw_done = true;
        if (in.w_valid && o.w_ready) w_sent++;
      },
      [&] { return m.stats().b == 1; });
  REQUIRE(m.peek(0x1000) == 0);
  REQUIRE(m.peek(0x101f) == 31);
  REQUIRE(m.peek(0x102f) == 47);
  REQUIRE(m.peek(0x1030) == 0);  // strobe off: still the fill value
  REQUIRE(m.stats().bytes_written == 48);

  // Read it back; the first beat comes read_latency cycles after the AR.
  bool ar_done = false;
  uint64_t t_ar = 0, t_r = 0;
  std::vector<uint8_t> got;
  run(
      m,
      [&](AxiMasterOut& in, const AxiSlaveOut& o) {
        in.ar_valid = !ar_done;
        in.ar = ax(1, 0x1000, 1);
        in.r_ready = true;
        if (in.ar_valid && o.ar_ready) ar_done = true, t_ar = m.cycle();
        if (o.r_valid) {
          if (got.empty()) t_r = m.cycle();
          got.insert(got.end(), o.r_data.begin(), o.r_data.begin() + 32);
          REQUIRE(o.r_id == 1);
          REQUIRE(o.r_last == (got.size() == 64));
        }
      },
      [&] { return got.size() == 64; });
  REQUIRE(t_r - t_ar == 7);
  for (unsigned i = 0; i < 48; ++i) REQUIRE(got[i] == i);
  REQUIRE(m.idle());
}

TEST_CASE("AxiMem: different IDs may overtake, one ID stays in order", "[axi_mem]") {
  AxiMemConfig c;
  c.read_latency = 5;
  c.extra_latency_max = 40;
  c.seed = 7;
  AxiMem m(c);
  for (uint64_t a = 0; a < 0x800; ++a) m.poke(a, static_cast<uint8_t>(a >> 5));
  std::deque<AxiAddr> ars;
  for (uint32_t i = 0; i < 16; ++i) ars.push_back(ax(i % 2, 0x40 * i, 0));
  std::vector<std::vector<uint32_t>> order(2);
  run(
      m,
      [&](AxiMasterOut& in, const AxiSlaveOut& o) {
        in.ar_valid = !ars.empty();
        if (in.ar_valid) in.ar = ars.front();
        in.r_ready = true;
        if (in.ar_valid && o.ar_ready) ars.pop_front();
        if (o.r_valid) order[o.r_id].push_back(o.r_data[0]);
      },
      [&] { return order[0].size() + order[1].size() == 16; });
  for (unsigned id = 0; id < 2; ++id)
    for (unsigned k = 0; k < 8; ++k) REQUIRE(order[id][k] == 2 * (2 * k + id));
}

TEST_CASE("AxiMem: error ranges answer SLVERR/DECERR and block writes", "[axi_mem]") {
  AxiMem m;
  m.add_error_range(0x2020, 0x2021, AxiResp::kDecErr);
  REQUIRE(m.resp_for(0x2000, 0x2020) == AxiResp::kOkay);
  REQUIRE(m.resp_for(0x2000, 0x2021) == AxiResp::kDecErr);
  bool aw_done = false;
  int w_sent = 0;
  uint32_t bresp = 0;
  run(
      m,
      [&](AxiMasterOut& in, const AxiSlaveOut& o) {
        in.aw_valid = !aw_done;
        in.aw = ax(0, 0x2000, 1);
        in.w_valid = w_sent < 2;
        in.w_data.fill(0xab);
        in.w_strb = 0xffffffffu;
        in.w_last = w_sent == 1;
        in.b_ready = true;
        if (in.aw_valid && o.aw_ready) aw_done = true;
        if (in.w_valid && o.w_ready) w_sent++;
        if (o.b_valid) bresp = o.b_resp;
      },
      [&] { return m.stats().b == 1; });
  REQUIRE(bresp == static_cast<uint32_t>(AxiResp::kDecErr));
  REQUIRE(m.peek(0x2000) == 0xab);  // the clean beat is written
  REQUIRE(m.peek(0x2020) == 0);     // the failing beat is not
  REQUIRE(m.stats().b_err == 1);
}

TEST_CASE("AxiMem: protocol violations throw", "[axi_mem]") {
  auto one_ar = [](AxiAddr a) {
    AxiMem m;
    AxiMasterOut in;
    in.ar_valid = true;
    in.ar = a;
    m.tick(in);
  };
  REQUIRE_THROWS_AS(one_ar(ax(0, 0xff0, 1)), AxiProtocolError);   // crosses 4 KiB
  REQUIRE_THROWS_AS(one_ar(ax(0, 0x0, 0, 6)), AxiProtocolError);  // size > bus
  AxiAddr fixed = ax(0, 0x0, 0);
  fixed.burst = 0;
  REQUIRE_THROWS_AS(one_ar(fixed), AxiProtocolError);                 // not INCR
  REQUIRE_THROWS_AS(one_ar(ax(0, 1ull << 34, 0)), AxiProtocolError);  // beyond 34 bits
  REQUIRE_NOTHROW(one_ar(ax(0, 0xfe0, 0)));

  SECTION("WLAST on the wrong beat") {
    AxiMem m;
    AxiMasterOut in;
    in.aw_valid = true;
    in.aw = ax(0, 0, 1);
    in.w_valid = true;
    in.w_strb = 1;
    in.w_last = true;
    REQUIRE_THROWS_AS(m.tick(in), AxiProtocolError);
  }
  SECTION("strobes outside a narrow beat's lanes") {
    AxiMem m;
    AxiMasterOut in;
    in.aw_valid = true;
    in.aw = ax(0, 4, 0, 2);  // 4 bytes at lane 4
    in.w_valid = true;
    in.w_strb = 0xf;
    in.w_last = true;
    REQUIRE_THROWS_AS(m.tick(in), AxiProtocolError);
  }
  SECTION("ARVALID dropped before ARREADY") {
    AxiMemConfig c;
    c.p_ar_stall = 1.0;
    AxiMem m(c);
    AxiMasterOut in;
    in.ar_valid = true;
    in.ar = ax(0, 0, 0);
    m.tick(in);
    in.ar_valid = false;
    REQUIRE_THROWS_AS(m.tick(in), AxiProtocolError);
  }
  SECTION("AW payload changed before AWREADY") {
    AxiMemConfig c;
    c.p_aw_stall = 1.0;
    AxiMem m(c);
    AxiMasterOut in;
    in.aw_valid = true;
    in.aw = ax(0, 0, 0);
    m.tick(in);
    in.aw.addr = 0x20;
    REQUIRE_THROWS_AS(m.tick(in), AxiProtocolError);
  }
}
