// Bus and unit models for the command-processor testbench: an AXI4 read responder (instruction
// fetch) over a golden MemImage, and stub LD/EX/ST units that accept instructions with random
// ready and complete them in order after random delays. Both are clocked by the bench: drive()
// before the rising edge computes the inputs for this cycle, commit() after it applies the
// handshakes that the edge performed.
#pragma once

#include <algorithm>
#include <cstdint>
#include <deque>
#include <optional>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "qilin/golden/mem_image.h"
#include "qilin/golden/rng.h"
#include "qilin/isa.h"

namespace qilin::tb {

// AXI4 read slave for 256-bit beats. Latency per burst is uniform in [min_lat, max_lat]
// cycles from the AR handshake to the first beat; each beat may be delayed further by a random
// gap (gap_prob per cycle). Beats at addresses beyond the memory image, or listed in err_beats,
// are answered SLVERR. The protocol of the master is checked as it goes.
class AxiRdResponder {
 public:
  static constexpr unsigned kBeatBytes = 32;

  struct Beat {
    bool valid = false;
    uint8_t data[kBeatBytes] = {};
    unsigned resp = 0;
    bool last = false;
  };

  AxiRdResponder(const golden::MemImage& mem, golden::Rng& rng) : mem_(mem), rng_(rng) {}

  // Knobs.
  int min_lat = 1, max_lat = 1;
  double ar_ready_prob = 1.0;
  double gap_prob = 0.0;
  std::set<uint64_t> err_beats;

  // Inputs to the DUT for this cycle.
  bool ar_ready = false;
  const Beat& r() const { return r_; }

  void drive(uint64_t cycle) {
    ar_ready = rng_.uniform_real(0, 1) < ar_ready_prob;
    if (r_.valid) return;  // held until accepted (RVALID may not drop)
    if (bursts_.empty() || bursts_.front().ready_at > cycle) return;
    if (gap_prob > 0 && rng_.uniform_real(0, 1) < gap_prob) return;
    Burst& b = bursts_.front();
    const uint64_t a = b.addr + uint64_t{kBeatBytes} * b.next;
    r_.valid = true;
    r_.last = b.next + 1 == b.beats;
    r_.resp = 0;
    std::fill(std::begin(r_.data), std::end(r_.data), 0);
    if (a + kBeatBytes > mem_.size() || err_beats.count(a)) {
      r_.resp = 2;  // SLVERR
    } else {
      mem_.read(a, r_.data, kBeatBytes);
    }
  }

  // Applies the handshakes of the edge: ar_valid/ar_* as the DUT drove them, r_ready likewise.
  void commit(uint64_t cycle, bool ar_valid, uint64_t addr, unsigned len, unsigned size,
              unsigned burst, unsigned id, bool r_ready) {
    // AR stability: once valid, payload and valid hold until the handshake.
    if (ar_pending_) {
      if (!ar_valid) fail("ARVALID dropped before ARREADY");
      if (addr != p_addr_ || len != p_len_ || size != p_size_ || burst != p_burst_ || id != p_id_)
        fail("AR payload changed while waiting for ARREADY");
    }
    if (ar_valid && ar_ready) {
      if (size != 5) fail("ARSIZE is not 32 bytes");
      if (burst != 1) fail("ARBURST is not INCR");
      if (addr % kBeatBytes) fail("AR address not beat aligned");
      if (len > 255) fail("ARLEN out of range");
      const uint64_t end = addr + uint64_t{kBeatBytes} * (len + 1);
      if ((addr >> 12) != ((end - 1) >> 12)) fail("burst crosses a 4 KiB boundary");
      const uint64_t lat = static_cast<uint64_t>(rng_.uniform(min_lat, max_lat));
      bursts_.push_back(Burst{addr, len + 1, 0, cycle + lat});
      ar_addrs.push_back(addr);
      max_outstanding = std::max<size_t>(max_outstanding, bursts_.size());
      ar_pending_ = false;
    } else if (ar_valid) {
      ar_pending_ = true;
      p_addr_ = addr;
      p_len_ = len;
      p_size_ = size;
      p_burst_ = burst;
      p_id_ = id;
    } else {
      ar_pending_ = false;
    }
    if (r_.valid && r_ready) {
      r_.valid = false;
      ++beats_sent;
      Burst& b = bursts_.front();
      if (++b.next == b.beats) bursts_.pop_front();
    }
  }

  size_t outstanding() const { return bursts_.size(); }
  size_t max_outstanding = 0;
  uint64_t beats_sent = 0;
  std::vector<uint64_t> ar_addrs;

 private:
  struct Burst {
    uint64_t addr;
    unsigned beats;
    unsigned next;
    uint64_t ready_at;
  };
  [[noreturn]] static void fail(const std::string& what) {
    throw std::runtime_error("AXI read protocol: " + what);
  }

  const golden::MemImage& mem_;
  golden::Rng& rng_;
  std::deque<Burst> bursts_;
  Beat r_;
  bool ar_pending_ = false;
  uint64_t p_addr_ = 0;
  unsigned p_len_ = 0, p_size_ = 0, p_burst_ = 0, p_id_ = 0;
};

// One execution unit (LD, EX or ST) behind the command processor's issue port. Accepts with
// probability ready_prob; completes in order, each instruction at least 1 and about
// [min_delay, max_delay] cycles after it was accepted. Optionally reports an error instead of
// completing the instruction at error_pc.
class UnitStub {
 public:
  struct Rec {
    uint32_t pc;
    qilin_insn_t insn;
    uint64_t issue;
    uint64_t done = UINT64_MAX;
  };

  explicit UnitStub(golden::Rng& rng) : rng_(rng) {}

  double ready_prob = 1.0;
  int min_delay = 1, max_delay = 1;
  std::optional<uint32_t> error_pc;
  unsigned error_code = 0;
  uint64_t error_addr = 0;

  // Inputs to the DUT for this cycle.
  bool ready = false, done = false, err = false;

  void drive(uint64_t cycle) {
    ready = rng_.uniform_real(0, 1) < ready_prob;
    done = false;
    err = false;
    if (inflight_.empty()) return;
    const Pending& p = inflight_.front();
    if (p.due > cycle) return;
    if (error_pc && log[p.idx].pc == *error_pc) {
      err = !error_sent_;  // one pulse; the faulty instruction never completes
      error_sent_ = true;
    } else {
      done = true;
    }
  }

  void commit(uint64_t cycle, bool valid, const qilin_insn_t& insn, uint32_t pc) {
    if (done) {
      log[inflight_.front().idx].done = cycle;
      inflight_.pop_front();
    }
    if (valid && ready) {
      const uint64_t d = static_cast<uint64_t>(rng_.uniform(min_delay, max_delay));
      const uint64_t due = std::max(cycle + std::max<uint64_t>(d, 1), last_due_ + 1);
      last_due_ = due;
      inflight_.push_back(Pending{log.size(), due});
      log.push_back(Rec{pc, insn, cycle});
    }
  }

  // A soft reset of the unit: in-flight work is dropped and never completes.
  void soft_reset() {
    inflight_.clear();
    error_sent_ = false;
  }
  // Forget the log too (a new program).
  void clear() {
    soft_reset();
    log.clear();
    last_due_ = 0;
  }
  size_t inflight() const { return inflight_.size(); }

  std::vector<Rec> log;

 private:
  struct Pending {
    size_t idx;
    uint64_t due;
  };
  golden::Rng& rng_;
  std::deque<Pending> inflight_;
  uint64_t last_due_ = 0;
  bool error_sent_ = false;
};

}  // namespace qilin::tb
