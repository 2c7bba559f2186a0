// SPDX-License-Identifier: Apache-2.0
// Tests of the HBM controller (rtl/hbm/hbm_ctrl_top.sv) against the HBM2 device model:
// data integrity through a shadow-memory scoreboard, zero timing violations, per-ID order,
// RAW/WAW ordering, refresh under load, write batching, both timing presets.
// Seeds come from Catch's --rng-seed; QILIN_HBM_CYCLES scales the random tests (the long
// regression sets it to 10M).
#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "Vhbm_pc1.h"
#include "Vhbm_pc1_pb.h"
#include "Vhbm_pc2.h"
#include "Vhbm_pc2_e.h"
#include "Vhbm_pc4_m3.h"
#include "Vhbm_pc8.h"
#include "hbm_ctrl_env.h"

using namespace qilin::hbm;
using namespace qilin::hbm::tb;

namespace {

// Random-test length: QILIN_HBM_CYCLES if set, else the test's default.
uint64_t cycles_or(uint64_t dflt) {
  if (const char* e = std::getenv("QILIN_HBM_CYCLES"); e && *e) return std::stoull(e);
  return dflt;
}

uint64_t seed() { return static_cast<uint64_t>(Catch::rngSeed()); }

// Random traffic for `cycles`, then drain; checks devices and the final memory image.
template <class M>
void random_traffic(Env<M>& env, uint64_t cycles, unsigned addr_map = 0) {
  for (uint64_t i = 0; i < cycles; ++i) {
    env.master.generate(env.now());
    env.step();
  }
  env.drain();
  env.quiesce();
  env.finish_devices();
  if (std::getenv("QILIN_HBM_VERBOSE")) {
    for (unsigned p = 0; p < env.num_pc(); ++p) {
      const PhyStats& ps = env.phy(p);
      std::printf("PC%u: ACT %lu PRE %lu PREA %lu REF %lu RD %lu RDA %lu WR %lu WRA %lu\n", p,
                  ps.act, ps.pre, ps.prea, ps.ref, ps.rd, ps.rda, ps.wr, ps.wra);
    }
    std::printf("cycles %lu: reads %lu (%lu beats), writes %lu (%lu beats), mean lat %.1f, "
                "longest transaction %lu cycles\n",
                env.now(), env.master.rd_txn_done, env.master.rd_beats_done,
                env.master.wr_txn_done, env.master.wr_beats_done, env.master.lat.mean(),
                env.master.max_txn_cycles);
  }
  const unsigned n = env.num_pc();
  env.check_backdoor([n, addr_map](uint64_t a, unsigned& pc, unsigned& bg, unsigned& ba,
                                   unsigned& row, unsigned& col) {
    map_addr(a, n, addr_map, pc, bg, ba, row, col);
  });
  REQUIRE(env.master.rd_txn_done > 0);
}

template <class M>
void wait_until(Env<M>& env, const std::function<bool()>& cond, uint64_t max = 100000) {
  for (uint64_t i = 0; !cond(); ++i) {
    if (i > max) FAIL("condition not reached within " << max << " cycles");
    env.step();
  }
}

}  // namespace

TEST_CASE("smoke: directed writes and reads on one PC", "[hbm_ctrl]") {
  const uint64_t s = seed();  // only the write data depends on it
  CAPTURE(s);
  Env<Vhbm_pc1> env("hbm_ctrl_smoke", 1, kHBM2_2000, s);
  // Lines in different bank groups, banks and rows, a 4-beat burst, a narrow burst.
  const uint64_t addrs[] = {0x0, 0x20, 0x1000, 0x80000, 0x123440, 0x7fffe0};
  for (uint64_t a : addrs) REQUIRE(env.master.enqueue_write(1, a, 0, 5, env.now()));
  REQUIRE(env.master.enqueue_write(2, 0x4000, 3, 5, env.now()));
  REQUIRE(env.master.enqueue_write(3, 0x9000, 7, 4, env.now()));
  env.drain();
  for (uint64_t a : addrs) REQUIRE(env.master.enqueue_read(4, a, 0, 5, env.now()));
  REQUIRE(env.master.enqueue_read(5, 0x4000, 3, 5, env.now()));
  REQUIRE(env.master.enqueue_read(6, 0x9000, 7, 4, env.now()));
  REQUIRE(env.master.enqueue_read(7, 0x200000, 0, 5, env.now()));  // never written: zeros
  env.drain();
  env.finish_devices();
  CHECK(env.master.rd_txn_done == 9);
  CHECK(env.master.wr_txn_done == 8);
  // Unloaded latency of one read, closed bank (ACT, tRCD, RD, CL + tBURST, plus the
  // pipeline stages; bg 3, ba 2 was never opened) and open-row hit.
  env.master.lat.rd.clear();
  REQUIRE(env.master.enqueue_read(0, 0x3002060, 0, 5, env.now()));
  env.drain();
  REQUIRE(env.master.enqueue_read(0, 0x30020e0, 0, 5, env.now()));
  env.drain();
  REQUIRE(env.master.lat.rd.size() == 2);
  INFO("closed-bank read " << env.master.lat.rd[0] << " cycles, row hit " << env.master.lat.rd[1]);
  CHECK(env.master.lat.rd[0] <= 14 + 14 + 2 + 8);
  CHECK(env.master.lat.rd[1] <= 14 + 2 + 8);
}

TEST_CASE("RAW and WAW to the same address are ordered", "[hbm_ctrl]") {
  const uint64_t s = seed();
  CAPTURE(s);
  Env<Vhbm_pc2> env("hbm_ctrl_raw_waw", 2, kHBM2_2000, s);
  std::mt19937_64 rng(s);
  env.master.p_bready = 0.7;
  for (int it = 0; it < 300; ++it) {
    const uint64_t a = (rng() % (1u << 16)) & ~31ull;
    const unsigned id0 = rng() % 8, id1 = rng() % 8;
    // WAW: two writes to the same line in flight together, then (RAW) a read issued right
    // after the last B: it must return the second write's data.
    // (A read of this line from an earlier round may still be in flight: wait for it.)
    wait_until(env, [&] { return env.master.enqueue_write(id0, a, 0, 5, env.now()); });
    if (it % 2) REQUIRE(env.master.enqueue_write(id1, a, 0, 5, env.now()));
    const uint64_t done = env.master.wr_txn_done + 1 + (it % 2);
    wait_until(env, [&] { return env.master.wr_txn_done >= done; });
    REQUIRE(env.master.enqueue_read(id1, a, 0, 5, env.now()));
    // Keep some unrelated traffic going so the queue has something to reorder.
    env.master.enqueue_read(rng() % 8, (1u << 20) + ((rng() % (1u << 22)) & ~4095ull), rng() % 4, 5,
                            env.now());
  }
  env.drain();
  env.finish_devices();
}

TEST_CASE("random mixed traffic on one PC", "[hbm_ctrl][random]") {
  const uint64_t s = seed();
  CAPTURE(s);
  Env<Vhbm_pc1> env("hbm_ctrl_rand_pc1", 1, kHBM2_2000, s);
  env.master.p_rready = 0.8;
  env.master.p_bready = 0.8;
  env.master.gen.span = 1ull << 22;
  random_traffic(env, cycles_or(200000));
  INFO("reads " << env.master.rd_txn_done << " writes " << env.master.wr_txn_done);
}

TEST_CASE("random mixed traffic in a small window (hazards) on two PCs", "[hbm_ctrl][random]") {
  const uint64_t s = seed();
  CAPTURE(s);
  Env<Vhbm_pc2> env("hbm_ctrl_rand_pc2_small", 2, kHBM2_2000, s);
  env.master.p_rready = 0.6;
  env.master.p_bready = 0.6;
  env.master.gen.span = 1ull << 14;  // 16 KiB: many same-line requests
  env.master.gen.p_write = 0.5;
  random_traffic(env, cycles_or(150000));
}

TEST_CASE("random mixed traffic on eight PCs", "[hbm_ctrl][random]") {
  const uint64_t s = seed();
  CAPTURE(s);
  Env<Vhbm_pc8> env("hbm_ctrl_rand_pc8", 8, kHBM2_2000, s);
  env.master.p_rready = 0.9;
  env.master.p_bready = 0.9;
  env.master.gen.span = 1ull << 26;
  env.master.gen.ids = 32;
  env.master.gen.max_rd = 64;
  env.master.gen.max_wr = 32;
  random_traffic(env, cycles_or(60000));
}

TEST_CASE("HBM2E_3200 preset: random traffic on two PCs", "[hbm_ctrl][random]") {
  const uint64_t s = seed();
  CAPTURE(s);
  Env<Vhbm_pc2_e> env("hbm_ctrl_rand_hbm2e", 2, kHBM2E_3200, s);
  env.master.p_rready = 0.9;
  env.master.gen.span = 1ull << 24;
  random_traffic(env, cycles_or(150000));
}

TEST_CASE("address map 3 (PC in the top bits): random traffic on four PCs", "[hbm_ctrl][random]") {
  const uint64_t s = seed();
  CAPTURE(s);
  Env<Vhbm_pc4_m3> env("hbm_ctrl_rand_pc4_map3", 4, kHBM2_2000, s);
  env.master.p_rready = 0.9;
  // Two windows, in PC 0 and PC 3 (256 MiB apart), so both ends of the map are used.
  env.master.gen.span = 1ull << 22;
  env.master.gen.base = 0;
  random_traffic(env, cycles_or(40000) / 2, 3);
  env.master.gen.base = 3ull << 28;
  random_traffic(env, cycles_or(40000) / 2, 3);
}

TEST_CASE("per-ID order with many IDs across eight PCs", "[hbm_ctrl]") {
  const uint64_t s = seed();
  CAPTURE(s);
  Env<Vhbm_pc8> env("hbm_ctrl_id_order", 8, kHBM2_2000, s);
  std::mt19937_64 rng(s);
  env.master.p_rready = 0.5;
  // Per ID: a long burst, then short ones that finish first inside the controller (other
  // PCs, row hits); the scoreboard requires them back in issue order per ID.
  for (int it = 0; it < 40; ++it) {
    wait_until(env, [&] {
      return env.master.outstanding_reads() < 16 && env.master.outstanding_writes() < 16;
    });
    for (unsigned id = 0; id < 4; ++id) {
      env.master.enqueue_read(id, (rng() % (1u << 24)) & ~4095ull, 127, 5, env.now());
      env.master.enqueue_read(id, (rng() % (1u << 24)) & ~31ull, 0, 5, env.now());
      env.master.enqueue_write(id + 4, (rng() % (1u << 24)) & ~4095ull, 15, 5, env.now());
      env.master.enqueue_write(id + 4, (rng() % (1u << 24)) & ~31ull, 0, 5, env.now());
    }
  }
  env.drain();
  env.finish_devices();
  CHECK(env.master.rd_txn_done > 0);
}

TEST_CASE("refresh is never late under endless row hits", "[hbm_ctrl][refresh]") {
  const uint64_t s = seed();
  CAPTURE(s);
  Env<Vhbm_pc1> env("hbm_ctrl_ref_hammer", 1, kHBM2_2000, s);
  std::mt19937_64 rng(s);
  const uint64_t cycles = cycles_or(12 * 3900);
  // Every read hits row 77 of bank (bg 0, ba 0): column bits only.
  const uint64_t row_base = 77ull << (5 + 9);
  for (uint64_t i = 0; i < cycles; ++i) {
    if (env.master.outstanding_reads() < 48 && env.master.ar_backlog() < 2)
      env.master.enqueue_read(i % 16, row_base + ((rng() % 32) << 7), 0, 5, env.now());
    env.step();
  }
  env.drain();
  env.finish_devices();
  const PhyStats& p = env.phy(0);
  INFO("REF " << p.ref << " ACT " << p.act << " RD " << p.rd + p.rda);
  CHECK(p.ref + 8 >= cycles / 3900);
  CHECK(p.act <= p.ref + 1);  // the row is reopened only after each refresh
}

TEST_CASE("per-bank refresh is never late under endless row hits", "[hbm_ctrl][refresh]") {
  const uint64_t s = seed();
  CAPTURE(s);
  Env<Vhbm_pc1_pb> env("hbm_ctrl_refpb_hammer", 1, kHBM2_2000, s, /*per_bank_refresh=*/true);
  std::mt19937_64 rng(s);
  const uint64_t cycles = cycles_or(12 * 3900);
  const uint64_t row_base = 77ull << (5 + 9);
  for (uint64_t i = 0; i < cycles; ++i) {
    if (env.master.outstanding_reads() < 48 && env.master.ar_backlog() < 2)
      env.master.enqueue_read(i % 16, row_base + ((rng() % 32) << 7), 0, 5, env.now());
    env.step();
  }
  env.drain();
  env.finish_devices();
  const PhyStats& p = env.phy(0);
  INFO("REFPB " << p.refpb << " ACT " << p.act);
  CHECK(p.refpb + 16 * 8 >= 16 * (cycles / 3900));
  CHECK(p.ref == 0);
}

TEST_CASE("write batching: writes drain in batches between the watermarks", "[hbm_ctrl]") {
  const uint64_t s = seed();
  CAPTURE(s);
  Env<Vhbm_pc1> env("hbm_ctrl_wr_batch", 1, kHBM2_2000, s);
  env.master.gen.span = 1ull << 24;
  env.master.gen.p_write = 0.5;
  env.master.gen.max_len = 0;
  env.master.gen.p_narrow = 0;
  env.master.gen.max_rd = 64;
  env.master.gen.max_wr = 64;
  uint64_t mode_changes = 0, qsum = 0, wm = 0;
  bool mode = false;
  for (uint64_t i = 0; i < 30000; ++i) {
    env.master.generate(env.now());
    env.step();
    const bool m = env.sim.dut().stat_wr_mode_o & 1;
    mode_changes += (m != mode);
    mode = m;
    qsum += env.sim.dut().stat_queue_count_o;
    wm += m;
  }
  if (std::getenv("QILIN_HBM_VERBOSE"))
    std::printf("avg queue %.1f, write mode %.1f%%, reads %lu writes %lu\n", qsum / 30000.0,
                wm / 300.0, env.master.rd_txn_done, env.master.wr_txn_done);
  env.drain();
  env.finish_devices();
  const PhyStats& p = env.phy(0);
  const uint64_t writes = p.wr + p.wra;
  INFO("writes " << writes << " read/write switches " << p.rw_switches << " mode changes "
                 << mode_changes);
  REQUIRE(writes > 1000);
  // With reads always pending, each write batch goes from WrHigh (24) down to WrLow (8):
  // about 16 writes per batch, i.e. two bus turnarounds per 16 writes.
  CHECK(writes / (p.rw_switches / 2 + 1) >= 12);

  // Writes alone (no reads pending) are drained completely.
  for (unsigned k = 0; k < 5; ++k) env.master.enqueue_write(k, 0x100000 + 32 * k, 0, 5, env.now());
  env.drain(5000);
  env.finish_devices();
}
