// SPDX-License-Identifier: Apache-2.0
// qilin_axi_bram (the FPGA build's device memory) against a byte-array model: AXI write
// bursts with random strobes, pipelined read bursts under random R back-pressure, host-port
// reads and writes, SLVERR beyond the memory, and a read burst streaming a beat per cycle.
#include <catch2/catch.hpp>

#include <cstdint>
#include <deque>
#include <random>
#include <string>
#include <vector>

#include "Vaxi_bram_tb_top.h"
#include "sim_harness.h"

namespace {

using qilin::tb::Sim;

constexpr uint32_t kBytes = 4096;  // -GBytes in CMakeLists.txt
constexpr uint32_t kBeat = 32;
constexpr uint32_t kRows = kBytes / kBeat;

struct Burst {
  uint32_t id, addr, len;
};
struct Beat {
  uint32_t id, row;
  bool err, last;
};

class Bench {
 public:
  explicit Bench(uint32_t seed) : sim_("axi_bram", 400'000), rng_(seed), mem_(kBytes, 0) {
    idle();
    sim_.reset();
  }

  // Fills the whole memory through AXI bursts, so every byte the reads see is known.
  void fill() {
    for (uint32_t row = 0; row < kRows; row += 8) write_burst(row * kBeat, 7, ~0u);
  }

  // One AXI write burst; waits for its B. A burst at or beyond kBytes must answer SLVERR
  // and change nothing.
  void write_burst(uint32_t addr, uint32_t len, uint32_t strb_mask) {
    const uint32_t id = rng_() % 64;
    const bool err = addr >= kBytes;
    std::vector<uint8_t> data((len + 1) * kBeat);
    std::vector<uint32_t> strb(len + 1);
    for (auto& b : data) b = static_cast<uint8_t>(rng_());
    for (auto& s : strb) s = (strb_mask == ~0u) ? ~0u : static_cast<uint32_t>(rng_()) & strb_mask;
    sim_->aw_valid_i = 1;
    sim_->aw_id_i = id;
    sim_->aw_addr_i = addr;
    sim_->aw_len_i = len;
    step_until([&] { return sim_->aw_ready_o; });
    sim_.tick();
    sim_->aw_valid_i = 0;
    for (uint32_t k = 0; k <= len; ++k) {
      sim_->w_valid_i = 1;
      for (uint32_t w = 0; w < 8; ++w) {
        uint32_t v = 0;
        for (uint32_t i = 0; i < 4; ++i) v |= uint32_t{data[k * kBeat + 4 * w + i]} << (8 * i);
        sim_->w_data_i[w] = v;
      }
      sim_->w_strb_i = strb[k];
      sim_->w_last_i = (k == len);
      step_until([&] { return sim_->w_ready_o; });
      sim_.tick();
      if (!err) {
        const uint32_t row = (addr / kBeat + k) % kRows;
        for (uint32_t i = 0; i < kBeat; ++i)
          if ((strb[k] >> i) & 1) mem_[row * kBeat + i] = data[k * kBeat + i];
      }
    }
    sim_->w_valid_i = 0;
    sim_->b_ready_i = 1;
    step_until([&] { return sim_->b_valid_o; });
    CHECK(sim_->b_id_o == id);
    CHECK(sim_->b_resp_o == (err ? 2u : 0u));
    sim_.tick();
    sim_->b_ready_i = 0;
  }

  void host_write(uint32_t addr, uint32_t value) {
    sim_->host_valid_i = 1;
    sim_->host_we_i = 1;
    sim_->host_addr_i = addr;
    sim_->host_wdata_i = value;
    step_until([&] { return sim_->host_ready_o; });
    sim_.tick();
    sim_->host_valid_i = 0;
    for (uint32_t i = 0; i < 4; ++i) mem_[(addr & ~3u) + i] = static_cast<uint8_t>(value >> (8 * i));
  }

  // Issues `bursts` back to back (each AR as soon as the last was taken) with R ready low on
  // `stall_pct` percent of the cycles and host reads mixed in; checks every beat in order.
  void read_phase(const std::vector<Burst>& bursts, int stall_pct, int host_reads) {
    std::deque<Burst> ar(bursts.begin(), bursts.end());
    std::deque<Beat> expect;
    std::deque<uint32_t> host_expect;
    int host_left = host_reads;
    while (!ar.empty() || !expect.empty() || host_left > 0 || !host_expect.empty() ||
           sim_->host_valid_i) {
      sim_->ar_valid_i = !ar.empty();
      if (!ar.empty()) {
        sim_->ar_id_i = ar.front().id;
        sim_->ar_addr_i = ar.front().addr;
        sim_->ar_len_i = ar.front().len;
      }
      sim_->r_ready_i = static_cast<int>(rng_() % 100) >= stall_pct;
      if (!sim_->host_valid_i && host_left > 0 && rng_() % 8 == 0) {
        sim_->host_valid_i = 1;
        sim_->host_we_i = 0;
        sim_->host_addr_i = (rng_() % kBytes) & ~3u;
      }
      sim_.eval();
      if (sim_->ar_valid_i && sim_->ar_ready_o) {
        const Burst& b = ar.front();
        for (uint32_t k = 0; k <= b.len; ++k)
          expect.push_back({b.id, (b.addr / kBeat + k) % kRows, b.addr >= kBytes, k == b.len});
        ar.pop_front();
      }
      if (sim_->r_valid_o && sim_->r_ready_i) {
        REQUIRE_FALSE(expect.empty());
        const Beat e = expect.front();
        expect.pop_front();
        INFO("beat of row " << e.row << ", cycle " << sim_.cycle());
        CHECK(sim_->r_id_o == e.id);
        CHECK(sim_->r_last_o == e.last);
        CHECK(sim_->r_resp_o == (e.err ? 2u : 0u));
        if (!e.err) {
          for (uint32_t w = 0; w < 8; ++w) {
            uint32_t v = 0;
            for (uint32_t i = 0; i < 4; ++i) v |= uint32_t{mem_[e.row * kBeat + 4 * w + i]} << (8 * i);
            INFO("word " << w);
            CHECK(sim_->r_data_o[w] == v);
          }
        }
      }
      if (sim_->host_rvalid_o) {
        REQUIRE_FALSE(host_expect.empty());
        CHECK(sim_->host_rdata_o == host_expect.front());
        host_expect.pop_front();
      }
      const bool host_take = sim_->host_valid_i && sim_->host_ready_o;
      if (host_take) {
        const uint32_t a = sim_->host_addr_i;
        uint32_t v = 0;
        for (uint32_t i = 0; i < 4; ++i) v |= uint32_t{mem_[a + i]} << (8 * i);
        host_expect.push_back(v);
        --host_left;
      }
      sim_.tick();
      if (host_take) sim_->host_valid_i = 0;
    }
    sim_->ar_valid_i = 0;
    sim_->r_ready_i = 0;
    // Nothing more comes back.
    for (int i = 0; i < 16; ++i) {
      sim_.tick();
      CHECK_FALSE(sim_->r_valid_o);
      CHECK_FALSE(sim_->host_rvalid_o);
    }
  }

  uint32_t rnd() { return static_cast<uint32_t>(rng_()); }
  Sim<Vaxi_bram_tb_top>& sim() { return sim_; }

 private:
  void idle() {
    sim_->aw_valid_i = 0;
    sim_->w_valid_i = 0;
    sim_->b_ready_i = 0;
    sim_->ar_valid_i = 0;
    sim_->r_ready_i = 0;
    sim_->host_valid_i = 0;
  }
  template <class F>
  void step_until(F done) {
    sim_.eval();
    while (!done()) {
      sim_.tick();
      sim_.eval();
    }
  }

  Sim<Vaxi_bram_tb_top> sim_;
  std::mt19937 rng_;
  std::vector<uint8_t> mem_;
};

}  // namespace

TEST_CASE("axi_bram: random writes, pipelined reads under R back-pressure, host port",
          "[fpga][axi_bram]") {
  for (uint32_t seed = 1; seed <= 3; ++seed) {
    DYNAMIC_SECTION("seed " << seed) {
      Bench b(seed);
      b.fill();
      for (int round = 0; round < 4; ++round) {
        // Writes: partial strobes anywhere, host words, and one burst beyond the memory.
        for (int i = 0; i < 6; ++i) {
          const uint32_t len = b.rnd() % 4;
          b.write_burst((b.rnd() % (kRows - len)) * kBeat, len, 0xFFFFFFFFu >> (b.rnd() % 2));
        }
        for (int i = 0; i < 6; ++i) b.host_write((b.rnd() % kBytes) & ~3u, b.rnd());
        b.write_burst(kBytes + kBeat * (b.rnd() % 8), 1, ~0u);
        // Reads: bursts of 1 to 16 beats, one beyond the memory, R stalled ~30 % of cycles.
        std::vector<Burst> bursts;
        for (int i = 0; i < 10; ++i) {
          const uint32_t len = b.rnd() % 16;
          bursts.push_back({b.rnd() % 64, (b.rnd() % kRows) * kBeat, len});
        }
        bursts.push_back({7, kBytes + 2 * kBeat, 3});
        b.read_phase(bursts, round == 0 ? 0 : 30, 8);
      }
    }
  }
}

TEST_CASE("axi_bram: a read burst streams one beat per cycle with R always ready",
          "[fpga][axi_bram]") {
  Bench b(9);
  b.fill();
  auto& sim = b.sim();
  sim->ar_valid_i = 1;
  sim->ar_id_i = 3;
  sim->ar_addr_i = 5 * kBeat;
  sim->ar_len_i = 31;
  sim->r_ready_i = 1;
  sim.eval();
  REQUIRE(sim->ar_ready_o);
  sim.tick();
  sim->ar_valid_i = 0;
  const uint64_t accept = sim.cycle();
  while (!sim->r_valid_o) sim.tick();
  // AR taken -> M -> D (RAM read) -> O -> queue -> R.
  CHECK(sim.cycle() - accept == 4);
  for (int k = 0; k < 32; ++k) {
    INFO("beat " << k);
    REQUIRE(sim->r_valid_o);
    CHECK(sim->r_last_o == (k == 31));
    sim.tick();
  }
  CHECK_FALSE(sim->r_valid_o);
}
