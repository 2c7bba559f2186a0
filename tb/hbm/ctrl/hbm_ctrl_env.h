// SPDX-License-Identifier: Apache-2.0
// Testbench environment for hbm_ctrl_top: a PHY bridge to one qilin::hbm::Device per
// pseudo-channel, and an AXI4 master with a shadow-memory scoreboard.
//
// Scoreboard semantics (docs/hbm_controller.md, "Ordering"):
// - Writes are applied to the shadow memory in AW order when they are queued; a read's
//   expected data is the shadow memory when the read is queued.
// - That is exact because the master never has a read and a write to the same 32 B line in
//   flight at once (enqueue_read/enqueue_write refuse). Writes to the same line may overlap
//   (WAW: the later AW wins), and a read queued after a write's B must see it (RAW): the
//   controller orders both.
// - Each ID's read and write transactions must complete in issue order; R beats come in
//   order with RLAST on the last one; every transaction completes within kLatencyBound.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>

#include "bits.h"
#include "hbm_device.h"
#include "hbm_timing.h"
#include "sim_harness.h"

namespace qilin::hbm::tb {

using Line = std::array<uint8_t, 32>;

// AXI field widths (rtl/common/qilin_axi_pkg.sv).
inline constexpr unsigned kIdW = 6;
inline constexpr unsigned kAddrW = 34;
inline constexpr unsigned kNumIds = 1u << kIdW;
// Width of each PC's stat_queue_count_o field ($clog2(QueueDepth + 1), QueueDepth 32).
inline constexpr unsigned kCntW = 7;
// Every transaction must complete this many cycles after it was queued by the master.
inline constexpr uint64_t kLatencyBound = 20000;

struct Txn {
  bool write = false;
  unsigned id = 0;
  uint64_t addr = 0;
  unsigned len = 0;   // beats - 1
  unsigned size = 5;  // log2 bytes per beat
  std::vector<Line> data;       // write data / expected read data, per beat (full line)
  std::vector<uint32_t> strb;   // write strobes per beat
  uint64_t t_queue = 0, t_issue = 0, t_first = 0;
  bool issued = false;
  unsigned beats = 0;  // W beats sent / R beats received
  uint64_t seq = 0;
  unsigned beats_total() const { return len + 1; }
  uint64_t beat_addr(unsigned n) const {
    const uint64_t a = addr & ~((1ull << size) - 1);
    return a + (static_cast<uint64_t>(n) << size);
  }
};

// Pin-level view of the AXI port for one cycle.
struct AxiIn {
  bool aw_valid = false, w_valid = false, ar_valid = false, r_ready = false, b_ready = false;
  const Txn* aw = nullptr;
  const Txn* ar = nullptr;
  const Txn* w = nullptr;
  unsigned w_beat = 0;
};
struct AxiOut {
  bool aw_ready = false, w_ready = false, ar_ready = false;
  bool b_valid = false, r_valid = false;
  unsigned b_id = 0, b_resp = 0;
  unsigned r_id = 0, r_resp = 0;
  bool r_last = false;
  Line r_data{};
};

struct LatencyStats {
  std::vector<uint32_t> rd;  // AR handshake -> first R beat, cycles
  double mean() const {
    if (rd.empty()) return 0;
    double s = 0;
    for (auto v : rd) s += v;
    return s / rd.size();
  }
  double pct(double p) {
    if (rd.empty()) return 0;
    std::sort(rd.begin(), rd.end());
    size_t i = static_cast<size_t>(p * (rd.size() - 1));
    return rd[i];
  }
};

// AXI4 master with scoreboard. Tests queue transactions; the master sends them in order
// per channel, applies random R/B backpressure, and checks every response.
class AxiMaster {
 public:
  explicit AxiMaster(uint64_t seed) : rng_(seed) {}

  double p_rready = 1.0, p_bready = 1.0;  // probability of ready per cycle
  bool check_data = true;
  LatencyStats lat;
  uint64_t rd_beats_done = 0, wr_beats_done = 0, rd_txn_done = 0, wr_txn_done = 0;
  uint64_t max_txn_cycles = 0;  // longest queue-to-completion time seen
  std::function<void(const Txn&)> on_complete;

  static uint64_t line_of(uint64_t a) { return a >> 5; }

  bool lines_free(const Txn& t, const std::unordered_map<uint64_t, int>& m) const {
    for (unsigned n = 0; n <= t.len; ++n) {
      auto it = m.find(line_of(t.beat_addr(n)));
      if (it != m.end() && it->second > 0) return false;
    }
    return true;
  }

  // Queues a read; false (and nothing queued) if a write to one of its lines is in flight.
  bool enqueue_read(unsigned id, uint64_t addr, unsigned len, unsigned size, uint64_t now) {
    auto t = std::make_unique<Txn>();
    t->write = false;
    t->id = id;
    t->addr = addr;
    t->len = len;
    t->size = size;
    if (!lines_free(*t, inflight_w_)) return false;
    t->data.resize(len + 1);
    for (unsigned n = 0; n <= len; ++n) {
      const uint64_t l = line_of(t->beat_addr(n));
      auto it = mem_.find(l);
      t->data[n] = (it == mem_.end()) ? Line{} : it->second;
      inflight_r_[l]++;
    }
    t->t_queue = now;
    t->seq = seq_++;
    rd_by_id_[id].push_back(t.get());
    ar_q_.push_back(t.get());
    out_rd_++;
    live_.emplace(t.get(), std::move(t));
    return true;
  }

  // Queues a write; false if a read of one of its lines is in flight. Empty data/strb:
  // random data, full strobes.
  bool enqueue_write(unsigned id, uint64_t addr, unsigned len, unsigned size, uint64_t now,
                     std::vector<Line> data = {}, std::vector<uint32_t> strb = {}) {
    auto t = std::make_unique<Txn>();
    t->write = true;
    t->id = id;
    t->addr = addr;
    t->len = len;
    t->size = size;
    if (!lines_free(*t, inflight_r_)) return false;
    if (data.empty()) {
      data.resize(len + 1);
      for (auto& l : data)
        for (auto& b : l) b = static_cast<uint8_t>(rng_());
    }
    if (strb.empty()) strb.assign(len + 1, 0xffffffffu);
    t->data = std::move(data);
    t->strb = std::move(strb);
    for (unsigned n = 0; n <= len; ++n) {
      const uint64_t a = t->beat_addr(n);
      // Only the lanes of this beat (narrow transfers) are written.
      const unsigned lo = a & 31, nb = 1u << size;
      uint32_t lanes = (nb >= 32) ? 0xffffffffu : (((1u << nb) - 1) << (lo & ~(nb - 1)));
      t->strb[n] &= lanes;
      Line& m = mem_[line_of(a)];
      for (unsigned b = 0; b < 32; ++b)
        if ((t->strb[n] >> b) & 1) m[b] = t->data[n][b];
      inflight_w_[line_of(a)]++;
    }
    t->t_queue = now;
    t->seq = seq_++;
    wr_by_id_[id].push_back(t.get());
    aw_q_.push_back(t.get());
    for (unsigned n = 0; n <= len; ++n) w_q_.push_back({t.get(), n});
    out_wr_++;
    live_.emplace(t.get(), std::move(t));
    return true;
  }

  unsigned outstanding_reads() const { return out_rd_; }
  unsigned outstanding_writes() const { return out_wr_; }
  size_t ar_backlog() const { return ar_q_.size(); }
  size_t aw_backlog() const { return aw_q_.size(); }
  bool idle() const { return out_rd_ == 0 && out_wr_ == 0; }

  // Shadow memory (what the DUT must hold once all writes completed).
  const std::unordered_map<uint64_t, Line>& shadow() const { return mem_; }

  AxiIn drive() {
    AxiIn in;
    if (!aw_q_.empty()) {
      in.aw_valid = true;
      in.aw = aw_q_.front();
    }
    if (!w_q_.empty()) {
      in.w_valid = true;
      in.w = w_q_.front().first;
      in.w_beat = w_q_.front().second;
    }
    if (!ar_q_.empty()) {
      in.ar_valid = true;
      in.ar = ar_q_.front();
    }
    in.r_ready = p_rready >= 1.0 || uni_(rng_) < p_rready;
    in.b_ready = p_bready >= 1.0 || uni_(rng_) < p_bready;
    return in;
  }

  // Handshakes of this cycle (sampled before the clock edge).
  void observe(const AxiIn& in, const AxiOut& out, uint64_t now) {
    if (in.aw_valid && out.aw_ready) {
      aw_q_.front()->t_issue = now;
      aw_q_.pop_front();
    }
    if (in.w_valid && out.w_ready) w_q_.pop_front();
    if (in.ar_valid && out.ar_ready) {
      ar_q_.front()->t_issue = now;
      ar_q_.front()->issued = true;
      ar_q_.pop_front();
    }
    if (out.r_valid && in.r_ready) on_r(out, now);
    if (out.b_valid && in.b_ready) on_b(out, now);
    if ((now & 255) == 0) check_ages(now);
  }

  void check_ages(uint64_t now) const {
    for (const auto& kv : live_) {
      const Txn& t = *kv.second;
      if (now - t.t_queue > kLatencyBound) {
        std::ostringstream os;
        os << (t.write ? "write" : "read") << " id " << t.id << " addr 0x" << std::hex << t.addr
           << std::dec << " len " << t.len << " queued at cycle " << t.t_queue
           << " not complete at cycle " << now << " (bound " << kLatencyBound << ")";
        throw std::runtime_error(os.str());
      }
    }
  }

  // Random traffic generator state.
  struct Gen {
    uint64_t base = 0, span = 1ull << 20;  // address window
    double p_write = 0.33;
    unsigned max_len = 15;      // beats - 1 (32 B beats; clipped at 4 KiB)
    double p_narrow = 0.05;     // 16 B beats, up to 256 of them
    double p_partial = 0.2;     // random write strobes
    unsigned ids = 8;
    unsigned max_rd = 32, max_wr = 16;  // outstanding transactions
  } gen;

  // Offers at most one new transaction per cycle: a write with probability p_write, else a
  // read, as the outstanding limits allow.
  void generate(uint64_t now) {
    const bool w = uni_(rng_) < gen.p_write;
    if (w && aw_q_.size() < 2 && out_wr_ < gen.max_wr) {
      for (int tries = 0; tries < 4; ++tries)
        if (random_txn(true, now)) break;
    } else if (!w && ar_q_.size() < 2 && out_rd_ < gen.max_rd) {
      for (int tries = 0; tries < 4; ++tries)
        if (random_txn(false, now)) break;
    }
  }

  bool random_txn(bool write, uint64_t now) {
    unsigned size = 5, len;
    if (uni_(rng_) < gen.p_narrow) {
      size = 4;
      len = std::uniform_int_distribution<unsigned>(0, 255)(rng_);
    } else {
      len = std::uniform_int_distribution<unsigned>(0, gen.max_len)(rng_);
      // Mostly short bursts, with a tail up to max_len.
      if (uni_(rng_) < 0.5) len = std::min(len, 3u);
    }
    const uint64_t bytes = static_cast<uint64_t>(len + 1) << size;
    if (bytes > 4096) len = (4096 >> size) - 1;
    uint64_t a = gen.base + (std::uniform_int_distribution<uint64_t>(0, gen.span - 1)(rng_) &
                             ~((1ull << size) - 1));
    // Stay inside one 4 KiB page (AXI rule) and the window.
    const uint64_t page = a & ~4095ull, nbytes = static_cast<uint64_t>(len + 1) << size;
    if ((a & 4095) + nbytes > 4096) a = page + 4096 - nbytes;
    const unsigned id = std::uniform_int_distribution<unsigned>(0, gen.ids - 1)(rng_);
    if (!write) return enqueue_read(id, a, len, size, now);
    std::vector<uint32_t> strb(len + 1, 0xffffffffu);
    if (uni_(rng_) < gen.p_partial)
      for (auto& s : strb) s = static_cast<uint32_t>(rng_());
    return enqueue_write(id, a, len, size, now, {}, strb);
  }

  std::mt19937_64& rng() { return rng_; }

 private:
  void fail(const std::string& s) { throw std::runtime_error(s); }

  void on_r(const AxiOut& o, uint64_t now) {
    auto& q = rd_by_id_[o.r_id];
    std::ostringstream os;
    if (q.empty()) {
      os << "R beat with id " << o.r_id << " but no read outstanding for it, cycle " << now;
      fail(os.str());
    }
    Txn& t = *q.front();
    if (!t.issued) {
      os << "R beat for id " << o.r_id << " before its AR was accepted, cycle " << now;
      fail(os.str());
    }
    const unsigned n = t.beats;
    if (n == 0) {
      t.t_first = now;
      lat.rd.push_back(static_cast<uint32_t>(now - t.t_issue));
    }
    const uint64_t a = t.beat_addr(n);
    if (check_data) {
      const unsigned nb = 1u << t.size, lo = static_cast<unsigned>(a & 31) & ~(nb - 1);
      for (unsigned b = lo; b < lo + nb && b < 32; ++b) {
        if (o.r_data[b] != t.data[n][b]) {
          os << "read data mismatch: id " << t.id << " burst addr 0x" << std::hex << t.addr
             << " beat " << std::dec << n << " byte address 0x" << std::hex
             << ((a & ~31ull) + b) << ": expected 0x" << unsigned(t.data[n][b]) << ", got 0x"
             << unsigned(o.r_data[b]) << std::dec << " (cycle " << now << ")";
          fail(os.str());
        }
      }
    }
    const bool last = (n == t.len);
    if (o.r_last != last) {
      os << "RLAST " << o.r_last << " on beat " << n << " of a " << t.len + 1
         << "-beat read, id " << t.id << ", cycle " << now;
      fail(os.str());
    }
    if (o.r_resp != 0) fail("R response not OKAY");
    t.beats++;
    rd_beats_done++;
    if (last) {
      for (unsigned k = 0; k <= t.len; ++k) inflight_r_[line_of(t.beat_addr(k))]--;
      q.pop_front();
      out_rd_--;
      rd_txn_done++;
      finish_txn(t, now);
    }
  }

  void on_b(const AxiOut& o, uint64_t now) {
    auto& q = wr_by_id_[o.b_id];
    if (q.empty()) {
      std::ostringstream os;
      os << "B with id " << o.b_id << " but no write outstanding for it, cycle " << now;
      fail(os.str());
    }
    Txn& t = *q.front();
    if (o.b_resp != 0) fail("B response not OKAY");
    // All beats must have been sent before the B.
    for (auto& wb : w_q_)
      if (wb.first == &t) fail("B before all W beats were sent");
    for (unsigned k = 0; k <= t.len; ++k) inflight_w_[line_of(t.beat_addr(k))]--;
    q.pop_front();
    out_wr_--;
    wr_txn_done++;
    wr_beats_done += t.len + 1;
    finish_txn(t, now);
  }

  void finish_txn(const Txn& t, uint64_t now) {
    max_txn_cycles = std::max(max_txn_cycles, now - t.t_queue);
    if (now - t.t_queue > kLatencyBound) check_ages(now);
    if (on_complete) on_complete(t);
    live_.erase(&t);
  }

  std::mt19937_64 rng_;
  std::uniform_real_distribution<double> uni_{0.0, 1.0};
  std::unordered_map<uint64_t, Line> mem_;
  std::unordered_map<uint64_t, int> inflight_r_, inflight_w_;
  std::array<std::deque<Txn*>, kNumIds> rd_by_id_, wr_by_id_;
  std::deque<Txn*> ar_q_, aw_q_;
  std::deque<std::pair<Txn*, unsigned>> w_q_;
  std::unordered_map<const Txn*, std::unique_ptr<Txn>> live_;
  unsigned out_rd_ = 0, out_wr_ = 0;
  uint64_t seq_ = 0;
};

// Per-PC command counters seen on the PHY port.
struct PhyStats {
  uint64_t act = 0, pre = 0, prea = 0, ref = 0, refpb = 0, rd = 0, wr = 0, rda = 0, wra = 0;
  uint64_t rw_switches = 0;  // column command type changed between read and write
  int last_col = 0;          // 1 read, 2 write
};

// hbm_ctrl_top verilated as M, with NumPC devices on its PHY ports and one AXI master.
template <class M>
class Env {
 public:
  Env(const std::string& name, unsigned num_pc, const Timing& timing, uint64_t seed,
      bool per_bank_refresh = false, uint64_t timeout = 50'000'000)
      : sim(name, timeout), master(seed), num_pc_(num_pc), phy_(num_pc) {
    for (unsigned p = 0; p < num_pc; ++p)
      dev.push_back(std::make_unique<Device>(timing, per_bank_refresh));
    // Inputs start idle (the harness randomises everything else).
    M& d = sim.dut();
    drive_axi(d, AxiIn{});
    d.phy_rd_valid_i = 0;
    sim.reset();
  }

  qilin::tb::Sim<M> sim;
  AxiMaster master;
  std::vector<std::unique_ptr<Device>> dev;
  // Called every cycle after the PHY commands are known (for tests that watch them).
  std::function<void(unsigned pc, const RowCmd&, const ColCmd&)> on_cmd;

  unsigned num_pc() const { return num_pc_; }
  uint64_t now() const { return sim.cycle(); }
  const PhyStats& phy(unsigned p) const { return phy_[p]; }

  // One clock cycle: master drives, the devices take this cycle's commands and return read
  // data, handshakes are sampled, clock edge.
  void step() {
    M& d = sim.dut();
    AxiIn in = master.drive();
    drive_axi(d, in);
    sim.eval();
    bridge(d);
    sim.eval();
    AxiOut out = sample_axi(d);
    master.observe(in, out, sim.cycle());
    sim.tick();
  }

  void run(uint64_t cycles) {
    for (uint64_t i = 0; i < cycles; ++i) step();
  }

  // Runs until the master has nothing outstanding (or throws SimTimeout / a check).
  void drain(uint64_t max_cycles = 200000) {
    uint64_t n = 0;
    while (!master.idle()) {
      step();
      if (++n > max_cycles) throw std::runtime_error("drain: master not idle");
    }
  }

  // Runs until every PC's request queue is empty (writes complete early at the AXI level:
  // their B is sent when they enter the queue), plus a few cycles for the last commands.
  void quiesce(uint64_t max_cycles = 100000) {
    for (uint64_t n = 0;; ++n) {
      bool empty = true;
      for (unsigned p = 0; p < num_pc_; ++p)
        if (qilin::tb::get_bits(sim.dut().stat_queue_count_o, kCntW * p, kCntW) != 0) empty = false;
      if (empty) break;
      if (n > max_cycles) throw std::runtime_error("quiesce: controller queues not empty");
      step();
    }
    run(8);
  }

  // Every queued write must be in the devices: compare the shadow memory by backdoor.
  // addr_to_dev maps a line address to (pc, bg, ba, row, col).
  template <class F>
  void check_backdoor(F addr_to_dev) const {
    for (const auto& kv : master.shadow()) {
      unsigned pc, bg, ba, row, col;
      addr_to_dev(kv.first << 5, pc, bg, ba, row, col);
      const Line got = dev[pc]->backdoor_read(bg, ba, row, col);
      if (got != kv.second) {
        std::ostringstream os;
        os << "backdoor mismatch at line 0x" << std::hex << (kv.first << 5) << std::dec << " (pc "
           << pc << " bg " << bg << " ba " << ba << " row " << row << " col " << col
           << "): expected " << hex_line(kv.second) << ", device holds " << hex_line(got);
        throw std::runtime_error(os.str());
      }
    }
  }

  static std::string hex_line(const Line& l) {
    std::ostringstream os;
    os << std::hex;
    for (int b = 31; b >= 0; --b) os << (l[b] >> 4) << (l[b] & 15);
    return os.str();
  }

  void finish_devices() {
    for (unsigned p = 0; p < num_pc_; ++p) {
      dev[p]->finish();
      check_violations(p);
    }
  }

 private:
  void check_violations(unsigned p) {
    const auto& v = dev[p]->violations();
    if (v.empty()) return;
    std::ostringstream os;
    os << "PC " << p << ": " << v.size() << " timing violation(s); first: " << v[0].rule
       << " at cycle " << v[0].cycle << ": " << v[0].detail;
    throw std::runtime_error(os.str());
  }

  static void put_line(uint32_t* words, const Line& l) {
    for (unsigned w = 0; w < 8; ++w)
      words[w] = uint32_t(l[4 * w]) | uint32_t(l[4 * w + 1]) << 8 |
                 uint32_t(l[4 * w + 2]) << 16 | uint32_t(l[4 * w + 3]) << 24;
  }
  static void get_line(const uint32_t* words, Line& l) {
    for (unsigned w = 0; w < 8; ++w)
      for (unsigned b = 0; b < 4; ++b) l[4 * w + b] = static_cast<uint8_t>(words[w] >> (8 * b));
  }

  void drive_axi(M& d, const AxiIn& in) {
    using qilin::tb::put_bits;
    d.s_axi_aw_valid_i = in.aw_valid;
    d.s_axi_ar_valid_i = in.ar_valid;
    d.s_axi_w_valid_i = in.w_valid;
    d.s_axi_r_ready_i = in.r_ready;
    d.s_axi_b_ready_i = in.b_ready;
    // {id, addr, len, size, burst}, burst in the LSBs.
    auto ax = [](const Txn* t) -> uint64_t {
      if (!t) return 0;
      return (uint64_t(t->id) << 47) | ((t->addr & ((1ull << kAddrW) - 1)) << 13) |
             (uint64_t(t->len) << 5) | (uint64_t(t->size) << 2) | 1u;
    };
    d.s_axi_aw_i = ax(in.aw);
    d.s_axi_ar_i = ax(in.ar);
    // {data[256], strb[32], last}.
    if (in.w) {
      const Line& l = in.w->data[in.w_beat];
      uint32_t words[8];
      put_line(words, l);
      put_bits(d.s_axi_w_i, 0, 1, in.w_beat == in.w->len);
      put_bits(d.s_axi_w_i, 1, 32, in.w->strb[in.w_beat]);
      for (unsigned w = 0; w < 8; ++w) put_bits(d.s_axi_w_i, 33 + 32 * w, 32, words[w]);
    }
  }

  AxiOut sample_axi(M& d) {
    using qilin::tb::get_bits;
    AxiOut o;
    o.aw_ready = d.s_axi_aw_ready_o;
    o.ar_ready = d.s_axi_ar_ready_o;
    o.w_ready = d.s_axi_w_ready_o;
    o.b_valid = d.s_axi_b_valid_o;
    o.r_valid = d.s_axi_r_valid_o;
    if (o.b_valid) {
      o.b_resp = static_cast<unsigned>(get_bits(d.s_axi_b_o, 0, 2));
      o.b_id = static_cast<unsigned>(get_bits(d.s_axi_b_o, 2, kIdW));
    }
    if (o.r_valid) {
      // {id, data[256], resp, last}.
      o.r_last = get_bits(d.s_axi_r_o, 0, 1);
      o.r_resp = static_cast<unsigned>(get_bits(d.s_axi_r_o, 1, 2));
      uint32_t words[8];
      for (unsigned w = 0; w < 8; ++w)
        words[w] = static_cast<uint32_t>(get_bits(d.s_axi_r_o, 3 + 32 * w, 32));
      get_line(words, o.r_data);
      o.r_id = static_cast<unsigned>(get_bits(d.s_axi_r_o, 259, kIdW));
    }
    return o;
  }

  void bridge(M& d) {
    using qilin::tb::get_bits;
    using qilin::tb::put_bits;
    for (unsigned p = 0; p < num_pc_; ++p) {
      RowCmd r;
      ColCmd c;
      PhyStats& s = phy_[p];
      if (get_bits(d.phy_row_valid_o, p, 1)) {
        r.op = static_cast<RowOp>(get_bits(d.phy_row_cmd_o, 3 * p, 3));
        r.bg = static_cast<unsigned>(get_bits(d.phy_row_bg_o, 2 * p, 2));
        r.ba = static_cast<unsigned>(get_bits(d.phy_row_ba_o, 2 * p, 2));
        r.row = static_cast<unsigned>(get_bits(d.phy_row_addr_o, 14 * p, 14));
        switch (r.op) {
          case RowOp::kAct: s.act++; break;
          case RowOp::kPre: s.pre++; break;
          case RowOp::kPreA: s.prea++; break;
          case RowOp::kRef: s.ref++; break;
          case RowOp::kRefPb: s.refpb++; break;
          default: break;
        }
      }
      if (get_bits(d.phy_col_valid_o, p, 1)) {
        c.op = static_cast<ColOp>(get_bits(d.phy_col_cmd_o, 3 * p, 3));
        c.bg = static_cast<unsigned>(get_bits(d.phy_col_bg_o, 2 * p, 2));
        c.ba = static_cast<unsigned>(get_bits(d.phy_col_ba_o, 2 * p, 2));
        c.col = static_cast<unsigned>(get_bits(d.phy_col_addr_o, 5 * p, 5));
        const bool wr = (c.op == ColOp::kWr || c.op == ColOp::kWrA);
        if (wr) {
          get_line(&wide_word(d.phy_wdata_o, 8 * p), c.wdata);
          c.wmask = static_cast<uint32_t>(get_bits(d.phy_wmask_o, 32 * p, 32));
        }
        switch (c.op) {
          case ColOp::kRd: s.rd++; break;
          case ColOp::kRdA: s.rda++; break;
          case ColOp::kWr: s.wr++; break;
          case ColOp::kWrA: s.wra++; break;
          default: break;
        }
        const int kind = wr ? 2 : 1;
        if (s.last_col != 0 && s.last_col != kind) s.rw_switches++;
        s.last_col = kind;
      }
      if (on_cmd) on_cmd(p, r, c);
      dev[p]->cycle(r, c);
      check_violations(p);
      const bool v = dev[p]->rd_valid();
      put_bits(d.phy_rd_valid_i, p, 1, v);
      if (v) {
        uint32_t words[8];
        put_line(words, dev[p]->rd_data());
        uint32_t* dst = &wide_word(d.phy_rd_data_i, 8 * p);
        for (unsigned w = 0; w < 8; ++w) dst[w] = words[w];
      }
    }
  }

  template <std::size_t N>
  static uint32_t& wide_word(VlWide<N>& v, unsigned i) {
    return v[i];
  }

  unsigned num_pc_;
  std::vector<PhyStats> phy_;
};

// hbm_addr_map in C++: byte address to (pc, bg, ba, row, col) for AddrMap 0..3 (bits from
// the LSB after the 5 byte bits; PcBits = log2(num_pc)):
//   0: pc, bg, col, ba, row   1: pc, col, bg, ba, row   2: pc, bg, ba, col, row
//   3: col, bg, ba, row, pc
inline void map_addr(uint64_t addr, unsigned num_pc, unsigned map, unsigned& pc, unsigned& bg,
                     unsigned& ba, unsigned& row, unsigned& col) {
  unsigned pcb = 0;
  while ((1u << pcb) < num_pc) ++pcb;
  const uint64_t line = addr >> 5;
  uint64_t l = line >> pcb;
  pc = static_cast<unsigned>(line & (num_pc - 1));
  switch (map) {
    case 1:
      col = l & 31;
      bg = (l >> 5) & 3;
      ba = (l >> 7) & 3;
      break;
    case 2:
      bg = l & 3;
      ba = (l >> 2) & 3;
      col = (l >> 4) & 31;
      break;
    case 3:
      l = line;
      col = l & 31;
      bg = (l >> 5) & 3;
      ba = (l >> 7) & 3;
      pc = static_cast<unsigned>((line >> 23) & (num_pc - 1));
      break;
    default:
      bg = l & 3;
      col = (l >> 2) & 31;
      ba = (l >> 7) & 3;
      break;
  }
  row = (l >> 9) & 0x3fff;
}

inline void map_default(uint64_t addr, unsigned num_pc, unsigned& pc, unsigned& bg,
                        unsigned& ba, unsigned& row, unsigned& col) {
  map_addr(addr, num_pc, 0, pc, bg, ba, row, col);
}

}  // namespace qilin::hbm::tb
